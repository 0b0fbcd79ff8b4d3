// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/member.h>
#include <Palaver/palaversdk_export.h>

#include <QAbstractListModel>
#include <QList>

#include <memory>

namespace Palaver {

//! The members of one room, online ones first, each group by name (case-insensitive, then by
//! id). A Room keeps it current: `setMembers()` from the join answer, `upsertMember()` /
//! `removeMember()` on `room:user-joined` / `room:user-left`, `setOnline()` on presence events.
//! Changes are incremental: a member whose sort key changes moves (`beginMoveRows`), and
//! `dataChanged` always names its roles.
class PALAVER_SDK_EXPORT MemberModel : public QAbstractListModel {
    Q_OBJECT
    //! Number of members.
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    //! Number of members online.
    Q_PROPERTY(int onlineCount READ onlineCount NOTIFY onlineCountChanged)

public:
    //! The roles of a row; `roleNames()` gives each its camelCase name (in brackets).
    enum Roles {
        IdRole = Qt::UserRole + 1, //!< QString (`id`): user id
        NameRole, //!< QString (`name`): display name
        OnlineRole, //!< bool (`online`)
        LastRole, //!< not a role: proxies add theirs after it
    };
    Q_ENUM(Roles)

    explicit MemberModel(QObject *parent = nullptr);
    ~MemberModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const;
    int onlineCount() const;

    //! The member at `row`, or a default Member when out of range.
    Q_INVOKABLE Palaver::Member member(int row) const;
    //! Row of the member with this user id, or -1 (O(log n)).
    Q_INVOKABLE int rowOf(const QString &userId) const;
    Q_INVOKABLE bool contains(const QString &userId) const;

    //! Replaces the member list (join answer): into an empty model with one `beginInsertRows`;
    //! otherwise by difference (members gone are removed, the others upserted), never a reset.
    void setMembers(const QList<Member> &members);
    //! Adds a member, or updates it (name, online); returns its row.
    int upsertMember(const Member &member);
    //! Removes a member; false if it was not held.
    bool removeMember(const QString &userId);
    //! Presence of a held member (`user:online` / `user:offline`); false if not held or unchanged.
    bool setOnline(const QString &userId, bool online);
    //! Drops every member (leaving the room).
    void clear();

Q_SIGNALS:
    void countChanged();
    void onlineCountChanged();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver
