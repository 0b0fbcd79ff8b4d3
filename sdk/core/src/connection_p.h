// SPDX-License-Identifier: MIT
#pragma once

#include "transport_p.h"
#include <Palaver/Protocol/packet.h>
#include <Palaver/client.h>
#include <Palaver/reconnectpolicy.h>

#include <QList>
#include <QPointer>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>
#include <QVariantMap>

#include <optional>
#include <string>
#include <string_view>

namespace Palaver {

class ClientCore;

class NetworkReachability;

//! The connection state machine of one Client, and everything that decides when to connect:
//! the state and error properties (changed in setState() and raise() only), the attempt
//! counter and the backoff of ReconnectPolicy, URL rotation, the network's reachability, token
//! refresh, the connect timeout, and the Socket.IO recovery ids (`pid`, `offset`).
//!
//! A newcomer looking for the reconnect logic reads this file: beginAttempt() starts an attempt;
//! onConnectAck() ends it well; connectionLost() (the transport failed, a timeout),
//! onConnectError() (a refusal) and onReachableChanged() end it otherwise and decide, through
//! scheduleReconnect(), goOffline() or giveUp(), what comes next.
class Connection {
public:
    using State = Client::State;
    using Error = Client::Error;

    explicit Connection(ClientCore &d);
    ~Connection();

    // Settings
    QList<QUrl> urls;
    int urlIndex = 0;
    QString token;
    Client::TokenProvider tokenProvider;
    QVariantMap authExtras;
    ReconnectPolicy policy;
    int connectTimeout = 20000;
    int maxIncomingMessageSize = Transport::defaultMaxIncomingMessageSize;
    Client::Parser parser = Client::Parser::Json;
    QList<QSslCertificate> caCertificates;
    bool peerVerification = true;

    // The properties
    State state = State::Disconnected;
    Error error = Error::NoError;
    QString errorString;
    int attempt = 0;
    int nextRetryIn = 0;
    bool active = false;
    bool recovered = false;
    int latency = -1;

    Transport *transport = nullptr;
    //! Bumped per attempt: late callbacks of older ones compare it and give up.
    quint64 generation = 0;

    bool isConnected() const { return state == State::Connected; }
    Protocol::ParserKind parserKind() const;

    void open();
    void close();
    //! The Client is being destroyed: nothing is reported any more, joins fail.
    void shutdown();
    void retryNow();
    void setReachability(NetworkReachability *source);

    //! Reports a failure: connection errors also become the `error` property.
    void raise(Error error, const QString &message);
    void setLatency(int ms);
    //! The session is unusable (bad frames from the server, too much replay): drop it and
    //! reconnect as after any transport failure.
    void connectionLost(Error error, const QString &message, const QString &reason);
    //! Like connectionLost(), and the recovery ids are forgotten: the next session starts fresh.
    void abandonSession(const QString &message);
    //! The recovery offset that came with an event (only while a session id is known).
    void noteOffset(std::string_view offset);
    bool recovering() const { return !m_pid.empty(); }
    //! The recovery ids, for the account's store (secret: never logged); empty when none.
    QString recoveryPid() const { return QString::fromStdString(m_pid); }
    QString recoveryOffset() const
    {
        return m_offset ? QString::fromStdString(*m_offset) : QString();
    }
    //! Ids an earlier run stored: the next CONNECT asks the server to recover that session
    //! (it answers with a fresh one when the session is gone). Ignored while a session is known.
    void restoreRecovery(const QString &pid, const QString &offset)
    {
        if (!m_pid.empty() || pid.isEmpty() || offset.isEmpty())
            return;
        m_pid = pid.toStdString();
        m_offset = offset.toStdString();
    }

private:
    void setState(State state);
    void clearError();
    void setAttempt(int attempt);
    void setNextRetryIn(int ms);
    void setActive(bool active);
    void setRecovered(bool recovered);

    bool reachable() const;
    void watchReachability();
    void onReachableChanged(bool reachable);

    void beginAttempt();
    void rotateUrl();
    void openSocket(const QString &token);
    void onOpened();
    void onPacket(Protocol::Packet &&packet);
    void onConnectAck(const Protocol::Packet &packet);
    void onConnectError(const Protocol::Packet &packet);
    void onTransportFailed(
        Transport::Failure failure, const QString &message, const QString &reason);
    void teardown(const QString &why);
    void scheduleReconnect();
    void goOffline();
    void giveUp(Error error, const QString &message);

    ClientCore &d;
    Client *q;

    QPointer<NetworkReachability> m_reachability;
    NetworkReachability *m_systemReachability = nullptr;
    QMetaObject::Connection m_reachabilityConnection;
    QString m_disconnectReason;
    QTimer m_connectTimer;
    QTimer m_retryTimer;
    QTimer m_stableTimer;
    bool m_tokenRefreshTried = false;
    std::string m_pid; //!< secret: never logged
    std::optional<std::string> m_offset; //!< never logged
};

} // namespace Palaver
