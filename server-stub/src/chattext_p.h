// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

//! The text rules of PROTOCOL.md "Identifiers and text".
namespace Palaver::Stub::Text {

//! `^[a-z0-9][a-z0-9_-]{0,63}$`
bool isValidRoomId(const nlohmann::json &value);
bool isValidRoomId(const QString &id);
//! Unicode `White_Space` (U+FEFF is not white space).
bool isWhiteSpace(char32_t c);
//! Trims leading and trailing `White_Space`.
QString trimmed(const QString &text);
//! Length in code points.
qsizetype codePoints(const QString &text);
//! UTF-8 to QString, keeping a leading U+FEFF and replacing invalid sequences.
QString fromUtf8(std::string_view bytes);
//! UTF-8 from a JSON string, with invalid sequences replaced so that everything stored is valid.
QString fromJson(const nlohmann::json &value);
//! The first `n` code points of `text`.
QString left(const QString &text, qsizetype n);
//! A positive integer as JavaScript sees one (`Number.isSafeInteger(v) && v > 0`).
std::optional<qint64> positiveInteger(const nlohmann::json &value);
//! The same, 0 included (`Number.isSafeInteger(v) && v >= 0`).
std::optional<qint64> nonNegativeInteger(const nlohmann::json &value);
//! contract v1.1 `emoji`: 1..16 code points, none of them white space or a control character
//! (general category Cc). Not trimmed: a reaction is a key, "👍" and " 👍" must not both exist.
bool isValidEmoji(const QString &emoji);
//! `YYYY-MM-DDTHH:MM:SS.sssZ`
QString timestampNow();

} // namespace Palaver::Stub::Text
