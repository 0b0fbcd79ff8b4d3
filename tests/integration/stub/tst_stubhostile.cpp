// SPDX-License-Identifier: MIT
// Malformed and hostile clients: each is closed, and a client connected beside it is untouched.

#include "rawclient.h"
#include <Palaver/Stub/stubserver.h>

#include <QTest>

using namespace Palaver::Stub;
using namespace Palaver::Stub::Testing;
using Palaver::Protocol::ParserKind;

class TestStubHostile : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<StubServer> m_server;
    std::unique_ptr<RawClient> m_bystander;

    void startServer(StubConfig config)
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
        m_bystander = connectedClient(*m_server, QStringLiteral("bob"),
            m_server->config().parser == StubConfig::Parser::Msgpack ? ParserKind::Msgpack
                                                                     : ParserKind::Json);
        QVERIFY(m_bystander);
        const json ack = m_bystander->request("room:join", "general");
        QVERIFY(ack.value("ok", false));
    }

    // The bystander still gets answers and was not closed.
    void verifyBystander()
    {
        QVERIFY(!m_bystander->closed);
        const json ack = m_bystander->request("room:history", { { "roomId", "general" } });
        QVERIFY(ack.value("ok", false));
        QVERIFY(!m_bystander->closed);
    }

    std::unique_ptr<RawClient> openedHostile(ParserKind parser = ParserKind::Json)
    {
        auto c = std::make_unique<RawClient>(parser);
        c->open(m_server->url());
        if (!c->waitOpen())
            return nullptr;
        return c;
    }

private Q_SLOTS:
    void cleanup()
    {
        m_bystander.reset();
        m_server.reset();
    }

    void badFramesClose_data()
    {
        QTest::addColumn<QList<QByteArray>>("text");
        QTest::addColumn<QList<QByteArray>>("binary");
        QTest::addColumn<bool>("connectFirst");
        QTest::newRow("unknown engine type")
            << QList<QByteArray> { "x" } << QList<QByteArray> {} << false;
        QTest::newRow("engine open from client")
            << QList<QByteArray> { "0{}" } << QList<QByteArray> {} << true;
        QTest::newRow("client ping") << QList<QByteArray> { "2" } << QList<QByteArray> {} << true;
        QTest::newRow("unknown packet type")
            << QList<QByteArray> { "49[\"x\"]" } << QList<QByteArray> {} << true;
        QTest::newRow("bad json") << QList<QByteArray> { "42[\"room:join\"," }
                                  << QList<QByteArray> {} << true;
        QTest::newRow("event not an array")
            << QList<QByteArray> { "42{\"a\":1}" } << QList<QByteArray> {} << true;
        QTest::newRow("reserved name connect")
            << QList<QByteArray> { "42[\"connect\"]" } << QList<QByteArray> {} << true;
        QTest::newRow("reserved name disconnecting")
            << QList<QByteArray> { "42[\"disconnecting\",1]" } << QList<QByteArray> {} << true;
        QByteArray eleven = "4511-[\"x\"";
        for (int i = 0; i < 11; ++i)
            eleven += ",{\"_placeholder\":true,\"num\":" + QByteArray::number(i) + "}";
        eleven += "]";
        QTest::newRow("11 attachments")
            << QList<QByteArray> { eleven } << QList<QByteArray> {} << true;
        QTest::newRow("binary without header")
            << QList<QByteArray> {} << QList<QByteArray> { QByteArray("\x01\x02", 2) } << true;
        QTest::newRow("placeholder out of range")
            << QList<QByteArray> { "451-[\"x\",{\"_placeholder\":true,\"num\":3}]" }
            << QList<QByteArray> { QByteArray("\x01", 1) } << true;
        QTest::newRow("event before connect")
            << QList<QByteArray> { "42[\"room:join\",\"general\"]" } << QList<QByteArray> {}
            << false;
        QTest::newRow("second connect")
            << QList<QByteArray> { "40{}" } << QList<QByteArray> {} << true;
        QTest::newRow("connect error from client")
            << QList<QByteArray> { "44{\"message\":\"x\"}" } << QList<QByteArray> {} << true;
        QTest::newRow("connect with a string")
            << QList<QByteArray> { "40\"str\"" } << QList<QByteArray> {} << false;
    }

    void badFramesClose()
    {
        QFETCH(QList<QByteArray>, text);
        QFETCH(QList<QByteArray>, binary);
        QFETCH(bool, connectFirst);
        startServer(testConfig());
        auto hostile = openedHostile();
        QVERIFY(hostile);
        if (connectFirst) {
            bool refused = true;
            QVERIFY(hostile->connectNamespace(
                { { "token", m_server->makeToken(QStringLiteral("mallory")).toStdString() } },
                &refused));
            QVERIFY(!refused);
        }
        for (const auto &t : text)
            hostile->sendText(t);
        for (const auto &b : binary)
            hostile->sendBinary(b);
        QVERIFY(hostile->waitClosed());
        verifyBystander();
    }

    void oversizedFrameCloses1009_data()
    {
        QTest::addColumn<bool>("binary");
        QTest::newRow("text") << false;
        QTest::newRow("binary") << true;
    }

    void oversizedFrameCloses1009()
    {
        QFETCH(bool, binary);
        auto config = testConfig();
        config.maxPayload = 10000;
        startServer(config);
        auto hostile = openedHostile();
        QVERIFY(hostile);
        QCOMPARE(hostile->handshake->maxPayload.value_or(0), qint64(10000));
        QVERIFY(hostile->connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("mallory")).toStdString() } }));
        const QByteArray big(20000, 'a');
        if (binary)
            hostile->sendBinary(big);
        else
            hostile->sendText("42[\"message:send\",\"" + big + "\"]");
        QVERIFY(hostile->waitClosed());
        QCOMPARE(hostile->closeCode, int(QWebSocketProtocol::CloseCodeTooMuchData));
        verifyBystander();
    }

    void frameAtTheLimitIsAccepted()
    {
        auto config = testConfig();
        config.maxPayload = 1000;
        startServer(config);
        auto c = connectedClient(*m_server, QStringLiteral("alice"));
        QVERIFY(c);
        QVERIFY(c->request("room:join", "general").value("ok", false));
        // 42 + ack id + JSON, padded to exactly maxPayload bytes.
        const std::string head = "421[\"room:history\",{\"roomId\":\"general\",\"pad\":\"";
        const std::string tail = "\"}]";
        const std::string frame = head + std::string(1000 - head.size() - tail.size(), 'p') + tail;
        QCOMPARE(frame.size(), std::size_t(1000));
        c->sendText(QByteArray::fromStdString(frame));
        const auto ack = c->waitAck(1);
        QVERIFY(ack);
        QVERIFY(ack->value("ok", false));
    }

    void missingConnectTimesOut()
    {
        auto config = testConfig();
        config.connectTimeout = 300;
        startServer(config);
        auto hostile = openedHostile();
        QVERIFY(hostile);
        QVERIFY(hostile->waitClosed());
        verifyBystander();
    }

    // socket.io leaves the WebSocket open after CONNECT_ERROR, but connectTimeout still applies.
    void refusedConnectStillTimesOut()
    {
        auto config = testConfig();
        config.connectTimeout = 400;
        startServer(config);
        auto hostile = openedHostile();
        QVERIFY(hostile);
        bool refused = false;
        const auto error = hostile->connectNamespace({ { "token", "garbage" } }, &refused);
        QVERIFY(error);
        QVERIFY(refused);
        QVERIFY(!hostile->closed);
        QVERIFY(hostile->waitClosed());
        verifyBystander();
    }

    void silentClientPingTimesOut()
    {
        auto config = testConfig();
        config.pingInterval = 100;
        config.pingTimeout = 150;
        startServer(config);
        auto hostile = openedHostile();
        QVERIFY(hostile);
        QCOMPARE(hostile->handshake->pingInterval, qint64(100));
        QCOMPARE(hostile->handshake->pingTimeout, qint64(150));
        hostile->autoPong = false;
        QVERIFY(hostile->connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("mallory")).toStdString() } }));
        QVERIFY(hostile->waitClosed());
        QVERIFY(hostile->pings >= 1);
        // The bystander answers pings and stays.
        QTRY_VERIFY(m_bystander->pings >= 2);
        verifyBystander();
    }

    void wrongPathOrVersionIsRefused_data()
    {
        QTest::addColumn<QString>("pathAndQuery");
        QTest::newRow("no trailing slash")
            << QStringLiteral("/socket.io?EIO=4&transport=websocket");
        QTest::newRow("other path") << QStringLiteral("/chat/?EIO=4&transport=websocket");
        QTest::newRow("EIO 3") << QStringLiteral("/socket.io/?EIO=3&transport=websocket");
        QTest::newRow("no EIO") << QStringLiteral("/socket.io/?transport=websocket");
        QTest::newRow("polling") << QStringLiteral("/socket.io/?EIO=4&transport=polling");
    }

    void wrongPathOrVersionIsRefused()
    {
        QFETCH(QString, pathAndQuery);
        startServer(testConfig());
        RawClient c;
        c.open(m_server->url(), pathAndQuery);
        QVERIFY(c.waitClosed());
        QVERIFY(!c.handshake);
        verifyBystander();
    }

    void msgpackServerClosesTextPackets()
    {
        auto config = testConfig();
        config.parser = StubConfig::Parser::Msgpack;
        startServer(config);
        auto hostile = openedHostile(ParserKind::Msgpack);
        QVERIFY(hostile);
        QVERIFY(hostile->connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("mallory")).toStdString() } }));
        hostile->sendText("42[\"room:join\",\"general\"]");
        QVERIFY(hostile->waitClosed());
        verifyBystander();
    }

    void garbageMsgpackCloses()
    {
        auto config = testConfig();
        config.parser = StubConfig::Parser::Msgpack;
        startServer(config);
        auto hostile = openedHostile(ParserKind::Msgpack);
        QVERIFY(hostile);
        hostile->sendBinary(QByteArray("\xc1\xff\x00garbage", 10));
        QVERIFY(hostile->waitClosed());
        verifyBystander();
    }

    void unknownNamespaceIsRefusedNotClosed()
    {
        startServer(testConfig());
        auto hostile = openedHostile();
        QVERIFY(hostile);
        hostile->sendText("40/admin,{}");
        QTRY_VERIFY(!hostile->packets.empty());
        QVERIFY(hostile->packets.back().type == Palaver::Protocol::PacketType::ConnectError);
        QCOMPARE(hostile->packets.back().nsp, std::string("/admin"));
        QVERIFY(!hostile->closed);
        verifyBystander();
    }

    void refuseConnectionsSwitch()
    {
        startServer(testConfig());
        m_server->setRefuseConnections(true);
        RawClient refused;
        refused.open(m_server->url());
        QVERIFY(refused.waitClosed());
        QVERIFY(!refused.handshake);
        m_server->setRefuseConnections(false);
        auto ok = connectedClient(*m_server, QStringLiteral("carol"));
        QVERIFY(ok);
        verifyBystander();
    }

    void pausedPingsStallTheServer()
    {
        auto config = testConfig();
        config.pingInterval = 100;
        config.pingTimeout = 100;
        startServer(config);
        QTRY_VERIFY(m_bystander->pings >= 1);
        m_server->setPingsPaused(true);
        const int pings = m_bystander->pings;
        const auto id = m_bystander->emitEvent("room:history", { { "roomId", "general" } });
        QVERIFY(!m_bystander->waitAck(id, 600));
        QCOMPARE(m_bystander->pings, pings);
        QVERIFY(!m_bystander->closed); // the server does not time out a client it does not ping
        m_server->setPingsPaused(false);
        QTRY_VERIFY(m_bystander->pings > pings);
        verifyBystander();
    }
};

QTEST_GUILESS_MAIN(TestStubHostile)
#include "tst_stubhostile.moc"
