// SPDX-License-Identifier: MIT
// Client against the in-process StubServer: the real chat contract, restarts, stalls, the
// outbox across disconnects and across Client instances, and what reaches the logs.
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMutex>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;

namespace {

StubConfig testConfig()
{
    StubConfig config;
    config.secret = QByteArrayLiteral("sdk-test-secret");
    config.rooms = {
        { QStringLiteral("general"), QStringLiteral("General"), false, {} },
        { QStringLiteral("staff"), QStringLiteral("Staff"), true, { QStringLiteral("dave") } },
    };
    return config;
}

ReconnectPolicy fastPolicy()
{
    ReconnectPolicy p;
    p.setInitialDelay(100);
    p.setMaxDelay(400);
    return p;
}

// Every log line, for the test that looks for secrets in them.
QMutex logMutex;
QStringList *logLines = nullptr;
int infoLinesLogged = 0; // SDK info lines are off by default: make sure they were on
QtMessageHandler previousHandler = nullptr;
void recordingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        if (logLines) {
            logLines->append(QString::fromLatin1(context.category ? context.category : "")
                + QLatin1Char(' ') + message);
            if (type == QtInfoMsg)
                ++infoLinesLogged;
        }
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

} // namespace

class TestClientStub : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;

    void startServer(StubConfig config = testConfig())
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }

    std::unique_ptr<Client> makeClient(const QString &user)
    {
        auto client = std::make_unique<Client>();
        client->setUrl(m_server->url());
        client->setToken(QString::fromUtf8(m_server->makeToken(user)));
        client->setReconnectPolicy(fastPolicy());
        client->setRequestTimeout(3000);
        return client;
    }

    // The room's whole history as a second user sees it.
    QVariantList history(const QString &room)
    {
        auto reader = makeClient(QStringLiteral("reader"));
        reader->open();
        if (!QTest::qWaitFor([&] { return reader->state() == Client::State::Connected; }, 5000))
            return {};
        QFuture<AckResult> join = reader->joinRoom(room);
        if (!QTest::qWaitFor([&] { return join.isFinished(); }, 5000))
            return {};
        QFuture<AckResult> page = reader->request(QStringLiteral("room:history"),
            { QVariantMap {
                { QStringLiteral("roomId"), room }, { QStringLiteral("limit"), 100 } } });
        if (!QTest::qWaitFor([&] { return page.isFinished(); }, 5000) || !page.result().ok())
            return {};
        return page.result().reply().value(QStringLiteral("messages")).toList();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
        qRegisterMetaType<Message>();
    }
    void cleanup() { m_server.reset(); }

    void connectJoinSend()
    {
        startServer();
        auto client = makeClient(QStringLiteral("alice"));
        QSignalSpy ready(client.get(), &Client::sessionReady);
        QSignalSpy received(client.get(), &Client::messageReceived);
        QSignalSpy acked(client.get(), &Client::messageAcked);
        QSignalSpy joined(client.get(), &Client::roomJoined);
        client->open();
        QTRY_COMPARE(client->state(), Client::State::Connected);
        QTRY_COMPARE(ready.size(), 1);
        QCOMPARE(ready.at(0)
                     .at(0)
                     .toMap()
                     .value(QStringLiteral("user"))
                     .toMap()
                     .value(QStringLiteral("id")),
            QVariant(QStringLiteral("alice")));
        QFuture<AckResult> join = client->joinRoom(QStringLiteral("general"));
        QTRY_VERIFY(join.isFinished());
        QVERIFY(join.result().reply().value(QStringLiteral("ok")).toBool());
        QCOMPARE(joined.size(), 1);
        QCOMPARE(client->joinedRooms(), QStringList { QStringLiteral("general") });

        const QUuid id
            = client->sendMessage(QStringLiteral("general"), QStringLiteral("  hello  "));
        QVERIFY(!id.isNull());
        QTRY_COMPARE(acked.size(), 1);
        QCOMPARE(acked.at(0).at(0).toUuid(), id);
        const auto m = acked.at(0).at(1).value<Message>();
        QCOMPARE(m.content, QStringLiteral("hello"));
        QCOMPARE(m.seq, 1);
        QCOMPARE(m.authorId, QStringLiteral("alice"));
        QCOMPARE(m.clientId, id.toString(QUuid::WithoutBraces));
        QVERIFY(m.createdAt.isValid());
        QTRY_COMPARE(received.size(), 1);
        QCOMPARE(received.at(0).at(0).value<Message>().id, m.id);
        QCOMPARE(client->pendingMessageCount(), 0);
    }

    void refusedTokenExactlyOneAttempt()
    {
        startServer();
        QSignalSpy closed(m_server.get(), &StubServer::connectionClosed);
        Client client;
        client.setUrl(m_server->url());
        client.setToken(QStringLiteral("not-a-jwt"));
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy states(&client, &Client::stateChanged);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Failed);
        QCOMPARE(client.error(), Client::Error::InvalidToken);
        QTest::qWait(800); // two backoffs of fastPolicy: nothing else may happen
        int connecting = 0;
        for (const auto &s : states)
            connecting += s.at(0).value<Client::State>() == Client::State::Connecting;
        QCOMPARE(connecting, 1);
        QCOMPARE(m_server->connectionCount(), 0);
    }

    void refusedMessagesAreFinal()
    {
        startServer();
        auto client = makeClient(QStringLiteral("alice"));
        QSignalSpy refused(client.get(), &Client::messageRefused);
        QSignalSpy joinFailed(client.get(), &Client::roomJoinFailed);
        client->open();
        QTRY_COMPARE(client->state(), Client::State::Connected);
        const QUuid empty = client->sendMessage(QStringLiteral("general"), QStringLiteral("   "));
        const QUuid longOne
            = client->sendMessage(QStringLiteral("general"), QString(4001, QLatin1Char('x')));
        const QUuid privateOne = client->sendMessage(QStringLiteral("staff"), QStringLiteral("hi"));
        QTRY_COMPARE(refused.size(), 3);
        QHash<QUuid, QString> codes;
        for (const auto &r : refused)
            codes.insert(r.at(0).toUuid(), r.at(1).toString());
        QCOMPARE(codes.value(empty), QStringLiteral("invalid"));
        QCOMPARE(codes.value(longOne), QStringLiteral("too_long"));
        QCOMPARE(codes.value(privateOne), QStringLiteral("access_denied"));
        QCOMPARE(joinFailed.size(), 1);
        QCOMPARE(client->pendingMessageCount(), 0);
        QCOMPARE(client->joinedRooms(), QStringList { QStringLiteral("general") });
    }

    void stubRestartReconnectsWithinBounds()
    {
        startServer();
        auto client = makeClient(QStringLiteral("alice"));
        client->open();
        QTRY_COMPARE(client->state(), Client::State::Connected);
        QFuture<AckResult> join = client->joinRoom(QStringLiteral("general"));
        QTRY_VERIFY(join.isFinished());

        QElapsedTimer clock;
        QList<QPair<int, qint64>> scheduled; // attempt, when
        QList<qint64> connectingAt;
        connect(client.get(), &Client::reconnectScheduled, this, [&](int attempt, int) {
            scheduled.append({ attempt, clock.elapsed() });
        });
        connect(client.get(), &Client::stateChanged, this, [&](Client::State s) {
            if (s == Client::State::Connecting)
                connectingAt.append(clock.elapsed());
        });
        QSignalSpy rejoined(client.get(), &Client::roomRejoined);
        clock.start();
        QVERIFY(m_server->restart());
        QTRY_COMPARE(client->state(), Client::State::Connected);
        QTRY_COMPARE(rejoined.size(), 1);
        QCOMPARE(rejoined.at(0).at(0).toString(), QStringLiteral("general"));
        QVERIFY(!scheduled.isEmpty());
        QCOMPARE(connectingAt.size(), scheduled.size());
        for (int i = 0; i < scheduled.size(); ++i) {
            const int attempt = scheduled.at(i).first;
            const qint64 waited = connectingAt.at(i) - scheduled.at(i).second;
            const double base = std::min(100.0 * std::pow(2.0, attempt - 1), 400.0);
            // The timer may fire a little late, never early.
            QVERIFY2(waited >= base * 0.5 - 1 && waited <= std::min(base * 1.5, 400.0) + 100,
                qPrintable(QStringLiteral("attempt %1 waited %2").arg(attempt).arg(waited)));
        }
    }

    void stubStopsPinging()
    {
        StubConfig config = testConfig();
        config.pingInterval = 200;
        config.pingTimeout = 200;
        startServer(config);
        auto client = makeClient(QStringLiteral("alice"));
        client->open();
        QTRY_COMPARE(client->state(), Client::State::Connected);
        QElapsedTimer t;
        t.start();
        m_server->setPingsPaused(true);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), Client::State::Reconnecting, 3000);
        QVERIFY2(t.elapsed() <= 200 + 200 + 250, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(client->error(), Client::Error::PingTimeout);
        m_server->setPingsPaused(false);
        QTRY_COMPARE(client->state(), Client::State::Connected);
    }

    void outboxAcrossDisconnect()
    {
        startServer();
        auto client = makeClient(QStringLiteral("alice"));
        QSignalSpy acked(client.get(), &Client::messageAcked);
        client->open();
        QTRY_COMPARE(client->state(), Client::State::Connected);
        QFuture<AckResult> join = client->joinRoom(QStringLiteral("general"));
        QTRY_VERIFY(join.isFinished());

        QList<QUuid> ids;
        ids.append(client->sendMessage(QStringLiteral("general"), QStringLiteral("m0")));
        // In flight when the connection drops: the answer may be lost, the retry must not
        // store it twice.
        m_server->setRefuseConnections(true);
        QVERIFY(m_server->dropClient(QStringLiteral("alice")) >= 1);
        QTRY_VERIFY(client->state() != Client::State::Connected);
        for (int i = 1; i <= 3; ++i)
            ids.append(
                client->sendMessage(QStringLiteral("general"), QStringLiteral("m%1").arg(i)));
        QVERIFY(client->pendingMessageCount() >= 3);
        QTest::qWait(300);
        m_server->setRefuseConnections(false);
        QTRY_COMPARE_WITH_TIMEOUT(client->pendingMessageCount(), 0, 10000);
        QTRY_VERIFY(acked.size() >= 4);

        const QVariantList stored = history(QStringLiteral("general"));
        QCOMPARE(stored.size(), 4);
        for (int i = 0; i < 4; ++i) {
            const QVariantMap m = stored.at(i).toMap();
            QCOMPARE(m.value(QStringLiteral("clientId")).toString(),
                ids.at(i).toString(QUuid::WithoutBraces));
            QCOMPARE(m.value(QStringLiteral("content")).toString(), QStringLiteral("m%1").arg(i));
        }
    }

    // rate_limited is not final: the outbox waits retryAfterMs and sends again, in order.
    void rateLimitedMessagesWaitAndArrive()
    {
        StubConfig config = testConfig();
        config.rateBurst = 2;
        config.ratePerSec = 10;
        startServer(config);
        auto client = makeClient(QStringLiteral("alice"));
        QSignalSpy acked(client.get(), &Client::messageAcked);
        QSignalSpy refused(client.get(), &Client::messageRefused);
        client->open();
        QTRY_COMPARE(client->state(), Client::State::Connected);
        QList<QUuid> ids;
        for (int i = 0; i < 6; ++i)
            ids.append(
                client->sendMessage(QStringLiteral("general"), QStringLiteral("r%1").arg(i)));
        QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 6, 10000);
        QCOMPARE(refused.size(), 0);
        const QVariantList stored = history(QStringLiteral("general"));
        QCOMPARE(stored.size(), 6);
        QSet<QString> unique;
        for (const auto &m : stored)
            unique.insert(m.toMap().value(QStringLiteral("clientId")).toString());
        QCOMPARE(unique.size(), 6);
    }

    void outboxAcrossClientInstances()
    {
        startServer();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("outbox.sqlite"));
        QList<QUuid> ids;
        {
            auto client = makeClient(QStringLiteral("alice"));
            QVERIFY(client->setOutboxPath(path));
            for (int i = 0; i < 3; ++i)
                ids.append(
                    client->sendMessage(QStringLiteral("general"), QStringLiteral("p%1").arg(i)));
            QCOMPARE(client->pendingMessageCount(), 3);
            // Destroyed without ever connecting.
        }
        auto client = makeClient(QStringLiteral("alice"));
        QVERIFY(client->setOutboxPath(path));
        QCOMPARE(client->pendingMessageCount(), 3);
        const QList<Message> pending = client->pendingMessages();
        QCOMPARE(pending.size(), 3);
        QCOMPARE(pending.at(0).status, Message::Status::Pending);
        QCOMPARE(pending.at(2).clientId, ids.at(2).toString(QUuid::WithoutBraces));
        QSignalSpy acked(client.get(), &Client::messageAcked);
        client->open();
        QTRY_COMPARE(acked.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(acked.at(i).at(0).toUuid(), ids.at(i));
        QCOMPARE(client->pendingMessageCount(), 0);
        client.reset();
        // A third instance finds nothing left, and nothing was stored twice.
        auto third = makeClient(QStringLiteral("alice"));
        QVERIFY(third->setOutboxPath(path));
        QCOMPARE(third->pendingMessageCount(), 0);
        QCOMPARE(history(QStringLiteral("general")).size(), 3);
    }

    void storeDirectoryKeepsEachAccountsQueueAcrossRestarts()
    {
        startServer();
        m_server->setRefuseConnections(true); // the server is down the whole first session
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString store = dir.filePath(QStringLiteral("accounts"));
        QString aliceFile;
        QList<QUuid> ids;
        {
            auto client = makeClient(QStringLiteral("alice"));
            QSignalSpy fileChanged(client.get(), &Client::storeFileNameChanged);
            // A message queued before the folder is known moves into the account's file.
            ids.append(client->sendMessage(QStringLiteral("general"), QStringLiteral("early")));
            client->setStoreDirectory(store);
            aliceFile = client->storeFileName();
            QVERIFY(fileChanged.size() >= 1);
            QVERIFY2(aliceFile.startsWith(store + QLatin1Char('/')), qPrintable(aliceFile));
            QVERIFY2(QFileInfo(aliceFile).fileName().startsWith(
                         QStringLiteral("alice@127.0.0.1_%1-").arg(m_server->serverPort())),
                qPrintable(aliceFile));
            QVERIFY(QFile::exists(aliceFile));
            client->open();
            ids.append(client->sendMessage(QStringLiteral("general"), QStringLiteral("offline")));
            QCOMPARE(client->pendingMessageCount(), 2);

            // Another user's token: another file; alice's messages are never sent as bob.
            client->setToken(QString::fromUtf8(m_server->makeToken(QStringLiteral("bob"))));
            QVERIFY(client->storeFileName() != aliceFile);
            QCOMPARE(client->pendingMessageCount(), 0);
            client->setToken(QString::fromUtf8(m_server->makeToken(QStringLiteral("alice"))));
            QCOMPARE(client->storeFileName(), aliceFile);
            QCOMPARE(client->pendingMessageCount(), 2);
            // The app is closed with the server still down.
        }
        auto again = makeClient(QStringLiteral("alice"));
        again->setStoreDirectory(store);
        QCOMPARE(again->storeFileName(), aliceFile);
        QCOMPARE(again->pendingMessageCount(), 2);
        QCOMPARE(again->pendingMessages().at(1).content, QStringLiteral("offline"));
        QSignalSpy acked(again.get(), &Client::messageAcked);
        again->open();
        m_server->setRefuseConnections(false); // the server is back
        QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 2, 10000);
        QCOMPARE(acked.at(0).at(0).toUuid(), ids.at(0));
        QCOMPARE(acked.at(1).at(0).toUuid(), ids.at(1));
        QCOMPARE(again->pendingMessageCount(), 0);
        const QVariantList stored = history(QStringLiteral("general"));
        QCOMPARE(stored.size(), 2); // each once
        QCOMPARE(stored.at(0).toMap().value(QStringLiteral("content")).toString(),
            QStringLiteral("early"));

        // Signing out for good deletes the account's file.
        QVERIFY(again->removeStore());
        QVERIFY(!QFile::exists(aliceFile));
        QVERIFY(again->storeFileName().isEmpty());
        QVERIFY(!again->removeStore());
    }

    void storeFileOfATokenProvidersAccount()
    {
        // With a token provider the account is not known before the first connection attempt
        // asks it for a token: no file until then, and that token's user's file after.
        startServer();
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto client = std::make_unique<Client>();
        client->setUrl(m_server->url());
        client->setReconnectPolicy(fastPolicy());
        client->setStoreDirectory(dir.path());
        QVERIFY(client->storeFileName().isEmpty());
        const QString token = QString::fromUtf8(m_server->makeToken(QStringLiteral("carol")));
        client->setTokenProvider([token](const Client::TokenCallback &give) { give(token); });
        QSignalSpy fileChanged(client.get(), &Client::storeFileNameChanged);
        client->open();
        QTRY_COMPARE(client->state(), Client::State::Connected);
        QVERIFY(fileChanged.size() >= 1);
        QVERIFY2(QFileInfo(client->storeFileName()).fileName().startsWith(QStringLiteral("carol@")),
            qPrintable(client->storeFileName()));
        QCOMPARE(client->userId(), QStringLiteral("carol"));
    }

    void outboxIsBounded()
    {
        startServer();
        auto client = makeClient(QStringLiteral("alice"));
        client->setOutboxCapacity(2);
        QSignalSpy errors(client.get(), &Client::errorOccurred);
        QVERIFY(!client->sendMessage(QStringLiteral("general"), QStringLiteral("a")).isNull());
        QVERIFY(!client->sendMessage(QStringLiteral("general"), QStringLiteral("b")).isNull());
        QVERIFY(client->sendMessage(QStringLiteral("general"), QStringLiteral("c")).isNull());
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::OutboxFull);
        QCOMPARE(client->state(), Client::State::Disconnected); // not a connection error
        QCOMPARE(client->error(), Client::Error::NoError);
    }

    // Every palaver.* category at every level, a full session: no line may carry the token, the
    // message content or the recovery pid.
    void secretsNeverLogged()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("palaver.*=true"));
        StubConfig config = testConfig();
        config.recovery = true;
        startServer(config);
        QStringList lines;
        {
            QMutexLocker lock(&logMutex);
            logLines = &lines;
        }
        previousHandler = qInstallMessageHandler(recordingHandler);
        const QString token = QString::fromUtf8(m_server->makeToken(QStringLiteral("alice")));
        const QString content = QStringLiteral("top-secret-content-4711");
        {
            auto client = makeClient(QStringLiteral("alice"));
            client->setToken(token);
            QSignalSpy acked(client.get(), &Client::messageAcked);
            QSignalSpy received(client.get(), &Client::messageReceived);
            client->open();
            QTRY_COMPARE(client->state(), Client::State::Connected);
            client->sendMessage(QStringLiteral("general"), content);
            QTRY_COMPARE(acked.size(), 1);
            QTRY_COMPARE(received.size(), 1);
            m_server->dropClient(QStringLiteral("alice")); // reconnect: pid and offset go out
            QTRY_COMPARE(client->state(), Client::State::Reconnecting);
            QTRY_COMPARE(client->state(), Client::State::Connected);
            client->close();
        }
        qInstallMessageHandler(previousHandler);
        {
            QMutexLocker lock(&logMutex);
            logLines = nullptr;
        }
        QVERIFY(lines.size() > 10);
        QVERIFY(infoLinesLogged > 0);
        bool sawClient = false;
        for (const auto &line : std::as_const(lines)) {
            sawClient |= line.startsWith(QLatin1String("palaver.client"));
            QVERIFY2(!line.contains(token), qPrintable(line));
            // A JWT's signature alone must not leak either.
            QVERIFY2(!line.contains(token.section(QLatin1Char('.'), 2)), qPrintable(line));
            QVERIFY2(!line.contains(content), qPrintable(line));
            QVERIFY2(!line.contains(QLatin1String("\"pid\"")), qPrintable(line));
        }
        QVERIFY(sawClient);
    }
};

QTEST_GUILESS_MAIN(TestClientStub)
#include "tst_clientstub.moc"
