// SPDX-License-Identifier: MIT
#include "variantjson_p.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QUuid>

namespace Palaver::VariantJson {

namespace {

nlohmann::json fromQJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool();
    case QJsonValue::Double: {
        const double d = value.toDouble();
        const auto i = qint64(d);
        if (double(i) == d)
            return i;
        return d;
    }
    case QJsonValue::String:
        return value.toString().toStdString();
    case QJsonValue::Array: {
        auto out = nlohmann::json::array();
        for (const auto &v : value.toArray())
            out.push_back(fromQJson(v));
        return out;
    }
    case QJsonValue::Object: {
        auto out = nlohmann::json::object();
        const auto object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            out[it.key().toStdString()] = fromQJson(it.value());
        return out;
    }
    default:
        return nullptr;
    }
}

} // namespace

nlohmann::json toJson(const QVariant &value)
{
    if (!value.isValid()
        || (value.isNull() && value.typeId() != QMetaType::QString
            && value.typeId() != QMetaType::QByteArray))
        return nullptr;
    switch (value.typeId()) {
    case QMetaType::Nullptr:
        return nullptr;
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::Int:
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::Char:
    case QMetaType::SChar:
        return value.toLongLong();
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar:
        return value.toULongLong();
    case QMetaType::Double:
    case QMetaType::Float:
        return value.toDouble();
    case QMetaType::QString:
        return value.toString().toStdString();
    case QMetaType::QByteArray: {
        const QByteArray bytes = value.toByteArray();
        return nlohmann::json::binary(
            nlohmann::json::binary_t::container_type(bytes.begin(), bytes.end()));
    }
    case QMetaType::QUuid:
        return value.toUuid().toString(QUuid::WithoutBraces).toStdString();
    case QMetaType::QDateTime:
        return value.toDateTime().toUTC().toString(Qt::ISODateWithMs).toStdString();
    case QMetaType::QStringList:
    case QMetaType::QVariantList:
        return toJson(value.toList());
    case QMetaType::QVariantMap: {
        auto out = nlohmann::json::object();
        const auto map = value.toMap();
        for (auto it = map.begin(); it != map.end(); ++it)
            out[it.key().toStdString()] = toJson(it.value());
        return out;
    }
    case QMetaType::QVariantHash: {
        auto out = nlohmann::json::object();
        const auto hash = value.toHash();
        for (auto it = hash.begin(); it != hash.end(); ++it)
            out[it.key().toStdString()] = toJson(it.value());
        return out;
    }
    case QMetaType::QJsonValue:
        return fromQJson(value.toJsonValue());
    case QMetaType::QJsonObject:
        return fromQJson(value.toJsonObject());
    case QMetaType::QJsonArray:
        return fromQJson(value.toJsonArray());
    case QMetaType::QJsonDocument: {
        const auto doc = value.toJsonDocument();
        return doc.isArray() ? fromQJson(doc.array()) : fromQJson(doc.object());
    }
    default:
        if (value.canConvert<QVariantList>() && value.typeId() != QMetaType::QString)
            return toJson(value.toList());
        if (value.canConvert<QVariantMap>())
            return toJson(QVariant(value.toMap()));
        return value.toString().toStdString();
    }
}

nlohmann::json toJson(const QVariantList &list)
{
    auto out = nlohmann::json::array();
    for (const auto &v : list)
        out.push_back(toJson(v));
    return out;
}

QVariant fromJson(const nlohmann::json &value)
{
    using T = nlohmann::json::value_t;
    switch (value.type()) {
    case T::null:
    case T::discarded:
        return {};
    case T::boolean:
        return value.get<bool>();
    case T::number_integer:
        return qint64(value.get<std::int64_t>());
    case T::number_unsigned: {
        const auto u = value.get<std::uint64_t>();
        if (u <= std::uint64_t(std::numeric_limits<qint64>::max()))
            return qint64(u);
        return quint64(u);
    }
    case T::number_float:
        return value.get<double>();
    case T::string: {
        const auto &s = value.get_ref<const std::string &>();
        return QString::fromUtf8(s.data(), qsizetype(s.size()));
    }
    case T::binary: {
        const auto &b = value.get_binary();
        return QByteArray(reinterpret_cast<const char *>(b.data()), qsizetype(b.size()));
    }
    case T::array:
        return listFromJson(value);
    case T::object: {
        QVariantMap map;
        for (auto it = value.begin(); it != value.end(); ++it)
            map.insert(QString::fromStdString(it.key()), fromJson(it.value()));
        return map;
    }
    }
    return {};
}

QVariantList listFromJson(const nlohmann::json &value)
{
    QVariantList list;
    if (!value.is_array()) {
        list.append(fromJson(value));
        return list;
    }
    list.reserve(qsizetype(value.size()));
    for (const auto &v : value)
        list.append(fromJson(v));
    return list;
}

} // namespace Palaver::VariantJson
