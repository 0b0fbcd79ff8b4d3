// SPDX-License-Identifier: MIT
#include <Palaver/Bot/roompresence.h>
#include <Palaver/client.h>

#include <algorithm>

namespace Palaver::Bot {

RoomPresence::RoomPresence(Client *client, QObject *parent) : QObject(parent), m_client(client)
{
    connect(client, &Client::sessionReady, this, &RoomPresence::onSession);
    connect(client, &Client::roomJoined, this, &RoomPresence::onJoined);
    connect(client, &Client::roomRejoined, this, &RoomPresence::onJoined);
    connect(client, &Client::eventReceived, this, &RoomPresence::onEvent);
    connect(client, &Client::messageReceived, this,
        [this](const Message &m) { learnName(m.authorId, m.authorName); });
    connect(client, &Client::joinedRoomsChanged, this, [this] {
        // A room left on request stops being tracked; one still kept waits for its re-join.
        const QStringList kept = m_client->joinedRooms();
        for (auto it = m_rooms.begin(); it != m_rooms.end();) {
            if (kept.contains(it.key()))
                ++it;
            else
                it = m_rooms.erase(it);
        }
    });
}

QList<RoomPresence::Member> RoomPresence::members(const QString &roomId) const
{
    QList<Member> list;
    for (const QString &id : m_rooms.value(roomId))
        list.append({ id, displayName(id), m_online.contains(id) });
    std::sort(list.begin(), list.end(), [](const Member &a, const Member &b) {
        const int c = a.name.compare(b.name, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a.id < b.id;
    });
    return list;
}

QList<RoomPresence::Member> RoomPresence::onlineMembers(const QString &roomId) const
{
    QList<Member> list = members(roomId);
    list.removeIf([](const Member &m) { return !m.online; });
    return list;
}

bool RoomPresence::isOnline(const QString &userId) const
{
    return m_online.contains(userId);
}

QString RoomPresence::displayName(const QString &userId) const
{
    const QString name = m_names.value(userId);
    return name.isEmpty() ? userId : name;
}

void RoomPresence::onSession(const QVariantMap &session)
{
    const QVariantMap user = session.value(QStringLiteral("user")).toMap();
    m_userId = user.value(QStringLiteral("id")).toString();
    m_userName = user.value(QStringLiteral("name")).toString();
    learnName(m_userId, m_userName);
    // The snapshot replaces what we knew: presence events of the gap were not seen.
    QSet<QString> online;
    for (const QVariant &id : session.value(QStringLiteral("online")).toList())
        online.insert(id.toString());
    const QSet<QString> before = m_online;
    m_online = online;
    for (const QString &id : before)
        if (!online.contains(id))
            Q_EMIT presenceChanged(id, false);
    for (const QString &id : online)
        if (!before.contains(id))
            Q_EMIT presenceChanged(id, true);
    Q_EMIT sessionStarted(m_userId, m_userName);
}

void RoomPresence::onJoined(const QString &roomId, const QVariantMap &ack)
{
    QSet<QString> ids;
    for (const QVariant &v : ack.value(QStringLiteral("members")).toList()) {
        const QVariantMap member = v.toMap();
        const QString id = member.value(QStringLiteral("id")).toString();
        if (id.isEmpty())
            continue;
        ids.insert(id);
        learnName(id, member.value(QStringLiteral("name")).toString());
        setOnline(id, member.value(QStringLiteral("online")).toBool());
    }
    m_rooms.insert(roomId, ids);
}

void RoomPresence::onEvent(const QString &event, const QVariantList &args)
{
    const QVariantMap payload = args.value(0).toMap();
    const QString userId = payload.value(QStringLiteral("userId")).toString();
    if (userId.isEmpty())
        return;
    if (event == QLatin1String("user:online")) {
        setOnline(userId, true);
    } else if (event == QLatin1String("user:offline")) {
        setOnline(userId, false);
    } else if (event == QLatin1String("room:user-joined")
        || event == QLatin1String("room:user-left")) {
        const QString roomId = payload.value(QStringLiteral("roomId")).toString();
        auto it = m_rooms.find(roomId);
        if (it == m_rooms.end())
            return;
        if (event == QLatin1String("room:user-joined")) {
            it->insert(userId);
            // Joining needs a connected socket: the user is online even if we missed it.
            setOnline(userId, true);
            Q_EMIT memberJoined(roomId, userId);
        } else if (it->remove(userId)) {
            Q_EMIT memberLeft(roomId, userId);
        }
    }
}

void RoomPresence::setOnline(const QString &userId, bool online)
{
    const bool was = m_online.contains(userId);
    if (was == online)
        return;
    if (online)
        m_online.insert(userId);
    else
        m_online.remove(userId);
    Q_EMIT presenceChanged(userId, online);
}

void RoomPresence::learnName(const QString &userId, const QString &name)
{
    if (!userId.isEmpty() && !name.isEmpty())
        m_names.insert(userId, name);
}

} // namespace Palaver::Bot
