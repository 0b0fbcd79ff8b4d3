// SPDX-License-Identifier: MIT
#include <Palaver/reconnectpolicy.h>

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace Palaver {

namespace {
// factor^64 with factor >= 2 is beyond any useful delay; capping the exponent keeps pow() finite
// for every sane factor, and the isfinite() check below covers the others.
constexpr int MaxExponent = 64;
} // namespace

int ReconnectPolicy::delay(int attempt, double random) const
{
    const int exponent = std::clamp(attempt - 1, 0, MaxExponent);
    double base = double(m_initialDelay) * std::pow(m_factor, exponent);
    if (!std::isfinite(base) || base > m_maxDelay)
        base = m_maxDelay;
    const double r = std::isfinite(random) ? std::clamp(random, 0.0, 1.0) : 0.5;
    // Uniform over the band, with its top cut at maxDelay (rather than piling the cut-off part
    // onto maxDelay, which would put half the clients on the same instant).
    const double low = base * (1.0 - m_jitter);
    const double high = std::min(base * (1.0 + m_jitter), double(m_maxDelay));
    const double ms = low + (high - low) * r;
    return int(std::clamp(std::floor(ms), 1.0, double(m_maxDelay)));
}

int ReconnectPolicy::delay(int attempt) const
{
    return delay(attempt, QRandomGenerator::global()->generateDouble());
}

} // namespace Palaver
