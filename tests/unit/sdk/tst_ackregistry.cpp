// SPDX-License-Identifier: MIT
#include "ackregistry_p.h"

#include <QTest>

using Palaver::AckRegistry;
using Palaver::AckResult;

class TestAckRegistry : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void answerCompletesOnce()
    {
        AckRegistry reg;
        int calls = 0;
        AckResult got;
        const auto id = reg.add(200, [&](const AckResult &r) {
            ++calls;
            got = r;
        });
        QCOMPARE(reg.pendingCount(), 1);
        QVERIFY(reg.resolve(id, { QStringLiteral("ok"), 42 }));
        QCOMPARE(calls, 1);
        QVERIFY(got.ok());
        QCOMPARE(got.args, (QVariantList { QStringLiteral("ok"), 42 }));
        // A second answer, a late failure and the timer are all ignored.
        QVERIFY(!reg.resolve(id, {}));
        QVERIFY(!reg.fail(id, AckResult::Error::Disconnected, {}));
        reg.failAll(AckResult::Error::Disconnected, {});
        QTest::qWait(300); // let the (stopped) timeout pass: nothing may fire
        QCOMPARE(calls, 1);
        QCOMPARE(reg.pendingCount(), 0);
    }

    void timeoutCompletesOnce()
    {
        AckRegistry reg;
        int calls = 0;
        AckResult got;
        const auto id = reg.add(50, [&](const AckResult &r) {
            ++calls;
            got = r;
        });
        QTRY_COMPARE(calls, 1);
        QCOMPARE(got.error, AckResult::Error::Timeout);
        QVERIFY(!got.errorString.isEmpty());
        // The answer arrives late: ignored, reported as unknown.
        QVERIFY(!reg.resolve(id, { 1 }));
        QCOMPARE(calls, 1);
    }

    void disconnectFailsAllInOrder()
    {
        AckRegistry reg;
        QList<int> order;
        for (int i = 0; i < 5; ++i)
            reg.add(i == 2 ? 0 : 10'000, [&, i](const AckResult &r) {
                QCOMPARE(r.error, AckResult::Error::Disconnected);
                order.append(i);
            });
        reg.failAll(AckResult::Error::Disconnected, QStringLiteral("gone"));
        QCOMPARE(order, (QList<int> { 0, 1, 2, 3, 4 }));
        QCOMPARE(reg.pendingCount(), 0);
    }

    void wrongIdIsIgnored()
    {
        AckRegistry reg;
        int calls = 0;
        const auto id = reg.add(0, [&](const AckResult &) { ++calls; });
        QVERIFY(!reg.resolve(id + 1, {}));
        QVERIFY(!reg.resolve(999999, {}));
        QCOMPARE(calls, 0);
        QVERIFY(reg.contains(id));
    }

    void idsAreUnique()
    {
        AckRegistry reg;
        QSet<quint64> ids;
        for (int i = 0; i < 1000; ++i)
            ids.insert(reg.add(0, {}));
        QCOMPARE(ids.size(), 1000);
    }

    // A callback that adds a request or fails the others must not break the registry.
    void reentrantCallbacks()
    {
        AckRegistry reg;
        int later = 0;
        std::uint64_t second = 0;
        const auto first = reg.add(0, [&](const AckResult &) {
            reg.fail(second, AckResult::Error::Disconnected, {});
            reg.add(0, [&](const AckResult &) { ++later; });
        });
        second = reg.add(0, [&](const AckResult &r) {
            QCOMPARE(r.error, AckResult::Error::Disconnected);
            ++later;
        });
        QVERIFY(reg.resolve(first, {}));
        QCOMPARE(later, 1);
        QCOMPARE(reg.pendingCount(), 1);
        reg.failAll(AckResult::Error::Disconnected, {});
        QCOMPARE(later, 2);
    }

    void destructionCompletesWaiting()
    {
        int calls = 0;
        AckResult::Error error = AckResult::Error::None;
        {
            AckRegistry reg;
            reg.add(10'000, [&](const AckResult &r) {
                ++calls;
                error = r.error;
            });
        }
        QCOMPARE(calls, 1);
        QCOMPARE(error, AckResult::Error::Disconnected);
    }
};

QTEST_GUILESS_MAIN(TestAckRegistry)
#include "tst_ackregistry.moc"
