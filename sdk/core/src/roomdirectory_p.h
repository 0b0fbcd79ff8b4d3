// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/message.h>

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QUuid>
#include <QVariantMap>

namespace Palaver {

class Client;
class Room;
class RoomListModel;

//! The rooms layer of one Client: its Room objects (created on demand), the room list, who the
//! user is, the server's limits and who is online. It listens to the Client's public signals
//! and hands each event to the room it concerns, so a Room never filters the whole stream.
class RoomDirectory : public QObject {
    Q_OBJECT

public:
    explicit RoomDirectory(Client *client);
    ~RoomDirectory() override;

    //! The Room for `roomId`, created on first use; nullptr for an invalid id.
    Room *room(const QString &roomId);
    Room *existingRoom(const QString &roomId) const;
    QList<Room *> rooms() const;
    RoomListModel *roomList() const;

    QString userId() const;
    QString userName() const;
    int maxContentLength() const;
    QStringList onlineUsers() const;
    bool isOnline(const QString &userId) const;
    //! The best display name known for a user: from member lists and messages, else the id.
    QString nameOf(const QString &userId) const;
    void rememberName(const QString &userId, const QString &name);
    //! The name and privacy `session:ready` gave a room, if it did.
    bool knownRoom(const QString &roomId, QString *name, bool *isPrivate) const;

    //! Whether onEvent() wants this server event. The Client hands those over directly, so
    //! that nothing listens to eventReceived() and message:new keeps its typed fast path.
    static bool handles(const QString &event);
    //! `user:online`/`user:offline`, `room:user-joined`/`room:user-left`, `typing`.
    void onEvent(const QString &event, const QVariantList &args);

    //! A room's row gets `unread` more unread messages and `latest` as its newest message (if
    //! newer). Rows are updated once per event-loop turn, so a burst is one change per room.
    void noteActivity(const QString &roomId, int unread, const Message *latest);
    //! Clears the room's unread count in the room list, including what is not applied yet.
    void markRead(const QString &roomId);
    //! Applies the noted activity now.
    void flushActivity();

Q_SIGNALS:
    void userChanged();
    void limitsChanged();
    void onlineUsersChanged();
    void presenceChanged(const QString &userId, bool online);

private:
    void onSessionReady(const QVariantMap &session);
    void onMessage(const Message &message);
    void onJoinAnswer(const QString &roomId, const QVariantMap &ack);
    void onJoinFailed(const QString &roomId, const QString &code, const QString &message);
    void onQueued(const QUuid &clientId, const Message &message);
    void onAcked(const QUuid &clientId, const Message &message);
    void onRefused(const QUuid &clientId, const QString &code, const QString &message);
    void onStateChanged();
    void syncJoinedFlags();
    void setOnline(const QString &userId, bool online);

    Client *m_client;
    RoomListModel *m_roomList;
    QHash<QString, Room *> m_rooms;
    QList<Room *> m_order;
    QString m_userId;
    QString m_userName;
    int m_maxContentLength = 0;
    QSet<QString> m_online;
    QHash<QString, QString> m_names; //!< user id -> display name
    QHash<QString, QPair<QString, bool>> m_sessionRooms; //!< room id -> (name, private)
    QHash<QString, QString> m_pendingRoom; //!< client id of an unacknowledged send -> room id
    QStringList m_joined; //!< the Client's joinedRooms() as last seen
    struct Activity {
        int unread = 0;
        Message latest;
    };
    QHash<QString, Activity> m_activity; //!< room id -> not yet applied to the room list
    bool m_activityScheduled = false;
    QHash<QString, qint64> m_newestSeq; //!< rooms without a Room: newest seq counted
    bool m_wasConnected = false;
};

} // namespace Palaver
