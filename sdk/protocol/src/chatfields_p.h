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

//! One key of PROTOCOL.md `Message`: its bit (0 for the ones nobody requires or defaults),
//! whether null clears it instead of being a type error, and which text member it fills (an
//! index into the tables below), or -1 for `seq`.
struct ChatFieldSpec {
    std::string_view key;
    unsigned bit;
    bool optional;
    int text;
};

// In the order the stub and every nlohmann-based server write them (sorted); the one-pass
// decoder tries them in this order first.
inline constexpr ChatFieldSpec ChatFields[] = {
    { "clientId", 0, true, 6 },
    { "content", FieldContent, false, 4 },
    { "createdAt", 0, true, 5 },
    { "id", FieldId, false, 0 },
    { "roomId", FieldRoomId, false, 1 },
    { "seq", FieldSeq, false, -1 },
    { "userId", FieldUserId, false, 2 },
    { "userName", FieldUserName, true, 3 },
};

inline constexpr std::string ChatMessage::*ChatMessageTexts[]
    = { &ChatMessage::id, &ChatMessage::roomId, &ChatMessage::userId, &ChatMessage::userName,
          &ChatMessage::content, &ChatMessage::createdAt, &ChatMessage::clientId };
inline constexpr std::string_view MessageNewView::*MessageNewViewTexts[] = { &MessageNewView::id,
    &MessageNewView::roomId, &MessageNewView::userId, &MessageNewView::userName,
    &MessageNewView::content, &MessageNewView::createdAt, &MessageNewView::clientId };

//! The spec of a (unescaped) key, or nullptr for keys the contract does not define.
inline const ChatFieldSpec *chatField(std::string_view key)
{
    for (const ChatFieldSpec &field : ChatFields) {
        if (field.key == key)
            return &field;
    }
    return nullptr;
}

//! Where the value of one wire key goes: a text member, or `seq` (no text, bit FieldSeq).
//! Keys the contract does not define have neither and are skipped.
struct ChatFieldTarget {
    std::string *text = nullptr;
    unsigned bit = 0;
    bool optional = false; //!< null clears it instead of being a type error

    bool known() const { return text || bit; }
};

inline ChatFieldTarget chatFieldTarget(std::string_view key, ChatMessage &m)
{
    const ChatFieldSpec *field = chatField(key);
    if (!field)
        return {};
    return { field->text < 0 ? nullptr : &(m.*ChatMessageTexts[field->text]), field->bit,
        field->optional };
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
