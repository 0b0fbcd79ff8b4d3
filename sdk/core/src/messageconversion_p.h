// SPDX-License-Identifier: MIT
#pragma once

#include "frametext_p.h"
#include "recentstring_p.h"
#include "streamedtext_p.h"
#include "timestamp_p.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/message.h>

#include <QList>
#include <QVariant>

#include <nlohmann/json.hpp>

namespace Palaver {

//! Turns the codec's typed messages into the SDK's Message. The room and author strings repeat
//! from message to message, so they are shared with the previous message's instead of decoded
//! again; createdAt keeps its parsed date. One converter per stream of messages (the receive
//! path has one, a page of history uses a fresh one).
struct MessageConverter {
    RecentString roomId;
    RecentString authorId;
    RecentString authorName;
    TimestampParser createdAt;

    Message operator()(const Protocol::ChatMessage &message);
    //! `frame` is the text the view was read from.
    Message operator()(const Protocol::MessageNewView &message, const FrameText &frame);
    //! The plain kind of message (see StreamedText) into `out` without making a Message; false,
    //! with `out` partly set, for any other.
    bool streamed(
        const Protocol::MessageNewView &message, const FrameText &frame, StreamedText &out);

private:
    //! Either of the two forms: they name their fields alike.
    template<typename Fields> Message convert(const Fields &fields, const FrameText &text);
};

//! Sets a Message's reactions, replyTo and mentions from the codec's (when any has content).
void applyExtras(Message &message, const Protocol::ChatMessageExtras &extras);

//! A Message (Sent) from the generic form of an ack's or a page's message object; an empty
//! Message (no id) when it is not one.
Message messageFromJson(const nlohmann::json &value);
Message messageFromVariant(const QVariant &value);
//! The valid messages (id and seq > 0) of a list of message objects, in the list's order.
QList<Message> messagesFromVariant(const QVariant &list);
//! The wire form of a message, for eventReceived() listeners of `message:new`.
QVariantMap messageToVariant(const Message &message);

} // namespace Palaver
