// SPDX-License-Identifier: MIT
#pragma once

#include "outbox_p.h"
#include <Palaver/ackresult.h>
#include <Palaver/client.h>
#include <Palaver/message.h>

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QUuid>

#include <memory>
#include <optional>

namespace Palaver {

class ClientCore;

//! Sends what waits in the Outbox: each message or change (edit, delete, reaction) once its room
//! is joined in this connection, in order, again with the same clientId after a timeout or a
//! reconnect, held back for `retryAfterMs` when rate limited, until the server acknowledges or
//! refuses it for good. A change of a message still waiting to be sent waits for that send's
//! ack (which names the message's id); an edit of a send not yet on its way edits it instead.
class OutboxSender {
public:
    explicit OutboxSender(ClientCore &d);
    ~OutboxSender();

    QString path;
    int capacity = 1000;

    //! Opens the outbox if it is not open; false (and OutboxError reported) when it cannot be.
    bool ensure();
    bool reopen(const QString &path);
    //! reopen(), carrying what waits in an in-memory outbox into the file (not the entries of
    //! another file: those belong to it).
    bool moveTo(const QString &path);
    void setCapacity(int capacity);

    //! Stores a message and sends it when it can; a null QUuid when it could not be stored.
    QUuid queue(const QString &roomId, const QString &content, const QString &replyTo = {});
    //! Stores a change (kind, roomId, messageId and its fields set) and sends it when it can;
    //! a null QUuid when it could not be stored.
    QUuid queueChange(OutboxEntry change);
    //! An edit of the send `clientId` when it waits and is not on its way: its content changes
    //! instead (true). False when no such send waits or it is already on its way.
    bool editQueued(const QString &clientId, const QString &content);
    //! Whether `messageId` is the clientId of a send still in the outbox.
    bool waitsToSend(const QString &messageId) const;
    //! The stream brought one of our messages. When its send still waits for an ack (lost, or
    //! not here yet), the changes waiting for the message's id name it now, and so do the
    //! changes made from now on: one message has one name in the outbox, and its changes go in
    //! the order they were made.
    void onOwnMessage(const Message &message);
    //! The changes of `messageId` not answered yet, in the order they were made.
    QList<OutboxEntry> waitingChanges(const QString &messageId) const;
    //! The changes of the room's messages not answered yet, by message id, in their order.
    QHash<QString, QList<OutboxEntry>> waitingChangesIn(const QString &roomId) const;
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
    bool supersededByDelete(const OutboxEntry &change, const QString &code) const;
    void rememberDelete(const OutboxEntry &change);
    std::optional<OutboxEntry> entry(const QUuid &clientId) const;
    bool store(const OutboxEntry &entry);
    void scheduleTimer();

    ClientCore &d;
    std::unique_ptr<Outbox> m_outbox;
    QSet<QUuid> m_inflight;
    //! Sends that may have reached the server (dispatched in this run, or found in the file at
    //! open): their content is fixed, an edit of one must go as a change.
    QSet<QUuid> m_mayHaveSent;
    QHash<QString, qint64> m_holdUntil; //!< room -> ms since epoch (rate_limited)
    //! Sends still waiting whose message id the stream told us before their ack.
    QHash<QUuid, QString> m_idOfSend;
    //! Our recent deletes the server acknowledged: message id -> when the delete was made (a
    //! retried older change that meets the tombstone is no failure). Oldest first, bounded.
    QList<QPair<QString, QDateTime>> m_deleted;
    QTimer m_timer;
};

} // namespace Palaver
