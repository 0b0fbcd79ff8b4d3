// SPDX-License-Identifier: MIT
#include "logging_p.h"
#include "messagerow_p.h"
#include "streamedrows_p.h"
#include <Palaver/messagemodel.h>

#include <QDateTime>
#include <QHash>
#include <QMetaObject>
#include <QUuid>

#include <algorithm>
#include <limits>
#include <vector>

namespace Palaver {

namespace {

// The v1.1 roles whose value differs between two rows' extras (null: none).
void addChangedExtras(
    QList<int> &roles, const RowExtras *from, const RowExtras *to, const QString &ownUserId)
{
    static const RowExtras none;
    const RowExtras &before = from ? *from : none;
    const RowExtras &after = to ? *to : none;
    using M = MessageModel;
    if ((before.editedAtMs != 0) != (after.editedAtMs != 0))
        roles << M::EditedRole;
    if (before.editedAtMs != after.editedAtMs)
        roles << M::EditedAtRole;
    if (before.deleted != after.deleted)
        roles << M::DeletedRole;
    if (before.reactions != after.reactions)
        roles << M::ReactionsRole;
    if (before.replyTo.id != after.replyTo.id)
        roles << M::ReplyToIdRole;
    if (before.replyTo.authorName != after.replyTo.authorName)
        roles << M::ReplyToAuthorRole;
    if (before.replyTo.excerpt != after.replyTo.excerpt)
        roles << M::ReplyToExcerptRole;
    if (before.replyTo.deleted != after.replyTo.deleted)
        roles << M::ReplyToDeletedRole;
    if (before.mentions.contains(ownUserId) != after.mentions.contains(ownUserId))
        roles << M::MentionsMeRole;
}

} // namespace

class MessageModel::Private {
public:
    explicit Private(MessageModel *q) : q(q) { }

    MessageModel *q;
    std::vector<Row> rows; // [0, sentCount): Sent by seq; [sentCount, size): unsent, send order
    int sentCount = 0;
    AuthorTable authors;
    TextStore texts;
    QHash<QString, QString> errors; // client id -> error, for Failed rows
    QString roomId;
    QString ownUserId;
    bool hasMore = false;
    bool fetching = false;
    //! This turn's stream, made into rows at delivery, while their text is still in the cache
    //! and before the messages (and their UTF-16 contents) go away.
    std::vector<Row> queue;
    bool flushScheduled = false;

    //! What a merge takes in: a message, or a row made at delivery.
    struct Arrival {
        const Message *message;
        Row *row;
        qint64 seq() const { return row ? row->seq : message->seq; }
    };
    void merge(std::vector<Arrival> &batch);
    Message whole(const Arrival &a) const { return a.row ? toMessage(*a.row) : *a.message; }
    qint64 revOf(const Arrival &a) const
    {
        if (!a.row)
            return a.message->rev;
        return a.row->extras ? a.row->extras->rev : 0;
    }
    //! The unsent row `a` confirms (the echo of our own send), or -1.
    int unsentRowOf(const Arrival &a) const
    {
        if (sentCount == int(rows.size()))
            return -1; // nothing of ours waits: no client id to compare
        return unsentRowOf(a.row ? a.row->clientId(texts) : a.message->clientId);
    }

    DayOfTime dayOf;

    Row makeRow(const Message &m, Message::Status status)
    {
        return Row::make(m, status, authors.intern(m.authorId, m.authorName, ownUserId), texts);
    }

    Message toMessage(const Row &r) const
    {
        Message m;
        m.id = r.id(texts);
        m.roomId = roomId;
        m.seq = r.seq;
        m.authorId = authors[r.author].id;
        m.authorName = authors[r.author].name;
        m.content = r.content(texts);
        m.createdAt = QDateTime::fromMSecsSinceEpoch(r.createdAtMs, Qt::UTC);
        m.clientId = r.clientId(texts);
        m.status = r.statusValue();
        if (m.status == Message::Status::Failed)
            m.error = errors.value(m.clientId);
        if (const RowExtras *x = r.extras.get()) {
            m.rev = x->rev;
            if (x->editedAtMs)
                m.editedAt = QDateTime::fromMSecsSinceEpoch(x->editedAtMs, Qt::UTC);
            if (x->deletedAtMs)
                m.deletedAt = QDateTime::fromMSecsSinceEpoch(x->deletedAtMs, Qt::UTC);
            m.deleted = x->deleted;
            m.reactions = x->reactions;
            m.replyTo = x->replyTo;
            m.mentions = x->mentions;
        }
        return m;
    }

    // Whether a message belongs here; the first message seen names the model's room.
    bool acceptRoom(const Message &m) { return acceptRoom(m.roomId); }
    bool acceptRoom(const QString &room)
    {
        if (roomId.isEmpty()) {
            roomId = room;
            return true;
        }
        if (room.isEmpty() || room == roomId)
            return true;
        qCWarning(Log::models) << "dropping a message of room" << room << "given to the model of"
                               << roomId;
        return false;
    }

    //! Into this turn's batch, merged when the event loop comes back.
    void enqueue(Row &&row)
    {
        queue.push_back(std::move(row));
        if (flushScheduled)
            return;
        flushScheduled = true;
        QMetaObject::invokeMethod(q, &MessageModel::flushIncoming, Qt::QueuedConnection);
    }

    qint64 lastSeq() const { return sentCount > 0 ? rows[sentCount - 1].seq : 0; }
    qint64 firstSeq() const { return sentCount > 0 ? rows[0].seq : 0; }

    // First sent row with a seq not below `seq` (sentCount if none).
    int sentLowerBound(qint64 seq) const
    {
        const auto end = rows.begin() + sentCount;
        return int(std::lower_bound(rows.begin(), end, seq, [](const Row &r, qint64 s) {
            return r.seq < s;
        }) - rows.begin());
    }

    int rowOfSeq(qint64 seq) const
    {
        const int pos = sentLowerBound(seq);
        return pos < sentCount && rows[pos].seq == seq ? pos : -1;
    }

    int unsentRowOf(QStringView clientId) const
    {
        if (clientId.isEmpty())
            return -1;
        for (int i = sentCount; i < int(rows.size()); ++i) {
            if (rows[i].hasClientId(texts, clientId))
                return i;
        }
        return -1;
    }

    // Recomputes the grouping flags of `row` from its predecessor; true if they changed.
    bool computeFlags(int row)
    {
        Row &r = rows[row];
        const quint8 oldRun = r.firstOfAuthorRun;
        const quint8 oldDay = r.firstOfDay;
        if (row == 0) {
            r.firstOfAuthorRun = 1;
            r.firstOfDay = 1;
        } else {
            const Row &p = rows[row - 1];
            const bool newDay = dayOf(p.createdAtMs) != dayOf(r.createdAtMs);
            const bool otherAuthor
                = p.author != r.author && authors[p.author].id != authors[r.author].id;
            r.firstOfDay = newDay;
            r.firstOfAuthorRun
                = newDay || otherAuthor || r.createdAtMs - p.createdAtMs > AuthorRunBreakMs;
        }
        return r.firstOfAuthorRun != oldRun || r.firstOfDay != oldDay;
    }

    // Recomputes the flags of existing rows whose predecessor changed, telling the views.
    void refreshFlags(std::initializer_list<int> candidates)
    {
        static const QList<int> flagRoles { FirstOfAuthorRunRole, FirstOfDayRole };
        for (int row : candidates) {
            if (row >= 0 && row < int(rows.size()) && computeFlags(row)) {
                const QModelIndex idx = q->index(row);
                Q_EMIT q->dataChanged(idx, idx, flagRoles);
            }
        }
    }

    // Inserts sorted sent rows at `pos` (within the sent part) with one beginInsertRows.
    void insertSent(int pos, std::vector<Row> &&batch)
    {
        const int n = int(batch.size());
        q->beginInsertRows({}, pos, pos + n - 1);
        rows.insert(rows.begin() + pos, std::make_move_iterator(batch.begin()),
            std::make_move_iterator(batch.end()));
        sentCount += n;
        for (int i = pos; i < pos + n; ++i)
            computeFlags(i);
        q->endInsertRows();
        refreshFlags({ pos + n });
    }

    // The unsent row `p` was stored by the server as `m`: update it in place, then move it to its
    // place by seq. Returns its final row.
    int confirm(int p, const Message &m)
    {
        Row &r = rows[p];
        QList<int> roles { StatusRole, IdRole, SeqRole, CreatedAtRole };
        const QString clientId = r.clientId(texts);
        if (r.statusValue() == Message::Status::Failed) {
            errors.remove(clientId);
            roles << ErrorRole;
        }
        if (!r.hasContent(texts, m.content)) // the server trims
            roles << ContentRole;
        const quint32 oldAuthor = r.author;
        Message sent = m;
        if (sent.clientId.isEmpty())
            sent.clientId = clientId;
        Row updated = makeRow(sent, Message::Status::Sent);
        if (updated.author != oldAuthor)
            roles << AuthorIdRole << AuthorNameRole << IsOwnRole;
        if (updated.clientId(texts) != clientId)
            roles << ClientIdRole;
        addChangedExtras(roles, r.extras.get(), updated.extras.get(), ownUserId);
        updated.firstOfAuthorRun = r.firstOfAuthorRun;
        updated.firstOfDay = r.firstOfDay;
        r = std::move(updated);
        const QModelIndex idx = q->index(p);
        Q_EMIT q->dataChanged(idx, idx, roles);

        const int target = sentLowerBound(m.seq);
        if (target == p) { // the first unsent row, newer than every sent one: already in place
            ++sentCount;
            refreshFlags({ p, p + 1 });
            return p;
        }
        q->beginMoveRows({}, p, p, {}, target);
        Row moving = std::move(rows[p]);
        rows.erase(rows.begin() + p);
        rows.insert(rows.begin() + target, std::move(moving));
        ++sentCount;
        q->endMoveRows();
        // target < p: the moved row, its new successor, and the successor of its old place.
        refreshFlags({ target, target + 1, p + 1 });
        return target;
    }

    void emitGaps(qint64 oldLast, std::vector<qint64> &newSeqs)
    {
        if (oldLast <= 0 || newSeqs.empty())
            return;
        if (!std::is_sorted(newSeqs.begin(), newSeqs.end()))
            std::sort(newSeqs.begin(), newSeqs.end());
        qint64 prev = oldLast;
        for (qint64 s : newSeqs) {
            if (s <= prev)
                continue;
            if (s > prev + 1) {
                qCDebug(Log::models)
                    << "gap in room" << roomId << "between seq" << prev << "and" << s;
                Q_EMIT q->gapDetected(prev, s);
            }
            prev = s;
        }
    }

    void setFetching(bool fetching_)
    {
        if (fetching == fetching_)
            return;
        const bool couldFetch = q->canFetchMoreHistory();
        fetching = fetching_;
        Q_EMIT q->fetchingHistoryChanged();
        if (couldFetch != q->canFetchMoreHistory())
            Q_EMIT q->canFetchMoreHistoryChanged();
    }

    void setHasMore(bool more)
    {
        if (hasMore == more)
            return;
        const bool couldFetch = q->canFetchMoreHistory();
        hasMore = more;
        Q_EMIT q->hasMoreHistoryChanged();
        if (couldFetch != q->canFetchMoreHistory())
            Q_EMIT q->canFetchMoreHistoryChanged();
    }

    // Emits the property signals after a change of rows.
    void notify(int oldCount, qint64 oldLast)
    {
        if (oldLast != lastSeq())
            Q_EMIT q->lastSeqChanged();
        if (oldCount != int(rows.size()))
            Q_EMIT q->countChanged();
    }
};

MessageModel::MessageModel(QObject *parent)
    : QAbstractListModel(parent), d(std::make_unique<Private>(this))
{
}

MessageModel::~MessageModel() = default;

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = d->rows[index.row()];
    switch (role) {
    case IdRole:
        return r.id(d->texts);
    case SeqRole:
        return r.seq;
    case AuthorIdRole:
        return d->authors[r.author].id;
    case AuthorNameRole:
        return d->authors[r.author].name;
    case ContentRole:
        return r.content(d->texts);
    case CreatedAtRole:
        return QDateTime::fromMSecsSinceEpoch(r.createdAtMs, Qt::UTC);
    case StatusRole:
        return QVariant::fromValue(r.statusValue());
    case ErrorRole:
        return r.statusValue() == Message::Status::Failed ? d->errors.value(r.clientId(d->texts))
                                                          : QString();
    case IsOwnRole:
        return d->authors[r.author].own;
    case ClientIdRole:
        return r.clientId(d->texts);
    case FirstOfAuthorRunRole:
        return bool(r.firstOfAuthorRun);
    case FirstOfDayRole:
        return bool(r.firstOfDay);
    default:
        break;
    }
    static const RowExtras none;
    const RowExtras &x = r.extras ? *r.extras : none;
    switch (role) {
    case EditedRole:
        return x.editedAtMs != 0;
    case EditedAtRole:
        return x.editedAtMs ? QDateTime::fromMSecsSinceEpoch(x.editedAtMs, Qt::UTC) : QDateTime();
    case DeletedRole:
        return x.deleted;
    case ReactionsRole: {
        QVariantList out;
        out.reserve(x.reactions.size());
        for (const MessageReaction &reaction : x.reactions) {
            out.append(QVariantMap { { QStringLiteral("emoji"), reaction.emoji },
                { QStringLiteral("count"), int(reaction.userIds.size()) },
                { QStringLiteral("mine"),
                    !d->ownUserId.isEmpty() && reaction.userIds.contains(d->ownUserId) },
                { QStringLiteral("users"), reaction.userIds } });
        }
        return out;
    }
    case ReplyToIdRole:
        return x.replyTo.id;
    case ReplyToAuthorRole:
        return x.replyTo.authorName;
    case ReplyToExcerptRole:
        return x.replyTo.excerpt;
    case ReplyToDeletedRole:
        return x.replyTo.deleted;
    case MentionsMeRole:
        // Never one's own messages: writing one's own id is not being mentioned.
        return !d->ownUserId.isEmpty() && !d->authors[r.author].own
            && x.mentions.contains(d->ownUserId);
    default:
        return {};
    }
}

int MessageModel::rowOfId(const QString &id) const
{
    if (id.isEmpty())
        return -1;
    for (int row = d->sentCount - 1; row >= 0; --row) {
        const Row &r = d->rows[row];
        if (r.idLen == id.size() && r.hasId(d->texts, id))
            return row;
    }
    return -1;
}

bool MessageModel::updateMessage(const Message &message)
{
    int row = message.seq > 0 ? d->rowOfSeq(message.seq) : -1;
    if (row < 0 || !d->rows[row].hasId(d->texts, message.id))
        row = rowOfId(message.id);
    if (row < 0 && message.id.isEmpty())
        row = d->unsentRowOf(message.clientId); // an edit of our message before it was sent
    if (row < 0)
        return false;
    Row &r = d->rows[row];
    if (r.extras && message.rev > 0 && message.rev < r.extras->rev)
        return true; // an older state than the row's (a page overtaken by a newer change)
    auto extras = RowExtras::of(message);
    QList<int> roles;
    if (!r.hasContent(d->texts, message.content))
        roles << ContentRole;
    addChangedExtras(roles, r.extras.get(), extras.get(), d->ownUserId);
    if (roles.isEmpty() && (r.extras == extras || (r.extras && extras && *r.extras == *extras)))
        return true; // the same state (a duplicate)
    if (roles.contains(ContentRole))
        r.setContent(d->texts, message.content);
    r.extras = std::move(extras);
    if (!roles.isEmpty()) {
        const QModelIndex idx = index(row);
        Q_EMIT dataChanged(idx, idx, roles);
    }
    return true;
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    static const QHash<int, QByteArray> names {
        { IdRole, "id" },
        { SeqRole, "seq" },
        { AuthorIdRole, "authorId" },
        { AuthorNameRole, "authorName" },
        { ContentRole, "content" },
        { CreatedAtRole, "createdAt" },
        { StatusRole, "status" },
        { ErrorRole, "error" },
        { EditedRole, "edited" },
        { EditedAtRole, "editedAt" },
        { DeletedRole, "deleted" },
        { ReactionsRole, "reactions" },
        { ReplyToIdRole, "replyToId" },
        { ReplyToAuthorRole, "replyToAuthor" },
        { ReplyToExcerptRole, "replyToExcerpt" },
        { ReplyToDeletedRole, "replyToDeleted" },
        { MentionsMeRole, "mentionsMe" },
        { IsOwnRole, "isOwn" },
        { ClientIdRole, "clientId" },
        { FirstOfAuthorRunRole, "firstOfAuthorRun" },
        { FirstOfDayRole, "firstOfDay" },
    };
    return names;
}

bool MessageModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && canFetchMoreHistory();
}

void MessageModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    d->setFetching(true);
    qCDebug(Log::models) << "requesting history of room" << d->roomId << "before seq"
                         << d->firstSeq();
    Q_EMIT historyRequested(d->firstSeq());
}

void MessageModel::fetchMoreHistory()
{
    fetchMore({});
}

int MessageModel::count() const
{
    return int(d->rows.size());
}

QString MessageModel::ownUserId() const
{
    return d->ownUserId;
}

void MessageModel::setOwnUserId(const QString &userId)
{
    if (d->ownUserId == userId)
        return;
    d->ownUserId = userId;
    for (Author &a : d->authors.all)
        a.own = !userId.isEmpty() && a.id == userId;
    if (!d->rows.empty())
        Q_EMIT dataChanged(index(0), index(int(d->rows.size()) - 1), { IsOwnRole });
    Q_EMIT ownUserIdChanged();
}

bool MessageModel::hasMoreHistory() const
{
    return d->hasMore;
}

bool MessageModel::isFetchingHistory() const
{
    return d->fetching;
}

bool MessageModel::canFetchMoreHistory() const
{
    return d->hasMore && !d->fetching;
}

qint64 MessageModel::lastSeq() const
{
    return d->lastSeq();
}

qint64 MessageModel::firstSeq() const
{
    return d->firstSeq();
}

QString MessageModel::roomId() const
{
    return d->roomId;
}

Message MessageModel::message(int row) const
{
    if (row < 0 || row >= int(d->rows.size()))
        return {};
    return d->toMessage(d->rows[row]);
}

int MessageModel::rowOfClientId(const QString &clientId) const
{
    if (clientId.isEmpty())
        return -1;
    if (const int row = d->unsentRowOf(clientId); row >= 0)
        return row;
    for (int i = d->sentCount - 1; i >= 0; --i) { // recent sends are near the end
        if (d->rows[i].hasClientId(d->texts, clientId))
            return i;
    }
    return -1;
}

int MessageModel::rowOfSeq(qint64 seq) const
{
    return d->rowOfSeq(seq);
}

void MessageModel::queueIncoming(const Message &message)
{
    if (message.seq <= 0) {
        qCWarning(Log::models) << "ignoring a message without seq in room" << message.roomId;
        return;
    }
    if (!d->acceptRoom(message))
        return;
    d->enqueue(d->makeRow(message, Message::Status::Sent));
}

void StreamedRows::queue(MessageModel &model, const StreamedText &message)
{
    MessageModel::Private &d = *model.d;
    if (!d.acceptRoom(message.roomId))
        return;
    const quint32 author = d.authors.intern(message.authorId, message.authorName, d.ownUserId);
    d.enqueue(Row::make(message, author, d.texts));
}

Message StreamedRows::messageOfSeq(const MessageModel &model, qint64 seq)
{
    const MessageModel::Private &d = *model.d;
    if (const int row = d.rowOfSeq(seq); row >= 0)
        return d.toMessage(d.rows[size_t(row)]);
    for (auto it = d.queue.crbegin(); it != d.queue.crend(); ++it) {
        if (it->seq == seq)
            return d.toMessage(*it);
    }
    return {};
}

void MessageModel::flushIncoming()
{
    d->flushScheduled = false;
    if (d->queue.empty())
        return;
    // Merged from a list of its own (a consumer of the merge may queue more); the queue gets its
    // buffer back, so that a stream of turns does not grow one from nothing every time.
    std::vector<Row> queued;
    queued.swap(d->queue);
    std::vector<Private::Arrival> batch;
    batch.reserve(queued.size());
    for (Row &row : queued)
        batch.push_back({ nullptr, &row });
    d->merge(batch);
    queued.clear();
    if (d->queue.empty())
        d->queue.swap(queued);
}

void MessageModel::appendMessages(const QList<Message> &messages)
{
    std::vector<Private::Arrival> batch;
    batch.reserve(messages.size());
    for (const Message &m : messages)
        batch.push_back({ &m, nullptr });
    d->merge(batch);
}

void MessageModel::Private::merge(std::vector<Arrival> &arrivals)
{
    if (arrivals.empty())
        return;
    const int oldCount = q->count();
    const qint64 oldLast = lastSeq();

    std::vector<Arrival> batch;
    batch.reserve(arrivals.size());
    for (const Arrival &a : arrivals) {
        if (a.row) { // checked when queued
            batch.push_back(a);
            continue;
        }
        if (a.message->seq <= 0) {
            qCWarning(Log::models) << "ignoring a message without seq in room" << a.message->roomId;
            continue;
        }
        if (acceptRoom(*a.message))
            batch.push_back(a);
    }
    const auto bySeq = [](const Arrival &a, const Arrival &b) { return a.seq() < b.seq(); };
    if (!std::is_sorted(batch.begin(), batch.end(), bySeq)) // a live stream is
        std::stable_sort(batch.begin(), batch.end(), bySeq);

    std::vector<qint64> newSeqs;
    newSeqs.reserve(batch.size());
    std::vector<Arrival> fresh;
    fresh.reserve(batch.size());
    qint64 prev = 0;
    for (const Arrival &a : batch) {
        const qint64 seq = a.seq();
        if (seq == prev)
            continue;
        // Newer than every held row (a live stream): no need to look for a duplicate.
        if (seq <= lastSeq()) {
            if (const int held = rowOfSeq(seq); held >= 0) {
                // Held already (e.g. our send's ack came first): a newer state updates it.
                const Row &r = rows[size_t(held)];
                if (revOf(a) > (r.extras ? r.extras->rev : 0))
                    q->updateMessage(whole(a));
                continue;
            }
        }
        prev = seq;
        newSeqs.push_back(seq);
        if (const int p = unsentRowOf(a); p >= 0) { // the echo of our own send
            confirm(p, whole(a));
            continue;
        }
        fresh.push_back(a);
    }

    // Messages that land between the same two held rows go in with one beginInsertRows; a live
    // stream lands after the last sent row, so a burst is one insert.
    for (size_t i = 0; i < fresh.size();) {
        const int pos = sentLowerBound(fresh[i].seq());
        const qint64 limit = pos < sentCount ? rows[pos].seq : std::numeric_limits<qint64>::max();
        std::vector<Row> group;
        group.reserve(fresh.size() - i);
        size_t j = i;
        for (; j < fresh.size() && fresh[j].seq() < limit; ++j) {
            const Arrival &a = fresh[j];
            group.push_back(a.row ? std::move(*a.row) : makeRow(*a.message, Message::Status::Sent));
        }
        insertSent(pos, std::move(group));
        i = j;
    }

    notify(oldCount, oldLast);
    emitGaps(oldLast, newSeqs);
}

void MessageModel::prependHistory(const QList<Message> &messages, bool hasMore)
{
    const int oldCount = count();
    const qint64 oldLast = d->lastSeq();
    const qint64 first = d->firstSeq();

    std::vector<const Message *> older;
    QList<Message> rest;
    older.reserve(messages.size());
    for (const Message &m : messages) {
        if (m.seq <= 0 || !d->acceptRoom(m))
            continue;
        const bool isOlder = first == 0 || m.seq < first;
        if (isOlder && d->unsentRowOf(m.clientId) < 0)
            older.push_back(&m);
        else
            rest.append(m);
    }
    std::stable_sort(older.begin(), older.end(),
        [](const Message *a, const Message *b) { return a->seq < b->seq; });
    older.erase(std::unique(older.begin(), older.end(),
                    [](const Message *a, const Message *b) { return a->seq == b->seq; }),
        older.end());
    if (!older.empty()) {
        std::vector<Row> group;
        group.reserve(older.size());
        for (const Message *m : older)
            group.push_back(d->makeRow(*m, Message::Status::Sent));
        d->insertSent(0, std::move(group));
    }
    d->notify(oldCount, oldLast);
    appendMessages(rest);

    d->setHasMore(hasMore);
    d->setFetching(false);
}

void MessageModel::setHasMoreHistory(bool hasMore)
{
    d->setHasMore(hasMore);
}

void MessageModel::historyRequestFailed()
{
    d->setFetching(false);
}

QString MessageModel::addPending(const Message &message)
{
    if (!d->acceptRoom(message))
        return {};
    Message m = message;
    if (m.clientId.isEmpty())
        m.clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (d->unsentRowOf(m.clientId) >= 0) {
        qCWarning(Log::models) << "a pending message with this client id is already held";
        return {};
    }
    const int row = count();
    beginInsertRows({}, row, row);
    d->rows.push_back(d->makeRow(m, Message::Status::Pending));
    d->computeFlags(row);
    endInsertRows();
    Q_EMIT countChanged();
    return m.clientId;
}

int MessageModel::markSent(const QString &clientId, const Message &message)
{
    if (message.seq <= 0) {
        qCWarning(Log::models) << "markSent without a seq in room" << d->roomId;
        return -1;
    }
    const int oldCount = count();
    const qint64 oldLast = d->lastSeq();
    const int p = d->unsentRowOf(clientId);
    if (p < 0) { // the echo came first, or the row was never shown (e.g. sent from the outbox)
        if (d->rowOfSeq(message.seq) < 0) {
            Message m = message;
            if (m.clientId.isEmpty())
                m.clientId = clientId;
            appendMessages({ m });
        }
        return d->rowOfSeq(message.seq);
    }
    if (const int held = d->rowOfSeq(message.seq); held >= 0) {
        // The echo arrived without a client id (another server): the pending row is its double.
        beginRemoveRows({}, p, p);
        d->rows.erase(d->rows.begin() + p);
        d->errors.remove(clientId);
        endRemoveRows();
        d->refreshFlags({ p });
        d->notify(oldCount, oldLast);
        return held;
    }
    const int row = d->confirm(p, message);
    d->notify(oldCount, oldLast);
    std::vector<qint64> seqs { message.seq };
    d->emitGaps(oldLast, seqs);
    return row;
}

bool MessageModel::markFailed(const QString &clientId, const QString &error)
{
    const int p = d->unsentRowOf(clientId);
    if (p < 0)
        return false;
    Row &r = d->rows[p];
    r.status = quint8(Message::Status::Failed);
    d->errors.insert(clientId, error);
    const QModelIndex idx = index(p);
    Q_EMIT dataChanged(idx, idx, { StatusRole, ErrorRole });
    return true;
}

bool MessageModel::retry(const QString &clientId)
{
    const int p = d->unsentRowOf(clientId);
    if (p < 0 || d->rows[p].statusValue() != Message::Status::Failed)
        return false;
    d->rows[p].status = quint8(Message::Status::Pending);
    d->errors.remove(clientId);
    const QModelIndex idx = index(p);
    Q_EMIT dataChanged(idx, idx, { StatusRole, ErrorRole });
    Q_EMIT retryRequested(clientId);
    return true;
}

bool MessageModel::retryAt(int row)
{
    if (row < d->sentCount || row >= count())
        return false;
    return retry(d->rows[row].clientId(d->texts));
}

bool MessageModel::discard(const QString &clientId)
{
    const int p = d->unsentRowOf(clientId);
    if (p < 0)
        return false;
    const QString id = clientId; // the argument may live in the row
    beginRemoveRows({}, p, p);
    d->rows.erase(d->rows.begin() + p);
    d->errors.remove(id);
    endRemoveRows();
    d->refreshFlags({ p });
    Q_EMIT countChanged();
    Q_EMIT discarded(id);
    return true;
}

void MessageModel::clear()
{
    const int oldCount = count();
    const qint64 oldLast = d->lastSeq();
    beginResetModel();
    d->rows.clear();
    d->rows.shrink_to_fit();
    d->sentCount = 0;
    d->authors.clear();
    d->texts.clear();
    d->errors.clear();
    d->roomId.clear();
    d->queue.clear();
    endResetModel();
    d->setFetching(false);
    d->setHasMore(false);
    d->notify(oldCount, oldLast);
}

} // namespace Palaver
