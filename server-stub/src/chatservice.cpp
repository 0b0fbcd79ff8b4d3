// SPDX-License-Identifier: MIT
#include "chatservice_p.h"
#include "chattext_p.h"
#include "logging_p.h"
#include <Palaver/Protocol/packet.h>

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>

namespace Palaver::Stub {

namespace {

using nlohmann::json;

constexpr int JoinHistory = 50;
constexpr int HistoryDefault = 50;
constexpr int HistoryCap = 100;
constexpr qsizetype MaxClientId = 128;
// socket.io's in-memory adapter sweeps expired sessions and packets once a minute.
constexpr int RecoveryCleanupMs = 60000;

QString randomSid()
{
    static const char alphabet[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    QString out(20, Qt::Uninitialized);
    auto *rng = QRandomGenerator::system();
    for (qsizetype i = 0; i < out.size(); ++i)
        out[i] = QLatin1Char(alphabet[rng->bounded(64)]);
    return out;
}

QString roomKey(const QString &roomId)
{
    return QLatin1String("r:") + roomId;
}

QString socketKey(const QString &sid)
{
    return QLatin1String("s:") + sid;
}

QString userKey(const QString &userId)
{
    return QLatin1String("u:") + userId;
}

std::string str(const QString &s)
{
    return s.toStdString();
}

json roomInfo(const RoomConfig &room)
{
    return { { "id", str(room.id) }, { "name", str(room.name) }, { "private", room.isPrivate } };
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

ChatService::ChatService(const StubConfig &config, MessageStore *store, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_parser(config.parser == StubConfig::Parser::Msgpack ? Protocol::ParserKind::Msgpack
                                                            : Protocol::ParserKind::Json)
    , m_verifier(config.secret)
    , m_rooms(config.rooms)
    , m_store(store)
    , m_known(store, &m_rooms)
    , m_readMarkers(store)
    , m_rateLimiter(config.rateBurst, config.ratePerSec)
{
    if (m_config.recovery) {
        m_recovery = std::make_unique<RecoveryStore>(m_config.recoveryWindow);
        m_recoveryCleanup.setInterval(RecoveryCleanupMs);
        connect(
            &m_recoveryCleanup, &QTimer::timeout, this, [this] { m_recovery->expire(nowMs()); });
        m_recoveryCleanup.start();
    }
}

ChatService::~ChatService()
{
    qDeleteAll(m_byConnection);
}

void ChatService::attach(EngineConnection *connection)
{
    connect(connection, &EngineConnection::packetReceived, this,
        [this, connection](const Protocol::Packet &packet) { onPacket(connection, packet); });
    connect(connection, &EngineConnection::closed, this,
        [this, connection](CloseReason reason) { onClosed(connection, reason); });
}

int ChatService::drop(const QString &id)
{
    QList<EngineConnection *> victims;
    for (Socket *s : std::as_const(m_sockets)) {
        if (s->sid == id || s->user.id == id)
            victims.append(s->connection);
    }
    for (EngineConnection *c : std::as_const(victims))
        c->drop();
    return int(victims.size());
}

void ChatService::resetRecovery()
{
    if (m_recovery)
        m_recovery->clear();
}

// ---------------------------------------------------------------------------------------------
// Packets

void ChatService::onPacket(EngineConnection *connection, const Protocol::Packet &packet)
{
    using Protocol::PacketType;
    Socket *socket = m_byConnection.value(connection);
    if (packet.type == PacketType::Connect) {
        if (packet.nsp != "/") {
            sendConnectError(connection, { { "message", "Invalid namespace" } }, packet.nsp);
            return;
        }
        if (socket) {
            // A second CONNECT for a connected namespace: socket.io closes the connection.
            connection->terminate(CloseReason::ForcedClose);
            return;
        }
        onConnect(connection, packet);
        return;
    }
    // Anything else needs a connected socket on that namespace; socket.io closes otherwise.
    if (!socket || packet.nsp != "/" || packet.type == PacketType::ConnectError) {
        connection->terminate(CloseReason::ForcedClose);
        return;
    }
    switch (packet.type) {
    case PacketType::Disconnect:
        removeSocket(socket, false);
        return;
    case PacketType::Event:
    case PacketType::BinaryEvent:
        onEvent(socket, packet);
        return;
    default:
        return; // acks: the stub never asks the client for one
    }
}

void ChatService::onConnect(EngineConnection *connection, const Protocol::Packet &packet)
{
    auto data = Protocol::packetData(packet);
    if (!data || !(data.value().is_object() || data.value().is_null())) {
        connection->terminate(CloseReason::ParseError);
        return;
    }
    const json auth = data.value().is_object() ? data.value() : json::object();
    const auto tokenIt = auth.find("token");
    const AuthResult result = m_verifier.verify(tokenIt == auth.end() ? json() : *tokenIt);
    if (result.error != AuthError::None) {
        qCDebug(Log::stub) << "refused a CONNECT:" << JwtVerifier::code(result.error);
        sendConnectError(connection,
            { { "message", str(JwtVerifier::message(result.error)) },
                { "data", { { "code", str(JwtVerifier::code(result.error)) } } } });
        return; // the WebSocket stays open, like socket.io; the connect timeout still applies
    }

    // Re-authenticated above, before anything is replayed; restored only for the same user.
    std::optional<RecoveryStore::Restored> restored;
    if (m_recovery) {
        const auto pid = auth.find("pid");
        const auto offset = auth.find("offset");
        if (pid != auth.end() && pid->is_string() && offset != auth.end() && offset->is_string())
            restored = m_recovery->restore(
                Text::fromJson(*pid), Text::fromJson(*offset), result.user.id, nowMs());
    }

    auto *socket = new Socket;
    socket->connection = connection;
    socket->user = result.user;
    if (restored) {
        socket->sid = restored->session.sid;
        socket->pid = restored->session.pid;
    } else {
        socket->sid = randomSid();
        if (m_recovery)
            socket->pid = randomSid();
    }
    connection->markConnected();
    m_byConnection.insert(connection, socket);
    m_sockets.insert(socket->sid, socket);
    m_names.insert(socket->user.id, socket->user.name);
    m_known.remember(socket->user.id);

    if (restored) {
        for (const auto &frames : restored->missed)
            connection->send(frames);
    }
    json ack = { { "sid", str(socket->sid) } };
    if (m_recovery)
        ack["pid"] = str(socket->pid);
    if (auto frames = Protocol::encodePacket(m_parser, Protocol::PacketType::Connect, ack))
        connection->send(frames.value());

    const bool firstSocket = ++m_online[socket->user.id] == 1;
    if (restored) {
        for (const QString &key : std::as_const(restored->session.rooms)) {
            if (!key.startsWith(QLatin1String("r:")))
                continue;
            const QString roomId = key.mid(2);
            const RoomConfig *room = m_rooms.find(roomId);
            if (!room || !RoomDirectory::mayAccess(*room, socket->user.id))
                continue;
            if (addMember(socket, roomId))
                emitEvent({ Target::Room, roomId, nullptr, socket }, "room:user-joined",
                    { { "userId", str(socket->user.id) }, { "roomId", str(roomId) } });
        }
    }
    emitEvent({ Target::One, {}, socket, nullptr }, "session:ready", sessionReady(socket));
    if (firstSocket)
        emitEvent({ Target::All, {}, nullptr, nullptr }, "user:online",
            { { "userId", str(socket->user.id) } });
    qCDebug(Log::stub) << "socket" << socket->sid << "connected" << (restored ? "(recovered)" : "");
    Q_EMIT socketConnected(socket->user.id, socket->sid, restored.has_value());
}

void ChatService::onClosed(EngineConnection *connection, CloseReason reason)
{
    if (Socket *socket = m_byConnection.value(connection))
        removeSocket(socket, m_recovery && isRecoverable(reason));
}

void ChatService::removeSocket(Socket *socket, bool saveSession)
{
    if (saveSession) {
        RecoveryStore::Session session;
        session.sid = socket->sid;
        session.pid = socket->pid;
        session.userId = socket->user.id;
        session.rooms.insert(socketKey(socket->sid));
        session.rooms.insert(userKey(socket->user.id));
        for (const QString &roomId : std::as_const(socket->rooms))
            session.rooms.insert(roomKey(roomId));
        session.disconnectedAtMs = nowMs();
        m_recovery->saveSession(std::move(session));
    }
    m_byConnection.remove(socket->connection);
    m_sockets.remove(socket->sid);
    const QSet<QString> rooms = socket->rooms;
    for (const QString &roomId : rooms) {
        if (removeMember(socket, roomId))
            emitEvent({ Target::Room, roomId, nullptr, socket }, "room:user-left",
                { { "userId", str(socket->user.id) }, { "roomId", str(roomId) } });
    }
    if (--m_online[socket->user.id] <= 0) {
        m_online.remove(socket->user.id);
        emitEvent({ Target::All, {}, nullptr, nullptr }, "user:offline",
            { { "userId", str(socket->user.id) } });
    }
    const QString userId = socket->user.id;
    const QString sid = socket->sid;
    delete socket;
    Q_EMIT socketDisconnected(userId, sid);
}

void ChatService::onEvent(Socket *socket, const Protocol::Packet &packet)
{
    const auto name = Protocol::eventName(packet);
    auto data = Protocol::packetData(packet);
    if (!name || !data || !data.value().is_array() || data.value().empty()) {
        socket->connection->terminate(CloseReason::ParseError);
        return;
    }
    const json payload = data.value().size() > 1 ? (data.value())[1] : json();
    const std::string &event = name.value();
    if (event == "typing") {
        typing(socket, payload);
        return;
    }
    Reply reply;
    if (event == "room:join")
        reply = join(socket, payload);
    else if (event == "room:leave")
        reply = leave(socket, payload);
    else if (event == "message:send")
        reply = send(socket, payload);
    else if (event == "room:history")
        reply = history(socket, payload);
    else if (isV1_1() && event == "message:edit")
        reply = edit(socket, payload);
    else if (isV1_1() && event == "message:delete")
        reply = remove(socket, payload);
    else if (isV1_1() && event == "message:react")
        reply = react(socket, payload);
    else if (isV1_1() && event == "room:updates")
        reply = updates(socket, payload);
    else if (isV1_1() && event == "room:read")
        reply = markRead(socket, payload);
    else if (isV1_1() && packet.id)
        // Answered at once, so that a client never waits out a timeout for a feature the server
        // lacks. A v1 server ignores them, as socket.io does without a listener.
        reply = Refusal { QStringLiteral("unsupported"),
            QStringLiteral("unknown request ") + Text::fromUtf8(event) };
    else
        return; // unknown events without an ack are ignored, as socket.io does without a listener
    // The socket may have gone while handling (it cannot today, but a broadcast could fail).
    if (!m_sockets.contains(socket->sid))
        return;
    json body;
    if (const auto *ok = std::get_if<json>(&reply)) {
        body = { { "ok", true } };
        body.update(*ok);
    } else {
        const auto &refusal = std::get<Refusal>(reply);
        json error = { { "code", str(refusal.code) }, { "message", str(refusal.message) } };
        if (refusal.retryAfterMs >= 0)
            error["retryAfterMs"] = refusal.retryAfterMs;
        body = { { "ok", false }, { "error", error } };
        if (m_config.errorEvents && event == "room:join")
            emitEvent({ Target::One, {}, socket, nullptr }, "error",
                { { "message", str(refusal.message) }, { "code", str(refusal.code) } });
    }
    if (packet.id)
        sendAck(socket, *packet.id, body);
}

// ---------------------------------------------------------------------------------------------
// Requests

ChatService::Reply ChatService::join(Socket *socket, const json &payload)
{
    if (!Text::isValidRoomId(payload))
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Bad room id") };
    const QString roomId = Text::fromJson(payload);
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/false))
        return *refused;
    const RoomConfig *room = m_rooms.find(roomId);
    // Read before joining: a refusal for a database error then leaves the membership as it was.
    // `rev` no later than the page (docs/contract-v1.1.md): the page may show more, never less.
    const auto rev = m_store->roomRev(roomId);
    const auto page = m_store->page(roomId, std::nullopt, std::nullopt, JoinHistory);
    const auto readSeq = m_readMarkers.get(socket->user.id, roomId);
    if (!page || !rev || !readSeq)
        return internalError();
    if (!socket->rooms.contains(roomId) && addMember(socket, roomId))
        emitEvent({ Target::Room, roomId, nullptr, socket }, "room:user-joined",
            { { "userId", str(socket->user.id) }, { "roomId", str(roomId) } });
    json messages = json::array();
    for (const auto &m : page->messages)
        messages.push_back(messageJson(m));
    json ack = { { "room", roomInfo(*room) }, { "members", members(*room) },
        { "messages", std::move(messages) }, { "hasMore", page->hasMore } };
    if (isV1_1()) {
        ack["rev"] = *rev;
        ack["readSeq"] = *readSeq;
    }
    return ack;
}

ChatService::Reply ChatService::leave(Socket *socket, const json &payload)
{
    if (!Text::isValidRoomId(payload))
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Bad room id") };
    const QString roomId = Text::fromJson(payload);
    if (!m_rooms.find(roomId))
        return Refusal { QStringLiteral("not_found"), QStringLiteral("No room ") + roomId };
    if (socket->rooms.contains(roomId) && removeMember(socket, roomId))
        emitEvent({ Target::Room, roomId, nullptr, socket }, "room:user-left",
            { { "userId", str(socket->user.id) }, { "roomId", str(roomId) } });
    return json::object();
}

ChatService::Reply ChatService::send(Socket *socket, const json &payload)
{
    const Refusal invalid { QStringLiteral("invalid"),
        QStringLiteral("Expected {roomId, content, clientId}") };
    if (!payload.is_object())
        return invalid;
    const json roomIdValue = payload.value("roomId", json());
    const json contentValue = payload.value("content", json());
    const json clientIdValue = payload.value("clientId", json());
    if (!Text::isValidRoomId(roomIdValue))
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Bad room id") };
    if (!contentValue.is_string())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("content must be a string") };
    const QString content = Text::trimmed(Text::fromJson(contentValue));
    if (content.isEmpty())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("content is empty") };
    if (!clientIdValue.is_string())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("clientId must be a string") };
    const QString clientId = Text::fromJson(clientIdValue);
    if (clientId.isEmpty() || Text::codePoints(clientId) > MaxClientId)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("clientId must have 1..%1 characters").arg(MaxClientId) };
    // contract v1.1; a v1 server knows no such field and ignores it.
    QString replyToId;
    if (auto refused = isV1_1() ? replyToShape(payload, &replyToId) : std::nullopt)
        return *refused;
    const QString roomId = Text::fromJson(roomIdValue);
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/false))
        return *refused;

    // Before the joined check: a retry that arrives before its room is re-joined still gets
    // the message it stored.
    // The retry gets the message's current state, edits and deletion included.
    if (const auto earlier = m_store->findByClientId(socket->user.id, clientId))
        return json { { "message", messageJson(*earlier) } };

    if (!socket->rooms.contains(roomId))
        return Refusal { QStringLiteral("not_joined"),
            QStringLiteral("Join %1 first").arg(roomId) };
    std::optional<ReplySnapshot> replyTo;
    if (auto refused = replyToId.isEmpty() ? std::nullopt : quote(roomId, replyToId, &replyTo))
        return *refused;
    const qsizetype length = Text::codePoints(content);
    if (length > m_config.maxContent)
        return Refusal { QStringLiteral("too_long"),
            QStringLiteral("content has %1 characters, at most %2 allowed")
                .arg(length)
                .arg(m_config.maxContent) };
    if (const auto retryAfter = m_rateLimiter.take(socket->user.id, nowMs()))
        return Refusal { QStringLiteral("rate_limited"), QStringLiteral("Too many messages"),
            *retryAfter };

    const QStringList mentioned
        = isV1_1() ? mentions(content, *m_rooms.find(roomId), m_known) : QStringList();
    const auto stored = m_store->append(
        roomId, socket->user.id, socket->user.name, content, clientId, replyTo, mentioned);
    if (!stored)
        return internalError();
    const json message = messageJson(stored->message);
    if (stored->fresh)
        emitEvent({ Target::Room, roomId, nullptr, nullptr }, "message:new", message);
    return json { { "message", message } };
}

ChatService::Reply ChatService::history(Socket *socket, const json &payload)
{
    const Refusal invalid { QStringLiteral("invalid"),
        QStringLiteral("Expected {roomId, before?, after?, limit?}") };
    if (!payload.is_object())
        return invalid;
    const json roomIdValue = payload.value("roomId", json());
    if (!Text::isValidRoomId(roomIdValue))
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Bad room id") };
    std::optional<qint64> before;
    std::optional<qint64> after;
    std::optional<qint64> limit;
    if (const auto it = payload.find("before"); it != payload.end()) {
        before = Text::positiveInteger(*it);
        if (!before)
            return Refusal { QStringLiteral("invalid"),
                QStringLiteral("before must be a positive integer") };
    }
    if (const auto it = payload.find("after"); it != payload.end()) {
        after = Text::positiveInteger(*it);
        if (!after)
            return Refusal { QStringLiteral("invalid"),
                QStringLiteral("after must be a positive integer") };
    }
    if (before && after)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("Give before or after, not both") };
    if (const auto it = payload.find("limit"); it != payload.end()) {
        limit = Text::positiveInteger(*it);
        if (!limit)
            return Refusal { QStringLiteral("invalid"),
                QStringLiteral("limit must be a positive integer") };
    }
    const QString roomId = Text::fromJson(roomIdValue);
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/true))
        return *refused;
    const int count = int(std::min<qint64>(limit.value_or(HistoryDefault), HistoryCap));
    const auto page = m_store->page(roomId, before, after, count);
    if (!page)
        return Refusal { QStringLiteral("internal"), QStringLiteral("Internal error") };
    json messages = json::array();
    for (const auto &m : page->messages)
        messages.push_back(messageJson(m));
    return json { { "messages", std::move(messages) }, { "hasMore", page->hasMore } };
}

std::optional<ChatService::Refusal> ChatService::checkRoom(
    Socket *socket, const QString &roomId, bool needJoined) const
{
    const RoomConfig *room = m_rooms.find(roomId);
    if (!room)
        return Refusal { QStringLiteral("not_found"), QStringLiteral("No room ") + roomId };
    if (!RoomDirectory::mayAccess(*room, socket->user.id))
        return Refusal { QStringLiteral("access_denied"),
            QStringLiteral("Room %1 is private").arg(roomId) };
    if (needJoined && !socket->rooms.contains(roomId))
        return Refusal { QStringLiteral("not_joined"),
            QStringLiteral("Join %1 first").arg(roomId) };
    return std::nullopt;
}

void ChatService::typing(Socket *socket, const json &payload)
{
    if (!payload.is_object())
        return;
    const json roomId = payload.value("roomId", json());
    const json isTyping = payload.value("typing", json());
    if (!roomId.is_string() || !isTyping.is_boolean())
        return;
    const QString id = Text::fromJson(roomId);
    if (!socket->rooms.contains(id))
        return;
    emitEvent({ Target::Room, id, nullptr, socket }, "typing",
        { { "roomId", str(id) }, { "userId", str(socket->user.id) }, { "typing", isTyping } },
        /*isVolatile=*/true);
}

// ---------------------------------------------------------------------------------------------
// Membership and presence

bool ChatService::addMember(Socket *socket, const QString &roomId)
{
    socket->rooms.insert(roomId);
    m_roomSockets[roomId].insert(socket);
    return ++m_roomUsers[roomId][socket->user.id] == 1;
}

bool ChatService::removeMember(Socket *socket, const QString &roomId)
{
    socket->rooms.remove(roomId);
    auto sockets = m_roomSockets.find(roomId);
    if (sockets != m_roomSockets.end()) {
        sockets->remove(socket);
        if (sockets->isEmpty())
            m_roomSockets.erase(sockets);
    }
    auto &users = m_roomUsers[roomId];
    if (--users[socket->user.id] > 0)
        return false;
    users.remove(socket->user.id);
    if (users.isEmpty())
        m_roomUsers.remove(roomId);
    return true;
}

json ChatService::members(const RoomConfig &room) const
{
    QStringList ids;
    if (room.isPrivate) {
        ids = room.members;
    } else {
        const auto users = m_roomUsers.value(room.id);
        ids = users.keys();
        ids.sort();
    }
    json out = json::array();
    for (const QString &id : std::as_const(ids)) {
        out.push_back({ { "id", str(id) }, { "name", str(m_names.value(id, id)) },
            { "online", m_online.value(id) > 0 } });
    }
    return out;
}

json ChatService::sessionReady(const Socket *socket)
{
    json rooms = json::array();
    for (const RoomConfig *room : m_rooms.accessible(socket->user.id)) {
        json entry = roomInfo(*room);
        if (isV1_1()) {
            // A database error reads as an empty room: session:ready has no way to refuse.
            entry["lastSeq"] = m_store->lastSeq(room->id).value_or(0);
            entry["readSeq"] = m_readMarkers.get(socket->user.id, room->id).value_or(0);
        }
        rooms.push_back(std::move(entry));
    }
    QStringList online = m_online.keys();
    online.sort();
    json onlineJson = json::array();
    for (const QString &id : std::as_const(online))
        onlineJson.push_back(str(id));
    json ready = {
        { "user", { { "id", str(socket->user.id) }, { "name", str(socket->user.name) } } },
        { "rooms", std::move(rooms) }, { "online", std::move(onlineJson) },
        { "limits",
            { { "maxContentLength", m_config.maxContent }, { "maxPayload", m_config.maxPayload } } }
    };
    if (isV1_1())
        ready["features"] = json::array({ "edit", "delete", "react", "reply", "mention", "read" });
    return ready;
}

// ---------------------------------------------------------------------------------------------
// Output

void ChatService::emitEvent(
    const Target &target, const char *name, const json &payload, bool isVolatile)
{
    json data = json::array({ name, payload });
    std::optional<QString> offset;
    if (m_recovery && !isVolatile) {
        offset = m_recovery->nextOffset();
        data.push_back(str(*offset));
    }
    auto frames = Protocol::encodePacket(m_parser, Protocol::PacketType::Event, data);
    if (!frames) {
        qCWarning(Log::stub) << "cannot encode" << name;
        return;
    }
    const WireFrames wire = toWire(frames.value());
    auto deliver = [&](Socket *s) {
        if (s != target.except)
            s->connection->send(wire);
    };
    QSet<QString> rooms;
    switch (target.kind) {
    case Target::All:
        for (Socket *s : std::as_const(m_sockets))
            deliver(s);
        break;
    case Target::Room:
        rooms.insert(roomKey(target.id));
        for (Socket *s : m_roomSockets.value(target.id))
            deliver(s);
        break;
    case Target::One:
        rooms.insert(socketKey(target.socket->sid));
        deliver(target.socket);
        break;
    case Target::User:
        rooms.insert(userKey(target.id));
        for (Socket *s : std::as_const(m_sockets)) {
            if (s->user.id == target.id)
                deliver(s);
        }
        break;
    }
    if (offset) {
        QSet<QString> except;
        if (target.except)
            except.insert(socketKey(target.except->sid));
        m_recovery->persist(
            *offset, std::move(rooms), std::move(except), std::move(frames.value()), nowMs());
    }
}

void ChatService::sendAck(Socket *socket, std::uint64_t id, const json &body)
{
    if (auto frames
        = Protocol::encodePacket(m_parser, Protocol::PacketType::Ack, json::array({ body }), id))
        socket->connection->send(frames.value());
}

void ChatService::sendConnectError(
    EngineConnection *connection, const json &error, const std::string &nsp)
{
    if (auto frames = Protocol::encodePacket(
            m_parser, Protocol::PacketType::ConnectError, error, std::nullopt, nsp))
        connection->send(frames.value());
}

} // namespace Palaver::Stub
