// SPDX-License-Identifier: MIT
#pragma once

// A minimal Engine.IO v4 / Socket.IO v5 server over QWebSocketServer, for tests that need to
// script the server frame by frame (and break the protocol on purpose). Built on the codec.

#include <Palaver/Protocol/packet.h>

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QWebSocketServer>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>

class QWebSocket;

class RawServer : public QObject {
    Q_OBJECT

public:
    explicit RawServer(QWebSocketServer::SslMode mode = QWebSocketServer::NonSecureMode,
        QObject *parent = nullptr);
    ~RawServer() override;

    bool listen(quint16 port = 0);
    void close();
    quint16 port() const;
    QUrl url() const;
    QWebSocketServer *server() { return &m_server; }

    // Handshake of new connections.
    int pingInterval = 25000;
    int pingTimeout = 20000;
    qint64 maxPayload = 1000000;
    bool sendOpen = true; //!< false: the handshake never comes
    bool answerConnect = true; //!< false: CONNECT is never acknowledged
    bool recovery = false; //!< give a pid in the CONNECT ack
    Palaver::Protocol::ParserKind parser = Palaver::Protocol::ParserKind::Json;

    //! Decides on a CONNECT; return an empty object to accept, or a CONNECT_ERROR object.
    std::function<nlohmann::json(QWebSocket *, const nlohmann::json &auth)> authorize;
    //! Called after the CONNECT ack was sent.
    std::function<void(QWebSocket *)> onConnected;
    //! Events from clients: the socket, the decoded data array, the ack id.
    std::function<void(QWebSocket *, const nlohmann::json &, std::optional<std::uint64_t>)> onEvent;
    //! ACKs from clients.
    std::function<void(QWebSocket *, const nlohmann::json &, std::uint64_t)> onAck;

    void setPingsPaused(bool paused);
    //! Sends an event (and its attachments); `id` asks for an ack.
    void sendEvent(QWebSocket *socket, const std::string &name, const nlohmann::json &args,
        std::optional<std::uint64_t> id = std::nullopt);
    void sendAck(QWebSocket *socket, std::uint64_t id, const nlohmann::json &args);
    void sendText(QWebSocket *socket, const QString &text);
    void sendBinary(QWebSocket *socket, const QByteArray &bytes);
    //! Abort every connection (no close handshake).
    void dropAll();

    QList<QWebSocket *> sockets() const { return m_sockets; }
    QWebSocket *last() const { return m_sockets.isEmpty() ? nullptr : m_sockets.last(); }

    // What happened, for assertions.
    int connectionCount = 0; //!< WebSocket connections accepted
    int connectCount = 0; //!< Socket.IO CONNECT packets received
    QList<qint64> connectionTimes; //!< ms since the server was made, per connection
    QList<nlohmann::json> auths; //!< each CONNECT's auth
    QStringList textFrames; //!< every text frame received
    int pongs = 0;
    int clientPings = 0;
    QElapsedTimer clock;
    std::string lastPid;

Q_SIGNALS:
    void clientConnected(QWebSocket *socket);
    void namespaceConnected(QWebSocket *socket);
    void eventReceived(const QString &name);

private:
    void onNewConnection();
    void onText(QWebSocket *socket, const QString &text);
    void onBinary(QWebSocket *socket, const QByteArray &bytes);
    void handlePacket(QWebSocket *socket, Palaver::Protocol::Packet &&packet);
    void sendFrames(QWebSocket *socket, const Palaver::Protocol::Frames &frames);

    QWebSocketServer m_server;
    QList<QWebSocket *> m_sockets;
    std::map<QWebSocket *, Palaver::Protocol::Decoder> m_decoders;
    QTimer m_pingTimer;
    bool m_pingsPaused = false;
    int m_sidCounter = 0;
};
