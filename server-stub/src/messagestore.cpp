// SPDX-License-Identifier: MIT
#include "chattext_p.h"
#include "logging_p.h"
#include "messagestore_p.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>
#include <atomic>

namespace Palaver::Stub {

namespace {

std::atomic<int> s_connections { 0 };

// User-supplied text is stored as UTF-8 blobs: SQLite strips a leading U+FEFF from UTF-16 text
// (it takes it for a byte order mark), and for Palaver U+FEFF is content.
QVariant blob(const QString &text)
{
    return QVariant(text.toUtf8());
}

QString fromBlob(const QVariant &value)
{
    const QByteArray bytes = value.toByteArray();
    return Text::fromUtf8(std::string_view(bytes.constData(), std::size_t(bytes.size())));
}

StoredMessage fromRow(const QSqlQuery &q)
{
    StoredMessage m;
    m.id = q.value(0).toString();
    m.roomId = q.value(1).toString();
    m.seq = q.value(2).toLongLong();
    m.userId = fromBlob(q.value(3));
    m.userName = fromBlob(q.value(4));
    m.content = fromBlob(q.value(5));
    m.createdAt = q.value(6).toString();
    m.clientId = fromBlob(q.value(7));
    return m;
}

constexpr auto Columns = "id, room_id, seq, user_id, user_name, content, created_at, client_id";

} // namespace

nlohmann::json StoredMessage::toJson() const
{
    return { { "id", id.toStdString() }, { "roomId", roomId.toStdString() }, { "seq", seq },
        { "userId", userId.toStdString() }, { "userName", userName.toStdString() },
        { "content", content.toStdString() }, { "createdAt", createdAt.toStdString() },
        { "clientId", clientId.toStdString() } };
}

MessageStore::MessageStore(QString path)
    : m_path(std::move(path)), m_connection(QStringLiteral("palaver-stub-%1").arg(++s_connections))
{
}

MessageStore::~MessageStore()
{
    close();
}

bool MessageStore::open(QString *error)
{
    if (isOpen())
        return true;
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(m_path);
        if (!db.open()) {
            if (error)
                *error = db.lastError().text();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connection);
            return false;
        }
        QSqlQuery q(db);
        // WAL + NORMAL: a committed transaction survives a crash of the process, which is the
        // promise the ack makes; a power cut is outside what a stub promises.
        const char *const statements[] = {
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=NORMAL",
            "CREATE TABLE IF NOT EXISTS messages ("
            " room_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,"
            " user_id BLOB NOT NULL, user_name BLOB NOT NULL, content BLOB NOT NULL,"
            " created_at TEXT NOT NULL, client_id BLOB NOT NULL,"
            " PRIMARY KEY (room_id, seq))",
            "CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency ON messages (user_id, "
            "client_id)",
        };
        for (const char *sql : statements) {
            if (!q.exec(QString::fromLatin1(sql))) {
                if (error)
                    *error = q.lastError().text();
                q = QSqlQuery();
                db.close();
                db = QSqlDatabase();
                QSqlDatabase::removeDatabase(m_connection);
                return false;
            }
        }
    }
    return true;
}

void MessageStore::close()
{
    if (!QSqlDatabase::contains(m_connection))
        return;
    {
        auto db = QSqlDatabase::database(m_connection, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connection);
}

bool MessageStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection)
        && QSqlDatabase::database(m_connection, false).isOpen();
}

std::optional<StoredMessage> MessageStore::findByClientId(
    const QString &userId, const QString &clientId)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE user_id = ? AND client_id = ?")
                  .arg(QLatin1String(Columns)));
    q.addBindValue(blob(userId));
    q.addBindValue(blob(clientId));
    if (q.exec() && q.next())
        return fromRow(q);
    return std::nullopt;
}

std::optional<MessageStore::Appended> MessageStore::append(const QString &roomId,
    const QString &userId, const QString &userName, const QString &content, const QString &clientId)
{
    auto db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction()) {
        qCWarning(Log::stub) << "cannot begin a transaction:" << db.lastError().text();
        return std::nullopt;
    }
    StoredMessage m;
    m.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.roomId = roomId;
    m.userId = userId;
    m.userName = userName;
    m.content = content;
    m.createdAt = Text::timestampNow();
    m.clientId = clientId;
    bool ok = false;
    {
        QSqlQuery q(db);
        q.prepare(
            QStringLiteral("SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE room_id = ?"));
        q.addBindValue(roomId);
        if (q.exec() && q.next()) {
            m.seq = q.value(0).toLongLong();
            QSqlQuery insert(db);
            insert.prepare(
                QStringLiteral("INSERT INTO messages (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                    .arg(QLatin1String(Columns)));
            for (const QVariant &v :
                { QVariant(m.id), QVariant(m.roomId), QVariant(m.seq), blob(m.userId),
                    blob(m.userName), blob(m.content), QVariant(m.createdAt), blob(m.clientId) })
                insert.addBindValue(v);
            ok = insert.exec();
            if (!ok)
                qCWarning(Log::stub) << "cannot store a message:" << insert.lastError().text();
        }
    }
    if (!ok || !db.commit()) {
        db.rollback();
        // A unique-index conflict means the same (user, clientId) got stored meanwhile.
        if (auto earlier = findByClientId(userId, clientId))
            return Appended { std::move(*earlier), false };
        return std::nullopt;
    }
    return Appended { std::move(m), true };
}

std::optional<HistoryPage> MessageStore::page(
    const QString &roomId, std::optional<qint64> before, std::optional<qint64> after, int limit)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    const QString cols = QLatin1String(Columns);
    if (after) {
        q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE room_id = ? AND seq > ?"
                                 " ORDER BY seq ASC LIMIT ?")
                      .arg(cols));
        q.addBindValue(roomId);
        q.addBindValue(*after);
    } else if (before) {
        q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE room_id = ? AND seq < ?"
                                 " ORDER BY seq DESC LIMIT ?")
                      .arg(cols));
        q.addBindValue(roomId);
        q.addBindValue(*before);
    } else {
        q.prepare(
            QStringLiteral("SELECT %1 FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?")
                .arg(cols));
        q.addBindValue(roomId);
    }
    q.addBindValue(limit + 1);
    if (!q.exec()) {
        qCWarning(Log::stub) << "cannot read history:" << q.lastError().text();
        return std::nullopt;
    }
    HistoryPage page;
    while (q.next())
        page.messages.append(fromRow(q));
    page.hasMore = page.messages.size() > limit;
    if (page.hasMore)
        page.messages.resize(limit);
    if (!after)
        std::reverse(page.messages.begin(), page.messages.end());
    return page;
}

} // namespace Palaver::Stub
