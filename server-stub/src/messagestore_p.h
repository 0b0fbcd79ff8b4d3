// SPDX-License-Identifier: MIT
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <nlohmann/json.hpp>

#include <optional>

namespace Palaver::Stub {

//! PROTOCOL.md `Message`, as stored.
struct StoredMessage {
    QString id;
    QString roomId;
    qint64 seq = 0;
    QString userId;
    QString userName;
    QString content;
    QString createdAt;
    QString clientId;

    nlohmann::json toJson() const;
};

struct HistoryPage {
    QList<StoredMessage> messages; //!< oldest first
    bool hasMore = false;
};

//! Messages in SQLite. Each append allocates the room's next `seq` and inserts the row in one
//! transaction, so a message that was acked is a message that was stored; `(user, clientId)` is
//! unique, which is what makes `message:send` idempotent.
class MessageStore {
public:
    explicit MessageStore(QString path);
    ~MessageStore();
    MessageStore(const MessageStore &) = delete;
    MessageStore &operator=(const MessageStore &) = delete;

    bool open(QString *error = nullptr);
    void close();
    bool isOpen() const;

    std::optional<StoredMessage> findByClientId(const QString &userId, const QString &clientId);
    struct Appended {
        StoredMessage message;
        bool fresh = true; //!< false: `(userId, clientId)` was stored before, this is that row
    };
    //! Stores a new message; nullopt on a database error.
    std::optional<Appended> append(const QString &roomId, const QString &userId,
        const QString &userName, const QString &content, const QString &clientId);
    //! Without bounds or with `before`: the newest `limit` below it; with `after`: the oldest
    //! `limit` above it. Oldest first either way.
    std::optional<HistoryPage> page(const QString &roomId, std::optional<qint64> before,
        std::optional<qint64> after, int limit);

private:
    QString m_path;
    QString m_connection;
};

} // namespace Palaver::Stub
