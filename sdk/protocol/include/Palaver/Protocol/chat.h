// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>
#include <Palaver/Protocol/result.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

//! Typed values of the Palaver chat contract (PROTOCOL.md) and their fast decoders. The receive
//! path decodes `message:new` straight into these fields, without building a generic tree.
namespace Palaver::Protocol {

//! Contract v1.1 `replyTo`: a snapshot of the replied-to message, taken when the reply was sent.
struct ChatReplyTo {
    std::string id;
    std::int64_t seq = 0;
    std::string userId;
    std::string userName; //!< defaults to userId
    std::string excerpt; //!< the first 100 code points of its content; "" for a tombstone
    bool deleted = false;

    friend bool operator==(const ChatReplyTo &, const ChatReplyTo &) = default;
};

//! One entry of contract v1.1 `reactions`: an emoji and the users who chose it (sorted).
struct ChatReaction {
    std::string emoji;
    std::vector<std::string> userIds;

    friend bool operator==(const ChatReaction &, const ChatReaction &) = default;
};

//! The container fields of a v1.1 `Message`. A `message:new` nearly always has none of them
//! (`{}`, `null`, `[]`), so the fast decoders fill these only when a value has content.
struct ChatMessageExtras {
    std::vector<ChatReaction> reactions; //!< in the wire object's key order
    std::optional<ChatReplyTo> replyTo;
    std::vector<std::string> mentions; //!< user ids, in order of first appearance

    bool empty() const { return reactions.empty() && !replyTo && mentions.empty(); }
    friend bool operator==(const ChatMessageExtras &, const ChatMessageExtras &) = default;
};

//! Decodes the wire values of `reactions`, `replyTo` and `mentions` (any of them may be null,
//! which counts as absent) into `out`; false with `why` set when one has the wrong shape.
bool decodeReactions(const nlohmann::json &value, std::vector<ChatReaction> &out, std::string &why);
bool decodeReplyTo(const nlohmann::json &value, std::optional<ChatReplyTo> &out, std::string &why);
bool decodeMentions(const nlohmann::json &value, std::vector<std::string> &out, std::string &why);

//! PROTOCOL.md `Message`, with the fields of contract v1.1 (all defaulted when a v1 server
//! leaves them out).
struct ChatMessage {
    std::string id;
    std::string roomId;
    std::int64_t seq = 0;
    std::string userId;
    std::string userName;
    std::string content;
    std::string createdAt; //!< YYYY-MM-DDTHH:MM:SS.sssZ
    std::string clientId; //!< empty when the server omitted it
    std::int64_t rev = 0; //!< v1.1: the room's change counter at its last change
    std::string editedAt; //!< v1.1: empty when never edited (null on the wire)
    bool deleted = false; //!< v1.1: a tombstone
    std::string deletedAt; //!< v1.1: empty unless deleted
    ChatMessageExtras extras; //!< v1.1: reactions, replyTo, mentions

    //! Whether any v1.1 field differs from what a v1 server implies.
    bool hasV11State() const
    {
        return rev != 0 || !editedAt.empty() || deleted || !deletedAt.empty() || !extras.empty();
    }

    friend bool operator==(const ChatMessage &, const ChatMessage &) = default;
};

//! The wire form of a message (PROTOCOL.md `Message`); `clientId` is left out when empty, and the
//! v1.1 fields when all of them have their defaults (the form a v1 server writes).
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
//! ignored; `userName` defaults to `userId`, `clientId` and `createdAt` to empty, the v1.1
//! fields to their v1 meaning (rev 0, not edited, not deleted, no reactions, reply or mentions).
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
    std::int64_t rev = 0;
    std::string_view editedAt;
    bool deleted = false;
    std::string_view deletedAt;
    ChatMessageExtras extras; //!< decoded only when a value is not empty
    std::optional<std::string_view> offset;

    MessageNewView() = default;
    MessageNewView(const MessageNewView &) = delete;
    MessageNewView &operator=(const MessageNewView &) = delete;

    //! A copy that owns its strings.
    MessageNew toMessageNew() const;

    std::string unescaped[10]; //!< storage for the fields that had escapes, and the offset
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
