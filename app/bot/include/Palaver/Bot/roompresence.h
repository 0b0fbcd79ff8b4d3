// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QVariantMap>

namespace Palaver {
class Client;
}

namespace Palaver::Bot {

//! Who is in each joined room and who is online, kept from a Client's events: the `online`
//! snapshot of `session:ready`, the `members` of each join ack, then `room:user-joined`/`-left`
//! and `user:online`/`-offline` as PROTOCOL.md sends them. Names come from the join acks and
//! from messages; a user known only by id is shown by id.
//!
//! Why not `Client::room(id)->members()`: a Room also keeps its whole timeline in a
//! MessageModel, which has no cap, so a bot that runs for weeks in a busy room would grow
//! without bound. This keeps only who is where.
class RoomPresence : public QObject {
    Q_OBJECT

public:
    struct Member {
        QString id;
        QString name;
        bool online = false;
    };

    //! `client` is not owned; it must outlive this object.
    explicit RoomPresence(Client *client, QObject *parent = nullptr);

    //! The members of `roomId`, sorted by name (case-insensitive), then id.
    QList<Member> members(const QString &roomId) const;
    //! The members of `roomId` that are online now.
    QList<Member> onlineMembers(const QString &roomId) const;
    bool isOnline(const QString &userId) const;
    QString displayName(const QString &userId) const;
    //! The session's user (from `session:ready`).
    QString userId() const { return m_userId; }
    QString userName() const { return m_userName; }

Q_SIGNALS:
    void sessionStarted(const QString &userId, const QString &userName);
    void presenceChanged(const QString &userId, bool online);
    void memberJoined(const QString &roomId, const QString &userId);
    void memberLeft(const QString &roomId, const QString &userId);

private:
    void onSession(const QVariantMap &session);
    void onJoined(const QString &roomId, const QVariantMap &ack);
    void onEvent(const QString &event, const QVariantList &args);
    void setOnline(const QString &userId, bool online);
    void learnName(const QString &userId, const QString &name);

    Client *m_client;
    QString m_userId;
    QString m_userName;
    QSet<QString> m_online;
    QHash<QString, QString> m_names;
    QHash<QString, QSet<QString>> m_rooms; // roomId -> user ids
};

} // namespace Palaver::Bot
