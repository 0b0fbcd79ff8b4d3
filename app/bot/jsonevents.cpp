// SPDX-License-Identifier: MIT
#include "jsonevents.h"

#include <Palaver/Bot/commandbot.h>
#include <Palaver/Bot/roompresence.h>
#include <Palaver/client.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QMetaEnum>

#include <cstdio>

namespace Palaver::Bot {

namespace {

template<typename E> QString enumKey(E value)
{
    return QString::fromLatin1(QMetaEnum::fromType<E>().valueToKey(int(value)));
}

QJsonArray ids(const QVariantList &list, const char *key = nullptr)
{
    QJsonArray out;
    for (const QVariant &v : list)
        out.append(key ? v.toMap().value(QLatin1String(key)).toString() : v.toString());
    return out;
}

} // namespace

JsonEvents::JsonEvents(QObject *parent) : QObject(parent)
{
}

void JsonEvents::print(const QString &event, QJsonObject object)
{
    // "event" goes first, so that a reader (or a person) sees the kind before the details.
    object.remove(QStringLiteral("event"));
    const QByteArray name = QJsonDocument(QJsonArray { event }).toJson(QJsonDocument::Compact);
    const QByteArray body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    const QByteArray line = "{\"event\":" + name.mid(1, name.size() - 2)
        + (object.isEmpty() ? QByteArray("}") : ',' + body.mid(1)) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

void JsonEvents::watch(Client *client)
{
    connect(client, &Client::stateChanged, this, [client](Client::State state) {
        QJsonObject o { { QStringLiteral("state"), enumKey(state) } };
        if (state == Client::State::Reconnecting) {
            o.insert(QStringLiteral("attempt"), client->reconnectAttempt());
            o.insert(QStringLiteral("inMs"), client->nextRetryIn());
        }
        if (state == Client::State::Failed)
            o.insert(QStringLiteral("error"), enumKey(client->error()));
        print(QStringLiteral("state"), o);
    });
    connect(client, &Client::disconnected, this, [](const QString &reason) {
        print(QStringLiteral("disconnected"), { { QStringLiteral("reason"), reason } });
    });
    connect(client, &Client::errorOccurred, this, [](Client::Error error, const QString &message) {
        print(QStringLiteral("error"),
            { { QStringLiteral("error"), enumKey(error) },
                { QStringLiteral("message"), message } });
    });
    connect(client, &Client::sessionReady, this, [](const QVariantMap &session) {
        const QVariantMap user = session.value(QStringLiteral("user")).toMap();
        print(QStringLiteral("session"),
            { { QStringLiteral("userId"), user.value(QStringLiteral("id")).toString() },
                { QStringLiteral("userName"), user.value(QStringLiteral("name")).toString() },
                { QStringLiteral("rooms"),
                    ids(session.value(QStringLiteral("rooms")).toList(), "id") },
                { QStringLiteral("online"),
                    ids(session.value(QStringLiteral("online")).toList()) } });
    });
    const auto joined = [](const QString &roomId, const QVariantMap &ack, bool again) {
        print(QStringLiteral("joined"),
            { { QStringLiteral("roomId"), roomId }, { QStringLiteral("rejoined"), again },
                { QStringLiteral("members"),
                    ids(ack.value(QStringLiteral("members")).toList(), "id") } });
    };
    connect(client, &Client::roomJoined, this,
        [joined](const QString &roomId, const QVariantMap &ack) { joined(roomId, ack, false); });
    connect(client, &Client::roomRejoined, this,
        [joined](const QString &roomId, const QVariantMap &ack) { joined(roomId, ack, true); });
    connect(client, &Client::roomJoinFailed, this,
        [](const QString &roomId, const QString &code, const QString &message) {
            print(QStringLiteral("joinFailed"),
                { { QStringLiteral("roomId"), roomId }, { QStringLiteral("code"), code },
                    { QStringLiteral("message"), message } });
        });
    connect(client, &Client::messageReceived, this, [](const Message &m) {
        print(QStringLiteral("message"),
            { { QStringLiteral("roomId"), m.roomId }, { QStringLiteral("seq"), m.seq },
                { QStringLiteral("id"), m.id }, { QStringLiteral("userId"), m.authorId },
                { QStringLiteral("userName"), m.authorName },
                { QStringLiteral("content"), m.content },
                { QStringLiteral("createdAt"), m.createdAt.toUTC().toString(Qt::ISODateWithMs) } });
    });
    // Contract v1.1: a message changed (edit, delete, reaction), in the room's rev order.
    connect(client, &Client::messageUpdated, this, [](const Message &m) {
        QJsonObject reactions;
        for (const MessageReaction &r : m.reactions)
            reactions.insert(r.emoji, QJsonArray::fromStringList(r.userIds));
        QJsonObject o { { QStringLiteral("roomId"), m.roomId }, { QStringLiteral("seq"), m.seq },
            { QStringLiteral("id"), m.id }, { QStringLiteral("rev"), m.rev },
            { QStringLiteral("userId"), m.authorId }, { QStringLiteral("content"), m.content },
            { QStringLiteral("edited"), m.isEdited() }, { QStringLiteral("deleted"), m.deleted },
            { QStringLiteral("reactions"), reactions } };
        if (m.isEdited())
            o.insert(QStringLiteral("editedAt"), m.editedAt.toUTC().toString(Qt::ISODateWithMs));
        print(QStringLiteral("update"), o);
    });
    connect(client, &Client::messageQueued, this, [](const QUuid &clientId, const Message &m) {
        print(QStringLiteral("queued"),
            { { QStringLiteral("clientId"), clientId.toString(QUuid::WithoutBraces) },
                { QStringLiteral("roomId"), m.roomId } });
    });
    connect(client, &Client::messageAcked, this, [](const QUuid &clientId, const Message &m) {
        print(QStringLiteral("acked"),
            { { QStringLiteral("clientId"), clientId.toString(QUuid::WithoutBraces) },
                { QStringLiteral("roomId"), m.roomId }, { QStringLiteral("seq"), m.seq } });
    });
    connect(client, &Client::messageRefused, this,
        [](const QUuid &clientId, const QString &code, const QString &message) {
            print(QStringLiteral("refused"),
                { { QStringLiteral("clientId"), clientId.toString(QUuid::WithoutBraces) },
                    { QStringLiteral("code"), code }, { QStringLiteral("message"), message } });
        });
}

void JsonEvents::watch(RoomPresence *presence)
{
    connect(presence, &RoomPresence::presenceChanged, this, [](const QString &userId, bool online) {
        print(QStringLiteral("presence"),
            { { QStringLiteral("userId"), userId }, { QStringLiteral("online"), online } });
    });
    connect(presence, &RoomPresence::memberJoined, this,
        [](const QString &roomId, const QString &userId) {
            print(QStringLiteral("member"),
                { { QStringLiteral("roomId"), roomId }, { QStringLiteral("userId"), userId },
                    { QStringLiteral("joined"), true } });
        });
    connect(presence, &RoomPresence::memberLeft, this,
        [](const QString &roomId, const QString &userId) {
            print(QStringLiteral("member"),
                { { QStringLiteral("roomId"), roomId }, { QStringLiteral("userId"), userId },
                    { QStringLiteral("joined"), false } });
        });
}

void JsonEvents::watch(CommandBot *bot)
{
    connect(bot, &CommandBot::commandHandled, this,
        [](const QString &roomId, const QString &command, const QString &userId) {
            print(QStringLiteral("command"),
                { { QStringLiteral("roomId"), roomId }, { QStringLiteral("command"), command },
                    { QStringLiteral("userId"), userId } });
        });
    connect(bot, &CommandBot::mentionReacted, this,
        [](const QString &roomId, const QString &messageId, const QString &emoji) {
            print(QStringLiteral("reacted"),
                { { QStringLiteral("roomId"), roomId }, { QStringLiteral("messageId"), messageId },
                    { QStringLiteral("emoji"), emoji } });
        });
}

} // namespace Palaver::Bot
