// SPDX-License-Identifier: MIT
#include "chatfields_p.h"
#include "json_p.h"
#include "utf8_p.h"
#include <Palaver/Protocol/chat.h>

#include <cstdint>
#include <limits>

namespace Palaver::Protocol {

namespace {

// A `message:new` event read in one pass over its text, straight into the typed fields: the
// grammar is checked by the same scanner as Decoder::feedText() (skipJsonValue()), so whatever
// this accepts the Decoder accepts too, and every field is taken as decodeMessageNew() takes it.
// Anything unusual (another event, an ack id, a namespace, escapes in the event name, a field of
// the wrong type, invalid input) is declined, and the caller's Decoder then reports or handles
// it exactly as before: this is a shortcut, never a second set of rules.
class MessageNewText {
public:
    explicit MessageNewText(std::string_view json) : m_text(json) { }

    std::optional<MessageNew> run()
    {
        std::string_view name;
        bool escaped = false;
        if (!take('[') || !rawString(name, escaped) || escaped || name != "message:new"
            || !take(',') || !take('{'))
            return std::nullopt;
        MessageNew result;
        ChatMessage &m = result.message;
        unsigned seen = 0;
        if (!take('}')) {
            std::string unescapedKey;
            for (;;) {
                std::string_view key;
                if (!rawString(key, escaped))
                    return std::nullopt;
                if (escaped) {
                    if (!detail::unescapeJsonString(key, unescapedKey))
                        return std::nullopt;
                    key = unescapedKey;
                }
                if (!take(':'))
                    return std::nullopt;
                const detail::ChatFieldTarget target = detail::chatFieldTarget(key, m);
                if (!(target.known() ? field(target, m, seen) : skipValue(MessageDepth)))
                    return std::nullopt;
                if (take(','))
                    continue;
                if (take('}'))
                    break;
                return std::nullopt;
            }
        }
        // With connection state recovery the server appends the offset, a string (wire
        // reference, 4); anything after it is checked and ignored, as before.
        for (std::size_t index = 2; take(','); ++index) {
            skipWs();
            if (index == 2 && peek() == '"') {
                std::string_view raw;
                std::string offset;
                if (!rawString(raw, escaped) || !text(raw, escaped, offset))
                    return std::nullopt;
                result.offset = std::move(offset);
            } else if (!skipValue(1)) {
                return std::nullopt;
            }
        }
        if (!take(']'))
            return std::nullopt;
        skipWs();
        if (m_at != m_text.size() || detail::missingChatField(seen))
            return std::nullopt;
        detail::completeChatMessage(m, seen);
        return result;
    }

private:
    // The root array is one container, the message object inside it a second.
    static constexpr std::size_t MessageDepth = 2;

    char peek() const { return m_at < m_text.size() ? m_text[m_at] : '\0'; }

    void skipWs()
    {
        // Frames are written compactly: one comparison decides in the usual case.
        while (m_at < m_text.size() && static_cast<unsigned char>(m_text[m_at]) <= ' '
            && (m_text[m_at] == ' ' || m_text[m_at] == '\n' || m_text[m_at] == '\r'
                || m_text[m_at] == '\t'))
            ++m_at;
    }

    bool take(char c)
    {
        skipWs();
        if (peek() != c)
            return false;
        ++m_at;
        return true;
    }

    bool skipValue(std::size_t depth)
    {
        const auto length = detail::skipJsonValue(m_text.substr(m_at), depth);
        if (!length)
            return false;
        m_at += *length;
        return true;
    }

    // A string's text between its quotes, still escaped, once it is known to be valid; `escaped`
    // says whether it needs unescaping. Without escapes (nearly always) the first stop is the
    // closing quote; anything else goes through the shared scanner, which checks escapes.
    bool rawString(std::string_view &inside, bool &escaped)
    {
        skipWs();
        if (peek() != '"')
            return false;
        const std::size_t start = m_at;
        const char *begin = m_text.data() + start + 1;
        const char *end = m_text.data() + m_text.size();
        const char *stop = detail::findStringStop(begin, end);
        escaped = stop == end || *stop != '"';
        if (escaped && !skipValue(0))
            return false;
        if (!escaped)
            m_at = std::size_t(stop - m_text.data()) + 1;
        inside = m_text.substr(start + 1, m_at - start - 2);
        return true;
    }

    static bool text(std::string_view raw, bool escaped, std::string &out)
    {
        if (!escaped) {
            out.assign(raw);
            return true;
        }
        return detail::unescapeJsonString(raw, out);
    }

    // What simdjson's get_int64() accepts: an integer without fraction or exponent that fits.
    static bool integer(std::string_view raw, std::int64_t &out)
    {
        const bool negative = !raw.empty() && raw.front() == '-';
        if (negative)
            raw.remove_prefix(1);
        if (raw.empty())
            return false;
        constexpr auto limit = std::uint64_t(std::numeric_limits<std::int64_t>::max());
        std::uint64_t value = 0;
        for (const char c : raw) {
            if (c < '0' || c > '9')
                return false;
            const auto digit = std::uint64_t(c - '0');
            if (value > (limit + 1 - digit) / 10)
                return false;
            value = value * 10 + digit;
        }
        if (value > limit + (negative ? 1 : 0))
            return false;
        out = negative ? std::int64_t(0 - value) : std::int64_t(value);
        return true;
    }

    bool field(const detail::ChatFieldTarget &target, ChatMessage &m, unsigned &seen)
    {
        skipWs();
        const char first = peek();
        if (target.bit == detail::FieldSeq) {
            const std::size_t start = m_at;
            if (first != '-' && (first < '0' || first > '9'))
                return false;
            if (!skipValue(MessageDepth) || !integer(m_text.substr(start, m_at - start), m.seq))
                return false;
            seen |= target.bit;
            return true;
        }
        if (first == 'n' && target.optional) {
            if (!skipValue(MessageDepth))
                return false;
            target.text->clear();
            seen &= ~target.bit; // a later null undoes an earlier value
            return true;
        }
        std::string_view raw;
        bool escaped = false;
        if (first != '"' || !rawString(raw, escaped) || !text(raw, escaped, *target.text))
            return false;
        seen |= target.bit;
        return true;
    }

    std::string_view m_text;
    std::size_t m_at = 0;
};

} // namespace

std::optional<MessageNew> decodeMessageNewText(std::string_view packet) noexcept
{
    if (packet.size() < 2 || packet[0] != '0' + int(PacketType::Event) || packet[1] != '[')
        return std::nullopt;
    const std::string_view json = packet.substr(1);
    // Strings are copied out as they are, so they must be valid UTF-8 first, as both full
    // parsers require; text frames always are (QWebSocket decoded them), so this is the ASCII
    // fast path almost always.
    if (!detail::isValidUtf8(json))
        return std::nullopt;
    try {
        return MessageNewText(json).run();
    } catch (const std::exception &) {
        return std::nullopt; // out of memory: the Decoder reports it
    }
}

} // namespace Palaver::Protocol
