// SPDX-License-Identifier: MIT
// The account's local store (Client::setStoreDirectory()) across restarts of the app: what was
// queued while the server was down is sent once after a restart; a restart starts at once from
// the cache, offline too, and is caught up from the stored markers only; a restart within the
// recovery window recovers the session; the cache is bounded; a broken file is reported and the
// Client goes on in memory. Each "restart" is a Client destroyed and a new one made on the same
// folder, as by an app that is closed and started again.
#include "chatscript.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>
#include <Palaver/roomsummary.h>

#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

#include <csignal>
#include <memory>

using namespace Palaver;
using nlohmann::json;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;

namespace {

const QString General = QStringLiteral("general");

StubConfig testConfig()
{
    StubConfig config;
    config.secret = QByteArrayLiteral("store-test-secret");
    config.rooms = {
        { General, QStringLiteral("General"), false, {} },
        { QStringLiteral("random"), QStringLiteral("Random"), false, {} },
    };
    return config;
}

ReconnectPolicy fastPolicy()
{
    ReconnectPolicy p;
    p.setInitialDelay(50);
    p.setMaxDelay(200);
    return p;
}

std::unique_ptr<Client> clientAt(const QUrl &url, const QString &token, const QString &store)
{
    auto client = std::make_unique<Client>();
    client->setUrl(url);
    client->setToken(token);
    client->setReconnectPolicy(fastPolicy());
    client->setRequestTimeout(3000);
    if (!store.isEmpty())
        client->setStoreDirectory(store);
    return client;
}

//! The rows of a model, as `seq:content` (Pending rows as `pending:content`).
QStringList rowsOf(const MessageModel *model)
{
    QStringList out;
    for (int row = 0; row < model->count(); ++row) {
        const Message m = model->message(row);
        out.append((m.seq > 0 ? QString::number(m.seq) : QStringLiteral("pending"))
            + QLatin1Char(':') + m.content);
    }
    return out;
}

QStringList contentsOf(const QList<Message> &messages)
{
    QStringList out;
    for (const Message &m : messages)
        out.append(m.content);
    return out;
}

QList<Message> receivedOf(const QSignalSpy &spy)
{
    QList<Message> out;
    for (const QList<QVariant> &args : spy)
        out.append(args.at(0).value<Message>());
    return out;
}

//! Rows of the store file's messages table for a room (read with a connection of its own).
int cachedRowsInFile(const QString &file, const QString &roomId, qint64 *minSeq = nullptr)
{
    int count = -1;
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(file);
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT COUNT(*), MIN(seq) FROM messages WHERE room_id = ?"));
            q.addBindValue(roomId);
            if (q.exec() && q.next()) {
                count = q.value(0).toInt();
                if (minSeq)
                    *minSeq = q.value(1).toLongLong();
            }
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    return count;
}

} // namespace

class TestLocalStore : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;

    void startServer(StubConfig config = testConfig())
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }

    std::unique_ptr<Client> stubClient(const QString &user, const QString &store = {})
    {
        return clientAt(m_server->url(), QString::fromUtf8(m_server->makeToken(user)), store);
    }

    //! A client of `user` (with its store in `store`, if given) joining general and opened.
    std::unique_ptr<Client> joinedPeer(const QString &user, Room **room, const QString &store = {})
    {
        auto client = stubClient(user, store);
        *room = client->room(General);
        (*room)->join();
        client->open();
        return client;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Message>();
        qRegisterMetaType<Client::Error>();
    }
    void cleanup() { m_server.reset(); }

    // Messages, an edit and a reaction queued while the server is down; the app is closed and
    // started again with the server still down: they show at once, and once the server is back
    // each is made exactly once.
    void queuedWorkSurvivesARestartWhileTheServerIsDown()
    {
        startServer();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Room *bobRoom = nullptr;
        auto bob = joinedPeer(QStringLiteral("bob"), &bobRoom);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);

        QString ownId;
        QString bobsId;
        {
            Room *room = nullptr;
            auto alice = joinedPeer(QStringLiteral("alice"), &room, dir.path());
            QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
            room->send(QStringLiteral("a typo hre"));
            QTRY_COMPARE(alice->pendingMessageCount(), 0);
            bobRoom->send(QStringLiteral("hello"));
            QTRY_COMPARE(room->messages()->count(), 2);
            ownId = room->messages()->message(0).id;
            bobsId = room->messages()->message(1).id;
            QVERIFY(!ownId.isEmpty() && !bobsId.isEmpty());

            // The server goes away.
            m_server->setRefuseConnections(true);
            QVERIFY(m_server->dropClient(QStringLiteral("alice")) > 0);
            QTRY_VERIFY(alice->state() != Client::State::Connected);
            room->send(QStringLiteral("first offline"));
            room->send(QStringLiteral("second offline"));
            QCOMPARE(
                room->edit(ownId, QStringLiteral("a typo here")).status, Message::Status::Pending);
            QCOMPARE(
                room->react(bobsId, QStringLiteral("👍"), true).status, Message::Status::Pending);
            QCOMPARE(alice->pendingMessageCount(), 2);
            // The app is closed with the server still down.
        }

        auto alice = stubClient(QStringLiteral("alice"), dir.path());
        QCOMPARE(alice->joinedRooms(), QStringList { General });
        Room *room = alice->room(General);
        // At once, before any connection: the cached timeline with our changes, then what waits.
        QVERIFY(room->isCached());
        QCOMPARE(rowsOf(room->messages()),
            QStringList({ QStringLiteral("1:a typo here"), QStringLiteral("2:hello"),
                QStringLiteral("pending:first offline"),
                QStringLiteral("pending:second offline") }));
        const QVariantList shownReactions
            = room->messages()
                  ->data(room->messages()->index(1), MessageModel::ReactionsRole)
                  .toList();
        QCOMPARE(shownReactions.size(), 1);
        QCOMPARE(shownReactions.at(0).toMap().value(QStringLiteral("mine")).toBool(), true);

        QSignalSpy bobUpdates(bob.get(), &Client::messageUpdated);
        alice->open();
        m_server->setRefuseConnections(false); // the server is back
        QTRY_COMPARE_WITH_TIMEOUT(rowsOf(bobRoom->messages()),
            QStringList({ QStringLiteral("1:a typo here"), QStringLiteral("2:hello"),
                QStringLiteral("3:first offline"), QStringLiteral("4:second offline") }),
            10000);
        QTRY_COMPARE(bobUpdates.size(), 2); // the edit and the reaction
        QTRY_COMPARE(alice->pendingMessageCount(), 0);
        QTRY_VERIFY(!room->isCached());
        QCOMPARE(rowsOf(room->messages()), rowsOf(bobRoom->messages()));
        const Message reacted = bobRoom->messages()->message(1);
        QCOMPARE(reacted.reactions.size(), 1);
        QCOMPARE(reacted.reactions.at(0).userIds, QStringList { QStringLiteral("alice") });

        // Another restart finds nothing left to send, and nothing is made twice.
        alice.reset();
        QTest::qWait(0);
        auto third = stubClient(QStringLiteral("alice"), dir.path());
        QCOMPARE(third->pendingMessageCount(), 0);
        Room *thirdRoom = third->room(General);
        third->open();
        QTRY_VERIFY(!thirdRoom->isCached());
        QCOMPARE(rowsOf(thirdRoom->messages()), rowsOf(bobRoom->messages()));
        QCOMPARE(bobUpdates.size(), 2);
    }

    // With no server at all, a restart shows the user, the room list and the kept rooms'
    // timelines at once; scrolling up reads the cache; sending queues.
    void offlineStartShowsTheCacheAtOnce()
    {
        startServer();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Room *bobRoom = nullptr;
        auto bob = joinedPeer(QStringLiteral("bob"), &bobRoom);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        {
            Room *room = nullptr;
            auto alice = joinedPeer(QStringLiteral("alice"), &room, dir.path());
            QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
            // More than one page of the timeline, some of it seen live, some paged in.
            for (int i = 1; i <= 12; ++i)
                bobRoom->send(QStringLiteral("m%1").arg(i));
            QTRY_COMPARE(room->messages()->count(), 12);
            QTRY_COMPARE(alice->roomList()->count(), 2);
        }
        const QUrl url = m_server->url();
        const QString token = QString::fromUtf8(m_server->makeToken(QStringLiteral("alice")));
        m_server->stop(); // no server at all

        auto alice = clientAt(url, token, dir.path());
        QCOMPARE(alice->userId(), QStringLiteral("alice"));
        QCOMPARE(alice->joinedRooms(), QStringList { General });
        QCOMPARE(alice->roomList()->count(), 2);
        const int row = alice->roomList()->rowOf(General);
        QVERIFY(row >= 0);
        QCOMPARE(alice->roomList()->room(row).name, QStringLiteral("General"));
        QCOMPARE(alice->roomList()->room(row).lastMessage, QStringLiteral("m12"));
        QCOMPARE(alice->roomList()->room(row).unreadCount, 12);
        Room *room = alice->room(General);
        QVERIFY(room->isCached());
        QCOMPARE(room->joinState(), Room::JoinState::Joining); // it will be when the server is
        QCOMPARE(room->messages()->count(), 12);
        QCOMPARE(room->messages()->message(11).content, QStringLiteral("m12"));
        QCOMPARE(room->lastMessage().content, QStringLiteral("m12"));
        QCOMPARE(room->unreadCount(), 12);
        QVERIFY(!room->messages()->hasMoreHistory());

        alice->open();
        const Message queued = room->send(QStringLiteral("written offline"));
        QCOMPARE(queued.status, Message::Status::Pending);
        QCOMPARE(room->messages()->count(), 13);
        QCOMPARE(alice->pendingMessageCount(), 1);
    }

    // Scrolling up in a cached room reads the cache page by page, with no server.
    void scrollingUpReadsTheCacheFirst()
    {
        ChatScript server;
        QVERIFY(server.listen());
        for (int i = 1; i <= 230; ++i)
            server.post(QStringLiteral("bob"), "general", "old " + std::to_string(i));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString token = ChatScript::jwtFor(QStringLiteral("alice"));
        {
            auto alice = clientAt(server.url(), token, dir.path());
            Room *room = alice->room(General);
            room->join();
            alice->open();
            QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
            // Paged all the way to the start: the cache holds it all.
            while (room->messages()->hasMoreHistory()) {
                const int before = room->messages()->count();
                room->messages()->fetchMoreHistory();
                QTRY_VERIFY(room->messages()->count() > before);
            }
            QCOMPARE(room->messages()->count(), 230);
        }
        const int historyAsked = int(server.payloads("room:history").size());
        QVERIFY(historyAsked >= 4);
        const QUrl url = server.url();
        server.raw.close(); // no server at all

        auto alice = clientAt(url, token, dir.path());
        Room *room = alice->room(General);
        QVERIFY(room->isCached());
        QCOMPARE(room->messages()->count(), 100);
        QCOMPARE(room->messages()->firstSeq(), 131);
        QVERIFY(room->messages()->hasMoreHistory());
        QSignalSpy inserted(room->messages(), &QAbstractItemModel::rowsInserted);
        room->messages()->fetchMoreHistory();
        QCOMPARE(inserted.size(), 1); // from the cache, in this turn
        QCOMPARE(room->messages()->firstSeq(), 81);
        room->messages()->fetchMoreHistory();
        room->messages()->fetchMoreHistory();
        QCOMPARE(room->messages()->firstSeq(), 1);
        QVERIFY(!room->messages()->hasMoreHistory());
        QCOMPARE(room->messages()->count(), 230);
        QCOMPARE(room->messages()->message(0).content, QStringLiteral("old 1"));
    }

    // A restart between two reconnects resumes from the stored lastSeq: no page below it is
    // asked for, and every path (the signal, the Room, its model) gets each missed message once.
    void restartResumesFromTheStoredSeq()
    {
        ChatScript server;
        QVERIFY(server.listen());
        for (int i = 1; i <= 70; ++i)
            server.post(QStringLiteral("bob"), "general", "before " + std::to_string(i));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        {
            auto alice = clientAt(server.url(), QStringLiteral("alice"), dir.path());
            Room *room = alice->room(General);
            room->join();
            alice->open();
            QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
            server.post(QStringLiteral("bob"), "general", "live 71");
            QTRY_COMPARE(room->messages()->lastSeq(), 71);
            QVERIFY(!alice->storeFileName().isEmpty()); // named by session:ready
        }
        // While the app is closed, more than two pages of news, and an edit of a cached one.
        for (int i = 72; i <= 300; ++i)
            server.post(QStringLiteral("bob"), "general", "missed " + std::to_string(i));
        server.change(QStringLiteral("bob"), "message:edit",
            { { "roomId", "general" }, { "messageId", server.messages("general")[69]["id"] },
                { "content", "before 70, edited" } });
        const std::size_t historyBefore = server.payloads("room:history").size();

        // The token names no user: the store opens when session:ready says who it is, and the
        // kept room is joined from there. A Room made before that is filled then.
        auto alice = clientAt(server.url(), QStringLiteral("alice"), dir.path());
        QVERIFY(alice->storeFileName().isEmpty());
        Room *room = alice->room(General);
        QCOMPARE(room->messages()->count(), 0);
        QSignalSpy received(alice.get(), &Client::messageReceived);
        QSignalSpy roomReceived(room, &Room::messageReceived);
        QSignalSpy joinedSignal(alice.get(), &Client::roomJoined);
        QSignalSpy cachedChanged(room, &Room::cachedChanged);
        alice->open();
        QTRY_COMPARE(alice->joinedRooms(), QStringList { General });
        QTRY_COMPARE_WITH_TIMEOUT(room->messages()->lastSeq(), 300, 10000);
        QTRY_COMPARE(received.size(), 229);
        QCOMPARE(contentsOf(receivedOf(roomReceived)), contentsOf(receivedOf(received)));
        const QList<Message> got = receivedOf(received);
        for (int i = 0; i < got.size(); ++i)
            QCOMPARE(got.at(i).seq, 72 + i);
        QCOMPARE(joinedSignal.size(), 1); // this run's first join of the room
        QCOMPARE(cachedChanged.size(), 2); // filled from the cache, then answered
        QVERIFY(!room->isCached());
        QCOMPARE(room->messages()->message(room->messages()->rowOfSeq(70)).content,
            QStringLiteral("before 70, edited"));
        QCOMPARE(room->messages()->message(room->messages()->rowOfSeq(72)).content,
            QStringLiteral("missed 72"));

        const auto pages = server.payloads("room:history");
        QVERIFY(pages.size() > historyBefore);
        for (std::size_t i = historyBefore; i < pages.size(); ++i) {
            const json &p = pages[i];
            QVERIFY2(!p.contains("before"), p.dump().c_str());
            QVERIFY2(p.value("after", std::int64_t(0)) >= 71, p.dump().c_str());
        }
        const auto updates = server.payloads("room:updates");
        QVERIFY(!updates.empty());
        QVERIFY(updates.back().value("afterRev", std::int64_t(-1)) >= 0);

        // The model has every message once, in order (the cache's, the missed ones).
        QCOMPARE(room->messages()->lastSeq(), 300);
        for (int row = 1; row < room->messages()->count(); ++row) {
            QCOMPARE(
                room->messages()->message(row).seq, room->messages()->message(row - 1).seq + 1);
        }
    }

    // A server that lost its history (another database) makes the restarted client start
    // afresh: the cache of a history the server does not have goes.
    void aServerWithAnotherHistoryDropsTheCache()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ChatScript server;
        QVERIFY(server.listen());
        for (int i = 1; i <= 20; ++i)
            server.post(QStringLiteral("bob"), "general", "old " + std::to_string(i));
        const QString token = ChatScript::jwtFor(QStringLiteral("alice"));
        {
            auto alice = clientAt(server.url(), token, dir.path());
            Room *room = alice->room(General);
            room->join();
            alice->open();
            QTRY_COMPARE(room->messages()->lastSeq(), 20);
        }
        server.messages("general").clear(); // its database was replaced
        server.post(QStringLiteral("bob"), "general", "new 1");
        server.post(QStringLiteral("bob"), "general", "new 2");

        auto alice = clientAt(server.url(), token, dir.path());
        Room *room = alice->room(General);
        QVERIFY(room->isCached());
        QCOMPARE(room->messages()->count(), 20);
        QSignalSpy received(alice.get(), &Client::messageReceived);
        alice->open();
        QTRY_VERIFY(!room->isCached());
        QCOMPARE(rowsOf(room->messages()),
            QStringList({ QStringLiteral("1:new 1"), QStringLiteral("2:new 2") }));
        QCOMPARE(room->lastMessage().content, QStringLiteral("new 2"));
        QCOMPARE(received.size(), 0); // the new history is the join's page: history, not news
        QTest::qWait(0); // the turn's commit
        QCOMPARE(cachedRowsInFile(alice->storeFileName(), General), 2);
    }

    // Recovery on and within the window: a restart between two reconnects recovers the session.
    void restartWithinTheRecoveryWindowRecovers()
    {
        StubConfig config = testConfig();
        config.recovery = true;
        startServer(config);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Room *bobRoom = nullptr;
        auto bob = joinedPeer(QStringLiteral("bob"), &bobRoom);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        {
            Room *room = nullptr;
            auto alice = joinedPeer(QStringLiteral("alice"), &room, dir.path());
            QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
            bobRoom->send(QStringLiteral("seen"));
            QTRY_COMPARE(room->messages()->count(), 1);
            QVERIFY(!alice->isRecovered());
            m_server->setRefuseConnections(true);
            QVERIFY(m_server->dropClient(QStringLiteral("alice")) > 0);
            QTRY_VERIFY(alice->state() != Client::State::Connected);
        }
        bobRoom->send(QStringLiteral("while away"));
        QTRY_COMPARE(bob->pendingMessageCount(), 0);

        QSignalSpy recoveredSockets(m_server.get(), &StubServer::socketConnected);
        auto alice = stubClient(QStringLiteral("alice"), dir.path());
        Room *room = alice->room(General);
        alice->open();
        m_server->setRefuseConnections(false);
        QTRY_COMPARE_WITH_TIMEOUT(alice->state(), Client::State::Connected, 10000);
        QVERIFY(alice->isRecovered());
        QCOMPARE(recoveredSockets.size(), 1);
        QCOMPARE(recoveredSockets.at(0).at(2).toBool(), true);
        QTRY_COMPARE(rowsOf(room->messages()),
            QStringList({ QStringLiteral("1:seen"), QStringLiteral("2:while away") }));
    }

    // The cache of a room keeps its newest storeHistoryLimit() messages and no more.
    void cacheStaysWithinItsBound()
    {
        ChatScript server;
        QVERIFY(server.listen());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto alice = clientAt(server.url(), QStringLiteral("alice"), dir.path());
        QCOMPARE(alice->storeHistoryLimit(), 5000);
        Room *room = alice->room(General);
        room->join();
        alice->open();
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        for (int i = 1; i <= 5300; ++i) {
            server.post(QStringLiteral("bob"), "general", "m" + std::to_string(i));
            if (i % 500 == 0) // in bursts, as a busy room
                QTRY_COMPARE(room->messages()->lastSeq(), i);
        }
        QTRY_COMPARE(room->messages()->lastSeq(), 5300);
        QTest::qWait(0); // the turn's commit
        qint64 oldest = 0;
        QCOMPARE(cachedRowsInFile(alice->storeFileName(), General, &oldest), 5000);
        QCOMPARE(oldest, 301);

        // A smaller bound applies at the next commit.
        QSignalSpy limitChanged(alice.get(), &Client::storeHistoryLimitChanged);
        alice->setStoreHistoryLimit(1000);
        QCOMPARE(limitChanged.size(), 1);
        server.post(QStringLiteral("bob"), "general", "one more");
        QTRY_COMPARE(room->messages()->lastSeq(), 5301);
        QTRY_COMPARE(cachedRowsInFile(alice->storeFileName(), General, &oldest), 1000);
        QCOMPARE(oldest, 4302);
    }

    // Another account signs in on the same Client (sign out, sign in as someone else): nothing
    // of the first account stays in memory or reaches the second one's file, and back again
    // the first account's rooms and timeline come back from its own file.
    void anotherAccountSeesNothingOfThePrevious()
    {
        startServer();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Room *bobRoom = nullptr;
        auto bob = joinedPeer(QStringLiteral("bob"), &bobRoom);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        auto client = stubClient(QStringLiteral("alice"), dir.path());
        Room *room = client->room(General);
        room->join();
        client->open();
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        bobRoom->send(QStringLiteral("for alice's eyes"));
        QTRY_COMPARE(room->messages()->count(), 1);
        const QString aliceFile = client->storeFileName();

        client->close();
        client->setToken(QString::fromUtf8(m_server->makeToken(QStringLiteral("carol"))));
        QVERIFY(client->storeFileName() != aliceFile);
        QCOMPARE(client->joinedRooms(), QStringList());
        QCOMPARE(client->roomList()->count(), 0);
        QVERIFY(client->userId() != QStringLiteral("alice"));
        QCOMPARE(room->messages()->count(), 0);
        QCOMPARE(room->joinState(), Room::JoinState::NotJoined);
        QVERIFY(room->lastMessage().id.isEmpty());
        client->open();
        QTRY_COMPARE(client->userId(), QStringLiteral("carol"));
        QTRY_COMPARE(client->roomList()->count(), 2);
        QTest::qWait(0); // the turn's commit
        QCOMPARE(client->joinedRooms(), QStringList());
        QCOMPARE(cachedRowsInFile(client->storeFileName(), General), 0);

        client->close();
        client->setToken(QString::fromUtf8(m_server->makeToken(QStringLiteral("alice"))));
        QCOMPARE(client->storeFileName(), aliceFile);
        QCOMPARE(client->userId(), QStringLiteral("alice"));
        QCOMPARE(client->joinedRooms(), QStringList { General });
        QCOMPARE(rowsOf(room->messages()), QStringList { QStringLiteral("1:for alice's eyes") });
        QVERIFY(room->isCached());
    }

    // The disk fills up (no file may grow: RLIMIT_FSIZE, which binds root too): the store says
    // so once and goes on in memory; a message that cannot be stored for sending is refused in
    // words, never dropped in silence; what was stored before is there at the next start.
    void aFullDiskIsReportedAndNothingIsLostInSilence()
    {
        StubConfig config = testConfig();
        config.rateBurst = 1000;
        config.ratePerSec = 1000;
        startServer(config);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        Room *bobRoom = nullptr;
        auto bob = joinedPeer(QStringLiteral("bob"), &bobRoom);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        Room *room = nullptr;
        auto alice = joinedPeer(QStringLiteral("alice"), &room, dir.path());
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        bobRoom->send(QStringLiteral("stored before"));
        QTRY_COMPARE(room->messages()->count(), 1);
        QTest::qWait(0); // the turn's commit
        const QString file = alice->storeFileName();
        QCOMPARE(cachedRowsInFile(file, General), 1);

        QSignalSpy errors(alice.get(), &Client::errorOccurred);
        const auto previous = std::signal(SIGXFSZ, SIG_IGN); // a failed write, not a signal
        rlimit old {};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        rlimit full = old;
        full.rlim_cur = 0; // not a byte more: not even a journal
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &full), 0);
        const QString big(3000, QLatin1Char('x'));
        for (int i = 0; i < 40; ++i)
            bobRoom->send(QStringLiteral("%1 ").arg(i) + big);
        QTRY_COMPARE(room->messages()->count(), 41);
        QTRY_VERIFY(!errors.isEmpty());
        const Message written = room->send(QStringLiteral("written on a full disk"));
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &old), 0);
        std::signal(SIGXFSZ, previous);

        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::StoreError);
        QVERIFY2(
            errors.at(0).at(1).toString().contains(QStringLiteral("Cannot write the local store")),
            qPrintable(errors.at(0).at(1).toString()));
        int storeErrors = 0;
        for (const QList<QVariant> &e : std::as_const(errors))
            storeErrors += e.at(0).value<Client::Error>() == Client::Error::StoreError;
        QCOMPARE(storeErrors, 1); // once, not at every turn
        // A message written meanwhile cannot be stored for sending: it says so, at once.
        QVERIFY2(!written.error.isEmpty(), "a message that cannot be queued says why");
        QCOMPARE(errors.last().at(0).value<Client::Error>(), Client::Error::OutboxError);
        QCOMPARE(alice->pendingMessageCount(), 0);
        // The Client goes on: live messages still arrive.
        bobRoom->send(QStringLiteral("still live"));
        QTRY_COMPARE(room->lastMessage().content, QStringLiteral("still live"));

        // What the file had is still there.
        alice.reset();
        QCOMPARE(cachedRowsInFile(file, General), 1);
        auto again = stubClient(QStringLiteral("alice"), dir.path());
        QCOMPARE(again->joinedRooms(), QStringList { General });
        QCOMPARE(
            again->room(General)->messages()->message(0).content, QStringLiteral("stored before"));
    }

    // A file that is not a store: StoreError, and the Client goes on in memory, sending.
    void corruptedStoreIsReportedAndTheClientStillWorks()
    {
        startServer();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString file;
        {
            auto alice = stubClient(QStringLiteral("alice"), dir.path());
            file = alice->storeFileName();
        }
        QVERIFY(QFile::exists(file));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            QByteArray garbage(64 * 1024, '\0');
            for (int i = 0; i < garbage.size(); ++i)
                garbage[i] = char((i * 131 + 7) & 0xff);
            f.write(garbage);
        }

        auto alice = std::make_unique<Client>();
        QSignalSpy errors(alice.get(), &Client::errorOccurred);
        alice->setUrl(m_server->url());
        alice->setToken(QString::fromUtf8(m_server->makeToken(QStringLiteral("alice"))));
        alice->setReconnectPolicy(fastPolicy());
        alice->setStoreDirectory(dir.path());
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::StoreError);
        QVERIFY2(errors.at(0).at(1).toString().contains(QStringLiteral("local store")),
            qPrintable(errors.at(0).at(1).toString()));

        Room *room = alice->room(General);
        room->join();
        const Message queued = room->send(QStringLiteral("still works"));
        QCOMPARE(queued.status, Message::Status::Pending);
        QSignalSpy acked(alice.get(), &Client::messageAcked);
        alice->open();
        QTRY_COMPARE(acked.size(), 1);
        QCOMPARE(rowsOf(room->messages()), QStringList { QStringLiteral("1:still works") });
        QCOMPARE(errors.size(), 1); // reported once, not at every turn
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.size(), 64 * 1024); // left as it was, for the user to look at
    }
};

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_localstore.moc"
