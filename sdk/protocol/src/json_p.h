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

//! The scan below 32 bytes at a time, for processors with AVX2 (checked once, at run time);
//! nullptr where there is no AVX2.
using StringStopFinder = const char *(*)(const char *p, const char *end) noexcept;
StringStopFinder wideStringStopFinder() noexcept;

//! The first '"', '\\' or control character in [p, end), or `end`: the only bytes a scan of a
//! string's inside must stop at. Message content is most of a chat frame, so it is skipped 16
//! bytes at a time (SSE2 is part of x86-64 itself: no target flags), or 32 with AVX2 once a
//! string has proved long, else 8 (a SWAR word).
inline const char *findStringStop(const char *p, const char *end) noexcept
{
#if defined(__SSE2__)
    const __m128i quotes = _mm_set1_epi8('"');
    const __m128i backslashes = _mm_set1_epi8('\\');
    const __m128i limit = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(v, limit), limit);
        const int mask = _mm_movemask_epi8(_mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quotes), _mm_cmpeq_epi8(v, backslashes)), control));
        if (mask != 0)
            return p + std::countr_zero(unsigned(mask));
        p += 16;
        // Past the short strings (keys, ids, names): a long one is worth the wider loop.
        if (end - p >= 128) {
            static const StringStopFinder wide = wideStringStopFinder();
            if (wide)
                return wide(p, end);
        }
    }
#endif
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    while (end - p >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        // 0x80 in each byte that is '"', '\\' or < 0x20; bits above a true hit may be false
        // positives (borrows), so only the lowest is used.
        const std::uint64_t quote = w ^ (ones * '"');
        const std::uint64_t backslash = w ^ (ones * '\\');
        std::uint64_t hits = (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash)
                                 | ((w - ones * 0x20) & ~w))
            & (ones * 0x80);
        if (hits) {
            if constexpr (std::endian::native == std::endian::big)
                hits = __builtin_bswap64(hits);
            return p + std::countr_zero(hits) / 8;
        }
        p += 8;
    }
    while (p != end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20)
        ++p;
    return p;
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
