// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QMap>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Palaver::Stub {

//! contract v1.1 `replyTo`: what the replied-to message was when the reply was sent.
struct ReplySnapshot {
    QString id;
    qint64 seq = 0;
    QString userId;
    QString userName;
    QString excerpt; //!< the first 100 code points of its content; "" for a tombstone
    bool deleted = false;

    nlohmann::json toJson() const;
    static std::optional<ReplySnapshot> fromJson(const nlohmann::json &value);
};

//! PROTOCOL.md `Message`, as stored, with the fields contract v1.1 adds.
struct StoredMessage {
    QString id;
    QString roomId;
    qint64 seq = 0;
    QString userId;
    QString userName;
    QString content;
    QString createdAt;
    QString clientId;
    // contract v1.1
    qint64 rev = 0; //!< the room's change counter at the last change; 0: never changed
    QString editedAt; //!< empty: never edited
    bool deleted = false;
    QString deletedAt; //!< empty: not deleted
    QMap<QString, QStringList> reactions; //!< emoji -> user ids, sorted; no empty lists
    std::optional<ReplySnapshot> replyTo;
    QStringList mentions;

    //! The wire `Message`; `v1_1` false leaves out every field contract v1.1 adds.
    nlohmann::json toJson(bool v1_1 = true) const;
    //! What a reply to this message quotes.
    ReplySnapshot snapshot() const;
};

struct HistoryPage {
    QList<StoredMessage> messages; //!< oldest first (updates: in rev order)
    bool hasMore = false;
    qint64 rev = 0; //!< updates only: the room's counter when the page was read
};

//! Messages in SQLite. Each append allocates the room's next `seq` and inserts the row in one
//! transaction, so a message that was acked is a message that was stored; `(user, clientId)` is
//! unique, which is what makes `message:send` idempotent. Each change of a message takes the
//! room's next `rev` in the same transaction that stores it.
class MessageStore {
public:
    explicit MessageStore(QString path);
    ~MessageStore();
    MessageStore(const MessageStore &) = delete;
    MessageStore &operator=(const MessageStore &) = delete;

    //! Opens the file and migrates it to the current schema (see schema_p.h).
    bool open(QString *error = nullptr);
    void close();
    bool isOpen() const;
    //! The open connection, for the stores that share the file (read markers, known users).
    QSqlDatabase database() const;

    std::optional<StoredMessage> findByClientId(const QString &userId, const QString &clientId);
    //! The message `id` of `roomId` into `out` (nullopt: there is none); false on a database error.
    bool find(const QString &roomId, const QString &id, std::optional<StoredMessage> *out);
    struct Appended {
        StoredMessage message;
        bool fresh = true; //!< false: `(userId, clientId)` was stored before, this is that row
    };
    //! Stores a new message; nullopt on a database error. `createdAt` empty: now (the demo's
    //! seeded history passes its own, in the past).
    std::optional<Appended> append(const QString &roomId, const QString &userId,
        const QString &userName, const QString &content, const QString &clientId,
        const std::optional<ReplySnapshot> &replyTo = std::nullopt,
        const QStringList &mentions = {}, const QString &createdAt = {});
    //! Stores the changed state of `message` (content, edit, deletion, reactions, mentions) under
    //! the room's next `rev`; returns it with that `rev`, nullopt on a database error.
    std::optional<StoredMessage> change(StoredMessage message);
    //! Without bounds or with `before`: the newest `limit` below it; with `after`: the oldest
    //! `limit` above it. Oldest first either way.
    std::optional<HistoryPage> page(const QString &roomId, std::optional<qint64> before,
        std::optional<qint64> after, int limit);
    //! The messages changed after `afterRev`, in `rev` order, and the room's counter.
    std::optional<HistoryPage> updates(const QString &roomId, qint64 afterRev, int limit);
    std::optional<qint64> roomRev(const QString &roomId);
    std::optional<qint64> lastSeq(const QString &roomId);

private:
    QString m_path;
    QString m_connection;
};

} // namespace Palaver::Stub
