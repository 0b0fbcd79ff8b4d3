// SPDX-License-Identifier: MIT
#include "json_p.h"

#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define PALAVER_HAVE_AVX2_PATH 1
#include <immintrin.h>
#endif

namespace Palaver::Protocol::detail {

namespace {

inline bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return c - 'A' + 10;
}

class Scanner {
public:
    explicit Scanner(std::string_view text)
        : m_begin(text.data()), m_p(text.data()), m_end(text.data() + text.size())
    {
    }

    std::optional<Error> run(JsonShape *shape)
    {
        m_shape = shape;
        skipWs();
        if (m_p == m_end)
            return fail("empty JSON text");
        if (m_shape)
            m_shape->root = kindOf(*m_p);
        if (!value(0))
            return std::move(m_error);
        skipWs();
        if (m_p != m_end)
            return fail("trailing characters after the JSON value");
        return std::nullopt;
    }

    std::optional<std::size_t> one(std::size_t depth)
    {
        if (!value(depth))
            return std::nullopt;
        return std::size_t(m_p - m_begin);
    }

private:
    static char kindOf(char c)
    {
        switch (c) {
        case '{':
        case '[':
        case '"':
        case 't':
        case 'f':
            return c;
        case 'n':
            return 'z';
        default:
            return 'n';
        }
    }

    Error fail(const char *what)
    {
        return makeError(ErrorCode::InvalidJson,
            std::string(what) + " at offset " + std::to_string(m_p - m_begin));
    }

    bool setFail(const char *what)
    {
        if (!m_error)
            m_error = fail(what);
        return false;
    }

    void skipWs()
    {
        while (m_p != m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }

    bool value(std::size_t depth)
    {
        skipWs();
        if (m_p == m_end)
            return setFail("unexpected end of JSON");
        switch (*m_p) {
        case '{':
            return object(depth + 1);
        case '[':
            return array(depth + 1);
        case '"':
            return string();
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }

    bool tooDeep()
    {
        m_error = makeError(ErrorCode::NestingTooDeep,
            "JSON nested deeper than " + std::to_string(MaxNestingDepth) + " levels at offset "
                + std::to_string(m_p - m_begin));
        return false;
    }

    bool object(std::size_t depth)
    {
        if (depth > MaxNestingDepth)
            return tooDeep();
        ++m_p;
        skipWs();
        if (m_p != m_end && *m_p == '}') {
            ++m_p;
            return true;
        }
        for (;;) {
            skipWs();
            if (m_p == m_end || *m_p != '"')
                return setFail("expected an object key");
            if (!string())
                return false;
            skipWs();
            if (m_p == m_end || *m_p != ':')
                return setFail("expected ':' after an object key");
            ++m_p;
            if (!value(depth))
                return false;
            skipWs();
            if (m_p == m_end)
                return setFail("unterminated object");
            if (*m_p == ',') {
                ++m_p;
                continue;
            }
            if (*m_p == '}') {
                ++m_p;
                return true;
            }
            return setFail("expected ',' or '}' in an object");
        }
    }

    bool array(std::size_t depth)
    {
        if (depth > MaxNestingDepth)
            return tooDeep();
        const bool root = depth == 1;
        ++m_p;
        skipWs();
        if (m_p != m_end && *m_p == ']') {
            ++m_p;
            return true;
        }
        std::size_t count = 0;
        for (;;) {
            skipWs();
            const char *start = m_p;
            if (!value(depth))
                return false;
            if (root && m_shape) {
                if (count == 0) {
                    m_shape->first = kindOf(*start);
                    m_shape->firstRaw = std::string_view(start, std::size_t(m_p - start));
                }
                m_shape->rootSize = count + 1;
            }
            ++count;
            skipWs();
            if (m_p == m_end)
                return setFail("unterminated array");
            if (*m_p == ',') {
                ++m_p;
                continue;
            }
            if (*m_p == ']') {
                ++m_p;
                return true;
            }
            return setFail("expected ',' or ']' in an array");
        }
    }

    bool string()
    {
        ++m_p; // the opening quote
        for (;;) {
            m_p = findStringStop(m_p, m_end);
            if (m_p == m_end)
                return setFail("unterminated string");
            const auto c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c == '\\') {
                ++m_p;
                if (m_p == m_end)
                    return setFail("unterminated escape");
                switch (*m_p) {
                case '"':
                case '\\':
                case '/':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                    ++m_p;
                    break;
                case 'u':
                    ++m_p;
                    for (int i = 0; i < 4; ++i, ++m_p) {
                        if (m_p == m_end || !isHex(*m_p))
                            return setFail("bad \\u escape");
                    }
                    break;
                default:
                    return setFail("bad escape");
                }
                continue;
            }
            if (c < 0x20)
                return setFail("control character in a string");
            ++m_p;
        }
    }

    bool literal(std::string_view word)
    {
        if (std::size_t(m_end - m_p) < word.size() || std::string_view(m_p, word.size()) != word)
            return setFail("invalid literal");
        m_p += word.size();
        return true;
    }

    bool digits()
    {
        const char *start = m_p;
        while (m_p != m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p != start;
    }

    bool number()
    {
        if (*m_p == '-')
            ++m_p;
        if (m_p == m_end)
            return setFail("invalid number");
        if (*m_p == '0') {
            ++m_p;
        } else if (!digits()) {
            return setFail("unexpected character");
        }
        if (m_p != m_end && *m_p == '.') {
            ++m_p;
            if (!digits())
                return setFail("invalid number");
        }
        if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p != m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (!digits())
                return setFail("invalid number");
        }
        return true;
    }

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    JsonShape *m_shape = nullptr;
    std::optional<Error> m_error;
};

void appendUtf8(std::string &out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

bool readHex4(std::string_view raw, std::size_t at, std::uint32_t &value)
{
    if (at + 4 > raw.size())
        return false;
    value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        if (!isHex(raw[at + i]))
            return false;
        value = (value << 4) | std::uint32_t(hexValue(raw[at + i]));
    }
    return true;
}

// Containers count from 1 at the root, as in the scanner.
bool depthOk(const nlohmann::json &value, std::size_t above, std::size_t limit)
{
    if (!value.is_array() && !value.is_object())
        return true;
    if (above + 1 > limit)
        return false;
    for (const auto &child : value) {
        if (!depthOk(child, above + 1, limit))
            return false;
    }
    return true;
}

#if defined(PALAVER_HAVE_AVX2_PATH)
// Built for AVX2 whatever the build's flags; only called where the processor has it.
__attribute__((target("avx2"))) const char *findStringStopAvx2(
    const char *p, const char *end) noexcept
{
    const __m256i quotes = _mm256_set1_epi8('"');
    const __m256i backslashes = _mm256_set1_epi8('\\');
    const __m256i limit = _mm256_set1_epi8(0x1f);
    while (end - p >= 32) {
        const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
        const __m256i control = _mm256_cmpeq_epi8(_mm256_max_epu8(v, limit), limit);
        const __m256i hits = _mm256_or_si256(
            _mm256_or_si256(_mm256_cmpeq_epi8(v, quotes), _mm256_cmpeq_epi8(v, backslashes)),
            control);
        if (const auto mask = unsigned(_mm256_movemask_epi8(hits)))
            return p + std::countr_zero(mask);
        p += 32;
    }
    return findStringStop(p, end); // the last few bytes: too few for the wide path
}
#endif

using StringStopFinder = const char *(*)(const char *p, const char *end) noexcept;

StringStopFinder wideStringStopFinder() noexcept
{
#if defined(PALAVER_HAVE_AVX2_PATH)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        return &findStringStopAvx2;
#endif
    return nullptr;
}

} // namespace

const char *findStringStopRest(const char *p, const char *end) noexcept
{
#if defined(__SSE2__)
    while (end - p >= 16) {
        // A long string: worth the wider loop.
        if (end - p >= 128) {
            static const StringStopFinder wide = wideStringStopFinder();
            if (wide)
                return wide(p, end);
        }
        if (const unsigned mask = stringStopMask16(p))
            return p + std::countr_zero(mask);
        p += 16;
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

std::optional<Error> scanJson(std::string_view text, JsonShape *shape)
{
    return Scanner(text).run(shape);
}

std::optional<std::size_t> skipJsonValue(std::string_view text, std::size_t depth)
{
    return Scanner(text).one(depth);
}

bool unescapeJsonString(std::string_view raw, std::string &out)
{
    out.clear();
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c != '\\') {
            if (static_cast<unsigned char>(c) < 0x20 || c == '"')
                return false;
            out += c;
            continue;
        }
        if (++i == raw.size())
            return false;
        switch (raw[i]) {
        case '"':
            out += '"';
            break;
        case '\\':
            out += '\\';
            break;
        case '/':
            out += '/';
            break;
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case 'u': {
            std::uint32_t cp = 0;
            if (!readHex4(raw, i + 1, cp))
                return false;
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                // A high surrogate must be followed by an escaped low one, as JSON.parse and
                // nlohmann require; a lone half is not a character.
                std::uint32_t low = 0;
                if (i + 2 >= raw.size() || raw[i + 1] != '\\' || raw[i + 2] != 'u'
                    || !readHex4(raw, i + 3, low) || low < 0xDC00 || low > 0xDFFF)
                    return false;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return false;
            }
            appendUtf8(out, cp);
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

Result<nlohmann::json> parseJson(std::string_view text)
{
    if (auto error = scanJson(text))
        return std::move(*error);
    try {
        auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (value.is_discarded())
            return makeError(ErrorCode::InvalidJson, "invalid JSON (bad UTF-8 or number)");
        return value;
    } catch (const std::exception &e) {
        // Only allocation failures can get here with allow_exceptions off.
        return makeError(ErrorCode::InvalidJson, std::string("JSON parse failed: ") + e.what());
    }
}

std::string dumpJson(const nlohmann::json &value)
{
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool withinDepth(const nlohmann::json &value, std::size_t limit)
{
    return depthOk(value, 0, limit);
}

Result<std::string> eventNameFromRaw(char kind, std::string_view raw)
{
    if (kind == 'n')
        return std::string(raw);
    if (kind != '"' || raw.size() < 2)
        return makeError(ErrorCode::InvalidPayload,
            "the event name (first element) is neither a string nor a number");
    const std::string_view inner = raw.substr(1, raw.size() - 2);
    if (inner.find('\\') == std::string_view::npos)
        return std::string(inner); // the common case: nothing to unescape
    std::string name;
    if (!unescapeJsonString(inner, name))
        return makeError(ErrorCode::InvalidJson, "invalid escape in the event name");
    return name;
}

} // namespace Palaver::Protocol::detail
