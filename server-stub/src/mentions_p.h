// SPDX-License-Identifier: MIT
#pragma once

#include "Palaver/Stub/stubconfig.h"

#include <QSet>
#include <QString>
#include <QStringList>

namespace Palaver::Stub {

class MessageStore;
class RoomDirectory;

//! The users the server knows (contract v1.1 "Mentions"): everyone who connected at least once,
//! kept in the store's file so that a restart forgets no one, plus the configured members of
//! private rooms.
class KnownUsers {
public:
    KnownUsers(MessageStore *store, const RoomDirectory *rooms);

    void remember(const QString &userId);
    bool isKnown(const QString &userId);

private:
    MessageStore *m_store;
    const RoomDirectory *m_rooms;
    QSet<QString> m_remembered; //!< known to be in the file already
};

namespace Text {
//! The distinct ids written as `@userId` in `content`, in order of first appearance: an `@` at
//! the start or after white space, then the characters up to the next white space, one of
//! `. , ; : ! ? ( ) [ ] { } " ' < >`, or the end.
QStringList mentionCandidates(const QString &content);
} // namespace Text

//! `mentions` of a message with `content` in `room`: the candidates that may be mentioned there
//! (known users for a public room, its members for a private one).
QStringList mentions(const QString &content, const RoomConfig &room, KnownUsers &known);

} // namespace Palaver::Stub
