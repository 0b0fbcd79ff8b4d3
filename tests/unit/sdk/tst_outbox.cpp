// SPDX-License-Identifier: MIT
#include "outbox_p.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using Palaver::Outbox;
using Palaver::OutboxEntry;

namespace {
OutboxEntry entry(const QString &room, const QString &content)
{
    OutboxEntry e;
    e.clientId = QUuid::createUuid();
    e.roomId = room;
    e.content = content;
    e.createdAt = QDateTime::currentDateTimeUtc();
    return e;
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

    void changesPersistAndRetarget()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("outbox.sqlite"));
        OutboxEntry send = entry(QStringLiteral("general"), QStringLiteral("draft"));
        send.replyTo = QStringLiteral("m7");
        OutboxEntry react = entry(QStringLiteral("general"), {});
        react.kind = OutboxEntry::Kind::React;
        react.messageId = send.clientId.toString(QUuid::WithoutBraces);
        react.emoji = QStringLiteral("\U0001F44D");
        react.add = false;
        {
            Outbox box;
            QVERIFY(box.open(path));
            QVERIFY(box.append(send));
            QVERIFY(box.append(react));
            QVERIFY(box.setContent(send.clientId, QStringLiteral("final")));
            box.retarget(react.messageId, QStringLiteral("m8"));
        }
        Outbox again;
        QVERIFY(again.open(path));
        QCOMPARE(again.size(), 2);
        const OutboxEntry s0 = again.entries().at(0);
        const OutboxEntry r1 = again.entries().at(1);
        QCOMPARE(s0.kind, OutboxEntry::Kind::Send);
        QCOMPARE(s0.content, QStringLiteral("final"));
        QCOMPARE(s0.replyTo, QStringLiteral("m7"));
        QCOMPARE(s0.feature(), QStringLiteral("reply"));
        QCOMPARE(r1.kind, OutboxEntry::Kind::React);
        QCOMPARE(r1.messageId, QStringLiteral("m8"));
        QCOMPARE(r1.emoji, QStringLiteral("\U0001F44D"));
        QVERIFY(!r1.add);
        QCOMPARE(r1.feature(), QStringLiteral("react"));
    }

    void v1FileIsMigrated()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("outbox.sqlite"));
        {
            // The table as a v1 SDK wrote it, with one waiting message.
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(
                q.exec(QStringLiteral("CREATE TABLE outbox (seq INTEGER PRIMARY KEY "
                                      "AUTOINCREMENT, client_id TEXT NOT NULL UNIQUE, room_id "
                                      "TEXT NOT NULL, content TEXT NOT NULL, created_at INTEGER "
                                      "NOT NULL)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO outbox (client_id, room_id, content, "
                                          "created_at) VALUES "
                                          "('6f1c1f4e-5d2a-4a37-9d2c-2f9b7d0f8e11', 'general', "
                                          "'old', 1700000000000)")));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        Outbox box;
        QVERIFY2(box.open(path), qPrintable(box.errorString()));
        QCOMPARE(box.size(), 1);
        QCOMPARE(box.entries().at(0).content, QStringLiteral("old"));
        QCOMPARE(box.entries().at(0).kind, OutboxEntry::Kind::Send);
        QVERIFY(box.entries().at(0).replyTo.isEmpty());
        auto e = entry(QStringLiteral("general"), QStringLiteral("new"));
        e.kind = OutboxEntry::Kind::Delete;
        e.messageId = QStringLiteral("m1");
        QVERIFY(box.append(e));
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
