// SPDX-License-Identifier: MIT
#include "ackreply_p.h"
#include "client_p.h"
#include "logging_p.h"
#include "messageconversion_p.h"
#include "roomdirectory_p.h"
#include "roomstream_p.h"

#include <QPointer>
#include <QPromise>

#include <algorithm>

namespace Palaver {

RoomStream::RoomStream(ClientCore &d, RoomDirectory *rooms, const QString &id)
    : QObject(rooms), id(id), d(d), m_rooms(rooms)
{
    m_joinRetry.setSingleShot(true);
    m_catchUpRetry.setSingleShot(true);
    m_updatesRetry.setSingleShot(true);
    connect(&m_joinRetry, &QTimer::timeout, this, &RoomStream::join);
    connect(&m_catchUpRetry, &QTimer::timeout, this, &RoomStream::catchUpStep);
    connect(&m_updatesRetry, &QTimer::timeout, this, &RoomStream::updatesStep);
}

RoomStream::~RoomStream()
{
    failWaiters(AckResult::Error::Disconnected, QStringLiteral("The room is no longer kept"));
}

// ---------------------------------------------------------------------------------------------
// Joining

void RoomStream::join()
{
    if (m_detached || !d.connection.isConnected() || m_joining || m_joinedNow)
        return;
    m_joining = true;
    const quint64 generation = d.connection.generation;
    QPointer<RoomStream> guard(this);
    d.requests.start(QStringLiteral("room:join"), { id }, d.requests.requestTimeout,
        [guard, generation](const AckResult &r) {
            if (guard)
                guard->onJoinAnswer(generation, r);
        });
}

void RoomStream::resumeAt(qint64 lastSeq, qint64 lastRev)
{
    if (m_baseline || lastSeq <= 0)
        return;
    m_baseline = true;
    m_lastSeq = lastSeq;
    m_ahead.erase(m_ahead.begin(), m_ahead.upper_bound(m_lastSeq));
    if (lastRev > 0) {
        m_revs = true;
        m_lastRev = lastRev;
        m_revAhead.erase(m_revAhead.begin(), m_revAhead.upper_bound(m_lastRev));
    }
}

bool RoomStream::isAnotherHistory(const QVariantMap &reply, const QList<Message> &page) const
{
    // The page is the room's newest messages: the stored seq, if the server has it, is in it
    // or below its last one; and if it is in it, it is the message the store kept there.
    const qint64 newest = page.isEmpty() ? 0 : page.last().seq;
    if (newest < m_lastSeq)
        return true;
    const QVariant rev = reply.value(QStringLiteral("rev"));
    if (rev.isValid() && rev.toLongLong() < m_lastRev)
        return true;
    const auto atResumePoint = std::find_if(
        page.cbegin(), page.cend(), [this](const Message &m) { return m.seq == m_lastSeq; });
    if (atResumePoint == page.cend())
        return false;
    const QList<Message> cached = d.store.history(id, m_lastSeq + 1, 1);
    return !cached.isEmpty() && cached.first().seq == m_lastSeq
        && cached.first().id != atResumePoint->id;
}

void RoomStream::rejoin()
{
    m_joinedNow = false;
    join();
}

void RoomStream::detach()
{
    m_detached = true;
    connectionLost(); // stops the timers; late answers are dropped
}

void RoomStream::addWaiter(Waiter waiter)
{
    m_waiters.push_back(std::move(waiter));
}

void RoomStream::refresh(Waiter waiter)
{
    QPointer<RoomStream> guard(this);
    const quint64 generation = d.connection.generation;
    d.requests.start(QStringLiteral("room:join"), { id }, d.requests.requestTimeout,
        [guard, generation, waiter](const AckResult &r) {
            if (guard && !guard->m_detached && guard->d.connection.generation == generation
                && r.ok()) {
                const QVariantMap reply = r.reply();
                if (reply.value(QStringLiteral("ok")).toBool()) {
                    guard->m_rooms->joinAnswered(guard.data(), reply, RoomDirectory::Answer::Fresh);
                    for (const Message &m :
                        messagesFromVariant(reply.value(QStringLiteral("messages"))))
                        guard->accept(m);
                }
            }
            waiter->addResult(r);
            waiter->finish();
        });
}

void RoomStream::completeWaiters(const AckResult &result)
{
    auto waiters = std::exchange(m_waiters, {});
    for (auto &waiter : waiters) {
        waiter->addResult(result);
        waiter->finish();
    }
}

void RoomStream::failWaiters(AckResult::Error error, const QString &message)
{
    if (!m_waiters.empty())
        completeWaiters(AckResult::failure(error, message));
}

void RoomStream::onJoinAnswer(quint64 generation, const AckResult &result)
{
    if (d.connection.generation != generation || m_detached)
        return; // that connection is gone (the next one joins again), or the room was left
    m_joining = false;
    if (!result.ok()) {
        // Timeout on a live connection: try again shortly. Disconnected: the next one will.
        if (result.error == AckResult::Error::Timeout && d.connection.isConnected())
            m_joinRetry.start(RetryMs);
        return;
    }
    const QVariantMap reply = result.reply();
    if (!reply.value(QStringLiteral("ok")).toBool()) {
        const auto [code, message] = ackErrorOf(reply);
        if (isFinalRefusal(code)) {
            completeWaiters(result);
            m_rooms->joinRefused(this, code, message); // deletes this stream later
            return;
        }
        m_joinRetry.start(RetryMs);
        return;
    }

    m_joinedNow = true;
    const QList<Message> page = messagesFromVariant(reply.value(QStringLiteral("messages")));
    if (!m_answered && m_baseline && isAnotherHistory(reply, page)) {
        // The server's history is not the one the store kept (a server reset, another
        // database): the stored markers and cache mean nothing there. Start afresh.
        qCWarning(Log::client) << "room" << id
                               << ": the server's history is not the stored one; the cached"
                                  " timeline is dropped";
        m_baseline = false;
        m_lastSeq = 0;
        m_lastRev = 0;
        m_ahead.clear();
        m_revAhead.clear();
        m_rooms->discardCache(id);
    }
    const bool again = m_baseline;
    m_revs = false; // a v1 server's answer has no rev (whatever an earlier run stored)
    if (const QVariant rev = reply.value(QStringLiteral("rev")); rev.isValid()) {
        m_revs = true;
        if (!again) {
            // The first page shows every change up to this rev: it is where changes start.
            m_lastRev = std::max<qint64>(0, rev.toLongLong());
            m_revAhead.erase(m_revAhead.begin(), m_revAhead.upper_bound(m_lastRev));
        } else {
            // Whatever carried the messages, changes made meanwhile are asked for (the
            // server's replay, if any, overlaps harmlessly: revs are delivered once).
            m_updatesToEnd = true;
        }
        m_lastUpdatesAfter = -1;
        m_lastUpdatesBroughtNothing = false;
    }
    if (!again) {
        // The first join: its page is where this stream starts; what came live before the
        // answer and is in the page is history too.
        for (const Message &m : page)
            m_lastSeq = std::max(m_lastSeq, m.seq);
        m_baseline = true;
        d.store.addPage(id, page); // the cache starts here too
        m_ahead.erase(m_ahead.begin(), m_ahead.upper_bound(m_lastSeq));
    } else if (!d.connection.recovered) {
        // Nothing was replayed: page forward from what was delivered.
        m_catchUpToEnd = true;
    }
    m_lastCatchUpAfter = -1;
    m_lastPageBroughtNothing = false;
    m_announce = true;
    completeWaiters(result);
    // A stream resumed from the store is caught up like a re-join, but to this run's
    // listeners it is the room's first join.
    const bool first = !std::exchange(m_answered, true);
    m_rooms->joinAnswered(
        this, reply, again && !first ? RoomDirectory::Answer::Again : RoomDirectory::Answer::First);
    if (again) {
        for (const Message &m : page)
            accept(m);
    }
    drain();
    drainUpdates();
    d.outbox.flush();
}

void RoomStream::connectionLost()
{
    m_joinedNow = false;
    m_joining = false;
    m_catchUpInFlight = false;
    m_lastCatchUpAfter = -1;
    m_joinRetry.stop();
    m_catchUpRetry.stop();
    m_updatesInFlight = false;
    m_lastUpdatesAfter = -1;
    m_updatesRetry.stop();
}

// ---------------------------------------------------------------------------------------------
// The stream

void RoomStream::accept(const Message &message)
{
    if (m_detached)
        return;
    if (message.seq <= 0) {
        qCWarning(Log::client) << "room" << id << "a message without a seq ignored";
        return;
    }
    if (!m_baseline) {
        m_ahead.try_emplace(message.seq, message); // sorted out by the first join answer
        return;
    }
    if (message.seq <= m_lastSeq)
        return; // a duplicate: replay, the echo of our own send after its ack, a page's overlap
    if (message.seq == m_lastSeq + 1 && m_ahead.empty()) {
        // The live stream in order: the common case, straight through.
        m_lastSeq = message.seq;
        if (m_changedAhead.empty())
            m_rooms->deliver(id, message);
        else
            m_rooms->deliver(id, newestState(message));
        return;
    }
    m_ahead.try_emplace(message.seq, message);
    drain();
}

bool RoomStream::takeNext(qint64 seq)
{
    if (m_detached || !m_baseline || seq != m_lastSeq + 1 || !m_ahead.empty()
        || !m_changedAhead.empty())
        return false;
    m_lastSeq = seq;
    return true;
}

void RoomStream::drain()
{
    QPointer<RoomStream> guard(this);
    while (!m_ahead.empty() && m_ahead.begin()->first <= m_lastSeq + 1) {
        auto node = m_ahead.extract(m_ahead.begin());
        if (node.key() != m_lastSeq + 1)
            continue; // delivered meanwhile
        m_lastSeq = node.key();
        m_rooms->deliver(id, newestState(node.mapped()));
        if (!guard || m_detached)
            return; // a consumer left the room
    }
    // Changes of messages skipped over (the server had none there) have nothing to change.
    m_changedAhead.erase(m_changedAhead.begin(), m_changedAhead.upper_bound(m_lastSeq));
    catchUpStep();
}

void RoomStream::catchUpStep()
{
    if (m_catchUpInFlight || !m_joinedNow)
        return;
    if (m_ahead.empty() && !m_catchUpToEnd) {
        if (m_announce) {
            m_announce = false;
            qCDebug(Log::client) << "room" << id << "caught up at seq" << m_lastSeq;
            Q_EMIT d.q->roomCaughtUp(id);
        }
        return;
    }
    if (m_lastSeq == m_lastCatchUpAfter && m_lastPageBroughtNothing) {
        // The server has nothing where we see a hole; asking again would loop.
        m_catchUpToEnd = false;
        if (!m_ahead.empty()) {
            qCWarning(Log::client) << "room" << id << "the server has no messages" << m_lastSeq + 1
                                   << "to" << m_ahead.begin()->first - 1 << "; skipped";
            m_lastSeq = m_ahead.begin()->first - 1;
        }
        drain();
        return;
    }
    fetchAfter(m_lastSeq);
}

void RoomStream::fetchAfter(qint64 afterSeq)
{
    m_catchUpInFlight = true;
    qCDebug(Log::client) << "room" << id << "catching up after seq" << afterSeq;
    const QVariantMap args { { QStringLiteral("roomId"), id },
        { QStringLiteral("after"), afterSeq }, { QStringLiteral("limit"), CatchUpPageSize } };
    QPointer<RoomStream> guard(this);
    const quint64 generation = d.connection.generation;
    d.requests.start(QStringLiteral("room:history"), { args }, d.requests.requestTimeout,
        [guard, generation, afterSeq](const AckResult &result) {
            if (guard)
                guard->onCatchUpPage(generation, afterSeq, result);
        });
}

void RoomStream::onCatchUpPage(quint64 generation, qint64 afterSeq, const AckResult &result)
{
    if (d.connection.generation != generation || m_detached)
        return; // the re-join of the next connection starts again
    m_catchUpInFlight = false;
    const QVariantMap reply = result.reply();
    if (!result.ok() || !reply.value(QStringLiteral("ok")).toBool()) {
        qCInfo(Log::client) << "room" << id << "catch-up page failed:"
                            << (result.ok() ? ackErrorOf(reply).first : result.errorString);
        if (m_joinedNow && d.connection.isConnected())
            m_catchUpRetry.start(RetryMs);
        return;
    }
    const QList<Message> page = messagesFromVariant(reply.value(QStringLiteral("messages")));
    const qint64 before = m_lastSeq;
    const std::size_t aheadBefore = m_ahead.size();
    if (!reply.value(QStringLiteral("hasMore")).toBool())
        m_catchUpToEnd = false;
    for (const Message &m : page) {
        if (m.seq <= m_lastSeq || m_ahead.count(m.seq))
            continue;
        m_ahead.emplace(m.seq, m);
    }
    m_lastCatchUpAfter = afterSeq;
    m_lastPageBroughtNothing = m_ahead.size() == aheadBefore && m_lastSeq == before;
    drain();
}

// ---------------------------------------------------------------------------------------------
// The changes

void RoomStream::acceptUpdate(const Message &message)
{
    if (m_detached)
        return;
    if (message.rev <= 0 || message.seq <= 0) {
        qCWarning(Log::client) << "room" << id << "a change without a rev or seq ignored";
        return;
    }
    if (!m_baseline) {
        // A message still waiting for the first answer is delivered in its newest state.
        if (auto held = m_ahead.find(message.seq);
            held != m_ahead.end() && held->second.id == message.id)
            held->second = message;
        m_revAhead.insert_or_assign(message.rev, message); // sorted out by the first answer
        return;
    }
    if (message.rev <= m_lastRev)
        return; // a duplicate: our own change's broadcast after its ack, a page's overlap
    if (message.rev == m_lastRev + 1 && m_revAhead.empty() && !m_updatesInFlight) {
        m_lastRev = message.rev;
        deliverChange(message);
        return;
    }
    m_revAhead.try_emplace(message.rev, message);
    drainUpdates();
}

void RoomStream::deliverChange(const Message &message)
{
    if (message.seq <= m_lastSeq) {
        m_rooms->deliverUpdate(id, message);
        return;
    }
    // A change of a message whose news has not been delivered yet (it waits above a hole, or is
    // still to come from a catch-up page, which may have been read before the change): the news
    // is delivered in this newest state when it comes, so that no consumer misses the change.
    if (auto held = m_ahead.find(message.seq);
        held != m_ahead.end() && held->second.id == message.id && held->second.rev < message.rev)
        held->second = message;
    auto [it, added] = m_changedAhead.try_emplace(message.seq, message);
    if (!added && it->second.rev < message.rev)
        it->second = message;
}

Message RoomStream::newestState(const Message &news)
{
    auto it = m_changedAhead.find(news.seq);
    if (it == m_changedAhead.end())
        return news;
    Message newest = std::move(it->second);
    m_changedAhead.erase(it);
    return newest.id == news.id && newest.rev > news.rev ? newest : news;
}

void RoomStream::drainUpdates()
{
    QPointer<RoomStream> guard(this);
    while (!m_revAhead.empty() && m_revAhead.begin()->first <= m_lastRev + 1) {
        auto node = m_revAhead.extract(m_revAhead.begin());
        if (node.key() != m_lastRev + 1)
            continue; // covered meanwhile
        m_lastRev = node.key();
        deliverChange(node.mapped());
        if (!guard || m_detached)
            return;
    }
    updatesStep();
}

void RoomStream::updatesStep()
{
    if (m_updatesInFlight || !m_joinedNow || !m_revs)
        return;
    if (m_revAhead.empty() && !m_updatesToEnd)
        return;
    if (m_lastRev == m_lastUpdatesAfter && m_lastUpdatesBroughtNothing) {
        // The server has no change where we see a gap; asking again would loop.
        m_updatesToEnd = false;
        if (!m_revAhead.empty()) {
            qCWarning(Log::client) << "room" << id << "the server has no changes" << m_lastRev + 1
                                   << "to" << m_revAhead.begin()->first - 1 << "; skipped";
            m_lastRev = m_revAhead.begin()->first - 1;
        }
        drainUpdates();
        return;
    }
    fetchUpdates(m_lastRev);
}

void RoomStream::fetchUpdates(qint64 afterRev)
{
    m_updatesInFlight = true;
    qCDebug(Log::client) << "room" << id << "catching up changes after rev" << afterRev;
    const QVariantMap args { { QStringLiteral("roomId"), id },
        { QStringLiteral("afterRev"), afterRev }, { QStringLiteral("limit"), UpdatesPageSize } };
    QPointer<RoomStream> guard(this);
    const quint64 generation = d.connection.generation;
    d.requests.start(QStringLiteral("room:updates"), { args }, d.requests.requestTimeout,
        [guard, generation, afterRev](const AckResult &result) {
            if (guard)
                guard->onUpdatesPage(generation, afterRev, result);
        });
}

void RoomStream::onUpdatesPage(quint64 generation, qint64 afterRev, const AckResult &result)
{
    if (d.connection.generation != generation || m_detached)
        return; // the re-join of the next connection asks again
    m_updatesInFlight = false;
    const QVariantMap reply = result.reply();
    if (!result.ok() || !reply.value(QStringLiteral("ok")).toBool()) {
        qCInfo(Log::client) << "room" << id << "changes page failed:"
                            << (result.ok() ? ackErrorOf(reply).first : result.errorString);
        if (m_joinedNow && d.connection.isConnected())
            m_updatesRetry.start(RetryMs);
        return;
    }
    QList<Message> page = messagesFromVariant(reply.value(QStringLiteral("messages")));
    std::stable_sort(
        page.begin(), page.end(), [](const Message &a, const Message &b) { return a.rev < b.rev; });
    const qint64 before = m_lastRev;
    QPointer<RoomStream> guard(this);
    for (const Message &m : std::as_const(page)) {
        if (m.rev <= m_lastRev) {
            if (m.rev <= afterRev)
                qCWarning(Log::client) << "room" << id << "a change at or below afterRev ignored";
            continue;
        }
        // A page is the current state: revs between its messages were superseded.
        m_lastRev = m.rev;
        deliverChange(m);
        if (!guard || m_detached)
            return;
    }
    const bool hasMore = reply.value(QStringLiteral("hasMore")).toBool();
    if (!hasMore) {
        m_updatesToEnd = false;
        m_lastRev = std::max(m_lastRev, reply.value(QStringLiteral("rev")).toLongLong());
        m_revAhead.erase(m_revAhead.begin(), m_revAhead.upper_bound(m_lastRev));
    } else if (page.isEmpty()) {
        qCWarning(Log::client) << "room" << id << "an empty changes page with hasMore";
        m_updatesToEnd = false;
    }
    m_lastUpdatesAfter = afterRev;
    m_lastUpdatesBroughtNothing = m_lastRev == before;
    drainUpdates();
}

} // namespace Palaver
