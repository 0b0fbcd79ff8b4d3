// SPDX-License-Identifier: MIT
#include "schema_p.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

namespace Palaver::Stub::Schema {

namespace {

// Schema 0 as the v1 stub created it, word for word: a v1 file is exactly this.
constexpr const char *V1[] = {
    "CREATE TABLE IF NOT EXISTS messages ("
    " room_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,"
    " user_id BLOB NOT NULL, user_name BLOB NOT NULL, content BLOB NOT NULL,"
    " created_at TEXT NOT NULL, client_id BLOB NOT NULL,"
    " PRIMARY KEY (room_id, seq))",
    "CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency ON messages (user_id, client_id)",
};

// 0 -> 1: contract v1.1. The defaults are what a v1 message is in v1.1 terms: never changed
// (rev 0), not edited, not deleted, no reactions, no reply, no mentions. JSON columns hold UTF-8.
constexpr const char *V1_1[] = {
    "ALTER TABLE messages ADD COLUMN rev INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE messages ADD COLUMN edited_at TEXT",
    "ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE messages ADD COLUMN deleted_at TEXT",
    "ALTER TABLE messages ADD COLUMN reactions BLOB NOT NULL DEFAULT '{}'",
    "ALTER TABLE messages ADD COLUMN reply_to BLOB",
    "ALTER TABLE messages ADD COLUMN mentions BLOB NOT NULL DEFAULT '[]'",
    "CREATE INDEX messages_rev ON messages (room_id, rev) WHERE rev > 0",
    "CREATE TABLE room_revs (room_id TEXT PRIMARY KEY, rev INTEGER NOT NULL)",
    "CREATE TABLE read_markers (user_id BLOB NOT NULL, room_id TEXT NOT NULL,"
    " seq INTEGER NOT NULL, PRIMARY KEY (user_id, room_id))",
    "CREATE TABLE known_users (user_id BLOB PRIMARY KEY)",
    "PRAGMA user_version = 1",
};

template<std::size_t N> bool run(QSqlQuery &q, const char *const (&statements)[N], QString *error)
{
    for (const char *sql : statements) {
        if (!q.exec(QString::fromLatin1(sql))) {
            *error = QStringLiteral("%1 (in: %2)").arg(q.lastError().text(), QLatin1String(sql));
            return false;
        }
    }
    return true;
}

} // namespace

bool migrate(QSqlDatabase &db, QString *error)
{
    QString why;
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next()) {
        *error = q.lastError().text();
        return false;
    }
    const int version = q.value(0).toInt();
    q.finish();
    if (version == Current)
        return true;
    if (version > Current) {
        *error = QStringLiteral("the database has schema %1, newer than this palaver-stub's %2")
                     .arg(version)
                     .arg(Current);
        return false;
    }
    if (!db.transaction()) {
        *error = db.lastError().text();
        return false;
    }
    bool ok = run(q, V1, &why);
    if (ok && version < 1)
        ok = run(q, V1_1, &why);
    q.finish();
    if (!ok || !db.commit()) {
        if (ok)
            why = db.lastError().text();
        db.rollback();
        *error = QStringLiteral("cannot migrate the database from schema %1: %2")
                     .arg(version)
                     .arg(why);
        return false;
    }
    return true;
}

} // namespace Palaver::Stub::Schema
