// SPDX-License-Identifier: MIT
#pragma once

#include "frametext_p.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>

#include <QAbstractSocket>
#include <QDeadlineTimer>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QStringEncoder>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <string>
#include <string_view>

class QWebSocket;

namespace Palaver {

//! One Engine.IO v4 session over a QWebSocket: the OPEN handshake, the heartbeat (answer `2`
//! with `3`, never send `2`; the peer is dead after pingInterval + pingTimeout without a `2`,
//! also checked before each send), and the Socket.IO packets in both directions. It reports each
//! session's end once, through onFailed, and then ignores its socket.
class Transport : public QObject {
    Q_OBJECT

public:
    //! Why a session ended. The connection layer maps these to its own errors.
    enum class Failure {
        ConnectionRefused,
        HostNotFound,
        ConnectionLost, //!< closed by the peer or the network
        Timeout, //!< the socket timed out
        PingTimeout, //!< the server stopped pinging
        ProtocolError, //!< not valid Engine.IO/Socket.IO
        TlsError, //!< the certificate could not be verified
    };

    //! The cap on one incoming WebSocket message, and so on one frame. The largest answer the
    //! contract allows is a page of 100 messages (room:history, room:updates; a join has 50).
    //! Content is at most 4000 code points; JSON writes each as at most 6 bytes (a control
    //! character needs a six-byte escape; other code points stay raw UTF-8, at most 4), so
    //! 24,000 bytes. Mentions repeat ids taken from that content (at most 8,000 bytes with
    //! quotes and commas), and the other fields (ids of at most 128 code points, userName,
    //! createdAt, clientId, a replyTo snapshot with a 100-code-point excerpt) stay under 4,000
    //! bytes. 100 x 36,000 = 3.6 MB for a page written to be as large as possible; ordinary
    //! text (at most 4 bytes per code point, nothing escaped) makes at most about 2 MB. 8 MiB
    //! leaves room over the worst case for reactions and a join's member list, and keeps
    //! QWebSocket's buffers (the frame, its UTF-16 text and our UTF-8 copy) to tens of MiB.
    static constexpr int defaultMaxIncomingMessageSize = 8 * 1024 * 1024;

    explicit Transport(QObject *parent = nullptr);
    ~Transport() override;

    std::function<void(const Protocol::Handshake &)> onOpened;
    std::function<void(Protocol::Packet &&)> onPacket;
    //! Every text `message:new` event without an ack id that decodeMessageNewText() accepts
    //! goes here instead of onPacket, whoever listens above: one typed route for the event the
    //! client sees most. The view and the frame live for the call only.
    std::function<void(const Protocol::MessageNewView &, const FrameText &)> onMessageNew;
    //! The session ended: error code, message, and Socket.IO's name for the reason.
    std::function<void(Failure, const QString &, const QString &)> onFailed;

    //! `maxIncomingMessageSize` bounds both the message and each frame: QWebSocket refuses a
    //! frame from its header, before buffering it, and closes with 1009; that is reported as
    //! ProtocolError.
    void open(const QUrl &url, Protocol::ParserKind parser, const QSslConfiguration *ssl,
        qint64 maxIncomingMessageSize = defaultMaxIncomingMessageSize);
    //! Closes without reporting; `graceful` flushes what was written and sends a WebSocket close.
    void close(bool graceful = false);
    bool isOpen() const { return m_opened; }
    const Protocol::Handshake &handshake() const { return m_handshake; }
    qint64 maxPayload() const;

    //! Writes the frames. False (and nothing written) when the heartbeat deadline has passed:
    //! the session then fails with PingTimeout on the next event-loop turn.
    bool sendFrames(const Protocol::Frames &frames);

private:
    void onText(const QString &message);
    void onBinary(const QByteArray &message);
    void onSocketError(QAbstractSocket::SocketError error);
    void onSocketDisconnected();
    void armHeartbeat();
    //! The frame as UTF-8, valid until the next frame: whatever reads it is done before any
    //! signal is emitted (a slot may spin an event loop that delivers the next frame).
    std::string_view toUtf8(const QString &text);
    void deliver(Protocol::Result<std::optional<Protocol::Packet>> &&result);
    void fail(Failure failure, const QString &message, const QString &reason);
    //! QWebSocket refused a frame or message over maxIncomingMessageSize.
    void failTooBig();

    QPointer<QWebSocket> m_socket;
    Protocol::Decoder m_decoder;
    QStringEncoder m_encoder { QStringEncoder::Utf8, QStringEncoder::Flag::Stateless };
    std::string m_utf8; //!< toUtf8()'s buffer, reused from frame to frame
    QByteArray m_bigUtf8; //!< or the one frame too big to keep a buffer for
    Protocol::Handshake m_handshake;
    QTimer m_heartbeat;
    QDeadlineTimer m_deadline;
    QString m_tlsError;
    qint64 m_maxIncomingMessageSize = defaultMaxIncomingMessageSize;
    bool m_opened = false;
    bool m_failed = false;
};

} // namespace Palaver
