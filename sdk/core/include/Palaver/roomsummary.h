// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace Palaver {

//! One room as a room list shows it: what `session:ready` says of it (id, name, private) and
//! what this client knows locally (joined, unread count, last message).
class PALAVER_SDK_EXPORT RoomSummary {
    Q_GADGET
    Q_PROPERTY(QString id MEMBER id)
    Q_PROPERTY(QString name MEMBER name)
    Q_PROPERTY(bool isPrivate MEMBER isPrivate)
    Q_PROPERTY(bool joined MEMBER joined)
    Q_PROPERTY(int unreadCount MEMBER unreadCount)
    Q_PROPERTY(int mentionCount MEMBER mentionCount)
    Q_PROPERTY(QString lastAuthorName MEMBER lastAuthorName)
    Q_PROPERTY(QString lastMessage MEMBER lastMessage)
    Q_PROPERTY(QDateTime lastActivity MEMBER lastActivity)
    Q_PROPERTY(qint64 lastSeq MEMBER lastSeq)
    Q_PROPERTY(qint64 readSeq MEMBER readSeq)

public:
    QString id;
    QString name;
    bool isPrivate = false;
    bool joined = false; //!< this client has joined the room
    int unreadCount = 0;
    int mentionCount = 0; //!< v1.1: of the unread messages a joined room saw, those mentioning us
    QString lastAuthorName; //!< author of the newest message seen, for the preview
    QString lastMessage; //!< preview of the newest message seen: plain text, one line, shortened
    QDateTime lastActivity; //!< time of the newest message seen (UTC), invalid if none
    qint64 lastSeq = 0; //!< v1.1: the room's newest seq as `session:ready` said (0: empty/v1)
    qint64 readSeq = 0; //!< v1.1: this user's read marker (0: none, or a v1 server)

    bool operator==(const RoomSummary &) const = default;
};

} // namespace Palaver

Q_DECLARE_METATYPE(Palaver::RoomSummary)
