// SPDX-License-Identifier: MIT
#pragma once

#include "outbox_p.h"
#include <Palaver/ackresult.h>
#include <Palaver/client.h>
#include <Palaver/message.h>

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QUuid>

#include <memory>

namespace Palaver {

class ClientCore;

//! Sends what waits in the Outbox: each message once its room is joined in this connection, in
//! order, again with the same clientId after a timeout or a reconnect, held back for
//! `retryAfterMs` when rate limited, until the server acknowledges or refuses it for good.
class OutboxSender {
public:
    explicit OutboxSender(ClientCore &d);
    ~OutboxSender();

    QString path;
    int capacity = 1000;

    //! Opens the outbox if it is not open; false (and OutboxError reported) when it cannot be.
    bool ensure();
    bool reopen(const QString &path);
    void setCapacity(int capacity);

    //! Stores a message and sends it when it can; a null QUuid when it could not be stored.
    QUuid queue(const QString &roomId, const QString &content);
    bool discard(const QUuid &clientId);
    QList<Message> pending() const;
    int count() const;
    //! The rooms that messages wait for, in the order of the messages.
    QStringList rooms() const;

    //! Sends what can go now (connected, its room joined, not held back).
    void flush();
    //! Every waiting message of a room the server refused to join is refused with that code.
    void refuseRoom(const QString &roomId, const QString &code, const QString &message);
    void onDisconnected();

private:
    void dispatch(const OutboxEntry &entry);
    void onAnswered(const QUuid &clientId, const QString &roomId, const AckResult &result);
    void refuse(const QUuid &clientId, const QString &code, const QString &message);
    void scheduleTimer();

    ClientCore &d;
    std::unique_ptr<Outbox> m_outbox;
    QSet<QUuid> m_inflight;
    QHash<QString, qint64> m_holdUntil; //!< room -> ms since epoch (rate_limited)
    QTimer m_timer;
};

} // namespace Palaver
