// SPDX-License-Identifier: MIT
#include "localstore_p.h"
#include "logging_p.h"
#include "messageconversion_p.h"
#include "variantjson_p.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

namespace Palaver {

namespace {

QString bodyOf(const Message &message)
{
    return QString::fromStdString(VariantJson::toJson(QVariant(messageToVariant(message))).dump());
}

Message messageOfBody(const QString &body)
{
    const auto json = nlohmann::json::parse(body.toStdString(), nullptr, false);
    return json.is_discarded() ? Message() : messageFromJson(json);
}

} // namespace

LocalStore::LocalStore()
    : m_connectionName(
        QStringLiteral("palaver-store-") + QUuid::createUuid().toString(QUuid::Id128))
{
}

LocalStore::~LocalStore()
{
    close();
}

bool LocalStore::fail(const QString &what, const QString &why)
{
    m_error = what + QStringLiteral(": ") + why;
    qCWarning(Log::client) << "store:" << m_error;
    return false;
}

bool LocalStore::open(const QString &path)
{
    close();
    m_path = path;
    m_error.clear();
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(path);
    if (!m_db.open()) {
        fail(QStringLiteral("Cannot open the local store"), m_db.lastError().text());
        close();
        return false;
    }
    if (!createTables() || !load()) {
        close();
        return false;
    }
    return true;
}

void LocalStore::close()
{
    m_rooms.clear();
    m_ranges.clear();
    m_values.clear();
    m_dirtyRooms.clear();
    m_forgotten.clear();
    m_newMessages.clear();
    m_dirtyValues.clear();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool LocalStore::createTables()
{
    QSqlQuery q(m_db);
    // A message is kept in its wire form: every field the contract has or gains is kept
    // without a schema change, and it is read back by the same code as a history page.
    const char *const tables[] = {
        "CREATE TABLE IF NOT EXISTS store_values (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS rooms (room_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
        "private INTEGER NOT NULL, kept INTEGER NOT NULL, position INTEGER NOT NULL, "
        "last_seq INTEGER NOT NULL, last_rev INTEGER NOT NULL, read_seq INTEGER NOT NULL, "
        "read_to_send INTEGER NOT NULL, unread INTEGER NOT NULL, mentions INTEGER NOT NULL)",
        // A rowid table: a message of 4,000 characters would spill out of a WITHOUT ROWID
        // table's pages into overflow pages of its own (measured: 4.4 KB a 1 KB message).
        "CREATE TABLE IF NOT EXISTS messages (room_id TEXT NOT NULL, seq INTEGER NOT NULL, "
        "body TEXT NOT NULL, PRIMARY KEY (room_id, seq))",
    };
    for (const char *sql : tables) {
        if (!q.exec(QString::fromLatin1(sql)))
            return fail(QStringLiteral("Cannot create the local store"), q.lastError().text());
    }
    return true;
}

bool LocalStore::load()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("SELECT key, value FROM store_values")))
        return fail(QStringLiteral("Cannot read the local store"), q.lastError().text());
    while (q.next())
        m_values.insert(q.value(0).toString(), q.value(1).toString());
    if (!q.exec(QStringLiteral("SELECT room_id, name, private, kept, position, last_seq, "
                               "last_rev, read_seq, read_to_send, unread, mentions FROM rooms")))
        return fail(QStringLiteral("Cannot read the local store"), q.lastError().text());
    while (q.next()) {
        RoomState s;
        s.id = q.value(0).toString();
        s.name = q.value(1).toString();
        s.isPrivate = q.value(2).toBool();
        s.kept = q.value(3).toBool();
        s.position = q.value(4).toInt();
        s.lastSeq = q.value(5).toLongLong();
        s.lastRev = q.value(6).toLongLong();
        s.readSeq = q.value(7).toLongLong();
        s.readToSend = q.value(8).toLongLong();
        s.unread = std::max(0, q.value(9).toInt());
        s.mentions = std::max(0, q.value(10).toInt());
        m_rooms.insert(s.id, s);
    }
    if (!q.exec(QStringLiteral(
            "SELECT room_id, MIN(seq), MAX(seq), COUNT(*) FROM messages GROUP BY room_id")))
        return fail(QStringLiteral("Cannot read the local store"), q.lastError().text());
    while (q.next()) {
        m_ranges.insert(q.value(0).toString(),
            { q.value(1).toLongLong(), q.value(2).toLongLong(), q.value(3).toInt() });
    }
    return true;
}

QList<LocalStore::RoomState> LocalStore::rooms() const
{
    QList<RoomState> out(m_rooms.cbegin(), m_rooms.cend());
    std::sort(out.begin(), out.end(), [](const RoomState &a, const RoomState &b) {
        if (a.kept != b.kept)
            return a.kept;
        return a.position != b.position ? a.position < b.position : a.id < b.id;
    });
    return out;
}

std::optional<LocalStore::RoomState> LocalStore::room(const QString &roomId) const
{
    if (const auto it = m_rooms.constFind(roomId); it != m_rooms.cend())
        return *it;
    return std::nullopt;
}

void LocalStore::saveRoom(const RoomState &state)
{
    if (!isOpen() || state.id.isEmpty())
        return;
    auto it = m_rooms.find(state.id);
    if (it != m_rooms.end() && *it == state)
        return;
    m_rooms.insert(state.id, state);
    m_dirtyRooms.insert(state.id, state); // written after a forgotten room's rows went
}

void LocalStore::forgetRoom(const QString &roomId)
{
    if (!isOpen())
        return;
    m_rooms.remove(roomId);
    m_dirtyRooms.remove(roomId);
    clearRange(roomId);
    if (!m_forgotten.contains(roomId))
        m_forgotten.append(roomId);
}

void LocalStore::clearRange(const QString &roomId)
{
    m_ranges.remove(roomId);
    m_newMessages.remove(roomId);
    // The rows already in the file go at the next commit (with a forgotten room's).
    if (!m_forgotten.contains(roomId))
        m_forgotten.append(roomId);
    if (const auto it = m_rooms.constFind(roomId); it != m_rooms.cend())
        m_dirtyRooms.insert(roomId, *it); // a forgotten room's row is written back
}

QList<Message> LocalStore::history(const QString &roomId, qint64 beforeSeq, int limit) const
{
    QList<Message> out;
    if (!isOpen() || limit <= 0)
        return out;
    // What is not committed yet is in memory; the range says which seqs exist at all.
    const Range range = m_ranges.value(roomId);
    if (range.count == 0)
        return out;
    const qint64 below = beforeSeq > 0 ? std::min(beforeSeq, range.last + 1) : range.last + 1;
    const qint64 from = std::max(range.first, below - limit);
    if (from >= below)
        return out;
    out.reserve(int(below - from));
    const auto pending = m_newMessages.value(roomId);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT seq, body FROM messages WHERE room_id = ? AND seq >= ? AND seq < ? ORDER BY seq"));
    q.addBindValue(roomId);
    q.addBindValue(from);
    q.addBindValue(below);
    if (!q.exec()) {
        qCWarning(Log::client) << "store: cannot read history:" << q.lastError().text();
        return out;
    }
    qint64 next = from;
    const auto takePending = [&](qint64 upTo) {
        for (; next < upTo; ++next) {
            if (const auto it = pending.constFind(next); it != pending.cend())
                out.append(*it);
        }
    };
    while (q.next()) {
        const qint64 seq = q.value(0).toLongLong();
        takePending(seq);
        next = seq + 1;
        if (const auto it = pending.constFind(seq); it != pending.cend()) {
            out.append(*it); // changed since it was written
            continue;
        }
        Message m = messageOfBody(q.value(1).toString());
        if (m.seq == seq && m.roomId == roomId)
            out.append(m);
        else
            qCWarning(Log::client) << "store: an unreadable cached message skipped";
    }
    takePending(below);
    return out;
}

int LocalStore::cachedCount(const QString &roomId) const
{
    return m_ranges.value(roomId).count;
}

qint64 LocalStore::firstCachedSeq(const QString &roomId) const
{
    return m_ranges.value(roomId).first;
}

qint64 LocalStore::lastCachedSeq(const QString &roomId) const
{
    return m_ranges.value(roomId).last;
}

void LocalStore::put(const Message &message)
{
    m_newMessages[message.roomId].insert(message.seq, message);
}

void LocalStore::addMessage(const Message &message)
{
    if (!isOpen() || message.seq <= 0 || message.roomId.isEmpty())
        return;
    Range &range = m_ranges[message.roomId];
    if (range.count > 0 && message.seq <= range.last) {
        if (message.seq >= range.first)
            put(message); // a newer state of a cached message
        return;
    }
    if (range.count > 0 && message.seq != range.last + 1)
        clearRange(message.roomId); // a hole: the range starts again here
    Range &fresh = m_ranges[message.roomId];
    if (fresh.count == 0)
        fresh.first = message.seq;
    fresh.last = message.seq;
    ++fresh.count;
    put(message);
}

void LocalStore::addPage(const QString &roomId, const QList<Message> &page)
{
    if (!isOpen() || page.isEmpty())
        return;
    QList<Message> valid;
    for (const Message &m : page) {
        if (m.roomId == roomId && m.seq > 0)
            valid.append(m);
    }
    if (valid.isEmpty())
        return;
    std::sort(valid.begin(), valid.end(),
        [](const Message &a, const Message &b) { return a.seq < b.seq; });
    const Range before = m_ranges.value(roomId);
    if (before.count > 0
        && (valid.first().seq > before.last + 1 || valid.last().seq < before.first - 1))
        clearRange(roomId); // not next to what is kept: a cache is one range
    Range &r = m_ranges[roomId];
    if (r.count == 0) {
        r = { valid.last().seq, valid.last().seq, 1 };
        put(valid.last());
    }
    // Each message must join on to the range: downwards from its bottom, upwards from its top.
    for (auto it = valid.crbegin(); it != valid.crend(); ++it) {
        if (it->seq >= r.first && it->seq <= r.last) {
            put(*it); // a newer state of a kept one
        } else if (it->seq == r.first - 1) {
            --r.first;
            ++r.count;
            put(*it);
        } else if (it->seq < r.first) {
            break; // a hole in the page
        }
    }
    for (const Message &m : std::as_const(valid)) {
        if (m.seq <= r.last)
            continue;
        if (m.seq != r.last + 1)
            break;
        ++r.last;
        ++r.count;
        put(m);
    }
}

void LocalStore::addOlder(const QString &roomId, const QList<Message> &page)
{
    const Range range = m_ranges.value(roomId);
    if (!isOpen() || page.isEmpty() || range.count == 0 || page.last().seq < range.first - 1)
        return; // not next to what is kept: a cache is one range
    QList<Message> below;
    for (auto it = page.crbegin(); it != page.crend(); ++it) {
        if (it->seq < range.first)
            below.prepend(*it);
    }
    addPage(roomId, below);
}

void LocalStore::updateMessage(const Message &message)
{
    const Range range = m_ranges.value(message.roomId);
    if (!isOpen() || range.count == 0 || message.seq < range.first || message.seq > range.last)
        return;
    put(message);
}

void LocalStore::clearHistory(const QString &roomId)
{
    if (isOpen() && (m_ranges.contains(roomId) || m_newMessages.contains(roomId)))
        clearRange(roomId);
}

void LocalStore::setValue(const QString &key, const QString &value)
{
    if (!isOpen() || m_values.value(key) == value)
        return;
    m_values.insert(key, value);
    m_dirtyValues.insert(key, value);
}

bool LocalStore::hasChanges() const
{
    return !m_dirtyRooms.isEmpty() || !m_forgotten.isEmpty() || !m_newMessages.isEmpty()
        || !m_dirtyValues.isEmpty();
}

bool LocalStore::commit()
{
    if (!isOpen() || !hasChanges())
        return true;
    const auto rooms = std::exchange(m_dirtyRooms, {});
    const auto forgotten = std::exchange(m_forgotten, {});
    const auto messages = std::exchange(m_newMessages, {});
    const auto values = std::exchange(m_dirtyValues, {});
    const auto failed = [this](const QSqlQuery &q) {
        fail(QStringLiteral("Cannot write the local store"), q.lastError().text());
        m_db.rollback();
        return false;
    };
    if (!m_db.transaction())
        return fail(QStringLiteral("Cannot write the local store"), m_db.lastError().text());
    QSqlQuery q(m_db);
    for (const QString &roomId : forgotten) {
        q.prepare(QStringLiteral("DELETE FROM messages WHERE room_id = ?"));
        q.addBindValue(roomId);
        if (!q.exec())
            return failed(q);
        q.prepare(QStringLiteral("DELETE FROM rooms WHERE room_id = ?"));
        q.addBindValue(roomId);
        if (!q.exec())
            return failed(q);
    }
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO rooms (room_id, name, private, kept, "
                             "position, last_seq, last_rev, read_seq, read_to_send, unread, "
                             "mentions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const RoomState &s : rooms) {
        q.addBindValue(s.id);
        q.addBindValue(s.name.isNull() ? QStringLiteral("") : s.name);
        q.addBindValue(s.isPrivate ? 1 : 0);
        q.addBindValue(s.kept ? 1 : 0);
        q.addBindValue(s.position);
        q.addBindValue(s.lastSeq);
        q.addBindValue(s.lastRev);
        q.addBindValue(s.readSeq);
        q.addBindValue(s.readToSend);
        q.addBindValue(s.unread);
        q.addBindValue(s.mentions);
        if (!q.exec())
            return failed(q);
    }
    q.prepare(
        QStringLiteral("INSERT OR REPLACE INTO messages (room_id, seq, body) VALUES (?, ?, ?)"));
    for (auto room = messages.cbegin(); room != messages.cend(); ++room) {
        for (const Message &m : *room) {
            q.addBindValue(room.key());
            q.addBindValue(m.seq);
            q.addBindValue(bodyOf(m));
            if (!q.exec())
                return failed(q);
        }
    }
    // A cache is one range: the newest historyLimit() of it stay.
    for (auto it = m_ranges.begin(); it != m_ranges.end(); ++it) {
        if (it->count <= m_historyLimit)
            continue;
        const qint64 first = it->last - m_historyLimit + 1;
        q.prepare(QStringLiteral("DELETE FROM messages WHERE room_id = ? AND seq < ?"));
        q.addBindValue(it.key());
        q.addBindValue(first);
        if (!q.exec())
            return failed(q);
        it->first = first;
        it->count = m_historyLimit;
    }
    q.prepare(QStringLiteral("INSERT OR REPLACE INTO store_values (key, value) VALUES (?, ?)"));
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        q.addBindValue(it.key());
        q.addBindValue(it.value());
        if (!q.exec())
            return failed(q);
    }
    if (!m_db.commit())
        return fail(QStringLiteral("Cannot write the local store"), m_db.lastError().text());
    return true;
}

} // namespace Palaver
