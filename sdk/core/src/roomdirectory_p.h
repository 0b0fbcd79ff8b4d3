// SPDX-License-Identifier: MIT
#pragma once

#include "outbox_p.h"
#include "streamedtext_p.h"
#include <Palaver/ackresult.h>
#include <Palaver/client.h>
#include <Palaver/message.h>

#include <QFuture>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <utility>

namespace Palaver {

class ClientCore;

class Room;
class RoomListModel;
class RoomStream;

//! The rooms layer of one Client, below every consumer. It is the one owner of the kept-joined
//! rooms: their list (Client::joinedRooms()), their streams (RoomStream: join and re-join,
//! catch-up, dedup, seq order), and what the streams deliver, which it hands to every consumer
//! in turn: the Room (its timeline, unread count, Room::messageReceived), the room list, and
//! Client::messageReceived. It also keeps the Room objects (made on demand), who the user is,
//! the server's limits and who is online.
class RoomDirectory : public QObject {
    Q_OBJECT

public:
    explicit RoomDirectory(ClientCore &d);
    ~RoomDirectory() override;

    // ---- Kept-joined rooms (Client::joinRoom(), Room::join(), a send's room) ----

    //! Keeps the room joined from now on and joins it; the future finishes with the server's
    //! answer (a fresh one when the room is joined already).
    QFuture<AckResult> join(const QString &roomId);
    //! Stops keeping the room and leaves it.
    QFuture<AckResult> leave(const QString &roomId);
    //! Keeps these rooms joined (joining those that were not).
    void keepAll(const QStringList &roomIds);
    QStringList keptRooms() const;
    bool isJoinedNow(const QString &roomId) const;
    //! The server says this socket is not in the room.
    void rejoin(const QString &roomId);
    void failWaiters(AckResult::Error error, const QString &message);

    // ---- Fed by the Client's parts ----

    void onConnected();
    void onConnectionLost();
    //! A `message:new` from the server (live or replayed).
    void onMessage(const Message &message);
    //! Whether a message may come as StreamedText: no store, no listener of
    //! Client::messageReceived() (the caller checks Client::eventReceived()).
    bool takesStreamed() const;
    //! The same as onMessage() for the plain kind of message, when takesStreamed(), it is the
    //! live stream's next one, not our own, and its only consumer is a Room's model (nobody
    //! listens to Room::messageReceived()): delivered without a Message, and true; else false,
    //! and nothing changes (the caller makes the Message and calls onMessage()).
    bool onStreamedMessage(const StreamedText &message);
    void onSessionReady(const QVariantMap &session);
    //! Whether onEvent() wants this server event.
    static bool handles(const QString &event);
    //! `user:online`/`user:offline`, `room:user-joined`/`room:user-left`, `typing`, and of
    //! contract v1.1 `message:updated` and `room:read-marker`.
    void onEvent(const QString &event, const QVariantList &args);
    void onQueued(const Message &pending);
    void onAcked(const QString &clientId, const QString &roomId, const Message &message);
    void onRefused(const QString &clientId, const QString &roomId, const QString &code,
        const QString &message);
    //! The server made a change of the outbox (`message` is its ack's message).
    void onChangeAcked(const OutboxEntry &change, const Message &message);
    void onChangeRefused(const OutboxEntry &change, const QString &code, const QString &message);
    //! This user's read marker of a room moved (`room:read-marker`, a `room:read` ack).
    void onReadMarker(const QString &roomId, qint64 readSeq);

    // ---- Fed by the streams ----

    //! The stream's next message, in order: to every consumer.
    void deliver(const QString &roomId, const Message &message);
    //! The stream's next change, in rev order: to every consumer.
    void deliverUpdate(const QString &roomId, const Message &message);
    enum class Answer {
        First, //!< the first join of the stream: roomJoined()
        Again, //!< a re-join after a reconnect: roomRejoined()
        Fresh, //!< asked again while joined (a Room attached, joinRoom() once more): no signal
    };
    void joinAnswered(RoomStream *stream, const QVariantMap &ack, Answer answer);
    void joinRefused(RoomStream *stream, const QString &code, const QString &message);

    // ---- Rooms, users, the room list ----

    //! The Room for `roomId`, created on first use; nullptr for an invalid id.
    Room *room(const QString &roomId);
    QList<Room *> rooms() const;
    RoomListModel *roomList() const;
    Client *client() const;
    QString userId() const;
    QString userName() const;
    int maxContentLength() const;
    QStringList onlineUsers() const;
    QStringList features() const;
    bool supports(const QString &feature) const;
    //! Why a call needing `feature` cannot be made (the server lacks it), else empty. Before
    //! the first `session:ready` nothing is known: changes are queued, and refused then.
    QString unsupported(const QString &feature) const;
    //! unsupported(), also reported as Client::errorOccurred(Unsupported).
    QString refuseUnsupported(const QString &feature);
    //! The outbox, for the Rooms' sends and changes.
    QUuid queueSend(const QString &roomId, const QString &content, const QString &replyTo);
    QUuid queueChange(const OutboxEntry &change);
    bool editQueued(const QString &clientId, const QString &content);
    QList<OutboxEntry> waitingChanges(const QString &messageId) const;
    QHash<QString, QList<OutboxEntry>> waitingChangesIn(const QString &roomId) const;
    //! Stores the read marker on the server (`room:read`) now, or once connected.
    void sendRead(const QString &roomId, qint64 seq);
    bool isOnline(const QString &userId) const;
    //! The best display name known for a user: from member lists and messages, else the id.
    QString nameOf(const QString &userId) const;
    void rememberName(const QString &userId, const QString &name);
    QList<Message> pendingMessages() const;

    //! A room's row gets `unread` more unread messages and `latest` as its newest message (if
    //! newer). Rows are updated once per event-loop turn, so a burst is one change per room.
    void noteActivity(const QString &roomId, int unread, const Message *latest);
    //! The same for a room with a Room object: its `lastMessage` is read when the row is
    //! updated, so that a burst copies each message once (into the Room), not twice.
    void noteRoomActivity(const QString &roomId, int unread, bool newLatest);
    //! Clears the room's unread count in the room list, including what is not applied yet.
    void markRead(const QString &roomId);
    void setMentionCount(const QString &roomId, int count);
    //! Applies the noted activity now.
    void flushActivity();

    // ---- The account's local store (Client::setStoreDirectory()) ----

    //! Another account (not `user`) signs in on this Client: its kept rooms, their streams and
    //! timelines, the room list and who it was are forgotten.
    void forgetAccount(const QString &user);
    //! The store was opened: what it kept comes back (the user, the room list, the kept rooms
    //! with their markers, the recovery ids, and the timelines of Rooms already made).
    void restoreFromStore();
    //! Puts this moment's markers and counts into the store and commits it: at the end of a
    //! turn that changed something, and when the Client goes.
    void saveToStore();
    //! Up to `limit` cached messages of the room just below `beforeSeq` (0: the newest).
    QList<Message> cachedHistory(const QString &roomId, qint64 beforeSeq, int limit) const;
    //! A history page from the server, for the cache.
    void cacheOlder(const QString &roomId, const QList<Message> &page);
    //! The server's history is not the cached one: the cache and the Room's cached rows go.
    void discardCache(const QString &roomId);

Q_SIGNALS:
    void userChanged();
    void limitsChanged();
    void featuresChanged();
    void onlineUsersChanged();
    void presenceChanged(const QString &userId, bool online);

private:
    RoomStream *keep(const QString &roomId, bool *added);
    void keptChanged();
    //! Something the store keeps changed: saveToStore() at the end of this turn.
    void storeChanged();
    bool m_storeScheduled = false;
    void setOnline(const QString &userId, bool online);

    ClientCore &d;
    RoomListModel *m_roomList;
    QStringList m_kept; //!< kept joined, in join order
    QHash<QString, RoomStream *> m_streams;
    QHash<QString, Room *> m_rooms;
    QList<Room *> m_order;
    QString m_userId;
    QString m_userName;
    int m_maxContentLength = 0;
    QStringList m_features; //!< sorted, from the last `session:ready`
    bool m_sessionSeen = false;
    QHash<QString, qint64> m_readToSend; //!< room id -> the highest marker not stored yet
    void flushReads();
    QSet<QString> m_online;
    QHash<QString, QString> m_names; //!< user id -> display name
    std::pair<QString, QString> m_lastNamed; //!< the pair rememberName() stored last
    QHash<QString, QPair<QString, bool>> m_sessionRooms; //!< room id -> (name, private)
    struct Activity {
        int unread = 0;
        Message latest;
        bool roomLatest = false; //!< the Room's lastMessage is newer than what the list shows
    };
    QHash<QString, Activity> m_activity; //!< room id -> not yet applied to the room list
    bool m_activityScheduled = false;
};

//! A room id as PROTOCOL.md allows it.
bool isValidRoomId(const QString &id);

} // namespace Palaver
