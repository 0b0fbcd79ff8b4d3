// SPDX-License-Identifier: MIT
#include "chatfields_p.h"
#include "json_p.h"
#include "utf8_p.h"
#include <Palaver/Protocol/chat.h>

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>

namespace Palaver::Protocol {

namespace {

// The first eight bytes of `"key"` after its opening quote, as one machine word read from the
// text would hold them (the closing quote included when the key is shorter than eight), and
// which of them count.
struct KeyPattern {
    std::uint64_t head = 0;
    std::uint64_t mask = 0;
    std::size_t quote = 0; //!< where the closing quote is: the key's length
};

constexpr std::uint64_t byteAt(unsigned char c, std::size_t i)
{
    const std::size_t shift = std::endian::native == std::endian::little ? 8 * i : 8 * (7 - i);
    return std::uint64_t(c) << shift;
}

constexpr auto makeKeyPatterns()
{
    std::array<KeyPattern, std::size(detail::ChatFields)> patterns {};
    for (std::size_t k = 0; k < patterns.size(); ++k) {
        const std::string_view key = detail::ChatFields[k].key;
        KeyPattern &pattern = patterns[k];
        pattern.quote = key.size();
        for (std::size_t i = 0; i < 8 && i <= key.size(); ++i) {
            const char c = i < key.size() ? key[i] : '"';
            pattern.head |= byteAt(static_cast<unsigned char>(c), i);
            pattern.mask |= byteAt(0xff, i);
        }
    }
    return patterns;
}

constexpr auto KeyPatterns = makeKeyPatterns();

// A `message:new` event read in one pass over its text, straight into the typed fields: the
// grammar is checked by the same scanner as Decoder::feedText() (skipJsonValue()), so whatever
// this accepts the Decoder accepts too, and every field is taken as decodeMessageNew() takes it.
// Anything unusual (another event, an ack id, a namespace, escapes in the event name, a field of
// the wrong type, invalid input) is declined, and the caller's Decoder then reports or handles
// it exactly as before: this is a shortcut, never a second set of rules.
//
// The hot helpers are forced inline (they are few and small) so that the cursor stays in a
// register: as out-of-line members they reloaded it from memory after every call.
class MessageNewText {
public:
    MessageNewText(std::string_view json, MessageNewView &out)
        : m_p(json.data()), m_end(json.data() + json.size()), m_out(out)
    {
    }

    bool run()
    {
        if (!take('['))
            return false;
        const std::string_view name = rawString();
        if (!name.data() || m_escaped || name != "message:new" || !take(',') || !take('{'))
            return false;
        unsigned seen = 0;
        if (!take('}')) {
            std::string unescapedKey;
            for (;;) {
                const detail::ChatFieldSpec *field = knownKey();
                if (!field) {
                    std::string_view key = rawString();
                    if (!key.data())
                        return false;
                    if (m_escaped) {
                        if (!detail::unescapeJsonString(key, unescapedKey))
                            return false;
                        key = unescapedKey;
                    }
                    field = detail::chatField(key);
                }
                if (!take(':'))
                    return false;
                if (!(field ? value(*field, seen) : skipValue(MessageDepth)))
                    return false;
                if (take(','))
                    continue;
                if (take('}'))
                    break;
                return false;
            }
        }
        // With connection state recovery the server appends the offset, a string (wire
        // reference, 4); anything after it is checked and ignored, as before.
        for (std::size_t index = 2; take(','); ++index) {
            if (index == 2 && next() == '"') {
                std::string_view offset;
                if (!text(offset, OffsetSlot))
                    return false;
                m_out.offset = offset;
            } else if (!skipValue(1)) {
                return false;
            }
        }
        if (!take(']'))
            return false;
        skipWs();
        if (m_p != m_end || detail::missingChatField(seen))
            return false;
        if (!(seen & detail::FieldUserName))
            m_out.userName = m_out.userId;
        return true;
    }

private:
    // The root array is one container, the message object inside it a second.
    static constexpr std::size_t MessageDepth = 2;
    static constexpr int OffsetSlot = 9;

    static bool isDigit(char c) { return c >= '0' && c <= '9'; }

    char peek() const { return m_p != m_end ? *m_p : '\0'; }

    void skipWs()
    {
        // Frames are written compactly: one comparison decides in the usual case, and a bit test
        // the rest (no chain of comparisons the compiler evaluates eagerly).
        constexpr std::uint64_t space
            = (1ULL << ' ') | (1ULL << '\n') | (1ULL << '\r') | (1ULL << '\t');
        while (m_p != m_end && static_cast<unsigned char>(*m_p) <= ' '
            && ((space >> static_cast<unsigned char>(*m_p)) & 1))
            ++m_p;
    }

    // The character at the cursor once whitespace is skipped ('\0' at the end). Frames are
    // written compactly, so one comparison usually decides and the loop does not run.
    [[gnu::always_inline]] char next()
    {
        if (m_p != m_end && static_cast<unsigned char>(*m_p) > ' ')
            return *m_p;
        skipWs();
        return peek();
    }

    [[gnu::always_inline]] bool take(char c)
    {
        if (next() != c)
            return false;
        ++m_p;
        return true;
    }

    bool skipValue(std::size_t depth)
    {
        const auto length
            = detail::skipJsonValue(std::string_view(m_p, std::size_t(m_end - m_p)), depth);
        if (!length)
            return false;
        m_p += *length;
        return true;
    }

    // A string's text between its quotes, still escaped, once it is known to be valid (a null
    // view when it is not); m_escaped says whether it needs unescaping. Without escapes (nearly
    // always) the first stop is the closing quote; anything else goes through the shared
    // scanner, which checks escapes. Returned by value, in registers: a view written through a
    // reference and read back at once stalls store forwarding (measured: most of this
    // decoder's time).
    [[gnu::always_inline]] std::string_view rawString()
    {
        if (next() != '"')
            return {};
        const char *begin = m_p + 1;
        const char *stop = detail::findStringStop(begin, m_end);
        m_escaped = stop == m_end || *stop != '"';
        if (!m_escaped) {
            m_p = stop + 1;
            return std::string_view(begin, std::size_t(stop - begin));
        }
        if (!skipValue(0))
            return {};
        return std::string_view(begin, std::size_t(m_p - 1 - begin));
    }

    // The key at the cursor when it is one of the contract's, written plainly (nearly always):
    // those have no characters a string must escape, so the text `"key"` is the whole key.
    [[gnu::always_inline]] const detail::ChatFieldSpec *knownKey()
    {
        // Eight bytes after the opening quote hold the whole of most keys with their closing
        // quote: one masked compare per key of the contract rules it in or out.
        if (next() != '"' || m_end - m_p < 1 + 8)
            return nullptr;
        const char *key = m_p + 1;
        std::uint64_t word;
        std::memcpy(&word, key, 8);
        const auto left = std::size_t(m_end - key);
        // A server writes the keys in the same order in every message: the one after the last
        // match is tried first.
        constexpr std::size_t count = KeyPatterns.size();
        for (std::size_t probe = 0; probe < count; ++probe) {
            std::size_t i = m_nextKey + probe;
            if (i >= count)
                i -= count;
            const KeyPattern &pattern = KeyPatterns[i];
            if ((word & pattern.mask) != pattern.head || left <= pattern.quote)
                continue;
            // Longer keys: the bytes past the first eight, then the closing quote.
            const std::string_view name = detail::ChatFields[i].key;
            bool same = key[pattern.quote] == '"';
            for (std::size_t at = 8; same && at < name.size(); ++at)
                same = key[at] == name[at];
            if (!same)
                continue;
            m_p = key + pattern.quote + 1;
            m_nextKey = i + 1 < count ? i + 1 : 0;
            return &detail::ChatFields[i];
        }
        return nullptr;
    }

    // A string value at the cursor, unescaped into storage slot `slot` only if it has escapes.
    [[gnu::always_inline]] bool text(std::string_view &out, int slot)
    {
        const std::string_view raw = rawString();
        if (!raw.data())
            return false;
        if (!m_escaped) {
            out = raw;
            return true;
        }
        std::string &storage = m_out.unescaped[slot];
        if (!detail::unescapeJsonString(raw, storage))
            return false;
        out = storage;
        return true;
    }

    // What simdjson's get_int64() accepts: a JSON integer (no fraction, no exponent) that fits.
    // Whatever follows it is left to the caller's next token, as the scanner would.
    [[gnu::always_inline]] bool integer(std::int64_t &out)
    {
        const char *p = m_p;
        const bool negative = p != m_end && *p == '-';
        if (negative)
            ++p;
        if (p == m_end || !isDigit(*p) || (*p == '0' && p + 1 != m_end && isDigit(p[1])))
            return false; // not a number, or a leading zero
        constexpr auto limit = std::uint64_t(std::numeric_limits<std::int64_t>::max());
        std::uint64_t value = 0;
        // Constants, not a division per digit: value * 10 + 9 cannot wrap while value is at
        // most (limit + 1) / 10, and a value past limit + 1 can only grow.
        for (; p != m_end && isDigit(*p); ++p) {
            if (value > (limit + 1) / 10)
                return false;
            value = value * 10 + std::uint64_t(*p - '0');
            if (value > limit + 1)
                return false;
        }
        if (value > limit + (negative ? 1 : 0))
            return false;
        if (p != m_end && (*p == '.' || *p == 'e' || *p == 'E'))
            return false; // a fraction or an exponent: not an integer
        out = negative ? std::int64_t(0 - value) : std::int64_t(value);
        m_p = p;
        return true;
    }

    // `true` or `false`; whatever follows is left to the caller's next token, as the scanner
    // would.
    bool boolean(bool &out)
    {
        const auto left = std::size_t(m_end - m_p);
        if (left >= 4 && std::memcmp(m_p, "true", 4) == 0) {
            out = true;
            m_p += 4;
            return true;
        }
        if (left >= 5 && std::memcmp(m_p, "false", 5) == 0) {
            out = false;
            m_p += 5;
            return true;
        }
        return false;
    }

    [[gnu::always_inline]] bool value(const detail::ChatFieldSpec &field, unsigned &seen)
    {
        const char first = next();
        switch (field.kind) {
        case detail::ChatValue::Text:
            break;
        case detail::ChatValue::Seq:
        case detail::ChatValue::Rev:
            if (!integer(field.kind == detail::ChatValue::Seq ? m_out.seq : m_out.rev))
                return false;
            seen |= field.bit;
            return true;
        case detail::ChatValue::Deleted:
            return boolean(m_out.deleted);
        case detail::ChatValue::Reactions:
        case detail::ChatValue::ReplyTo:
        case detail::ChatValue::Mentions: {
            // `{}`, `null` and `[]` nearly always; content is rare enough for a small tree.
            const char *begin = m_p;
            if (!skipValue(MessageDepth))
                return false;
            std::string why;
            return detail::decodeExtraText(
                field.kind, std::string_view(begin, std::size_t(m_p - begin)), m_out.extras, why);
        }
        }
        std::string_view &target = m_out.*detail::MessageNewViewTexts[field.text];
        if (first == 'n' && field.optional) {
            if (!skipValue(MessageDepth))
                return false;
            target = {};
            seen &= ~field.bit; // a later null undoes an earlier value
            return true;
        }
        if (first != '"' || !text(target, field.text))
            return false;
        seen |= field.bit;
        return true;
    }

    const char *m_p;
    const char *m_end;
    MessageNewView &m_out;
    bool m_escaped = false; //!< of the last rawString()
    std::size_t m_nextKey = 0; //!< where knownKey() starts looking
};

} // namespace

bool decodeMessageNewText(std::string_view packet, MessageNewView &out, bool knownUtf8) noexcept
{
    if (packet.size() < 2 || packet[0] != '0' + int(PacketType::Event) || packet[1] != '[')
        return false;
    const std::string_view json = packet.substr(1);
    // Strings are handed out as they are, so they must be valid UTF-8 first, as both full
    // parsers require.
    if (!knownUtf8 && !detail::isValidUtf8(json))
        return false;
    try {
        return MessageNewText(json, out).run();
    } catch (const std::exception &) {
        return false; // out of memory: the Decoder reports it
    }
}

std::optional<MessageNew> decodeMessageNewText(std::string_view packet) noexcept
{
    try {
        MessageNewView view;
        if (!decodeMessageNewText(packet, view))
            return std::nullopt;
        return view.toMessageNew();
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

MessageNew MessageNewView::toMessageNew() const
{
    MessageNew result;
    for (std::size_t i = 0; i < std::size(detail::ChatMessageTexts); ++i)
        result.message.*detail::ChatMessageTexts[i] = this->*detail::MessageNewViewTexts[i];
    result.message.seq = seq;
    result.message.rev = rev;
    result.message.deleted = deleted;
    result.message.extras = extras;
    if (offset)
        result.offset = std::string(*offset);
    return result;
}

} // namespace Palaver::Protocol
