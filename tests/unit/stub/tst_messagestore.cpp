// SPDX-License-Identifier: MIT
// MessageStore: seq per room, (user, clientId) uniqueness, paging rules, persistence.

#include "messagestore_p.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Palaver::Stub;

namespace {

QList<qint64> seqs(const HistoryPage &page)
{
    QList<qint64> out;
    for (const auto &m : page.messages)
        out.append(m.seq);
    return out;
}

QList<qint64> range(qint64 from, qint64 to)
{
    QList<qint64> out;
    for (qint64 i = from; i <= to; ++i)
        out.append(i);
    return out;
}

} // namespace

class TestMessageStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void seqPerRoomStartsAtOne()
    {
        MessageStore store(QStringLiteral(":memory:"));
        QVERIFY(store.open());
        for (int i = 1; i <= 3; ++i) {
            const auto a = store.append(QStringLiteral("a"), QStringLiteral("u"),
                QStringLiteral("U"), QStringLiteral("x"), QStringLiteral("a%1").arg(i));
            QVERIFY(a && a->fresh);
            QCOMPARE(a->message.seq, i);
        }
        const auto b = store.append(QStringLiteral("b"), QStringLiteral("u"), QStringLiteral("U"),
            QStringLiteral("x"), QStringLiteral("b1"));
        QCOMPARE(b->message.seq, 1);
        QCOMPARE(b->message.roomId, QStringLiteral("b"));
        QVERIFY(!b->message.id.isEmpty());
        QVERIFY(b->message.createdAt.endsWith(u'Z'));
    }

    void clientIdIsUniquePerUser()
    {
        MessageStore store(QStringLiteral(":memory:"));
        QVERIFY(store.open());
        const auto first = store.append(QStringLiteral("a"), QStringLiteral("u"),
            QStringLiteral("U"), QStringLiteral("one"), QStringLiteral("c"));
        QVERIFY(first && first->fresh);
        const auto again = store.append(QStringLiteral("b"), QStringLiteral("u"),
            QStringLiteral("U"), QStringLiteral("two"), QStringLiteral("c"));
        QVERIFY(again);
        QVERIFY(!again->fresh);
        QCOMPARE(again->message.id, first->message.id);
        QCOMPARE(again->message.content, QStringLiteral("one"));
        QCOMPARE(
            store.findByClientId(QStringLiteral("u"), QStringLiteral("c"))->id, first->message.id);
        const auto other = store.append(QStringLiteral("a"), QStringLiteral("v"),
            QStringLiteral("V"), QStringLiteral("x"), QStringLiteral("c"));
        QVERIFY(other->fresh);
        QCOMPARE(other->message.seq, 2); // the failed insert allocated nothing
        QVERIFY(!store.findByClientId(QStringLiteral("w"), QStringLiteral("c")));
    }

    void paging()
    {
        MessageStore store(QStringLiteral(":memory:"));
        QVERIFY(store.open());
        for (int i = 1; i <= 30; ++i)
            QVERIFY(store.append(QStringLiteral("r"), QStringLiteral("u"), QStringLiteral("U"),
                QStringLiteral("m"), QString::number(i)));
        auto page = store.page(QStringLiteral("r"), std::nullopt, std::nullopt, 10);
        QCOMPARE(seqs(*page), range(21, 30));
        QVERIFY(page->hasMore);
        page = store.page(QStringLiteral("r"), 21, std::nullopt, 10);
        QCOMPARE(seqs(*page), range(11, 20));
        QVERIFY(page->hasMore);
        page = store.page(QStringLiteral("r"), 11, std::nullopt, 10);
        QCOMPARE(seqs(*page), range(1, 10));
        QVERIFY(!page->hasMore);
        page = store.page(QStringLiteral("r"), std::nullopt, 0, 10);
        QCOMPARE(seqs(*page), range(1, 10));
        QVERIFY(page->hasMore);
        page = store.page(QStringLiteral("r"), std::nullopt, 20, 10);
        QCOMPARE(seqs(*page), range(21, 30));
        QVERIFY(!page->hasMore);
        page = store.page(QStringLiteral("r"), std::nullopt, 30, 10);
        QVERIFY(page->messages.isEmpty());
        QVERIFY(!page->hasMore);
        page = store.page(QStringLiteral("empty"), std::nullopt, std::nullopt, 50);
        QVERIFY(page->messages.isEmpty());
        QVERIFY(!page->hasMore);
    }

    void survivesReopen()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.sqlite"));
        {
            MessageStore store(path);
            QVERIFY(store.open());
            QVERIFY(store.append(QStringLiteral("r"), QStringLiteral("u"), QStringLiteral("U"),
                QStringLiteral("\ufeffkept"), QStringLiteral("c1")));
        }
        MessageStore store(path);
        QVERIFY(store.open());
        const auto page = store.page(QStringLiteral("r"), std::nullopt, std::nullopt, 50);
        QCOMPARE(page->messages.size(), 1);
        QCOMPARE(page->messages.front().content, QStringLiteral("\ufeffkept"));
        QCOMPARE(store
                     .append(QStringLiteral("r"), QStringLiteral("u"), QStringLiteral("U"),
                         QStringLiteral("next"), QStringLiteral("c2"))
                     ->message.seq,
            2);
    }

    void unopenableFileFails()
    {
        MessageStore store(QStringLiteral("/nonexistent-dir/x/y.sqlite"));
        QString error;
        QVERIFY(!store.open(&error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMessageStore)
#include "tst_messagestore.moc"
