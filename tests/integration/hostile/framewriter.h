// SPDX-License-Identifier: MIT
#pragma once

// A WebSocket server that writes RFC 6455 frames by hand, over QTcpServer, for attacks that
// QWebSocketServer cannot make: one frame far larger than anything it would send, or one message
// cut into a flood of tiny continuation fragments. It speaks just enough Engine.IO to bring a
// Client to Connected: the OPEN packet and the CONNECT ack of the main namespace.

#include <QByteArray>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

#include <functional>

class QTcpSocket;

class FrameWriter : public QObject {
    Q_OBJECT

public:
    explicit FrameWriter(QObject *parent = nullptr);

    bool listen();
    QUrl url() const;

    //! Makes `total` bytes of output, `max` at most per call; an empty answer ends the stream.
    using Producer = std::function<QByteArray(qint64 max)>;
    //! Writes what `producer` makes to the socket as the socket drains, so that the attack is
    //! never held in memory whole (nor twice: once here, once in the socket's write buffer).
    void stream(QTcpSocket *socket, Producer producer);
    //! Sends one unmasked frame (a server never masks).
    void sendFrame(QTcpSocket *socket, int opcode, const QByteArray &payload, bool fin = true);
    static QByteArray frameHeader(int opcode, qint64 length, bool fin);

    //! Called once the namespace CONNECT was acknowledged; `round` counts connections from 1.
    std::function<void(QTcpSocket *, int round)> onConnected;

    int connections = 0; //!< WebSocket handshakes answered
    qint64 streamed = 0; //!< bytes handed to sockets by stream()

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void onClientFrame(QTcpSocket *socket, int opcode, const QByteArray &payload);

    QTcpServer m_server;
};
