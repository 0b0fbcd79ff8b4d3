// SPDX-License-Identifier: MIT
// Room fed by a scripted Client: the test emits the Client's public signals (message:new,
// acks, refusals, session:ready, typing) the way the connection core does, and checks what the
// Room and its models make of them. No server, no network.
#include "modelwatch.h"
#include <Palaver/client.h>
#include <Palaver/membermodel.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

using namespace Palaver;

namespace {

const QString General = QStringLiteral("general");

Message serverMessage(
    qint64 seq, const QString &author = QStringLiteral("bob"), const QString &clientId = {})
{
    Message m;
    m.id = QStringLiteral("m-%1").arg(seq);
    m.roomId = General;
    m.seq = seq;
    m.authorId = author;
    m.authorName = author == QLatin1String("bob") ? QStringLiteral("Bob") : author;
    m.content = QStringLiteral("message %1").arg(seq);
    m.createdAt = QDateTime::currentDateTimeUtc();
    m.clientId = clientId;
    m.status = Message::Status::Sent;
    return m;
}

QVariantMap session()
{
    return {
        { QStringLiteral("user"),
            QVariantMap { { QStringLiteral("id"), QStringLiteral("alice") },
                { QStringLiteral("name"), QStringLiteral("Alice") } } },
        { QStringLiteral("rooms"),
            QVariantList { QVariantMap { { QStringLiteral("id"), General },
                               { QStringLiteral("name"), QStringLiteral("General") },
                               { QStringLiteral("private"), false } },
                QVariantMap { { QStringLiteral("id"), QStringLiteral("random") },
                    { QStringLiteral("name"), QStringLiteral("Random") },
                    { QStringLiteral("private"), false } } } },
        { QStringLiteral("online"),
            QVariantList { QStringLiteral("alice"), QStringLiteral("bob") } },
        { QStringLiteral("limits"),
            QVariantMap { { QStringLiteral("maxContentLength"), 10 },
                { QStringLiteral("maxPayload"), 1000000 } } },
    };
}

QVariantMap joinAck(const QList<qint64> &seqs, bool hasMore)
{
    QVariantList messages;
    for (qint64 seq : seqs) {
        const Message m = serverMessage(seq);
        messages.append(QVariantMap { { QStringLiteral("id"), m.id },
            { QStringLiteral("roomId"), m.roomId }, { QStringLiteral("seq"), m.seq },
            { QStringLiteral("userId"), m.authorId }, { QStringLiteral("userName"), m.authorName },
            { QStringLiteral("content"), m.content },
            { QStringLiteral("createdAt"),
                QDateTime::currentDateTimeUtc().addSecs(-60).toString(Qt::ISODateWithMs) },
            { QStringLiteral("clientId"), QStringLiteral("c-%1").arg(seq) } });
    }
    return {
        { QStringLiteral("ok"), true },
        { QStringLiteral("room"),
            QVariantMap { { QStringLiteral("id"), General },
                { QStringLiteral("name"), QStringLiteral("General") },
                { QStringLiteral("private"), false } } },
        { QStringLiteral("members"),
            QVariantList { QVariantMap { { QStringLiteral("id"), QStringLiteral("alice") },
                               { QStringLiteral("name"), QStringLiteral("Alice") },
                               { QStringLiteral("online"), true } },
                QVariantMap { { QStringLiteral("id"), QStringLiteral("bob") },
                    { QStringLiteral("name"), QStringLiteral("Bob") },
                    { QStringLiteral("online"), true } } } },
        { QStringLiteral("messages"), messages },
        { QStringLiteral("hasMore"), hasMore },
    };
}

using Palaver::Testing::ModelWatch;

} // namespace

class TestRoom : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void invalidIdsGiveNoRoom()
    {
        Client client;
        QCOMPARE(client.room(QStringLiteral("Not valid")), nullptr);
        QCOMPARE(client.room(QString()), nullptr);
        QCOMPARE(client.room(QStringLiteral("user:alice")), nullptr);
        Room *room = client.room(General);
        QVERIFY(room);
        ModelWatch watch;
        watch.room(room);
        QCOMPARE(client.room(General), room); // one Room per id, owned by the Client
        QCOMPARE(client.rooms(), QList<Room *> { room });
        QCOMPARE(room->client(), &client);
        QCOMPARE(room->joinState(), Room::JoinState::NotJoined);
    }

    void thousandMessagesInOneTurnAreOneInsert()
    {
        Client client;
        Room *room = client.room(General);
        QAbstractItemModelTester tester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(true);
        QSignalSpy inserted(room->messages(), &QAbstractItemModel::rowsInserted);
        QSignalSpy received(room, &Room::messageReceived);
        for (qint64 seq = 1; seq <= 1000; ++seq)
            Q_EMIT client.messageReceived(serverMessage(seq));
        QCOMPARE(inserted.size(), 0); // coalesced until the end of this turn
        QTRY_COMPARE(room->messages()->count(), 1000);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), 999);
        QCOMPARE(received.size(), 1000);
        QCOMPARE(room->unreadCount(), 1000);
        QCOMPARE(room->lastMessage().seq, 1000);
        // A replay of the same messages changes nothing.
        for (qint64 seq = 1; seq <= 1000; ++seq)
            Q_EMIT client.messageReceived(serverMessage(seq));
        QCoreApplication::processEvents();
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(received.size(), 1000);
    }

    void pendingTurnsSentWithStatusRole()
    {
        Client client;
        Q_EMIT client.sessionReady(session());
        Room *room = client.room(General);
        QAbstractItemModelTester tester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(true);
        QSignalSpy changed(room->messages(), &QAbstractItemModel::dataChanged);

        const Message pending = room->send(QStringLiteral("  hello  "));
        QCOMPARE(pending.status, Message::Status::Pending);
        QCOMPARE(pending.content, QStringLiteral("hello"));
        QVERIFY(!pending.clientId.isEmpty());
        QCOMPARE(room->joinState(), Room::JoinState::Joining); // send() joins first
        QCOMPARE(room->messages()->count(), 1);
        QCOMPARE(room->messages()->message(0).status, Message::Status::Pending);
        QCOMPARE(room->messages()->message(0).authorId, QStringLiteral("alice"));
        QVERIFY(
            room->messages()->data(room->messages()->index(0), MessageModel::IsOwnRole).toBool());

        Message stored = serverMessage(1, QStringLiteral("alice"), pending.clientId);
        stored.content = pending.content;
        Q_EMIT client.messageAcked(QUuid(pending.clientId), stored);
        QCOMPARE(room->messages()->count(), 1);
        QCOMPARE(room->messages()->message(0).status, Message::Status::Sent);
        QCOMPARE(room->messages()->message(0).seq, 1);
        bool statusChanged = false;
        for (const auto &args : changed) {
            const auto roles = args.at(2).value<QList<int>>();
            if (roles.contains(MessageModel::StatusRole))
                statusChanged = true;
        }
        QVERIFY(statusChanged);
        // Our own message is not unread, and its echo is no second row.
        QCOMPARE(room->unreadCount(), 0);
        Q_EMIT client.messageReceived(stored);
        QCoreApplication::processEvents();
        QCOMPARE(room->messages()->count(), 1);
    }

    void localValidationFails()
    {
        Client client;
        Q_EMIT client.sessionReady(session()); // maxContentLength 10
        QCOMPARE(client.maxContentLength(), 10);
        Room *room = client.room(General);
        ModelWatch watch;
        watch.room(room);
        const Message empty = room->send(QStringLiteral(" \t\n "));
        QCOMPARE(empty.status, Message::Status::Failed);
        QVERIFY(!empty.error.isEmpty());
        const Message tooLong = room->send(QStringLiteral("12345678901"));
        QCOMPARE(tooLong.status, Message::Status::Failed);
        // Ten code points, twenty UTF-16 units: fits.
        const QString emoji = QString::fromUtf8("\xF0\x9F\x98\x80").repeated(10);
        QCOMPARE(room->send(emoji).status, Message::Status::Pending);
        QCOMPARE(room->messages()->count(), 1); // failures never became rows
        QCOMPARE(client.pendingMessageCount(), 1);
    }

    void refusedSendFailsAndRetriesWithNewClientId()
    {
        Client client;
        Q_EMIT client.sessionReady(session());
        Room *room = client.room(General);
        QAbstractItemModelTester tester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy failed(room, &Room::sendFailed);
        const Message pending = room->send(QStringLiteral("hi"));
        Q_EMIT client.messageRefused(
            QUuid(pending.clientId), QStringLiteral("too_long"), QStringLiteral("Too long"));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("too_long"));
        QCOMPARE(room->messages()->message(0).status, Message::Status::Failed);
        QCOMPARE(room->messages()->message(0).error, QStringLiteral("Too long"));

        QVERIFY(room->messages()->retry(pending.clientId));
        QCOMPARE(room->messages()->count(), 1); // the new send replaced the Failed row
        const Message again = room->messages()->message(0);
        QCOMPARE(again.status, Message::Status::Pending);
        QCOMPARE(again.content, QStringLiteral("hi"));
        QVERIFY(again.clientId != pending.clientId);
        bool queued = false;
        for (const Message &m : client.pendingMessages())
            queued = queued || m.clientId == again.clientId;
        QVERIFY(queued);

        // Discarding an unsent row takes it out of the outbox too.
        const int before = client.pendingMessageCount();
        QVERIFY(room->messages()->discard(again.clientId));
        QCOMPARE(client.pendingMessageCount(), before - 1);
        QCOMPARE(room->messages()->count(), 0);
    }

    void joinAnswerFeedsModelsAndRoomList()
    {
        Client client;
        QAbstractItemModelTester listTester(
            client.roomList(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Room *room = client.room(General);
        QAbstractItemModelTester messageTester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        messageTester.setUseFetchMore(true);
        QAbstractItemModelTester memberTester(
            room->members(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy user(&client, &Client::userChanged);
        QSignalSpy presence(&client, &Client::presenceChanged);
        Q_EMIT client.sessionReady(session());
        QCOMPARE(user.size(), 1);
        QCOMPARE(client.userId(), QStringLiteral("alice"));
        QCOMPARE(client.userName(), QStringLiteral("Alice"));
        QCOMPARE(client.roomList()->count(), 2);
        QCOMPARE(room->name(), QStringLiteral("General"));
        QVERIFY(client.isOnline(QStringLiteral("bob")));
        QCOMPARE(presence.size(), 2);
        QCOMPARE(
            client.onlineUsers(), (QStringList { QStringLiteral("alice"), QStringLiteral("bob") }));

        QSignalSpy joined(room, &Room::joined);
        room->join();
        QCOMPARE(room->joinState(), Room::JoinState::Joining);
        Q_EMIT client.roomJoined(General, joinAck({ 51, 52, 53 }, true));
        QCOMPARE(joined.size(), 1);
        QCOMPARE(room->joinState(), Room::JoinState::Joined);
        QCOMPARE(room->messages()->count(), 3);
        QVERIFY(room->messages()->hasMoreHistory());
        QCOMPARE(room->members()->count(), 2);
        QCOMPARE(room->unreadCount(), 0); // the join's page is history, not news
        QCOMPARE(room->lastMessage().seq, 53);

        // News counts as unread in the room and in the room list, until markRead().
        Q_EMIT client.messageReceived(serverMessage(54));
        Q_EMIT client.messageReceived(serverMessage(55));
        QCOMPARE(room->unreadCount(), 2);
        const int row = client.roomList()->rowOf(General);
        // The room list follows once per turn, so a burst is one change of the row.
        QSignalSpy rowChanged(client.roomList(), &QAbstractItemModel::dataChanged);
        QCOMPARE(client.roomList()->room(row).unreadCount, 0);
        QTRY_COMPARE(client.roomList()->room(row).unreadCount, 2);
        QCOMPARE(client.roomList()->room(row).lastMessage, QStringLiteral("message 55"));
        QCOMPARE(rowChanged.size(), 2); // the preview, then the unread count
        room->markRead();
        QCOMPARE(room->unreadCount(), 0);
        QCOMPARE(client.roomList()->totalUnread(), 0);

        // A room without a Room object still gets its row updated.
        Message elsewhere = serverMessage(7);
        elsewhere.roomId = QStringLiteral("random");
        Q_EMIT client.messageReceived(elsewhere);
        Q_EMIT client.messageReceived(elsewhere); // a duplicate
        const int randomRow = client.roomList()->rowOf(QStringLiteral("random"));
        QTRY_COMPARE(client.roomList()->room(randomRow).unreadCount, 1);
        QCOMPARE(client.roomList()->room(randomRow).lastMessage, QStringLiteral("message 7"));
    }

    void refusedJoinIsFailedWithTheCode()
    {
        Client client;
        Room *room = client.room(QStringLiteral("staff"));
        ModelWatch watch;
        watch.room(room);
        QSignalSpy failed(room, &Room::joinFailed);
        room->join();
        Q_EMIT client.roomJoinFailed(
            QStringLiteral("staff"), QStringLiteral("access_denied"), QStringLiteral("No"));
        QCOMPARE(room->joinState(), Room::JoinState::Failed);
        QCOMPARE(room->errorCode(), QStringLiteral("access_denied"));
        QCOMPARE(room->errorString(), QStringLiteral("No"));
        QCOMPARE(failed.size(), 1);
        room->join(); // tries again
        QCOMPARE(room->joinState(), Room::JoinState::Joining);
    }

    void outboxEchoOnRoomCreation()
    {
        Client client;
        const QUuid queued = client.sendMessage(General, QStringLiteral("from before"));
        QVERIFY(!queued.isNull());
        Room *room = client.room(General); // created after the send: shows it as Pending
        ModelWatch watch;
        watch.room(room);
        QCOMPARE(room->messages()->count(), 1);
        QCOMPARE(room->messages()->message(0).clientId, queued.toString(QUuid::WithoutBraces));
        QCOMPARE(room->messages()->message(0).status, Message::Status::Pending);
        // The Client keeps the room joined for the outbox; the Room follows.
        QCOMPARE(room->joinState(), Room::JoinState::Joining);
    }
};

QTEST_GUILESS_MAIN(TestRoom)
#include "tst_room.moc"
