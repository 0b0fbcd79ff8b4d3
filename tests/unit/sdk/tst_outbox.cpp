// SPDX-License-Identifier: MIT
#include "outbox_p.h"

#include <QTemporaryDir>
#include <QTest>

using Palaver::Outbox;
using Palaver::OutboxEntry;

namespace {
OutboxEntry entry(const QString &room, const QString &content)
{
    return { QUuid::createUuid(), room, content, QDateTime::currentDateTimeUtc() };
}
} // namespace

class TestOutbox : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void inMemoryOrder()
    {
        Outbox box;
        QVERIFY(box.open({}));
        QList<QUuid> ids;
        for (int i = 0; i < 20; ++i) {
            auto e = entry(i % 2 ? QStringLiteral("a") : QStringLiteral("b"), QString::number(i));
            ids.append(e.clientId);
            QVERIFY(box.append(e));
        }
        QCOMPARE(box.size(), 20);
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(box.entries().at(i).clientId, ids.at(i));
            QCOMPARE(box.entries().at(i).content, QString::number(i));
        }
        QVERIFY(box.remove(ids.at(5)));
        QVERIFY(!box.remove(ids.at(5)));
        QVERIFY(!box.contains(ids.at(5)));
        QCOMPARE(box.size(), 19);
        QCOMPARE(box.entries().at(5).clientId, ids.at(6));
    }

    void bounded()
    {
        Outbox box;
        box.setCapacity(3);
        QVERIFY(box.open({}));
        QVERIFY(box.append(entry(QStringLiteral("r"), QStringLiteral("1"))));
        QVERIFY(box.append(entry(QStringLiteral("r"), QStringLiteral("2"))));
        QVERIFY(box.append(entry(QStringLiteral("r"), QStringLiteral("3"))));
        QVERIFY(box.isFull());
        QVERIFY(!box.append(entry(QStringLiteral("r"), QStringLiteral("4"))));
        QVERIFY(box.errorString().contains(QStringLiteral("full")));
        QCOMPARE(box.size(), 3);
        QVERIFY(box.remove(box.entries().first().clientId));
        QVERIFY(box.append(entry(QStringLiteral("r"), QStringLiteral("4"))));
    }

    void persistsAndReopens()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("outbox.sqlite"));
        QList<OutboxEntry> made;
        {
            Outbox box;
            QVERIFY(box.open(path));
            for (int i = 0; i < 10; ++i) {
                made.append(entry(QStringLiteral("general"), QStringLiteral("héllo ✓ %1").arg(i)));
                QVERIFY(box.append(made.last()));
            }
            QVERIFY(box.remove(made.at(0).clientId));
            made.removeFirst();
        }
        Outbox again;
        QVERIFY(again.open(path));
        QCOMPARE(again.size(), 9);
        for (int i = 0; i < 9; ++i) {
            QCOMPARE(again.entries().at(i).clientId, made.at(i).clientId);
            QCOMPARE(again.entries().at(i).roomId, made.at(i).roomId);
            QCOMPARE(again.entries().at(i).content, made.at(i).content);
            QCOMPARE(again.entries().at(i).createdAt.toMSecsSinceEpoch(),
                made.at(i).createdAt.toMSecsSinceEpoch());
        }
        // New entries go after the old ones, even after a reopen.
        auto last = entry(QStringLiteral("general"), QStringLiteral("last"));
        QVERIFY(again.append(last));
        QCOMPARE(again.entries().last().clientId, last.clientId);
    }

    void twoOutboxesAtOnce()
    {
        Outbox a;
        Outbox b;
        QVERIFY(a.open({}));
        QVERIFY(b.open({}));
        QVERIFY(a.append(entry(QStringLiteral("r"), QStringLiteral("x"))));
        QCOMPARE(b.size(), 0);
    }

    void duplicateClientIdRefused()
    {
        Outbox box;
        QVERIFY(box.open({}));
        auto e = entry(QStringLiteral("r"), QStringLiteral("x"));
        QVERIFY(box.append(e));
        QVERIFY(!box.append(e));
        QCOMPARE(box.size(), 1);
    }

    void unopenableFails()
    {
        Outbox box;
        QVERIFY(!box.open(QStringLiteral("/nonexistent-dir/for/sure/outbox.sqlite")));
        QVERIFY(!box.errorString().isEmpty());
        QVERIFY(!box.append(entry(QStringLiteral("r"), QStringLiteral("x"))));
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
