// SPDX-License-Identifier: MIT
// Contract v1.1 end to end against the in-process stub: changes made while one of a user's two
// clients was offline (more than one room:updates page of them) reach it once each after the
// reconnect, in rev order, and change its rows in place; a read on one device clears the unread
// count on the other; a refused edit rolls back with the reason; and against the stub's --v1 the
// new calls fail at once with Unsupported while the rest of v1 works.
#include "modelwatch.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;
using Palaver::Testing::ModelWatch;

namespace {

const QString General = QStringLiteral("general");

QList<Message> messagesOf(const QSignalSpy &spy)
{
    QList<Message> out;
    for (const QList<QVariant> &args : spy)
        out.append(args.at(0).value<Message>());
    return out;
}

} // namespace

class TestContractV11Stub : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;

    void startServer(bool v1 = false)
    {
        StubConfig c;
        c.secret = QByteArrayLiteral("contract-v11-secret");
        c.rooms = { { General, QStringLiteral("General"), false, {} } };
        c.rateBurst = 100000;
        c.ratePerSec = 100000;
        c.v1 = v1;
        m_server = std::make_unique<StubServer>(c);
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }

    std::unique_ptr<Client> makeClient(const QString &user)
    {
        auto client = std::make_unique<Client>();
        client->setUrl(m_server->url());
        client->setToken(QString::fromUtf8(m_server->makeToken(user, user.toUpper())));
        ReconnectPolicy p;
        p.setInitialDelay(50);
        p.setMaxDelay(300);
        client->setReconnectPolicy(p);
        return client;
    }

    static Room *joinGeneral(Client &client)
    {
        Room *room = client.room(General);
        room->join();
        client.open();
        return room;
    }

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<Message>(); }
    void cleanup() { m_server.reset(); }

    void offlineChangesArriveOnceAfterReconnect()
    {
        startServer();
        auto alice1 = makeClient(QStringLiteral("alice"));
        auto alice2 = makeClient(QStringLiteral("alice"));
        auto bob = makeClient(QStringLiteral("bob"));
        Room *room1 = alice1->room(General);
        Room *room2 = alice2->room(General);
        Room *bobRoom = bob->room(General);
        ModelWatch watch;
        watch.room(room2);
        for (Client *c : { alice1.get(), alice2.get(), bob.get() })
            joinGeneral(*c);
        QTRY_COMPARE(room1->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(room2->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        QVERIFY(alice2->supports(QStringLiteral("edit")));

        constexpr int Count = 130; // more than one room:updates page (100)
        for (int i = 1; i <= Count; ++i)
            bobRoom->send(QStringLiteral("message %1").arg(i));
        QTRY_COMPARE_WITH_TIMEOUT(room2->messages()->count(), Count, 20000);
        QSignalSpy reset(room2->messages(), &QAbstractItemModel::modelReset);

        alice2->close();
        QSignalSpy bobUpdates(bobRoom, &Room::messageUpdated);
        QSignalSpy live1(room1, &Room::messageUpdated);
        for (int row = 0; row < Count; ++row) {
            const Message m = bobRoom->messages()->message(row);
            bobRoom->edit(m.id, m.content + QStringLiteral(" (edited)"));
        }
        const QString first = bobRoom->messages()->message(0).id;
        room1->react(first, QStringLiteral("\U0001F44D"));
        bobRoom->remove(bobRoom->messages()->message(1).id);
        QTRY_COMPARE_WITH_TIMEOUT(live1.size(), Count + 2, 20000);
        QTRY_COMPARE(bobUpdates.size(), Count + 2);

        QSignalSpy caughtUp(room2, &Room::messageUpdated);
        alice2->open();
        // Every changed message once (its newest state), in rev order.
        QTRY_COMPARE_WITH_TIMEOUT(caughtUp.size(), Count, 20000);
        QTRY_COMPARE(alice2->state(), Client::State::Connected);
        QSet<QString> ids;
        qint64 rev = 0;
        for (const Message &m : messagesOf(caughtUp)) {
            QVERIFY2(!ids.contains(m.id), qPrintable(m.id));
            ids.insert(m.id);
            QVERIFY(m.rev > rev);
            rev = m.rev;
        }
        QCOMPARE(rev, qint64(Count + 2));
        // The rows changed in place.
        MessageModel *model = room2->messages();
        QCOMPARE(model->count(), Count);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(model->data(model->index(0), MessageModel::ContentRole).toString(),
            QStringLiteral("message 1 (edited)"));
        QVERIFY(model->data(model->index(0), MessageModel::EditedRole).toBool());
        const QVariantList reactions
            = model->data(model->index(0), MessageModel::ReactionsRole).toList();
        QCOMPARE(reactions.size(), 1);
        QVERIFY(reactions.at(0).toMap().value(QStringLiteral("mine")).toBool());
        QVERIFY(model->data(model->index(1), MessageModel::DeletedRole).toBool());
        QCOMPARE(model->data(model->index(Count - 1), MessageModel::ContentRole).toString(),
            QStringLiteral("message %1 (edited)").arg(Count));
        QCOMPARE(caughtUp.size(), Count); // no duplicate came with the pages or live
    }

    void readOnOneDeviceClearsTheOther()
    {
        startServer();
        auto alice1 = makeClient(QStringLiteral("alice"));
        auto alice2 = makeClient(QStringLiteral("alice"));
        auto bob = makeClient(QStringLiteral("bob"));
        Room *room1 = joinGeneral(*alice1);
        Room *room2 = joinGeneral(*alice2);
        Room *bobRoom = joinGeneral(*bob);
        QTRY_COMPARE(room1->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(room2->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        bobRoom->send(QStringLiteral("hi @alice"));
        bobRoom->send(QStringLiteral("there"));
        QTRY_COMPARE(room2->unreadCount(), 2);
        QCOMPARE(room2->mentionCount(), 1);
        QTRY_COMPARE(room1->unreadCount(), 2);
        room1->markRead();
        QTRY_COMPARE(room2->unreadCount(), 0);
        QCOMPARE(room2->mentionCount(), 0);
        QCOMPARE(room2->readSeq(), 2);
    }

    void refusedEditRollsBack()
    {
        startServer();
        auto alice = makeClient(QStringLiteral("alice"));
        auto bob = makeClient(QStringLiteral("bob"));
        Room *aliceRoom = joinGeneral(*alice);
        Room *bobRoom = joinGeneral(*bob);
        QTRY_COMPARE(aliceRoom->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        aliceRoom->send(QStringLiteral("mine"));
        QTRY_COMPARE(bobRoom->messages()->count(), 1);
        QSignalSpy failed(bobRoom, &Room::changeFailed);
        const QString id = bobRoom->messages()->message(0).id;
        bobRoom->edit(id, QStringLiteral("yours now"));
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("access_denied"));
        QCOMPARE(bobRoom->messages()->message(0).content, QStringLiteral("mine"));
        QVERIFY(!bobRoom->messages()->message(0).isEdited());
    }

    void v1StubRefusesTheNewCallsAtOnce()
    {
        startServer(/*v1=*/true);
        auto alice = makeClient(QStringLiteral("alice"));
        Room *room = joinGeneral(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QVERIFY(alice->features().isEmpty());
        room->send(QStringLiteral("v1 still works"));
        QTRY_COMPARE(room->messages()->count(), 1);
        QTRY_COMPARE(room->messages()->message(0).status, Message::Status::Sent);
        const QString id = room->messages()->message(0).id;
        QSignalSpy errors(alice.get(), &Client::errorOccurred);
        QCOMPARE(room->edit(id, QStringLiteral("x")).status, Message::Status::Failed);
        QCOMPARE(room->react(id, QStringLiteral("ok")).status, Message::Status::Failed);
        QCOMPARE(room->remove(id).status, Message::Status::Failed);
        QCOMPARE(room->reply(id, QStringLiteral("y")).status, Message::Status::Failed);
        QCOMPARE(errors.size(), 4);
        QCOMPARE(alice->pendingMessageCount(), 0);
        QCOMPARE(room->messages()->message(0).content, QStringLiteral("v1 still works"));
    }
};

QTEST_GUILESS_MAIN(TestContractV11Stub)
#include "tst_contractv11stub.moc"
