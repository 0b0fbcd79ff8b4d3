// SPDX-License-Identifier: MIT
#pragma once

#include "streamedtext_p.h"
#include <Palaver/message.h>

namespace Palaver {

class MessageModel;

//! The receive path's way into a MessageModel for the messages that come without a Message
//! (StreamedText: nobody but the model takes them). Not API.
struct StreamedRows {
    //! Queues `message` for this turn's merge, as MessageModel::queueIncoming() queues a
    //! Message.
    static void queue(MessageModel &model, const StreamedText &message);
    //! The Sent message of `seq`, held or still queued; an empty Message when there is none.
    static Message messageOfSeq(const MessageModel &model, qint64 seq);
};

} // namespace Palaver
