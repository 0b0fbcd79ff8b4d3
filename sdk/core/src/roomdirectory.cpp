// SPDX-License-Identifier: MIT
#include "logging_p.h"
#include "room_p.h"
#include "roomdirectory_p.h"
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>
#include <Palaver/roomsummary.h>

#include <algorithm>
#include <utility>

namespace Palaver {

RoomDirectory::RoomDirectory(Client *client)
    : QObject(client), m_client(client), m_roomList(new RoomListModel(this))
{
    connect(client, &Client::sessionReady, this, &RoomDirectory::onSessionReady);
    connect(client, &Client::messageReceived, this, &RoomDirectory::onMessage);
    connect(client, &Client::roomJoined, this, &RoomDirectory::onJoinAnswer);
    connect(client, &Client::roomRejoined, this, &RoomDirectory::onJoinAnswer);
    connect(client, &Client::roomJoinFailed, this, &RoomDirectory::onJoinFailed);
    connect(client, &Client::messageQueued, this, &RoomDirectory::onQueued);
    connect(client, &Client::messageAcked, this, &RoomDirectory::onAcked);
    connect(client, &Client::messageRefused, this, &RoomDirectory::onRefused);
    connect(client, &Client::stateChanged, this, &RoomDirectory::onStateChanged);
    connect(client, &Client::joinedRoomsChanged, this, &RoomDirectory::syncJoinedFlags);
}

RoomDirectory::~RoomDirectory() = default;

Room *RoomDirectory::room(const QString &roomId)
{
    if (Room *existing = m_rooms.value(roomId))
        return existing;
    if (!isValidRoomId(roomId)) {
        qCWarning(Log::client) << "not a room id:" << roomId.left(80);
        return nullptr;
    }
    auto *room = new Room(m_client, roomId);
    room->setParent(this);
    Room::Private *rd = room->d.get();
    rd->directory = this;
    if (const auto it = m_sessionRooms.constFind(roomId); it != m_sessionRooms.cend()) {
        rd->setName(it->first);
        rd->setPrivate(it->second);
    }
    rd->messages->setOwnUserId(m_userId);
    m_rooms.insert(roomId, room);
    m_order.append(room);
    // Messages still in the outbox (e.g. from before the app restarted) show as Pending.
    rd->addOutboxEcho();
    // The Client keeps it joined already (joinRoom() or a message in the outbox): follow it.
    if (m_client->joinedRooms().contains(roomId))
        room->join();
    return room;
}

Room *RoomDirectory::existingRoom(const QString &roomId) const
{
    return m_rooms.value(roomId);
}

QList<Room *> RoomDirectory::rooms() const
{
    return m_order;
}

RoomListModel *RoomDirectory::roomList() const
{
    return m_roomList;
}

QString RoomDirectory::userId() const
{
    return m_userId;
}

QString RoomDirectory::userName() const
{
    return m_userName;
}

int RoomDirectory::maxContentLength() const
{
    return m_maxContentLength;
}

QStringList RoomDirectory::onlineUsers() const
{
    QStringList out(m_online.cbegin(), m_online.cend());
    out.sort();
    return out;
}

bool RoomDirectory::isOnline(const QString &userId) const
{
    return m_online.contains(userId);
}

QString RoomDirectory::nameOf(const QString &userId) const
{
    return m_names.value(userId, userId);
}

void RoomDirectory::rememberName(const QString &userId, const QString &name)
{
    if (userId.isEmpty() || name.isEmpty() || name == userId)
        return;
    // Called for every message: look before writing.
    auto it = m_names.find(userId);
    if (it == m_names.end())
        m_names.insert(userId, name);
    else if (*it != name)
        *it = name;
}

bool RoomDirectory::knownRoom(const QString &roomId, QString *name, bool *isPrivate) const
{
    const auto it = m_sessionRooms.constFind(roomId);
    if (it == m_sessionRooms.cend())
        return false;
    if (name)
        *name = it->first;
    if (isPrivate)
        *isPrivate = it->second;
    return true;
}

void RoomDirectory::onSessionReady(const QVariantMap &session)
{
    const QVariantMap user = session.value(QStringLiteral("user")).toMap();
    const QString id = user.value(QStringLiteral("id")).toString();
    QString name = user.value(QStringLiteral("name")).toString();
    if (name.isEmpty())
        name = id;
    if (id != m_userId || name != m_userName) {
        m_userId = id;
        m_userName = name;
        rememberName(id, name);
        for (Room *room : std::as_const(m_order))
            room->d->onOwnUserChanged();
        Q_EMIT userChanged();
    }

    const QVariantMap limits = session.value(QStringLiteral("limits")).toMap();
    const int maxContent = limits.value(QStringLiteral("maxContentLength")).toInt();
    if (maxContent > 0 && maxContent != m_maxContentLength) {
        m_maxContentLength = maxContent;
        Q_EMIT limitsChanged();
    }

    QList<RoomSummary> summaries;
    m_sessionRooms.clear();
    m_joined = m_client->joinedRooms();
    for (const QVariant &item : session.value(QStringLiteral("rooms")).toList()) {
        const QVariantMap map = item.toMap();
        RoomSummary s;
        s.id = map.value(QStringLiteral("id")).toString();
        if (!isValidRoomId(s.id))
            continue;
        s.name = map.value(QStringLiteral("name")).toString();
        if (s.name.isEmpty())
            s.name = s.id;
        s.isPrivate = map.value(QStringLiteral("private")).toBool();
        s.joined = m_joined.contains(s.id);
        m_sessionRooms.insert(s.id, { s.name, s.isPrivate });
        summaries.append(s);
        if (Room *room = m_rooms.value(s.id)) {
            room->d->setName(s.name);
            room->d->setPrivate(s.isPrivate);
        }
    }
    m_roomList->setRooms(summaries);
    syncJoinedFlags();

    // The snapshot replaces what we knew; presence events that follow it adjust it.
    QSet<QString> online;
    for (const QVariant &item : session.value(QStringLiteral("online")).toList())
        online.insert(item.toString());
    const QSet<QString> wentOffline = m_online - online;
    const QSet<QString> cameOnline = online - m_online;
    if (wentOffline.isEmpty() && cameOnline.isEmpty())
        return;
    m_online = online;
    for (const QString &userId : wentOffline) {
        for (Room *room : std::as_const(m_order))
            room->d->onPresence(userId, false);
        Q_EMIT presenceChanged(userId, false);
    }
    for (const QString &userId : cameOnline) {
        for (Room *room : std::as_const(m_order))
            room->d->onPresence(userId, true);
        Q_EMIT presenceChanged(userId, true);
    }
    Q_EMIT onlineUsersChanged();
}

void RoomDirectory::setOnline(const QString &userId, bool online)
{
    if (userId.isEmpty())
        return;
    const bool changed = online ? !m_online.contains(userId) : m_online.contains(userId);
    if (!changed)
        return;
    if (online)
        m_online.insert(userId);
    else
        m_online.remove(userId);
    for (Room *room : std::as_const(m_order))
        room->d->onPresence(userId, online);
    Q_EMIT presenceChanged(userId, online);
    Q_EMIT onlineUsersChanged();
}

bool RoomDirectory::handles(const QString &event)
{
    return event == QLatin1String("typing") || event == QLatin1String("user:online")
        || event == QLatin1String("user:offline") || event == QLatin1String("room:user-joined")
        || event == QLatin1String("room:user-left");
}

void RoomDirectory::onEvent(const QString &event, const QVariantList &args)
{
    if (!handles(event))
        return;
    const QVariantMap payload = args.value(0).toMap();
    const QString userId = payload.value(QStringLiteral("userId")).toString();
    if (event == QLatin1String("user:online")) {
        setOnline(userId, true);
        return;
    }
    if (event == QLatin1String("user:offline")) {
        setOnline(userId, false);
        return;
    }
    Room *room = m_rooms.value(payload.value(QStringLiteral("roomId")).toString());
    if (!room)
        return;
    if (event == QLatin1String("typing"))
        room->d->onTyping(userId, payload.value(QStringLiteral("typing")).toBool());
    else if (event == QLatin1String("room:user-joined"))
        room->d->onUserJoined(userId);
    else if (event == QLatin1String("room:user-left"))
        room->d->onUserLeft(userId);
}

void RoomDirectory::onMessage(const Message &message)
{
    if (Room *room = m_rooms.value(message.roomId)) {
        room->d->onLiveMessage(message);
        return;
    }
    // A room joined without a Room object (Client::joinRoom()): keep its row current. Without a
    // timeline, "new" means newer than the newest seen (replays and duplicates are older).
    qint64 &newest = m_newestSeq[message.roomId];
    if (message.seq <= newest)
        return;
    newest = message.seq;
    rememberName(message.authorId, message.authorName);
    noteActivity(message.roomId, message.authorId != m_userId ? 1 : 0, &message);
}

void RoomDirectory::noteActivity(const QString &roomId, int unread, const Message *latest)
{
    Activity &a = m_activity[roomId];
    a.unread += unread;
    if (latest && latest->seq > a.latest.seq)
        a.latest = *latest;
    if (m_activityScheduled)
        return;
    m_activityScheduled = true;
    QMetaObject::invokeMethod(this, &RoomDirectory::flushActivity, Qt::QueuedConnection);
}

void RoomDirectory::markRead(const QString &roomId)
{
    if (auto it = m_activity.find(roomId); it != m_activity.end())
        it->unread = 0;
    m_roomList->markRead(roomId);
}

void RoomDirectory::flushActivity()
{
    m_activityScheduled = false;
    const auto activity = std::exchange(m_activity, {});
    for (auto it = activity.cbegin(); it != activity.cend(); ++it) {
        if (it->latest.seq > 0)
            m_roomList->setLastMessage(it->latest);
        if (it->unread > 0)
            m_roomList->incrementUnread(it.key(), it->unread);
    }
}

void RoomDirectory::onJoinAnswer(const QString &roomId, const QVariantMap &ack)
{
    m_roomList->setJoined(roomId, true);
    if (Room *room = m_rooms.value(roomId))
        room->d->onJoinAnswer(ack);
}

void RoomDirectory::onJoinFailed(const QString &roomId, const QString &code, const QString &message)
{
    m_roomList->setJoined(roomId, false);
    if (Room *room = m_rooms.value(roomId))
        room->d->onJoinFailed(code, message);
}

void RoomDirectory::onQueued(const QUuid &clientId, const Message &message)
{
    m_pendingRoom.insert(clientId.toString(QUuid::WithoutBraces), message.roomId);
    if (Room *room = m_rooms.value(message.roomId))
        room->d->onQueued(message);
}

void RoomDirectory::onAcked(const QUuid &clientId, const Message &message)
{
    const QString id = clientId.toString(QUuid::WithoutBraces);
    const QString roomId = m_pendingRoom.take(id);
    if (Room *room = m_rooms.value(message.roomId.isEmpty() ? roomId : message.roomId)) {
        room->d->onAcked(id, message);
        return;
    }
    onMessage(message); // our own: newest, not unread
}

void RoomDirectory::onRefused(const QUuid &clientId, const QString &code, const QString &message)
{
    const QString id = clientId.toString(QUuid::WithoutBraces);
    QString roomId = m_pendingRoom.take(id);
    if (roomId.isEmpty()) { // queued before this process started
        for (Room *room : std::as_const(m_order)) {
            if (room->d->messages->rowOfClientId(id) >= 0) {
                roomId = room->id();
                break;
            }
        }
    }
    if (Room *room = m_rooms.value(roomId))
        room->d->onRefused(id, code, message);
}

void RoomDirectory::onStateChanged()
{
    const bool connected = m_client->state() == Client::State::Connected;
    if (m_wasConnected && !connected) {
        for (Room *room : std::as_const(m_order))
            room->d->onConnectionLost();
    }
    m_wasConnected = connected;
}

void RoomDirectory::syncJoinedFlags()
{
    m_joined = m_client->joinedRooms();
    for (int row = 0; row < m_roomList->count(); ++row) {
        const QString id = m_roomList->room(row).id;
        m_roomList->setJoined(id, m_joined.contains(id));
    }
}

} // namespace Palaver
