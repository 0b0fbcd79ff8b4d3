// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/ackresult.h>
#include <Palaver/message.h>
#include <Palaver/room.h>

#include <QList>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>
#include <QVariantMap>

namespace Palaver {

class Client;
class MemberModel;
class MessageModel;
class RoomDirectory;

class Room::Private {
public:
    Private(Room *q, Client *client, const QString &id);

    Room *q;
    Client *client;
    RoomDirectory *directory = nullptr;
    QString id;
    QString name;
    bool isPrivate = false;

    JoinState joinState = JoinState::NotJoined;
    QString errorCode;
    QString errorString;

    MessageModel *messages = nullptr;
    MemberModel *members = nullptr;

    // Who is typing here (never this user), in the order they started.
    struct Typist {
        QString id;
        QString name;
        qint64 expiresAt = 0; //!< ms since epoch
    };
    QList<Typist> typists;
    QTimer typingTimer;
    // What this user told the room.
    bool typingSent = false;
    qint64 typingSentAt = 0;

    int unread = 0;
    Message lastMessage;

    // "Fresh" messages are those this client had not seen: they count as unread, become
    // lastMessage and are announced by messageReceived(). Seqs are gap-free, so what was seen is
    // a watermark plus the few seqs seen above a hole.
    bool baselineSet = false; //!< the first join answer set the watermark
    qint64 seenUpTo = 0;
    QSet<qint64> seenAbove;

    // Catch-up (resume and gap filling): one room:history {after} in flight at a time.
    bool catchUpInFlight = false;
    bool catchUpToEnd = false; //!< page until hasMore is false (resume without recovery)
    qint64 lastCatchUpAfter = -1;
    bool lastPageBroughtNothing = false;
    QTimer catchUpRetry;

    // `room:user-joined` names no display name: a join answer (idempotent) brings the member
    // list with names. One such request at a time.
    bool memberRefreshInFlight = false;
    bool memberRefreshAgain = false;

    //! Bumped when the room is left: answers to requests of an earlier membership are dropped.
    quint64 epoch = 0;

    bool rejoinPending = false; //!< the connection dropped while joined: the next join is a rejoin
    bool replacing = false; //!< a retry replaces its Failed row: ignore our own model signals

    static constexpr int TypingExpiryMs = 6000;
    static constexpr int TypingThrottleMs = 3000;
    static constexpr int HistoryPageSize = 50;
    static constexpr int CatchUpPageSize = 100;
    static constexpr int DefaultMaxContentLength = 4000;

    void setJoinState(JoinState state);
    void setName(const QString &name);
    void setPrivate(bool isPrivate);
    void setUnread(int count);
    void setLastMessage(const Message &message);

    QString ownUserId() const;
    bool isSeen(qint64 seq) const;
    void markSeen(qint64 seq);
    //! Records a message that arrived from the live stream or a catch-up page; true if fresh.
    bool takeFresh(const Message &message);

    // Fed by the RoomDirectory.
    void onJoinAnswer(const QVariantMap &ack);
    void onJoinFailed(const QString &code, const QString &message);
    void onConnectionLost();
    void onClientLeft();
    void onLiveMessage(const Message &message);
    void onQueued(const Message &pending);
    void onAcked(const QString &clientId, const Message &message);
    void onRefused(const QString &clientId, const QString &code, const QString &message);
    void onTyping(const QString &userId, bool typing);
    void onUserJoined(const QString &userId);
    void refreshMembers();
    void setMembersFrom(const QVariantMap &ack);
    void onUserLeft(const QString &userId);
    void onPresence(const QString &userId, bool online);
    void onOwnUserChanged();
    void addOutboxEcho();

    void stopTyping(const QString &userId);
    void expireTypists();
    void scheduleTypingTimer();

    void requestHistory(qint64 beforeSeq);
    //! Starts the next catch-up request if one is needed and none is in flight.
    void catchUpStep();
    void fetchAfter(qint64 afterSeq);
    void onCatchUpPage(qint64 afterSeq, const AckResult &result);
    //! The seq after which the first hole of the loaded timeline starts, or -1 if none.
    qint64 firstHole() const;

    void retry(const QString &clientId);
    void discarded(const QString &clientId);
};

//! A room id as PROTOCOL.md allows it.
bool isValidRoomId(const QString &id);
//! `{"ok":false,"error":{"code","message"}}` parts.
std::pair<QString, QString> ackErrorOf(const QVariantMap &reply);
//! A Message from an ack's or page's message object (Sent); empty id when it is not one.
Message messageFromVariant(const QVariant &value);

} // namespace Palaver
