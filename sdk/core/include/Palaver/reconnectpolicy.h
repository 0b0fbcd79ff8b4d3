// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/palaversdk_export.h>

#include <QMetaType>
#include <QtGlobal>

namespace Palaver {

//! How long the Client waits before each reconnection attempt: exponential backoff with jitter,
//! as socket.io-client does, but with the exponent capped so that the delay never overflows
//! (socket.io-client's delay turns into 0 ms after about 1,015 attempts) and with the jitter
//! applied after the cap, so that clients that all lost the same server do not come back in step.
//!
//! For attempt n (1-based) the base is `min(initialDelay * factor^(n-1), maxDelay)`; the delay
//! is drawn uniformly from `[base * (1 - jitter), min(base * (1 + jitter), maxDelay)]`, and is
//! never below 1 ms. With the defaults: attempt 1 in [500, 1500] ms, 2 in [1000, 3000],
//! 3 in [2000, 5000], every later one in [2500, 5000].
class PALAVER_SDK_EXPORT ReconnectPolicy {
    Q_GADGET
    Q_PROPERTY(int initialDelay READ initialDelay WRITE setInitialDelay)
    Q_PROPERTY(int maxDelay READ maxDelay WRITE setMaxDelay)
    Q_PROPERTY(double factor READ factor WRITE setFactor)
    Q_PROPERTY(double jitter READ jitter WRITE setJitter)
    Q_PROPERTY(int maxAttempts READ maxAttempts WRITE setMaxAttempts)

public:
    //! Delay before the first attempt, in ms (at least 1).
    int initialDelay() const { return m_initialDelay; }
    void setInitialDelay(int ms) { m_initialDelay = qMax(1, ms); }
    //! The cap of every delay, in ms. A connection that stayed up this long resets the backoff.
    int maxDelay() const { return m_maxDelay; }
    void setMaxDelay(int ms) { m_maxDelay = qMax(1, ms); }
    //! Growth per attempt (at least 1).
    double factor() const { return m_factor; }
    void setFactor(double factor) { m_factor = qMax(1.0, factor); }
    //! Randomisation, 0 (none) to 1.
    double jitter() const { return m_jitter; }
    void setJitter(double jitter) { m_jitter = qBound(0.0, jitter, 1.0); }
    //! Attempts before the Client gives up (state Failed); 0 means never give up.
    int maxAttempts() const { return m_maxAttempts; }
    void setMaxAttempts(int attempts) { m_maxAttempts = qMax(0, attempts); }

    //! The delay in ms before attempt `attempt` (1-based; smaller values count as 1), for a
    //! `random` number in [0, 1). A pure function: same inputs, same delay. Always in
    //! [1, maxDelay], for any attempt number.
    int delay(int attempt, double random) const;
    //! delay() with a random number from QRandomGenerator::global().
    int delay(int attempt) const;

    //! Whether `attempt` (1-based) is past maxAttempts.
    bool exhausted(int attempt) const { return m_maxAttempts > 0 && attempt > m_maxAttempts; }
    //! Whether a connection that stayed up `connectedMs` counts as stable, so that the attempt
    //! counter starts again from 1: it must have lasted at least maxDelay.
    bool isStable(qint64 connectedMs) const { return connectedMs >= m_maxDelay; }

    bool operator==(const ReconnectPolicy &) const = default;

private:
    int m_initialDelay = 1000;
    int m_maxDelay = 5000;
    double m_factor = 2.0;
    double m_jitter = 0.5;
    int m_maxAttempts = 0;
};

} // namespace Palaver

Q_DECLARE_METATYPE(Palaver::ReconnectPolicy)
