// SPDX-License-Identifier: MIT
// Failover across a two-node Node socket.io cluster: the Client is given both nodes' URLs, node 1
// goes away while another user (on node 2) keeps writing and the Client queues a message of its
// own, the Client reconnects to node 2, joins its room again, and the Room's MessageModel
// (Client::room) ends gap-free and duplicate-free, our own message Sent in place.
//
// - Redis pub/sub adapter, node killed (SIGKILL): no recovery is possible (that adapter never
//   recovers), so the Room catches up by `room:history {after: lastSeq}`.
// - Redis Streams adapter with recovery, node stopped (SIGTERM): the node saves the session in
//   Redis as it shuts down, node 2 restores it: `recovered` is true, the missed messages are
//   replayed before the CONNECT ack, and no `room:history` request is made.
// - Redis Streams adapter with recovery, node killed (SIGKILL): a killed node saves nothing, so
//   there is no session to restore; history catch-up again.
//
// How "no history request" is established, two ways: every `room:history` request the SDK sends
// is counted from its own log (palaver.protocol logs each event it sends, by name; the test turns
// that category on and installs a message handler), and the missed messages must all have been
// delivered as live `message:new` events before the Client announced `connected()`, i.e. by the
// server's replay.
#include "interop.h"
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QAbstractItemModelTester>
#include <QLoggingCategory>
#include <QMutex>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace Palaver;
using namespace Interop;

namespace {

bool isOk(const AckResult &r)
{
    return r.ok() && r.reply().value(QStringLiteral("ok")).toBool();
}

QString newClientId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QMutex logMutex;
int historyRequestsLogged = 0;
QtMessageHandler previousHandler = nullptr;

void countingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && qstrcmp(context.category, "palaver.protocol") == 0
        && message.startsWith(QLatin1String("sending"))
        && message.contains(QLatin1String("room:history"))) {
        QMutexLocker lock(&logMutex);
        ++historyRequestsLogged;
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

int loggedHistoryRequests()
{
    QMutexLocker lock(&logMutex);
    return historyRequestsLogged;
}

} // namespace

class TestInteropFailover : public QObject {
    Q_OBJECT

    static Client::Parser parser()
    {
        QFETCH_GLOBAL(QString, parserName);
        return parserName == QLatin1String("msgpack") ? Client::Parser::MessagePack
                                                      : Client::Parser::Json;
    }

    // One message from `client` to `room`; its seq, or 0.
    static qint64 post(Client *client, const QString &room, const QString &text)
    {
        const AckResult r = await(client->request(QStringLiteral("message:send"),
            { QVariantMap { { QStringLiteral("roomId"), room }, { QStringLiteral("content"), text },
                { QStringLiteral("clientId"), newClientId() } } }));
        return isOk(r) ? r.reply()
                             .value(QStringLiteral("message"))
                             .toMap()
                             .value(QStringLiteral("seq"))
                             .toLongLong()
                       : 0;
    }

private Q_SLOTS:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("parserName");
        QTest::newRow("json") << QStringLiteral("json");
        QTest::newRow("msgpack") << QStringLiteral("msgpack");
    }

    void initTestCase()
    {
        if (!nodePeersInstalled())
            QFAIL("tests/node/node_modules is missing: run packaging/install-deps.sh (npm ci)");
        QLoggingCategory::setFilterRules(QStringLiteral("palaver.*.debug=true"));
        previousHandler = qInstallMessageHandler(countingHandler);
    }

    void cleanupTestCase() { qInstallMessageHandler(previousHandler); }

    void failover_data()
    {
        QTest::addColumn<QString>("adapter");
        QTest::addColumn<bool>("recovery");
        QTest::addColumn<QString>("signal");
        QTest::addColumn<bool>("expectRecovered");
        QTest::newRow("pubsub, killed")
            << QStringLiteral("pubsub") << false << QStringLiteral("SIGKILL") << false;
        QTest::newRow("streams, stopped")
            << QStringLiteral("streams") << true << QStringLiteral("SIGTERM") << true;
        QTest::newRow("streams, killed")
            << QStringLiteral("streams") << true << QStringLiteral("SIGKILL") << false;
    }

    void failover()
    {
        QFETCH(QString, adapter);
        QFETCH(bool, recovery);
        QFETCH(QString, signal);
        QFETCH(bool, expectRecovered);
        const QString room = QStringLiteral("failover");

        NodeCluster cluster;
        NodeCluster::Options options;
        options.nodes = 2;
        options.adapter = adapter;
        options.parser = parser();
        options.recovery = recovery;
        QVERIFY2(cluster.start(options), qPrintable(cluster.errorString()));

        // The writer stays on node 2 throughout.
        auto writer
            = makeClient({ cluster.url(1) }, cluster.token(QStringLiteral("writer")), parser());
        writer->open();
        QVERIFY(isOk(await(writer->joinRoom(room))));

        // The reader knows both nodes and starts on node 1. A fixed 3 s backoff leaves the
        // writer a window to post while the reader is certainly away.
        auto reader = makeClient(cluster.urls(), cluster.token(QStringLiteral("reader")), parser());
        ReconnectPolicy policy;
        policy.setInitialDelay(3000);
        policy.setMaxDelay(3000);
        policy.setJitter(0);
        reader->setReconnectPolicy(policy);
        // The SDK's own room timeline, watched by a model tester from before any data arrives.
        Room *timeline = reader->room(room);
        QVERIFY(timeline);
        MessageModel *model = timeline->messages();
        QAbstractItemModelTester tester(
            model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        // message:new deliveries per id, to tell a replay from a catch-up and to catch doubles.
        QHash<QString, int> live;
        connect(reader.get(), &Client::messageReceived, this, [&](const Message &m) {
            if (m.roomId == room)
                live[m.id] += 1;
        });
        QSignalSpy disconnected(reader.get(), &Client::disconnected);
        QSignalSpy connected(reader.get(), &Client::connected);
        QSignalSpy rejoined(reader.get(), &Client::roomRejoined);
        reader->open();
        timeline->join();
        QTRY_COMPARE_WITH_TIMEOUT(timeline->joinState(), Room::JoinState::Joined, 15000);
        QCOMPARE(reader->url(), cluster.url(0));

        // Before: live.
        for (int i = 1; i <= 3; ++i)
            QCOMPARE(post(writer.get(), room, QStringLiteral("before %1").arg(i)), qint64(i));
        QTRY_COMPARE_WITH_TIMEOUT(model->lastSeq(), qint64(3), 10000);

        // Node 1 goes away.
        const int historyBefore = loggedHistoryRequests();
        QVERIFY(cluster.killNode(0, signal));
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
        QVERIFY(reader->state() != Client::State::Connected);

        // During the outage: the writer posts, and the reader sends a message of its own (a
        // Pending row, in the outbox until the reconnect).
        QStringList missedIds;
        for (int i = 1; i <= 5; ++i) {
            const AckResult r = await(writer->request(QStringLiteral("message:send"),
                { QVariantMap { { QStringLiteral("roomId"), room },
                    { QStringLiteral("content"), QStringLiteral("during %1").arg(i) },
                    { QStringLiteral("clientId"), newClientId() } } }));
            QVERIFY(isOk(r));
            missedIds << r.reply()
                             .value(QStringLiteral("message"))
                             .toMap()
                             .value(QStringLiteral("id"))
                             .toString();
        }
        QSignalSpy acked(reader.get(), &Client::messageAcked);
        const Message pending = timeline->send(QStringLiteral("queued while away"));
        QCOMPARE(pending.status, Message::Status::Pending);
        QVERIFY2(reader->state() != Client::State::Connected,
            "the reader came back before the outage messages were written; the test proves "
            "nothing");

        // Back, on node 2.
        QHash<QString, int> liveAtConnect;
        connect(reader.get(), &Client::connected, this, [&] { liveAtConnect = live; });
        QTRY_VERIFY_WITH_TIMEOUT(reader->state() == Client::State::Connected, 20000);
        QCOMPARE(reader->url(), cluster.url(1));
        QCOMPARE(reader->isRecovered(), expectRecovered);
        QTRY_VERIFY_WITH_TIMEOUT(!rejoined.isEmpty(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 10000);
        QCOMPARE(acked.first().at(1).value<Message>().seq, qint64(9));

        // After: live again.
        for (int i = 1; i <= 2; ++i)
            QCOMPARE(post(writer.get(), room, QStringLiteral("after %1").arg(i)), qint64(9 + i));

        const auto gapFree = [model] {
            if (model->rowCount() != 11)
                return false;
            QSet<QString> ids;
            for (int row = 0; row < model->rowCount(); ++row) {
                const Message m = model->message(row);
                if (m.seq != row + 1 || m.status != Message::Status::Sent || ids.contains(m.id))
                    return false;
                ids.insert(m.id);
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(gapFree(), 15000);
        QTest::qWait(300); // a late duplicate would arrive now
        QVERIFY2(gapFree(),
            qPrintable(QStringLiteral("rows %1, last seq %2")
                           .arg(model->rowCount())
                           .arg(model->lastSeq())));
        QCOMPARE(model->message(8).clientId, pending.clientId); // our row, Sent in place
        // No message was delivered live twice (a replay overlapping a live delivery, say).
        for (auto it = live.cbegin(); it != live.cend(); ++it)
            QVERIFY2(it.value() == 1, qPrintable(it.key()));

        const int historyRequests = loggedHistoryRequests() - historyBefore;
        if (expectRecovered) {
            // The replay brought the missed messages, before connected(): no catch-up at all.
            for (const QString &id : std::as_const(missedIds))
                QVERIFY2(liveAtConnect.value(id) == 1, qPrintable(id));
            QCOMPARE(historyRequests, 0);
        } else {
            // Nothing was replayed: the Room caught up from the join answer and history by seq.
            for (const QString &id : std::as_const(missedIds))
                QVERIFY2(liveAtConnect.value(id) == 0, qPrintable(id));
        }
        qInfo("%s: %d reconnection(s), %d history request(s), recovered %d",
            qPrintable(QString::fromLatin1(QTest::currentDataTag())), int(connected.size() - 1),
            historyRequests, int(reader->isRecovered()));

        reader->close();
        writer->close();
        cluster.stop();
    }
};

QTEST_GUILESS_MAIN(TestInteropFailover)
#include "tst_interop_failover.moc"
