// SPDX-License-Identifier: MIT
#pragma once

// A small contract v1.1 chat server on RawServer, for SDK tests that need several clients and
// full control: what it knows (v1 or v1.1), how long a `room:updates` page is, which changes it
// broadcasts, and what it refuses. State is in memory; users are their tokens (or a JWT-shaped
// token's `sub`, not verified: jwtFor(), for a client that must know its user before connecting).

#include "rawserver.h"

#include <QHash>
#include <QPointer>
#include <QSet>
#include <QString>

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <optional>
#include <vector>

class QWebSocket;

class ChatScript : public QObject {
    Q_OBJECT

public:
    explicit ChatScript(QObject *parent = nullptr);
    ~ChatScript() override;

    RawServer raw;
    bool v11 = true; //!< false: a v1 server (no features, revs or v1.1 requests)
    int updatesPageLimit = 100; //!< the most a `room:updates` page holds
    //! Whether a change with this rev is broadcast (false: a socket sees a live rev gap).
    std::function<bool(std::int64_t rev)> broadcastChange;
    //! Whether a new message with this seq is broadcast (false: its news is lost on the way).
    std::function<bool(std::int64_t seq)> broadcastNews;
    //! Refuses a request: return an error object `{"code","message"}`, or null to go on.
    std::function<nlohmann::json(
        const std::string &event, const nlohmann::json &payload, const QString &user)>
        refuse;

    //! Carries out a request but loses its answer (with raw.dropAll(), a server that vanishes
    //! between storing and acknowledging). Called once per request with an ack.
    std::function<bool(const std::string &event)> loseAnswer;
    //! Holds a request back, neither carried out nor answered, until releaseHeld(): a server
    //! slow to get to it while other news goes out.
    std::function<bool(const std::string &event)> holdRequest;
    //! Carries out and answers the held requests, in their order.
    void releaseHeld();
    int heldCount() const { return int(m_held.size()); }

    //! A JWT-shaped token of `user` (unsigned): the SDK reads its user before connecting.
    static QString jwtFor(const QString &user);

    bool listen() { return raw.listen(); }
    QUrl url() const { return raw.url(); }

    //! Server-side actions, as if a client of `user` had asked.
    nlohmann::json post(const QString &user, const std::string &room, const std::string &content);
    nlohmann::json change(const QString &user, const std::string &event, nlohmann::json payload);

    std::vector<nlohmann::json> &messages(const std::string &room)
    {
        return m_rooms[room].messages;
    }
    std::int64_t rev(const std::string &room) { return m_rooms[room].rev; }
    std::int64_t readSeq(const QString &user, const std::string &room)
    {
        return m_readSeq[{ user, room }];
    }
    //! Every request's event name, in order.
    QStringList requests;
    //! Payloads of one event, in order.
    std::vector<nlohmann::json> payloads(const std::string &event) const;

private:
    struct RoomState {
        std::vector<nlohmann::json> messages; //!< index seq - 1
        std::int64_t rev = 0;
    };
    void onEvent(QWebSocket *socket, const nlohmann::json &data, std::optional<std::uint64_t> id);
    nlohmann::json answer(QWebSocket *socket, const std::string &event, const nlohmann::json &p);
    nlohmann::json apply(const QString &user, const std::string &event, const nlohmann::json &p);
    void broadcast(const std::string &room, const std::string &event, const nlohmann::json &m);
    nlohmann::json sessionReady(const QString &user);

    struct Held {
        QPointer<QWebSocket> socket;
        nlohmann::json data;
        std::optional<std::uint64_t> id;
    };
    std::vector<Held> m_held;
    std::map<std::string, RoomState> m_rooms;
    std::map<std::pair<QString, std::string>, std::int64_t> m_readSeq;
    QHash<QWebSocket *, QString> m_users;
    QHash<QWebSocket *, QSet<QString>> m_joined;
    std::vector<std::pair<std::string, nlohmann::json>> m_log;
};
