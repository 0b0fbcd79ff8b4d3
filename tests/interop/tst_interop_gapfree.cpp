// SPDX-License-Identifier: MIT
// Issue #14 against the Node reference server (server.js, socket.io 4.8 on a private redis-server,
// two nodes): after any reconnect every kept-joined room is back to a gap-free, duplicate-free
// stream for every consumer of the SDK.
//
// Two consumers of the same room, each its own Client and user, reach node 0 through a FaultProxy;
// the sender writes on node 1, so every message crosses the Redis adapter. Per outage the sender
// writes 500 messages (ten join pages) while the proxy keeps the consumers away.
// - A only calls Client::joinRoom() and listens to Client::messageReceived: every message after
//   its first join answer, once, each seq the previous one + 1, its own acked messages included.
// - B uses Client::room()->join(): its MessageModel ends with 1..N once each, in order, all Sent;
//   Room::messageReceived fires once per message after the join's first page, in seq order.
// Rows:
// - pub/sub adapter, recovery off: the proxy cuts; catch-up by history.
// - Streams adapter with recovery, node 0 SIGKILLed during the outage: a killed node saves no
//   session, so recovery cannot succeed on the node started in its place (the proxy is pointed
//   at it); catch-up by history.
// - Streams adapter with recovery, only the proxy cuts: node 0 keeps the session, `recovered`.
#include "faultproxy.h"
#include "gapcheck.h"
#include "interop.h"
#include "modelwatch.h"
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

using namespace Palaver;
using namespace Interop;
using Palaver::Test::FaultProxy;
using Palaver::Testing::missingAmong;
using Palaver::Testing::ModelWatch;
using Palaver::Testing::streamProblems;
using Palaver::Testing::timelineProblems;

namespace {

const QString General = QStringLiteral("general");

constexpr int Prior = 3; //!< in the room before the consumers join: their first join page
constexpr int Before = 10; //!< live, before each outage
constexpr int During = 500; //!< written while the consumers are away

bool isOk(const AckResult &r)
{
    return r.ok() && r.reply().value(QStringLiteral("ok")).toBool();
}

qint64 lastSeqOf(const QVariantMap &joinAck)
{
    qint64 last = 0;
    for (const QVariant &m : joinAck.value(QStringLiteral("messages")).toList())
        last = std::max(last, m.toMap().value(QStringLiteral("seq")).toLongLong());
    return last;
}

void sendAll(Client &client, const QString &room, int count, const QString &prefix)
{
    for (int i = 1; i <= count; ++i)
        client.sendMessage(room, QStringLiteral("%1 %2").arg(prefix).arg(i));
}

} // namespace

class TestInteropGapFree : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!nodePeersInstalled())
            QFAIL("tests/node/node_modules is missing: run packaging/install-deps.sh (npm ci)");
    }

    void everyConsumerIsGapFree_data()
    {
        QTest::addColumn<QString>("parserName");
        QTest::addColumn<QString>("adapter");
        QTest::addColumn<bool>("recovery");
        QTest::addColumn<bool>("killNode");
        QTest::addColumn<int>("outages");
        const auto rows = [](const char *parser, int outages) {
            const QByteArray tail
                = QByteArray(", ") + parser + (outages == 1 ? ", 1 outage" : ", 3 outages");
            QTest::newRow(QByteArray("pubsub, recovery off" + tail).constData())
                << QString::fromLatin1(parser) << QStringLiteral("pubsub") << false << false
                << outages;
            QTest::newRow(QByteArray("streams, node killed" + tail).constData())
                << QString::fromLatin1(parser) << QStringLiteral("streams") << true << true
                << outages;
            QTest::newRow(QByteArray("streams, recovered" + tail).constData())
                << QString::fromLatin1(parser) << QStringLiteral("streams") << true << false
                << outages;
        };
        rows("json", 1);
        rows("json", 3);
        rows("msgpack", 1);
    }

    void everyConsumerIsGapFree()
    {
        QFETCH(QString, parserName);
        QFETCH(QString, adapter);
        QFETCH(bool, recovery);
        QFETCH(bool, killNode);
        QFETCH(int, outages);
        const Client::Parser parser = parserName == QLatin1String("msgpack")
            ? Client::Parser::MessagePack
            : Client::Parser::Json;
        const bool expectRecovered = recovery && !killNode;

        NodeCluster cluster;
        NodeCluster::Options options;
        options.nodes = 2;
        options.adapter = adapter;
        options.parser = parser;
        options.recovery = recovery;
        options.extraArgs = { QStringLiteral("--rate-burst"), QStringLiteral("100000"),
            QStringLiteral("--rate-per-sec"), QStringLiteral("100000") };
        QVERIFY2(cluster.start(options), qPrintable(cluster.errorString()));
        int consumersNode = 0;
        FaultProxy proxy;
        proxy.setTarget(QHostAddress::LocalHost, quint16(cluster.url(consumersNode).port()));
        QVERIFY(proxy.listen());

        auto sender
            = makeClient({ cluster.url(1) }, cluster.token(QStringLiteral("sender")), parser);
        sender->open();
        QVERIFY(isOk(await(sender->joinRoom(General))));
        sendAll(*sender, General, Prior, QStringLiteral("prior"));
        QVERIFY(waitUntil([&] { return sender->pendingMessageCount() == 0; }, 10000));

        // Consumer A: the Client alone.
        auto alice = makeClient({ proxy.url() }, cluster.token(QStringLiteral("alice")), parser);
        QList<Message> aReceived;
        connect(alice.get(), &Client::messageReceived, this, [&aReceived](const Message &m) {
            if (m.roomId == General)
                aReceived.append(m);
        });
        QSignalSpy aRejoined(alice.get(), &Client::roomRejoined);
        QSet<qint64> aRejoinPages; // for the failure message: what A was handed and never told
        connect(alice.get(), &Client::roomRejoined, this,
            [&aRejoinPages](const QString &roomId, const QVariantMap &ack) {
                if (roomId != General)
                    return;
                for (const QVariant &m : ack.value(QStringLiteral("messages")).toList())
                    aRejoinPages.insert(m.toMap().value(QStringLiteral("seq")).toLongLong());
            });
        alice->open();
        const AckResult aJoin = await(alice->joinRoom(General));
        QVERIFY(isOk(aJoin));
        // Everything up to here is the first join's page: history, not news.
        const qint64 aBaseline = lastSeqOf(aJoin.reply());
        QCOMPARE(aBaseline, qint64(Prior));

        // Consumer B: a Room.
        auto bob = makeClient({ proxy.url() }, cluster.token(QStringLiteral("bob")), parser);
        Room *bRoom = bob->room(General);
        QVERIFY(bRoom);
        MessageModel *bModel = bRoom->messages();
        ModelWatch watch;
        watch.room(bRoom);
        QList<qint64> bRoomSeqs;
        connect(bRoom, &Room::messageReceived, this,
            [&bRoomSeqs](const Message &m) { bRoomSeqs.append(m.seq); });
        QSignalSpy bRejoined(bob.get(), &Client::roomRejoined);
        bob->open();
        bRoom->join();
        QTRY_COMPARE_WITH_TIMEOUT(bRoom->joinState(), Room::JoinState::Joined, 15000);
        QCOMPARE(bModel->count(), Prior);
        const qint64 bBaseline = Prior;

        qint64 total = Prior;
        for (int outage = 1; outage <= outages; ++outage) {
            sendAll(*sender, General, Before, QStringLiteral("before %1").arg(outage));
            total += Before;
            QTRY_COMPARE_WITH_TIMEOUT(bModel->lastSeq(), total, 15000);
            QVERIFY2(
                waitUntil(
                    [&] { return !aReceived.isEmpty() && aReceived.last().seq == total; }, 15000),
                qPrintable(
                    QStringLiteral("outage %1: A did not get live seq %2").arg(outage).arg(total)));

            proxy.setRefuse(true);
            if (killNode) {
                // SIGKILL: the node saves no session, and nothing of it is left to recover.
                QVERIFY(cluster.killNode(consumersNode, QStringLiteral("SIGKILL")));
            }
            proxy.cutAll();
            QTRY_VERIFY_WITH_TIMEOUT(alice->state() != Client::State::Connected, 10000);
            QTRY_VERIFY_WITH_TIMEOUT(bob->state() != Client::State::Connected, 10000);
            QVERIFY(
                alice->sendMessage(General, QStringLiteral("alice away %1").arg(outage)).isNull()
                == false);
            QCOMPARE(bRoom->send(QStringLiteral("bob away %1").arg(outage)).status,
                Message::Status::Pending);
            sendAll(*sender, General, During, QStringLiteral("during %1").arg(outage));
            QVERIFY2(waitUntil([&] { return sender->pendingMessageCount() == 0; }, 60000),
                qPrintable(
                    QStringLiteral("%1 messages still unsent").arg(sender->pendingMessageCount())));
            total += During + 2;
            if (killNode) {
                const QUrl replacement = cluster.startNode();
                QVERIFY2(replacement.isValid(), qPrintable(cluster.errorString()));
                consumersNode = int(cluster.urls().size()) - 1;
                proxy.setTarget(QHostAddress::LocalHost, quint16(replacement.port()));
            }
            QVERIFY2(alice->state() != Client::State::Connected
                    && bob->state() != Client::State::Connected,
                "a consumer came back before the outage's messages were written: the test proves "
                "nothing");

            const qsizetype aRejoins = aRejoined.size();
            const qsizetype bRejoins = bRejoined.size();
            proxy.setRefuse(false);
            QTRY_VERIFY_WITH_TIMEOUT(aRejoined.size() > aRejoins, 20000);
            QTRY_VERIFY_WITH_TIMEOUT(bRejoined.size() > bRejoins, 20000);
            QCOMPARE(alice->isRecovered(), expectRecovered);
            QCOMPARE(bob->isRecovered(), expectRecovered);
            QTRY_COMPARE_WITH_TIMEOUT(alice->pendingMessageCount(), 0, 20000);
            QTRY_COMPARE_WITH_TIMEOUT(bob->pendingMessageCount(), 0, 20000);
            QTRY_COMPARE_WITH_TIMEOUT(bModel->count(), int(total), 30000);
        }

        // One last live message, then a round trip of A's own: what the server sent A before
        // the answer has been handled when it arrives.
        sender->sendMessage(General, QStringLiteral("last"));
        total += 1;
        QTRY_COMPARE_WITH_TIMEOUT(bModel->lastSeq(), total, 15000);
        await(alice->request(QStringLiteral("room:history"),
            { QVariantMap { { QStringLiteral("roomId"), General },
                { QStringLiteral("after"), total }, { QStringLiteral("limit"), 1 } } }));
        // A may still be paging; the fixed SDK is done well within this.
        const qint64 aExpected = total - aBaseline;
        waitUntil([&] { return aReceived.size() >= aExpected; }, 10000);

        // B first: the Room path must hold in any SDK; then A, which issue #14 is about.
        const QString bTimeline = timelineProblems(bModel, total);
        QVERIFY2(bTimeline.isEmpty(), qPrintable(QStringLiteral("B's MessageModel: ") + bTimeline));
        const QString bSignal = streamProblems(bRoomSeqs, bBaseline + 1, total, true);
        QVERIFY2(
            bSignal.isEmpty(), qPrintable(QStringLiteral("B's Room::messageReceived: ") + bSignal));
        QList<qint64> aSeqs;
        int aOwn = 0;
        for (const Message &m : std::as_const(aReceived)) {
            aSeqs.append(m.seq);
            aOwn += m.authorId == QLatin1String("alice") ? 1 : 0;
        }
        const QString aStream = streamProblems(aSeqs, aBaseline + 1, total, true);
        QVERIFY2(aStream.isEmpty(),
            qPrintable(QStringLiteral("A's Client::messageReceived (%1 outage(s), baseline %2, "
                                      "%3 of its own, %4 of the missing were in re-join "
                                      "answers): ")
                           .arg(outages)
                           .arg(aBaseline)
                           .arg(aOwn)
                           .arg(missingAmong(aSeqs, aBaseline + 1, total, aRejoinPages))
                + aStream));
        QCOMPARE(aOwn, outages);

        alice->close();
        bob->close();
        sender->close();
        cluster.stop();
    }
};

QTEST_GUILESS_MAIN(TestInteropGapFree)
#include "tst_interop_gapfree.moc"
