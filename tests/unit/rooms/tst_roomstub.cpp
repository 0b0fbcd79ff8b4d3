// SPDX-License-Identifier: MIT
// Room against the in-process stub where the server's answers are the point: history paging to
// the first message, and a send the server refuses for good (then retried).
#include "modelwatch.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/membermodel.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;

namespace {

const QString General = QStringLiteral("general");

StubConfig config()
{
    StubConfig c;
    c.secret = QByteArrayLiteral("rooms-unit-secret");
    c.rooms = {
        { General, QStringLiteral("General"), false, {} },
        { QStringLiteral("staff"), QStringLiteral("Staff"), true, { QStringLiteral("dave") } },
    };
    c.rateBurst = 100000;
    c.ratePerSec = 100000;
    return c;
}

using Palaver::Testing::ModelWatch;

} // namespace

class TestRoomStub : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;

    std::unique_ptr<Client> makeClient(const QString &user)
    {
        auto client = std::make_unique<Client>();
        client->setUrl(m_server->url());
        QString name = user;
        name[0] = name[0].toUpper();
        client->setToken(QString::fromUtf8(m_server->makeToken(user, name)));
        client->setRequestTimeout(5000);
        return client;
    }

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<StubServer>(config());
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }
    void cleanup() { m_server.reset(); }

    void pagingStopsAtTheFirstMessage()
    {
        constexpr int Total = 120;
        auto bob = makeClient(QStringLiteral("bob"));
        bob->open();
        for (int i = 1; i <= Total; ++i)
            bob->sendMessage(General, QStringLiteral("history %1").arg(i));
        QTRY_COMPARE_WITH_TIMEOUT(bob->pendingMessageCount(), 0, 20000);

        auto alice = makeClient(QStringLiteral("alice"));
        Room *room = alice->room(General);
        MessageModel *model = room->messages();
        QAbstractItemModelTester tester(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(true);
        QSignalSpy requested(model, &MessageModel::historyRequested);
        alice->open();
        room->join();
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QVERIFY(model->count() >= 50); // the join's latest page (and maybe the tester's)
        QCOMPARE(model->lastSeq(), Total);

        // The tester may page too (fetchMore is on): wait for each page, then ask for the next.
        for (;;) {
            QTRY_VERIFY(!model->isFetchingHistory());
            if (!model->canFetchMore({}))
                break;
            model->fetchMore({});
            QVERIFY(model->isFetchingHistory());
            model->fetchMore({}); // idempotent while in flight
        }
        QCOMPARE(model->count(), Total);
        QCOMPARE(model->firstSeq(), 1);
        QCOMPARE(model->lastSeq(), Total);
        QVERIFY(!model->hasMoreHistory());
        for (int row = 0; row < Total; ++row)
            QCOMPARE(model->message(row).seq, row + 1);
        const auto asked = requested.size();
        QCOMPARE(asked, 2); // 50 + 50 + 20
        model->fetchMore({});
        model->fetchMoreHistory();
        QCOMPARE(requested.size(), asked); // the start of the room: no more requests
        QCOMPARE(room->unreadCount(), 0); // history is not news
    }

    void typingUsersExpireAndEndWithAMessage()
    {
        auto alice = makeClient(QStringLiteral("alice"));
        auto bob = makeClient(QStringLiteral("bob"));
        auto carol = makeClient(QStringLiteral("carol"));
        Room *room = alice->room(General);
        ModelWatch watch;
        watch.room(room);
        alice->open();
        bob->open();
        carol->open();
        room->join();
        bob->joinRoom(General);
        carol->joinRoom(General);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(room->members()->count(), 3);
        QTRY_COMPARE(room->members()->member(room->members()->rowOf(QStringLiteral("bob"))).name,
            QStringLiteral("Bob"));
        QSignalSpy changed(room, &Room::typingUsersChanged);
        auto typing = [](Client &client, bool on) {
            client.sendVolatile(QStringLiteral("typing"),
                { QVariantMap {
                    { QStringLiteral("roomId"), General }, { QStringLiteral("typing"), on } } });
        };

        typing(*bob, true);
        QTRY_COMPARE(room->typingUsers(), QStringList { QStringLiteral("bob") });
        typing(*carol, true);
        QTRY_COMPARE(
            room->typingUsers(), (QStringList { QStringLiteral("bob"), QStringLiteral("carol") }));
        // Known by name once the member list is refreshed (room:user-joined names no name).
        QTRY_COMPARE(room->typingUserNames(),
            (QStringList { QStringLiteral("Bob"), QStringLiteral("Carol") }));
        const auto changes = changed.size();
        typing(*bob, true); // a refresh, not a change
        QTest::qWait(200);
        QCOMPARE(changed.size(), changes);

        // A message from Bob ends his typing at once.
        bob->sendMessage(General, QStringLiteral("hi"));
        QTRY_COMPARE(room->typingUsers(), QStringList { QStringLiteral("carol") });
        typing(*carol, false);
        QTRY_VERIFY(room->typingUsers().isEmpty());

        // Without a refresh, an entry goes after about 6 s.
        typing(*bob, true);
        QTRY_COMPARE(room->typingUsers(), QStringList { QStringLiteral("bob") });
        QTest::qWait(4000);
        QCOMPARE(room->typingUsers(), QStringList { QStringLiteral("bob") });
        QTRY_VERIFY_WITH_TIMEOUT(room->typingUsers().isEmpty(), 4000);
    }

    void sendRefusedForGoodIsFailedAndRetried()
    {
        auto alice = makeClient(QStringLiteral("alice"));
        alice->open();
        QTRY_COMPARE(alice->state(), Client::State::Connected);
        Room *staff = alice->room(QStringLiteral("staff"));
        QAbstractItemModelTester tester(
            staff->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy sendFailed(staff, &Room::sendFailed);
        const Message sent = staff->send(QStringLiteral("let me in"));
        QCOMPARE(sent.status, Message::Status::Pending);
        QTRY_COMPARE(staff->joinState(), Room::JoinState::Failed);
        QCOMPARE(staff->errorCode(), QStringLiteral("access_denied"));
        QTRY_COMPARE(sendFailed.size(), 1);
        QCOMPARE(sendFailed.first().at(1).toString(), QStringLiteral("access_denied"));
        QCOMPARE(staff->messages()->count(), 1);
        QCOMPARE(staff->messages()->message(0).status, Message::Status::Failed);

        QVERIFY(staff->messages()->retryAt(0));
        QCOMPARE(staff->messages()->count(), 1);
        QVERIFY(staff->messages()->message(0).clientId != sent.clientId);
        QTRY_COMPARE(sendFailed.size(), 2); // refused again, for the same reason
        QCOMPARE(staff->messages()->count(), 1);
        QCOMPARE(staff->messages()->message(0).status, Message::Status::Failed);
        QCOMPARE(alice->pendingMessageCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRoomStub)
#include "tst_roomstub.moc"
