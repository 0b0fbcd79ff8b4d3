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
    if (m_outbox->size() > 0)
        Q_EMIT d.q->pendingMessageCountChanged();
    return true;
}

bool OutboxSender::reopen(const QString &newPath)
{
    path = newPath;
    m_outbox.reset();
    m_inflight.clear();
    const bool ok = ensure();
    Q_EMIT d.q->pendingMessageCountChanged();
    if (ok && d.connection.isConnected()) {
        d.rooms->keepAll(rooms());
        flush();
    }
    return ok;
}

void OutboxSender::setCapacity(int value)
{
    capacity = qMax(1, value);
    if (m_outbox)
        m_outbox->setCapacity(capacity);
}

QUuid OutboxSender::queue(const QString &roomId, const QString &content)
{
    if (!ensure())
        return {};
    if (m_outbox->isFull()) {
        d.connection.raise(Client::Error::OutboxFull,
            QStringLiteral("The outbox is full: %1 messages wait").arg(m_outbox->capacity()));
        return {};
    }
    OutboxEntry entry { QUuid::createUuid(), roomId, content, QDateTime::currentDateTimeUtc() };
    if (!m_outbox->append(entry)) {
        d.connection.raise(Client::Error::OutboxError, m_outbox->errorString());
        return {};
    }
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
    qCDebug(Log::client) << "outbox: a message was discarded";
    Q_EMIT d.q->pendingMessageCountChanged();
    return true;
}

QList<Message> OutboxSender::pending() const
{
    QList<Message> out;
    if (m_outbox) {
        for (const auto &e : m_outbox->entries())
            out.append(pendingMessage(e));
    }
    return out;
}

int OutboxSender::count() const
{
    return m_outbox ? m_outbox->size() : 0;
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
    QVariantMap payload { { QStringLiteral("roomId"), entry.roomId },
        { QStringLiteral("content"), entry.content },
        { QStringLiteral("clientId"), entry.clientId.toString(QUuid::WithoutBraces) } };
    const QUuid id = entry.clientId;
    const QString room = entry.roomId;
    QPointer<Client> guard(d.q);
    qCDebug(Log::client) << "outbox: sending a message of" << entry.content.size()
                         << "characters to" << room;
    d.requests.start(QStringLiteral("message:send"), { payload }, d.requests.requestTimeout,
        [guard, this, id, room](const AckResult &r) {
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
        m_outbox->remove(clientId);
        Q_EMIT d.q->pendingMessageCountChanged();
        qCDebug(Log::client) << "outbox: message acknowledged, seq" << message.seq;
        d.rooms->onAcked(clientId.toString(QUuid::WithoutBraces), roomId, message);
        Q_EMIT d.q->messageAcked(clientId, message);
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
    QString roomId;
    for (const auto &e : m_outbox->entries()) {
        if (e.clientId == clientId)
            roomId = e.roomId;
    }
    if (!m_outbox->remove(clientId))
        return;
    qCInfo(Log::client) << "outbox: message refused:" << code;
    Q_EMIT d.q->pendingMessageCountChanged();
    d.rooms->onRefused(clientId.toString(QUuid::WithoutBraces), roomId, code, message);
    Q_EMIT d.q->messageRefused(clientId, code, message);
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
