// SPDX-License-Identifier: MIT
#include "ackreply_p.h"
#include "client_p.h"
#include "logging_p.h"
#include "messageconversion_p.h"
#include "room_p.h"
#include "roomdirectory_p.h"
#include "roomstream_p.h"
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>
#include <Palaver/roomsummary.h>

#include <QPointer>
#include <QPromise>
#include <QRegularExpression>

#include <algorithm>
#include <utility>

namespace Palaver {

bool isValidRoomId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z0-9][a-z0-9_-]{0,63}$"));
    return pattern.match(id).hasMatch();
}

RoomDirectory::RoomDirectory(ClientCore &d)
    : QObject(d.q), d(d), m_roomList(new RoomListModel(this))
{
}

RoomDirectory::~RoomDirectory() = default;

// ---------------------------------------------------------------------------------------------
// Kept-joined rooms

RoomStream *RoomDirectory::keep(const QString &roomId, bool *added)
{
    if (RoomStream *stream = m_streams.value(roomId))
        return stream;
    auto *stream = new RoomStream(d, this, roomId);
    m_streams.insert(roomId, stream);
    m_kept.append(roomId);
    *added = true;
    return stream;
}

void RoomDirectory::keptChanged()
{
    for (int row = 0; row < m_roomList->count(); ++row) {
        const QString id = m_roomList->room(row).id;
        m_roomList->setJoined(id, m_streams.contains(id));
    }
    storeChanged();
    Q_EMIT d.q->joinedRoomsChanged();
}

QFuture<AckResult> RoomDirectory::join(const QString &roomId)
{
    auto promise = std::make_shared<QPromise<AckResult>>();
    promise->start();
    QFuture<AckResult> future = promise->future();
    bool added = false;
    RoomStream *stream = keep(roomId, &added);
    if (added)
        keptChanged();
    if (Room *room = m_rooms.value(roomId); room && room->joinState() != Room::JoinState::Joined)
        room->d->setJoinState(Room::JoinState::Joining);
    if (d.connection.isConnected() && stream->isJoinedNow()) {
        stream->refresh(promise);
        return future;
    }
    stream->addWaiter(promise); // joined at the next connect if not connected now
    stream->join();
    return future;
}

QFuture<AckResult> RoomDirectory::leave(const QString &roomId)
{
    RoomStream *stream = m_streams.take(roomId);
    const bool wasJoined = stream && (stream->isJoinedNow() || stream->isJoining());
    if (stream) {
        m_kept.removeAll(roomId);
        d.store.forgetRoom(roomId); // a room left is not shown from the cache any more
        stream->failWaiters(AckResult::Error::NotConnected, QStringLiteral("Left before joining"));
        stream->detach();
        stream->deleteLater(); // it may be delivering right now
        keptChanged();
    }
    Room *room = m_rooms.value(roomId);
    if (room && room->joinState() != Room::JoinState::NotJoined)
        room->d->setJoinState(Room::JoinState::Leaving);
    QFuture<AckResult> answer;
    if (d.connection.isConnected() && wasJoined) {
        auto promise = std::make_shared<QPromise<AckResult>>();
        promise->start();
        answer = promise->future();
        d.requests.start(
            QStringLiteral("room:leave"), { roomId }, -1, [promise](const AckResult &r) {
                promise->addResult(r);
                promise->finish();
            });
    } else {
        QPromise<AckResult> promise;
        promise.start();
        AckResult ok;
        ok.args = { QVariantMap { { QStringLiteral("ok"), true } } };
        promise.addResult(ok);
        promise.finish();
        answer = promise.future();
    }
    if (room) {
        QPointer<Room> guard(room);
        answer = answer.then(room, [guard](const AckResult &r) {
            if (guard)
                guard->d->onClientLeft();
            return r;
        });
    }
    return answer;
}

void RoomDirectory::keepAll(const QStringList &roomIds)
{
    bool added = false;
    QList<RoomStream *> streams;
    for (const QString &roomId : roomIds)
        streams.append(keep(roomId, &added));
    if (added)
        keptChanged();
    for (RoomStream *stream : std::as_const(streams))
        stream->join();
}

QStringList RoomDirectory::keptRooms() const
{
    return m_kept;
}

bool RoomDirectory::isJoinedNow(const QString &roomId) const
{
    const RoomStream *stream = m_streams.value(roomId);
    return stream && stream->isJoinedNow();
}

void RoomDirectory::rejoin(const QString &roomId)
{
    if (RoomStream *stream = m_streams.value(roomId))
        stream->rejoin();
}

void RoomDirectory::failWaiters(AckResult::Error error, const QString &message)
{
    for (RoomStream *stream : std::as_const(m_streams))
        stream->failWaiters(error, message);
}

void RoomDirectory::onConnected()
{
    // Rooms of waiting outbox messages are kept joined too: a message can only be sent there.
    keepAll(d.outbox.rooms());
    storeChanged(); // the session's recovery ids
    const QStringList kept = m_kept;
    for (const QString &roomId : kept) {
        if (RoomStream *stream = m_streams.value(roomId))
            stream->join();
    }
}

void RoomDirectory::onConnectionLost()
{
    for (RoomStream *stream : std::as_const(m_streams))
        stream->connectionLost();
    for (Room *room : std::as_const(m_order))
        room->d->onConnectionLost();
}

void RoomDirectory::onMessage(const Message &message)
{
    if (RoomStream *stream = m_streams.value(message.roomId)) {
        stream->accept(message);
        return;
    }
    qCDebug(Log::client) << "a message of a room not kept joined ignored:" << message.roomId;
}

bool RoomDirectory::takesStreamed() const
{
    return !d.store.isOpen() && !d.listensToMessages();
}

bool RoomDirectory::onStreamedMessage(const StreamedText &message)
{
    if (message.authorId == m_userId)
        return false;
    Room *room = m_rooms.value(message.roomId);
    if (!room || !room->d->takesStreamed())
        return false;
    RoomStream *stream = m_streams.value(message.roomId);
    if (!stream || !stream->takeNext(message.seq))
        return false;
    room->d->onStreamed(message);
    return true;
}

void RoomDirectory::deliver(const QString &roomId, const Message &message)
{
    if (message.authorId == m_userId)
        d.outbox.onOwnMessage(message); // before anyone can change it by what they see
    if (Room *room = m_rooms.value(roomId)) {
        room->d->onDelivered(message);
    } else {
        rememberName(message.authorId, message.authorName);
        noteActivity(roomId, message.authorId != m_userId ? 1 : 0, &message);
    }
    d.store.addMessage(message); // nothing without a store
    storeChanged();
    Q_EMIT d.q->messageReceived(message);
}

void RoomDirectory::deliverUpdate(const QString &roomId, const Message &message)
{
    if (Room *room = m_rooms.value(roomId))
        room->d->onUpdated(message);
    d.store.updateMessage(message); // nothing without a store
    storeChanged();
    Q_EMIT d.q->messageUpdated(message);
}

void RoomDirectory::joinAnswered(RoomStream *stream, const QVariantMap &ack, Answer answer)
{
    m_roomList->setJoined(stream->id, true);
    if (Room *room = m_rooms.value(stream->id))
        room->d->onJoinAnswer(ack);
    storeChanged();
    if (answer == Answer::Again)
        Q_EMIT d.q->roomRejoined(stream->id, ack);
    else if (answer == Answer::First)
        Q_EMIT d.q->roomJoined(stream->id, ack);
}

void RoomDirectory::joinRefused(RoomStream *stream, const QString &code, const QString &message)
{
    const QString roomId = stream->id;
    m_streams.remove(roomId);
    m_kept.removeAll(roomId);
    d.store.forgetRoom(roomId);
    stream->detach();
    stream->deleteLater();
    keptChanged();
    m_roomList->setJoined(roomId, false);
    if (Room *room = m_rooms.value(roomId))
        room->d->onJoinFailed(code, message);
    Q_EMIT d.q->roomJoinFailed(roomId, code, message);
    d.outbox.refuseRoom(roomId, code, message);
}

// ---------------------------------------------------------------------------------------------
// Rooms, users, the room list

Room *RoomDirectory::room(const QString &roomId)
{
    if (Room *existing = m_rooms.value(roomId))
        return existing;
    if (!isValidRoomId(roomId)) {
        qCWarning(Log::client) << "not a room id:" << roomId.left(80);
        return nullptr;
    }
    auto *room = new Room(d.q, roomId);
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
    // Its timeline as the store kept it, at once (before the pending messages: they are newer).
    if (d.store.isOpen())
        rd->restoreFromStore(d.store);
    // Messages still in the outbox (e.g. from before the app restarted) show as Pending.
    rd->addOutboxEcho();
    // Kept joined already (joinRoom() or a message in the outbox): follow it.
    if (m_streams.contains(roomId))
        room->join();
    return room;
}

Client *RoomDirectory::client() const
{
    return d.q;
}

QList<Message> RoomDirectory::pendingMessages() const
{
    return d.outbox.pending();
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

QStringList RoomDirectory::features() const
{
    return m_features;
}

bool RoomDirectory::supports(const QString &feature) const
{
    return m_features.contains(feature);
}

QString RoomDirectory::unsupported(const QString &feature) const
{
    if (!m_sessionSeen || supports(feature))
        return {};
    return QStringLiteral("The server does not support \"%1\" (contract v1.1); nothing was sent")
        .arg(feature);
}

QString RoomDirectory::refuseUnsupported(const QString &feature)
{
    const QString why = unsupported(feature);
    if (!why.isEmpty())
        d.connection.raise(Client::Error::Unsupported, why);
    return why;
}

QUuid RoomDirectory::queueSend(
    const QString &roomId, const QString &content, const QString &replyTo)
{
    return d.outbox.queue(roomId, content, replyTo);
}

QUuid RoomDirectory::queueChange(const OutboxEntry &change)
{
    return d.outbox.queueChange(change);
}

bool RoomDirectory::editQueued(const QString &clientId, const QString &content)
{
    return d.outbox.editQueued(clientId, content);
}

QList<OutboxEntry> RoomDirectory::waitingChanges(const QString &messageId) const
{
    return d.outbox.waitingChanges(messageId);
}

QHash<QString, QList<OutboxEntry>> RoomDirectory::waitingChangesIn(const QString &roomId) const
{
    return d.outbox.waitingChangesIn(roomId);
}

void RoomDirectory::sendRead(const QString &roomId, qint64 seq)
{
    qint64 &marker = m_readToSend[roomId];
    marker = std::max(marker, seq); // only the highest matters
    storeChanged();
    flushReads();
}

void RoomDirectory::flushReads()
{
    if (!d.connection.isConnected() || !m_sessionSeen)
        return;
    const auto reads = std::exchange(m_readToSend, {});
    for (auto it = reads.cbegin(); it != reads.cend(); ++it) {
        if (!supports(QStringLiteral("read")))
            break; // a v1 server: the marker stays local
        const QString roomId = it.key();
        const qint64 seq = it.value();
        QPointer<RoomDirectory> guard(this);
        d.requests.start(QStringLiteral("room:read"),
            { QVariantMap {
                { QStringLiteral("roomId"), roomId }, { QStringLiteral("seq"), seq } } },
            d.requests.requestTimeout, [guard, roomId, seq](const AckResult &r) {
                if (!guard)
                    return;
                const QVariantMap reply = r.reply();
                if (r.ok() && reply.value(QStringLiteral("ok")).toBool()) {
                    guard->onReadMarker(
                        roomId, reply.value(QStringLiteral("readSeq")).toLongLong());
                    return;
                }
                if (r.ok() && isFinalRefusal(ackErrorOf(reply).first))
                    return; // e.g. no access any more: nothing to retry
                // Not answered: again once connected (a newer marker may have replaced it).
                qint64 &marker = guard->m_readToSend[roomId];
                marker = std::max(marker, seq);
                if (r.error == AckResult::Error::Timeout)
                    guard->flushReads();
            });
    }
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
    // Called for every message, mostly with the strings of the call before: the decoder hands
    // out an author's repeated id and name as the same shared strings, and the copies kept here
    // keep that data from being reused or changed, so the same data is the same pair.
    const auto same = [](const QString &a, const QString &b) {
        return a.constData() == b.constData() && a.size() == b.size();
    };
    if (same(userId, m_lastNamed.first) && same(name, m_lastNamed.second))
        return;
    // Look before writing.
    auto it = m_names.find(userId);
    if (it == m_names.end())
        m_names.insert(userId, name);
    else if (*it != name)
        *it = name;
    m_lastNamed = { userId, name };
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

    // A v1 server sends no `features`: every v1.1 call then fails at once with Unsupported.
    QStringList features;
    for (const QVariant &item : session.value(QStringLiteral("features")).toList()) {
        if (item.typeId() == QMetaType::QString && !features.contains(item.toString()))
            features.append(item.toString());
    }
    features.sort();
    m_sessionSeen = true;
    if (features != m_features) {
        m_features = features;
        Q_EMIT featuresChanged();
    }
    flushReads();
    d.outbox.flush(); // changes queued before the server said what it supports
    storeChanged();

    QList<RoomSummary> summaries;
    m_sessionRooms.clear();
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
        s.joined = m_streams.contains(s.id);
        s.lastSeq = std::max<qint64>(0, map.value(QStringLiteral("lastSeq")).toLongLong());
        s.readSeq = std::clamp<qint64>(
            map.value(QStringLiteral("readSeq")).toLongLong(), 0, std::max<qint64>(s.lastSeq, 0));
        // Before a join the server's counters are all we know (own messages included: the
        // server does not say whose they are).
        if (!s.joined)
            s.unreadCount = int(std::min<qint64>(s.lastSeq - s.readSeq, 1 << 30));
        m_sessionRooms.insert(s.id, { s.name, s.isPrivate });
        summaries.append(s);
        if (Room *room = m_rooms.value(s.id)) {
            room->d->setName(s.name);
            room->d->setPrivate(s.isPrivate);
        }
    }
    m_roomList->setRooms(summaries);

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
        || event == QLatin1String("room:user-left") || event == QLatin1String("message:updated")
        || event == QLatin1String("room:read-marker");
}

void RoomDirectory::onEvent(const QString &event, const QVariantList &args)
{
    if (!handles(event))
        return;
    if (event == QLatin1String("message:updated")) {
        const Message message = messageFromVariant(args.value(0));
        if (message.id.isEmpty() || message.seq <= 0) {
            qCWarning(Log::protocol) << "message:updated without a valid message ignored";
            return;
        }
        if (RoomStream *stream = m_streams.value(message.roomId))
            stream->acceptUpdate(message);
        return;
    }
    const QVariantMap payload = args.value(0).toMap();
    if (event == QLatin1String("room:read-marker")) {
        const QString roomId = payload.value(QStringLiteral("roomId")).toString();
        bool ok = false;
        const qint64 readSeq = payload.value(QStringLiteral("readSeq")).toLongLong(&ok);
        if (!ok || readSeq < 0 || !isValidRoomId(roomId)) {
            qCWarning(Log::protocol) << "room:read-marker without a valid marker ignored";
            return;
        }
        onReadMarker(roomId, readSeq);
        return;
    }
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

void RoomDirectory::noteRoomActivity(const QString &roomId, int unread, bool newLatest)
{
    Activity &a = m_activity[roomId];
    a.unread += unread;
    a.roomLatest = a.roomLatest || newLatest;
    if (m_activityScheduled)
        return;
    m_activityScheduled = true;
    QMetaObject::invokeMethod(this, &RoomDirectory::flushActivity, Qt::QueuedConnection);
}

void RoomDirectory::setMentionCount(const QString &roomId, int count)
{
    m_roomList->setMentionCount(roomId, count);
}

void RoomDirectory::markRead(const QString &roomId)
{
    if (auto it = m_activity.find(roomId); it != m_activity.end())
        it->unread = 0;
    m_roomList->markRead(roomId);
    storeChanged();
}

void RoomDirectory::flushActivity()
{
    m_activityScheduled = false;
    const auto activity = std::exchange(m_activity, {});
    for (auto it = activity.cbegin(); it != activity.cend(); ++it) {
        const Room *room = it->roomLatest ? m_rooms.value(it.key()) : nullptr;
        const Message &latest
            = room && room->d->latestSeq() > it->latest.seq ? room->d->latest() : it->latest;
        if (latest.seq > 0)
            m_roomList->setLastMessage(latest);
        if (it->unread > 0)
            m_roomList->incrementUnread(it.key(), it->unread);
    }
}

void RoomDirectory::onQueued(const Message &pending)
{
    if (Room *room = m_rooms.value(pending.roomId))
        room->d->onQueued(pending);
}

void RoomDirectory::onAcked(const QString &clientId, const QString &roomId, const Message &message)
{
    const QString id = message.roomId.isEmpty() ? roomId : message.roomId;
    if (Room *room = m_rooms.value(id))
        room->d->onAcked(clientId, message);
    if (RoomStream *stream = m_streams.value(id))
        stream->accept(message); // our own message is part of the stream, once
}

void RoomDirectory::onChangeAcked(const OutboxEntry &change, const Message &message)
{
    if (Room *room = m_rooms.value(change.roomId))
        room->d->onChangeAnswered(change, message);
    if (RoomStream *stream = m_streams.value(change.roomId); stream && message.rev > 0)
        stream->acceptUpdate(message); // our own change is part of the stream, once
}

void RoomDirectory::onChangeRefused(
    const OutboxEntry &change, const QString &code, const QString &message)
{
    if (Room *room = m_rooms.value(change.roomId))
        room->d->onChangeRefused(change, code, message);
}

void RoomDirectory::onReadMarker(const QString &roomId, qint64 readSeq)
{
    if (Room *room = m_rooms.value(roomId))
        room->d->onReadMarker(readSeq);
    m_roomList->setReadSeq(roomId, readSeq);
    storeChanged();
}

void RoomDirectory::onRefused(
    const QString &clientId, const QString &roomId, const QString &code, const QString &message)
{
    if (Room *room = m_rooms.value(roomId))
        room->d->onRefused(clientId, code, message);
}

// ---------------------------------------------------------------------------------------------
// The account's local store

void RoomDirectory::restoreFromStore()
{
    const LocalStore &store = d.store;
    if (!store.isOpen())
        return;
    // Who we are, until the server says so: own messages are told apart offline too.
    if (const QString id = store.value(QStringLiteral("user.id"));
        m_userId.isEmpty() && !id.isEmpty()) {
        m_userId = id;
        m_userName = store.value(QStringLiteral("user.name"));
        if (m_userName.isEmpty())
            m_userName = id;
        rememberName(m_userId, m_userName);
        for (Room *room : std::as_const(m_order))
            room->d->onOwnUserChanged();
        Q_EMIT userChanged();
    }
    d.connection.restoreRecovery(store.value(QStringLiteral("recovery.pid")),
        store.value(QStringLiteral("recovery.offset")));

    const QList<LocalStore::RoomState> stored = store.rooms();
    if (m_roomList->count() == 0 && !m_sessionSeen) {
        QList<RoomSummary> summaries;
        QList<Message> latest;
        for (const LocalStore::RoomState &s : stored) {
            if (!isValidRoomId(s.id))
                continue;
            RoomSummary r;
            r.id = s.id;
            r.name = s.name.isEmpty() ? s.id : s.name;
            r.isPrivate = s.isPrivate;
            r.joined = s.kept;
            r.unreadCount = s.unread;
            r.mentionCount = s.mentions;
            r.readSeq = s.readSeq;
            m_sessionRooms.insert(s.id, { r.name, r.isPrivate });
            summaries.append(r);
            latest.append(store.history(s.id, 0, 1));
        }
        m_roomList->setRooms(summaries);
        for (const Message &m : std::as_const(latest))
            m_roomList->setLastMessage(m);
    }

    bool added = false;
    QList<RoomStream *> streams;
    for (const LocalStore::RoomState &s : stored) {
        if (!s.kept || !isValidRoomId(s.id))
            continue;
        RoomStream *stream = keep(s.id, &added);
        stream->resumeAt(s.lastSeq, s.lastRev); // unless answered already in this run
        if (s.readToSend > 0) {
            qint64 &marker = m_readToSend[s.id];
            marker = std::max(marker, s.readToSend);
        }
        streams.append(stream);
    }
    if (added)
        keptChanged();
    for (Room *room : std::as_const(m_order)) {
        room->d->restoreFromStore(store);
        room->d->addOutboxEcho(); // this account's queue (rows already shown stay as they are)
    }
    for (RoomStream *stream : std::as_const(streams)) {
        if (Room *room = m_rooms.value(stream->id);
            room && room->joinState() == Room::JoinState::NotJoined)
            room->d->setJoinState(Room::JoinState::Joining);
        stream->join();
    }
    flushReads();
}

void RoomDirectory::forgetAccount(const QString &user)
{
    qCInfo(Log::client) << "rooms: another account: the previous one's rooms are forgotten";
    const QList<RoomStream *> streams = m_streams.values();
    for (RoomStream *stream : streams) {
        stream->failWaiters(
            AckResult::Error::NotConnected, QStringLiteral("Signed in as another user"));
        stream->detach();
        stream->deleteLater();
    }
    m_streams.clear();
    const bool hadKept = !m_kept.isEmpty();
    m_kept.clear();
    m_readToSend.clear();
    m_activity.clear();
    m_sessionRooms.clear();
    m_sessionSeen = false;
    m_roomList->setRooms({});
    for (Room *room : std::as_const(m_order))
        room->d->onAccountChanged();
    if (m_userId != user && !m_userId.isEmpty()) {
        m_userId.clear();
        m_userName.clear();
        for (Room *room : std::as_const(m_order))
            room->d->onOwnUserChanged();
        Q_EMIT userChanged();
    }
    if (hadKept)
        keptChanged();
}

void RoomDirectory::storeChanged()
{
    if (m_storeScheduled || !d.store.isOpen())
        return;
    m_storeScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_storeScheduled = false;
            saveToStore();
        },
        Qt::QueuedConnection);
}

void RoomDirectory::saveToStore()
{
    LocalStore &store = d.store;
    if (!store.isOpen())
        return;
    if (!m_userId.isEmpty()) {
        store.setValue(QStringLiteral("user.id"), m_userId);
        store.setValue(QStringLiteral("user.name"), m_userName);
    }
    store.setValue(QStringLiteral("recovery.pid"), d.connection.recoveryPid());
    store.setValue(QStringLiteral("recovery.offset"), d.connection.recoveryOffset());

    QSet<QString> listed;
    const auto stateOf = [&](const QString &roomId) {
        LocalStore::RoomState s = store.room(roomId).value_or(LocalStore::RoomState {});
        s.id = roomId;
        if (const int row = m_roomList->rowOf(roomId); row >= 0) {
            const RoomSummary r = m_roomList->room(row);
            s.name = r.name;
            s.isPrivate = r.isPrivate;
            s.unread = r.unreadCount + m_activity.value(roomId).unread;
            s.mentions = r.mentionCount;
            s.readSeq = std::max(s.readSeq, r.readSeq);
        }
        if (const Room *room = m_rooms.value(roomId)) {
            s.unread = room->d->unread;
            s.mentions = room->d->mentions;
            s.readSeq = std::max(s.readSeq, room->d->readSeq);
        }
        s.readToSend = m_readToSend.value(roomId, 0);
        return s;
    };
    for (int i = 0; i < m_kept.size(); ++i) {
        const QString &roomId = m_kept.at(i);
        LocalStore::RoomState s = stateOf(roomId);
        s.kept = true;
        s.position = i;
        if (const RoomStream *stream = m_streams.value(roomId); stream && stream->lastSeq() > 0) {
            s.lastSeq = stream->lastSeq();
            s.lastRev = stream->lastRev();
        }
        store.saveRoom(s);
        listed.insert(roomId);
    }
    for (int row = 0; row < m_roomList->count(); ++row) {
        const QString roomId = m_roomList->room(row).id;
        if (listed.contains(roomId))
            continue;
        LocalStore::RoomState s = stateOf(roomId);
        s.kept = false;
        s.position = 0;
        s.lastSeq = 0; // markers are of a kept room's stream
        s.lastRev = 0;
        store.saveRoom(s);
        listed.insert(roomId);
    }
    if (m_sessionSeen) { // the server's list is the truth: rooms gone from it go
        for (const LocalStore::RoomState &s : store.rooms()) {
            if (!listed.contains(s.id))
                store.forgetRoom(s.id);
        }
    }
    d.commitStore();
}

QList<Message> RoomDirectory::cachedHistory(
    const QString &roomId, qint64 beforeSeq, int limit) const
{
    return d.store.history(roomId, beforeSeq, limit);
}

void RoomDirectory::cacheOlder(const QString &roomId, const QList<Message> &page)
{
    if (!d.store.isOpen())
        return;
    d.store.addOlder(roomId, page);
    storeChanged();
}

void RoomDirectory::discardCache(const QString &roomId)
{
    d.store.clearHistory(roomId);
    if (Room *room = m_rooms.value(roomId))
        room->d->discardCache();
    storeChanged();
}

} // namespace Palaver
