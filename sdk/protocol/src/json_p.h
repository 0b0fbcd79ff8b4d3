// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>
#include <Palaver/Protocol/result.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace Palaver::Protocol::detail {

//! Extra capacity reserved behind every JSON payload so that simdjson can parse it in place
//! (it reads up to SIMDJSON_PADDING bytes past the end); chat.cpp checks the value matches.
inline constexpr std::size_t PayloadPadding = 64;

//! What a validating scan learnt about a JSON text, so the decoder can check the payload's
//! shape without building a tree.
struct JsonShape {
    char root = 0; //!< '{', '[', '"', 'n' (number), 't', 'f', 'z' (null)
    std::size_t rootSize = 0; //!< elements of a root array
    char first = 0; //!< kind of the root array's first element, as `root`
    std::string_view firstRaw; //!< its text, quotes included
};

//! Checks that `text` is exactly one JSON value (RFC 8259 grammar; UTF-8 is left to the full
//! parsers) nested at most MaxNestingDepth deep. Never recurses deeper than that.
std::optional<Error> scanJson(std::string_view text, JsonShape *shape = nullptr);

//! Decodes the inside of a JSON string literal (without its quotes) into UTF-8.
bool unescapeJsonString(std::string_view raw, std::string &out);

//! Parses with nlohmann after a bounded scan: never throws, never recurses unboundedly.
Result<nlohmann::json> parseJson(std::string_view text);

//! Serialises without throwing (invalid UTF-8 is replaced, as JSON.stringify would).
std::string dumpJson(const nlohmann::json &value);

//! Depth of a value tree, stopping early once it exceeds `limit`.
bool withinDepth(const nlohmann::json &value, std::size_t limit);

//! The event name from the raw text of the first array element (a string or a number).
Result<std::string> eventNameFromRaw(char kind, std::string_view raw);

} // namespace Palaver::Protocol::detail
