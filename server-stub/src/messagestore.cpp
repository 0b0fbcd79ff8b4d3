// SPDX-License-Identifier: MIT
#include "chattext_p.h"
#include "logging_p.h"
#include "messagestore_p.h"
#include "schema_p.h"

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
    // An empty QString gives a null QByteArray, which binds as NULL: a tombstone's content is "".
    const QByteArray bytes = text.toUtf8();
    return QVariant(bytes.isNull() ? QByteArray("") : bytes);
}

QString fromBlob(const QVariant &value)
{
    const QByteArray bytes = value.toByteArray();
    return Text::fromUtf8(std::string_view(bytes.constData(), std::size_t(bytes.size())));
}

std::string utf8(const QString &s)
{
    return s.toStdString();
}

QVariant jsonBlob(const nlohmann::json &value)
{
    const std::string text = value.dump();
    return QVariant(QByteArray(text.data(), qsizetype(text.size())));
}

nlohmann::json fromJsonBlob(const QVariant &value)
{
    if (value.isNull())
        return nullptr;
    const QByteArray bytes = value.toByteArray();
    return nlohmann::json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
}

// A null QVariant of the column's type: SQLite stores NULL for "never".
QVariant textOrNull(const QString &text)
{
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

QMap<QString, QStringList> reactionsFromJson(const nlohmann::json &value)
{
    QMap<QString, QStringList> out;
    if (!value.is_object())
        return out;
    for (auto it = value.begin(); it != value.end(); ++it) {
        QStringList users;
        if (it.value().is_array()) {
            for (const auto &u : it.value()) {
                if (u.is_string())
                    users.append(Text::fromJson(u));
            }
        }
        if (!users.isEmpty())
            out.insert(Text::fromUtf8(it.key()), users);
    }
    return out;
}

nlohmann::json reactionsToJson(const QMap<QString, QStringList> &reactions)
{
    nlohmann::json out = nlohmann::json::object();
    for (auto it = reactions.cbegin(); it != reactions.cend(); ++it) {
        nlohmann::json users = nlohmann::json::array();
        for (const QString &u : it.value())
            users.push_back(utf8(u));
        out[utf8(it.key())] = std::move(users);
    }
    return out;
}

nlohmann::json stringsToJson(const QStringList &list)
{
    nlohmann::json out = nlohmann::json::array();
    for (const QString &s : list)
        out.push_back(utf8(s));
    return out;
}

QStringList stringsFromJson(const nlohmann::json &value)
{
    QStringList out;
    if (value.is_array()) {
        for (const auto &s : value) {
            if (s.is_string())
                out.append(Text::fromJson(s));
        }
    }
    return out;
}

nlohmann::json timestampOrNull(const QString &stamp)
{
    return stamp.isEmpty() ? nlohmann::json(nullptr) : nlohmann::json(utf8(stamp));
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
    m.rev = q.value(8).toLongLong();
    m.editedAt = q.value(9).toString();
    m.deleted = q.value(10).toInt() != 0;
    m.deletedAt = q.value(11).toString();
    m.reactions = reactionsFromJson(fromJsonBlob(q.value(12)));
    m.replyTo = ReplySnapshot::fromJson(fromJsonBlob(q.value(13)));
    m.mentions = stringsFromJson(fromJsonBlob(q.value(14)));
    return m;
}

constexpr auto InsertColumns
    = "id, room_id, seq, user_id, user_name, content, created_at, client_id, reply_to, mentions";
constexpr auto Columns = "id, room_id, seq, user_id, user_name, content, created_at, client_id,"
                         " rev, edited_at, deleted, deleted_at, reactions, reply_to, mentions";
constexpr int ExcerptLength = 100;

} // namespace

nlohmann::json ReplySnapshot::toJson() const
{
    return { { "id", utf8(id) }, { "seq", seq }, { "userId", utf8(userId) },
        { "userName", utf8(userName) }, { "excerpt", utf8(excerpt) }, { "deleted", deleted } };
}

std::optional<ReplySnapshot> ReplySnapshot::fromJson(const nlohmann::json &value)
{
    if (!value.is_object())
        return std::nullopt;
    const auto string = [&](const char *key) {
        const auto it = value.find(key);
        return it != value.end() && it->is_string() ? Text::fromJson(*it) : QString();
    };
    ReplySnapshot r;
    r.id = string("id");
    r.seq = value.value("seq", qint64(0));
    r.userId = string("userId");
    r.userName = string("userName");
    r.excerpt = string("excerpt");
    r.deleted = value.value("deleted", false);
    return r;
}

nlohmann::json StoredMessage::toJson(bool v1_1) const
{
    nlohmann::json out = { { "id", utf8(id) }, { "roomId", utf8(roomId) }, { "seq", seq },
        { "userId", utf8(userId) }, { "userName", utf8(userName) }, { "content", utf8(content) },
        { "createdAt", utf8(createdAt) }, { "clientId", utf8(clientId) } };
    if (!v1_1)
        return out;
    out["rev"] = rev;
    out["editedAt"] = timestampOrNull(editedAt);
    out["deleted"] = deleted;
    out["deletedAt"] = timestampOrNull(deletedAt);
    out["reactions"] = reactionsToJson(reactions);
    out["replyTo"] = replyTo ? replyTo->toJson() : nlohmann::json(nullptr);
    out["mentions"] = stringsToJson(mentions);
    return out;
}

ReplySnapshot StoredMessage::snapshot() const
{
    return { id, seq, userId, userName, deleted ? QString() : Text::left(content, ExcerptLength),
        deleted };
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
        QString why;
        for (const char *sql : { "PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL" }) {
            if (!q.exec(QString::fromLatin1(sql))) {
                why = q.lastError().text();
                break;
            }
        }
        q = QSqlQuery();
        if (why.isEmpty())
            (void)Schema::migrate(db, &why);
        if (!why.isEmpty()) {
            if (error)
                *error = why;
            db.close();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(m_connection);
            return false;
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

QSqlDatabase MessageStore::database() const
{
    return QSqlDatabase::database(m_connection, false);
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

bool MessageStore::find(const QString &roomId, const QString &id, std::optional<StoredMessage> *out)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE room_id = ? AND id = ?")
                  .arg(QLatin1String(Columns)));
    q.addBindValue(roomId);
    q.addBindValue(id);
    if (!q.exec()) {
        qCWarning(Log::stub) << "cannot look a message up:" << q.lastError().text();
        return false;
    }
    *out = q.next() ? std::optional(fromRow(q)) : std::nullopt;
    return true;
}

std::optional<MessageStore::Appended> MessageStore::append(const QString &roomId,
    const QString &userId, const QString &userName, const QString &content, const QString &clientId,
    const std::optional<ReplySnapshot> &replyTo, const QStringList &mentions,
    const QString &createdAt)
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
    m.createdAt = createdAt.isEmpty() ? Text::timestampNow() : createdAt;
    m.clientId = clientId;
    m.replyTo = replyTo;
    m.mentions = mentions;
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
                QStringLiteral("INSERT INTO messages (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                    .arg(QLatin1String(InsertColumns)));
            const QVariant reply = m.replyTo ? jsonBlob(m.replyTo->toJson())
                                             : QVariant(QMetaType::fromType<QByteArray>());
            for (const QVariant &v : { QVariant(m.id), QVariant(m.roomId), QVariant(m.seq),
                     blob(m.userId), blob(m.userName), blob(m.content), QVariant(m.createdAt),
                     blob(m.clientId), reply, jsonBlob(stringsToJson(m.mentions)) })
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

std::optional<StoredMessage> MessageStore::change(StoredMessage m)
{
    auto db = QSqlDatabase::database(m_connection, false);
    if (!db.transaction()) {
        qCWarning(Log::stub) << "cannot begin a transaction:" << db.lastError().text();
        return std::nullopt;
    }
    bool ok = false;
    {
        // Plain statements rather than an upsert with RETURNING: Qt may bring an SQLite older
        // than 3.35.
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT OR IGNORE INTO room_revs (room_id, rev) VALUES (?, 0)"));
        q.addBindValue(m.roomId);
        bool bumped = q.exec();
        if (bumped) {
            q.prepare(QStringLiteral("UPDATE room_revs SET rev = rev + 1 WHERE room_id = ?"));
            q.addBindValue(m.roomId);
            bumped = q.exec();
        }
        if (bumped) {
            q.prepare(QStringLiteral("SELECT rev FROM room_revs WHERE room_id = ?"));
            q.addBindValue(m.roomId);
            bumped = q.exec();
        }
        if (bumped && q.next()) {
            m.rev = q.value(0).toLongLong();
            q.finish();
            QSqlQuery update(db);
            update.prepare(QStringLiteral(
                "UPDATE messages SET content = ?, rev = ?, edited_at = ?, deleted = ?,"
                " deleted_at = ?, reactions = ?, mentions = ? WHERE room_id = ? AND id = ?"));
            for (const QVariant &v : { blob(m.content), QVariant(m.rev), textOrNull(m.editedAt),
                     QVariant(m.deleted ? 1 : 0), textOrNull(m.deletedAt),
                     jsonBlob(reactionsToJson(m.reactions)), jsonBlob(stringsToJson(m.mentions)),
                     QVariant(m.roomId), QVariant(m.id) })
                update.addBindValue(v);
            ok = update.exec() && update.numRowsAffected() == 1;
            if (!ok)
                qCWarning(Log::stub) << "cannot store a change:" << update.lastError().text();
        } else {
            qCWarning(Log::stub) << "cannot take the next rev:" << q.lastError().text();
        }
    }
    if (!ok || !db.commit()) {
        db.rollback();
        return std::nullopt;
    }
    return m;
}

std::optional<qint64> MessageStore::roomRev(const QString &roomId)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT COALESCE(MAX(rev), 0) FROM room_revs WHERE room_id = ?"));
    q.addBindValue(roomId);
    if (q.exec() && q.next())
        return q.value(0).toLongLong();
    qCWarning(Log::stub) << "cannot read a room's rev:" << q.lastError().text();
    return std::nullopt;
}

std::optional<qint64> MessageStore::lastSeq(const QString &roomId)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT COALESCE(MAX(seq), 0) FROM messages WHERE room_id = ?"));
    q.addBindValue(roomId);
    if (q.exec() && q.next())
        return q.value(0).toLongLong();
    qCWarning(Log::stub) << "cannot read a room's last seq:" << q.lastError().text();
    return std::nullopt;
}

std::optional<HistoryPage> MessageStore::updates(const QString &roomId, qint64 afterRev, int limit)
{
    auto db = QSqlDatabase::database(m_connection, false);
    // One read transaction: the page and the counter it reports are the same snapshot.
    if (!db.transaction())
        return std::nullopt;
    std::optional<HistoryPage> out;
    {
        QSqlQuery q(db);
        q.setForwardOnly(true);
        // The literal `rev > 0` lets SQLite use the partial index messages_rev (schema.cpp).
        q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE room_id = ? AND rev > 0 AND rev > ?"
                                 " ORDER BY rev ASC LIMIT ?")
                      .arg(QLatin1String(Columns)));
        q.addBindValue(roomId);
        q.addBindValue(afterRev);
        q.addBindValue(limit + 1);
        const auto rev = roomRev(roomId);
        if (rev && q.exec()) {
            HistoryPage page;
            page.rev = *rev;
            while (q.next())
                page.messages.append(fromRow(q));
            page.hasMore = page.messages.size() > limit;
            if (page.hasMore)
                page.messages.resize(limit);
            out = std::move(page);
        } else {
            qCWarning(Log::stub) << "cannot read updates:" << q.lastError().text();
        }
    }
    db.commit();
    return out;
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
