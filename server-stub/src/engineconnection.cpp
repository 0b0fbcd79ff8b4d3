// SPDX-License-Identifier: MIT
#include "engineconnection_p.h"
#include "logging_p.h"
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/result.h>

#include <QRandomGenerator>

namespace Palaver::Stub {

namespace {

// A WebSocket that does not finish the closing handshake is cut off after this.
constexpr int CloseGraceMs = 1000;

QString randomId()
{
    QByteArray bytes(15, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(
        reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    bytes[12] = char(QRandomGenerator::system()->generate());
    bytes[13] = char(QRandomGenerator::system()->generate());
    bytes[14] = char(QRandomGenerator::system()->generate());
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding));
}

QLatin1String errorName(const Protocol::Error &error)
{
    const auto name = Protocol::toString(error.code);
    return QLatin1String(name.data(), qsizetype(name.size()));
}

} // namespace

WireFrames toWire(const Protocol::Frames &frames)
{
    WireFrames out;
    out.reserve(qsizetype(frames.size()));
    for (const auto &f : frames) {
        WireFrame w;
        w.binary = f.binary;
        if (f.binary)
            w.bytes = QByteArray(f.bytes.data(), qsizetype(f.bytes.size()));
        else
            w.text = QString::fromUtf8(f.bytes.data(), qsizetype(f.bytes.size()));
        out.append(std::move(w));
    }
    return out;
}

bool isRecoverable(CloseReason reason)
{
    switch (reason) {
    case CloseReason::TransportClose:
    case CloseReason::TransportError:
    case CloseReason::PingTimeout:
    case CloseReason::ForcedClose:
    case CloseReason::ServerShutdown:
        return true;
    case CloseReason::ParseError:
    case CloseReason::ClientNamespaceDisconnect:
        return false;
    }
    return false;
}

EngineConnection::EngineConnection(QWebSocket *socket, const Options &options, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_options(options)
    , m_sid(randomId())
    , m_decoder(options.parser)
{
    m_socket->setParent(this);
    // Qt answers a larger message with close code 1009, as Node's `ws` does.
    m_socket->setMaxAllowedIncomingMessageSize(quint64(m_options.maxPayload));
    m_socket->setMaxAllowedIncomingFrameSize(quint64(m_options.maxPayload));

    connect(m_socket, &QWebSocket::textMessageReceived, this, &EngineConnection::onText);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &EngineConnection::onBinary);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        finish(CloseReason::TransportClose);
        deleteLater();
    });

    m_pingTimer.setSingleShot(true);
    m_pingTimer.setInterval(m_options.pingInterval);
    connect(&m_pingTimer, &QTimer::timeout, this, &EngineConnection::sendPing);
    m_pongTimer.setSingleShot(true);
    m_pongTimer.setInterval(m_options.pingTimeout);
    connect(&m_pongTimer, &QTimer::timeout, this, [this] {
        qCDebug(Log::stub) << "engine" << m_sid << "ping timeout";
        terminate(CloseReason::PingTimeout);
    });
    m_connectTimer.setSingleShot(true);
    m_connectTimer.setInterval(m_options.connectTimeout);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        qCDebug(Log::stub) << "engine" << m_sid << "sent no CONNECT in time";
        terminate(CloseReason::ForcedClose);
    });

    Protocol::Handshake handshake;
    handshake.sid = m_sid.toStdString();
    handshake.pingInterval = m_options.pingInterval;
    handshake.pingTimeout = m_options.pingTimeout;
    handshake.maxPayload = m_options.maxPayload;
    const auto open = Protocol::encodeEngineFrame(
        Protocol::EngineType::Open, Protocol::encodeHandshake(handshake));
    m_socket->sendTextMessage(QString::fromStdString(open));
    m_pingTimer.start();
    m_connectTimer.start();
}

EngineConnection::~EngineConnection() = default;

void EngineConnection::send(const WireFrames &frames)
{
    if (m_closed)
        return;
    for (const auto &f : frames) {
        if (f.binary)
            m_socket->sendBinaryMessage(f.bytes);
        else
            m_socket->sendTextMessage(f.text);
    }
}

void EngineConnection::send(const Protocol::Frames &frames)
{
    send(toWire(frames));
}

void EngineConnection::markConnected()
{
    m_connectTimer.stop();
}

void EngineConnection::terminate(CloseReason reason, QWebSocketProtocol::CloseCode code)
{
    if (m_closed)
        return;
    finish(reason);
    m_socket->close(code);
    QTimer::singleShot(CloseGraceMs, m_socket, &QWebSocket::abort);
}

void EngineConnection::drop()
{
    if (m_closed)
        return;
    finish(CloseReason::TransportClose);
    m_socket->abort();
}

void EngineConnection::setPaused(bool paused)
{
    if (m_paused == paused || m_closed)
        return;
    m_paused = paused;
    m_pongTimer.stop();
    if (paused)
        m_pingTimer.stop();
    else
        m_pingTimer.start();
}

void EngineConnection::finish(CloseReason reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_pingTimer.stop();
    m_pongTimer.stop();
    m_connectTimer.stop();
    Q_EMIT closed(reason);
}

void EngineConnection::sendPing()
{
    if (m_closed || m_paused)
        return;
    m_socket->sendTextMessage(QStringLiteral("2"));
    m_pongTimer.start();
}

void EngineConnection::onText(const QString &message)
{
    if (m_closed || m_paused)
        return;
    const QByteArray bytes = message.toUtf8();
    if (bytes.size() > m_options.maxPayload) {
        terminate(CloseReason::TransportError, QWebSocketProtocol::CloseCodeTooMuchData);
        return;
    }
    const auto frame = Protocol::decodeEngineFrame(
        std::string_view(bytes.constData(), std::size_t(bytes.size())));
    if (!frame) {
        qCDebug(Log::stub) << "engine" << m_sid << "bad frame:" << errorName(frame.error());
        terminate(CloseReason::ParseError, QWebSocketProtocol::CloseCodeProtocolError);
        return;
    }
    switch (frame->type) {
    case Protocol::EngineType::Pong:
        if (m_pongTimer.isActive()) {
            m_pongTimer.stop();
            m_pingTimer.start();
        }
        return;
    case Protocol::EngineType::Message:
        onPacketResult(m_decoder.feedText(frame->data));
        return;
    case Protocol::EngineType::Ping:
        // Engine.IO v4: only the server pings; Node closes on "invalid heartbeat direction".
        qCDebug(Log::stub) << "engine" << m_sid << "invalid heartbeat direction";
        terminate(CloseReason::TransportError, QWebSocketProtocol::CloseCodeProtocolError);
        return;
    case Protocol::EngineType::Close:
        terminate(CloseReason::TransportClose);
        return;
    case Protocol::EngineType::Noop:
        return;
    case Protocol::EngineType::Open:
    case Protocol::EngineType::Upgrade:
        break;
    }
    terminate(CloseReason::ParseError, QWebSocketProtocol::CloseCodeProtocolError);
}

void EngineConnection::onBinary(const QByteArray &message)
{
    if (m_closed || m_paused)
        return;
    if (message.size() > m_options.maxPayload) {
        terminate(CloseReason::TransportError, QWebSocketProtocol::CloseCodeTooMuchData);
        return;
    }
    onPacketResult(
        m_decoder.feedBinary(std::string_view(message.constData(), std::size_t(message.size()))));
}

void EngineConnection::onPacketResult(Protocol::Result<std::optional<Protocol::Packet>> result)
{
    if (!result) {
        qCDebug(Log::stub) << "engine" << m_sid << "bad packet:" << errorName(result.error());
        terminate(CloseReason::ParseError, QWebSocketProtocol::CloseCodeProtocolError);
        return;
    }
    if (result.value())
        Q_EMIT packetReceived(*result.value());
}

} // namespace Palaver::Stub
