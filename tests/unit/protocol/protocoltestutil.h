// SPDX-License-Identifier: MIT
// Helpers shared by the codec's unit tests: hex/bytes conversion and a JSON notation for binary
// values, so that data-driven rows can be written as plain strings.
#pragma once

#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>

#include <QByteArray>
#include <QString>
#include <QTest>

#include <nlohmann/json.hpp>

#include <string>

namespace ProtocolTest {

//! "82 a4 74" or "82a474" -> bytes; spaces are ignored so rows can group bytes as the reference
//! does.
inline std::string unhex(const char *hex)
{
    const QByteArray compact = QByteArray(hex).replace(' ', "");
    const QByteArray raw = QByteArray::fromHex(compact);
    return std::string(raw.constData(), std::size_t(raw.size()));
}

inline std::string hex(const std::string &bytes)
{
    return QByteArray(bytes.data(), qsizetype(bytes.size())).toHex().toStdString();
}

inline std::string str(const QByteArray &bytes)
{
    return std::string(bytes.constData(), std::size_t(bytes.size()));
}

//! Replaces {"$bin":"0102"} objects by binary values, recursively.
inline nlohmann::json withBinaries(nlohmann::json value)
{
    if (value.is_object() && value.size() == 1 && value.contains("$bin")) {
        const std::string bytes = unhex(value["$bin"].get<std::string>().c_str());
        return nlohmann::json::binary(Palaver::Protocol::Bytes(bytes.begin(), bytes.end()));
    }
    if (value.is_array() || value.is_object()) {
        for (auto &child : value)
            child = withBinaries(child);
    }
    return value;
}

//! Parses the test notation: JSON text, with {"$bin":"hex"} for binary values; empty is null.
inline nlohmann::json data(const QByteArray &text)
{
    if (text.isEmpty())
        return nullptr;
    return withBinaries(nlohmann::json::parse(str(text)));
}

inline QByteArray describe(const Palaver::Protocol::Error &error)
{
    return QByteArray::fromStdString(std::string(toString(error.code)) + ": " + error.message);
}

// QCOMPARE cannot print the codec's enums: Palaver::Protocol::toString() (found by ADL) returns
// a string_view, not the char * QTest wants. Tests compare these names instead.
inline std::string name(Palaver::Protocol::ErrorCode code)
{
    return std::string(toString(code));
}
inline std::string name(Palaver::Protocol::PacketType type)
{
    return std::string(toString(type));
}
inline std::string name(Palaver::Protocol::ParserKind kind)
{
    return kind == Palaver::Protocol::ParserKind::Json ? "json" : "msgpack";
}
inline std::string name(Palaver::Protocol::EngineType type)
{
    return std::to_string(int(type));
}

} // namespace ProtocolTest

//! QCOMPARE for nlohmann values and other types QTest cannot print: compares, and shows both
//! sides as JSON when they differ.
#define PALAVER_COMPARE_JSON(actual, expected)                                                     \
    do {                                                                                           \
        const nlohmann::json actual_ = (actual);                                                   \
        const nlohmann::json expected_ = (expected);                                               \
        QVERIFY2(actual_ == expected_,                                                             \
            ("actual " + actual_.dump() + "\n   expected " + expected_.dump()).c_str());           \
    } while (false)

namespace QTest {
template<> inline char *toString(const nlohmann::json &value)
{
    return qstrdup(value.dump().c_str());
}
template<> inline char *toString(const std::string &value)
{
    return qstrdup(value.c_str());
}
} // namespace QTest
