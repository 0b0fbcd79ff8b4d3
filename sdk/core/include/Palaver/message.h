// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace Palaver {

//! One reaction on a message (contract v1.1): an emoji and who chose it.
class PALAVER_SDK_EXPORT MessageReaction {
    Q_GADGET
    Q_PROPERTY(QString emoji MEMBER emoji)
    Q_PROPERTY(QStringList userIds MEMBER userIds)

public:
    QString emoji;
    QStringList userIds; //!< sorted, never empty

    bool operator==(const MessageReaction &) const = default;
};

//! What a reply answers (contract v1.1 `replyTo`): a snapshot of the original taken when the
//! reply was sent. It is not updated when the original is edited or deleted later; look the
//! original up by `id` for its current state.
class PALAVER_SDK_EXPORT MessageReply {
    Q_GADGET
    Q_PROPERTY(QString id MEMBER id)
    Q_PROPERTY(qint64 seq MEMBER seq)
    Q_PROPERTY(QString authorId MEMBER authorId)
    Q_PROPERTY(QString authorName MEMBER authorName)
    Q_PROPERTY(QString excerpt MEMBER excerpt)
    Q_PROPERTY(bool deleted MEMBER deleted)

public:
    QString id; //!< empty: the message is not a reply
    qint64 seq = 0;
    QString authorId;
    QString authorName;
    QString excerpt; //!< the first 100 code points of the original; empty if it was deleted
    bool deleted = false; //!< the original was a tombstone when the reply was sent

    bool isValid() const { return !id.isEmpty(); }
    bool operator==(const MessageReply &) const = default;
};

//! One chat message as the SDK hands it out: from the server (`message:new`, history pages,
//! acks) or composed locally and still on its way (status Pending).
class PALAVER_SDK_EXPORT Message {
    Q_GADGET
    Q_PROPERTY(QString id MEMBER id)
    Q_PROPERTY(QString roomId MEMBER roomId)
    Q_PROPERTY(qint64 seq MEMBER seq)
    Q_PROPERTY(QString authorId MEMBER authorId)
    Q_PROPERTY(QString authorName MEMBER authorName)
    Q_PROPERTY(QString content MEMBER content)
    Q_PROPERTY(QDateTime createdAt MEMBER createdAt)
    Q_PROPERTY(QString clientId MEMBER clientId)
    Q_PROPERTY(Status status MEMBER status)
    Q_PROPERTY(QString error MEMBER error)
    Q_PROPERTY(qint64 rev MEMBER rev)
    Q_PROPERTY(QDateTime editedAt MEMBER editedAt)
    Q_PROPERTY(bool edited READ isEdited)
    Q_PROPERTY(bool deleted MEMBER deleted)
    Q_PROPERTY(QDateTime deletedAt MEMBER deletedAt)
    Q_PROPERTY(QList<Palaver::MessageReaction> reactions MEMBER reactions)
    Q_PROPERTY(Palaver::MessageReply replyTo MEMBER replyTo)
    Q_PROPERTY(QStringList mentions MEMBER mentions)

public:
    //! Where a message stands. Messages from the server are always Sent.
    enum class Status {
        Pending, //!< composed here, not yet acknowledged by the server (maybe queued offline)
        Sent, //!< stored by the server: it has an id and a seq
        Failed, //!< refused by the server for a reason that retrying will not fix
    };
    Q_ENUM(Status)

    QString id; //!< server id; empty while Pending
    QString roomId;
    qint64 seq = 0; //!< position in the room, from 1, gap-free; 0 while Pending
    QString authorId;
    QString authorName;
    QString content; //!< plain text, never markup
    QDateTime createdAt; //!< UTC
    QString clientId; //!< the sender's idempotency key; may be empty for other servers' messages
    Status status = Status::Sent;
    QString error; //!< why it Failed (a server error code and message), else empty

    // Contract v1.1; from a v1 server these keep their defaults (never changed, no reactions,
    // no reply, no mentions).
    qint64 rev = 0; //!< the room's change counter at this message's last change; 0 if never
    QDateTime editedAt; //!< UTC; invalid when never edited
    bool deleted = false; //!< a tombstone: content, reactions and mentions are empty
    QDateTime deletedAt; //!< UTC; invalid unless deleted
    QList<MessageReaction> reactions; //!< in the server's order
    MessageReply replyTo; //!< invalid (no id) when not a reply
    QStringList mentions; //!< user ids written as `@userId`, in order of first appearance

    bool isEdited() const { return editedAt.isValid(); }

    bool operator==(const Message &) const = default;
};

} // namespace Palaver

Q_DECLARE_METATYPE(Palaver::MessageReaction)
Q_DECLARE_METATYPE(Palaver::MessageReply)
Q_DECLARE_METATYPE(Palaver::Message)
