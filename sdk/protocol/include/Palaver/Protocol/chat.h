// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>
#include <Palaver/Protocol/result.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

//! Typed values of the Palaver chat contract (PROTOCOL.md) and their fast decoders. The receive
//! path decodes `message:new` straight into these fields, without building a generic tree.
namespace Palaver::Protocol {

//! PROTOCOL.md `Message`.
struct ChatMessage {
    std::string id;
    std::string roomId;
    std::int64_t seq = 0;
    std::string userId;
    std::string userName;
    std::string content;
    std::string createdAt; //!< YYYY-MM-DDTHH:MM:SS.sssZ
    std::string clientId; //!< empty when the server omitted it

    friend bool operator==(const ChatMessage &, const ChatMessage &) = default;
};

//! The wire form of a message (PROTOCOL.md `Message`); `clientId` is left out when empty.
nlohmann::json toJson(const ChatMessage &message);
//! From a generic value (acks, history pages).
Result<ChatMessage> chatMessageFromJson(const nlohmann::json &value);

//! A decoded `message:new` event: the message and, with connection state recovery, the offset
//! the server appended (kept out of the message).
struct MessageNew {
    ChatMessage message;
    std::optional<std::string> offset;
};

//! Decodes a `message:new` EVENT packet of either parser into typed fields. Returns
//! UnexpectedEvent for any other event and InvalidPayload when the message lacks a required
//! field (id, roomId, seq, userId, content) or has one of the wrong type. Unknown fields are
//! ignored; `userName` defaults to `userId`, `clientId` and `createdAt` to empty.
Result<MessageNew> decodeMessageNew(const Packet &packet);

//! A `message:new` read in place by decodeMessageNewText(): each text field views the packet
//! text it was read from or, when it had escapes, this object's own storage. The packet text
//! must outlive it, and it is neither copied nor moved (its views could point into itself).
struct MessageNewView {
    std::string_view id;
    std::string_view roomId;
    std::int64_t seq = 0;
    std::string_view userId;
    std::string_view userName;
    std::string_view content;
    std::string_view createdAt;
    std::string_view clientId;
    std::optional<std::string_view> offset;

    MessageNewView() = default;
    MessageNewView(const MessageNewView &) = delete;
    MessageNewView &operator=(const MessageNewView &) = delete;

    //! A copy that owns its strings.
    MessageNew toMessageNew() const;

    std::string unescaped[8]; //!< storage for the fields that had escapes, and the offset
};

//! The receive path's shortcut for the event it sees most: when `packet` (the text of one
//! Socket.IO packet in the JSON parser's form, as Decoder::feedText() takes it) is a `message:new`
//! EVENT on the main namespace without an ack id, decodes it into `out` in one validating pass:
//! the same grammar, nesting limit and field rules as Decoder::feedText() followed by
//! decodeMessageNew(), without building a Packet, parsing the payload twice or copying strings
//! that need no unescaping. Returns false for every other packet and for anything it would not
//! accept exactly as that pair does (invalid JSON or UTF-8, a missing or mistyped field, escapes
//! in the event name): the caller then hands the text to its Decoder, which reports the error or
//! decodes the packet as usual. `knownUtf8` skips the UTF-8 check for a caller that guarantees
//! well-formed UTF-8 (text from a QString always is).
bool decodeMessageNewText(
    std::string_view packet, MessageNewView &out, bool knownUtf8 = false) noexcept;

//! decodeMessageNewText() into owned strings; nullopt where it returns false.
std::optional<MessageNew> decodeMessageNewText(std::string_view packet) noexcept;

} // namespace Palaver::Protocol
