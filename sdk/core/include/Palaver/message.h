// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace Palaver {

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

    bool operator==(const Message &) const = default;
};

} // namespace Palaver

Q_DECLARE_METATYPE(Palaver::Message)
