// SPDX-License-Identifier: MIT
#pragma once

#include <QHash>
#include <QString>

#include <optional>

namespace Palaver::Stub {

//! A token bucket per user: `burst` tokens, refilled at `perSecond`.
class RateLimiter {
public:
    RateLimiter(int burst, double perSecond);

    //! Takes a token; when none is left, returns how many ms until one is (at least 1).
    std::optional<qint64> take(const QString &userId, qint64 nowMs);

private:
    struct Bucket {
        double tokens;
        qint64 stampMs;
    };
    int m_burst;
    double m_perSecond;
    QHash<QString, Bucket> m_buckets;
};

} // namespace Palaver::Stub
