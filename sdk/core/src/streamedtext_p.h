// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <string_view>

namespace Palaver {

//! A streamed `message:new` as the receive path has it before any Message is made, for a
//! consumer that keeps it in a form of its own (a MessageModel's row) when no one takes the
//! Message. Only the plain kind: ASCII texts read straight from the frame (no escapes), no
//! contract v1.1 state (never changed, no reply, no mentions). The views are valid while the
//! frame is being handled; the strings are shared with the receive path's.
struct StreamedText {
    QString roomId;
    QString authorId;
    QString authorName;
    qint64 seq = 0;
    qint64 createdAtMs = 0;
    std::string_view id; //!< ASCII
    std::string_view clientId; //!< ASCII, may be empty
    std::string_view content; //!< ASCII
};

} // namespace Palaver
