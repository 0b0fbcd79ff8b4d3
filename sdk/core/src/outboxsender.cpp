// SPDX-License-Identifier: MIT
#include "ackreply_p.h"
#include "client_p.h"
#include "logging_p.h"
#include "messageconversion_p.h"
#include "outboxsender_p.h"
#include "roomdirectory_p.h"

#include <QDateTime>
#include <QPointer>

#include <algorithm>

namespace Palaver {

namespace {

Message pendingMessage(const OutboxEntry &e)
{
    Message m;
    m.roomId = e.roomId;
    m.content = e.content;
    m.createdAt = e.createdAt;
    m.clientId = e.clientId.toString(QUuid::WithoutBraces);
    m.status = Message::Status::Pending;
    return m;
}

} // namespace

OutboxSender::OutboxSender(ClientCore &d) : d(d)
{
    m_timer.setSingleShot(true);
    QObject::connect(&m_timer, &QTimer::timeout, d.q, [this] { flush(); });
}

OutboxSender::~OutboxSender() = default;

bool OutboxSender::ensure()
{
    if (m_outbox && m_outbox->isOpen())
        return true;
    m_outbox = std::make_unique<Outbox>();
    m_outbox->setCapacity(capacity);
    if (!m_outbox->open(path)) {
        d.connection.raise(Client::Error::OutboxError, m_outbox->errorString());
        m_outbox.reset();
        return false;
    }
    for (const OutboxEntry &e : m_outbox->entries()) {
        if (!e.isChange())
            m_mayHaveSent.insert(e.clientId); // an earlier run may have sent it
    }
    if (m_outbox->size() > 0)
        Q_EMIT d.q->pendingMessageCountChanged();
    return true;
}

bool OutboxSender::reopen(const QString &newPath)
{
    path = newPath;
    m_outbox.reset();
    m_inflight.clear();
    m_mayHaveSent.clear();
    m_idOfSend.clear();
    const bool ok = ensure();
    Q_EMIT d.q->pendingMessageCountChanged();
    if (ok && d.connection.isConnected()) {
        d.rooms->keepAll(rooms());
        flush();
    }
    return ok;
}

bool OutboxSender::moveTo(const QString &newPath)
{
    QList<OutboxEntry> carried;
    if (m_outbox && path.isEmpty())
        carried = m_outbox->entries();
    const bool opened = reopen(newPath);
    if (!opened)
        reopen(QString()); // reported: go on in memory, with what waited there
    bool any = false;
    for (const OutboxEntry &e : std::as_const(carried)) {
        if (m_outbox->contains(e.clientId) || !store(e))
            continue;
        any = true;
        if (!e.isChange())
            m_mayHaveSent.insert(e.clientId); // it may be on its way
    }
    if (any) {
        Q_EMIT d.q->pendingMessageCountChanged();
        d.rooms->keepAll(rooms());
        flush();
    }
    return opened;
}

void OutboxSender::setCapacity(int value)
{
    capacity = qMax(1, value);
    if (m_outbox)
        m_outbox->setCapacity(capacity);
}

bool OutboxSender::store(const OutboxEntry &entry)
{
    if (!ensure())
        return false;
    if (m_outbox->isFull()) {
        d.connection.raise(Client::Error::OutboxFull,
            QStringLiteral("The outbox is full: %1 messages wait").arg(m_outbox->capacity()));
        return false;
    }
    if (!m_outbox->append(entry)) {
        d.connection.raise(Client::Error::OutboxError, m_outbox->errorString());
        return false;
    }
    return true;
}

QUuid OutboxSender::queueChange(OutboxEntry change)
{
    change.clientId = QUuid::createUuid();
    change.createdAt = QDateTime::currentDateTimeUtc();
    if (const auto known = m_idOfSend.constFind(QUuid::fromString(change.messageId));
        known != m_idOfSend.cend())
        change.messageId = *known;
    if (!store(change))
        return {};
    d.rooms->keepAll({ change.roomId }); // changes, like sends, need the room joined
    flush();
    return change.clientId;
}

bool OutboxSender::editQueued(const QString &clientId, const QString &content)
{
    const QUuid id = QUuid::fromString(clientId);
    const auto waiting = entry(id);
    // Once sent, a retry with the same clientId gets the stored message back, not new content.
    if (id.isNull() || !waiting || waiting->isChange() || m_mayHaveSent.contains(id))
        return false;
    return m_outbox->setContent(id, content);
}

bool OutboxSender::waitsToSend(const QString &messageId) const
{
    const QUuid id = QUuid::fromString(messageId);
    const auto waiting = id.isNull() ? std::nullopt : entry(id);
    return waiting && !waiting->isChange();
}

void OutboxSender::onOwnMessage(const Message &message)
{
    if (message.clientId.isEmpty() || message.id.isEmpty() || !waitsToSend(message.clientId))
        return;
    m_idOfSend.insert(QUuid::fromString(message.clientId), message.id);
    if (m_outbox->retarget(message.clientId, message.id))
        m_timer.start(0); // they can go now, in their order; not from inside the delivery
}

QList<OutboxEntry> OutboxSender::waitingChanges(const QString &messageId) const
{
    QList<OutboxEntry> out;
    if (m_outbox) {
        for (const OutboxEntry &e : m_outbox->entries()) {
            if (e.isChange() && e.messageId == messageId)
                out.append(e);
        }
    }
    return out;
}

QHash<QString, QList<OutboxEntry>> OutboxSender::waitingChangesIn(const QString &roomId) const
{
    QHash<QString, QList<OutboxEntry>> out;
    if (m_outbox) {
        for (const OutboxEntry &e : m_outbox->entries()) {
            if (e.isChange() && e.roomId == roomId)
                out[e.messageId].append(e);
        }
    }
    return out;
}

std::optional<OutboxEntry> OutboxSender::entry(const QUuid &clientId) const
{
    if (!m_outbox)
        return std::nullopt;
    for (const OutboxEntry &e : m_outbox->entries()) {
        if (e.clientId == clientId)
            return e;
    }
    return std::nullopt;
}

QUuid OutboxSender::queue(const QString &roomId, const QString &content, const QString &replyTo)
{
    OutboxEntry entry;
    entry.clientId = QUuid::createUuid();
    entry.roomId = roomId;
    entry.content = content;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    entry.replyTo = replyTo;
    if (!store(entry))
        return {};
    Q_EMIT d.q->pendingMessageCountChanged();
    const Message pending = pendingMessage(entry);
    d.rooms->onQueued(pending);
    Q_EMIT d.q->messageQueued(entry.clientId, pending);
    d.rooms->keepAll({ roomId }); // a message can only be sent to a joined room
    flush();
    return entry.clientId;
}

bool OutboxSender::discard(const QUuid &clientId)
{
    if (!m_outbox || !m_outbox->remove(clientId))
        return false;
    m_inflight.remove(clientId);
    m_idOfSend.remove(clientId);
    qCDebug(Log::client) << "outbox: a message was discarded";
    Q_EMIT d.q->pendingMessageCountChanged();
    return true;
}

QList<Message> OutboxSender::pending() const
{
    QList<Message> out;
    if (m_outbox) {
        for (const auto &e : m_outbox->entries()) {
            if (!e.isChange())
                out.append(pendingMessage(e));
        }
    }
    return out;
}

int OutboxSender::count() const
{
    if (!m_outbox)
        return 0;
    const auto &entries = m_outbox->entries();
    return int(std::count_if(
        entries.begin(), entries.end(), [](const OutboxEntry &e) { return !e.isChange(); }));
}

QStringList OutboxSender::rooms() const
{
    QStringList out;
    if (m_outbox) {
        for (const auto &e : m_outbox->entries()) {
            if (!out.contains(e.roomId))
                out.append(e.roomId);
        }
    }
    return out;
}

void OutboxSender::flush()
{
    if (!d.connection.isConnected() || !m_outbox)
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto entries = m_outbox->entries(); // dispatch() may change the list
    for (const auto &e : entries) {
        if (m_inflight.contains(e.clientId) || !d.rooms->isJoinedNow(e.roomId))
            continue;
        if (e.isChange() && waitsToSend(e.messageId))
            continue; // the message has no id yet: its send's ack gives it
        if (const QString feature = e.feature(); !feature.isEmpty()) {
            // Queued before the server said what it supports, and it does not.
            if (const QString why = d.rooms->unsupported(feature); !why.isEmpty()) {
                refuse(e.clientId, QStringLiteral("unsupported"), why);
                continue;
            }
        }
        if (m_holdUntil.value(e.roomId) > now)
            continue;
        dispatch(e);
        if (!d.connection.isConnected())
            return;
    }
    scheduleTimer();
}

void OutboxSender::scheduleTimer()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 next = 0;
    for (auto it = m_holdUntil.begin(); it != m_holdUntil.end();) {
        if (it.value() <= now) {
            it = m_holdUntil.erase(it);
            continue;
        }
        next = next == 0 ? it.value() : std::min(next, it.value());
        ++it;
    }
    if (next > 0)
        m_timer.start(int(std::clamp<qint64>(next - now, 1, 3'600'000)));
}

void OutboxSender::dispatch(const OutboxEntry &entry)
{
    m_inflight.insert(entry.clientId);
    if (!entry.isChange())
        m_mayHaveSent.insert(entry.clientId);
    QVariantMap payload { { QStringLiteral("roomId"), entry.roomId } };
    QString event = QStringLiteral("message:send");
    switch (entry.kind) {
    case OutboxEntry::Kind::Send:
        payload.insert(QStringLiteral("content"), entry.content);
        payload.insert(QStringLiteral("clientId"), entry.clientId.toString(QUuid::WithoutBraces));
        if (!entry.replyTo.isEmpty())
            payload.insert(QStringLiteral("replyTo"), entry.replyTo);
        break;
    case OutboxEntry::Kind::Edit:
        event = QStringLiteral("message:edit");
        payload.insert(QStringLiteral("messageId"), entry.messageId);
        payload.insert(QStringLiteral("content"), entry.content);
        break;
    case OutboxEntry::Kind::Delete:
        event = QStringLiteral("message:delete");
        payload.insert(QStringLiteral("messageId"), entry.messageId);
        break;
    case OutboxEntry::Kind::React:
        event = QStringLiteral("message:react");
        payload.insert(QStringLiteral("messageId"), entry.messageId);
        payload.insert(QStringLiteral("emoji"), entry.emoji);
        payload.insert(QStringLiteral("add"), entry.add);
        break;
    }
    const QUuid id = entry.clientId;
    const QString room = entry.roomId;
    QPointer<Client> guard(d.q);
    qCDebug(Log::client) << "outbox: sending a message of" << entry.content.size()
                         << "characters to" << room;
    d.requests.start(
        event, { payload }, d.requests.requestTimeout, [guard, this, id, room](const AckResult &r) {
            if (guard)
                onAnswered(id, room, r);
        });
}

void OutboxSender::onAnswered(const QUuid &clientId, const QString &roomId, const AckResult &result)
{
    m_inflight.remove(clientId);
    if (!m_outbox || !m_outbox->contains(clientId))
        return;
    switch (result.error) {
    case AckResult::Error::None:
        break;
    case AckResult::Error::PayloadTooLarge:
        refuse(clientId, QStringLiteral("too_long"), result.errorString);
        return;
    case AckResult::Error::InvalidRequest:
        refuse(clientId, QStringLiteral("invalid"), result.errorString);
        return;
    case AckResult::Error::Timeout:
        // The answer may still be on its way, or the connection is dying; the same clientId
        // makes a second send harmless.
        m_timer.start(0);
        return;
    default:
        return; // Disconnected / NotConnected: sent again after the next connect
    }
    const QVariantMap reply = result.reply();
    if (reply.value(QStringLiteral("ok")).toBool()) {
        const Message message = messageFromVariant(reply.value(QStringLiteral("message")));
        const OutboxEntry answered = *entry(clientId);
        if (answered.isChange()) {
            m_outbox->remove(clientId);
            rememberDelete(answered);
            qCDebug(Log::client) << "outbox: change acknowledged, rev" << message.rev;
            d.rooms->onChangeAcked(answered, message);
            return;
        }
        // Changes made meanwhile to this message can go now: they name it by its id.
        if (!message.id.isEmpty())
            m_outbox->retarget(clientId.toString(QUuid::WithoutBraces), message.id);
        m_outbox->remove(clientId);
        m_idOfSend.remove(clientId);
        Q_EMIT d.q->pendingMessageCountChanged();
        qCDebug(Log::client) << "outbox: message acknowledged, seq" << message.seq;
        d.rooms->onAcked(clientId.toString(QUuid::WithoutBraces), roomId, message);
        Q_EMIT d.q->messageAcked(clientId, message);
        flush();
        return;
    }
    const auto [code, message] = ackErrorOf(reply);
    if (isFinalRefusal(code)) {
        refuse(clientId, code, message);
        return;
    }
    qint64 wait = 1000;
    if (code == QLatin1String("rate_limited")) {
        const QVariantMap error = reply.value(QStringLiteral("error")).toMap();
        wait = qMax<qint64>(1, error.value(QStringLiteral("retryAfterMs"), 1000).toLongLong());
    } else if (code == QLatin1String("not_joined")) {
        d.rooms->rejoin(roomId);
        return;
    }
    qCDebug(Log::client) << "outbox: retrying in" << wait << "ms after" << code;
    m_holdUntil[roomId] = QDateTime::currentMSecsSinceEpoch() + wait;
    scheduleTimer();
}

void OutboxSender::refuse(const QUuid &clientId, const QString &code, const QString &message)
{
    if (!m_outbox)
        return;
    const auto refused = entry(clientId);
    if (!refused || !m_outbox->remove(clientId))
        return;
    const QString roomId = refused->roomId;
    if (refused->isChange()) {
        if (supersededByDelete(*refused, code)) {
            qCDebug(Log::client) << "outbox: change of a message we delete dropped:" << code;
            d.rooms->onChangeAcked(*refused, Message());
            return;
        }
        qCInfo(Log::client) << "outbox: change refused:" << code;
        d.rooms->onChangeRefused(*refused, code, message);
        return;
    }
    m_idOfSend.remove(clientId);
    // Changes of a message that will never exist cannot be made either.
    const QString sendId = clientId.toString(QUuid::WithoutBraces);
    const auto entries = m_outbox->entries();
    for (const auto &e : entries) {
        if (e.isChange() && e.messageId == sendId)
            refuse(e.clientId, code, message);
    }
    qCInfo(Log::client) << "outbox: message refused:" << code;
    Q_EMIT d.q->pendingMessageCountChanged();
    d.rooms->onRefused(clientId.toString(QUuid::WithoutBraces), roomId, code, message);
    Q_EMIT d.q->messageRefused(clientId, code, message);
}

bool OutboxSender::supersededByDelete(const OutboxEntry &change, const QString &code) const
{
    // An edit or reaction refused because the message is deleted, while our own later delete
    // of it waits or was made: a retry of a change whose answer was lost or late, overtaken by
    // the delete that followed it. The user's last word is the delete; reporting the change as
    // failed would be noise.
    if (code != QLatin1String("invalid") || change.kind == OutboxEntry::Kind::Delete)
        return false;
    const auto &entries = m_outbox->entries();
    const bool waits = std::any_of(entries.begin(), entries.end(), [&](const OutboxEntry &e) {
        return e.kind == OutboxEntry::Kind::Delete && e.messageId == change.messageId;
    });
    return waits || std::any_of(m_deleted.cbegin(), m_deleted.cend(), [&](const auto &deleted) {
        return deleted.first == change.messageId && deleted.second >= change.createdAt;
    });
}

void OutboxSender::rememberDelete(const OutboxEntry &change)
{
    if (change.kind != OutboxEntry::Kind::Delete)
        return;
    constexpr int Kept = 256;
    if (m_deleted.size() >= Kept)
        m_deleted.removeFirst();
    m_deleted.append({ change.messageId, change.createdAt });
}

void OutboxSender::refuseRoom(const QString &roomId, const QString &code, const QString &message)
{
    if (!m_outbox)
        return;
    const auto entries = m_outbox->entries();
    for (const auto &e : entries) {
        if (e.roomId == roomId)
            refuse(e.clientId, code, message);
    }
}

void OutboxSender::onDisconnected()
{
    m_timer.stop();
    m_inflight.clear();
}

} // namespace Palaver
