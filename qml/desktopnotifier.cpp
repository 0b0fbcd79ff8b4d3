// SPDX-License-Identifier: MIT
#include "desktopnotifier.h"

#include "logging_p.h"
#include <Palaver/room.h>

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QGuiApplication>
#include <QSettings>
#include <QVariantMap>

#include <utility>

namespace Palaver::Chat {

namespace {

const QString Service = QStringLiteral("org.freedesktop.Notifications");
const QString Path = QStringLiteral("/org/freedesktop/Notifications");
const QString Interface = QStringLiteral("org.freedesktop.Notifications");
const QString SettingsGroup = QStringLiteral("notifications");
const QString DefaultAction = QStringLiteral("default");
constexpr int MaxBodyLength = 300; // code units; a notification is a glance, not the message

QString levelName(DesktopNotifier::Level level)
{
    switch (level) {
    case DesktopNotifier::Mentions:
        return QStringLiteral("mentions");
    case DesktopNotifier::Off:
        return QStringLiteral("off");
    case DesktopNotifier::All:
        break;
    }
    return QStringLiteral("all");
}

} // namespace

DesktopNotifier::DesktopNotifier(QObject *parent)
    : QObject(parent), m_notBefore(QDateTime::currentDateTimeUtc())
{
}

DesktopNotifier::~DesktopNotifier() = default;

void DesktopNotifier::setClient(Client *client)
{
    if (m_client == client)
        return;
    disconnect(m_messages);
    m_client = client;
    if (client)
        m_messages = connect(client, &Client::messageReceived, this, &DesktopNotifier::onMessage);
    Q_EMIT clientChanged();
}

void DesktopNotifier::setEnabled(bool enabled)
{
    if (m_enabled == enabled)
        return;
    m_enabled = enabled;
    Q_EMIT enabledChanged();
}

void DesktopNotifier::setShownRoomId(const QString &roomId)
{
    if (m_shownRoomId == roomId)
        return;
    m_shownRoomId = roomId;
    Q_EMIT shownRoomIdChanged();
}

void DesktopNotifier::setWindowActive(bool active)
{
    if (m_windowActive == active)
        return;
    m_windowActive = active;
    Q_EMIT windowActiveChanged();
}

void DesktopNotifier::setNotBefore(const QDateTime &time)
{
    if (m_notBefore == time)
        return;
    m_notBefore = time;
    Q_EMIT notBeforeChanged();
}

DesktopNotifier::Level DesktopNotifier::level(const QString &roomId) const
{
    QSettings settings;
    settings.beginGroup(SettingsGroup);
    const QString value = settings.value(roomId).toString();
    if (value == levelName(Mentions))
        return Mentions;
    if (value == levelName(Off))
        return Off;
    return All;
}

void DesktopNotifier::setLevel(const QString &roomId, Level level)
{
    if (roomId.isEmpty() || this->level(roomId) == level)
        return;
    QSettings settings;
    settings.beginGroup(SettingsGroup);
    if (level == All)
        settings.remove(roomId); // the default is not written down
    else
        settings.setValue(roomId, levelName(level));
    Q_EMIT levelChanged(roomId);
}

QString DesktopNotifier::plainBody(const QString &content)
{
    QString text = content.simplified();
    if (text.size() > MaxBodyLength) {
        int cut = MaxBodyLength - 1;
        if (text.at(cut - 1).isHighSurrogate())
            --cut; // never half a code point
        text = text.left(cut) + QChar(0x2026);
    }
    QString body;
    body.reserve(text.size());
    for (const QChar c : std::as_const(text)) {
        if (c == QLatin1Char('&'))
            body += QLatin1String("&amp;");
        else if (c == QLatin1Char('<'))
            body += QLatin1String("&lt;");
        else if (c == QLatin1Char('>'))
            body += QLatin1String("&gt;");
        else
            body += c;
    }
    return body;
}

bool DesktopNotifier::wanted(const Message &message) const
{
    if (!m_enabled || !m_client || message.status != Message::Status::Sent || message.deleted)
        return false;
    const QString me = m_client->userId();
    if (me.isEmpty() || message.authorId == me)
        return false; // our own, from this device or another one
    if (!message.createdAt.isValid() || message.createdAt < m_notBefore)
        return false; // history caught up, not news
    const bool lookingAt = m_windowActive && message.roomId == m_shownRoomId;
    if (lookingAt)
        return false;
    switch (level(message.roomId)) {
    case Off:
        return false;
    case Mentions:
        return message.mentions.contains(me);
    case All:
        return message.mentions.contains(me) || !m_windowActive;
    }
    return false;
}

void DesktopNotifier::onMessage(const Message &message)
{
    if (wanted(message))
        show(message, message.mentions.contains(m_client->userId()));
}

bool DesktopNotifier::connectBus()
{
    if (m_busConnected)
        return true;
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        unavailable(QStringLiteral("no session bus"));
        return false;
    }
    bus.connect(Service, Path, Interface, QStringLiteral("ActionInvoked"), this,
        SLOT(onActionInvoked(uint, QString)));
    bus.connect(Service, Path, Interface, QStringLiteral("NotificationClosed"), this,
        SLOT(onNotificationClosed(uint, uint)));
    m_busConnected = true;
    return true;
}

void DesktopNotifier::show(const Message &message, bool mentionsMe)
{
    if (!connectBus())
        return;
    Room *room = m_client->room(message.roomId);
    const QString roomName = room && !room->name().isEmpty() ? room->name() : message.roomId;
    const QString author = message.authorName.isEmpty() ? message.authorId : message.authorName;
    // The summary is plain text for every server; only the body may be read as markup.
    const QString summary = mentionsMe
        ? QCoreApplication::translate("DesktopNotifier", "%1 mentioned you in %2")
              .arg(author, roomName)
        : QCoreApplication::translate("DesktopNotifier", "%1 in %2").arg(author, roomName);
    const QVariantMap hints {
        { QStringLiteral("desktop-entry"), QGuiApplication::desktopFileName() },
        { QStringLiteral("category"), QStringLiteral("im.received") },
        { QStringLiteral("urgency"), QVariant::fromValue<uchar>(mentionsMe ? 1 : 0) },
    };
    const QStringList actions { DefaultAction,
        QCoreApplication::translate("DesktopNotifier", "Open") };
    QDBusMessage call
        = QDBusMessage::createMethodCall(Service, Path, Interface, QStringLiteral("Notify"));
    call << QGuiApplication::applicationDisplayName() << m_idOfRoom.value(message.roomId, 0u)
         << QStringLiteral("palaver-chat") << summary << plainBody(message.content) << actions
         << hints << int(-1);
    auto *watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
        [this, roomId = message.roomId](QDBusPendingCallWatcher *w) { onShown(w, roomId); });
}

void DesktopNotifier::onShown(QDBusPendingCallWatcher *call, const QString &roomId)
{
    call->deleteLater();
    const QDBusPendingReply<uint> reply = *call;
    if (reply.isError()) {
        unavailable(reply.error().name());
        return;
    }
    const uint id = reply.value();
    if (const uint old = m_idOfRoom.value(roomId, 0u); old != 0 && old != id)
        m_roomOfId.remove(old);
    m_idOfRoom.insert(roomId, id);
    m_roomOfId.insert(id, roomId);
}

void DesktopNotifier::unavailable(const QString &why)
{
    // Once per run: a desktop without a notification service is normal, not an error to repeat.
    if (std::exchange(m_saidUnavailable, true))
        return;
    qCInfo(Log::chat, "No desktop notifications: %s", qPrintable(why));
}

void DesktopNotifier::onActionInvoked(uint id, const QString &actionKey)
{
    const auto it = m_roomOfId.constFind(id);
    if (it == m_roomOfId.cend() || actionKey != DefaultAction)
        return; // another application's notification, or not ours to handle
    Q_EMIT activated(*it);
}

void DesktopNotifier::onNotificationClosed(uint id, uint reason)
{
    Q_UNUSED(reason)
    const QString roomId = m_roomOfId.take(id);
    if (!roomId.isEmpty() && m_idOfRoom.value(roomId) == id)
        m_idOfRoom.remove(roomId);
}

} // namespace Palaver::Chat
