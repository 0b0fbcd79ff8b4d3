// SPDX-License-Identifier: MIT
#include "ackregistry_p.h"

#include <QTimer>

#include <algorithm>
#include <vector>

namespace Palaver {

AckRegistry::AckRegistry(QObject *parent) : QObject(parent)
{
}

AckRegistry::~AckRegistry()
{
    // Nothing waits forever, not even when the Client itself goes away.
    failAll(AckResult::Error::Disconnected, QStringLiteral("The client was destroyed"));
}

std::uint64_t AckRegistry::add(int timeoutMs, Callback callback)
{
    const std::uint64_t id = m_nextId++;
    Entry entry;
    entry.callback = std::move(callback);
    if (timeoutMs > 0) {
        entry.timer = new QTimer(this);
        entry.timer->setSingleShot(true);
        entry.timer->setTimerType(Qt::PreciseTimer);
        connect(entry.timer, &QTimer::timeout, this, [this, id, timeoutMs] {
            fail(id, AckResult::Error::Timeout,
                QStringLiteral("No answer within %1 ms").arg(timeoutMs));
        });
        entry.timer->start(timeoutMs);
    }
    m_pending.emplace(id, std::move(entry));
    return id;
}

bool AckRegistry::resolve(std::uint64_t id, const QVariantList &args)
{
    AckResult result;
    result.args = args;
    return complete(id, std::move(result));
}

bool AckRegistry::fail(std::uint64_t id, AckResult::Error error, const QString &message)
{
    return complete(id, AckResult::failure(error, message));
}

void AckRegistry::failAll(AckResult::Error error, const QString &message)
{
    std::vector<std::uint64_t> ids;
    ids.reserve(m_pending.size());
    for (const auto &[id, entry] : m_pending)
        ids.push_back(id);
    std::sort(ids.begin(), ids.end()); // complete in the order they were made
    for (auto id : ids)
        fail(id, error, message);
}

bool AckRegistry::complete(std::uint64_t id, AckResult result)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return false;
    Entry entry = std::move(it->second);
    m_pending.erase(it);
    if (entry.timer) {
        entry.timer->stop();
        entry.timer->deleteLater();
    }
    if (entry.callback)
        entry.callback(result);
    return true;
}

} // namespace Palaver
