// SPDX-License-Identifier: MIT
#include "rawserver.h"

#include <Palaver/Protocol/engineio.h>

#include <QWebSocket>

using namespace Palaver::Protocol;

RawServer::RawServer(QWebSocketServer::SslMode mode, QObject *parent)
    : QObject(parent), m_server(QStringLiteral("raw"), mode)
{
    clock.start();
    connect(&m_server, &QWebSocketServer::newConnection, this, &RawServer::onNewConnection);
    connect(&m_pingTimer, &QTimer::timeout, this, [this] {
        if (m_pingsPaused)
            return;
        for (auto *s : std::as_const(m_sockets))
            s->sendTextMessage(QStringLiteral("2"));
    });
}

RawServer::~RawServer()
{
    close();
}

bool RawServer::listen(quint16 port)
{
    return m_server.listen(QHostAddress::LocalHost, port);
}

void RawServer::close()
{
    m_server.close();
    dropAll();
}

quint16 RawServer::port() const
{
    return m_server.serverPort();
}

QUrl RawServer::url() const
{
    QUrl u;
    const bool secure = m_server.secureMode() == QWebSocketServer::SecureMode;
    u.setScheme(secure ? QStringLiteral("wss") : QStringLiteral("ws"));
    u.setHost(secure ? QStringLiteral("localhost") : QStringLiteral("127.0.0.1"));
    u.setPort(m_server.serverPort());
    return u;
}

void RawServer::setPingsPaused(bool paused)
{
    m_pingsPaused = paused;
}

void RawServer::dropAll()
{
    const auto sockets = m_sockets;
    m_sockets.clear();
    for (auto *s : sockets) {
        m_decoders.erase(s);
        s->disconnect(this);
        s->abort();
        s->deleteLater();
    }
}

void RawServer::onNewConnection()
{
    while (auto *socket = m_server.nextPendingConnection()) {
        ++connectionCount;
        connectionTimes.append(clock.elapsed());
        m_sockets.append(socket);
        m_decoders.emplace(socket, Decoder(parser));
        connect(socket, &QWebSocket::textMessageReceived, this,
            [this, socket](const QString &t) { onText(socket, t); });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, socket](const QByteArray &b) { onBinary(socket, b); });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            m_sockets.removeAll(socket);
            m_decoders.erase(socket);
            socket->deleteLater();
        });
        if (sendOpen) {
            Handshake h;
            h.sid = "raw" + std::to_string(++m_sidCounter);
            h.pingInterval = pingInterval;
            h.pingTimeout = pingTimeout;
            h.maxPayload = maxPayload;
            socket->sendTextMessage(
                QStringLiteral("0") + QString::fromStdString(encodeHandshake(h)));
            if (!m_pingTimer.isActive() || m_pingTimer.interval() != pingInterval)
                m_pingTimer.start(pingInterval);
        }
        Q_EMIT clientConnected(socket);
    }
}

void RawServer::onText(QWebSocket *socket, const QString &text)
{
    textFrames.append(text);
    if (text == QLatin1String("3")) {
        ++pongs;
        return;
    }
    if (text.startsWith(QLatin1Char('2'))) {
        ++clientPings;
        return;
    }
    if (!text.startsWith(QLatin1Char('4')))
        return;
    const std::string data = text.mid(1).toStdString();
    auto it = m_decoders.find(socket);
    if (it == m_decoders.end())
        return;
    auto r = it->second.feedText(data);
    if (r && r.value())
        handlePacket(socket, std::move(*r.value()));
}

void RawServer::onBinary(QWebSocket *socket, const QByteArray &bytes)
{
    auto it = m_decoders.find(socket);
    if (it == m_decoders.end())
        return;
    auto r = it->second.feedBinary(std::string_view(bytes.constData(), size_t(bytes.size())));
    if (r && r.value())
        handlePacket(socket, std::move(*r.value()));
}

void RawServer::handlePacket(QWebSocket *socket, Packet &&packet)
{
    auto data = packetData(packet);
    const nlohmann::json value = data ? data.value() : nlohmann::json();
    switch (packet.type) {
    case PacketType::Connect: {
        ++connectCount;
        auths.append(value);
        nlohmann::json refusal = authorize ? authorize(socket, value) : nlohmann::json::object();
        if (!refusal.empty()) {
            auto f = encodePacket(parser, PacketType::ConnectError, refusal);
            if (f)
                sendFrames(socket, f.value());
            return;
        }
        if (!answerConnect)
            return;
        nlohmann::json ack { { "sid", "s" + std::to_string(connectCount) } };
        if (recovery) {
            if (lastPid.empty() || !value.contains("pid") || value["pid"] != lastPid)
                lastPid = "pid-" + std::to_string(connectCount);
            ack["pid"] = lastPid;
        }
        auto f = encodePacket(parser, PacketType::Connect, ack);
        if (f)
            sendFrames(socket, f.value());
        Q_EMIT namespaceConnected(socket);
        if (onConnected)
            onConnected(socket);
        return;
    }
    case PacketType::Event:
    case PacketType::BinaryEvent:
        if (value.is_array() && !value.empty() && value[0].is_string())
            Q_EMIT eventReceived(QString::fromStdString(value[0].get<std::string>()));
        if (onEvent)
            onEvent(socket, value, packet.id);
        return;
    case PacketType::Ack:
    case PacketType::BinaryAck:
        if (onAck && packet.id)
            onAck(socket, value, *packet.id);
        return;
    default:
        return;
    }
}

void RawServer::sendFrames(QWebSocket *socket, const Frames &frames)
{
    for (const auto &f : frames) {
        if (f.binary)
            socket->sendBinaryMessage(QByteArray(f.bytes.data(), qsizetype(f.bytes.size())));
        else
            socket->sendTextMessage(QString::fromStdString(f.bytes));
    }
}

void RawServer::sendEvent(QWebSocket *socket, const std::string &name, const nlohmann::json &args,
    std::optional<std::uint64_t> id)
{
    auto f = encodeEvent(parser, name, args, id);
    if (f)
        sendFrames(socket, f.value());
}

void RawServer::sendAck(QWebSocket *socket, std::uint64_t id, const nlohmann::json &args)
{
    auto f = encodePacket(parser, PacketType::Ack, args, id);
    if (f)
        sendFrames(socket, f.value());
}

void RawServer::sendText(QWebSocket *socket, const QString &text)
{
    socket->sendTextMessage(text);
}

void RawServer::sendBinary(QWebSocket *socket, const QByteArray &bytes)
{
    socket->sendBinaryMessage(bytes);
}
