// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/ackresult.h>
#include <Palaver/message.h>
#include <Palaver/palaversdk_export.h>
#include <Palaver/reconnectpolicy.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>

#include <QFuture>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QUuid>
#include <QVariantList>
#include <QVariantMap>

#include <functional>
#include <memory>

namespace Palaver {

class NetworkReachability;

//! A connection to a Palaver server (or any Socket.IO v5 server, WebSocket transport only).
//!
//! Everything runs on the event loop of the thread that owns the Client: signals, callbacks and
//! futures complete there, and the Client has no thread of its own.
//!
//! The connection goes through the states of State. It reconnects by itself after transport
//! failures (with the backoff of ReconnectPolicy), waits while the network is unreachable, and
//! stops for good (Failed) when the server refuses the credentials or the attempts run out.
//! `error`/`errorString` hold the last failure; every failure is also reported as an
//! errorOccurred() event, whether the Client will retry (`active`) or not.
//!
//! Chat messages sent with sendMessage() go through a persistent outbox: they survive
//! disconnects, restarts of the app (with setOutboxPath()) and are re-sent with the same
//! clientId until the server acknowledges or refuses them.
class PALAVER_SDK_EXPORT Client : public QObject {
    Q_OBJECT
    Q_PROPERTY(QUrl url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(Error error READ error NOTIFY errorChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorChanged)
    Q_PROPERTY(int reconnectAttempt READ reconnectAttempt NOTIFY reconnectAttemptChanged)
    Q_PROPERTY(int nextRetryIn READ nextRetryIn NOTIFY nextRetryInChanged)
    Q_PROPERTY(bool active READ isActive NOTIFY activeChanged)
    Q_PROPERTY(bool recovered READ isRecovered NOTIFY recoveredChanged)
    Q_PROPERTY(int latency READ latency NOTIFY latencyChanged)
    Q_PROPERTY(QStringList joinedRooms READ joinedRooms NOTIFY joinedRoomsChanged)
    Q_PROPERTY(int pendingMessageCount READ pendingMessageCount NOTIFY pendingMessageCountChanged)
    //! The rooms this user may join (from `session:ready`), with joined flags, unread counts and
    //! the newest message of each.
    Q_PROPERTY(Palaver::RoomListModel *roomList READ roomList CONSTANT)
    //! Who the server says this user is (`session:ready`); empty before the first connection.
    Q_PROPERTY(QString userId READ userId NOTIFY userChanged)
    Q_PROPERTY(QString userName READ userName NOTIFY userChanged)
    //! The server's limit on message content in Unicode code points; 0 until `session:ready`.
    Q_PROPERTY(int maxContentLength READ maxContentLength NOTIFY limitsChanged)
    //! Ids of the users online (the `session:ready` snapshot, then `user:online`/`user:offline`).
    Q_PROPERTY(QStringList onlineUsers READ onlineUsers NOTIFY onlineUsersChanged)
    //! The contract v1.1 features the server announced in `session:ready` (`edit`, `delete`,
    //! `react`, `reply`, `mention`, `read`), sorted; empty for a v1 server and before the first
    //! `session:ready`.
    Q_PROPERTY(QStringList features READ features NOTIFY featuresChanged)
    //! A folder for per-account files (setStoreDirectory()); empty: none.
    Q_PROPERTY(QString storeDirectory READ storeDirectory WRITE setStoreDirectory NOTIFY
            storeFileNameChanged)
    //! The current account's file in storeDirectory(); empty while the account is not known.
    Q_PROPERTY(QString storeFileName READ storeFileName NOTIFY storeFileNameChanged)
    //! How many of the newest messages of each room the store keeps (default 5000).
    Q_PROPERTY(int storeHistoryLimit READ storeHistoryLimit WRITE setStoreHistoryLimit NOTIFY
            storeHistoryLimitChanged)

public:
    enum class State {
        Disconnected, //!< not connected and not trying (initial state, or after close())
        Connecting, //!< opening the WebSocket, Engine.IO handshake, namespace CONNECT
        Connected, //!< the server acknowledged the CONNECT; events flow
        Reconnecting, //!< waiting out a backoff delay (see nextRetryIn) before the next attempt
        Offline, //!< the network is unreachable: no attempts are made, none are counted
        Failed, //!< gave up: credentials refused, or attempts exhausted (see error)
    };
    Q_ENUM(State)

    enum class Error {
        NoError,
        // Refusals by the server: the Client does not retry them with the same credentials.
        AuthRequired = 100, //!< no token was given
        InvalidToken, //!< the token was refused
        TokenExpired, //!< the token expired (a token provider is asked once for a new one)
        ConnectionRejected, //!< another CONNECT_ERROR (e.g. a middleware's refusal)
        ServerDisconnected, //!< the server ended the session (`41`); not retried
        TlsError, //!< the server's certificate could not be verified
        InvalidUrl, //!< no usable ws/wss/http/https URL
        // Transient: the Client retries with backoff.
        ConnectionRefused = 200,
        HostNotFound,
        NetworkUnreachable, //!< the network went away (state Offline)
        Timeout, //!< no socket + handshake + CONNECT ack within connectTimeout
        PingTimeout, //!< the server stopped pinging (pingInterval + pingTimeout elapsed)
        ConnectionLost, //!< the transport closed or failed
        ProtocolError, //!< the server sent something that is not valid Engine.IO/Socket.IO
        // Local failures of one operation; they do not change the connection state.
        PayloadTooLarge = 300, //!< a frame would exceed the server's maxPayload: not sent
        OutboxFull, //!< sendMessage() refused: outboxCapacity messages already wait
        OutboxError, //!< the outbox database could not be opened or written
        NotConnected, //!< the operation needs a connection
        InvalidRequest, //!< a reserved event name, too many binary arguments, ...
        Unsupported, //!< the server does not offer the feature (see features): nothing was sent
        StoreError, //!< the account's store (setStoreDirectory()) cannot be opened or written
    };
    Q_ENUM(Error)

    //! The Socket.IO parser; both ends must use the same one.
    enum class Parser {
        Json, //!< the default parser (binary values travel as attachments)
        MessagePack, //!< socket.io-msgpack-parser
    };
    Q_ENUM(Parser)

    //! Called with the token to use for one connection attempt.
    using TokenCallback = std::function<void(const QString &token)>;
    //! Asked for a token before every (re)connect; it may answer at once or later (on the
    //! Client's thread or any other: the answer is queued to the Client's thread).
    using TokenProvider = std::function<void(TokenCallback)>;
    //! Completes a request.
    using AckCallback = std::function<void(const AckResult &)>;
    //! Answers a request the server sent (an event with an ack id). Call it once.
    using Responder = std::function<void(const QVariantList &reply)>;
    //! Handles a request the server sent: the event's arguments and the way to answer.
    using RequestHandler = std::function<void(const QVariantList &args, Responder respond)>;

    explicit Client(QObject *parent = nullptr);
    ~Client() override;

    //! The endpoint in use (the first of urls(), or the one the last rotation picked).
    QUrl url() const;
    QList<QUrl> urls() const;
    //! One server. ws, wss, http and https URLs are accepted; see endpointUrl().
    Q_INVOKABLE void setUrl(const QUrl &url);
    //! Several equivalent servers: each reconnection attempt after a failure moves to the next.
    void setUrls(const QList<QUrl> &urls);
    //! The WebSocket URL the Client opens for `url`: http(s) mapped to ws(s), the path ending in
    //! `/socket.io/` (an empty path or `/` becomes `/socket.io/`; a custom path gets a trailing
    //! slash), the user's query kept and `EIO=4&transport=websocket` appended. Invalid when the
    //! scheme is not one of ws, wss, http, https or there is no host.
    static QUrl endpointUrl(const QUrl &url);

    //! The token sent in the CONNECT auth as `{"token": ...}`.
    Q_INVOKABLE void setToken(const QString &token);
    //! Replaces setToken(): the provider is asked before every connection attempt.
    void setTokenProvider(TokenProvider provider);
    //! More auth fields sent with the token (the token wins over a "token" key here).
    void setAuthExtras(const QVariantMap &extras);

    ReconnectPolicy reconnectPolicy() const;
    void setReconnectPolicy(const ReconnectPolicy &policy);
    //! Limit in ms for socket open + Engine.IO OPEN + namespace CONNECT ack (default 20000).
    int connectTimeout() const;
    void setConnectTimeout(int ms);
    //! The largest WebSocket message (and frame) accepted from the server, in bytes (default
    //! 8 MiB, well above the contract's largest answer: a page of 100 messages). A larger one is
    //! refused before it is buffered: the Client reports ProtocolError and reconnects. At least
    //! 1024; takes effect at the next connection attempt.
    int maxIncomingMessageSize() const;
    void setMaxIncomingMessageSize(int bytes);
    //! Default timeout of request(), joinRoom() and the outbox's sends, in ms (default 10000).
    int requestTimeout() const;
    void setRequestTimeout(int ms);
    Parser parser() const;
    //! Takes effect at the next connection attempt.
    void setParser(Parser parser);

    //! Trusts these CAs for wss:// in addition to the system's.
    void addCaCertificates(const QList<QSslCertificate> &certificates);
    //! Turning verification off accepts any certificate; it is logged as a warning on every
    //! connection attempt. Never do this outside development.
    void setPeerVerification(bool verify);
    bool peerVerification() const;

    //! Where the Client learns about the network; not owned. nullptr: QNetworkInformation.
    void setNetworkReachability(NetworkReachability *source);

    //! The SQLite file of the outbox; set it before the first sendMessage() (or to reopen another
    //! file while nothing is in flight). Without it, the outbox lives in memory.
    //! Returns false (and reports OutboxError) when the file cannot be opened.
    bool setOutboxPath(const QString &path);
    QString outboxPath() const;
    //! Keeps each account's data in a file of its own in `directory` (created when missing):
    //! one SQLite file per server and user, which holds the outbox, so that messages, edits,
    //! deletes and reactions queued offline survive closing the app and go out, once, when the
    //! same account connects again. The account is known before connecting, from url() and
    //! the `sub` claim of the token (read, not verified: the server does that); the user of
    //! `session:ready` confirms it, and a different user switches to that user's file. Another
    //! account's queued messages stay in its own file: they are never sent as someone else.
    //! Takes the place of setOutboxPath(); messages queued in memory before move into the file.
    //! Empty (the default): the outbox is setOutboxPath()'s.
    //!
    //! The file also keeps what makes a start instant and offline-capable: the user, the room
    //! list, the kept-joined rooms (joined again at once, see joinedRooms()) with their markers
    //! (last seq and rev, read marker, unread and mention counts), the Socket.IO recovery ids
    //! (so that a restart within the server's recovery window may recover the session), and a
    //! cache of each room's newest messages (storeHistoryLimit()). A Room made for a kept room
    //! shows its cached timeline at once (Room::cached is true until the server answers its
    //! join) and is caught up from its stored markers when the connection comes: nothing below
    //! the stored seq is asked for again. Scrolling up reads the cache before the server.
    //! The file is readable by its owner only. A file that cannot be opened or written is
    //! reported (StoreError) and the Client goes on in memory.
    void setStoreDirectory(const QString &directory);
    QString storeDirectory() const;
    QString storeFileName() const;
    int storeHistoryLimit() const;
    void setStoreHistoryLimit(int limit);
    //! Deletes the current account's file and what waits in it (signing out for good); the
    //! outbox is in memory and empty afterwards, and the account's rooms (kept rooms, their
    //! timelines, the room list, the user) are forgotten. False when there is no such file or it
    //! cannot be deleted (StoreError).
    Q_INVOKABLE bool removeStore();
    int outboxCapacity() const;
    //! How many messages may wait in the outbox (default 1000).
    void setOutboxCapacity(int capacity);

    State state() const;
    Error error() const;
    QString errorString() const;
    //! The number of the reconnection attempt in progress or scheduled, from 1 (0 during the
    //! first connection). It keeps counting across connections that drop quickly, and goes
    //! back to 0 once a connection was stable (it stayed up for the policy's maxDelay).
    int reconnectAttempt() const;
    //! The delay of the scheduled attempt in ms, while Reconnecting; else 0.
    int nextRetryIn() const;
    //! Whether the Client will (re)connect by itself: true from open() until close(), a refusal,
    //! a server disconnect, or giving up.
    bool isActive() const;
    //! Whether the last connection resumed the previous session (connection state recovery):
    //! the server replayed what was missed. When false after a reconnect, catch up from history.
    bool isRecovered() const;
    //! The round trip of the latest answered request (its ack), in ms; -1 before the first.
    int latency() const;

    //! Connects, and keeps reconnecting until close() or a fatal error. Does nothing while
    //! Connecting or Connected.
    Q_INVOKABLE void open();
    //! Disconnects (sending a Socket.IO DISCONNECT when connected) and stops reconnecting.
    //! Pending requests finish with Disconnected; the outbox keeps its messages.
    Q_INVOKABLE void close();

    //! Sends an event without ack. While the Client is Connecting/Reconnecting/Offline it is
    //! kept in memory (up to outboxCapacity events) and sent after the next CONNECT ack.
    //! Returns NoError, or why it was refused (NotConnected when not active, PayloadTooLarge,
    //! InvalidRequest, OutboxFull).
    Error send(const QString &event, const QVariantList &args = {});
    //! Sends an event only if connected right now; dropped otherwise (e.g. typing notices).
    Error sendVolatile(const QString &event, const QVariantList &args = {});
    //! Sends an event with an ack. The future always finishes, once: with the answer, Timeout,
    //! Disconnected, or at once with NotConnected/PayloadTooLarge/InvalidRequest when it could
    //! not be sent. timeoutMs < 0: requestTimeout(); 0: no timeout (still ends on disconnect).
    QFuture<AckResult> request(
        const QString &event, const QVariantList &args = {}, int timeoutMs = -1);
    //! The same with a callback, always called once on the Client's thread (never from inside
    //! this call).
    void request(
        const QString &event, const QVariantList &args, AckCallback callback, int timeoutMs = -1);

    //! Calls `functor(const QVariantList &args)` for every event `event`, in `receiver`'s
    //! context; disconnect the returned connection to stop.
    template<typename Functor>
    QMetaObject::Connection on(const QString &event, const QObject *receiver, Functor functor)
    {
        return connect(this, &Client::eventReceived, receiver,
            [event, functor](const QString &name, const QVariantList &args) {
                if (name == event)
                    functor(args);
            });
    }
    //! Answers the server's requests for `event` (events with an ack id). Without a handler
    //! such events are still delivered by eventReceived() and answered with an empty ack.
    void setRequestHandler(const QString &event, RequestHandler handler);

    //! Joins a room (`room:join`) and keeps it joined: after every reconnect the Client joins it
    //! again (roomRejoined()) and catches up what was missed (messageReceived(), then
    //! roomCaughtUp()). Made while not connected, the join happens at the next connect and the
    //! future finishes then. The answer is the server's ack
    //! (`{"ok":true,"room","members","messages","hasMore"}`). The same as Room::join(): a Room of
    //! this id follows (Joining, Joined).
    QFuture<AckResult> joinRoom(const QString &roomId);
    //! Leaves a room (`room:leave`) and stops re-joining it.
    QFuture<AckResult> leaveRoom(const QString &roomId);
    //! The rooms the Client keeps joined, in the order they were joined.
    QStringList joinedRooms() const;

    //! Sends a chat message (`message:send`) through the outbox: stored (persisted when an
    //! outbox path is set) before this returns, sent now or after the next reconnect once its
    //! room is joined (the room is joined if it was not), and re-sent with the same clientId
    //! until acknowledged (messageAcked()) or refused for good (messageRefused()). Returns the
    //! clientId, or a null QUuid when the outbox is full (OutboxFull) or broken (OutboxError).
    QUuid sendMessage(const QString &roomId, const QString &content);
    //! The messages waiting in the outbox, oldest first, with status Pending (for local echo,
    //! e.g. after the app restarted).
    QList<Message> pendingMessages() const;
    int pendingMessageCount() const;
    //! Takes a message out of the outbox (the user discarded it). A send already on its way may
    //! still be stored by the server. False when no such message waits.
    bool discardMessage(const QUuid &clientId);

    //! The Room `roomId`, created on first use and owned by the Client; nullptr when `roomId` is
    //! not a valid room id. Rooms kept joined by the Client follow it (Joining, then Joined).
    Q_INVOKABLE Palaver::Room *room(const QString &roomId);
    //! The Rooms made so far, in the order they were made.
    QList<Palaver::Room *> rooms() const;
    RoomListModel *roomList() const;
    QString userId() const;
    QString userName() const;
    int maxContentLength() const;
    QStringList onlineUsers() const;
    QStringList features() const;
    //! Whether the server offers a contract v1.1 feature (a name of features). Before the first
    //! `session:ready` nothing is known and this is false.
    Q_INVOKABLE bool supports(const QString &feature) const;
    //! Whether the user has at least one connected socket, as far as this Client knows.
    Q_INVOKABLE bool isOnline(const QString &userId) const;
    //! While Reconnecting: skips the rest of the backoff delay and tries at once (a "Retry now"
    //! button). Does nothing in the other states.
    Q_INVOKABLE void retryNow();

Q_SIGNALS:
    void urlChanged();
    void stateChanged(Palaver::Client::State state);
    void errorChanged();
    void reconnectAttemptChanged();
    void nextRetryInChanged();
    void activeChanged();
    void recoveredChanged();
    void latencyChanged();
    void joinedRoomsChanged();
    void pendingMessageCountChanged();
    void userChanged();
    void limitsChanged();
    void onlineUsersChanged();
    void featuresChanged();
    void storeFileNameChanged();
    void storeHistoryLimitChanged();
    //! A user came online (their first socket) or went offline (their last one).
    void presenceChanged(const QString &userId, bool online);

    //! The namespace CONNECT was acknowledged (after any replayed events were delivered).
    void connected();
    //! A connection ended; `reason` as Socket.IO names it ("transport close", "ping timeout",
    //! "io server disconnect", "io client disconnect", ...).
    void disconnected(const QString &reason);
    //! The Client gave up (state Failed); `error` says why.
    void failed(Palaver::Client::Error error);
    //! The next attempt (1-based) starts in `inMs`.
    void reconnectScheduled(int attempt, int inMs);
    //! Any failure, transient or fatal, of the connection or of a local operation.
    void errorOccurred(Palaver::Client::Error error, const QString &message);

    //! Every event from the server, `args` without the recovery offset. For `message:new` the
    //! argument is the message's wire form as decoded (fields the contract does not name are not
    //! kept).
    void eventReceived(const QString &event, const QVariantList &args);
    //! `session:ready`: the user, the rooms they may join, who is online and the limits.
    void sessionReady(const QVariantMap &session);
    //! The next message of a kept-joined room (joinedRooms()). Every message of such a room
    //! that the server stored after the room's first join answer comes here exactly once, in
    //! `seq` order per room, with no gap, whatever carried it: `message:new` live, the replay of
    //! a recovered session, the page of a re-join, `room:history` pages fetched to catch up or
    //! to fill a gap, or the ack of our own send. The first join's page is history and is not
    //! delivered (it is the Room's MessageModel's first page). The same stream feeds
    //! Room::messageReceived() and every Room's MessageModel. Messages of rooms that are not
    //! kept joined are not delivered here (eventReceived() still sees them).
    void messageReceived(const Palaver::Message &message);
    //! A message of a kept-joined room changed (contract v1.1: edited, deleted, a reaction):
    //! `message` is its new state. Every change after the room's first join answer comes here
    //! exactly once, in the room's `rev` order, whatever carried it: `message:updated` live, the
    //! `room:updates` pages fetched after every reconnect or to fill a `rev` gap, or the ack of
    //! our own change. The same stream feeds Room::messageUpdated().
    void messageUpdated(const Palaver::Message &message);
    //! After each (re)join of a kept room, once everything missed meanwhile was delivered: the
    //! messageReceived() calls that follow are live. Before it, they may be catch-up.
    void roomCaughtUp(const QString &roomId);

    //! A joinRoom() succeeded; `ack` is the server's answer object.
    void roomJoined(const QString &roomId, const QVariantMap &ack);
    //! A kept room was joined again after a reconnect; `ack` as for roomJoined().
    void roomRejoined(const QString &roomId, const QVariantMap &ack);
    //! The server refused a join for good (invalid, not_found, access_denied); the room is no
    //! longer kept, and its outbox messages are refused with the same code.
    void roomJoinFailed(const QString &roomId, const QString &code, const QString &message);

    //! sendMessage() stored a message; `message` has status Pending and the clientId.
    void messageQueued(const QUuid &clientId, const Palaver::Message &message);
    //! The server stored the message; `message` is the server's copy (status Sent).
    void messageAcked(const QUuid &clientId, const Palaver::Message &message);
    //! The server refused the message for good (invalid, not_found, access_denied, too_long,
    //! or a local PayloadTooLarge); it left the outbox.
    void messageRefused(const QUuid &clientId, const QString &code, const QString &message);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver
