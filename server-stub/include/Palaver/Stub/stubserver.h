// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Stub/stubconfig.h>

#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <memory>

namespace Palaver::Stub {

//! The Palaver chat server stub: Socket.IO v5 over Engine.IO v4 (WebSocket only) with the chat
//! contract of PROTOCOL.md. Runs on the event loop of the thread that owns it; usable in-process
//! from tests, with switches that break things on purpose.
class StubServer : public QObject {
    Q_OBJECT
public:
    explicit StubServer(StubConfig config, QObject *parent = nullptr);
    ~StubServer() override;

    //! Opens the database and listens. Port 0 picks a free one. False on failure (errorString()).
    bool start(const QHostAddress &address, quint16 port = 0);
    //! Listens on the configured host and port.
    bool start();
    //! Closes every connection (reason "server shutting down") and stops listening.
    void stop();
    //! Stops and starts again on the same address, port and database. Recovery sessions are
    //! forgotten, as by a restarted process.
    bool restart();

    bool isListening() const;
    quint16 serverPort() const;
    QHostAddress serverAddress() const;
    //! `ws://127.0.0.1:PORT` (no path; clients add `/socket.io/`).
    QUrl url() const;
    QString errorString() const;
    const StubConfig &config() const;

    //! Connected Socket.IO sockets (namespace `/`).
    int socketCount() const;
    //! Open WebSocket connections, connected to the namespace or not.
    int connectionCount() const;

    //! Drops the transport of every socket of user `id`, or of the socket with id `id`, abruptly
    //! (no close handshake). Returns how many were dropped.
    int dropClient(const QString &id);
    //! Stalls every connection, current and new: no pings, nothing answered. Clients then detect
    //! a dead server by their own heartbeat deadline.
    void setPingsPaused(bool paused);
    //! Accepts no new connections while set (each is cut off at once).
    void setRefuseConnections(bool refuse);

    //! An HS256 token for this server's secret.
    QByteArray makeToken(
        const QString &userId, const QString &name = {}, qint64 ttlSecs = 3600) const;

Q_SIGNALS:
    void socketConnected(const QString &userId, const QString &socketId, bool recovered);
    void socketDisconnected(const QString &userId, const QString &socketId);
    void connectionClosed();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver::Stub
