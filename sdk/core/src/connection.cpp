// SPDX-License-Identifier: MIT
#include "client_p.h"
#include "connection_p.h"
#include "fromstd_p.h"
#include "logging_p.h"
#include "networkmonitor_p.h"
#include "roomdirectory_p.h"
#include "variantjson_p.h"
#include <Palaver/networkreachability.h>

#include <QSslConfiguration>

namespace Palaver {

using namespace Protocol;

namespace {

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

Client::Error errorOf(Transport::Failure failure)
{
    switch (failure) {
    case Transport::Failure::ConnectionRefused:
        return Client::Error::ConnectionRefused;
    case Transport::Failure::HostNotFound:
        return Client::Error::HostNotFound;
    case Transport::Failure::ConnectionLost:
        return Client::Error::ConnectionLost;
    case Transport::Failure::Timeout:
        return Client::Error::Timeout;
    case Transport::Failure::PingTimeout:
        return Client::Error::PingTimeout;
    case Transport::Failure::ProtocolError:
        return Client::Error::ProtocolError;
    case Transport::Failure::TlsError:
        return Client::Error::TlsError;
    }
    return Client::Error::ConnectionLost;
}

} // namespace

Connection::Connection(ClientCore &d) : d(d), q(d.q)
{
    transport = new Transport(q);
    m_connectTimer.setSingleShot(true);
    m_retryTimer.setSingleShot(true);
    m_stableTimer.setSingleShot(true);

    transport->onOpened = [this](const Handshake &) { onOpened(); };
    transport->onPacket = [this](Packet &&packet) { onPacket(std::move(packet)); };
    transport->onMessageNew = [this](const MessageNewView &view, const FrameText &frame) {
        this->d.events.onMessageNew(view, frame);
    };
    transport->onFailed
        = [this](Transport::Failure failure, const QString &message, const QString &reason) {
              onTransportFailed(failure, message, reason);
          };
    QObject::connect(&m_connectTimer, &QTimer::timeout, q, [this] {
        connectionLost(Error::Timeout,
            QStringLiteral("No connection within %1 ms").arg(connectTimeout),
            QStringLiteral("connect timeout"));
    });
    QObject::connect(&m_retryTimer, &QTimer::timeout, q, [this] {
        rotateUrl();
        beginAttempt();
    });
    // A connection that stayed up this long was not a flap: the next failure starts the
    // backoff from the beginning.
    QObject::connect(&m_stableTimer, &QTimer::timeout, q, [this] { setAttempt(0); });
}

Connection::~Connection() = default;

ParserKind Connection::parserKind() const
{
    return parser == Client::Parser::MessagePack ? ParserKind::Msgpack : ParserKind::Json;
}

// ---------------------------------------------------------------------------------------------
// The one transition point, and the other properties

void Connection::setState(State newState)
{
    if (state == newState)
        return;
    const State old = state;
    state = newState;
    qCInfo(Log::client) << "state" << old << "->" << newState;
    Q_EMIT q->stateChanged(newState);
    if (old == State::Connected)
        Q_EMIT q->disconnected(m_disconnectReason);
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

void Connection::raise(Error code, const QString &message)
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

void Connection::clearError()
{
    if (error == Error::NoError && errorString.isEmpty())
        return;
    error = Error::NoError;
    errorString.clear();
    Q_EMIT q->errorChanged();
}

void Connection::setAttempt(int value)
{
    if (attempt == value)
        return;
    attempt = value;
    Q_EMIT q->reconnectAttemptChanged();
}

void Connection::setNextRetryIn(int ms)
{
    if (nextRetryIn == ms)
        return;
    nextRetryIn = ms;
    Q_EMIT q->nextRetryInChanged();
}

void Connection::setActive(bool value)
{
    if (active == value)
        return;
    active = value;
    Q_EMIT q->activeChanged();
}

void Connection::setRecovered(bool value)
{
    if (recovered == value)
        return;
    recovered = value;
    Q_EMIT q->recoveredChanged();
}

void Connection::setLatency(int ms)
{
    if (latency == ms)
        return;
    latency = ms;
    Q_EMIT q->latencyChanged();
}

void Connection::noteOffset(std::string_view at)
{
    if (!m_pid.empty())
        m_offset = std::string(at);
}

// ---------------------------------------------------------------------------------------------
// Reachability

bool Connection::reachable() const
{
    return m_reachability ? m_reachability->isReachable() : true;
}

void Connection::setReachability(NetworkReachability *source)
{
    m_reachability = source;
    if (source || active)
        watchReachability();
    if (active)
        onReachableChanged(reachable());
}

void Connection::watchReachability()
{
    QObject::disconnect(m_reachabilityConnection);
    if (!m_reachability) {
        if (!m_systemReachability)
            m_systemReachability = new SystemReachability(q);
        m_reachability = m_systemReachability;
    }
    m_reachabilityConnection = QObject::connect(m_reachability,
        &NetworkReachability::reachableChanged, q, [this](bool r) { onReachableChanged(r); });
}

void Connection::onReachableChanged(bool isReachable)
{
    qCInfo(Log::client) << "network" << (isReachable ? "reachable" : "unreachable");
    if (!isReachable) {
        if (state == State::Connecting || state == State::Connected
            || state == State::Reconnecting) {
            raise(Error::NetworkUnreachable, QStringLiteral("The network is unreachable"));
            m_disconnectReason = QStringLiteral("transport close");
            goOffline();
        }
        return;
    }
    if (state == State::Offline && active)
        beginAttempt(); // at once: the backoff was for a server that failed, not for the network
}

// ---------------------------------------------------------------------------------------------
// Opening and closing on request

void Connection::open()
{
    if (state == State::Connecting || state == State::Connected)
        return;
    watchReachability();
    setActive(true);
    m_tokenRefreshTried = false;
    setAttempt(0);
    d.outbox.ensure();
    beginAttempt();
}

void Connection::close()
{
    const bool wasConnected = state == State::Connected;
    setActive(false);
    m_retryTimer.stop();
    setNextRetryIn(0);
    if (wasConnected) {
        auto frames = encodePacket(parserKind(), PacketType::Disconnect, nullptr);
        if (frames)
            transport->sendFrames(frames.value());
        transport->close(true);
    }
    teardown(QStringLiteral("io client disconnect"));
    d.requests.dropBuffered();
    d.rooms->failWaiters(AckResult::Error::NotConnected, QStringLiteral("The client was closed"));
    setState(State::Disconnected);
}

void Connection::shutdown()
{
    teardown(QStringLiteral("io client disconnect"));
    d.rooms->failWaiters(
        AckResult::Error::Disconnected, QStringLiteral("The client was destroyed"));
}

void Connection::retryNow()
{
    if (state != State::Reconnecting)
        return;
    qCInfo(Log::client) << "retrying now instead of in" << nextRetryIn << "ms";
    rotateUrl(); // the same step as the backoff timer's, only sooner
    beginAttempt();
}

// ---------------------------------------------------------------------------------------------
// One attempt

void Connection::rotateUrl()
{
    if (urls.size() > 1) {
        urlIndex = (urlIndex + 1) % int(urls.size());
        Q_EMIT q->urlChanged();
    }
}

void Connection::beginAttempt()
{
    m_retryTimer.stop();
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
    m_connectTimer.start(connectTimeout);
    if (!tokenProvider) {
        openSocket(token);
        return;
    }
    const quint64 gen = generation;
    QPointer<Client> guard(q);
    tokenProvider([guard, gen, this](const QString &fresh) {
        if (!guard)
            return;
        // Providers may answer from any thread; the Client only ever works on its own.
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, gen, fresh, this] {
                if (!guard || generation != gen || state != State::Connecting
                    || transport->isOpen())
                    return; // a newer attempt, or the Client moved on
                openSocket(fresh);
            },
            Qt::QueuedConnection);
    });
}

void Connection::openSocket(const QString &useToken)
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
    d.followAccount(); // a provider's token may be the first to name the account
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
    transport->open(endpoint, parserKind(), ssl ? &*ssl : nullptr, maxIncomingMessageSize);
}

void Connection::onOpened()
{
    // CONNECT auth: recovery fields under the user's, so a user key with the same name wins.
    nlohmann::json auth = nlohmann::json::object();
    if (!m_pid.empty() && m_offset) {
        auth["pid"] = m_pid;
        auth["offset"] = *m_offset;
    }
    for (auto it = authExtras.begin(); it != authExtras.end(); ++it)
        auth[it.key().toStdString()] = VariantJson::toJson(it.value());
    if (!token.isNull())
        auth["token"] = token.toStdString();
    auto frames = encodePacket(parserKind(), PacketType::Connect, auth);
    if (!frames) {
        connectionLost(Error::ProtocolError,
            QStringLiteral("Cannot encode the CONNECT packet: ") + fromStd(frames.error().message),
            QStringLiteral("parse error"));
        return;
    }
    if (!transport->sendFrames(frames.value()))
        return; // the transport reports why
    qCDebug(Log::protocol) << "CONNECT sent" << (auth.contains("pid") ? "with recovery" : "");
}

void Connection::onPacket(Packet &&packet)
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
        d.events.onEvent(std::move(packet));
        return;
    case PacketType::Ack:
    case PacketType::BinaryAck:
        d.requests.onAck(packet);
        return;
    }
}

void Connection::onConnectAck(const Packet &packet)
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
    const bool wasRecovered = !m_pid.empty() && !newPid.empty() && newPid == m_pid;
    if (!wasRecovered)
        m_offset.reset(); // a fresh session: old offsets mean nothing to it
    m_pid = newPid;
    m_connectTimer.stop();
    clearError();
    m_tokenRefreshTried = false;
    setRecovered(wasRecovered);
    qCInfo(Log::client) << "connected" << (wasRecovered ? "(session recovered)" : "");

    const quint64 gen = generation;
    // What the server replayed (recovery) first, then what send() buffered, like
    // socket.io-client's sendBuffer.
    if (!d.events.releaseEarly() || generation != gen || state != State::Connecting)
        return; // a handler closed the Client
    d.requests.flushBuffered();
    m_stableTimer.start(policy.maxDelay());
    setState(State::Connected);
    if (generation != gen || state != State::Connected)
        return;
    d.rooms->onConnected();
}

void Connection::onConnectError(const Packet &packet)
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
    Error refused = Error::ConnectionRejected;
    if (code == QLatin1String("auth_required"))
        refused = Error::AuthRequired;
    else if (code == QLatin1String("invalid_token"))
        refused = Error::InvalidToken;
    else if (code == QLatin1String("token_expired"))
        refused = Error::TokenExpired;
    if (!code.isEmpty())
        message += QStringLiteral(" (%1)").arg(code);
    qCWarning(Log::client) << "connection refused by the server:" << refused;
    teardown(QStringLiteral("connect error"));
    if (refused == Error::TokenExpired && tokenProvider && !m_tokenRefreshTried && active) {
        // One fresh token, one retry: an expired token is the one refusal a refresh can fix.
        m_tokenRefreshTried = true;
        raise(refused, message);
        beginAttempt();
        return;
    }
    giveUp(refused, message);
}

// ---------------------------------------------------------------------------------------------
// Losing the connection, and what comes next

void Connection::onTransportFailed(
    Transport::Failure failure, const QString &message, const QString &reason)
{
    connectionLost(errorOf(failure), message, reason);
}

void Connection::abandonSession(const QString &message)
{
    m_pid.clear();
    m_offset.reset();
    connectionLost(Error::ProtocolError, message, QStringLiteral("parse error"));
}

void Connection::teardown(const QString &why)
{
    m_disconnectReason = why;
    transport->close();
    m_connectTimer.stop();
    m_stableTimer.stop();
    d.events.dropEarly();
    d.outbox.onDisconnected();
    d.rooms->onConnectionLost();
    d.requests.failAll(why);
}

void Connection::connectionLost(Error code, const QString &message, const QString &reason)
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

void Connection::scheduleReconnect()
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
    m_retryTimer.start(delay);
    qCInfo(Log::client) << "reconnecting in" << delay << "ms, attempt" << next;
    setState(State::Reconnecting);
}

void Connection::goOffline()
{
    if (state == State::Connecting || state == State::Connected)
        teardown(
            m_disconnectReason.isEmpty() ? QStringLiteral("transport close") : m_disconnectReason);
    m_retryTimer.stop();
    setNextRetryIn(0);
    setState(State::Offline);
}

void Connection::giveUp(Error code, const QString &message)
{
    if (state == State::Connecting || state == State::Connected)
        teardown(QStringLiteral("gave up"));
    m_retryTimer.stop();
    setNextRetryIn(0);
    setActive(false);
    raise(code, message);
    // Joins that waited for a connection will not get one.
    d.rooms->failWaiters(AckResult::Error::NotConnected, message);
    setState(State::Failed);
}

} // namespace Palaver
