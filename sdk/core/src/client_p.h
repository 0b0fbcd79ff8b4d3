// SPDX-License-Identifier: MIT
#pragma once

#include "ackregistry_p.h"
#include "outbox_p.h"
#include "recentstring_p.h"
#include "timestamp_p.h"
#include "transport_p.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/packet.h>
#include <Palaver/client.h>

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

template<typename T> class QPromise;

namespace Palaver {

class NetworkReachability;
class RoomDirectory;

//! A `message:new`/ack Message as the SDK hands it out.
PALAVER_SDK_EXPORT Message messageFromJson(const nlohmann::json &value);
Message toMessage(const Protocol::ChatMessage &message);

//! toMessage() for the receive stream: the room and author strings repeat from message to
//! message, so they are shared with the previous message's instead of decoded again.
struct MessageConverter {
    RecentString roomId;
    RecentString authorId;
    RecentString authorName;
    TimestampParser createdAt;

    Message operator()(const Protocol::ChatMessage &message);
    //! `frame` is the text the view was read from.
    Message operator()(const Protocol::MessageNewView &message, const FrameText &frame);

private:
    //! Either of the two forms: they name their fields alike.
    template<typename Fields> Message convert(const Fields &fields, const FrameText &text);
};

class Client::Private {
public:
    explicit Private(Client *q);
    ~Private();

    Client *q;

    // Settings
    QList<QUrl> urls;
    int urlIndex = 0;
    QString token;
    TokenProvider tokenProvider;
    QVariantMap authExtras;
    ReconnectPolicy policy;
    int connectTimeout = 20000;
    int requestTimeout = 10000;
    Parser parser = Parser::Json;
    QList<QSslCertificate> caCertificates;
    bool peerVerification = true;
    QPointer<NetworkReachability> reachability;
    NetworkReachability *systemReachability = nullptr;
    QMetaObject::Connection reachabilityConnection;
    QString outboxPath;
    int outboxCapacity = 1000;

    // Connection state (the properties)
    State state = State::Disconnected;
    Error error = Error::NoError;
    QString errorString;
    int attempt = 0;
    int nextRetryIn = 0;
    bool active = false;
    bool recovered = false;
    int latency = -1;
    QString disconnectReason;

    // One connection
    Transport *transport = nullptr;
    AckRegistry *acks = nullptr;
    QTimer connectTimer;
    QTimer retryTimer;
    QTimer stableTimer;
    quint64 generation = 0; //!< bumped per attempt: late callbacks of older ones are ignored
    bool tokenRefreshTried = false;
    std::string pid; //!< secret: never logged
    std::optional<std::string> offset; //!< never logged
    std::vector<Protocol::Packet> earlyEvents; //!< arrived before the CONNECT ack
    std::size_t earlyBytes = 0; //!< payload bytes held in earlyEvents
    MessageConverter received; //!< of `message:new`
    std::vector<std::pair<QString, QVariantList>> sendBuffer;
    QHash<QString, RequestHandler> requestHandlers;

    // Rooms
    QStringList rooms; //!< kept joined, in join order
    QSet<QString> everJoined; //!< joined in an earlier connection: the next join is a rejoin
    QSet<QString> readyRooms; //!< joined in this connection
    QSet<QString> joining; //!< room:join in flight in this connection
    std::vector<std::pair<QString, std::shared_ptr<QPromise<AckResult>>>> joinWaiters;

    // The rooms layer: Room objects, the room list, user, limits, presence (a child QObject)
    RoomDirectory *directory = nullptr;

    // Outbox
    std::unique_ptr<Outbox> outbox;
    QSet<QUuid> inflight;
    QHash<QString, qint64> holdUntil; //!< room -> ms since epoch (rate_limited)
    QTimer outboxTimer;

    // Transitions
    void setState(State state);
    void raise(Error error, const QString &message);
    void clearError();
    void setAttempt(int attempt);
    void setNextRetryIn(int ms);
    void setActive(bool active);
    void setRecovered(bool recovered);
    void setLatency(int ms);

    bool reachable() const;
    void watchReachability();
    void onReachableChanged(bool reachable);

    void beginAttempt();
    void openSocket(const QString &token);
    void onOpened();
    void onPacket(Protocol::Packet &&packet);
    void onConnectAck(const Protocol::Packet &packet);
    void onConnectError(const Protocol::Packet &packet);
    void handleEvent(const Protocol::Packet &packet);
    //! A `message:new` for the application, and the recovery offset that came with it.
    void onMessageNew(const Message &message, std::optional<std::string_view> offset);
    bool listensToEveryEvent() const;
    void connectionLost(Error error, const QString &message, const QString &reason);
    void teardown(const QString &why);
    void scheduleReconnect();
    void goOffline();
    void giveUp(Error error, const QString &message);

    Error writeEvent(const QString &event, const QVariantList &args,
        std::optional<std::uint64_t> id, QString *message);
    void startRequest(
        const QString &event, const QVariantList &args, int timeoutMs, AckCallback callback);
    void completeLater(AckCallback callback, AckResult result);

    void joinNow(const QString &roomId);
    void completeJoinWaiters(const QString &roomId, const AckResult &result);
    void rejoinAll();

    bool ensureOutbox();
    void flushOutbox();
    void dispatch(const OutboxEntry &entry);
    void onSendAnswered(const QUuid &clientId, const QString &roomId, const AckResult &result);
    void refuse(const QUuid &clientId, const QString &code, const QString &message);
    void scheduleOutboxTimer();
};

} // namespace Palaver
