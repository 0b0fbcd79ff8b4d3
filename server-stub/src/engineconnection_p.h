// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>

#include <QList>
#include <QObject>
#include <QTimer>
#include <QWebSocket>

namespace Palaver::Stub {

//! One outgoing WebSocket message, converted once so a broadcast shares it between sockets.
struct WireFrame {
    bool binary = false;
    QString text;
    QByteArray bytes;
};
using WireFrames = QList<WireFrame>;
WireFrames toWire(const Protocol::Frames &frames);

//! Why an Engine.IO connection ended (socket.io's disconnect reasons, the ones the stub meets).
enum class CloseReason {
    TransportClose, //!< the client closed the WebSocket, or it went away
    TransportError, //!< e.g. a client ping ("invalid heartbeat direction"), too large a frame
    PingTimeout,
    ParseError, //!< a frame or packet the codec refused
    ForcedClose, //!< the server closed it (a protocol violation, no CONNECT in time)
    ClientNamespaceDisconnect,
    ServerShutdown,
};

//! Whether socket.io would keep the session for connection state recovery.
bool isRecoverable(CloseReason reason);

//! The Engine.IO v4 side of one WebSocket: the OPEN handshake, the server-driven heartbeat,
//! frame limits and the Socket.IO packet decoder. Bad input closes this connection only.
class EngineConnection : public QObject {
    Q_OBJECT
public:
    struct Options {
        Protocol::ParserKind parser = Protocol::ParserKind::Json;
        int pingInterval = 25000;
        int pingTimeout = 20000;
        int connectTimeout = 45000;
        qint64 maxPayload = 1000000;
    };

    //! Takes ownership of `socket`, sends OPEN and starts the timers.
    EngineConnection(QWebSocket *socket, const Options &options, QObject *parent = nullptr);
    ~EngineConnection() override;

    QString sid() const { return m_sid; }
    bool isClosed() const { return m_closed; }

    void send(const WireFrames &frames);
    void send(const Protocol::Frames &frames);
    //! The Socket.IO CONNECT succeeded: the connect timeout no longer applies.
    void markConnected();
    //! Closes with a WebSocket close code and reports `reason` once.
    void terminate(CloseReason reason,
        QWebSocketProtocol::CloseCode code = QWebSocketProtocol::CloseCodeNormal);
    //! Drops the TCP connection without a close handshake (tests break things on purpose).
    void drop();
    //! Stalls the connection: no pings go out, nothing that comes in is answered.
    void setPaused(bool paused);

Q_SIGNALS:
    void packetReceived(const Palaver::Protocol::Packet &packet);
    void closed(Palaver::Stub::CloseReason reason);

private:
    void onText(const QString &message);
    void onBinary(const QByteArray &message);
    void onPacketResult(Protocol::Result<std::optional<Protocol::Packet>> result);
    void sendPing();
    void finish(CloseReason reason);

    QWebSocket *m_socket;
    Options m_options;
    QString m_sid;
    Protocol::Decoder m_decoder;
    QTimer m_pingTimer;
    QTimer m_pongTimer;
    QTimer m_connectTimer;
    bool m_closed = false;
    bool m_paused = false;
};

} // namespace Palaver::Stub
