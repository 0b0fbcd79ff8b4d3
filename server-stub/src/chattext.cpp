// SPDX-License-Identifier: MIT
#include "chattext_p.h"

#include <QDateTime>
#include <QStringDecoder>

#include <cmath>

namespace Palaver::Stub::Text {

bool isValidRoomId(const QString &id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    for (qsizetype i = 0; i < id.size(); ++i) {
        const char16_t c = id.at(i).unicode();
        const bool alnum = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        if (!alnum && (i == 0 || (c != u'_' && c != u'-')))
            return false;
    }
    return true;
}

bool isValidRoomId(const nlohmann::json &value)
{
    return value.is_string() && isValidRoomId(QString::fromStdString(value.get<std::string>()));
}

bool isWhiteSpace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
}

QString trimmed(const QString &text)
{
    // No White_Space character is outside the BMP, so UTF-16 units can be tested one by one.
    qsizetype begin = 0;
    qsizetype end = text.size();
    while (begin < end && isWhiteSpace(text.at(begin).unicode()))
        ++begin;
    while (end > begin && isWhiteSpace(text.at(end - 1).unicode()))
        --end;
    return text.mid(begin, end - begin);
}

qsizetype codePoints(const QString &text)
{
    qsizetype n = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!(text.at(i).isHighSurrogate() && i + 1 < text.size()
                && text.at(i + 1).isLowSurrogate()))
            ++n;
    }
    return n;
}

QString fromUtf8(std::string_view bytes)
{
    // QString::fromUtf8() drops a leading U+FEFF, but here it is content, not a byte order mark.
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    return decoder.decode(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
}

QString fromJson(const nlohmann::json &value)
{
    return fromUtf8(value.get_ref<const std::string &>());
}

QString left(const QString &text, qsizetype n)
{
    qsizetype i = 0;
    for (qsizetype count = 0; i < text.size() && count < n; ++count) {
        if (text.at(i).isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        ++i;
    }
    return text.left(i);
}

namespace {

std::optional<qint64> safeInteger(const nlohmann::json &value, qint64 min)
{
    constexpr qint64 MaxSafe = (qint64(1) << 53) - 1;
    if (value.is_number_unsigned()) {
        const auto v = value.get<std::uint64_t>();
        if (v >= std::uint64_t(min) && v <= std::uint64_t(MaxSafe))
            return qint64(v);
        return std::nullopt;
    }
    if (value.is_number_integer()) {
        const auto v = value.get<std::int64_t>();
        if (v >= min && v <= MaxSafe)
            return v;
        return std::nullopt;
    }
    if (value.is_number_float()) {
        const double v = value.get<double>();
        if (std::isfinite(v) && std::floor(v) == v && v >= double(min) && v <= double(MaxSafe))
            return qint64(v);
    }
    return std::nullopt;
}

} // namespace

std::optional<qint64> positiveInteger(const nlohmann::json &value)
{
    return safeInteger(value, 1);
}

std::optional<qint64> nonNegativeInteger(const nlohmann::json &value)
{
    return safeInteger(value, 0);
}

bool isValidEmoji(const QString &emoji)
{
    constexpr qsizetype MaxEmoji = 16;
    const qsizetype n = codePoints(emoji);
    if (n < 1 || n > MaxEmoji)
        return false;
    for (const char32_t c : emoji.toUcs4()) {
        if (isWhiteSpace(c) || c <= 0x1F || (c >= 0x7F && c <= 0x9F))
            return false;
    }
    return true;
}

QString timestampNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace Palaver::Stub::Text
