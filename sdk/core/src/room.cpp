// SPDX-License-Identifier: MIT
#include "ackreply_p.h"
#include "logging_p.h"
#include "messageconversion_p.h"
#include "models/streamedrows_p.h"
#include "room_p.h"
#include "roomdirectory_p.h"
#include <Palaver/client.h>
#include <Palaver/member.h>
#include <Palaver/membermodel.h>
#include <Palaver/messagemodel.h>
#include <Palaver/roomlistmodel.h>

#include <QDateTime>
#include <QFuture>
#include <QMetaMethod>
#include <QRegularExpression>

#include <algorithm>

namespace Palaver {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Private

Room::Private::Private(Room *q, Client *client, const QString &id) : q(q), client(client), id(id)
{
    name = id;
    messages = new MessageModel(q);
    members = new MemberModel(q);
    typingTimer.setSingleShot(true);
    QObject::connect(&typingTimer, &QTimer::timeout, q, [this] { expireTypists(); });
    QObject::connect(messages, &MessageModel::historyRequested, q,
        [this](qint64 beforeSeq) { requestHistory(beforeSeq); });
    QObject::connect(messages, &MessageModel::retryRequested, q,
        [this](const QString &clientId) { retry(clientId); });
    QObject::connect(messages, &MessageModel::discarded, q,
        [this](const QString &clientId) { discarded(clientId); });
    // The last message may still be a row: it is made a Message before the rows go.
    QObject::connect(messages, &QAbstractItemModel::modelAboutToBeReset, q, [this] { latest(); });
}

void Room::Private::setJoinState(JoinState state)
{
    if (joinState == state)
        return;
    qCDebug(Log::client) << "room" << id << "join state" << joinState << "->" << state;
    joinState = state;
    Q_EMIT q->joinStateChanged();
}

void Room::Private::setName(const QString &value)
{
    if (value.isEmpty() || name == value)
        return;
    name = value;
    Q_EMIT q->nameChanged();
}

void Room::Private::setPrivate(bool value)
{
    if (isPrivate == value)
        return;
    isPrivate = value;
    Q_EMIT q->isPrivateChanged();
}

void Room::Private::setUnread(int count)
{
    if (count == 0)
        setMentions(0);
    if (unread == count)
        return;
    unread = count;
    Q_EMIT q->unreadCountChanged();
}

void Room::Private::setMentions(int count)
{
    if (mentions == count)
        return;
    mentions = count;
    if (directory)
        directory->setMentionCount(id, count);
    Q_EMIT q->mentionCountChanged();
}

void Room::Private::setLastMessage(const Message &message)
{
    if (message.seq <= latestSeq())
        return;
    lastMessage = message;
    lastRowSeq = 0;
    if (directory)
        directory->noteRoomActivity(id, 0, true);
    Q_EMIT q->lastMessageChanged();
}

QString Room::Private::ownUserId() const
{
    return directory ? directory->userId() : QString();
}

void Room::Private::onDelivered(const Message &message)
{
    noteStreamedRows(false);
    const Arrival arrival
        = countArrival(message.authorId, message.authorName, message.seq, message.mentions);
    if (arrival.newer) {
        lastMessage = message;
        lastRowSeq = 0;
    }
    announceArrival(message.authorId, arrival);
    Q_EMIT q->messageReceived(message);
    messages->queueIncoming(message);
}

bool Room::Private::takesStreamed() const
{
    static const QMetaMethod received = QMetaMethod::fromSignal(&Room::messageReceived);
    return !q->isSignalConnected(received);
}

void Room::Private::onStreamed(const StreamedText &message)
{
    noteStreamedRows(true);
    const Arrival arrival = countArrival(message.authorId, message.authorName, message.seq, {});
    if (arrival.newer)
        lastRowSeq = message.seq; // its row is the last message, made when someone asks
    announceArrival(message.authorId, arrival);
    StreamedRows::queue(*messages, message);
}

Room::Private::Arrival Room::Private::countArrival(
    const QString &authorId, const QString &authorName, qint64 seq, const QStringList &mentionsOf)
{
    if (directory)
        directory->rememberName(authorId, authorName);
    const QString own = ownUserId();
    Arrival arrival;
    arrival.others = authorId != own || own.isEmpty();
    if (arrival.others)
        setUnread(unread + 1);
    if (arrival.others && !own.isEmpty() && mentionsOf.contains(own))
        setMentions(mentions + 1);
    arrival.newer = seq > latestSeq();
    return arrival;
}

void Room::Private::announceArrival(const QString &authorId, Arrival arrival)
{
    if (directory) // one look-up a message: the room's row is updated at the end of the turn
        directory->noteRoomActivity(id, arrival.others ? 1 : 0, arrival.newer);
    if (arrival.others)
        stopTyping(authorId);
    if (arrival.newer)
        Q_EMIT q->lastMessageChanged();
}

void Room::Private::noteStreamedRows(bool streamed)
{
    if (streamedRows == streamed)
        return;
    streamedRows = streamed;
    qCDebug(Log::models) << "room" << id
                         << (streamed ? "takes its messages into its model straight from the frames"
                                      : "takes its messages as Message objects");
}

const Message &Room::Private::latest() const
{
    if (lastRowSeq > lastMessage.seq) {
        if (Message m = StreamedRows::messageOfSeq(*messages, lastRowSeq); m.seq == lastRowSeq)
            lastMessage = std::move(m);
        else
            qCWarning(Log::models)
                << "room" << id << "lost the row of its last message" << lastRowSeq;
    }
    lastRowSeq = 0;
    return lastMessage;
}

void Room::Private::updateRow(const Message &message)
{
    latest(); // a change shown before the server made it is not the last message's state
    messages->updateMessage(message);
}

void Room::Private::clearLastMessage()
{
    lastMessage = Message();
    lastRowSeq = 0;
    Q_EMIT q->lastMessageChanged();
}

void Room::Private::onJoinAnswer(const QVariantMap &ack)
{
    const QVariantMap room = ack.value(QStringLiteral("room")).toMap();
    if (!room.isEmpty()) {
        setName(room.value(QStringLiteral("name")).toString());
        setPrivate(room.value(QStringLiteral("private")).toBool());
    }
    setMembersFrom(ack);

    if (messages->lastSeq() == 0) {
        // An empty timeline starts with the answer's page: history, not news. Later answers
        // (re-joins) bring nothing the stream does not deliver.
        QList<Message> page = messagesFromVariant(ack.value(QStringLiteral("messages")));
        for (const Message &m : page) {
            if (directory)
                directory->rememberName(m.authorId, m.authorName);
        }
        showWaitingChanges(page);
        messages->appendMessages(page);
        messages->setHasMoreHistory(ack.value(QStringLiteral("hasMore")).toBool());
        if (!page.isEmpty())
            setLastMessage(page.last());
    }
    errorCode.clear();
    errorString.clear();
    setCached(false);
    setJoinState(JoinState::Joined);
    Q_EMIT q->joined();
}

void Room::Private::setMembersFrom(const QVariantMap &ack)
{
    QList<Member> list;
    for (const QVariant &item : ack.value(QStringLiteral("members")).toList()) {
        const QVariantMap map = item.toMap();
        Member m;
        m.id = map.value(QStringLiteral("id")).toString();
        m.name = map.value(QStringLiteral("name")).toString();
        m.online = map.value(QStringLiteral("online")).toBool();
        if (m.id.isEmpty())
            continue;
        if (m.name.isEmpty())
            m.name = m.id;
        if (directory) {
            directory->rememberName(m.id, m.name);
            // The global presence is newer than a snapshot of this room.
            if (directory->isOnline(m.id))
                m.online = true;
        }
        list.append(m);
    }
    members->setMembers(list);
    // Typists shown by id get their names now.
    bool renamed = false;
    for (Typist &t : typists) {
        if (t.name != t.id || !directory)
            continue;
        const QString name = directory->nameOf(t.id);
        if (name != t.name) {
            t.name = name;
            renamed = true;
        }
    }
    if (renamed)
        Q_EMIT q->typingUsersChanged();
}

void Room::Private::refreshMembers()
{
    if (memberRefreshInFlight) {
        memberRefreshAgain = true;
        return;
    }
    memberRefreshInFlight = true;
    memberRefreshAgain = false;
    QPointer<Room> guard(q);
    const quint64 requestEpoch = epoch;
    client->request(
        QStringLiteral("room:join"), { id }, [guard, requestEpoch](const AckResult &result) {
            if (!guard || guard->d->epoch != requestEpoch)
                return;
            Private *d = guard->d.get();
            d->memberRefreshInFlight = false;
            const QVariantMap reply = result.reply();
            if (d->joinState != JoinState::Joined || !result.ok()
                || !reply.value(QStringLiteral("ok")).toBool())
                return;
            d->setMembersFrom(reply);
            if (d->memberRefreshAgain)
                d->refreshMembers();
        });
}

void Room::Private::onJoinFailed(const QString &code, const QString &message)
{
    qCInfo(Log::client) << "room" << id << "join refused:" << code;
    errorCode = code;
    errorString = message.isEmpty() ? code : message;
    if (joinState == JoinState::Failed)
        Q_EMIT q->joinStateChanged(); // errorCode/errorString changed
    else
        setJoinState(JoinState::Failed);
    Q_EMIT q->joinFailed(code, message);
}

void Room::Private::onConnectionLost()
{
    if (!typists.isEmpty()) {
        typists.clear();
        typingTimer.stop();
        Q_EMIT q->typingUsersChanged();
    }
    typingSent = false;
    if (joinState == JoinState::Joined)
        setJoinState(JoinState::Joining);
}

void Room::Private::onClientLeft()
{
    if (joinState != JoinState::Leaving)
        return; // joined again meanwhile
    // Not joined, the timeline can no longer be kept gap-free: start afresh at the next join.
    startAfresh();
    addOutboxEcho();
    setUnread(0);
    if (directory)
        directory->markRead(id);
    setJoinState(JoinState::NotJoined);
    Q_EMIT q->left();
}

void Room::Private::onQueued(const Message &pending)
{
    if (pending.clientId.isEmpty() || messages->rowOfClientId(pending.clientId) >= 0)
        return;
    Message m = pending;
    if (directory) {
        m.authorId = directory->userId();
        m.authorName = directory->userName();
    }
    messages->addPending(m);
}

void Room::Private::onAcked(const QString &clientId, const Message &message)
{
    // The row turns Sent at once; the stream delivers the message (once) as well.
    messages->markSent(clientId, message);
}

void Room::Private::onRefused(const QString &clientId, const QString &code, const QString &message)
{
    messages->markFailed(clientId, message.isEmpty() ? code : message);
    Q_EMIT q->sendFailed(clientId, code, message);
}

void Room::Private::onUpdated(const Message &message)
{
    if (!message.id.isEmpty() && message.id == latest().id) {
        lastMessage = message;
        Q_EMIT q->lastMessageChanged();
    }
    Message shown = message;
    if (auto it = optimistic.find(message.id); it != optimistic.end()) {
        it->confirmed = message; // the server's state moved on: a rollback goes to this one
        shown = withWaitingChanges(message); // and what we changed still shows until answered
    }
    messages->flushIncoming(); // the row may still wait in this turn's batch
    updateRow(shown);
    Q_EMIT q->messageUpdated(message);
}

void Room::Private::onChangeAnswered(const OutboxEntry &change, const Message &message)
{
    // The change itself arrives through the stream (messageUpdated), once. Once no change of
    // the message waits, the row shows the server's state (a no-op answer brings no update).
    auto it = optimistic.find(change.messageId);
    if (it == optimistic.end() || !it->waiting.remove(change.clientId) || !it->waiting.isEmpty())
        return;
    optimistic.erase(it);
    if (!message.id.isEmpty())
        updateRow(message);
}

void Room::Private::onChangeRefused(
    const OutboxEntry &change, const QString &code, const QString &message)
{
    if (auto it = optimistic.find(change.messageId);
        it != optimistic.end() && it->waiting.remove(change.clientId)) {
        const Message confirmed = it->confirmed;
        if (it->waiting.isEmpty())
            optimistic.erase(it);
        // Rolled back (the reason goes with changeFailed), with what else waits still shown.
        updateRow(withWaitingChanges(confirmed));
    }
    Q_EMIT q->changeFailed(change.messageId, code, message);
}

void Room::Private::onReadMarker(qint64 seq)
{
    if (seq <= readSeq)
        return; // markers only move forward
    readSeq = seq;
    if (seq >= latestSeq() && unread > 0) {
        setUnread(0);
        if (directory)
            directory->markRead(id);
    }
    Q_EMIT q->readSeqChanged();
}

void Room::Private::onTyping(const QString &userId, bool typing)
{
    if (userId.isEmpty() || userId == ownUserId())
        return;
    if (!typing) {
        stopTyping(userId);
        return;
    }
    const qint64 expires = nowMs() + TypingExpiryMs;
    auto it = std::find_if(
        typists.begin(), typists.end(), [&](const Typist &t) { return t.id == userId; });
    if (it != typists.end()) {
        it->expiresAt = expires;
    } else {
        QString name;
        if (const int row = members->rowOf(userId); row >= 0)
            name = members->member(row).name;
        if (name.isEmpty())
            name = directory ? directory->nameOf(userId) : userId;
        typists.append({ userId, name, expires });
        Q_EMIT q->typingUsersChanged();
    }
    scheduleTypingTimer();
}

void Room::Private::stopTyping(const QString &userId)
{
    const auto removed = typists.removeIf([&](const Typist &t) { return t.id == userId; });
    if (removed == 0)
        return;
    scheduleTypingTimer();
    Q_EMIT q->typingUsersChanged();
}

void Room::Private::expireTypists()
{
    const qint64 now = nowMs();
    const auto removed = typists.removeIf([now](const Typist &t) { return t.expiresAt <= now; });
    scheduleTypingTimer();
    if (removed > 0)
        Q_EMIT q->typingUsersChanged();
}

void Room::Private::scheduleTypingTimer()
{
    if (typists.isEmpty()) {
        typingTimer.stop();
        return;
    }
    qint64 next = typists.first().expiresAt;
    for (const Typist &t : typists)
        next = std::min(next, t.expiresAt);
    typingTimer.start(int(std::clamp<qint64>(next - nowMs(), 1, TypingExpiryMs)));
}

void Room::Private::onUserJoined(const QString &userId)
{
    if (userId.isEmpty())
        return;
    Member m;
    m.id = userId;
    m.name = directory ? directory->nameOf(userId) : userId;
    m.online = true; // a socket of theirs just joined
    members->upsertMember(m);
    if (m.name == userId && joinState == JoinState::Joined)
        refreshMembers(); // the event names no display name; the member list does
}

void Room::Private::onUserLeft(const QString &userId)
{
    stopTyping(userId);
    // A private room lists its configured members, in the room or not.
    if (!isPrivate)
        members->removeMember(userId);
}

void Room::Private::onPresence(const QString &userId, bool online)
{
    members->setOnline(userId, online);
    if (!online)
        stopTyping(userId);
}

void Room::Private::onOwnUserChanged()
{
    if (directory)
        messages->setOwnUserId(directory->userId());
}

void Room::Private::addOutboxEcho()
{
    if (!directory)
        return;
    for (const Message &m : directory->pendingMessages()) {
        if (m.roomId == id)
            onQueued(m);
    }
}

void Room::Private::restoreFromStore(const LocalStore &store)
{
    if (const auto state = store.room(id)) {
        setUnread(state->unread);
        setMentions(state->mentions);
        if (state->readSeq > readSeq) {
            readSeq = state->readSeq;
            Q_EMIT q->readSeqChanged();
        }
    }
    if (messages->lastSeq() > 0)
        return; // the server's page came first
    QList<Message> page = store.history(id, 0, CachedPageSize);
    if (page.isEmpty())
        return;
    if (directory) {
        for (const Message &m : page)
            directory->rememberName(m.authorId, m.authorName);
    }
    showWaitingChanges(page);
    messages->appendMessages(page);
    messages->setHasMoreHistory(page.first().seq > 1); // seqs start at 1, without holes
    setLastMessage(page.last());
    setCached(true);
}

void Room::Private::discardCache()
{
    if (!cached)
        return;
    startAfresh(); // the join answer that follows brings the members again
    addOutboxEcho();
    clearLastMessage();
    setUnread(0);
    setMentions(0);
}

void Room::Private::startAfresh()
{
    ++epoch; // what was asked for on the old timeline is of no use now
    memberRefreshInFlight = false;
    if (!typists.isEmpty()) {
        typists.clear();
        typingTimer.stop();
        Q_EMIT q->typingUsersChanged();
    }
    members->clear();
    messages->clear();
    setCached(false);
}

void Room::Private::onAccountChanged()
{
    startAfresh();
    optimistic.clear();
    clearLastMessage();
    setUnread(0);
    setMentions(0);
    if (readSeq != 0) {
        readSeq = 0;
        Q_EMIT q->readSeqChanged();
    }
    errorCode.clear();
    errorString.clear();
    setJoinState(JoinState::NotJoined);
}

void Room::Private::setCached(bool value)
{
    if (cached == value)
        return;
    cached = value;
    Q_EMIT q->cachedChanged();
}

void Room::Private::requestHistory(qint64 beforeSeq)
{
    // The cache first: a page that reaches down from the oldest row shown.
    if (directory && beforeSeq > 0) {
        QList<Message> page = directory->cachedHistory(id, beforeSeq, HistoryPageSize);
        if (!page.isEmpty() && page.last().seq == beforeSeq - 1) {
            const bool more = page.first().seq > 1;
            showWaitingChanges(page);
            messages->prependHistory(page, more);
            return;
        }
    }
    QVariantMap args { { QStringLiteral("roomId"), id },
        { QStringLiteral("limit"), HistoryPageSize } };
    if (beforeSeq > 0)
        args.insert(QStringLiteral("before"), beforeSeq);
    QPointer<Room> guard(q);
    const quint64 requestEpoch = epoch;
    client->request(
        QStringLiteral("room:history"), { args }, [guard, requestEpoch](const AckResult &result) {
            if (!guard || guard->d->epoch != requestEpoch)
                return; // left meanwhile: the model was cleared
            MessageModel *model = guard->d->messages;
            const QVariantMap reply = result.reply();
            if (!result.ok() || !reply.value(QStringLiteral("ok")).toBool()) {
                qCInfo(Log::client) << "room" << guard->d->id << "history page failed:"
                                    << (result.ok() ? ackErrorOf(reply).first : result.errorString);
                model->historyRequestFailed();
                return;
            }
            QList<Message> page = messagesFromVariant(reply.value(QStringLiteral("messages")));
            if (guard->d->directory)
                guard->d->directory->cacheOlder(guard->d->id, page);
            guard->d->showWaitingChanges(page);
            model->prependHistory(page, reply.value(QStringLiteral("hasMore")).toBool());
        });
}

void Room::Private::retry(const QString &clientId)
{
    const int row = messages->rowOfClientId(clientId);
    if (row < 0)
        return;
    const Message old = messages->message(row);
    // The old clientId was refused for good; the server would answer a resend with the same
    // refusal only if it had stored it, which it did not. A new clientId makes the resend a new
    // message, and its row replaces the Failed one.
    replacing = true;
    messages->discard(clientId);
    const QUuid fresh = client->sendMessage(id, old.content);
    replacing = false;
    if (fresh.isNull()) {
        Message failed = old;
        failed.clientId.clear();
        failed.createdAt = QDateTime::currentDateTimeUtc();
        const QString newId = messages->addPending(failed);
        messages->markFailed(newId,
            client->errorString().isEmpty() ? QStringLiteral("The outbox is full")
                                            : client->errorString());
    }
}

void Room::Private::discarded(const QString &clientId)
{
    if (replacing)
        return;
    client->discardMessage(QUuid(clientId));
}

// ---------------------------------------------------------------------------------------------
// Room

Room::Room(Client *client, const QString &id)
    : QObject(nullptr), d(std::make_unique<Private>(this, client, id))
{
}

Room::~Room() = default;

QString Room::id() const
{
    return d->id;
}

QString Room::name() const
{
    return d->name;
}

bool Room::isPrivate() const
{
    return d->isPrivate;
}

Room::JoinState Room::joinState() const
{
    return d->joinState;
}

QString Room::errorCode() const
{
    return d->errorCode;
}

QString Room::errorString() const
{
    return d->errorString;
}

MessageModel *Room::messages() const
{
    return d->messages;
}

MemberModel *Room::members() const
{
    return d->members;
}

QStringList Room::typingUsers() const
{
    QStringList out;
    out.reserve(d->typists.size());
    for (const auto &t : d->typists)
        out.append(t.id);
    return out;
}

QStringList Room::typingUserNames() const
{
    QStringList out;
    out.reserve(d->typists.size());
    for (const auto &t : d->typists)
        out.append(t.name);
    return out;
}

bool Room::isCached() const
{
    return d->cached;
}

int Room::unreadCount() const
{
    return d->unread;
}

Message Room::lastMessage() const
{
    return d->latest();
}

Client *Room::client() const
{
    return d->client;
}

void Room::join()
{
    if (d->joinState == JoinState::Joining || d->joinState == JoinState::Joined)
        return;
    // The same as Client::joinRoom(): the rooms layer keeps the room and reports to this Room.
    d->setJoinState(JoinState::Joining);
    if (d->directory)
        d->directory->join(d->id);
}

void Room::leave()
{
    if (d->joinState == JoinState::NotJoined || d->joinState == JoinState::Leaving)
        return;
    setTyping(false);
    if (d->directory)
        d->directory->leave(d->id);
}

QString Room::Private::checkContent(QString &content) const
{
    content = content.trimmed();
    if (content.isEmpty())
        return Room::tr("The message is empty");
    int limit = directory ? directory->maxContentLength() : 0;
    if (limit <= 0)
        limit = DefaultMaxContentLength;
    const qsizetype codePoints = content.size()
        - std::count_if(
            content.cbegin(), content.cend(), [](QChar c) { return c.isLowSurrogate(); });
    if (codePoints > limit)
        return Room::tr("The message is longer than %n characters", nullptr, limit);
    return {};
}

Message Room::Private::sendText(const QString &text, const QString &replyTo)
{
    Message m;
    m.roomId = id;
    m.authorId = ownUserId();
    m.authorName = directory ? directory->userName() : QString();
    m.createdAt = QDateTime::currentDateTimeUtc();
    m.content = text;
    m.replyTo.id = replyTo;
    m.status = Message::Status::Failed;
    if (!replyTo.isEmpty() && directory) {
        if (const QString why = directory->refuseUnsupported(QStringLiteral("reply"));
            !why.isEmpty()) {
            m.error = why;
            return m;
        }
    }
    if (const QString why = checkContent(m.content); !why.isEmpty()) {
        m.error = why;
        return m;
    }
    q->setTyping(false);
    if (joinState == JoinState::NotJoined || joinState == JoinState::Failed)
        q->join();
    const QUuid clientId = directory ? directory->queueSend(id, m.content, replyTo) : QUuid();
    if (clientId.isNull()) {
        m.error = client->pendingMessageCount() >= client->outboxCapacity()
            ? Room::tr("Too many messages wait to be sent")
            : Room::tr("The message could not be stored for sending");
        return m;
    }
    m.clientId = clientId.toString(QUuid::WithoutBraces);
    m.status = Message::Status::Pending;
    onQueued(m); // normally done already by the Client's messageQueued()
    return m;
}

Message Room::send(const QString &text)
{
    return d->sendText(text, {});
}

Message Room::reply(const QString &messageId, const QString &text)
{
    if (messageId.isEmpty())
        return d->refusedChange(messageId, Room::tr("No message to reply to"));
    return d->sendText(text, messageId);
}

Message Room::Private::refusedChange(const QString &messageId, const QString &error) const
{
    Message m = !messageId.isEmpty() && latest().id == messageId ? latest() : Message();
    m.id = messageId;
    m.roomId = id;
    m.status = Message::Status::Failed;
    m.error = error;
    return m;
}

Message Room::Private::queueChange(OutboxEntry change, const QString &feature)
{
    if (directory) {
        if (const QString why = directory->refuseUnsupported(feature); !why.isEmpty())
            return refusedChange(change.messageId, why);
    }
    if (change.messageId.isEmpty())
        return refusedChange(change.messageId, Room::tr("No message to change"));
    // Our own message named by the clientId send() returned, already stored: the server knows
    // it by its id. (Still in the outbox, the change waits for the send's ack, which names it.)
    if (const int row = messages->rowOfClientId(change.messageId); row >= 0) {
        if (const QString stored = messages->message(row).id; !stored.isEmpty())
            change.messageId = stored;
    }
    change.roomId = id;
    Message m = refusedChange(change.messageId, {});
    if (joinState == JoinState::NotJoined || joinState == JoinState::Failed)
        q->join();
    change.clientId = directory ? directory->queueChange(change) : QUuid();
    if (change.clientId.isNull()) {
        m.error = Room::tr("The change could not be stored for sending");
        return m;
    }
    m.status = Message::Status::Pending;
    return showChange(change, m);
}

Message Room::Private::showChange(const OutboxEntry &change, Message pending)
{
    const int row = messages->rowOfId(change.messageId);
    if (row < 0)
        return pending; // not in the timeline: it shows when the server's change arrives
    Message m = messages->message(row);
    Optimistic &o = optimistic[change.messageId];
    if (o.waiting.isEmpty())
        o.confirmed = m;
    o.waiting.insert(change.clientId);
    applyChange(m, change);
    updateRow(m);
    m.status = Message::Status::Pending;
    return m;
}

void Room::Private::applyChange(Message &m, const OutboxEntry &change) const
{
    switch (change.kind) {
    case OutboxEntry::Kind::Edit:
        if (m.deleted || (m.isEdited() && m.content == change.content))
            break; // made already (its time is the server's), or overtaken by a delete
        m.content = change.content;
        m.editedAt = QDateTime::currentDateTimeUtc();
        break;
    case OutboxEntry::Kind::Delete:
        if (m.deleted)
            break;
        m.deleted = true;
        m.deletedAt = QDateTime::currentDateTimeUtc();
        m.content.clear();
        m.reactions.clear();
        m.mentions.clear();
        break;
    case OutboxEntry::Kind::React: {
        if (m.deleted)
            break;
        const QString own = ownUserId();
        auto it = std::find_if(m.reactions.begin(), m.reactions.end(),
            [&](const MessageReaction &r) { return r.emoji == change.emoji; });
        if (change.add) {
            if (it == m.reactions.end())
                it = m.reactions.insert(m.reactions.end(), MessageReaction { change.emoji, {} });
            if (!it->userIds.contains(own)) {
                it->userIds.append(own);
                it->userIds.sort();
            }
        } else if (it != m.reactions.end()) {
            it->userIds.removeAll(own);
            if (it->userIds.isEmpty())
                m.reactions.erase(it);
        }
        break;
    }
    case OutboxEntry::Kind::Send:
        break;
    }
}

void Room::Private::showWaitingChanges(QList<Message> &page)
{
    if (!directory || page.isEmpty())
        return;
    const auto changes = directory->waitingChangesIn(id);
    if (changes.isEmpty())
        return;
    for (Message &m : page) {
        const auto it = changes.constFind(m.id);
        if (it == changes.cend())
            continue;
        Optimistic &o = optimistic[m.id];
        if (o.waiting.isEmpty())
            o.confirmed = m;
        for (const OutboxEntry &change : *it) {
            o.waiting.insert(change.clientId);
            applyChange(m, change);
        }
    }
}

Message Room::Private::withWaitingChanges(Message confirmed) const
{
    if (directory) {
        // Our changes are idempotent: one the server already made (its news came before its
        // answer) is made again to the same effect.
        for (const OutboxEntry &change : directory->waitingChanges(confirmed.id))
            applyChange(confirmed, change);
    }
    return confirmed;
}

Message Room::edit(const QString &messageId, const QString &text)
{
    QString content = text;
    if (const QString why = d->checkContent(content); !why.isEmpty())
        return d->refusedChange(messageId, why);
    if (d->directory) {
        if (const QString why = d->directory->refuseUnsupported(QStringLiteral("edit"));
            !why.isEmpty())
            return d->refusedChange(messageId, why);
        // Not sent yet: what will be sent changes instead (no edit of a message that does
        // not exist yet).
        if (d->directory->editQueued(messageId, content)) {
            Message m = d->refusedChange(messageId, {});
            m.id.clear();
            m.clientId = messageId;
            m.content = content;
            m.status = Message::Status::Pending;
            d->messages->updateMessage(m);
            return m;
        }
    }
    OutboxEntry change;
    change.kind = OutboxEntry::Kind::Edit;
    change.messageId = messageId;
    change.content = content;
    Message m = d->queueChange(change, QStringLiteral("edit"));
    if (m.status == Message::Status::Pending && d->messages->rowOfId(messageId) < 0) {
        m.content = content;
        m.editedAt = QDateTime::currentDateTimeUtc();
    }
    return m;
}

Message Room::remove(const QString &messageId)
{
    OutboxEntry change;
    change.kind = OutboxEntry::Kind::Delete;
    change.messageId = messageId;
    Message m = d->queueChange(change, QStringLiteral("delete"));
    if (m.status == Message::Status::Pending && !m.deleted) {
        m.deleted = true;
        m.deletedAt = QDateTime::currentDateTimeUtc();
        m.content.clear();
        m.reactions.clear();
        m.mentions.clear();
    }
    return m;
}

Message Room::react(const QString &messageId, const QString &emoji, bool add)
{
    // The contract's rule: 1..16 code points, no white space, no control characters.
    const QList<uint> codePoints = emoji.toUcs4();
    const bool bad = codePoints.isEmpty() || codePoints.size() > 16
        || std::any_of(codePoints.cbegin(), codePoints.cend(),
            [](uint c) { return QChar::isSpace(c) || QChar::category(c) == QChar::Other_Control; });
    if (bad)
        return d->refusedChange(messageId, Room::tr("Not an emoji"));
    OutboxEntry change;
    change.kind = OutboxEntry::Kind::React;
    change.messageId = messageId;
    change.emoji = emoji;
    change.add = add;
    return d->queueChange(change, QStringLiteral("react"));
}

void Room::setTyping(bool typing)
{
    if (!typing) {
        if (!d->typingSent)
            return;
        d->typingSent = false;
        d->client->sendVolatile(QStringLiteral("typing"),
            { QVariantMap {
                { QStringLiteral("roomId"), d->id }, { QStringLiteral("typing"), false } } });
        return;
    }
    if (d->joinState != JoinState::Joined)
        return;
    const qint64 now = nowMs();
    if (d->typingSent && now - d->typingSentAt < Private::TypingThrottleMs)
        return;
    const auto error = d->client->sendVolatile(QStringLiteral("typing"),
        { QVariantMap {
            { QStringLiteral("roomId"), d->id }, { QStringLiteral("typing"), true } } });
    if (error == Client::Error::NoError) {
        d->typingSent = true;
        d->typingSentAt = now;
    }
}

void Room::markRead()
{
    d->setUnread(0);
    if (!d->directory)
        return;
    d->directory->markRead(d->id);
    const qint64 seq = std::max(d->latestSeq(), d->messages->lastSeq());
    if (seq > d->readSeq && d->directory->unsupported(QStringLiteral("read")).isEmpty())
        d->directory->sendRead(d->id, seq);
}

qint64 Room::readSeq() const
{
    return d->readSeq;
}

int Room::mentionCount() const
{
    return d->mentions;
}

} // namespace Palaver
