// SPDX-License-Identifier: MIT
#include "utf8_p.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace Palaver::Protocol::detail {

namespace {

inline bool continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

} // namespace

bool isValidUtf8(std::string_view bytes) noexcept
{
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p != end) {
#if defined(__SSE2__)
        while (end - p >= 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
            if (_mm_movemask_epi8(v) != 0)
                break;
            p += 16;
        }
#endif
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            if (w & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p == end)
            return true;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        const std::ptrdiff_t left = end - p;
        if (c >= 0xC2 && c <= 0xDF) {
            if (left < 2 || !continuation(p[1]))
                return false;
            p += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (left < 3 || !continuation(p[1]) || !continuation(p[2]))
                return false;
            if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))
                return false; // overlong, or a UTF-16 surrogate
            p += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (left < 4 || !continuation(p[1]) || !continuation(p[2]) || !continuation(p[3]))
                return false;
            if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))
                return false; // overlong, or above U+10FFFF
            p += 4;
        } else {
            return false; // a continuation byte first, C0/C1 (overlong), or F5-FF
        }
    }
    return true;
}

} // namespace Palaver::Protocol::detail
