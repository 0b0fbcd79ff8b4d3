// SPDX-License-Identifier: MIT
#pragma once

#include "Palaver/Stub/jwtverifier.h"
#include "Palaver/Stub/stubconfig.h"
#include "engineconnection_p.h"
#include "mentions_p.h"
#include "messagestore_p.h"
#include "ratelimiter_p.h"
#include "readmarkers_p.h"
#include "recoverystore_p.h"
#include "roomdirectory_p.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <memory>

namespace Palaver::Stub {

//! The chat contract of PROTOCOL.md on top of Engine.IO connections: authentication, presence,
//! rooms, requests and their acks, broadcasts, and connection state recovery. One namespace (`/`),
//! so one Socket.IO socket per connection. Contract v1.1 (docs/contract-v1.1.md) unless
//! `StubConfig::v1`: its message changes live in messagechanges.cpp, read markers in
//! readmarkers.cpp.
class ChatService : public QObject {
    Q_OBJECT
public:
    ChatService(const StubConfig &config, MessageStore *store, QObject *parent = nullptr);
    ~ChatService() override;

    void attach(EngineConnection *connection);
    //! Drops the transport of every socket whose user id or socket id is `id`.
    int drop(const QString &id);
    //! Forgets recovery sessions and packets (a restarted server remembers none).
    void resetRecovery();
    int socketCount() const { return int(m_sockets.size()); }

Q_SIGNALS:
    void socketConnected(const QString &userId, const QString &socketId, bool recovered);
    void socketDisconnected(const QString &userId, const QString &socketId);

private:
    struct Socket {
        EngineConnection *connection = nullptr;
        QString sid;
        QString pid;
        AuthUser user;
        QSet<QString> rooms; //!< chat rooms this socket joined
    };
    struct Target {
        enum Kind { All, Room, One, User } kind = All;
        QString id; //!< Room: the room's id; User: the user's (every socket of theirs)
        Socket *socket = nullptr;
        Socket *except = nullptr;
    };
    struct Refusal {
        QString code;
        QString message;
        qint64 retryAfterMs = -1;
    };
    using Reply = std::variant<nlohmann::json, Refusal>;

    void onPacket(EngineConnection *connection, const Protocol::Packet &packet);
    void onClosed(EngineConnection *connection, CloseReason reason);
    void onConnect(EngineConnection *connection, const Protocol::Packet &packet);
    void onEvent(Socket *socket, const Protocol::Packet &packet);
    void removeSocket(Socket *socket, bool saveSession);

    Reply join(Socket *socket, const nlohmann::json &payload);
    Reply leave(Socket *socket, const nlohmann::json &payload);
    Reply send(Socket *socket, const nlohmann::json &payload);
    Reply history(Socket *socket, const nlohmann::json &payload);
    void typing(Socket *socket, const nlohmann::json &payload);
    // contract v1.1
    Reply edit(Socket *socket, const nlohmann::json &payload);
    Reply remove(Socket *socket, const nlohmann::json &payload);
    Reply react(Socket *socket, const nlohmann::json &payload);
    Reply updates(Socket *socket, const nlohmann::json &payload);
    Reply markRead(Socket *socket, const nlohmann::json &payload);

    //! The room checks every request makes after its shape: exists, access, and (`needJoined`)
    //! this socket joined it. Nullopt when they pass.
    std::optional<Refusal> checkRoom(Socket *socket, const QString &roomId, bool needJoined) const;
    //! The shape of `{roomId, messageId}` in a change request.
    static std::optional<Refusal> targetShape(
        const nlohmann::json &payload, QString *roomId, QString *messageId);
    //! The shape of `replyTo` in `message:send` into `id` (empty: no reply; null counts as none).
    static std::optional<Refusal> replyToShape(const nlohmann::json &payload, QString *id);
    //! The snapshot of the message a reply answers: `not_found` unless `roomId` has it.
    std::optional<Refusal> quote(
        const QString &roomId, const QString &messageId, std::optional<ReplySnapshot> *out);
    //! The message `messageId` of `roomId` (`not_found` if that room has none) into `out`.
    std::optional<Refusal> findMessage(
        const QString &roomId, const QString &messageId, StoredMessage *out);
    //! Stores a change, broadcasts `message:updated` and answers it.
    Reply commitChange(StoredMessage changed);
    static Refusal internalError();
    bool isV1_1() const { return !m_config.v1; }
    nlohmann::json messageJson(const StoredMessage &message) const
    {
        return message.toJson(isV1_1());
    }

    //! Adds a user's membership; true when this is the user's first socket in the room.
    bool addMember(Socket *socket, const QString &roomId);
    bool removeMember(Socket *socket, const QString &roomId);
    nlohmann::json members(const RoomConfig &room) const;
    nlohmann::json sessionReady(const Socket *socket);

    void emitEvent(const Target &target, const char *name, const nlohmann::json &payload,
        bool isVolatile = false);
    void sendAck(Socket *socket, std::uint64_t id, const nlohmann::json &body);
    void sendConnectError(
        EngineConnection *connection, const nlohmann::json &error, const std::string &nsp = "/");

    StubConfig m_config;
    Protocol::ParserKind m_parser;
    JwtVerifier m_verifier;
    RoomDirectory m_rooms;
    MessageStore *m_store;
    KnownUsers m_known;
    ReadMarkers m_readMarkers;
    RateLimiter m_rateLimiter;
    std::unique_ptr<RecoveryStore> m_recovery;
    QTimer m_recoveryCleanup;

    QHash<EngineConnection *, Socket *> m_byConnection;
    QHash<QString, Socket *> m_sockets; //!< by socket id
    QHash<QString, QSet<Socket *>> m_roomSockets;
    QHash<QString, QHash<QString, int>> m_roomUsers; //!< room -> user -> joined sockets
    QHash<QString, int> m_online; //!< user -> connected sockets
    QHash<QString, QString> m_names; //!< user -> display name, as last seen
};

} // namespace Palaver::Stub
