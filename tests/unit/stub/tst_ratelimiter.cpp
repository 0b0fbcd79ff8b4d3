// SPDX-License-Identifier: MIT
// RateLimiter: a token bucket per user with retryAfterMs when empty.

#include "ratelimiter_p.h"

#include <QTest>

using namespace Palaver::Stub;

class TestRateLimiter : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void burstThenRefill()
    {
        RateLimiter limiter(3, 2.0); // 3 tokens, one every 500 ms
        const QString u = QStringLiteral("u");
        for (int i = 0; i < 3; ++i)
            QVERIFY(!limiter.take(u, 1000));
        QCOMPARE(limiter.take(u, 1000).value_or(-1), 500);
        QCOMPARE(limiter.take(u, 1200).value_or(-1), 300);
        QVERIFY(!limiter.take(u, 1500)); // refilled one
        QVERIFY(limiter.take(u, 1500));
        QVERIFY(!limiter.take(u, 100000)); // long idle: back to a full bucket, not more
        QVERIFY(!limiter.take(u, 100000));
        QVERIFY(!limiter.take(u, 100000));
        QVERIFY(limiter.take(u, 100000));
    }

    void perUser()
    {
        RateLimiter limiter(1, 1.0);
        QVERIFY(!limiter.take(QStringLiteral("a"), 0));
        QVERIFY(limiter.take(QStringLiteral("a"), 0));
        QVERIFY(!limiter.take(QStringLiteral("b"), 0));
    }

    void retryAfterIsAtLeastOne()
    {
        RateLimiter limiter(1, 1e9);
        QVERIFY(!limiter.take(QStringLiteral("a"), 0));
        QCOMPARE(limiter.take(QStringLiteral("a"), 0).value_or(-1), 1);
    }
};

QTEST_GUILESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
