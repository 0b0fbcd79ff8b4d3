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
    if (key == "id")
        return { &m.id, FieldId, false };
    if (key == "roomId")
        return { &m.roomId, FieldRoomId, false };
    if (key == "userId")
        return { &m.userId, FieldUserId, false };
    if (key == "content")
        return { &m.content, FieldContent, false };
    if (key == "userName")
        return { &m.userName, FieldUserName, true };
    if (key == "createdAt")
        return { &m.createdAt, 0, true };
    if (key == "clientId")
        return { &m.clientId, 0, true };
    if (key == "seq")
        return { nullptr, FieldSeq, false };
    return {};
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
