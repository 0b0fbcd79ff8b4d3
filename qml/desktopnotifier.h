// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/client.h>

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QtQml/qqmlregistration.h>

class QDBusPendingCallWatcher;

namespace Palaver::Chat {

//! Desktop notifications of new messages, through the freedesktop notification service on the
//! session bus (`org.freedesktop.Notifications`).
//!
//! A message notifies when the user is not looking at its room (the window is not active, or
//! another room is shown): a mention of the user at the room's level All or Mentions, any other
//! message at level All and only while the window is not active (an active user sees the badges).
//! Never for the user's own messages (from any of their devices), for messages older than this
//! notifier (history caught up after a reconnect), or while `enabled` is false. Without a
//! session bus or a notification service nothing is shown, and that is logged once.
//!
//! The level of each room is kept in QSettings (group `notifications`, key: the room id). Clicking
//! a notification emits activated() with its room, for the window to raise itself there.
class DesktopNotifier : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(Palaver::Client *client READ client WRITE setClient NOTIFY clientChanged)
    //! Off while signed out: nothing is shown.
    Q_PROPERTY(bool enabled READ isEnabled WRITE setEnabled NOTIFY enabledChanged)
    //! The room shown in the window ("" for none).
    Q_PROPERTY(QString shownRoomId READ shownRoomId WRITE setShownRoomId NOTIFY shownRoomIdChanged)
    //! Whether the window has the focus (Window.active).
    Q_PROPERTY(
        bool windowActive READ isWindowActive WRITE setWindowActive NOTIFY windowActiveChanged)
    //! Messages created before this time are history and never notify; the notifier's creation
    //! time by default.
    Q_PROPERTY(QDateTime notBefore READ notBefore WRITE setNotBefore NOTIFY notBeforeChanged)

public:
    //! What a room notifies of.
    enum Level {
        All, //!< mentions, and every message while the window is not active
        Mentions, //!< mentions of the user only
        Off, //!< nothing
    };
    Q_ENUM(Level)

    explicit DesktopNotifier(QObject *parent = nullptr);
    ~DesktopNotifier() override;

    Client *client() const { return m_client; }
    void setClient(Client *client);
    bool isEnabled() const { return m_enabled; }
    void setEnabled(bool enabled);
    QString shownRoomId() const { return m_shownRoomId; }
    void setShownRoomId(const QString &roomId);
    bool isWindowActive() const { return m_windowActive; }
    void setWindowActive(bool active);
    QDateTime notBefore() const { return m_notBefore; }
    void setNotBefore(const QDateTime &time);

    //! The room's level (All unless the user chose another).
    Q_INVOKABLE Palaver::Chat::DesktopNotifier::Level level(const QString &roomId) const;
    Q_INVOKABLE void setLevel(const QString &roomId, Palaver::Chat::DesktopNotifier::Level level);

    //! The notification body for `content`: plain text that no server can take for markup
    //! (servers with `body-markup` read a subset of HTML), on one screen.
    static QString plainBody(const QString &content);

Q_SIGNALS:
    void clientChanged();
    void enabledChanged();
    void shownRoomIdChanged();
    void windowActiveChanged();
    void notBeforeChanged();
    //! A room's level changed (setLevel()).
    void levelChanged(const QString &roomId);
    //! The user clicked the notification of a message of `roomId`.
    void activated(const QString &roomId);

private Q_SLOTS:
    // D-Bus signals of the notification service (connected by name, hence slots).
    void onActionInvoked(uint id, const QString &actionKey);
    void onNotificationClosed(uint id, uint reason);

private:
    void onMessage(const Message &message);
    bool wanted(const Message &message) const;
    void show(const Message &message, bool mentionsMe);
    void onShown(QDBusPendingCallWatcher *call, const QString &roomId);
    void unavailable(const QString &why);
    bool connectBus();

    QPointer<Client> m_client;
    QMetaObject::Connection m_messages;
    bool m_enabled = true;
    bool m_windowActive = false;
    QString m_shownRoomId;
    QDateTime m_notBefore;
    bool m_busConnected = false;
    bool m_saidUnavailable = false;
    QHash<uint, QString> m_roomOfId; //!< notifications shown and not closed yet
    QHash<QString, uint> m_idOfRoom; //!< the newest of each room, replaced by the next one
};

} // namespace Palaver::Chat
