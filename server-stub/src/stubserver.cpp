// SPDX-License-Identifier: MIT
#include "Palaver/Stub/stubserver.h"

#include "Palaver/Stub/jwtverifier.h"
#include "chatservice_p.h"
#include "demoseed_p.h"
#include "engineconnection_p.h"
#include "logging_p.h"
#include "messagestore_p.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

namespace Palaver::Stub {

class StubServer::Private {
public:
    explicit Private(StubServer *q, StubConfig config) : q(q), config(std::move(config)) { }

    bool listen(const QHostAddress &address, quint16 port);
    void onNewConnection();

    StubServer *q;
    StubConfig config;
    std::unique_ptr<MessageStore> store;
    std::unique_ptr<ChatService> chat;
    std::unique_ptr<QWebSocketServer> server;
    //! Accepts for `server`, so that each socket gets TCP_NODELAY before its upgrade: a
    //! QWebSocket accepted by QWebSocketServer itself keeps Nagle on (Qt 6.4 sets LowDelay only
    //! on the sockets a client opens) and gives no access to its socket. A child of `server`.
    QTcpServer *tcp = nullptr;
    QList<QPointer<EngineConnection>> connections;
    QHostAddress address;
    quint16 port = 0;
    QString error;
    bool paused = false;
    bool refuse = false;
};

StubServer::StubServer(StubConfig config, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>(this, std::move(config)))
{
}

StubServer::~StubServer()
{
    stop();
}

bool StubServer::start()
{
    return start(d->config.host, d->config.port);
}

bool StubServer::start(const QHostAddress &address, quint16 port)
{
    if (isListening())
        return true;
    if (d->config.secret.isEmpty()) {
        d->error = QStringLiteral("no secret configured");
        return false;
    }
    if (!d->store) {
        d->store = std::make_unique<MessageStore>(d->config.dbPath);
    }
    if (!d->store->isOpen() && !d->store->open(&d->error))
        return false;
    if (d->config.demoConversation && !d->chat) {
        // Before the first socket: a client that joins sees the whole seeded page at once.
        const RoomDirectory rooms(d->config.rooms);
        KnownUsers known(d->store.get(), &rooms);
        if (!seedDemoConversation(*d->store, d->config.rooms, known)) {
            d->error = QStringLiteral("cannot store the demo conversation");
            return false;
        }
    }
    if (!d->chat) {
        d->chat = std::make_unique<ChatService>(d->config, d->store.get());
        connect(d->chat.get(), &ChatService::socketConnected, this, &StubServer::socketConnected);
        connect(
            d->chat.get(), &ChatService::socketDisconnected, this, &StubServer::socketDisconnected);
    }
    return d->listen(address, port);
}

bool StubServer::Private::listen(const QHostAddress &addr, quint16 wanted)
{
    server = std::make_unique<QWebSocketServer>(
        QStringLiteral("palaver-stub"), QWebSocketServer::NonSecureMode);
    QObject::connect(
        server.get(), &QWebSocketServer::newConnection, q, [this] { onNewConnection(); });
    tcp = new QTcpServer(server.get());
    QObject::connect(tcp, &QTcpServer::newConnection, q, [this] {
        while (QTcpSocket *socket = tcp->nextPendingConnection()) {
            // Nagle holds a small frame (an ack, a message:new) while an earlier one is not
            // yet acknowledged: up to the peer's delayed ACK, ~40 ms on Linux.
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            server->handleConnection(socket);
        }
    });
    if (!tcp->listen(addr, wanted)) {
        error = tcp->errorString();
        tcp = nullptr;
        server.reset();
        return false;
    }
    address = addr;
    port = tcp->serverPort();
    qCInfo(Log::stub) << "listening on" << address.toString() << port;
    return true;
}

void StubServer::Private::onNewConnection()
{
    while (QWebSocket *socket = server->nextPendingConnection()) {
        if (refuse) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        // Engine.IO's URL: the path (with its trailing slash), EIO=4, transport=websocket.
        const QUrl url = socket->requestUrl();
        const QUrlQuery query(url);
        if (url.path() != config.path) {
            qCDebug(Log::stub) << "refused a connection to an unknown path";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        if (query.queryItemValue(QStringLiteral("EIO")) != QLatin1String("4")
            || query.queryItemValue(QStringLiteral("transport")) != QLatin1String("websocket")) {
            qCDebug(Log::stub) << "refused a connection: unsupported protocol version or transport";
            socket->close(QWebSocketProtocol::CloseCodeProtocolError);
            QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            // The closing handshake may never finish (a peer that does not answer, or a close
            // already done): cut it off and free it, as EngineConnection does.
            QTimer::singleShot(1000, socket, [socket] {
                socket->abort();
                socket->deleteLater();
            });
            continue;
        }
        EngineConnection::Options options;
        options.parser = config.parser == StubConfig::Parser::Msgpack
            ? Protocol::ParserKind::Msgpack
            : Protocol::ParserKind::Json;
        options.pingInterval = config.pingInterval;
        options.pingTimeout = config.pingTimeout;
        options.connectTimeout = config.connectTimeout;
        options.maxPayload = config.maxPayload;
        auto *connection = new EngineConnection(socket, options);
        chat->attach(connection);
        connections.append(connection);
        QObject::connect(connection, &QObject::destroyed, q, [this] {
            connections.removeAll(nullptr);
            Q_EMIT q->connectionClosed();
        });
        if (paused)
            connection->setPaused(true);
    }
}

void StubServer::stop()
{
    if (d->server) {
        d->tcp->close();
        d->server->close();
        d->tcp = nullptr;
        d->server.reset();
    }
    const auto connections = d->connections;
    for (const auto &c : connections) {
        if (c) {
            c->terminate(CloseReason::ServerShutdown, QWebSocketProtocol::CloseCodeGoingAway);
            // The process may be about to exit: do not wait for the closing handshake.
            delete c.data();
        }
    }
    d->connections.clear();
    d->chat.reset();
    // An in-memory database lives as long as its connection: keep it for restart().
    if (d->store && d->config.dbPath != QLatin1String(":memory:"))
        d->store->close();
}

bool StubServer::restart()
{
    const QHostAddress address = d->address;
    const quint16 port = d->port;
    stop();
    return start(address, port);
}

bool StubServer::isListening() const
{
    return d->tcp && d->tcp->isListening();
}

quint16 StubServer::serverPort() const
{
    return isListening() ? d->tcp->serverPort() : 0;
}

QHostAddress StubServer::serverAddress() const
{
    return isListening() ? d->tcp->serverAddress() : QHostAddress();
}

QUrl StubServer::url() const
{
    QUrl u;
    u.setScheme(QStringLiteral("ws"));
    const QHostAddress a = serverAddress();
    u.setHost(a.isNull() || a == QHostAddress::Any || a == QHostAddress::AnyIPv4
            ? QStringLiteral("127.0.0.1")
            : a.toString());
    u.setPort(serverPort());
    return u;
}

QString StubServer::errorString() const
{
    return d->error;
}

const StubConfig &StubServer::config() const
{
    return d->config;
}

int StubServer::socketCount() const
{
    return d->chat ? d->chat->socketCount() : 0;
}

int StubServer::connectionCount() const
{
    int n = 0;
    for (const auto &c : d->connections)
        n += (c && !c->isClosed()) ? 1 : 0;
    return n;
}

int StubServer::dropClient(const QString &id)
{
    return d->chat ? d->chat->drop(id) : 0;
}

void StubServer::setPingsPaused(bool paused)
{
    d->paused = paused;
    for (const auto &c : std::as_const(d->connections)) {
        if (c)
            c->setPaused(paused);
    }
}

void StubServer::setRefuseConnections(bool refuse)
{
    d->refuse = refuse;
}

QByteArray StubServer::makeToken(const QString &userId, const QString &name, qint64 ttlSecs) const
{
    return JwtVerifier::mint(d->config.secret, userId, name, ttlSecs);
}

} // namespace Palaver::Stub
