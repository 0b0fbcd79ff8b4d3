// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/message.h>
#include <Palaver/palaversdk_export.h>

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

namespace Palaver {

class Client;
class MemberModel;
class MessageModel;

//! A chat room as this client sees it: its timeline, its members, who is typing, what is unread.
//!
//! Rooms are owned by their Client (Client::room()). A joined room stays joined across
//! reconnects: the Client joins it again and brings its timeline back to a gap-free,
//! duplicate-free stream, from the server's replay when the connection was recovered, or by
//! paging `room:history {after: lastSeq}` otherwise. A `seq` gap seen at any time is filled the
//! same way.
//!
//! Against a contract v1.1 server the room also has a stream of changes (edits, deletes,
//! reactions: messageUpdated(), in the room's `rev` order, caught up by `room:updates` after
//! every reconnect and on a `rev` gap) and a read marker shared by the user's devices (readSeq).
//!
//! A Failed row of `messages` (a send refused for good) can be retried from the model
//! (MessageModel::retry()): the Room sends the same content again under a new clientId, since the
//! old one was refused, and the new Pending row takes the place of the Failed one. Discarding an
//! unsent row (MessageModel::discard()) takes the message out of the Client's outbox.
class PALAVER_SDK_EXPORT Room : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString id READ id CONSTANT)
    Q_PROPERTY(QString name READ name NOTIFY nameChanged)
    Q_PROPERTY(bool isPrivate READ isPrivate NOTIFY isPrivateChanged)
    Q_PROPERTY(JoinState joinState READ joinState NOTIFY joinStateChanged)
    //! The server's error code of the last refused join (`not_found`, `access_denied`, ...).
    Q_PROPERTY(QString errorCode READ errorCode NOTIFY joinStateChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY joinStateChanged)
    Q_PROPERTY(Palaver::MessageModel *messages READ messages CONSTANT)
    Q_PROPERTY(Palaver::MemberModel *members READ members CONSTANT)
    //! Ids of the users typing now (never this user), in the order they started.
    Q_PROPERTY(QStringList typingUsers READ typingUsers NOTIFY typingUsersChanged)
    //! Display names of typingUsers, for "Alice is typing...".
    Q_PROPERTY(QStringList typingUserNames READ typingUserNames NOTIFY typingUsersChanged)
    //! Messages from others this client had not seen (live, or caught up after a reconnect)
    //! since the last markRead(); the join's first page does not count.
    Q_PROPERTY(int unreadCount READ unreadCount NOTIFY unreadCountChanged)
    Q_PROPERTY(Palaver::Message lastMessage READ lastMessage NOTIFY lastMessageChanged)
    //! This user's read marker (contract v1.1 `read`): the seq read up to, on any device.
    Q_PROPERTY(qint64 readSeq READ readSeq NOTIFY readSeqChanged)
    //! Unread messages from others that mention this user (contract v1.1 `mentions`); cleared
    //! with unreadCount. One's own messages never count.
    Q_PROPERTY(int mentionCount READ mentionCount NOTIFY mentionCountChanged)
    //! The timeline shows what the account's store kept (Client::setStoreDirectory()), and the
    //! server has not answered this run's join yet: it may be behind. False once it answered.
    Q_PROPERTY(bool cached READ isCached NOTIFY cachedChanged)

public:
    enum class JoinState {
        NotJoined,
        Joining, //!< asked; also while re-joining after a reconnect
        Joined,
        Leaving,
        Failed, //!< the server refused the join (see errorCode); join() tries again
    };
    Q_ENUM(JoinState)

    ~Room() override;

    QString id() const;
    QString name() const;
    bool isPrivate() const;
    JoinState joinState() const;
    QString errorCode() const;
    QString errorString() const;
    MessageModel *messages() const;
    MemberModel *members() const;
    QStringList typingUsers() const;
    QStringList typingUserNames() const;
    int unreadCount() const;
    Message lastMessage() const;
    qint64 readSeq() const;
    int mentionCount() const;
    bool isCached() const;
    Client *client() const;

    //! Joins the room (and keeps it joined across reconnects). Made offline, it happens at the
    //! next connect.
    Q_INVOKABLE void join();
    //! Leaves the room and stops re-joining it. Once left, the timeline and the member list are
    //! cleared (unsent messages stay): without membership they could not be kept gap-free, and
    //! the next join() starts from the latest page again.
    Q_INVOKABLE void leave();
    //! Sends `text` through the Client's outbox and shows it at once as a Pending row, which the
    //! server's ack turns into Sent in place. Returns that pending message (status Failed, with
    //! the reason in `error`, when it could not even be queued: empty text, too long, outbox
    //! full; such messages get no row). Joins the room first if needed. `text` is trimmed, and
    //! its length counted in code points against Client::maxContentLength (4000 before the
    //! server said).
    Q_INVOKABLE Palaver::Message send(const QString &text);
    //! Tells the room this user is typing or stopped. Throttled: at most one `typing: true` per
    //! few seconds while typing continues; `false` is sent at once. Volatile: dropped offline.
    Q_INVOKABLE void setTyping(bool typing);
    //! Everything up to the newest message counts as read. Against a server with the `read`
    //! feature the marker is also stored there (`room:read` with the newest seq; made offline,
    //! only the highest marker is sent once connected), and the user's other devices follow.
    Q_INVOKABLE void markRead();

    // Contract v1.1. Each goes through the Client's outbox like send(): in order with the sends,
    // persisted, retried until the server answers. Each returns the message as it will look
    // (status Pending), or status Failed with the reason in `error` when it could not even be
    // queued: the server lacks the feature (Client::features; Client::errorOccurred() reports
    // Client::Error::Unsupported and nothing is sent), empty or too long text, a bad emoji, the
    // outbox full. The server's change arrives as messageUpdated(); a refusal as changeFailed().
    // `messageId` is a server id, or the clientId of our own message still on its way.

    //! Edits one of this user's messages to `text` (trimmed, counted as for send()). An edit of
    //! a message still waiting in the outbox changes what will be sent instead.
    Q_INVOKABLE Palaver::Message edit(const QString &messageId, const QString &text);
    //! Deletes one of this user's messages; it stays in the timeline as a tombstone.
    Q_INVOKABLE Palaver::Message remove(const QString &messageId);
    //! Adds (or, with `add` false, takes back) this user's reaction `emoji` (1..16 code points,
    //! no white space or control characters). Safe to repeat.
    Q_INVOKABLE Palaver::Message react(
        const QString &messageId, const QString &emoji, bool add = true);
    //! Sends `text` as a reply to `messageId` (message:send with `replyTo`), as send() does.
    Q_INVOKABLE Palaver::Message reply(const QString &messageId, const QString &text);

Q_SIGNALS:
    void nameChanged();
    void isPrivateChanged();
    void joinStateChanged();
    void typingUsersChanged();
    void unreadCountChanged();
    void lastMessageChanged();

    //! The join succeeded (also after each re-join following a reconnect).
    void joined();
    //! The room was left on request.
    void left();
    //! The server refused the join for good.
    void joinFailed(const QString &code, const QString &message);
    //! The room's next message: the same stream as Client::messageReceived() for this room.
    //! Every message stored after the first join answer, exactly once, in `seq` order, whether
    //! it came live, replayed after a reconnect, in a re-join answer or from history fetched to
    //! catch up or fill a gap (never older history pages); also our own, once Sent. Emitted
    //! before the model's row appears (rows are inserted at the end of the turn).
    void messageReceived(const Palaver::Message &message);
    //! One of our messages was refused for good; its row is Failed, with retry/discard.
    void sendFailed(const QString &clientId, const QString &code, const QString &message);
    //! A message of the room changed (edited, deleted, a reaction; contract v1.1): `message` is
    //! its new state. The same stream as Client::messageUpdated() for this room: every change
    //! after the first join answer exactly once, in the room's `rev` order, live or caught up
    //! after a reconnect (`room:updates`); also our own, once the server made it.
    void messageUpdated(const Palaver::Message &message);
    //! One of our edits, deletes or reactions of `messageId` was refused for good (`code` as
    //! the server said: access_denied, not_found, invalid, too_long, or unsupported).
    void changeFailed(const QString &messageId, const QString &code, const QString &message);
    //! This user's read marker moved (here, or on another of the user's devices).
    void readSeqChanged();
    void mentionCountChanged();
    void cachedChanged();

private:
    friend class Client;
    friend class RoomDirectory;
    Room(Client *client, const QString &id);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver
