// SPDX-License-Identifier: MIT
#include "sortedrows_p.h"
#include <Palaver/membermodel.h>

#include <QHash>
#include <QSet>

#include <algorithm>
#include <vector>

namespace Palaver {

namespace {

// Online first, then by name ignoring case, then exactly, then by id: a total order, so that
// a member's row is found by binary search.
bool before(const Member &a, const Member &b)
{
    if (a.online != b.online)
        return a.online;
    if (const int c = a.name.compare(b.name, Qt::CaseInsensitive); c != 0)
        return c < 0;
    if (const int c = a.name.compare(b.name); c != 0)
        return c < 0;
    return a.id < b.id;
}

} // namespace

class MemberModel::Private {
public:
    MemberModel *q = nullptr;
    std::vector<Member> rows; // sorted by before()
    QHash<QString, Member> byId; // the same members, to find their sort key
    int online = 0;

    int rowOf(const QString &id) const
    {
        const auto it = byId.constFind(id);
        if (it == byId.cend())
            return -1;
        const auto pos = std::lower_bound(rows.begin(), rows.end(), *it, before);
        return pos != rows.end() && pos->id == id ? int(pos - rows.begin()) : -1;
    }

    // Moves `row` to its place after its key changed.
    void reposition(int row)
    {
        const int dest = SortedRows::moveDestination(rows, row, before);
        if (dest < 0)
            return;
        q->beginMoveRows({}, row, row, {}, dest);
        SortedRows::move(rows, row, dest);
        q->endMoveRows();
    }

    void setOnlineCount(int n)
    {
        if (online == n)
            return;
        online = n;
        Q_EMIT q->onlineCountChanged();
    }
};

MemberModel::MemberModel(QObject *parent)
    : QAbstractListModel(parent), d(std::make_unique<Private>())
{
    d->q = this;
}

MemberModel::~MemberModel() = default;

int MemberModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

QVariant MemberModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Member &m = d->rows[index.row()];
    switch (role) {
    case IdRole:
        return m.id;
    case NameRole:
        return m.name;
    case OnlineRole:
        return m.online;
    default:
        return {};
    }
}

QHash<int, QByteArray> MemberModel::roleNames() const
{
    static const QHash<int, QByteArray> names {
        { IdRole, "id" },
        { NameRole, "name" },
        { OnlineRole, "online" },
    };
    return names;
}

int MemberModel::count() const
{
    return int(d->rows.size());
}

int MemberModel::onlineCount() const
{
    return d->online;
}

Member MemberModel::member(int row) const
{
    return row >= 0 && row < count() ? d->rows[row] : Member();
}

int MemberModel::rowOf(const QString &userId) const
{
    return d->rowOf(userId);
}

bool MemberModel::contains(const QString &userId) const
{
    return d->byId.contains(userId);
}

void MemberModel::setMembers(const QList<Member> &members)
{
    if (d->rows.empty()) {
        std::vector<Member> sorted;
        sorted.reserve(members.size());
        for (const Member &m : members) {
            if (!m.id.isEmpty() && !d->byId.contains(m.id)) {
                d->byId.insert(m.id, m);
                sorted.push_back(m);
            }
        }
        if (sorted.empty())
            return;
        std::sort(sorted.begin(), sorted.end(), before);
        beginInsertRows({}, 0, int(sorted.size()) - 1);
        d->rows = std::move(sorted);
        endInsertRows();
        Q_EMIT countChanged();
        d->setOnlineCount(int(std::count_if(
            d->rows.begin(), d->rows.end(), [](const Member &m) { return m.online; })));
        return;
    }
    QSet<QString> keep;
    for (const Member &m : members)
        keep.insert(m.id);
    for (int row = count() - 1; row >= 0; --row) {
        if (!keep.contains(d->rows[row].id))
            removeMember(d->rows[row].id);
    }
    for (const Member &m : members)
        upsertMember(m);
}

int MemberModel::upsertMember(const Member &member)
{
    if (member.id.isEmpty())
        return -1;
    const int row = d->rowOf(member.id);
    if (row < 0) {
        const int pos = int(
            std::lower_bound(d->rows.begin(), d->rows.end(), member, before) - d->rows.begin());
        beginInsertRows({}, pos, pos);
        d->rows.insert(d->rows.begin() + pos, member);
        d->byId.insert(member.id, member);
        endInsertRows();
        Q_EMIT countChanged();
        if (member.online)
            d->setOnlineCount(d->online + 1);
        return pos;
    }
    Member &m = d->rows[row];
    QList<int> roles;
    if (m.name != member.name)
        roles << NameRole;
    if (m.online != member.online)
        roles << OnlineRole;
    if (roles.isEmpty())
        return row;
    const bool wasOnline = m.online;
    m = member;
    d->byId.insert(member.id, member);
    Q_EMIT dataChanged(index(row), index(row), roles);
    d->reposition(row);
    if (wasOnline != member.online)
        d->setOnlineCount(d->online + (member.online ? 1 : -1));
    return d->rowOf(member.id);
}

bool MemberModel::removeMember(const QString &id)
{
    const QString userId = id; // `id` may be the row's own, which goes
    const int row = d->rowOf(userId);
    if (row < 0)
        return false;
    const bool wasOnline = d->rows[row].online;
    beginRemoveRows({}, row, row);
    d->rows.erase(d->rows.begin() + row);
    d->byId.remove(userId);
    endRemoveRows();
    Q_EMIT countChanged();
    if (wasOnline)
        d->setOnlineCount(d->online - 1);
    return true;
}

bool MemberModel::setOnline(const QString &userId, bool online)
{
    const int row = d->rowOf(userId);
    if (row < 0 || d->rows[row].online == online)
        return false;
    d->rows[row].online = online;
    d->byId[userId].online = online;
    Q_EMIT dataChanged(index(row), index(row), { OnlineRole });
    d->reposition(row);
    d->setOnlineCount(d->online + (online ? 1 : -1));
    return true;
}

void MemberModel::clear()
{
    if (d->rows.empty())
        return;
    beginRemoveRows({}, 0, count() - 1);
    d->rows.clear();
    d->byId.clear();
    endRemoveRows();
    Q_EMIT countChanged();
    d->setOnlineCount(0);
}

} // namespace Palaver
