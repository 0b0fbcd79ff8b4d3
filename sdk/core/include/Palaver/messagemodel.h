// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/message.h>
#include <Palaver/palaversdk_export.h>

#include <QAbstractListModel>
#include <QList>
#include <QString>

#include <memory>

namespace Palaver {

//! The timeline of one room as a flat list model: row 0 is the oldest message loaded, the last
//! rows are the newest. Sent messages are ordered by `seq`; Pending and Failed messages (our own,
//! not acknowledged) follow all sent ones, in send order.
//!
//! The model does no I/O. A Room feeds it (C++ only) and listens to its request signals:
//! - `queueIncoming()` for each `message:new`: the messages queued during one event-loop turn are
//!   merged at the end of that turn with `appendMessages()`, so a burst costs one `rowsInserted`;
//! - `appendMessages()` to merge a batch at once (resume pages, `room:history {after}`);
//! - `prependHistory()` for older pages (answers to `historyRequested`);
//! - `addPending()` / `markSent()` / `markFailed()` for our own sends;
//! - signals `historyRequested`, `gapDetected`, `retryRequested`, `discarded` to act on.
//!
//! Every change is incremental: one `beginInsertRows` per contiguous batch, `dataChanged` with the
//! role list, `beginMoveRows` when a confirmed message must take its place by `seq`; never a reset
//! except `clear()`. `data()` is O(1): the grouping flags are computed when rows arrive.
//! A model holds one room: messages that name another room than the first one seen are dropped.
class PALAVER_SDK_EXPORT MessageModel : public QAbstractListModel {
    Q_OBJECT
    //! Number of rows (sent, pending and failed).
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    //! The signed-in user's id: rows by this author have `isOwn` true.
    Q_PROPERTY(QString ownUserId READ ownUserId WRITE setOwnUserId NOTIFY ownUserIdChanged)
    //! Whether older history exists on the server (as far as the model was told).
    Q_PROPERTY(bool hasMoreHistory READ hasMoreHistory NOTIFY hasMoreHistoryChanged)
    //! Whether a history request is in flight (emitted `historyRequested`, no page back yet).
    Q_PROPERTY(bool fetchingHistory READ isFetchingHistory NOTIFY fetchingHistoryChanged)
    //! `canFetchMore()` as a property (a QML binding can show a spinner or "start of the room"):
    //! more history exists and no request is in flight. Named apart from the invokable method.
    Q_PROPERTY(bool canFetchMoreHistory READ canFetchMoreHistory NOTIFY canFetchMoreHistoryChanged)
    //! Highest `seq` of the sent messages held, 0 when none.
    Q_PROPERTY(qint64 lastSeq READ lastSeq NOTIFY lastSeqChanged)

public:
    //! The roles of a row; `roleNames()` gives each its camelCase name (in brackets).
    enum Roles {
        IdRole = Qt::UserRole + 1, //!< QString (`id`): server id, empty while Pending/Failed
        SeqRole, //!< qint64 (`seq`): position in the room, 0 while Pending/Failed
        AuthorIdRole, //!< QString (`authorId`)
        AuthorNameRole, //!< QString (`authorName`)
        ContentRole, //!< QString (`content`): plain text, never markup
        CreatedAtRole, //!< QDateTime (`createdAt`), UTC; local compose time while Pending
        StatusRole, //!< Message::Status (`status`)
        ErrorRole, //!< QString (`error`): why a Failed message failed, else empty
        IsOwnRole, //!< bool (`isOwn`): written by `ownUserId`
        ClientIdRole, //!< QString (`clientId`): the sender's idempotency key, may be empty
        //! bool (`firstOfAuthorRun`): first of consecutive rows by one author; a pause of more
        //! than 5 minutes starts a new run
        FirstOfAuthorRunRole,
        FirstOfDayRole, //!< bool (`firstOfDay`): first row of a local calendar day
        // Contract v1.1 (defaults for a v1 server's messages):
        EditedRole, //!< bool (`edited`): edited after it was sent
        EditedAtRole, //!< QDateTime (`editedAt`), UTC; invalid when never edited
        DeletedRole, //!< bool (`deleted`): a tombstone (content empty)
        //! QVariantList (`reactions`) of maps `{emoji, count, mine, users}`: `users` the ids
        //! (sorted), `mine` whether ownUserId is one of them
        ReactionsRole,
        ReplyToIdRole, //!< QString (`replyToId`): the message answered, empty when not a reply
        ReplyToAuthorRole, //!< QString (`replyToAuthor`): its author's name when answered
        ReplyToExcerptRole, //!< QString (`replyToExcerpt`): its first 100 code points
        ReplyToDeletedRole, //!< bool (`replyToDeleted`): it was deleted when answered
        MentionsMeRole, //!< bool (`mentionsMe`): mentions ownUserId, and not written by them
        LastRole, //!< not a role: proxies add theirs after it
    };
    Q_ENUM(Roles)

    //! A pause longer than this between two messages of one author starts a new author run.
    static constexpr qint64 AuthorRunBreakMs = 5 * 60 * 1000;

    explicit MessageModel(QObject *parent = nullptr);
    ~MessageModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    //! True when more history exists and no request is in flight.
    bool canFetchMore(const QModelIndex &parent) const override;
    //! Emits `historyRequested(firstSeq())` if `canFetchMore()`; else does nothing.
    void fetchMore(const QModelIndex &parent) override;
    //! `fetchMore()` of the root, for QML (a view scrolled to the top): asks for the page before
    //! the first message, unless none is left or a request is in flight.
    Q_INVOKABLE void fetchMoreHistory();

    int count() const;
    QString ownUserId() const;
    void setOwnUserId(const QString &userId);
    bool hasMoreHistory() const;
    bool isFetchingHistory() const;
    bool canFetchMoreHistory() const;
    //! Highest `seq` of the sent messages held, 0 when none.
    qint64 lastSeq() const;
    //! Lowest `seq` of the sent messages held, 0 when none.
    qint64 firstSeq() const;
    //! The room id of the messages held (the first one seen), empty before any.
    QString roomId() const;

    //! The message at `row` (a copy), or a default Message when `row` is out of range.
    Q_INVOKABLE Palaver::Message message(int row) const;
    //! Row of the message with this client id (any status), or -1.
    Q_INVOKABLE int rowOfClientId(const QString &clientId) const;
    //! Row of the sent message with this seq, or -1 (binary search).
    Q_INVOKABLE int rowOfSeq(qint64 seq) const;
    //! Row of the sent message with this server id, or -1 (a scan from the newest: for user
    //! actions, not per message).
    Q_INVOKABLE int rowOfId(const QString &id) const;

    // ---- Feeding (C++ only, for the Room) ----

    //! Queues one incoming message (`message:new`); all messages queued during one event-loop turn
    //! are merged at the end of it by one `appendMessages()` call (a zero-delay queued flush).
    void queueIncoming(const Message &message);
    //! Merges the queued messages now instead of at the end of the turn.
    void flushIncoming();
    //! Merges a batch of sent messages by `seq`/`id`: duplicates are ignored, older or
    //! out-of-order ones inserted at their place, and one whose `clientId` matches a Pending or
    //! Failed row replaces that row in place (`dataChanged`, then a move if its `seq` requires),
    //! so the echo of our own send never shows twice. New messages that land at one place are
    //! inserted with one `beginInsertRows`. Emits `gapDetected` for each hole after `lastSeq()`.
    //! Messages without a `seq` (> 0) are ignored.
    void appendMessages(const QList<Message> &messages);
    //! Adds a page of older messages (oldest first or any order) before the first row with one
    //! `beginInsertRows(0, ...)`; duplicates are dropped, messages not older than the first row
    //! are merged as by `appendMessages()`. Ends the in-flight history request and records
    //! `hasMore` (false: the start of the room is loaded, `canFetchMore()` turns false for good).
    void prependHistory(const QList<Message> &messages, bool hasMore);
    //! A message changed (contract v1.1: edit, delete, reactions; or an optimistic change and
    //! its rollback): its row, found by `seq` (else by id; a message without an id: the unsent
    //! row of its clientId), takes the new state in place with
    //! one `dataChanged` naming exactly the roles that changed. A message not held is ignored
    //! (false): it was not loaded yet and will come in its current state.
    bool updateMessage(const Message &message);
    //! Tells the model whether older history exists (e.g. from the join answer's `hasMore`).
    void setHasMoreHistory(bool hasMore);
    //! Ends the in-flight history request without a page (the request failed); paging may
    //! be tried again.
    void historyRequestFailed();
    //! Optimistic send: appends a Pending row at once (the last row) and returns its client id
    //! (the message's own, or a new UUID when it has none). `seq`/`id` are ignored; an invalid
    //! `createdAt` becomes now. Returns an empty string if the client id is already held.
    QString addPending(const Message &message);
    //! The server stored our message: the row with `clientId` turns Sent in place (`dataChanged`
    //! with status, id, seq, createdAt and any other changed roles) and moves to its `seq`
    //! position if needed. If the echo was merged first, nothing changes; if no row has this
    //! client id, `message` is merged as by `appendMessages()`. Returns the row, or -1.
    int markSent(const QString &clientId, const Message &message);
    //! The server refused our message for good: the row turns Failed with `error` (status and
    //! error roles). Returns false if no Pending row has this client id.
    bool markFailed(const QString &clientId, const QString &error);

    // ---- User actions (QML) ----

    //! Puts a Failed row back to Pending and emits `retryRequested(clientId)`; the Room resends.
    Q_INVOKABLE bool retry(const QString &clientId);
    //! `retry()` of the message at `row`.
    Q_INVOKABLE bool retryAt(int row);
    //! Removes a Pending or Failed row and emits `discarded(clientId)`; the Room drops it from its
    //! outbox. Sent rows cannot be discarded.
    Q_INVOKABLE bool discard(const QString &clientId);
    //! Drops every row and all state (switching rooms); the one reset of this model.
    void clear();

Q_SIGNALS:
    void countChanged();
    void ownUserIdChanged();
    void hasMoreHistoryChanged();
    void fetchingHistoryChanged();
    void canFetchMoreHistoryChanged();
    void lastSeqChanged();
    //! Please load the page of history before `beforeSeq` (0: the latest page), then call
    //! `prependHistory()` (or `historyRequestFailed()`).
    void historyRequested(qint64 beforeSeq);
    //! Messages with `afterSeq < seq < beforeSeq` are missing after the newest ones held; the Room
    //! fetches them (`room:history {after: afterSeq}`) and feeds them to `appendMessages()`.
    void gapDetected(qint64 afterSeq, qint64 beforeSeq);
    //! The user asked to send the Failed message with this client id again.
    void retryRequested(const QString &clientId);
    //! The user discarded the unsent message with this client id.
    void discarded(const QString &clientId);

private:
    friend struct StreamedRows; // the SDK's receive path (not API)
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver
