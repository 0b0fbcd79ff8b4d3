// SPDX-License-Identifier: MIT
// Two Node socket.io nodes behind the Redis pub/sub adapter: C++ Clients on node 1 and node 2 in
// one room see each other's messages and presence exactly once; and the Node socket.io-client
// 4.8.4 (js/peer.mjs) and the C++ Client in one room, both directions, across the nodes. Every
// test runs with the JSON and the MessagePack parser (global data), each on its own cluster.
#include "interop.h"
#include <Palaver/client.h>

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <map>

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

int countEvents(
    const QSignalSpy &spy, const QString &name, const QString &key, const QString &value)
{
    int n = 0;
    for (const QList<QVariant> &call : spy) {
        if (call.at(0).toString() == name
            && call.at(1).toList().value(0).toMap().value(key).toString() == value)
            ++n;
    }
    return n;
}

} // namespace

class TestInteropCluster : public QObject {
    Q_OBJECT

    std::map<int, std::unique_ptr<NodeCluster>> m_clusters;
    std::vector<std::unique_ptr<Client>> m_clients;

    static Client::Parser parser()
    {
        QFETCH_GLOBAL(QString, parserName);
        return parserName == QLatin1String("msgpack") ? Client::Parser::MessagePack
                                                      : Client::Parser::Json;
    }

    NodeCluster *cluster()
    {
        auto &slot = m_clusters[int(parser())];
        if (!slot) {
            slot = std::make_unique<NodeCluster>();
            NodeCluster::Options options;
            options.nodes = 2;
            options.adapter = QStringLiteral("pubsub");
            options.parser = parser();
            if (!slot->start(options)) {
                qWarning("cluster: %s", qPrintable(slot->errorString()));
                slot.reset();
                return nullptr;
            }
        }
        return slot.get();
    }

    // A Client of `user` connected to node `node` only, or nullptr.
    Client *connectUser(const QString &user, int node)
    {
        NodeCluster *c = cluster();
        if (!c)
            return nullptr;
        auto client = makeClient({ c->url(node) }, c->token(user), parser());
        QSignalSpy ready(client.get(), &Client::sessionReady);
        client->open();
        if (!waitUntil([&] { return !ready.isEmpty(); }, 20000))
            return nullptr;
        m_clients.push_back(std::move(client));
        return m_clients.back().get();
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
    }

    void cleanup() { m_clients.clear(); }

    void cleanupTestCase()
    {
        m_clients.clear();
        for (auto &[parser, c] : m_clusters)
            c->stop();
        m_clusters.clear();
    }

    void acrossNodes()
    {
        const QString room = QStringLiteral("cross");
        const QString a = QStringLiteral("cross-a"), b = QStringLiteral("cross-b");
        Client *ca = connectUser(a, 0);
        QVERIFY(ca);
        QSignalSpy aEvents(ca, &Client::eventReceived);
        QSignalSpy aNew(ca, &Client::messageReceived);
        QVERIFY(isOk(await(ca->joinRoom(room))));

        Client *cb = connectUser(b, 1);
        QVERIFY(cb);
        QSignalSpy bEvents(cb, &Client::eventReceived);
        QSignalSpy bNew(cb, &Client::messageReceived);
        // Presence crosses the nodes: b's first socket is announced on node 1 as well.
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(aEvents, QStringLiteral("user:online"), QStringLiteral("userId"), b), 1,
            10000);
        const AckResult join = await(cb->joinRoom(room));
        QVERIFY(isOk(join));
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(aEvents, QStringLiteral("room:user-joined"), QStringLiteral("userId"), b),
            1, 10000);
        // The member list is shared through Redis: b on node 2 sees a from node 1.
        QStringList members;
        for (const QVariant &m : join.reply().value(QStringLiteral("members")).toList())
            members << m.toMap().value(QStringLiteral("id")).toString();
        members.sort();
        QCOMPARE(members, QStringList({ a, b }));

        // Messages both ways, each once on each side; seq is one sequence across the nodes.
        QSet<QString> ids;
        qint64 lastSeq = 0;
        for (int i = 0; i < 10; ++i) {
            Client *from = i % 2 ? cb : ca;
            const AckResult r = await(from->request(QStringLiteral("message:send"),
                { QVariantMap { { QStringLiteral("roomId"), room },
                    { QStringLiteral("content"), QStringLiteral("m%1").arg(i) },
                    { QStringLiteral("clientId"), newClientId() } } }));
            QVERIFY(isOk(r));
            const QVariantMap m = r.reply().value(QStringLiteral("message")).toMap();
            QCOMPARE(m.value(QStringLiteral("seq")).toLongLong(), lastSeq + 1);
            lastSeq = m.value(QStringLiteral("seq")).toLongLong();
            ids.insert(m.value(QStringLiteral("id")).toString());
        }
        QTRY_COMPARE_WITH_TIMEOUT(aNew.size(), 10, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bNew.size(), 10, 10000);
        QTest::qWait(300); // a duplicate through the other node would come now
        QCOMPARE(aNew.size(), 10);
        QCOMPARE(bNew.size(), 10);
        for (const QSignalSpy *spy : { &aNew, &bNew }) {
            QSet<QString> seen;
            for (int i = 0; i < spy->size(); ++i) {
                const Message m = spy->at(i).first().value<Message>();
                QVERIFY(!seen.contains(m.id));
                seen.insert(m.id);
                QCOMPARE(m.seq, qint64(i + 1)); // in order
            }
            QCOMPARE(seen, ids);
        }

        // Typing crosses the nodes too (volatile, to the other socket only).
        cb->sendVolatile(QStringLiteral("typing"),
            { QVariantMap {
                { QStringLiteral("roomId"), room }, { QStringLiteral("typing"), true } } });
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(aEvents, QStringLiteral("typing"), QStringLiteral("userId"), b), 1, 10000);

        // Leaving and going offline, announced across the nodes, once.
        QVERIFY(isOk(await(cb->leaveRoom(room))));
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(aEvents, QStringLiteral("room:user-left"), QStringLiteral("userId"), b), 1,
            10000);
        cb->close();
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(aEvents, QStringLiteral("user:offline"), QStringLiteral("userId"), b), 1,
            10000);
        QTest::qWait(300);
        for (const char *event :
            { "user:online", "room:user-joined", "room:user-left", "user:offline" })
            QCOMPARE(
                countEvents(aEvents, QString::fromLatin1(event), QStringLiteral("userId"), b), 1);
        QCOMPARE(countEvents(bEvents, QStringLiteral("typing"), QStringLiteral("userId"), b), 0);
    }

    void mixedClients()
    {
        const QString room = QStringLiteral("mixed");
        NodeCluster *c = cluster();
        QVERIFY(c);
        const QString cpp = QStringLiteral("mixed-cpp"), js = QStringLiteral("mixed-js");

        Client *client = connectUser(cpp, 0);
        QVERIFY(client);
        QSignalSpy events(client, &Client::eventReceived);
        QSignalSpy received(client, &Client::messageReceived);
        QVERIFY(isOk(await(client->joinRoom(room))));

        // The JS client on the other node.
        JsPeer peer;
        QVERIFY(peer.connectTo(c->url(1), c->token(js), parser()));
        QVERIFY(peer.takeEvent(QStringLiteral("session:ready")));
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(events, QStringLiteral("user:online"), QStringLiteral("userId"), js), 1,
            10000);
        const QJsonArray join = peer.request(QStringLiteral("room:join"), { room });
        QVERIFY(join.at(0).toObject().value(QStringLiteral("ok")).toBool());
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(events, QStringLiteral("room:user-joined"), QStringLiteral("userId"), js),
            1, 10000);

        // JS -> C++.
        const QString jsClientId = newClientId();
        const QJsonArray sent = peer.request(QStringLiteral("message:send"),
            { QJsonObject { { QStringLiteral("roomId"), room },
                { QStringLiteral("content"), QStringLiteral("hello from JS \u00e9\U0001F600") },
                { QStringLiteral("clientId"), jsClientId } } });
        const QJsonObject jsMessage
            = sent.at(0).toObject().value(QStringLiteral("message")).toObject();
        QVERIFY(!jsMessage.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 10000);
        const Message got = received.first().first().value<Message>();
        QCOMPARE(got.id, jsMessage.value(QStringLiteral("id")).toString());
        QCOMPARE(got.content, QStringLiteral("hello from JS \u00e9\U0001F600"));
        QCOMPARE(got.authorId, js);
        QCOMPARE(got.clientId, jsClientId);
        QCOMPARE(got.seq, qint64(jsMessage.value(QStringLiteral("seq")).toInteger()));
        // The JS client got its own message back as well.
        QVERIFY(peer.takeEvent(QStringLiteral("message:new"), [&](const QJsonArray &args) {
            return args.at(0).toObject().value(QStringLiteral("id")) == got.id;
        }));

        // C++ -> JS, through the outbox.
        QSignalSpy acked(client, &Client::messageAcked);
        const QUuid clientId = client->sendMessage(room, QStringLiteral("hello from C++ \u00fc"));
        QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 10000);
        const Message mine = acked.first().at(1).value<Message>();
        const auto fromCpp
            = peer.takeEvent(QStringLiteral("message:new"), [&](const QJsonArray &args) {
                  return args.at(0).toObject().value(QStringLiteral("id")) == mine.id;
              });
        QVERIFY(fromCpp);
        const QJsonObject m = fromCpp->at(0).toObject();
        QCOMPARE(
            m.value(QStringLiteral("content")).toString(), QStringLiteral("hello from C++ \u00fc"));
        QCOMPARE(m.value(QStringLiteral("userId")).toString(), cpp);
        QCOMPARE(m.value(QStringLiteral("clientId")).toString(),
            clientId.toString(QUuid::WithoutBraces));
        QCOMPARE(m.value(QStringLiteral("seq")).toInteger(), got.seq + 1);

        // Typing both ways.
        peer.emitEvent(QStringLiteral("typing"),
            { QJsonObject {
                { QStringLiteral("roomId"), room }, { QStringLiteral("typing"), true } } });
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(events, QStringLiteral("typing"), QStringLiteral("userId"), js), 1, 10000);
        client->sendVolatile(QStringLiteral("typing"),
            { QVariantMap {
                { QStringLiteral("roomId"), room }, { QStringLiteral("typing"), false } } });
        QVERIFY(peer.takeEvent(QStringLiteral("typing"), [&](const QJsonArray &args) {
            const QJsonObject t = args.at(0).toObject();
            return t.value(QStringLiteral("userId")) == cpp
                && !t.value(QStringLiteral("typing")).toBool();
        }));

        // Exactly once each way.
        QTest::qWait(300);
        QCOMPARE(received.size(), 2); // the JS message and our own
        QCOMPARE(peer.countEvents(
                     QStringLiteral("message:new"), [](const QJsonArray &) { return true; }),
            0);

        // The JS client leaves: the C++ client hears it once.
        peer.stop();
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(events, QStringLiteral("room:user-left"), QStringLiteral("userId"), js), 1,
            10000);
        QTRY_COMPARE_WITH_TIMEOUT(
            countEvents(events, QStringLiteral("user:offline"), QStringLiteral("userId"), js), 1,
            10000);
    }
};

QTEST_GUILESS_MAIN(TestInteropCluster)
#include "tst_interop_cluster.moc"
