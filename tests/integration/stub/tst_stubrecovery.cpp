// SPDX-License-Identifier: MIT
// Connection state recovery, restarts with no loss, and the session switches.

#include "rawclient.h"
#include <Palaver/Stub/stubserver.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Palaver::Stub;
using namespace Palaver::Stub::Testing;
using Palaver::Protocol::PacketType;

namespace {

// The offset socket.io appends to an event without an ack id: its last argument, a string.
std::optional<std::string> lastOffset(const RawClient &c)
{
    std::optional<std::string> offset;
    for (const auto &p : c.packets) {
        if (p.type != PacketType::Event || p.id)
            continue;
        const auto data = Palaver::Protocol::packetData(p).value();
        if (data.size() > 1 && data.back().is_string())
            offset = data.back().get<std::string>();
    }
    return offset;
}

} // namespace

class TestStubRecovery : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<StubServer> m_server;

    void startServer(StubConfig config)
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }
    static StubConfig recoveryConfig()
    {
        auto config = testConfig();
        config.recovery = true;
        return config;
    }
    static json sendMessage(RawClient &c, const std::string &room, const std::string &content,
        const std::string &clientId)
    {
        return c.request("message:send",
            { { "roomId", room }, { "content", content }, { "clientId", clientId } });
    }

    struct Saved {
        std::string sid;
        std::string pid;
        std::string offset;
    };
    // alice connects, joins general and is dropped; returns what her client remembered.
    Saved aliceJoinsAndDrops(RawClient &alice)
    {
        alice.open(m_server->url());
        if (!alice.waitOpen())
            return {};
        const auto ack = alice.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("alice")).toStdString() } });
        if (!ack || !ack->contains("pid") || !alice.waitEvent("session:ready"))
            return {};
        if (alice.request("room:join", "general").value("ok", false) != true)
            return {};
        alice.waitEvent("user:online");
        const Saved saved { (*ack)["sid"], (*ack)["pid"], lastOffset(alice).value_or("") };
        m_server->dropClient(QString::fromStdString(saved.sid));
        alice.waitClosed();
        return saved;
    }

private Q_SLOTS:
    void cleanup() { m_server.reset(); }

    void offsetsOnlyOnPersistedEvents()
    {
        startServer(recoveryConfig());
        auto alice = connectedClient(*m_server, QStringLiteral("alice"));
        auto bob = connectedClient(*m_server, QStringLiteral("bob"));
        QVERIFY(alice && bob);
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        bob->emitEvent("typing", { { "roomId", "general" }, { "typing", true } }, false);
        QVERIFY(alice->waitEvent("typing"));
        JCOMPARE(alice->events("typing").front().size(), std::size_t(2)); // volatile: no offset
        QVERIFY(sendMessage(*bob, "general", "x", "c1")["ok"] == true);
        QVERIFY(alice->waitEvent("message:new"));
        const json event = alice->events("message:new").front();
        JCOMPARE(event.size(), std::size_t(3));
        QVERIFY(event[2].is_string());
        JCOMPARE(alice->events("session:ready").front().size(), std::size_t(3));
    }

    void recoveredSessionGetsMissedPacketsBeforeTheAck()
    {
        startServer(recoveryConfig());
        auto bob = connectedClient(*m_server, QStringLiteral("bob"));
        QVERIFY(bob);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        RawClient alice;
        const Saved saved = aliceJoinsAndDrops(alice);
        QVERIFY(!saved.offset.empty());
        QVERIFY(bob->waitEvent("user:offline"));

        JCOMPARE(sendMessage(*bob, "general", "during the gap 1", "g1")["ok"], true);
        JCOMPARE(sendMessage(*bob, "general", "during the gap 2", "g2")["ok"], true);

        RawClient again;
        again.open(m_server->url());
        QVERIFY(again.waitOpen());
        QSignalSpy connected(m_server.get(), &StubServer::socketConnected);
        const auto ack = again.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("alice")).toStdString() },
                { "pid", saved.pid }, { "offset", saved.offset } });
        QVERIFY(ack);
        JCOMPARE((*ack)["sid"], saved.sid);
        JCOMPARE((*ack)["pid"], saved.pid);
        JCOMPARE(connected.count(), 1);
        JCOMPARE(connected.at(0).at(2).toBool(), true);
        // Replayed first: user:offline (alice's own, broadcast to all), then both messages, then
        // the CONNECT ack; session:ready after it.
        std::vector<std::string> order;
        for (const auto &p : again.packets) {
            if (p.type == PacketType::Connect)
                order.push_back("CONNECT");
            else if (p.type == PacketType::Event)
                order.push_back(Palaver::Protocol::eventName(p).value());
        }
        const std::vector<std::string> expected { "user:offline", "message:new", "message:new",
            "CONNECT" };
        JCOMPARE(std::vector<std::string>(order.begin(), order.begin() + 4), expected);
        JCOMPARE((*again.waitEvent("message:new", 2))["content"], "during the gap 2");
        QVERIFY(again.waitEvent("session:ready"));
        // Still in general without joining again, and announced again to the room.
        JCOMPARE(sendMessage(again, "general", "back", "b1")["ok"], true);
        QVERIFY(bob->waitEvent("room:user-joined"));
        QVERIFY(bob->waitEvent("user:online", 2));
    }

    void recoveredSessionGetsMissedChangesAndReadMarkers()
    {
        startServer(recoveryConfig());
        auto bob = connectedClient(*m_server, QStringLiteral("bob"));
        QVERIFY(bob);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        const json sent = sendMessage(*bob, "general", "before the gap", "b0")["message"];
        RawClient alice;
        const Saved saved = aliceJoinsAndDrops(alice);
        QVERIFY(!saved.offset.empty());

        // During the gap: a change in the room, and alice reading on another device.
        const json edited = bob->request("message:edit",
            { { "roomId", "general" }, { "messageId", sent["id"] }, { "content", "edited" } });
        JCOMPARE(edited["message"]["rev"], 1);
        auto phone = connectedClient(*m_server, QStringLiteral("alice"));
        QVERIFY(phone);
        JCOMPARE(
            phone->request("room:read", { { "roomId", "general" }, { "seq", 1 } })["readSeq"], 1);
        // Not meant for alice: bob's own marker.
        JCOMPARE(
            bob->request("room:read", { { "roomId", "general" }, { "seq", 1 } })["readSeq"], 1);

        RawClient again;
        again.open(m_server->url());
        QVERIFY(again.waitOpen());
        const auto ack = again.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("alice")).toStdString() },
                { "pid", saved.pid }, { "offset", saved.offset } });
        QVERIFY(ack);
        JCOMPARE((*ack)["sid"], saved.sid);
        JCOMPARE(*again.waitEvent("message:updated"), edited["message"]);
        JCOMPARE(*again.waitEvent("room:read-marker"),
            json({ { "roomId", "general" }, { "readSeq", 1 } }));
        QVERIFY(again.waitEvent("session:ready"));
        JCOMPARE(again.events("room:read-marker").size(), std::size_t(1));
        JCOMPARE((*again.waitEvent("session:ready"))["rooms"][0]["readSeq"], 1);
    }

    void recoveryOnlyForTheSameUser()
    {
        startServer(recoveryConfig());
        RawClient alice;
        const Saved saved = aliceJoinsAndDrops(alice);
        QVERIFY(!saved.pid.empty());
        RawClient mallory;
        mallory.open(m_server->url());
        QVERIFY(mallory.waitOpen());
        const auto ack = mallory.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("mallory")).toStdString() },
                { "pid", saved.pid }, { "offset", saved.offset } });
        QVERIFY(ack);
        QVERIFY((*ack)["sid"] != saved.sid);
        JCOMPARE(mallory.packets.front().type, PacketType::Connect); // nothing replayed
        JCOMPARE(sendMessage(mallory, "general", "x", "m1")["error"]["code"], "not_joined");
        // The session is gone now, also for alice.
        RawClient back;
        back.open(m_server->url());
        QVERIFY(back.waitOpen());
        const auto ack2 = back.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("alice")).toStdString() },
                { "pid", saved.pid }, { "offset", saved.offset } });
        QVERIFY((*ack2)["sid"] != saved.sid);
    }

    void recoveryNeedsAValidTokenFirst()
    {
        startServer(recoveryConfig());
        RawClient alice;
        const Saved saved = aliceJoinsAndDrops(alice);
        RawClient again;
        again.open(m_server->url());
        QVERIFY(again.waitOpen());
        bool refused = false;
        QVERIFY(again.connectNamespace(
            { { "token", "forged" }, { "pid", saved.pid }, { "offset", saved.offset } }, &refused));
        QVERIFY(refused);
        JCOMPARE(again.packets.size(), std::size_t(1)); // only the CONNECT_ERROR, nothing replayed
        // The session survived the refused attempt.
        const auto ack = again.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("alice")).toStdString() },
                { "pid", saved.pid }, { "offset", saved.offset } },
            &refused);
        QVERIFY(!refused);
        JCOMPARE((*ack)["sid"], saved.sid);
    }

    void noSessionAfterNamespaceDisconnect()
    {
        startServer(recoveryConfig());
        auto alice = connectedClient(*m_server, QStringLiteral("alice"));
        QVERIFY(alice);
        const auto pidPacket = Palaver::Protocol::packetData(alice->packets.front()).value();
        const std::string pid = pidPacket["pid"];
        const std::string offset = lastOffset(*alice).value();
        QSignalSpy gone(m_server.get(), &StubServer::socketDisconnected);
        alice->sendText("41");
        QVERIFY(gone.wait());
        alice->ws.close();
        RawClient again;
        again.open(m_server->url());
        QVERIFY(again.waitOpen());
        const auto ack = again.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("alice")).toStdString() },
                { "pid", pid }, { "offset", offset } });
        QVERIFY((*ack)["pid"] != pid);
    }

    void expiredWindowDoesNotRecover()
    {
        auto config = recoveryConfig();
        config.recoveryWindow = 50;
        startServer(config);
        RawClient alice;
        const Saved saved = aliceJoinsAndDrops(alice);
        QTest::qWait(120); // let the window pass; the test is about elapsed time
        RawClient again;
        again.open(m_server->url());
        QVERIFY(again.waitOpen());
        const auto ack = again.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("alice")).toStdString() },
                { "pid", saved.pid }, { "offset", saved.offset } });
        QVERIFY((*ack)["sid"] != saved.sid);
    }

    void restartKeepsMessages_data()
    {
        QTest::addColumn<bool>("fileDb");
        QTest::newRow("file") << true;
        QTest::newRow("memory") << false;
    }

    void restartKeepsMessages()
    {
        QFETCH(bool, fileDb);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto config = testConfig();
        if (fileDb)
            config.dbPath = dir.filePath(QStringLiteral("stub.sqlite"));
        startServer(config);
        const quint16 port = m_server->serverPort();
        {
            auto alice = connectedClient(*m_server, QStringLiteral("alice"));
            JCOMPARE(alice->request("room:join", "general")["ok"], true);
            for (int i = 1; i <= 5; ++i)
                JCOMPARE(sendMessage(*alice, "general", "m" + std::to_string(i),
                             "k" + std::to_string(i))["ok"],
                    true);
            QVERIFY(m_server->restart());
            JCOMPARE(m_server->serverPort(), port);
            QVERIFY(alice->waitClosed());
        }
        auto alice = connectedClient(*m_server, QStringLiteral("alice"));
        QVERIFY(alice);
        json ack = alice->request("room:join", "general");
        JCOMPARE(ack["messages"].size(), std::size_t(5));
        // Idempotency survives the restart, and seq continues.
        JCOMPARE(sendMessage(*alice, "general", "again", "k5")["message"]["seq"], 5);
        JCOMPARE(sendMessage(*alice, "general", "m6", "k6")["message"]["seq"], 6);
        alice.reset();

        if (fileDb) {
            // A new server on the same file: nothing lost either.
            m_server.reset();
            startServer(config);
            auto again = connectedClient(*m_server, QStringLiteral("alice"));
            ack = again->request("room:join", "general");
            JCOMPARE(ack["messages"].size(), std::size_t(6));
            JCOMPARE(ack["messages"][5]["content"], "m6");
        }
    }
};

QTEST_GUILESS_MAIN(TestStubRecovery)
#include "tst_stubrecovery.moc"
