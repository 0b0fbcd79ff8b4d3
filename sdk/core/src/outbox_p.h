// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QDateTime>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QUuid>

namespace Palaver {

//! One message or change on its way: stored until the server acknowledged or refused it.
struct OutboxEntry {
    //! What the entry asks the server for (contract v1.1 adds the changes).
    enum class Kind {
        Send, //!< `message:send` (with `replyTo` when set)
        Edit, //!< `message:edit` of `messageId` to `content`
        Delete, //!< `message:delete` of `messageId`
        React, //!< `message:react` of `messageId` with `emoji` and `add`
    };

    QUuid clientId; //!< the idempotency key (of a send), sent unchanged on every retry
    QString roomId;
    QString content;
    QDateTime createdAt; //!< UTC, when the app handed it over
    Kind kind = Kind::Send;
    //! The message changed, by server id, or by the clientId of a send still in the outbox
    //! (then the entry waits for that send's ack, which gives the id).
    QString messageId;
    QString emoji;
    bool add = true;
    QString replyTo; //!< a send's `replyTo` message id, empty when not a reply

    bool isChange() const { return kind != Kind::Send; }
    //! The contract v1.1 feature (of `session:ready.features`) it needs; empty for a plain send.
    QString feature() const
    {
        switch (kind) {
        case Kind::Send:
            return replyTo.isEmpty() ? QString() : QStringLiteral("reply");
        case Kind::Edit:
            return QStringLiteral("edit");
        case Kind::Delete:
            return QStringLiteral("delete");
        case Kind::React:
            return QStringLiteral("react");
        }
        return {};
    }
};

//! The persistent queue of outgoing chat messages, in the order they were made. Backed by a
//! SQLite file (or only by memory when no path is given), written before append() returns, so that
//! a message the app was told about survives a crash or a new Client on the same file. Bounded:
//! append() fails once `capacity` entries wait.
class PALAVER_SDK_EXPORT Outbox {
public:
    Outbox();
    ~Outbox();
    Outbox(const Outbox &) = delete;
    Outbox &operator=(const Outbox &) = delete;

    //! Opens (creating if needed) the database at `path`; an empty path means in memory.
    //! Loads what an earlier session left. On failure returns false and sets errorString().
    bool open(const QString &path);
    bool isOpen() const { return m_inMemory || m_db.isOpen(); }
    QString path() const { return m_path; }
    QString errorString() const { return m_error; }

    int capacity() const { return m_capacity; }
    void setCapacity(int capacity) { m_capacity = qMax(1, capacity); }

    //! Stores `entry` at the end. False when full, when not open, or on a database error (see
    //! errorString()); isFull() tells the first case apart.
    bool append(const OutboxEntry &entry);
    //! Removes the entry (acknowledged or refused). False when it was not there.
    bool remove(const QUuid &clientId);
    //! Replaces the content of a waiting entry (an edit of a message not sent yet).
    bool setContent(const QUuid &clientId, const QString &content);
    //! Changes that name `from` as their messageId name `to` from now on (a send's id became
    //! known); whether there were any.
    bool retarget(const QString &from, const QString &to);

    bool contains(const QUuid &clientId) const;
    bool isFull() const { return m_entries.size() >= m_capacity; }
    int size() const { return int(m_entries.size()); }
    //! Every waiting entry, oldest first.
    const QList<OutboxEntry> &entries() const { return m_entries; }

private:
    bool load();
    bool migrate();

    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_path;
    QString m_error;
    QList<OutboxEntry> m_entries;
    int m_capacity = 1000;
    bool m_inMemory = false;
};

} // namespace Palaver
