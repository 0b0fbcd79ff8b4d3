// SPDX-License-Identifier: MIT
#include "client_p.h"
#include "logging_p.h"
#include "networkmonitor_p.h"
#include "roomdirectory_p.h"
#include "timestamp_p.h"
#include "variantjson_p.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/client.h>
#include <Palaver/networkreachability.h>

#include <QDateTime>
#include <QMetaMethod>
#include <QPromise>
#include <QSslConfiguration>
#include <QUrlQuery>

#include <algorithm>

namespace Palaver {

using namespace Protocol;

namespace {

QString fromStd(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

ParserKind parserKind(Client::Parser parser)
{
    return parser == Client::Parser::MessagePack ? ParserKind::Msgpack : ParserKind::Json;
}

bool isFatal(Client::Error error)
{
    switch (error) {
    case Client::Error::AuthRequired:
    case Client::Error::InvalidToken:
    case Client::Error::TokenExpired:
    case Client::Error::ConnectionRejected:
    case Client::Error::ServerDisconnected:
    case Client::Error::TlsError:
    case Client::Error::InvalidUrl:
        return true;
    default:
        return false;
    }
}

//! Codes of PROTOCOL.md after which re-sending the same message cannot succeed.
bool isFinalRefusal(const QString &code)
{
    return code == QLatin1String("invalid") || code == QLatin1String("not_found")
        || code == QLatin1String("access_denied") || code == QLatin1String("too_long");
}

std::pair<QString, QString> ackError(const QVariantMap &reply)
{
    const QVariantMap error = reply.value(QStringLiteral("error")).toMap();
    return { error.value(QStringLiteral("code")).toString(),
        error.value(QStringLiteral("message")).toString() };
}

} // namespace

Message toMessage(const ChatMessage &c)
{
    return MessageConverter()(c);
}

template<typename Fields> Message MessageConverter::convert(const Fields &c, const FrameText &text)
{
    Message m;
    m.id = text(c.id);
    m.roomId = roomId.get(c.roomId, text);
    m.seq = c.seq;
    m.authorId = authorId.get(c.userId, text);
    m.authorName = authorName.get(c.userName, text);
    m.content = text(c.content);
    m.createdAt = createdAt(c.createdAt);
    m.clientId = text(c.clientId);
    m.status = Message::Status::Sent;
    return m;
}

Message MessageConverter::operator()(const ChatMessage &message)
{
    return convert(message, FrameText());
}

Message MessageConverter::operator()(const MessageNewView &message, const FrameText &frame)
{
    return convert(message, frame);
}

Message messageFromJson(const nlohmann::json &value)
{
    auto decoded = chatMessageFromJson(value);
    return decoded ? toMessage(decoded.value()) : Message();
}

// ---------------------------------------------------------------------------------------------
// Private: construction and the one transition point

Client::Private::Private(Client *q) : q(q)
{
    transport = new Transport(q);
    acks = new AckRegistry(q);
    connectTimer.setSingleShot(true);
    retryTimer.setSingleShot(true);
    stableTimer.setSingleShot(true);
    outboxTimer.setSingleShot(true);

    transport->onOpened = [this](const Handshake &) { onOpened(); };
    transport->onPacket = [this](Packet &&packet) { onPacket(std::move(packet)); };
    // Events before the CONNECT ack are held as packets, and a catch-all listener wants every
    // event generically; otherwise message:new takes the one-pass shortcut.
    transport->wantsMessageNew
        = [this] { return state == State::Connected && !listensToEveryEvent(); };
    transport->onMessageNew = [this](const MessageNewView &view, const FrameText &frame) {
        onMessageNew(received(view, frame), view.offset);
    };
    transport->onFailed = [this](Error error, const QString &message, const QString &reason) {
        connectionLost(error, message, reason);
    };
    QObject::connect(&connectTimer, &QTimer::timeout, q, [this] {
        connectionLost(Error::Timeout,
            QStringLiteral("No connection within %1 ms").arg(connectTimeout),
            QStringLiteral("connect timeout"));
    });
    QObject::connect(&retryTimer, &QTimer::timeout, q, [this] {
        if (urls.size() > 1) {
            urlIndex = (urlIndex + 1) % int(urls.size());
            Q_EMIT this->q->urlChanged();
        }
        beginAttempt();
    });
    // A connection that stayed up this long was not a flap: the next failure starts the
    // backoff from the beginning.
    QObject::connect(&stableTimer, &QTimer::timeout, q, [this] { setAttempt(0); });
    QObject::connect(&outboxTimer, &QTimer::timeout, q, [this] { flushOutbox(); });
}

Client::Private::~Private() = default;

void Client::Private::setState(State newState)
{
    if (state == newState)
        return;
    const State old = state;
    state = newState;
    qCInfo(Log::client) << "state" << old << "->" << newState;
    Q_EMIT q->stateChanged(newState);
    if (old == State::Connected)
        Q_EMIT q->disconnected(disconnectReason);
    switch (newState) {
    case State::Connected:
        Q_EMIT q->connected();
        break;
    case State::Reconnecting:
        Q_EMIT q->reconnectScheduled(attempt, nextRetryIn);
        break;
    case State::Failed:
        Q_EMIT q->failed(error);
        break;
    default:
        break;
    }
}

void Client::Private::raise(Error code, const QString &message)
{
    qCInfo(Log::client) << "error" << code << message;
    if (code < Error::PayloadTooLarge) { // connection errors are the `error` property
        if (error != code || errorString != message) {
            error = code;
            errorString = message;
            Q_EMIT q->errorChanged();
        }
    }
    Q_EMIT q->errorOccurred(code, message);
}

void Client::Private::clearError()
{
    if (error == Error::NoError && errorString.isEmpty())
        return;
    error = Error::NoError;
    errorString.clear();
    Q_EMIT q->errorChanged();
}

void Client::Private::setAttempt(int value)
{
    if (attempt == value)
        return;
    attempt = value;
    Q_EMIT q->reconnectAttemptChanged();
}

void Client::Private::setNextRetryIn(int ms)
{
    if (nextRetryIn == ms)
        return;
    nextRetryIn = ms;
    Q_EMIT q->nextRetryInChanged();
}

void Client::Private::setActive(bool value)
{
    if (active == value)
        return;
    active = value;
    Q_EMIT q->activeChanged();
}

void Client::Private::setRecovered(bool value)
{
    if (recovered == value)
        return;
    recovered = value;
    Q_EMIT q->recoveredChanged();
}

void Client::Private::setLatency(int ms)
{
    if (latency == ms)
        return;
    latency = ms;
    Q_EMIT q->latencyChanged();
}

// ---------------------------------------------------------------------------------------------
// Reachability

bool Client::Private::reachable() const
{
    if (reachability)
        return reachability->isReachable();
    return true;
}

void Client::Private::watchReachability()
{
    QObject::disconnect(reachabilityConnection);
    if (!reachability) {
        if (!systemReachability)
            systemReachability = new SystemReachability(q);
        reachability = systemReachability;
    }
    reachabilityConnection = QObject::connect(reachability, &NetworkReachability::reachableChanged,
        q, [this](bool r) { onReachableChanged(r); });
}

void Client::Private::onReachableChanged(bool isReachable)
{
    qCInfo(Log::client) << "network" << (isReachable ? "reachable" : "unreachable");
    if (!isReachable) {
        if (state == State::Connecting || state == State::Connected
            || state == State::Reconnecting) {
            raise(Error::NetworkUnreachable, QStringLiteral("The network is unreachable"));
            disconnectReason = QStringLiteral("transport close");
            goOffline();
        }
        return;
    }
    if (state == State::Offline && active)
        beginAttempt(); // at once: the backoff was for a server that failed, not for the network
}

// ---------------------------------------------------------------------------------------------
// Connecting

void Client::Private::beginAttempt()
{
    retryTimer.stop();
    setNextRetryIn(0);
    if (!reachable()) {
        goOffline();
        return;
    }
    if (urls.isEmpty()) {
        giveUp(Error::InvalidUrl, QStringLiteral("No server URL was set"));
        return;
    }
    ++generation;
    setState(State::Connecting);
    connectTimer.start(connectTimeout);
    if (!tokenProvider) {
        openSocket(token);
        return;
    }
    const quint64 gen = generation;
    QPointer<Client> guard(q);
    tokenProvider([guard, gen](const QString &fresh) {
        if (!guard)
            return;
        // Providers may answer from any thread; the Client only ever works on its own.
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, gen, fresh] {
                if (!guard)
                    return;
                Private *d = guard->d.get();
                if (d->generation != gen || d->state != State::Connecting || d->transport->isOpen())
                    return; // a newer attempt, or the Client moved on
                d->openSocket(fresh);
            },
            Qt::QueuedConnection);
    });
}

void Client::Private::openSocket(const QString &useToken)
{
    const QUrl endpoint = Client::endpointUrl(urls.value(urlIndex));
    if (!endpoint.isValid()) {
        giveUp(Error::InvalidUrl,
            QStringLiteral("Not a ws, wss, http or https URL: %1")
                .arg(urls.value(urlIndex).toDisplayString(
                    QUrl::RemoveQuery | QUrl::RemoveUserInfo)));
        return;
    }
    token = useToken; // the provider's latest answer, for the CONNECT packet
    std::optional<QSslConfiguration> ssl;
    if (endpoint.scheme() == QLatin1String("wss")) {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        if (!caCertificates.isEmpty())
            config.addCaCertificates(caCertificates);
        if (!peerVerification) {
            config.setPeerVerifyMode(QSslSocket::VerifyNone);
            qCWarning(Log::transport) << "TLS PEER VERIFICATION IS OFF: any server can pose as"
                                      << endpoint.host() << "- never ship this setting";
        }
        ssl = config;
    }
    qCInfo(Log::client) << "connecting to" << endpoint.host() << endpoint.port() << "attempt"
                        << attempt;
    transport->open(endpoint, parserKind(parser), ssl ? &*ssl : nullptr);
}

void Client::Private::onOpened()
{
    // CONNECT auth: recovery fields under the user's, so a user key with the same name wins.
    nlohmann::json auth = nlohmann::json::object();
    if (!pid.empty() && offset) {
        auth["pid"] = pid;
        auth["offset"] = *offset;
    }
    for (auto it = authExtras.begin(); it != authExtras.end(); ++it)
        auth[it.key().toStdString()] = VariantJson::toJson(it.value());
    if (!token.isNull())
        auth["token"] = token.toStdString();
    auto frames = encodePacket(parserKind(parser), PacketType::Connect, auth);
    if (!frames || !transport->sendFrames(frames.value())) {
        if (!frames)
            connectionLost(Error::ProtocolError,
                QStringLiteral("Cannot encode the CONNECT packet: ")
                    + fromStd(frames.error().message),
                QStringLiteral("parse error"));
        return;
    }
    qCDebug(Log::protocol) << "CONNECT sent" << (auth.contains("pid") ? "with recovery" : "");
}

void Client::Private::onPacket(Packet &&packet)
{
    if (packet.nsp != "/") {
        qCDebug(Log::protocol) << "ignoring a packet for namespace" << fromStd(packet.nsp);
        return;
    }
    switch (packet.type) {
    case PacketType::Connect:
        onConnectAck(packet);
        return;
    case PacketType::ConnectError:
        onConnectError(packet);
        return;
    case PacketType::Disconnect:
        teardown(QStringLiteral("io server disconnect"));
        setActive(false);
        raise(Error::ServerDisconnected, QStringLiteral("The server ended the session"));
        setState(State::Disconnected);
        return;
    case PacketType::Event:
    case PacketType::BinaryEvent:
        if (state == State::Connecting) {
            // Connection state recovery replays missed events before the CONNECT ack; they
            // are delivered after it, before connected(). A replay is bounded by what a server
            // keeps (socket.io's stream adapter: 10,000 packets); a server that sends more is
            // misbehaving, and holding it all would let it grow our memory without end. The
            // session is dropped: the next connection starts fresh and catches up by history.
            constexpr std::size_t maxEarlyEvents = 10000;
            constexpr std::size_t maxEarlyBytes = 64 * 1024 * 1024;
            earlyBytes += packet.payload.size();
            for (const auto &attachment : packet.attachments)
                earlyBytes += attachment.size();
            if (earlyEvents.size() >= maxEarlyEvents || earlyBytes > maxEarlyBytes) {
                pid.clear();
                offset.reset();
                connectionLost(Error::ProtocolError,
                    QStringLiteral("Too many events before the server acknowledged the connection"),
                    QStringLiteral("parse error"));
                return;
            }
            earlyEvents.push_back(std::move(packet));
            return;
        }
        handleEvent(packet);
        return;
    case PacketType::Ack:
    case PacketType::BinaryAck: {
        if (!packet.id) {
            qCWarning(Log::protocol) << "ACK without an id ignored";
            return;
        }
        auto data = packetData(packet);
        if (!data) {
            connectionLost(Error::ProtocolError,
                QStringLiteral("Undecodable ACK: ") + fromStd(data.error().message),
                QStringLiteral("parse error"));
            return;
        }
        if (!acks->resolve(*packet.id, VariantJson::listFromJson(data.value())))
            qCDebug(Log::protocol) << "ACK for an unknown or finished request" << *packet.id;
        return;
    }
    }
}

void Client::Private::onConnectAck(const Packet &packet)
{
    if (state != State::Connecting) {
        qCWarning(Log::protocol) << "unexpected CONNECT ack ignored";
        return;
    }
    auto data = packetData(packet);
    if (!data || !data.value().is_object() || !data.value().contains("sid")) {
        connectionLost(Error::ProtocolError, QStringLiteral("Invalid CONNECT ack"),
            QStringLiteral("parse error"));
        return;
    }
    const auto &ack = data.value();
    std::string newPid;
    if (auto it = ack.find("pid"); it != ack.end() && it->is_string())
        newPid = it->get<std::string>();
    const bool wasRecovered = !pid.empty() && !newPid.empty() && newPid == pid;
    if (!wasRecovered)
        offset.reset(); // a fresh session: old offsets mean nothing to it
    pid = newPid;
    connectTimer.stop();
    clearError();
    tokenRefreshTried = false;
    setRecovered(wasRecovered);
    qCInfo(Log::client) << "connected" << (wasRecovered ? "(session recovered)" : "");

    auto early = std::move(earlyEvents);
    earlyEvents.clear();
    earlyBytes = 0;
    const quint64 gen = generation;
    for (const auto &event : early) {
        handleEvent(event);
        if (generation != gen || state != State::Connecting)
            return; // a handler closed the Client
    }
    // What send() buffered goes first, like socket.io-client's sendBuffer.
    auto buffered = std::move(sendBuffer);
    sendBuffer.clear();
    for (const auto &[event, args] : buffered)
        writeEvent(event, args, std::nullopt, nullptr);

    stableTimer.start(policy.maxDelay());
    setState(State::Connected);
    if (generation != gen || state != State::Connected)
        return;
    rejoinAll();
}

void Client::Private::onConnectError(const Packet &packet)
{
    auto refusal = connectError(packet);
    QString message = QStringLiteral("The server refused the connection");
    QString code;
    if (refusal) {
        message = fromStd(refusal.value().message);
        const auto &data = refusal.value().data;
        if (data.is_object()) {
            if (auto it = data.find("code"); it != data.end())
                code = it->is_string() ? fromStd(it->get_ref<const std::string &>())
                                       : fromStd(it->dump());
        }
    }
    Error error = Error::ConnectionRejected;
    if (code == QLatin1String("auth_required"))
        error = Error::AuthRequired;
    else if (code == QLatin1String("invalid_token"))
        error = Error::InvalidToken;
    else if (code == QLatin1String("token_expired"))
        error = Error::TokenExpired;
    if (!code.isEmpty())
        message += QStringLiteral(" (%1)").arg(code);
    qCWarning(Log::client) << "connection refused by the server:" << error;
    teardown(QStringLiteral("connect error"));
    if (error == Error::TokenExpired && tokenProvider && !tokenRefreshTried && active) {
        // One fresh token, one retry: an expired token is the one refusal a refresh can fix.
        tokenRefreshTried = true;
        raise(error, message);
        beginAttempt();
        return;
    }
    giveUp(error, message);
}

bool Client::Private::listensToEveryEvent() const
{
    static const QMetaMethod eventSignal = QMetaMethod::fromSignal(&Client::eventReceived);
    return q->isSignalConnected(eventSignal);
}

void Client::Private::onMessageNew(const Message &message, std::optional<std::string_view> at)
{
    if (!pid.empty() && at)
        offset = std::string(*at);
    Q_EMIT q->messageReceived(message);
}

void Client::Private::handleEvent(const Packet &packet)
{
    // The hot path: message:new decoded straight into typed fields, no generic tree unless
    // someone listens to every event or the server wants an answer.
    {
        auto name = eventName(packet);
        if (name && name.value() == "message:new") {
            auto decoded = decodeMessageNew(packet);
            if (decoded) {
                const auto &value = decoded.value();
                // Only an event without an ack id carries an offset.
                std::optional<std::string_view> at;
                if (value.offset && !packet.id)
                    at = *value.offset;
                onMessageNew(received(value.message), at);
                if (!listensToEveryEvent() && !packet.id)
                    return;
            } else {
                qCWarning(Log::protocol) << "message:new without a valid message ignored";
            }
        }
    }

    auto decoded = packetData(packet);
    if (!decoded || !decoded.value().is_array() || decoded.value().empty()) {
        connectionLost(Error::ProtocolError,
            QStringLiteral("Undecodable event")
                + (decoded ? QString() : QStringLiteral(": ") + fromStd(decoded.error().message)),
            QStringLiteral("parse error"));
        return;
    }
    nlohmann::json &data = decoded.value();
    if (!pid.empty() && !packet.id) {
        if (auto taken = takeRecoveryOffset(packet, data))
            offset = std::move(*taken);
    }
    const auto &head = data.front();
    QString name;
    if (head.is_string())
        name = fromStd(head.get_ref<const std::string &>());
    else if (head.is_number())
        name = fromStd(head.dump());
    else {
        connectionLost(Error::ProtocolError, QStringLiteral("An event without a name"),
            QStringLiteral("parse error"));
        return;
    }
    qCDebug(Log::protocol) << "event" << name << "args" << (data.size() - 1)
                           << (packet.id ? "with ack" : "");

    const bool forRooms = RoomDirectory::handles(name);
    const bool wantsGeneric = listensToEveryEvent() || forRooms
        || name == QLatin1String("session:ready") || packet.id.has_value();
    if (!wantsGeneric)
        return;
    QVariantList args;
    args.reserve(qsizetype(data.size() - 1));
    for (size_t i = 1; i < data.size(); ++i)
        args.append(VariantJson::fromJson(data[i]));

    if (name == QLatin1String("session:ready"))
        Q_EMIT q->sessionReady(args.value(0).toMap());
    else if (forRooms)
        directory->onEvent(name, args); // presence, membership, typing
    Q_EMIT q->eventReceived(name, args);

    if (packet.id) {
        const std::uint64_t id = *packet.id;
        const quint64 gen = generation;
        QPointer<Client> guard(q);
        auto answered = std::make_shared<bool>(false);
        Responder respond = [guard, gen, id, answered](const QVariantList &reply) {
            if (!guard || *answered)
                return;
            *answered = true;
            Private *d = guard->d.get();
            if (d->generation != gen || d->state != State::Connected)
                return; // that connection is gone; the server forgot the id with it
            auto frames = encodePacket(
                parserKind(d->parser), PacketType::Ack, VariantJson::toJson(reply), id);
            if (frames)
                d->transport->sendFrames(frames.value());
        };
        const auto handler = requestHandlers.value(name);
        if (handler)
            handler(args, respond);
        else
            respond({});
    }
}

// ---------------------------------------------------------------------------------------------
// Losing the connection

void Client::Private::teardown(const QString &why)
{
    disconnectReason = why;
    transport->close();
    connectTimer.stop();
    stableTimer.stop();
    outboxTimer.stop();
    earlyEvents.clear();
    earlyBytes = 0;
    readyRooms.clear();
    joining.clear();
    inflight.clear();
    acks->failAll(AckResult::Error::Disconnected,
        QStringLiteral("Disconnected before the answer came (%1)").arg(why));
}

void Client::Private::connectionLost(Error code, const QString &message, const QString &reason)
{
    if (state != State::Connecting && state != State::Connected)
        return;
    teardown(reason);
    if (isFatal(code)) {
        giveUp(code, message);
        return;
    }
    raise(code, message);
    if (!active) {
        setState(State::Disconnected);
        return;
    }
    scheduleReconnect();
}

void Client::Private::scheduleReconnect()
{
    if (!reachable()) {
        goOffline();
        return;
    }
    const int next = attempt + 1;
    if (policy.exhausted(next)) {
        giveUp(
            error, QStringLiteral("Gave up after %1 attempts: %2").arg(attempt).arg(errorString));
        return;
    }
    setAttempt(next);
    const int delay = policy.delay(next);
    setNextRetryIn(delay);
    retryTimer.start(delay);
    qCInfo(Log::client) << "reconnecting in" << delay << "ms, attempt" << next;
    if (state == State::Reconnecting) // cannot happen today; keep the signal honest anyway
        Q_EMIT q->reconnectScheduled(next, delay);
    setState(State::Reconnecting);
}

void Client::Private::goOffline()
{
    if (state == State::Connecting || state == State::Connected)
        teardown(disconnectReason.isEmpty() ? QStringLiteral("transport close") : disconnectReason);
    retryTimer.stop();
    setNextRetryIn(0);
    setState(State::Offline);
}

void Client::Private::giveUp(Error code, const QString &message)
{
    if (state == State::Connecting || state == State::Connected)
        teardown(QStringLiteral("gave up"));
    retryTimer.stop();
    setNextRetryIn(0);
    setActive(false);
    raise(code, message);
    // Joins that waited for a connection will not get one.
    auto waiters = std::move(joinWaiters);
    joinWaiters.clear();
    for (auto &[room, promise] : waiters) {
        promise->addResult(AckResult::failure(AckResult::Error::NotConnected, message));
        promise->finish();
    }
    setState(State::Failed);
}

// ---------------------------------------------------------------------------------------------
// Sending

Client::Error Client::Private::writeEvent(const QString &event, const QVariantList &args,
    std::optional<std::uint64_t> id, QString *message)
{
    auto frames
        = encodeEvent(parserKind(parser), event.toStdString(), VariantJson::toJson(args), id);
    if (!frames) {
        if (message)
            *message
                = QStringLiteral("Cannot send %1: %2").arg(event, fromStd(frames.error().message));
        return Error::InvalidRequest;
    }
    const qint64 limit = transport->maxPayload();
    for (const auto &frame : frames.value()) {
        if (qint64(frame.bytes.size()) > limit) {
            if (message)
                *message = QStringLiteral("%1 is %2 bytes; the server accepts at most %3")
                               .arg(event)
                               .arg(frame.bytes.size())
                               .arg(limit);
            return Error::PayloadTooLarge;
        }
    }
    qCDebug(Log::protocol) << "sending" << event << "frames" << frames.value().size();
    if (!transport->sendFrames(frames.value())) {
        if (message)
            *message = QStringLiteral("The connection is not usable");
        return Error::NotConnected;
    }
    return Error::NoError;
}

void Client::Private::completeLater(AckCallback callback, AckResult result)
{
    if (!callback)
        return;
    QMetaObject::invokeMethod(
        q, [callback = std::move(callback), result = std::move(result)] { callback(result); },
        Qt::QueuedConnection);
}

void Client::Private::startRequest(
    const QString &event, const QVariantList &args, int timeoutMs, AckCallback callback)
{
    if (timeoutMs < 0)
        timeoutMs = requestTimeout;
    if (state != State::Connected) {
        completeLater(std::move(callback),
            AckResult::failure(AckResult::Error::NotConnected,
                QStringLiteral("Not connected: %1 was not sent").arg(event)));
        return;
    }
    QElapsedTimer clock;
    clock.start();
    QPointer<Client> guard(q);
    const std::uint64_t id = acks->add(timeoutMs, [guard, clock, callback](const AckResult &r) {
        if (guard && r.ok())
            guard->d->setLatency(int(clock.elapsed()));
        if (callback)
            callback(r);
    });
    QString message;
    const Error error = writeEvent(event, args, id, &message);
    if (error == Error::NoError)
        return;
    // Not sent: finish it now (asynchronously for the caller) with the reason.
    AckResult::Error code = AckResult::Error::InvalidRequest;
    if (error == Error::PayloadTooLarge) {
        code = AckResult::Error::PayloadTooLarge;
        raise(Error::PayloadTooLarge, message);
    } else if (error == Error::NotConnected) {
        code = AckResult::Error::Disconnected;
    }
    QMetaObject::invokeMethod(
        acks,
        [acks = QPointer<AckRegistry>(acks), id, code, message] {
            if (acks)
                acks->fail(id, code, message);
        },
        Qt::QueuedConnection);
}

// ---------------------------------------------------------------------------------------------
// Rooms

void Client::Private::joinNow(const QString &roomId)
{
    if (state != State::Connected || joining.contains(roomId) || readyRooms.contains(roomId))
        return;
    joining.insert(roomId);
    const quint64 gen = generation;
    QPointer<Client> guard(q);
    startRequest(QStringLiteral("room:join"), { roomId }, requestTimeout,
        [guard, gen, roomId](const AckResult &r) {
            if (!guard)
                return;
            Private *d = guard->d.get();
            if (d->generation != gen)
                return; // that connection is gone; the next one joins again
            d->joining.remove(roomId);
            if (!d->rooms.contains(roomId))
                return; // left meanwhile
            if (!r.ok()) {
                // Timeout on a live connection: try again shortly.
                if (r.error == AckResult::Error::Timeout && d->state == State::Connected)
                    QTimer::singleShot(1000, guard, [guard, roomId] {
                        if (guard)
                            guard->d->joinNow(roomId);
                    });
                return;
            }
            const QVariantMap reply = r.reply();
            if (!reply.value(QStringLiteral("ok")).toBool()) {
                const auto [code, message] = ackError(reply);
                if (isFinalRefusal(code)) {
                    d->rooms.removeAll(roomId);
                    d->everJoined.remove(roomId);
                    Q_EMIT guard->joinedRoomsChanged();
                    Q_EMIT guard->roomJoinFailed(roomId, code, message);
                    d->completeJoinWaiters(roomId, r);
                    for (const auto &e : d->outbox ? d->outbox->entries() : QList<OutboxEntry>())
                        if (e.roomId == roomId)
                            d->refuse(e.clientId, code, message);
                } else {
                    QTimer::singleShot(1000, guard, [guard, roomId] {
                        if (guard)
                            guard->d->joinNow(roomId);
                    });
                }
                return;
            }
            d->readyRooms.insert(roomId);
            const bool again = d->everJoined.contains(roomId);
            d->everJoined.insert(roomId);
            d->completeJoinWaiters(roomId, r);
            if (again)
                Q_EMIT guard->roomRejoined(roomId, reply);
            else
                Q_EMIT guard->roomJoined(roomId, reply);
            if (d->generation == gen)
                d->flushOutbox();
        });
}

void Client::Private::completeJoinWaiters(const QString &roomId, const AckResult &result)
{
    std::vector<std::shared_ptr<QPromise<AckResult>>> done;
    for (auto it = joinWaiters.begin(); it != joinWaiters.end();) {
        if (it->first == roomId) {
            done.push_back(it->second);
            it = joinWaiters.erase(it);
        } else {
            ++it;
        }
    }
    for (auto &promise : done) {
        promise->addResult(result);
        promise->finish();
    }
}

void Client::Private::rejoinAll()
{
    // Rooms of waiting outbox messages are kept joined too: a message can only be sent there.
    if (outbox) {
        bool changed = false;
        for (const auto &e : outbox->entries()) {
            if (!rooms.contains(e.roomId)) {
                rooms.append(e.roomId);
                changed = true;
            }
        }
        if (changed)
            Q_EMIT q->joinedRoomsChanged();
    }
    const QStringList toJoin = rooms;
    for (const auto &room : toJoin)
        joinNow(room);
}

// ---------------------------------------------------------------------------------------------
// Outbox

bool Client::Private::ensureOutbox()
{
    if (outbox && outbox->isOpen())
        return true;
    outbox = std::make_unique<Outbox>();
    outbox->setCapacity(outboxCapacity);
    if (!outbox->open(outboxPath)) {
        raise(Error::OutboxError, outbox->errorString());
        outbox.reset();
        return false;
    }
    if (outbox->size() > 0)
        Q_EMIT q->pendingMessageCountChanged();
    return true;
}

void Client::Private::flushOutbox()
{
    if (state != State::Connected || !outbox)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto entries = outbox->entries(); // dispatch() may change the list
    for (const auto &e : entries) {
        if (inflight.contains(e.clientId) || !readyRooms.contains(e.roomId))
            continue;
        if (holdUntil.value(e.roomId) > now)
            continue;
        dispatch(e);
        if (state != State::Connected)
            return;
    }
    scheduleOutboxTimer();
}

void Client::Private::scheduleOutboxTimer()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 next = 0;
    for (auto it = holdUntil.begin(); it != holdUntil.end();) {
        if (it.value() <= now) {
            it = holdUntil.erase(it);
            continue;
        }
        next = next == 0 ? it.value() : std::min(next, it.value());
        ++it;
    }
    if (next > 0)
        outboxTimer.start(int(std::clamp<qint64>(next - now, 1, 3'600'000)));
}

void Client::Private::dispatch(const OutboxEntry &entry)
{
    inflight.insert(entry.clientId);
    QVariantMap payload { { QStringLiteral("roomId"), entry.roomId },
        { QStringLiteral("content"), entry.content },
        { QStringLiteral("clientId"), entry.clientId.toString(QUuid::WithoutBraces) } };
    const QUuid id = entry.clientId;
    const QString room = entry.roomId;
    QPointer<Client> guard(q);
    qCDebug(Log::client) << "outbox: sending a message of" << entry.content.size()
                         << "characters to" << room;
    startRequest(QStringLiteral("message:send"), { payload }, requestTimeout,
        [guard, id, room](const AckResult &r) {
            if (guard)
                guard->d->onSendAnswered(id, room, r);
        });
}

void Client::Private::onSendAnswered(
    const QUuid &clientId, const QString &roomId, const AckResult &result)
{
    inflight.remove(clientId);
    if (!outbox || !outbox->contains(clientId))
        return;
    switch (result.error) {
    case AckResult::Error::None:
        break;
    case AckResult::Error::PayloadTooLarge:
        refuse(clientId, QStringLiteral("too_long"), result.errorString);
        return;
    case AckResult::Error::InvalidRequest:
        refuse(clientId, QStringLiteral("invalid"), result.errorString);
        return;
    case AckResult::Error::Timeout:
        // The answer may still be on its way, or the connection is dying; the same clientId
        // makes a second send harmless.
        outboxTimer.start(0);
        return;
    default:
        return; // Disconnected / NotConnected: sent again after the next connect
    }
    const QVariantMap reply = result.reply();
    if (reply.value(QStringLiteral("ok")).toBool()) {
        Message message
            = messageFromJson(VariantJson::toJson(reply.value(QStringLiteral("message"))));
        outbox->remove(clientId);
        Q_EMIT q->pendingMessageCountChanged();
        qCDebug(Log::client) << "outbox: message acknowledged, seq" << message.seq;
        Q_EMIT q->messageAcked(clientId, message);
        return;
    }
    const auto [code, message] = ackError(reply);
    if (isFinalRefusal(code)) {
        refuse(clientId, code, message);
        return;
    }
    qint64 wait = 1000;
    if (code == QLatin1String("rate_limited")) {
        const QVariantMap error = reply.value(QStringLiteral("error")).toMap();
        wait = qMax<qint64>(1, error.value(QStringLiteral("retryAfterMs"), 1000).toLongLong());
    } else if (code == QLatin1String("not_joined")) {
        readyRooms.remove(roomId);
        joinNow(roomId);
        return;
    }
    qCDebug(Log::client) << "outbox: retrying in" << wait << "ms after" << code;
    holdUntil[roomId] = QDateTime::currentMSecsSinceEpoch() + wait;
    scheduleOutboxTimer();
}

void Client::Private::refuse(const QUuid &clientId, const QString &code, const QString &message)
{
    if (!outbox || !outbox->remove(clientId))
        return;
    qCInfo(Log::client) << "outbox: message refused:" << code;
    Q_EMIT q->pendingMessageCountChanged();
    Q_EMIT q->messageRefused(clientId, code, message);
}

// ---------------------------------------------------------------------------------------------
// Client

Client::Client(QObject *parent) : QObject(parent), d(std::make_unique<Private>(this))
{
    d->directory = new RoomDirectory(this);
    connect(d->directory, &RoomDirectory::userChanged, this, &Client::userChanged);
    connect(d->directory, &RoomDirectory::limitsChanged, this, &Client::limitsChanged);
    connect(d->directory, &RoomDirectory::onlineUsersChanged, this, &Client::onlineUsersChanged);
    connect(d->directory, &RoomDirectory::presenceChanged, this, &Client::presenceChanged);
}

Client::~Client()
{
    d->teardown(QStringLiteral("io client disconnect"));
    auto waiters = std::move(d->joinWaiters);
    for (auto &[room, promise] : waiters) {
        promise->addResult(AckResult::failure(
            AckResult::Error::Disconnected, QStringLiteral("The client was destroyed")));
        promise->finish();
    }
}

QUrl Client::url() const
{
    return d->urls.value(d->urlIndex);
}

QList<QUrl> Client::urls() const
{
    return d->urls;
}

void Client::setUrl(const QUrl &url)
{
    setUrls({ url });
}

void Client::setUrls(const QList<QUrl> &urls)
{
    if (d->urls == urls)
        return;
    d->urls = urls;
    d->urlIndex = 0;
    Q_EMIT urlChanged();
}

QUrl Client::endpointUrl(const QUrl &input)
{
    QUrl url = input;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    else if (scheme == QLatin1String("ws") || scheme == QLatin1String("wss"))
        url.setScheme(scheme);
    else
        return {};
    if (url.host().isEmpty() || !url.isValid())
        return {};
    QString path = url.path();
    if (path.isEmpty() || path == QLatin1String("/"))
        path = QStringLiteral("/socket.io/");
    else if (!path.endsWith(QLatin1Char('/')))
        path += QLatin1Char('/'); // servers match the prefix with the slash; without, no answer
    url.setPath(path);
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("EIO"));
    query.removeAllQueryItems(QStringLiteral("transport"));
    query.addQueryItem(QStringLiteral("EIO"), QStringLiteral("4"));
    query.addQueryItem(QStringLiteral("transport"), QStringLiteral("websocket"));
    url.setQuery(query);
    url.setFragment(QString());
    return url;
}

void Client::setToken(const QString &token)
{
    d->token = token;
    d->tokenProvider = nullptr;
}

void Client::setTokenProvider(TokenProvider provider)
{
    d->tokenProvider = std::move(provider);
}

void Client::setAuthExtras(const QVariantMap &extras)
{
    d->authExtras = extras;
}

ReconnectPolicy Client::reconnectPolicy() const
{
    return d->policy;
}

void Client::setReconnectPolicy(const ReconnectPolicy &policy)
{
    d->policy = policy;
}

int Client::connectTimeout() const
{
    return d->connectTimeout;
}

void Client::setConnectTimeout(int ms)
{
    d->connectTimeout = qMax(1, ms);
}

int Client::requestTimeout() const
{
    return d->requestTimeout;
}

void Client::setRequestTimeout(int ms)
{
    d->requestTimeout = qMax(0, ms);
}

Client::Parser Client::parser() const
{
    return d->parser;
}

void Client::setParser(Parser parser)
{
    d->parser = parser;
}

void Client::addCaCertificates(const QList<QSslCertificate> &certificates)
{
    d->caCertificates += certificates;
}

void Client::setPeerVerification(bool verify)
{
    d->peerVerification = verify;
    if (!verify)
        qCWarning(Log::transport) << "TLS peer verification turned OFF for this client";
}

bool Client::peerVerification() const
{
    return d->peerVerification;
}

void Client::setNetworkReachability(NetworkReachability *source)
{
    d->reachability = source;
    if (source || d->active)
        d->watchReachability();
    if (d->active)
        d->onReachableChanged(d->reachable());
}

bool Client::setOutboxPath(const QString &path)
{
    d->outboxPath = path;
    d->outbox.reset();
    d->inflight.clear();
    const bool ok = d->ensureOutbox();
    Q_EMIT pendingMessageCountChanged();
    if (ok && d->state == State::Connected) {
        d->rejoinAll();
        d->flushOutbox();
    }
    return ok;
}

QString Client::outboxPath() const
{
    return d->outboxPath;
}

int Client::outboxCapacity() const
{
    return d->outboxCapacity;
}

void Client::setOutboxCapacity(int capacity)
{
    d->outboxCapacity = qMax(1, capacity);
    if (d->outbox)
        d->outbox->setCapacity(d->outboxCapacity);
}

Client::State Client::state() const
{
    return d->state;
}

Client::Error Client::error() const
{
    return d->error;
}

QString Client::errorString() const
{
    return d->errorString;
}

int Client::reconnectAttempt() const
{
    return d->attempt;
}

int Client::nextRetryIn() const
{
    return d->nextRetryIn;
}

bool Client::isActive() const
{
    return d->active;
}

bool Client::isRecovered() const
{
    return d->recovered;
}

int Client::latency() const
{
    return d->latency;
}

void Client::open()
{
    if (d->state == State::Connecting || d->state == State::Connected)
        return;
    d->watchReachability();
    d->setActive(true);
    d->tokenRefreshTried = false;
    d->setAttempt(0);
    d->ensureOutbox();
    d->beginAttempt();
}

void Client::close()
{
    const bool wasConnected = d->state == State::Connected;
    d->setActive(false);
    d->retryTimer.stop();
    d->setNextRetryIn(0);
    if (wasConnected) {
        auto frames = encodePacket(parserKind(d->parser), PacketType::Disconnect, nullptr);
        if (frames)
            d->transport->sendFrames(frames.value());
        d->transport->close(true);
    }
    d->teardown(QStringLiteral("io client disconnect"));
    d->sendBuffer.clear();
    auto waiters = std::move(d->joinWaiters);
    d->joinWaiters.clear();
    for (auto &[room, promise] : waiters) {
        promise->addResult(AckResult::failure(
            AckResult::Error::NotConnected, QStringLiteral("The client was closed")));
        promise->finish();
    }
    d->setState(State::Disconnected);
}

Client::Error Client::send(const QString &event, const QVariantList &args)
{
    if (d->state == State::Connected) {
        QString message;
        const Error error = d->writeEvent(event, args, std::nullopt, &message);
        if (error != Error::NoError)
            d->raise(error, message);
        return error;
    }
    if (!d->active) {
        d->raise(Error::NotConnected, QStringLiteral("Not connected: %1 was not sent").arg(event));
        return Error::NotConnected;
    }
    if (int(d->sendBuffer.size()) >= d->outboxCapacity) {
        d->raise(Error::OutboxFull, QStringLiteral("Too many events wait for a connection"));
        return Error::OutboxFull;
    }
    d->sendBuffer.emplace_back(event, args);
    return Error::NoError;
}

Client::Error Client::sendVolatile(const QString &event, const QVariantList &args)
{
    if (d->state != State::Connected)
        return Error::NotConnected; // dropping is the point: no error event
    QString message;
    const Error error = d->writeEvent(event, args, std::nullopt, &message);
    if (error == Error::PayloadTooLarge || error == Error::InvalidRequest)
        d->raise(error, message);
    return error;
}

QFuture<AckResult> Client::request(const QString &event, const QVariantList &args, int timeoutMs)
{
    auto promise = std::make_shared<QPromise<AckResult>>();
    promise->start();
    QFuture<AckResult> future = promise->future();
    d->startRequest(event, args, timeoutMs, [promise](const AckResult &r) {
        promise->addResult(r);
        promise->finish();
    });
    return future;
}

void Client::request(
    const QString &event, const QVariantList &args, AckCallback callback, int timeoutMs)
{
    d->startRequest(event, args, timeoutMs, std::move(callback));
}

void Client::setRequestHandler(const QString &event, RequestHandler handler)
{
    if (handler)
        d->requestHandlers.insert(event, std::move(handler));
    else
        d->requestHandlers.remove(event);
}

QFuture<AckResult> Client::joinRoom(const QString &roomId)
{
    auto promise = std::make_shared<QPromise<AckResult>>();
    promise->start();
    QFuture<AckResult> future = promise->future();
    if (!d->rooms.contains(roomId)) {
        d->rooms.append(roomId);
        Q_EMIT joinedRoomsChanged();
    }
    if (d->state == State::Connected && d->readyRooms.contains(roomId)) {
        // Already joined in this connection: ask again for a fresh answer (idempotent).
        d->startRequest(QStringLiteral("room:join"), { roomId }, d->requestTimeout,
            [promise](const AckResult &r) {
                promise->addResult(r);
                promise->finish();
            });
        return future;
    }
    d->joinWaiters.emplace_back(roomId, promise);
    if (!d->active) {
        // Joined at the next open(); the future finishes then.
        return future;
    }
    d->joinNow(roomId);
    return future;
}

QFuture<AckResult> Client::leaveRoom(const QString &roomId)
{
    if (d->rooms.removeAll(roomId) > 0)
        Q_EMIT joinedRoomsChanged();
    d->everJoined.remove(roomId);
    const bool wasReady = d->readyRooms.remove(roomId);
    d->completeJoinWaiters(roomId,
        AckResult::failure(AckResult::Error::NotConnected, QStringLiteral("Left before joining")));
    if (d->state == State::Connected && (wasReady || d->joining.contains(roomId)))
        return request(QStringLiteral("room:leave"), { roomId });
    QPromise<AckResult> promise;
    promise.start();
    AckResult ok;
    ok.args = { QVariantMap { { QStringLiteral("ok"), true } } };
    promise.addResult(ok);
    promise.finish();
    return promise.future();
}

QStringList Client::joinedRooms() const
{
    return d->rooms;
}

QUuid Client::sendMessage(const QString &roomId, const QString &content)
{
    if (!d->ensureOutbox())
        return {};
    if (d->outbox->isFull()) {
        d->raise(Error::OutboxFull,
            QStringLiteral("The outbox is full: %1 messages wait").arg(d->outbox->capacity()));
        return {};
    }
    OutboxEntry entry { QUuid::createUuid(), roomId, content, QDateTime::currentDateTimeUtc() };
    if (!d->outbox->append(entry)) {
        d->raise(Error::OutboxError, d->outbox->errorString());
        return {};
    }
    Q_EMIT pendingMessageCountChanged();
    Message pending;
    pending.roomId = roomId;
    pending.content = content;
    pending.createdAt = entry.createdAt;
    pending.clientId = entry.clientId.toString(QUuid::WithoutBraces);
    pending.status = Message::Status::Pending;
    Q_EMIT messageQueued(entry.clientId, pending);
    if (!d->rooms.contains(roomId)) {
        d->rooms.append(roomId);
        Q_EMIT joinedRoomsChanged();
        d->joinNow(roomId);
    }
    d->flushOutbox();
    return entry.clientId;
}

QList<Message> Client::pendingMessages() const
{
    QList<Message> out;
    if (!d->outbox)
        return out;
    for (const auto &e : d->outbox->entries()) {
        Message m;
        m.roomId = e.roomId;
        m.content = e.content;
        m.createdAt = e.createdAt;
        m.clientId = e.clientId.toString(QUuid::WithoutBraces);
        m.status = Message::Status::Pending;
        out.append(m);
    }
    return out;
}

int Client::pendingMessageCount() const
{
    return d->outbox ? d->outbox->size() : 0;
}

bool Client::discardMessage(const QUuid &clientId)
{
    if (!d->outbox || !d->outbox->remove(clientId))
        return false;
    d->inflight.remove(clientId);
    qCDebug(Log::client) << "outbox: a message was discarded";
    Q_EMIT pendingMessageCountChanged();
    return true;
}

Room *Client::room(const QString &roomId)
{
    return d->directory->room(roomId);
}

QList<Room *> Client::rooms() const
{
    return d->directory->rooms();
}

RoomListModel *Client::roomList() const
{
    return d->directory->roomList();
}

QString Client::userId() const
{
    return d->directory->userId();
}

QString Client::userName() const
{
    return d->directory->userName();
}

int Client::maxContentLength() const
{
    return d->directory->maxContentLength();
}

QStringList Client::onlineUsers() const
{
    return d->directory->onlineUsers();
}

bool Client::isOnline(const QString &userId) const
{
    return d->directory->isOnline(userId);
}

void Client::retryNow()
{
    if (d->state != State::Reconnecting)
        return;
    qCInfo(Log::client) << "retrying now instead of in" << d->nextRetryIn << "ms";
    // The same step as the backoff timer's, only sooner.
    if (d->urls.size() > 1) {
        d->urlIndex = (d->urlIndex + 1) % int(d->urls.size());
        Q_EMIT urlChanged();
    }
    d->beginAttempt();
}

} // namespace Palaver
