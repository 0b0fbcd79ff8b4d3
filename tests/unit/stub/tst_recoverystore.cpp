// SPDX-License-Identifier: MIT
// RecoveryStore: sessions restored once, for the same user, within the window, with the packets
// of their rooms.

#include "recoverystore_p.h"

#include <QTest>

using namespace Palaver::Stub;

namespace {

Palaver::Protocol::Frames frame(const char *text)
{
    return { Palaver::Protocol::Frame { text, false } };
}

RecoveryStore::Session session(qint64 at)
{
    return { QStringLiteral("sid"), QStringLiteral("pid"), QStringLiteral("alice"),
        { QStringLiteral("s:sid"), QStringLiteral("r:general") }, at };
}

} // namespace

class TestRecoveryStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void missedPacketsFilteredByRooms()
    {
        RecoveryStore store(1000);
        const QString before = store.nextOffset();
        store.persist(before, {}, {}, frame("before"), 0);
        store.saveSession(session(10));
        store.persist(store.nextOffset(), {}, {}, frame("all"), 20);
        store.persist(
            store.nextOffset(), { QStringLiteral("r:general") }, {}, frame("general"), 20);
        store.persist(store.nextOffset(), { QStringLiteral("r:random") }, {}, frame("random"), 20);
        store.persist(store.nextOffset(), { QStringLiteral("r:general") },
            { QStringLiteral("s:sid") }, frame("except me"), 20);
        store.persist(store.nextOffset(), { QStringLiteral("s:sid") }, {}, frame("to me"), 20);
        const auto restored
            = store.restore(QStringLiteral("pid"), before, QStringLiteral("alice"), 30);
        QVERIFY(restored);
        QCOMPARE(restored->session.sid, QStringLiteral("sid"));
        std::vector<std::string> texts;
        for (const auto &f : restored->missed)
            texts.push_back(f.front().bytes);
        QCOMPARE(texts, (std::vector<std::string> { "all", "general", "to me" }));
        // One use only.
        QVERIFY(!store.restore(QStringLiteral("pid"), before, QStringLiteral("alice"), 30));
    }

    void otherUserGetsNothingAndBurnsTheSession()
    {
        RecoveryStore store(1000);
        const QString offset = store.nextOffset();
        store.persist(offset, {}, {}, frame("x"), 0);
        store.saveSession(session(0));
        QVERIFY(!store.restore(QStringLiteral("pid"), offset, QStringLiteral("mallory"), 1));
        QVERIFY(!store.restore(QStringLiteral("pid"), offset, QStringLiteral("alice"), 1));
    }

    void unknownOffsetOrExpiredWindow()
    {
        RecoveryStore store(1000);
        const QString offset = store.nextOffset();
        store.persist(offset, {}, {}, frame("x"), 0);
        store.saveSession(session(0));
        QVERIFY(!store.restore(
            QStringLiteral("pid"), QStringLiteral("nope"), QStringLiteral("alice"), 1));
        store.saveSession(session(0));
        QVERIFY(!store.restore(QStringLiteral("pid"), offset, QStringLiteral("alice"), 1001));
    }

    void evictedOffsetCannotRecover()
    {
        RecoveryStore store(100);
        const QString old = store.nextOffset();
        store.persist(old, {}, {}, frame("old"), 0);
        const QString recent = store.nextOffset();
        store.persist(recent, {}, {}, frame("recent"), 150);
        store.saveSession(session(150));
        store.expire(160); // drops "old"
        QVERIFY(!store.restore(QStringLiteral("pid"), old, QStringLiteral("alice"), 160));
        store.saveSession(session(150));
        const auto restored
            = store.restore(QStringLiteral("pid"), recent, QStringLiteral("alice"), 160);
        QVERIFY(restored);
        QVERIFY(restored->missed.empty());
    }
};

QTEST_GUILESS_MAIN(TestRecoveryStore)
#include "tst_recoverystore.moc"
