// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/message.h>

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace Palaver {

//! What an account's local store keeps beside its outbox (which has a table of its own in the
//! same file): the user, the Socket.IO recovery ids, and per room its markers, its counts and a
//! history cache of the newest messages seen. Reads are served from memory (the rooms) or from
//! one query (a page of history); writes are collected and committed in one transaction when
//! commit() is called (the rooms layer does at the end of an event-loop turn).
//!
//! The cache of a room is one contiguous range of seqs, ending at the newest message seen: the
//! rooms layer adds only the stream's messages (gap-free), a first join's page (which replaces
//! a range it does not touch) and history pages just below the range.
class LocalStore {
public:
    LocalStore();
    ~LocalStore();
    LocalStore(const LocalStore &) = delete;
    LocalStore &operator=(const LocalStore &) = delete;

    //! Opens (creating if needed) the store in the SQLite file at `path`; false, with
    //! errorString(), when it cannot be opened or is not a store (e.g. a corrupted file).
    bool open(const QString &path);
    //! Drops what was not committed.
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString path() const { return m_path; }
    QString errorString() const { return m_error; }

    //! The newest messages kept per room (older ones are dropped at commit).
    int historyLimit() const { return m_historyLimit; }
    void setHistoryLimit(int limit) { m_historyLimit = qMax(1, limit); }

    struct RoomState {
        QString id;
        QString name;
        bool isPrivate = false;
        bool kept = false; //!< kept joined (Client::joinedRooms())
        int position = 0; //!< in the kept rooms' order
        qint64 lastSeq = 0; //!< the stream's newest delivered seq
        qint64 lastRev = 0; //!< the stream's newest delivered rev
        qint64 readSeq = 0; //!< this user's read marker
        qint64 readToSend = 0; //!< a read marker not stored on the server yet
        int unread = 0;
        int mentions = 0;
        bool operator==(const RoomState &) const = default;
    };
    //! Every stored room, kept ones first in their order.
    QList<RoomState> rooms() const;
    std::optional<RoomState> room(const QString &roomId) const;
    void saveRoom(const RoomState &state);
    //! The room is no longer kept: its cache and markers go.
    void forgetRoom(const QString &roomId);

    //! Up to `limit` cached messages just below `beforeSeq` (0: the newest), oldest first.
    QList<Message> history(const QString &roomId, qint64 beforeSeq, int limit) const;
    //! How many messages the room's cache holds, and its range (0 when empty).
    int cachedCount(const QString &roomId) const;
    qint64 firstCachedSeq(const QString &roomId) const;
    qint64 lastCachedSeq(const QString &roomId) const;
    //! The stream's next message (or our own acked one): at the top of the range.
    void addMessage(const Message &message);
    //! A first join's page: it replaces the range unless it joins on to it.
    void addPage(const QString &roomId, const QList<Message> &page);
    //! A history page from the server: kept when it reaches the bottom of the range.
    void addOlder(const QString &roomId, const QList<Message> &page);
    //! A change of a message (`message:updated`): the cached row, if any, is replaced.
    void updateMessage(const Message &message);
    //! Drops the room's cache (its markers stay).
    void clearHistory(const QString &roomId);

    //! Small values of the account (user id and name, recovery ids).
    QString value(const QString &key) const { return m_values.value(key); }
    void setValue(const QString &key, const QString &value);

    bool hasChanges() const;
    //! Writes what was collected in one transaction, and trims each cache to historyLimit().
    //! False (errorString()) when the file cannot be written; what was collected is dropped.
    bool commit();

private:
    struct Range {
        qint64 first = 0;
        qint64 last = 0;
        int count = 0;
    };
    bool createTables();
    bool load();
    void put(const Message &message);
    void clearRange(const QString &roomId);
    bool fail(const QString &what, const QString &why);

    QSqlDatabase m_db;
    QString m_connectionName;
    QString m_path;
    QString m_error;
    int m_historyLimit = 5000;

    QHash<QString, RoomState> m_rooms;
    QHash<QString, Range> m_ranges;
    QHash<QString, QString> m_values;

    // Collected for the next commit.
    QHash<QString, RoomState> m_dirtyRooms;
    QList<QString> m_forgotten;
    QHash<QString, QHash<qint64, Message>> m_newMessages; //!< room -> seq -> message
    QHash<QString, QString> m_dirtyValues;
};

} // namespace Palaver
