// SPDX-License-Identifier: MIT
// Rooms against the in-process stub: after a cut, a room's timeline is back to every message
// exactly once in seq order (from the server's replay when the session was recovered, from
// history pages otherwise), what was queued while away reaches the others exactly once, a seq
// gap seen on a live connection is filled, and typing/presence travel between users.
#include "modelwatch.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/membermodel.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>

#include <QAbstractItemModelTester>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;

namespace {

const QString General = QStringLiteral("general");

StubConfig config(bool recovery)
{
    StubConfig c;
    c.secret = QByteArrayLiteral("rooms-integration-secret");
    c.rooms = { { General, QStringLiteral("General"), false, {} } };
    c.recovery = recovery;
    c.rateBurst = 100000;
    c.ratePerSec = 100000;
    return c;
}

ReconnectPolicy fastPolicy()
{
    ReconnectPolicy p;
    p.setInitialDelay(50);
    p.setMaxDelay(300);
    return p;
}

// Every row Sent, seqs 1..count in order, ids unique; returns the ids in order.
QStringList checkTimeline(const MessageModel *model, int expected)
{
    QStringList ids;
    QSet<QString> unique;
    [&] {
        QCOMPARE(model->count(), expected);
        for (int row = 0; row < model->count(); ++row) {
            const Message m = model->message(row);
            QCOMPARE(m.status, Message::Status::Sent);
            QCOMPARE(m.seq, qint64(row + 1));
            QVERIFY2(!unique.contains(m.id), qPrintable(m.id));
            unique.insert(m.id);
            ids.append(m.id);
        }
    }();
    return ids;
}

using Palaver::Testing::ModelWatch;

} // namespace

class TestRoomResume : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;

    void startServer(bool recovery)
    {
        m_server = std::make_unique<StubServer>(config(recovery));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }

    std::unique_ptr<Client> makeClient(const QString &user, const QString &name = {})
    {
        auto client = std::make_unique<Client>();
        client->setUrl(m_server->url());
        client->setToken(QString::fromUtf8(m_server->makeToken(user, name)));
        client->setReconnectPolicy(fastPolicy());
        client->setRequestTimeout(10000);
        return client;
    }

    static void sendAll(Client &client, int count, const QString &prefix)
    {
        for (int i = 1; i <= count; ++i)
            client.sendMessage(General, QStringLiteral("%1 %2").arg(prefix).arg(i));
    }

private Q_SLOTS:
    void cleanup() { m_server.reset(); }

    void resumeAfterCut_data()
    {
        QTest::addColumn<bool>("recovery");
        QTest::newRow("recovered") << true;
        QTest::newRow("history") << false;
    }

    void resumeAfterCut()
    {
        QFETCH(bool, recovery);
        startServer(recovery);
        constexpr int Before = 10;
        constexpr int During = 500;
        constexpr int Queued = 3;
        constexpr int Total = Before + During + Queued;

        auto alice = makeClient(QStringLiteral("alice"), QStringLiteral("Alice"));
        auto bob = makeClient(QStringLiteral("bob"), QStringLiteral("Bob"));
        Room *aRoom = alice->room(General);
        Room *bRoom = bob->room(General);
        QAbstractItemModelTester aTester(
            aRoom->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        aTester.setUseFetchMore(true);
        QAbstractItemModelTester aMembers(
            aRoom->members(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester aList(
            alice->roomList(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester bTester(
            bRoom->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        bTester.setUseFetchMore(true);

        alice->open();
        bob->open();
        aRoom->join();
        bRoom->join();
        QTRY_COMPARE(aRoom->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(bRoom->joinState(), Room::JoinState::Joined);
        sendAll(*bob, Before, QStringLiteral("before"));
        QTRY_COMPARE(aRoom->messages()->count(), Before);

        // Cut Alice off and keep her off while Bob talks.
        m_server->setRefuseConnections(true);
        QCOMPARE(m_server->dropClient(QStringLiteral("alice")), 1);
        QTRY_VERIFY(alice->state() != Client::State::Connected);
        QTRY_COMPARE(aRoom->joinState(), Room::JoinState::Joining);
        QStringList queued;
        for (int i = 1; i <= Queued; ++i) {
            const Message m = aRoom->send(QStringLiteral("queued by alice %1").arg(i));
            QCOMPARE(m.status, Message::Status::Pending);
            queued.append(m.content);
        }
        sendAll(*bob, During, QStringLiteral("during"));
        QTRY_COMPARE_WITH_TIMEOUT(bob->pendingMessageCount(), 0, 60000);

        QSignalSpy aliceConnected(alice.get(), &Client::connected);
        m_server->setRefuseConnections(false);
        QTRY_COMPARE_WITH_TIMEOUT(alice->pendingMessageCount(), 0, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(aRoom->messages()->count(), Total, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(bRoom->messages()->count(), Total, 30000);
        QVERIFY(!aliceConnected.isEmpty());
        QCOMPARE(alice->isRecovered(), recovery);
        QCOMPARE(aRoom->joinState(), Room::JoinState::Joined);

        // Give stray duplicates a chance to show up before counting.
        QTest::qWait(300);
        const QStringList aIds = checkTimeline(aRoom->messages(), Total);
        const QStringList bIds = checkTimeline(bRoom->messages(), Total);
        QCOMPARE(aIds, bIds);
        for (const QString &content : std::as_const(queued)) {
            int seen = 0;
            for (int row = 0; row < bRoom->messages()->count(); ++row)
                seen += bRoom->messages()->message(row).content == content ? 1 : 0;
            QCOMPARE(seen, 1);
        }
        // What Alice missed is news to her; her own messages are not.
        QCOMPARE(aRoom->unreadCount(), Before + During);
        QCOMPARE(aRoom->lastMessage().seq, qint64(Total));
        QCOMPARE(alice->roomList()->totalUnread(), Before + During);
    }

    void seqGapOnALiveConnectionIsFilled()
    {
        startServer(false);
        auto alice = makeClient(QStringLiteral("alice"));
        auto bob = makeClient(QStringLiteral("bob"));
        Room *aRoom = alice->room(General);
        QAbstractItemModelTester tester(
            aRoom->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(true);
        QSignalSpy gaps(aRoom->messages(), &MessageModel::gapDetected);
        QSignalSpy delivered(alice.get(), &Client::messageReceived);
        alice->open();
        bob->open();
        aRoom->join();
        bob->joinRoom(General);
        QTRY_COMPARE(aRoom->joinState(), Room::JoinState::Joined);
        sendAll(*bob, 5, QStringLiteral("first"));
        QTRY_COMPARE(aRoom->messages()->count(), 5);

        // Behind the Room's back, Alice's socket leaves the room: she misses what follows.
        auto left = alice->request(QStringLiteral("room:leave"), { General });
        QTRY_VERIFY(left.isFinished());
        sendAll(*bob, 7, QStringLiteral("missed"));
        QTRY_COMPARE(bob->pendingMessageCount(), 0);
        auto back = alice->request(QStringLiteral("room:join"), { General });
        QTRY_VERIFY(back.isFinished());
        QCOMPARE(aRoom->messages()->count(), 5);

        // The next live message shows the hole; the room's stream fills it from history before
        // any consumer sees the message: the model never has a hole, the Client's signal gets
        // every seq once, in order.
        bob->sendMessage(General, QStringLiteral("after the gap"));
        QTRY_COMPARE(aRoom->messages()->count(), 13);
        QVERIFY(gaps.isEmpty());
        checkTimeline(aRoom->messages(), 13);
        QCOMPARE(delivered.size(), 13);
        for (int i = 0; i < delivered.size(); ++i)
            QCOMPARE(delivered.at(i).at(0).value<Message>().seq, qint64(i + 1));
        QCOMPARE(aRoom->unreadCount(), 13);

        // A Room made for a room the Client had joined already follows it, with its timeline.
        Room *bRoom = bob->room(General);
        ModelWatch watch;
        watch.room(bRoom);
        QCOMPARE(bRoom->joinState(), Room::JoinState::Joining);
        QTRY_COMPARE(bRoom->joinState(), Room::JoinState::Joined);
        QCOMPARE(bRoom->messages()->count(), 13);
        QCOMPARE(bRoom->unreadCount(), 0);
    }

    void retryNowSkipsTheBackoff()
    {
        startServer(false);
        auto alice = makeClient(QStringLiteral("alice"));
        ReconnectPolicy slow;
        slow.setInitialDelay(60000);
        slow.setMaxDelay(60000);
        slow.setJitter(0);
        alice->setReconnectPolicy(slow);
        alice->open();
        QTRY_COMPARE(alice->state(), Client::State::Connected);
        alice->retryNow(); // connected: nothing to skip
        QCOMPARE(alice->state(), Client::State::Connected);
        m_server->dropClient(QStringLiteral("alice"));
        QTRY_COMPARE(alice->state(), Client::State::Reconnecting);
        QCOMPARE(alice->nextRetryIn(), 60000);
        alice->retryNow();
        QVERIFY(alice->state() != Client::State::Reconnecting);
        QTRY_COMPARE_WITH_TIMEOUT(alice->state(), Client::State::Connected, 10000);
    }

    void typingIsThrottledAndTravels()
    {
        startServer(false);
        auto alice = makeClient(QStringLiteral("alice"), QStringLiteral("Alice"));
        auto bob = makeClient(QStringLiteral("bob"), QStringLiteral("Bob"));
        Room *aRoom = alice->room(General);
        Room *bRoom = bob->room(General);
        ModelWatch watch;
        watch.room(aRoom);
        watch.room(bRoom);
        alice->open();
        bob->open();
        aRoom->join();
        bRoom->join();
        QTRY_COMPARE(aRoom->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(bRoom->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(bRoom->members()->count(), 2);

        QList<bool> notices;
        bob->on(QStringLiteral("typing"), this, [&notices](const QVariantList &args) {
            notices.append(args.value(0).toMap().value(QStringLiteral("typing")).toBool());
        });
        for (int i = 0; i < 5; ++i)
            aRoom->setTyping(true); // throttled: one notice
        QTRY_COMPARE(bRoom->typingUsers(), QStringList { QStringLiteral("alice") });
        QCOMPARE(bRoom->typingUserNames(), QStringList { QStringLiteral("Alice") });
        aRoom->setTyping(false);
        QTRY_VERIFY(bRoom->typingUsers().isEmpty());
        aRoom->setTyping(false); // nothing to stop: not sent
        QTest::qWait(200);
        QCOMPARE(notices, (QList<bool> { true, false }));
        QVERIFY(aRoom->typingUsers().isEmpty()); // never our own

        // A message ends the sender's typing on the other side.
        aRoom->setTyping(true);
        QTRY_COMPARE(bRoom->typingUsers(), QStringList { QStringLiteral("alice") });
        aRoom->send(QStringLiteral("done typing"));
        QTRY_VERIFY(bRoom->typingUsers().isEmpty());
        QTRY_COMPARE(bRoom->messages()->count(), 1);
    }

    void presenceFollowsUsers()
    {
        startServer(false);
        auto alice = makeClient(QStringLiteral("alice"), QStringLiteral("Alice"));
        Room *aRoom = alice->room(General);
        ModelWatch watch;
        watch.room(aRoom);
        watch.add(alice->roomList());
        QSignalSpy presence(alice.get(), &Client::presenceChanged);
        alice->open();
        aRoom->join();
        QTRY_COMPARE(aRoom->joinState(), Room::JoinState::Joined);
        QCOMPARE(alice->userId(), QStringLiteral("alice"));
        QCOMPARE(alice->userName(), QStringLiteral("Alice"));
        QCOMPARE(alice->maxContentLength(), 4000);
        QVERIFY(alice->isOnline(QStringLiteral("alice")));

        auto bob = makeClient(QStringLiteral("bob"), QStringLiteral("Bob"));
        bob->open();
        QTRY_VERIFY(alice->isOnline(QStringLiteral("bob")));
        bob->room(General)->join();
        QTRY_COMPARE(aRoom->members()->count(), 2);
        QTRY_COMPARE(aRoom->members()->onlineCount(), 2);
        bob->close();
        QTRY_VERIFY(!alice->isOnline(QStringLiteral("bob")));
        QTRY_COMPARE(aRoom->members()->count(), 1); // left the public room with his socket
        QVERIFY(!presence.isEmpty());
        QCOMPARE(presence.last().at(0).toString(), QStringLiteral("bob"));
        QCOMPARE(presence.last().at(1).toBool(), false);

        // Leaving stops the room; joining again starts afresh.
        QSignalSpy left(aRoom, &Room::left);
        aRoom->leave();
        QCOMPARE(aRoom->joinState(), Room::JoinState::Leaving);
        QTRY_COMPARE(left.size(), 1);
        QCOMPARE(aRoom->joinState(), Room::JoinState::NotJoined);
        QVERIFY(!alice->joinedRooms().contains(General));
        aRoom->join();
        QTRY_COMPARE(aRoom->joinState(), Room::JoinState::Joined);
    }
};

QTEST_GUILESS_MAIN(TestRoomResume)
#include "tst_roomresume.moc"
