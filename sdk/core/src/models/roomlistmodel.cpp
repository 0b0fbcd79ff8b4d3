// SPDX-License-Identifier: MIT
#include "sortedrows_p.h"
#include <Palaver/message.h>
#include <Palaver/roomlistmodel.h>

#include <QHash>
#include <QSet>

#include <algorithm>
#include <vector>

namespace Palaver {

namespace {

bool before(const RoomSummary &a, const RoomSummary &b)
{
    if (const int c = a.name.compare(b.name, Qt::CaseInsensitive); c != 0)
        return c < 0;
    if (const int c = a.name.compare(b.name); c != 0)
        return c < 0;
    return a.id < b.id;
}

// One line, at most PreviewLength code units, never cutting a surrogate pair.
QString preview(const QString &content)
{
    QString line = content.simplified();
    if (line.size() <= RoomListModel::PreviewLength)
        return line;
    qsizetype cut = RoomListModel::PreviewLength - 1;
    if (line.at(cut).isLowSurrogate())
        --cut;
    line.truncate(cut);
    line.append(QChar(0x2026)); // …
    return line;
}

} // namespace

class RoomListModel::Private {
public:
    RoomListModel *q = nullptr;
    std::vector<RoomSummary> rows; // sorted by before()
    QHash<QString, QString> nameOf; // id -> name: the sort key, to find a row by binary search
    int totalUnread = 0;

    int rowOf(const QString &id) const
    {
        const auto it = nameOf.constFind(id);
        if (it == nameOf.cend())
            return -1;
        RoomSummary key;
        key.id = id;
        key.name = *it;
        const auto pos = std::lower_bound(rows.begin(), rows.end(), key, before);
        return pos != rows.end() && pos->id == id ? int(pos - rows.begin()) : -1;
    }

    void changed(int row, const QList<int> &roles)
    {
        if (!roles.isEmpty())
            Q_EMIT q->dataChanged(q->index(row), q->index(row), roles);
    }

    // Moves `row` to its place after its name changed; returns its new row.
    int reposition(int row)
    {
        const int dest = SortedRows::moveDestination(rows, row, before);
        if (dest < 0)
            return row;
        q->beginMoveRows({}, row, row, {}, dest);
        const int now = SortedRows::move(rows, row, dest);
        q->endMoveRows();
        return now;
    }

    void addUnread(int delta)
    {
        if (delta == 0)
            return;
        totalUnread += delta;
        Q_EMIT q->totalUnreadChanged();
    }
};

RoomListModel::RoomListModel(QObject *parent)
    : QAbstractListModel(parent), d(std::make_unique<Private>())
{
    d->q = this;
}

RoomListModel::~RoomListModel() = default;

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RoomSummary &r = d->rows[index.row()];
    switch (role) {
    case IdRole:
        return r.id;
    case NameRole:
        return r.name;
    case IsPrivateRole:
        return r.isPrivate;
    case JoinedRole:
        return r.joined;
    case UnreadCountRole:
        return r.unreadCount;
    case MentionCountRole:
        return r.mentionCount;
    case LastAuthorNameRole:
        return r.lastAuthorName;
    case LastMessageRole:
        return r.lastMessage;
    case LastActivityRole:
        return r.lastActivity;
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    static const QHash<int, QByteArray> names {
        { IdRole, "id" },
        { NameRole, "name" },
        { IsPrivateRole, "isPrivate" },
        { JoinedRole, "joined" },
        { UnreadCountRole, "unreadCount" },
        { MentionCountRole, "mentionCount" },
        { LastAuthorNameRole, "lastAuthorName" },
        { LastMessageRole, "lastMessage" },
        { LastActivityRole, "lastActivity" },
    };
    return names;
}

int RoomListModel::count() const
{
    return int(d->rows.size());
}

int RoomListModel::totalUnread() const
{
    return d->totalUnread;
}

RoomSummary RoomListModel::room(int row) const
{
    return row >= 0 && row < count() ? d->rows[row] : RoomSummary();
}

int RoomListModel::rowOf(const QString &roomId) const
{
    return d->rowOf(roomId);
}

void RoomListModel::setRooms(const QList<RoomSummary> &rooms)
{
    if (d->rows.empty()) {
        std::vector<RoomSummary> sorted;
        sorted.reserve(rooms.size());
        int unread = 0;
        for (const RoomSummary &r : rooms) {
            if (!r.id.isEmpty() && !d->nameOf.contains(r.id)) {
                d->nameOf.insert(r.id, r.name);
                sorted.push_back(r);
                sorted.back().lastMessage = preview(r.lastMessage);
                unread += r.unreadCount;
            }
        }
        if (sorted.empty())
            return;
        std::sort(sorted.begin(), sorted.end(), before);
        beginInsertRows({}, 0, int(sorted.size()) - 1);
        d->rows = std::move(sorted);
        endInsertRows();
        Q_EMIT countChanged();
        d->addUnread(unread);
        return;
    }
    QSet<QString> keep;
    for (const RoomSummary &r : rooms)
        keep.insert(r.id);
    for (int row = count() - 1; row >= 0; --row) {
        if (!keep.contains(d->rows[row].id))
            removeRoom(d->rows[row].id);
    }
    for (const RoomSummary &r : rooms) {
        const int row = d->rowOf(r.id);
        if (row < 0) {
            updateRoom(r);
            continue;
        }
        RoomSummary merged = d->rows[row];
        merged.name = r.name;
        merged.isPrivate = r.isPrivate;
        if (r.lastSeq > 0 || r.readSeq > 0) { // a v1.1 server: its counts are the truth
            merged.lastSeq = r.lastSeq;
            merged.readSeq = r.readSeq;
            if (!merged.joined)
                merged.unreadCount = r.unreadCount;
        }
        updateRoom(merged);
    }
}

int RoomListModel::updateRoom(const RoomSummary &room)
{
    if (room.id.isEmpty())
        return -1;
    RoomSummary r = room;
    r.lastMessage = preview(room.lastMessage);
    int row = d->rowOf(r.id);
    if (row < 0) {
        row = int(std::lower_bound(d->rows.begin(), d->rows.end(), r, before) - d->rows.begin());
        beginInsertRows({}, row, row);
        d->rows.insert(d->rows.begin() + row, r);
        d->nameOf.insert(r.id, r.name);
        endInsertRows();
        Q_EMIT countChanged();
        d->addUnread(r.unreadCount);
        return row;
    }
    RoomSummary &old = d->rows[row];
    QList<int> roles;
    if (old.name != r.name)
        roles << NameRole;
    if (old.isPrivate != r.isPrivate)
        roles << IsPrivateRole;
    if (old.joined != r.joined)
        roles << JoinedRole;
    if (old.unreadCount != r.unreadCount)
        roles << UnreadCountRole;
    if (old.mentionCount != r.mentionCount)
        roles << MentionCountRole;
    if (old.lastAuthorName != r.lastAuthorName)
        roles << LastAuthorNameRole;
    if (old.lastMessage != r.lastMessage)
        roles << LastMessageRole;
    if (old.lastActivity != r.lastActivity)
        roles << LastActivityRole;
    if (roles.isEmpty())
        return row;
    const int unreadDelta = r.unreadCount - old.unreadCount;
    old = r;
    d->nameOf.insert(r.id, r.name);
    d->changed(row, roles);
    if (roles.contains(NameRole))
        row = d->reposition(row);
    d->addUnread(unreadDelta);
    return row;
}

bool RoomListModel::removeRoom(const QString &id)
{
    const QString roomId = id; // `id` may be the row's own, which goes
    const int row = d->rowOf(roomId);
    if (row < 0)
        return false;
    const int unread = d->rows[row].unreadCount;
    beginRemoveRows({}, row, row);
    d->rows.erase(d->rows.begin() + row);
    d->nameOf.remove(roomId);
    endRemoveRows();
    Q_EMIT countChanged();
    d->addUnread(-unread);
    return true;
}

bool RoomListModel::setJoined(const QString &roomId, bool joined)
{
    const int row = d->rowOf(roomId);
    if (row < 0 || d->rows[row].joined == joined)
        return false;
    d->rows[row].joined = joined;
    d->changed(row, { JoinedRole });
    return true;
}

bool RoomListModel::incrementUnread(const QString &roomId, int by)
{
    const int row = d->rowOf(roomId);
    if (row < 0 || by <= 0)
        return false;
    d->rows[row].unreadCount += by;
    d->changed(row, { UnreadCountRole });
    d->addUnread(by);
    return true;
}

bool RoomListModel::setMentionCount(const QString &roomId, int count)
{
    const int row = d->rowOf(roomId);
    if (row < 0 || count < 0 || d->rows[row].mentionCount == count)
        return false;
    d->rows[row].mentionCount = count;
    d->changed(row, { MentionCountRole });
    return true;
}

bool RoomListModel::setReadSeq(const QString &roomId, qint64 readSeq)
{
    const int row = d->rowOf(roomId);
    if (row < 0 || readSeq <= d->rows[row].readSeq)
        return false;
    RoomSummary r = d->rows[row];
    r.readSeq = readSeq;
    if (!r.joined) // a joined room counts what it delivers itself
        r.unreadCount = int(std::clamp<qint64>(r.lastSeq - readSeq, 0, r.unreadCount));
    d->rows[row].readSeq = readSeq;
    updateRoom(r);
    return true;
}

bool RoomListModel::markRead(const QString &roomId)
{
    const int row = d->rowOf(roomId);
    if (row < 0 || d->rows[row].unreadCount == 0)
        return false;
    const int unread = std::exchange(d->rows[row].unreadCount, 0);
    d->changed(row, { UnreadCountRole });
    d->addUnread(-unread);
    return true;
}

bool RoomListModel::setLastMessage(const Message &message)
{
    const int row = d->rowOf(message.roomId);
    if (row < 0)
        return false;
    RoomSummary &r = d->rows[row];
    if (r.lastActivity.isValid() && message.createdAt.isValid()
        && message.createdAt < r.lastActivity)
        return false;
    QList<int> roles;
    const QString text = preview(message.content);
    if (r.lastAuthorName != message.authorName) {
        r.lastAuthorName = message.authorName;
        roles << LastAuthorNameRole;
    }
    if (r.lastMessage != text) {
        r.lastMessage = text;
        roles << LastMessageRole;
    }
    if (r.lastActivity != message.createdAt) {
        r.lastActivity = message.createdAt;
        roles << LastActivityRole;
    }
    d->changed(row, roles);
    return true;
}

} // namespace Palaver
