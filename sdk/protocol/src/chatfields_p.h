// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/chat.h>

#include <string>
#include <string_view>

namespace Palaver::Protocol::detail {

//! The fields of a ChatMessage as bits, so that a missing required one is found without a
//! second pass over the wire form.
enum ChatField : unsigned {
    FieldId = 1,
    FieldRoomId = 2,
    FieldSeq = 4,
    FieldUserId = 8,
    FieldContent = 16,
    FieldUserName = 32,
    RequiredFields = FieldId | FieldRoomId | FieldSeq | FieldUserId | FieldContent,
};

//! What kind of value a key of `Message` holds.
enum class ChatValue : unsigned char {
    Text, //!< a string (or null, when optional)
    Seq, //!< `seq`: a 64-bit integer
    Rev, //!< v1.1 `rev`: a 64-bit integer
    Deleted, //!< v1.1 `deleted`: a boolean
    Reactions, //!< v1.1 `reactions`: an object of string arrays (or null)
    ReplyTo, //!< v1.1 `replyTo`: an object or null
    Mentions, //!< v1.1 `mentions`: an array of strings (or null)
};

//! One key of PROTOCOL.md `Message`: its bit (0 for the ones nobody requires or defaults),
//! whether null clears it instead of being a type error, which text member it fills (an index
//! into the tables below, -1 for the other kinds) and the kind of its value.
struct ChatFieldSpec {
    std::string_view key;
    unsigned bit;
    bool optional;
    int text;
    ChatValue kind = ChatValue::Text;
};

// In the order the stub and every nlohmann-based server write them (sorted); the one-pass
// decoder tries them in this order first.
inline constexpr ChatFieldSpec ChatFields[] = {
    { "clientId", 0, true, 6 },
    { "content", FieldContent, false, 4 },
    { "createdAt", 0, true, 5 },
    { "deleted", 0, false, -1, ChatValue::Deleted },
    { "deletedAt", 0, true, 8 },
    { "editedAt", 0, true, 7 },
    { "id", FieldId, false, 0 },
    { "mentions", 0, true, -1, ChatValue::Mentions },
    { "reactions", 0, true, -1, ChatValue::Reactions },
    { "replyTo", 0, true, -1, ChatValue::ReplyTo },
    { "rev", 0, false, -1, ChatValue::Rev },
    { "roomId", FieldRoomId, false, 1 },
    { "seq", FieldSeq, false, -1, ChatValue::Seq },
    { "userId", FieldUserId, false, 2 },
    { "userName", FieldUserName, true, 3 },
};

inline constexpr std::string ChatMessage::*ChatMessageTexts[]
    = { &ChatMessage::id, &ChatMessage::roomId, &ChatMessage::userId, &ChatMessage::userName,
          &ChatMessage::content, &ChatMessage::createdAt, &ChatMessage::clientId,
          &ChatMessage::editedAt, &ChatMessage::deletedAt };
inline constexpr std::string_view MessageNewView::*MessageNewViewTexts[]
    = { &MessageNewView::id, &MessageNewView::roomId, &MessageNewView::userId,
          &MessageNewView::userName, &MessageNewView::content, &MessageNewView::createdAt,
          &MessageNewView::clientId, &MessageNewView::editedAt, &MessageNewView::deletedAt };

//! Decodes one v1.1 container value (kind Reactions, ReplyTo or Mentions) into `extras`.
inline bool decodeExtra(
    ChatValue kind, const nlohmann::json &value, ChatMessageExtras &extras, std::string &why)
{
    switch (kind) {
    case ChatValue::Reactions:
        return decodeReactions(value, extras.reactions, why);
    case ChatValue::ReplyTo:
        return decodeReplyTo(value, extras.replyTo, why);
    case ChatValue::Mentions:
        return decodeMentions(value, extras.mentions, why);
    default:
        return false;
    }
}

//! decodeExtra() from the text of a JSON value that is known to be well formed: the empty forms
//! (`{}` for reactions, `[]` for mentions) are taken without building a tree.
bool decodeExtraText(
    ChatValue kind, std::string_view json, ChatMessageExtras &extras, std::string &why);

//! The spec of a (unescaped) key, or nullptr for keys the contract does not define.
inline const ChatFieldSpec *chatField(std::string_view key)
{
    for (const ChatFieldSpec &field : ChatFields) {
        if (field.key == key)
            return &field;
    }
    return nullptr;
}

//! Where the value of one wire key goes: a text member, or another kind of value (no text).
//! Keys the contract does not define have no spec and are skipped.
struct ChatFieldTarget {
    std::string *text = nullptr;
    unsigned bit = 0;
    bool optional = false; //!< null clears it instead of being a type error
    ChatValue kind = ChatValue::Text;
    bool isKnown = false;

    bool known() const { return isKnown; }
};

inline ChatFieldTarget chatFieldTarget(std::string_view key, ChatMessage &m)
{
    const ChatFieldSpec *field = chatField(key);
    if (!field)
        return {};
    return { field->text < 0 ? nullptr : &(m.*ChatMessageTexts[field->text]), field->bit,
        field->optional, field->kind, true };
}

//! The name of the first required field missing from `seen`, or nullptr when none is.
inline const char *missingChatField(unsigned seen)
{
    if ((seen & RequiredFields) == RequiredFields)
        return nullptr;
    return !(seen & FieldId)    ? "id"
        : !(seen & FieldRoomId) ? "roomId"
        : !(seen & FieldSeq)    ? "seq"
        : !(seen & FieldUserId) ? "userId"
                                : "content";
}

//! What every decoder does once all fields are read: `userName` defaults to `userId`.
inline void completeChatMessage(ChatMessage &m, unsigned seen)
{
    if (!(seen & FieldUserName))
        m.userName = m.userId;
}

} // namespace Palaver::Protocol::detail
