// SPDX-License-Identifier: MIT
#include "chatscript.h"

#include <QDateTime>
#include <QWebSocket>

#include <algorithm>
#include <utility>

using nlohmann::json;

namespace {

std::string now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString();
}

json error(const char *code, const char *message)
{
    return { { "ok", false }, { "error", { { "code", code }, { "message", message } } } };
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

//! The user of a token: a JWT-shaped token's `sub` (not verified), else the token itself.
QString userOfToken(const std::string &token)
{
    const QList<QByteArray> parts = QByteArray::fromStdString(token).split('.');
    if (parts.size() != 3)
        return QString::fromStdString(token);
    const json claims
        = json::parse(QByteArray::fromBase64(parts.at(1),
                          QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
                          .toStdString(),
            nullptr, false);
    return claims.is_object() ? QString::fromStdString(claims.value("sub", "")) : QString();
}

} // namespace

ChatScript::ChatScript(QObject *parent) : QObject(parent)
{
    m_rooms["general"];
    raw.authorize = [this](QWebSocket *socket, const json &auth) {
        m_users.insert(socket, userOfToken(auth.value("token", "")));
        return json::object();
    };
    raw.onConnected = [this](QWebSocket *socket) {
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            m_users.remove(socket);
            m_joined.remove(socket);
        });
        raw.sendEvent(
            socket, "session:ready", json::array({ sessionReady(m_users.value(socket)) }));
    };
    raw.onEvent = [this](QWebSocket *s, const json &data, std::optional<std::uint64_t> id) {
        onEvent(s, data, id);
    };
}

ChatScript::~ChatScript()
{
    // The sockets outlive this object's members: they close when `raw` goes.
    for (QWebSocket *socket : raw.sockets())
        QObject::disconnect(socket, nullptr, this, nullptr);
}

QString ChatScript::jwtFor(const QString &user)
{
    const json claims = { { "sub", user.toStdString() } };
    return QString::fromLatin1(base64Url(R"({"alg":"none","typ":"JWT"})") + '.'
        + base64Url(QByteArray::fromStdString(claims.dump())) + ".unsigned");
}

json ChatScript::sessionReady(const QString &user)
{
    json rooms = json::array();
    for (const auto &[id, room] : m_rooms) {
        json entry = { { "id", id }, { "name", id }, { "private", false } };
        if (v11) {
            entry["lastSeq"] = room.messages.size();
            entry["readSeq"] = readSeq(user, id);
        }
        rooms.push_back(entry);
    }
    json session = { { "user", { { "id", user.toStdString() }, { "name", user.toStdString() } } },
        { "rooms", rooms }, { "online", json::array() },
        { "limits", { { "maxContentLength", 4000 } } } };
    if (v11)
        session["features"] = { "edit", "delete", "react", "reply", "mention", "read" };
    return session;
}

std::vector<json> ChatScript::payloads(const std::string &event) const
{
    std::vector<json> out;
    for (const auto &[name, payload] : m_log) {
        if (name == event)
            out.push_back(payload);
    }
    return out;
}

void ChatScript::onEvent(QWebSocket *socket, const json &data, std::optional<std::uint64_t> id)
{
    if (!data.is_array() || data.empty() || !data[0].is_string())
        return;
    const std::string event = data[0].get<std::string>();
    if (holdRequest && holdRequest(event)) {
        m_held.push_back({ socket, data, id });
        return;
    }
    const json payload = data.size() > 1 ? data[1] : json();
    requests.append(QString::fromStdString(event));
    m_log.emplace_back(event, payload);
    const json reply = answer(socket, event, payload);
    if (id && !(loseAnswer && loseAnswer(event)))
        raw.sendAck(socket, *id, json::array({ reply }));
}

void ChatScript::releaseHeld()
{
    const auto held = std::exchange(m_held, {});
    const auto hold = std::exchange(holdRequest, nullptr);
    for (const Held &h : held) {
        if (h.socket)
            onEvent(h.socket, h.data, h.id);
    }
    holdRequest = hold;
}

json ChatScript::answer(QWebSocket *socket, const std::string &event, const json &p)
{
    const QString user = m_users.value(socket);
    if (event == "room:join") {
        const std::string room = p.is_string() ? p.get<std::string>() : "";
        if (!m_rooms.count(room))
            return error("not_found", "no such room");
        m_joined[socket].insert(QString::fromStdString(room));
        const RoomState &r = m_rooms[room];
        const std::size_t first = r.messages.size() > 50 ? r.messages.size() - 50 : 0;
        json reply = { { "ok", true }, { "room", { { "id", room }, { "name", room } } },
            { "members", json::array() },
            { "messages",
                json(std::vector<json>(r.messages.begin() + long(first), r.messages.end())) },
            { "hasMore", first > 0 } };
        if (v11) {
            reply["rev"] = r.rev;
            reply["readSeq"] = readSeq(user, room);
        }
        return reply;
    }
    if (event == "room:history") {
        const std::string room = p.value("roomId", "");
        const RoomState &r = m_rooms[room];
        const std::int64_t after = p.value("after", std::int64_t(0));
        const std::size_t limit = std::size_t(std::clamp(p.value("limit", 50), 1, 100));
        if (p.contains("before")) { // the newest `limit` below it
            const std::int64_t before = p.value("before", std::int64_t(0));
            const std::int64_t end
                = std::clamp<std::int64_t>(before - 1, 0, std::int64_t(r.messages.size()));
            const std::int64_t begin = std::max<std::int64_t>(0, end - std::int64_t(limit));
            json page(std::vector<json>(
                r.messages.begin() + long(begin), r.messages.begin() + long(end)));
            return { { "ok", true }, { "messages", page }, { "hasMore", begin > 0 } };
        }
        json page = json::array();
        for (const json &m : r.messages) {
            if (m["seq"].get<std::int64_t>() > after && page.size() < limit)
                page.push_back(m);
        }
        const bool more = !page.empty() && page.back()["seq"] != r.messages.back()["seq"];
        return { { "ok", true }, { "messages", page }, { "hasMore", more } };
    }
    if (event == "room:leave")
        return { { "ok", true } };
    if (!v11 && event != "message:send")
        return error("unsupported", "unknown request"); // never reached by a v1.1 SDK
    if (refuse) {
        if (json why = refuse(event, p, user); !why.is_null())
            return { { "ok", false }, { "error", why } };
    }
    if (event == "room:updates") {
        const std::string room = p.value("roomId", "");
        const RoomState &r = m_rooms[room];
        const std::int64_t after = p.value("afterRev", std::int64_t(0));
        const std::size_t limit
            = std::size_t(std::min(std::clamp(p.value("limit", 50), 1, 100), updatesPageLimit));
        std::vector<json> changed;
        for (const json &m : r.messages) {
            if (m["rev"].get<std::int64_t>() > after)
                changed.push_back(m);
        }
        std::sort(changed.begin(), changed.end(),
            [](const json &a, const json &b) { return a["rev"] < b["rev"]; });
        const bool more = changed.size() > limit;
        changed.resize(std::min(changed.size(), limit));
        return { { "ok", true }, { "messages", changed }, { "hasMore", more }, { "rev", r.rev } };
    }
    if (event == "room:read") {
        const std::string room = p.value("roomId", "");
        std::int64_t &marker = m_readSeq[{ user, room }];
        const std::int64_t seq = std::min<std::int64_t>(
            p.value("seq", 0), std::int64_t(m_rooms[room].messages.size()));
        if (seq > marker) {
            marker = seq;
            for (auto it = m_users.cbegin(); it != m_users.cend(); ++it) {
                if (it.value() == user)
                    raw.sendEvent(it.key(), "room:read-marker",
                        json::array({ { { "roomId", room }, { "readSeq", marker } } }));
            }
        }
        return { { "ok", true }, { "readSeq", marker } };
    }
    return apply(user, event, p);
}

json ChatScript::post(const QString &user, const std::string &room, const std::string &content)
{
    return apply(user, "message:send", { { "roomId", room }, { "content", content } });
}

json ChatScript::change(const QString &user, const std::string &event, json payload)
{
    return apply(user, event, std::move(payload));
}

json ChatScript::apply(const QString &user, const std::string &event, const json &p)
{
    const std::string room = p.value("roomId", "");
    if (!m_rooms.count(room))
        return error("not_found", "no such room");
    RoomState &r = m_rooms[room];
    if (event == "message:send") {
        const std::string clientId = p.value("clientId", "");
        for (const json &m : r.messages) {
            if (!clientId.empty() && m.value("clientId", "") == clientId)
                return { { "ok", true }, { "message", m } }; // a retry
        }
        json m = { { "id", "m" + std::to_string(r.messages.size() + 1) }, { "roomId", room },
            { "seq", r.messages.size() + 1 }, { "userId", user.toStdString() },
            { "userName", user.toStdString() }, { "content", p.value("content", "") },
            { "createdAt", now() } };
        if (!clientId.empty())
            m["clientId"] = clientId;
        if (v11) {
            m.update({ { "rev", 0 }, { "editedAt", nullptr }, { "deleted", false },
                { "deletedAt", nullptr }, { "reactions", json::object() }, { "replyTo", nullptr },
                { "mentions", json::array() } });
            if (p.contains("replyTo") && p["replyTo"].is_string()) {
                const auto original = std::find_if(r.messages.begin(), r.messages.end(),
                    [&](const json &o) { return o["id"] == p["replyTo"]; });
                if (original == r.messages.end())
                    return error("not_found", "no such message");
                m["replyTo"] = { { "id", (*original)["id"] }, { "seq", (*original)["seq"] },
                    { "userId", (*original)["userId"] }, { "userName", (*original)["userName"] },
                    { "excerpt", (*original)["content"] }, { "deleted", (*original)["deleted"] } };
            }
        }
        r.messages.push_back(m);
        if (!broadcastNews || broadcastNews(m["seq"].get<std::int64_t>()))
            broadcast(room, "message:new", m);
        return { { "ok", true }, { "message", m } };
    }
    const std::string id = p.value("messageId", "");
    const auto it = std::find_if(
        r.messages.begin(), r.messages.end(), [&](const json &m) { return m["id"] == id; });
    if (it == r.messages.end())
        return error("not_found", "no such message");
    json &m = *it;
    const bool author = m["userId"] == user.toStdString();
    const json before = m;
    if (event == "message:edit") {
        if (!author)
            return error("access_denied", "only the author edits");
        if (m["deleted"].get<bool>())
            return error("invalid", "deleted");
        m["content"] = p.value("content", "");
        if (m != before)
            m["editedAt"] = now();
    } else if (event == "message:delete") {
        if (!author)
            return error("access_denied", "only the author deletes");
        if (!m["deleted"].get<bool>()) {
            m["deleted"] = true;
            m["deletedAt"] = now();
            m["content"] = "";
            m["reactions"] = json::object();
            m["mentions"] = json::array();
        }
    } else if (event == "message:react") {
        if (m["deleted"].get<bool>())
            return error("invalid", "deleted");
        const std::string emoji = p.value("emoji", "");
        json users = m["reactions"].value(emoji, json::array());
        const auto self = std::find(users.begin(), users.end(), user.toStdString());
        if (p.value("add", true) && self == users.end())
            users.push_back(user.toStdString());
        else if (!p.value("add", true) && self != users.end())
            users.erase(self);
        std::sort(users.begin(), users.end());
        if (users.empty())
            m["reactions"].erase(emoji);
        else
            m["reactions"][emoji] = users;
    } else {
        return error("unsupported", "unknown request");
    }
    if (m != before) {
        m["rev"] = ++r.rev;
        if (!broadcastChange || broadcastChange(r.rev))
            broadcast(room, "message:updated", m);
    }
    return { { "ok", true }, { "message", m } };
}

void ChatScript::broadcast(const std::string &room, const std::string &event, const json &m)
{
    const QString name = QString::fromStdString(room);
    for (auto it = m_joined.cbegin(); it != m_joined.cend(); ++it) {
        if (it.value().contains(name))
            raw.sendEvent(it.key(), event, json::array({ m }));
    }
}
