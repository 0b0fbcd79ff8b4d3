// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>
#include <Palaver/Protocol/result.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__)
//! Bit i set when byte i of the 16 at `p` is '"', '\\' or a control character (SSE2 is part of
//! x86-64 itself: no target flags).
inline unsigned stringStopMask16(const char *p) noexcept
{
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    const __m128i limit = _mm_set1_epi8(0x1f);
    const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
    return unsigned(_mm_movemask_epi8(_mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        control)));
}
#endif

//! findStringStop() past its first 16 bytes: 16 bytes at a time, 32 with AVX2 once a string has
//! proved long and the processor has it (checked once, at run time), else 8 (a SWAR word) and 1.
const char *findStringStopRest(const char *p, const char *end) noexcept;

//! The first '"', '\\' or control character in [p, end), or `end`: the only bytes a scan of a
//! string's inside must stop at. Keys, ids and names end within 16 bytes, checked here inline;
//! message content, most of a chat frame, is skipped many bytes at a time by the rest.
inline const char *findStringStop(const char *p, const char *end) noexcept
{
#if defined(__SSE2__)
    if (end - p >= 16) {
        if (const unsigned mask = stringStopMask16(p))
            return p + std::countr_zero(mask);
        p += 16;
    }
#endif
    return findStringStopRest(p, end);
}

//! Checks that `text` is exactly one JSON value (RFC 8259 grammar; UTF-8 is left to the full
//! parsers) nested at most MaxNestingDepth deep. Never recurses deeper than that.
std::optional<Error> scanJson(std::string_view text, JsonShape *shape = nullptr);

//! The scan of one value at the start of `text` (whitespace before it is skipped) that sits
//! inside `depth` containers already: how many bytes of `text` it ends at, or nullopt when it is
//! not a valid value there (or nests too deep). What follows the value is not looked at.
std::optional<std::size_t> skipJsonValue(std::string_view text, std::size_t depth);

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
