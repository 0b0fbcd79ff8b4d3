// SPDX-License-Identifier: MIT
#include "logging_p.h"
#include "outbox_p.h"

#include <QSqlError>
#include <QSqlQuery>

namespace Palaver {

Outbox::Outbox()
    : m_connectionName(
        QStringLiteral("palaver-outbox-") + QUuid::createUuid().toString(QUuid::Id128))
{
}

Outbox::~Outbox()
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool Outbox::open(const QString &path)
{
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_entries.clear();
    m_path = path;
    // In memory, the list is the whole outbox: no database (an in-memory SQLite database costs
    // ~40 KB per Client, most of an idle Client's memory).
    m_inMemory = path.isEmpty();
    if (m_inMemory)
        return true;
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(path);
    if (!m_db.open()) {
        m_error = QStringLiteral("Cannot open the outbox database: ") + m_db.lastError().text();
        qCWarning(Log::client) << "outbox:" << m_error;
        return false;
    }
    QSqlQuery q(m_db);
    // `seq` keeps the order the app made them in; client_id is unique so a message is never
    // stored twice.
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS outbox ("
                               "seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                               "client_id TEXT NOT NULL UNIQUE,"
                               "room_id TEXT NOT NULL,"
                               "content TEXT NOT NULL,"
                               "created_at INTEGER NOT NULL)"))) {
        m_error = QStringLiteral("Cannot create the outbox table: ") + q.lastError().text();
        qCWarning(Log::client) << "outbox:" << m_error;
        m_db.close();
        return false;
    }
    return load();
}

bool Outbox::load()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral(
            "SELECT client_id, room_id, content, created_at FROM outbox ORDER BY seq"))) {
        m_error = QStringLiteral("Cannot read the outbox: ") + q.lastError().text();
        return false;
    }
    while (q.next()) {
        OutboxEntry e;
        e.clientId = QUuid::fromString(q.value(0).toString());
        e.roomId = q.value(1).toString();
        e.content = q.value(2).toString();
        e.createdAt = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong(), Qt::UTC);
        m_entries.append(e);
    }
    if (!m_entries.isEmpty())
        qCInfo(Log::client) << "outbox: resumed" << m_entries.size() << "waiting messages";
    return true;
}

bool Outbox::append(const OutboxEntry &entry)
{
    if (!isOpen()) {
        m_error = QStringLiteral("The outbox is not open");
        return false;
    }
    if (isFull()) {
        m_error = QStringLiteral("The outbox is full (%1 messages wait)").arg(m_capacity);
        return false;
    }
    if (m_inMemory) {
        // The file's UNIQUE client_id, kept the same way in memory.
        if (contains(entry.clientId)) {
            m_error = QStringLiteral("Cannot store the message: %1 is already in the outbox")
                          .arg(entry.clientId.toString(QUuid::WithoutBraces));
            return false;
        }
        m_entries.append(entry);
        return true;
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO outbox (client_id, room_id, content, created_at) "
                             "VALUES (?, ?, ?, ?)"));
    q.addBindValue(entry.clientId.toString(QUuid::WithoutBraces));
    q.addBindValue(entry.roomId);
    q.addBindValue(entry.content);
    q.addBindValue(entry.createdAt.toMSecsSinceEpoch());
    if (!q.exec()) {
        m_error = QStringLiteral("Cannot store the message: ") + q.lastError().text();
        qCWarning(Log::client) << "outbox:" << m_error;
        return false;
    }
    m_entries.append(entry);
    return true;
}

bool Outbox::remove(const QUuid &clientId)
{
    const auto it = std::find_if(m_entries.begin(), m_entries.end(),
        [&](const OutboxEntry &e) { return e.clientId == clientId; });
    if (it == m_entries.end())
        return false;
    m_entries.erase(it);
    if (m_db.isOpen()) {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("DELETE FROM outbox WHERE client_id = ?"));
        q.addBindValue(clientId.toString(QUuid::WithoutBraces));
        if (!q.exec())
            qCWarning(Log::client) << "outbox: cannot remove an entry:" << q.lastError().text();
    }
    return true;
}

bool Outbox::contains(const QUuid &clientId) const
{
    return std::any_of(m_entries.begin(), m_entries.end(),
        [&](const OutboxEntry &e) { return e.clientId == clientId; });
}

} // namespace Palaver
