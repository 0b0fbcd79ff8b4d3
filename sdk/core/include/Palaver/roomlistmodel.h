// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>
#include <Palaver/roomsummary.h>

#include <QAbstractListModel>
#include <QList>

#include <memory>

namespace Palaver {

class Message;

//! The rooms this user may join, ordered by name (case-insensitive, then by id): a stable order
//! that new messages do not shuffle (sort by `lastActivity` with a QSortFilterProxyModel if
//! wanted). The Client keeps it current: `setRooms()` from every `session:ready`, `setJoined()`
//! on join/leave, `setLastMessage()` and `incrementUnread()` on new messages; the UI calls
//! `markRead()`. Changes are incremental, `dataChanged` always names its roles.
class PALAVER_SDK_EXPORT RoomListModel : public QAbstractListModel {
    Q_OBJECT
    //! Number of rooms.
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    //! Sum of the unread counts of all rooms.
    Q_PROPERTY(int totalUnread READ totalUnread NOTIFY totalUnreadChanged)

public:
    //! The roles of a row; `roleNames()` gives each its camelCase name (in brackets).
    enum Roles {
        IdRole = Qt::UserRole + 1, //!< QString (`id`)
        NameRole, //!< QString (`name`)
        IsPrivateRole, //!< bool (`isPrivate`)
        JoinedRole, //!< bool (`joined`)
        UnreadCountRole, //!< int (`unreadCount`)
        LastAuthorNameRole, //!< QString (`lastAuthorName`): author of the newest message
        LastMessageRole, //!< QString (`lastMessage`): one-line preview of the newest message
        LastActivityRole, //!< QDateTime (`lastActivity`): time of the newest message, UTC
        MentionCountRole, //!< int (`mentionCount`): unread messages that mention this user
        LastRole, //!< not a role: proxies add theirs after it
    };
    Q_ENUM(Roles)

    //! Longest preview kept in `lastMessage`, in UTF-16 code units.
    static constexpr int PreviewLength = 200;

    explicit RoomListModel(QObject *parent = nullptr);
    ~RoomListModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const;
    int totalUnread() const;

    //! The room at `row`, or a default RoomSummary when out of range.
    Q_INVOKABLE Palaver::RoomSummary room(int row) const;
    //! Row of the room with this id, or -1 (O(log n)).
    Q_INVOKABLE int rowOf(const QString &roomId) const;

    //! The rooms of `session:ready`: rooms gone are removed, new ones inserted (into an empty
    //! model with one `beginInsertRows`), and rooms still there keep their local state (joined,
    //! unread, last message) with only name and privacy updated. Never a reset.
    void setRooms(const QList<RoomSummary> &rooms);
    //! Adds a room or replaces all its fields; returns its row.
    int updateRoom(const RoomSummary &room);
    //! Removes a room; false if it was not held.
    bool removeRoom(const QString &roomId);
    //! Whether this client has joined the room; false if not held or unchanged.
    bool setJoined(const QString &roomId, bool joined);
    //! Adds `by` unread messages to the room; false if not held.
    bool incrementUnread(const QString &roomId, int by = 1);
    //! Sets the room's count of unread messages that mention this user (the Room counts them).
    bool setMentionCount(const QString &roomId, int count);
    //! Clears the unread count of the room; false if not held or already 0.
    Q_INVOKABLE bool markRead(const QString &roomId);
    //! The user's read marker of the room moved (contract v1.1, from another device): a room
    //! not joined here shows `lastSeq - readSeq` unread (never more than before).
    bool setReadSeq(const QString &roomId, qint64 readSeq);
    //! Shows `message` as the room's newest (preview and activity time) unless a newer one is
    //! already shown (older history does not replace it); false if not held or older.
    bool setLastMessage(const Message &message);

Q_SIGNALS:
    void countChanged();
    void totalUnreadChanged();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver
