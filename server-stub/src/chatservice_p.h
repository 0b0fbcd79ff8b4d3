// SPDX-License-Identifier: MIT
#pragma once

#include "Palaver/Stub/jwtverifier.h"
#include "Palaver/Stub/stubconfig.h"
#include "engineconnection_p.h"
#include "messagestore_p.h"
#include "ratelimiter_p.h"
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
//! so one Socket.IO socket per connection.
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
        enum Kind { All, Room, One } kind = All;
        QString roomId;
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

    //! Adds a user's membership; true when this is the user's first socket in the room.
    bool addMember(Socket *socket, const QString &roomId);
    bool removeMember(Socket *socket, const QString &roomId);
    nlohmann::json members(const RoomConfig &room) const;
    nlohmann::json sessionReady(const Socket *socket) const;

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
