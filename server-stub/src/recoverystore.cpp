// SPDX-License-Identifier: MIT
#include "recoverystore_p.h"

#include <QRandomGenerator>

namespace Palaver::Stub {

RecoveryStore::RecoveryStore(qint64 windowMs)
    : m_windowMs(windowMs), m_prefix(QString::number(QRandomGenerator::global()->generate(), 36))
{
}

QString RecoveryStore::nextOffset()
{
    return m_prefix + QLatin1Char('.') + QString::number(++m_counter, 36);
}

void RecoveryStore::persist(const QString &offset, QSet<QString> rooms, QSet<QString> except,
    Protocol::Frames frames, qint64 nowMs)
{
    m_offsetIndex.insert(offset, m_dropped + qsizetype(m_packets.size()));
    m_packets.push_back(
        Entry { offset, std::move(rooms), std::move(except), std::move(frames), nowMs });
}

void RecoveryStore::saveSession(Session session)
{
    const QString pid = session.pid;
    m_sessions.insert(pid, std::move(session));
}

std::optional<RecoveryStore::Restored> RecoveryStore::restore(
    const QString &pid, const QString &offset, const QString &userId, qint64 nowMs)
{
    expire(nowMs);
    const auto it = m_sessions.find(pid);
    if (it == m_sessions.end())
        return std::nullopt;
    Session session = it.value();
    m_sessions.erase(it);
    if (session.userId != userId || session.disconnectedAtMs + m_windowMs < nowMs)
        return std::nullopt;
    const auto pos = m_offsetIndex.constFind(offset);
    if (pos == m_offsetIndex.cend())
        return std::nullopt;
    Restored restored { std::move(session), {} };
    for (std::size_t i = std::size_t(*pos - m_dropped) + 1; i < m_packets.size(); ++i) {
        const Entry &e = m_packets[i];
        const bool included = e.rooms.isEmpty() || e.rooms.intersects(restored.session.rooms);
        const bool excluded = e.except.intersects(restored.session.rooms);
        if (included && !excluded)
            restored.missed.push_back(e.frames);
    }
    return restored;
}

void RecoveryStore::expire(qint64 nowMs)
{
    while (!m_packets.empty() && m_packets.front().atMs + m_windowMs < nowMs) {
        m_offsetIndex.remove(m_packets.front().offset);
        m_packets.pop_front();
        ++m_dropped;
    }
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        if (it->disconnectedAtMs + m_windowMs < nowMs)
            it = m_sessions.erase(it);
        else
            ++it;
    }
}

void RecoveryStore::clear()
{
    m_packets.clear();
    m_offsetIndex.clear();
    m_dropped = 0;
    m_sessions.clear();
}

} // namespace Palaver::Stub
