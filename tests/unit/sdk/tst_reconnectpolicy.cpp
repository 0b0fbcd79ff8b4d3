// SPDX-License-Identifier: MIT
#include <Palaver/reconnectpolicy.h>

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>

using Palaver::ReconnectPolicy;

class TestReconnectPolicy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void defaults()
    {
        ReconnectPolicy p;
        QCOMPARE(p.initialDelay(), 1000);
        QCOMPARE(p.maxDelay(), 5000);
        QCOMPARE(p.factor(), 2.0);
        QCOMPARE(p.jitter(), 0.5);
        QCOMPARE(p.maxAttempts(), 0);
        QVERIFY(!p.exhausted(1'000'000));
    }

    void pureFunction()
    {
        ReconnectPolicy p;
        QCOMPARE(p.delay(1, 0.0), 500);
        QCOMPARE(p.delay(1, 0.5), 1000);
        QCOMPARE(p.delay(2, 0.5), 2000);
        QCOMPARE(p.delay(3, 0.5), 3500); // [2000, 5000]: the band's top is cut at maxDelay
        QCOMPARE(p.delay(4, 0.5), 3750); // base capped at 5000 before the jitter
        QCOMPARE(p.delay(4, 0.0), 2500);
        QCOMPARE(p.delay(4, 1.0), 5000);
        QCOMPARE(p.delay(0, 0.5), p.delay(1, 0.5));
        QCOMPARE(p.delay(-7, 0.5), p.delay(1, 0.5));
    }

    void bounds_data()
    {
        QTest::addColumn<int>("attempt");
        QTest::addColumn<int>("low");
        QTest::addColumn<int>("high");
        QTest::newRow("1") << 1 << 500 << 1500;
        QTest::newRow("2") << 2 << 1000 << 3000;
        QTest::newRow("3") << 3 << 2000 << 5000;
        QTest::newRow("4") << 4 << 2500 << 5000;
        QTest::newRow("10") << 10 << 2500 << 5000;
        QTest::newRow("1015") << 1015 << 2500 << 5000;
        QTest::newRow("5000") << 5000 << 2500 << 5000;
        QTest::newRow("INT_MAX") << std::numeric_limits<int>::max() << 2500 << 5000;
    }

    // 10,000 draws per attempt: every delay in its band, never 0, and the draws actually spread
    // over the band (jitter works) with a mean near its middle.
    void bounds()
    {
        QFETCH(int, attempt);
        QFETCH(int, low);
        QFETCH(int, high);
        ReconnectPolicy p;
        QRandomGenerator rng(4242 + attempt % 1000);
        int minSeen = std::numeric_limits<int>::max();
        int maxSeen = 0;
        double sum = 0;
        constexpr int Draws = 10'000;
        for (int i = 0; i < Draws; ++i) {
            const int d = p.delay(attempt, rng.generateDouble());
            QVERIFY2(d >= low && d <= high, qPrintable(QString::number(d)));
            QVERIFY(d > 0);
            minSeen = std::min(minSeen, d);
            maxSeen = std::max(maxSeen, d);
            sum += d;
        }
        const double mean = sum / Draws;
        const double span = high - low;
        QVERIFY2(minSeen < low + span * 0.05, qPrintable(QString::number(minSeen)));
        QVERIFY2(maxSeen > high - span * 0.05, qPrintable(QString::number(maxSeen)));
        QVERIFY2(
            std::abs(mean - (low + high) / 2.0) < span * 0.05, qPrintable(QString::number(mean)));
    }

    // socket.io-client's backoff yields 0 ms for about half the draws after ~1,015 attempts.
    void noZeroDelayAfterThousandsOfAttempts()
    {
        ReconnectPolicy p;
        QRandomGenerator rng(7);
        for (int i = 0; i < 10'000; ++i)
            QVERIFY(p.delay(5000, rng.generateDouble()) >= 2500);
        QVERIFY(p.delay(5000) >= 2500); // the global generator too
    }

    void hostileSettingsStayBounded()
    {
        ReconnectPolicy p;
        p.setFactor(1e300);
        p.setInitialDelay(0); // clamped to 1
        p.setJitter(7); // clamped to 1
        p.setMaxDelay(60'000);
        for (int a : { 1, 2, 3, 100, 5000 }) {
            for (double r :
                { 0.0, 0.25, 0.5, 0.999, 1.0, std::numeric_limits<double>::quiet_NaN() }) {
                const int d = p.delay(a, r);
                QVERIFY(d >= 1 && d <= 60'000);
            }
        }
        ReconnectPolicy flat;
        flat.setJitter(0);
        QCOMPARE(flat.delay(1, 0.3), 1000);
        QCOMPARE(flat.delay(100, 0.3), 5000);
    }

    void maxAttempts()
    {
        ReconnectPolicy p;
        p.setMaxAttempts(3);
        QVERIFY(!p.exhausted(3));
        QVERIFY(p.exhausted(4));
    }

    // The Client starts counting from 1 again once a connection lasted maxDelay.
    void reset()
    {
        ReconnectPolicy p;
        QVERIFY(!p.isStable(0));
        QVERIFY(!p.isStable(4999));
        QVERIFY(p.isStable(5000));
        p.setMaxDelay(30'000);
        QVERIFY(!p.isStable(5000));
        QVERIFY(p.isStable(30'000));
        // After a reset the next delay is again from attempt 1's band.
        QRandomGenerator rng(1);
        for (int i = 0; i < 1000; ++i) {
            const int d = p.delay(1, rng.generateDouble());
            QVERIFY(d >= 500 && d <= 1500);
        }
    }
};

QTEST_GUILESS_MAIN(TestReconnectPolicy)
#include "tst_reconnectpolicy.moc"
