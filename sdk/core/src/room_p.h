// SPDX-License-Identifier: MIT
#pragma once

#include "localstore_p.h"
#include "outbox_p.h"
#include "streamedtext_p.h"
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
    int mentions = 0; //!< of the unread messages, those that mention this user
    //! The newest message delivered, unless lastRowSeq is newer: then it is the model's row of
    //! that seq, made into a Message when first asked for (latest()).
    mutable Message lastMessage;
    mutable qint64 lastRowSeq = 0;
    bool streamedRows = false; //!< the stream's messages come as StreamedText (for the log)
    qint64 readSeq = 0; //!< contract v1.1: this user's marker, from any device
    //! Messages shown with our changes before the server made them: the server's last state
    //! of each (to roll back to when a change is refused) and how many changes wait.
    struct Optimistic {
        Message confirmed;
        QSet<QUuid> waiting; //!< the outbox entries of our changes shown on the row
    };
    QHash<QString, Optimistic> optimistic; //!< message id ->

    // `room:user-joined` names no display name: a join answer (idempotent) brings the member
    // list with names. One such request at a time.
    bool memberRefreshInFlight = false;
    bool memberRefreshAgain = false;

    //! Bumped when the room is left: answers to requests of an earlier membership are dropped.
    quint64 epoch = 0;

    bool replacing = false; //!< a retry replaces its Failed row: ignore our own model signals
    bool cached = false; //!< Room::cached

    static constexpr int TypingExpiryMs = 6000;
    static constexpr int TypingThrottleMs = 3000;
    static constexpr int HistoryPageSize = 50;
    //! What a Room shows of its cache at once; scrolling up reads the rest page by page.
    static constexpr int CachedPageSize = 100;
    static constexpr int DefaultMaxContentLength = 4000;

    void setJoinState(JoinState state);
    void setName(const QString &name);
    void setPrivate(bool isPrivate);
    //! Also clears the mention count when `count` is 0 (everything read).
    void setUnread(int count);
    void setMentions(int count);
    void setLastMessage(const Message &message);
    //! Room::lastMessage().
    const Message &latest() const;
    qint64 latestSeq() const { return std::max(lastMessage.seq, lastRowSeq); }
    void clearLastMessage();
    //! Shows `message` in its row; lastMessage keeps the server's state (it is made from the
    //! row first while it is one).
    void updateRow(const Message &message);

    QString ownUserId() const;

    // Fed by the RoomDirectory (the rooms layer, which owns this room's stream).
    //! Any join answer: the room, its members, and the first page when the timeline is empty.
    void onJoinAnswer(const QVariantMap &ack);
    void onJoinFailed(const QString &code, const QString &message);
    void onConnectionLost();
    void onClientLeft();
    //! The stream's next message (once, in seq order, live or caught up).
    void onDelivered(const Message &message);
    //! Whether the stream's messages may come as StreamedText: nobody listens to
    //! messageReceived(), so only the model takes them.
    bool takesStreamed() const;
    //! The stream's next message, in its plain form (RoomDirectory::onStreamedMessage()).
    void onStreamed(const StreamedText &message);
    struct Arrival {
        bool others = false; //!< not written by this user
        bool newer = false; //!< newer than the last message
    };
    //! What a delivered message (`seq` by `authorId`) counts before it becomes the last
    //! message: its author's name, the unread and mention counts.
    Arrival countArrival(const QString &authorId, const QString &authorName, qint64 seq,
        const QStringList &mentionsOf);
    //! What it changes after: the room list's activity, its author's typing,
    //! lastMessageChanged().
    void announceArrival(const QString &authorId, Arrival arrival);
    //! The log line of a change between the two forms of delivery.
    void noteStreamedRows(bool streamed);
    void onQueued(const Message &pending);
    void onAcked(const QString &clientId, const Message &message);
    void onRefused(const QString &clientId, const QString &code, const QString &message);
    //! The stream's next change (once, in rev order).
    void onUpdated(const Message &message);
    void onChangeAnswered(const OutboxEntry &change, const Message &message);
    void onChangeRefused(const OutboxEntry &change, const QString &code, const QString &message);
    void onReadMarker(qint64 readSeq);

    //! What a change or a send starts from: the reason it cannot be queued, else empty.
    QString checkContent(QString &content) const;
    //! A Failed message of `messageId` with `error`, as the v1.1 calls return it.
    Message refusedChange(const QString &messageId, const QString &error) const;
    //! Queues a change; the Pending message to return (or a Failed one).
    Message queueChange(OutboxEntry change, const QString &feature);
    //! Shows `change` of its message at once (when the message is in the timeline).
    Message showChange(const OutboxEntry &change, Message pending);
    //! `change` made to `m` as the server will make it (our user's part of it).
    void applyChange(Message &m, const OutboxEntry &change) const;
    //! The server's state `confirmed` with our changes that wait for an answer made to it.
    Message withWaitingChanges(Message confirmed) const;
    //! send() and reply(): `replyTo` empty for a plain send.
    Message sendText(const QString &text, const QString &replyTo);
    void onTyping(const QString &userId, bool typing);
    void onUserJoined(const QString &userId);
    void refreshMembers();
    void setMembersFrom(const QVariantMap &ack);
    void onUserLeft(const QString &userId);
    void onPresence(const QString &userId, bool online);
    void onOwnUserChanged();
    void addOutboxEcho();
    //! The counts and, into an empty timeline, the newest cached page of the account's store.
    void restoreFromStore(const LocalStore &store);
    void setCached(bool cached);
    //! The cached rows are not the server's history: the timeline starts afresh (the join
    //! answer that follows fills it).
    void discardCache();
    //! Another account signed in on the Client: the room starts afresh, not joined.
    void onAccountChanged();
    //! An empty timeline and member list, no typists; answers to earlier requests are dropped.
    void startAfresh();
    //! Rows coming into the timeline (a page of the cache, of a join or of history) show the
    //! outbox's changes of them that are not answered yet (e.g. made before a restart).
    void showWaitingChanges(QList<Message> &page);

    void stopTyping(const QString &userId);
    void expireTypists();
    void scheduleTypingTimer();

    void requestHistory(qint64 beforeSeq);

    void retry(const QString &clientId);
    void discarded(const QString &clientId);
};

} // namespace Palaver
