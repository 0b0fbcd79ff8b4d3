// SPDX-License-Identifier: MIT
#include "fromstd_p.h"
#include "logging_p.h"
#include "transport_p.h"

#include <QCoreApplication>
#include <QSslError>
#include <QWebSocket>

#include <algorithm>
#include <limits>

namespace Palaver {

using namespace Protocol;

namespace {

//! Whether QWebSocket itself closed because a frame or message went over our caps. Its close
//! code is then 1009, but a server may close with 1009 too (it means our message was too big
//! for it: a lost connection, not a protocol error). Only the reason tells them apart: Qt's own
//! texts, translated as Qt translates them (QtWebSockets 6.4: QWebSocketFrame for one frame,
//! QWebSocketDataProcessor for the sum of the fragments).
bool refusedAsTooBig(const QWebSocket &socket)
{
    if (socket.closeCode() != QWebSocketProtocol::CloseCodeTooMuchData)
        return false;
    const QString reason = socket.closeReason();
    return reason == QCoreApplication::translate("QWebSocketFrame", "Maximum framesize exceeded.")
        || reason
        == QCoreApplication::translate("QWebSocketDataProcessor", "Received message is too big.");
}
} // namespace

Transport::Transport(QObject *parent) : QObject(parent)
{
    m_heartbeat.setSingleShot(true);
    m_heartbeat.setTimerType(Qt::PreciseTimer);
    connect(&m_heartbeat, &QTimer::timeout, this, [this] {
        fail(Failure::PingTimeout,
            QStringLiteral("The server sent no ping for %1 ms")
                .arg(m_handshake.pingInterval + m_handshake.pingTimeout),
            QStringLiteral("ping timeout"));
    });
}

Transport::~Transport()
{
    close();
}

void Transport::open(
    const QUrl &url, ParserKind parser, const QSslConfiguration *ssl, qint64 maxIncomingMessageSize)
{
    close();
    m_maxIncomingMessageSize = maxIncomingMessageSize;
    m_decoder = Decoder(parser);
    m_handshake = {};
    m_opened = false;
    m_failed = false;
    m_tlsError.clear();
    m_deadline = QDeadlineTimer(QDeadlineTimer::Forever);

    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    // The server's own limit is enforced by it; ours guards memory against a hostile peer. The
    // frame cap matters most: without it one huge frame is read whole before the message cap
    // is checked, and a flood of continuation fragments is bounded by the message cap.
    socket->setMaxAllowedIncomingFrameSize(quint64(maxIncomingMessageSize));
    socket->setMaxAllowedIncomingMessageSize(quint64(maxIncomingMessageSize));
    // No TCP_NODELAY to set: QWebSocket sets LowDelayOption on the socket it opens (ws and wss;
    // checked with getsockopt on Qt 6.4.2), and has no API to reach that socket anyway.
    if (ssl)
        socket->setSslConfiguration(*ssl);
    connect(socket, &QWebSocket::textMessageReceived, this, &Transport::onText);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &Transport::onBinary);
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
        &Transport::onSocketError);
    connect(socket, &QWebSocket::disconnected, this, &Transport::onSocketDisconnected);
    connect(socket, &QWebSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        if (!errors.isEmpty())
            m_tlsError = errors.first().errorString();
        qCWarning(Log::transport) << "TLS errors:" << errors.size()
                                  << (errors.isEmpty() ? QString() : errors.first().errorString());
    });
    qCDebug(Log::transport) << "opening" << url.scheme() << url.host() << url.port() << url.path();
    socket->open(url);
}

void Transport::close(bool graceful)
{
    m_heartbeat.stop();
    m_opened = false;
    if (QWebSocket *socket = m_socket) {
        m_socket = nullptr;
        socket->disconnect(this);
        if (graceful && socket->state() == QAbstractSocket::ConnectedState) {
            // Let what was just written (a DISCONNECT) go out, then the close handshake.
            socket->flush();
            socket->close();
            QTimer::singleShot(1000, socket, &QObject::deleteLater);
        } else {
            socket->abort();
            socket->deleteLater();
        }
    }
    m_decoder.reset();
}

qint64 Transport::maxPayload() const
{
    return m_handshake.maxPayload.value_or(1000000);
}

bool Transport::sendFrames(const Frames &frames)
{
    if (!m_socket || !m_opened || m_failed)
        return false;
    // Timers freeze while the machine sleeps; the deadline does not. A dead peer must not
    // swallow what we send next (socket.io-client's _hasPingExpired()).
    if (m_deadline.hasExpired()) {
        QTimer::singleShot(0, this, [this] {
            fail(Failure::PingTimeout,
                QStringLiteral("The heartbeat deadline passed before a send"),
                QStringLiteral("ping timeout"));
        });
        return false;
    }
    for (const auto &frame : frames) {
        if (frame.binary)
            m_socket->sendBinaryMessage(
                QByteArray(frame.bytes.data(), qsizetype(frame.bytes.size())));
        else
            m_socket->sendTextMessage(fromStd(frame.bytes));
    }
    return true;
}

void Transport::armHeartbeat()
{
    // Both come from the server: a huge pair must mean "a long time", not overflow (UB).
    const qint64 ms
        = m_handshake.pingInterval > std::numeric_limits<qint64>::max() - m_handshake.pingTimeout
        ? std::numeric_limits<qint64>::max()
        : m_handshake.pingInterval + m_handshake.pingTimeout;
    m_deadline.setRemainingTime(ms, Qt::PreciseTimer);
    m_heartbeat.start(int(std::clamp<qint64>(ms, 1, std::numeric_limits<int>::max())));
}

void Transport::onText(const QString &message)
{
    if (m_failed)
        return;
    const std::string_view utf8 = toUtf8(message);
    auto decoded = decodeEngineFrame(utf8);
    if (!decoded) {
        fail(Failure::ProtocolError,
            QStringLiteral("Invalid Engine.IO frame: ") + fromStd(decoded.error().message),
            QStringLiteral("parse error"));
        return;
    }
    const EnginePacket packet = decoded.value();
    if (!m_opened) {
        if (packet.type != EngineType::Open) {
            fail(Failure::ProtocolError,
                QStringLiteral("The server did not start with an Engine.IO OPEN packet"),
                QStringLiteral("parse error"));
            return;
        }
        auto handshake = parseHandshake(packet.data);
        if (!handshake) {
            fail(Failure::ProtocolError,
                QStringLiteral("Invalid Engine.IO handshake: ")
                    + fromStd(handshake.error().message),
                QStringLiteral("parse error"));
            return;
        }
        m_handshake = std::move(handshake).value();
        m_opened = true;
        qCDebug(Log::transport) << "engine open: pingInterval" << m_handshake.pingInterval
                                << "pingTimeout" << m_handshake.pingTimeout << "maxPayload"
                                << maxPayload();
        armHeartbeat();
        if (onOpened)
            onOpened(m_handshake);
        return;
    }
    switch (packet.type) {
    case EngineType::Ping:
        armHeartbeat();
        if (m_socket)
            m_socket->sendTextMessage(QStringLiteral("3"));
        return;
    case EngineType::Message:
        // A text frame while the Decoder waits for attachments is an error only it reports.
        if (onMessageNew && !m_decoder.awaitingAttachments()) {
            // The encoder always yields well-formed UTF-8 (it replaces lone surrogates).
            MessageNewView view;
            if (decodeMessageNewText(packet.data, view, /*knownUtf8=*/true)) {
                onMessageNew(view, FrameText(message, utf8));
                return;
            }
        }
        deliver(m_decoder.feedText(packet.data));
        return;
    case EngineType::Close:
        fail(Failure::ConnectionLost, QStringLiteral("The server closed the session"),
            QStringLiteral("transport close"));
        return;
    case EngineType::Open:
        fail(Failure::ProtocolError, QStringLiteral("A second Engine.IO OPEN packet"),
            QStringLiteral("parse error"));
        return;
    case EngineType::Pong:
    case EngineType::Upgrade:
    case EngineType::Noop:
        return; // not used over WebSocket; harmless
    }
}

std::string_view Transport::toUtf8(const QString &text)
{
    // Encoding into the same buffer every time saves an allocation per frame; a rare huge frame
    // gets its own, so the buffer never holds on to more than this.
    constexpr qsizetype keep = 1024 * 1024;
    const qsizetype need = m_encoder.requiredSpace(text.size());
    if (!m_bigUtf8.isNull())
        m_bigUtf8 = QByteArray();
    if (need > keep) {
        m_bigUtf8 = text.toUtf8();
        return std::string_view(m_bigUtf8.constData(), size_t(m_bigUtf8.size()));
    }
    if (m_utf8.size() < size_t(need))
        m_utf8.resize(size_t(need));
    const char *end = m_encoder.appendToBuffer(m_utf8.data(), text);
    return std::string_view(m_utf8.data(), size_t(end - m_utf8.data()));
}

void Transport::onBinary(const QByteArray &message)
{
    if (m_failed)
        return;
    if (!m_opened) {
        fail(Failure::ProtocolError, QStringLiteral("Binary frame before the handshake"),
            QStringLiteral("parse error"));
        return;
    }
    deliver(m_decoder.feedBinary(std::string_view(message.constData(), size_t(message.size()))));
}

void Transport::deliver(Result<std::optional<Packet>> &&result)
{
    if (!result) {
        qCWarning(Log::protocol) << "undecodable packet:" << fromStd(toString(result.error().code));
        fail(Failure::ProtocolError,
            QStringLiteral("Invalid Socket.IO packet: ") + fromStd(result.error().message),
            QStringLiteral("parse error"));
        return;
    }
    if (result.value() && onPacket)
        onPacket(std::move(*result.value()));
}

void Transport::onSocketError(QAbstractSocket::SocketError error)
{
    if (m_failed || !m_socket)
        return;
    if (refusedAsTooBig(*m_socket)) {
        failTooBig();
        return;
    }
    const QString text = m_socket->errorString();
    switch (error) {
    case QAbstractSocket::ConnectionRefusedError:
        fail(Failure::ConnectionRefused, text, QStringLiteral("transport error"));
        break;
    case QAbstractSocket::HostNotFoundError:
        fail(Failure::HostNotFound, text, QStringLiteral("transport error"));
        break;
    case QAbstractSocket::NetworkError:
        fail(Failure::ConnectionLost, text, QStringLiteral("transport error"));
        break;
    case QAbstractSocket::SocketTimeoutError:
        fail(Failure::Timeout, text, QStringLiteral("transport error"));
        break;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        fail(Failure::TlsError, m_tlsError.isEmpty() ? text : m_tlsError,
            QStringLiteral("transport error"));
        break;
    case QAbstractSocket::RemoteHostClosedError:
        fail(Failure::ConnectionLost, text, QStringLiteral("transport close"));
        break;
    default:
        if (!m_tlsError.isEmpty())
            fail(Failure::TlsError, m_tlsError, QStringLiteral("transport error"));
        else
            fail(Failure::ConnectionLost, text, QStringLiteral("transport error"));
        break;
    }
}

void Transport::onSocketDisconnected()
{
    if (m_failed)
        return;
    if (!m_tlsError.isEmpty()) {
        fail(Failure::TlsError, m_tlsError, QStringLiteral("transport error"));
        return;
    }
    // QWebSocket may report disconnected() before error(): classify by the socket's error.
    if (m_socket && m_socket->error() != QAbstractSocket::UnknownSocketError
        && m_socket->error() != QAbstractSocket::RemoteHostClosedError) {
        onSocketError(m_socket->error());
        return;
    }
    if (m_socket && refusedAsTooBig(*m_socket)) {
        failTooBig();
        return;
    }
    QString text = QStringLiteral("The connection was closed");
    if (m_socket && m_socket->closeCode() != QWebSocketProtocol::CloseCodeNormal)
        text += QStringLiteral(" (code %1)").arg(int(m_socket->closeCode()));
    fail(Failure::ConnectionLost, text, QStringLiteral("transport close"));
}

void Transport::failTooBig()
{
    fail(Failure::ProtocolError,
        QStringLiteral("The server sent a message larger than the limit of %1 bytes")
            .arg(m_maxIncomingMessageSize),
        QStringLiteral("parse error"));
}

void Transport::fail(Failure failure, const QString &message, const QString &reason)
{
    if (m_failed)
        return;
    m_failed = true;
    qCInfo(Log::transport) << "session ended:" << reason << "-" << message;
    close();
    if (onFailed)
        onFailed(failure, message, reason);
}

} // namespace Palaver
