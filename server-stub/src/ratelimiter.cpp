// SPDX-License-Identifier: MIT
#include "ratelimiter_p.h"

#include <algorithm>
#include <cmath>

namespace Palaver::Stub {

RateLimiter::RateLimiter(int burst, double perSecond)
    : m_burst(std::max(1, burst)), m_perSecond(perSecond > 0 ? perSecond : 0.001)
{
}

std::optional<qint64> RateLimiter::take(const QString &userId, qint64 nowMs)
{
    auto it = m_buckets.find(userId);
    if (it == m_buckets.end())
        it = m_buckets.insert(userId, Bucket { double(m_burst), nowMs });
    Bucket &b = *it;
    b.tokens = std::min(double(m_burst),
        b.tokens + double(std::max<qint64>(0, nowMs - b.stampMs)) * m_perSecond / 1000.0);
    b.stampMs = nowMs;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    return std::max<qint64>(1, qint64(std::ceil((1.0 - b.tokens) * 1000.0 / m_perSecond)));
}

} // namespace Palaver::Stub
