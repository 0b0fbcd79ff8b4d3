// SPDX-License-Identifier: MIT
// The chat contract of PROTOCOL.md on the in-process stub, over raw frames.

#include "rawclient.h"
#include <Palaver/Stub/stubserver.h>

#include <QRegularExpression>
#include <QTest>

using namespace Palaver::Stub;
using namespace Palaver::Stub::Testing;

class TestStubChat : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<StubServer> m_server;

    void startServer(StubConfig config = testConfig())
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }
    std::unique_ptr<RawClient> client(const char *user)
    {
        return connectedClient(*m_server, QString::fromLatin1(user));
    }
    static json sendMessage(RawClient &c, const std::string &room, const std::string &content,
        const std::string &clientId)
    {
        return c.request("message:send",
            { { "roomId", room }, { "content", content }, { "clientId", clientId } });
    }
    static std::string errorCode(const json &ack)
    {
        if (!ack.is_object() || ack.value("ok", true) || !ack.contains("error"))
            return "<not an error>";
        return ack["error"].value("code", std::string());
    }

private Q_SLOTS:
    void cleanup() { m_server.reset(); }

    void sessionReadyAndPresence()
    {
        startServer();
        auto alice = client("alice");
        QVERIFY(alice);
        const json ready = *alice->waitEvent("session:ready");
        JCOMPARE(ready["user"]["id"], "alice");
        JCOMPARE(ready["user"]["name"], "alice"); // no name claim: falls back to sub
        JCOMPARE(ready["rooms"].size(), std::size_t(3)); // alice is a member of staff
        JCOMPARE(ready["rooms"][2],
            json({ { "id", "staff" }, { "name", "Staff" }, { "private", true }, { "lastSeq", 0 },
                { "readSeq", 0 } }));
        JCOMPARE(ready["online"], json::array({ "alice" }));
        JCOMPARE(
            ready["limits"], json({ { "maxContentLength", 4000 }, { "maxPayload", 1000000 } }));
        QVERIFY(alice->waitEvent("user:online"));

        auto bob = client("bob");
        QVERIFY(bob);
        const json bobReady = *bob->waitEvent("session:ready");
        JCOMPARE(bobReady["rooms"].size(), std::size_t(2)); // not staff
        JCOMPARE(bobReady["online"], json::array({ "alice", "bob" }));
        JCOMPARE(*alice->waitEvent("user:online", 2), json({ { "userId", "bob" } }));

        // A second socket of bob: no new user:online; its going: no user:offline.
        auto bob2 = client("bob");
        QVERIFY(bob2);
        bob2->ws.close();
        QTRY_COMPARE(m_server->socketCount(), 2);
        JCOMPARE(alice->events("user:online").size(), std::size_t(2));
        QVERIFY(alice->events("user:offline").empty());
        bob->ws.close();
        JCOMPARE(*alice->waitEvent("user:offline"), json({ { "userId", "bob" } }));
    }

    void nameClaimAndFallback()
    {
        startServer();
        RawClient c;
        c.open(m_server->url());
        QVERIFY(c.waitOpen());
        QVERIFY(c.connectNamespace({ { "token",
            m_server->makeToken(QStringLiteral("eve"), QStringLiteral("Eve E."))
                .toStdString() } }));
        JCOMPARE((*c.waitEvent("session:ready"))["user"]["name"], "Eve E.");
    }

    void connectAckCarriesSidOnly()
    {
        startServer();
        RawClient c;
        c.open(m_server->url());
        QVERIFY(c.waitOpen());
        const auto ack = c.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("eve")).toStdString() } });
        QVERIFY(ack);
        QVERIFY((*ack)["sid"].is_string());
        QVERIFY(!ack->contains("pid"));
        JCOMPARE(c.handshake->upgrades.size(), std::size_t(0));
    }

    void connectRefusals_data()
    {
        QTest::addColumn<QByteArray>("auth");
        QTest::addColumn<QString>("code");
        QTest::newRow("no auth") << QByteArray("null") << QStringLiteral("auth_required");
        QTest::newRow("no token") << QByteArray("{}") << QStringLiteral("auth_required");
        QTest::newRow("null token")
            << QByteArray("{\"token\":null}") << QStringLiteral("auth_required");
        QTest::newRow("empty token")
            << QByteArray("{\"token\":\"\"}") << QStringLiteral("auth_required");
        QTest::newRow("number token")
            << QByteArray("{\"token\":42}") << QStringLiteral("invalid_token");
        QTest::newRow("garbage token")
            << QByteArray("{\"token\":\"a.b.c\"}") << QStringLiteral("invalid_token");
    }

    void connectRefusals()
    {
        QFETCH(QByteArray, auth);
        QFETCH(QString, code);
        startServer();
        RawClient c;
        c.open(m_server->url());
        QVERIFY(c.waitOpen());
        bool refused = false;
        const auto error = c.connectNamespace(json::parse(auth.toStdString()), &refused);
        QVERIFY(error);
        QVERIFY(refused);
        const std::string message
            = code == QLatin1String("auth_required") ? "Authentication required" : "Invalid token";
        JCOMPARE(*error,
            json({ { "message", message }, { "data", { { "code", code.toStdString() } } } }));
        QVERIFY(!c.closed);
        // A later, good CONNECT on the same connection works.
        QVERIFY(c.connectNamespace(
            { { "token", m_server->makeToken(QStringLiteral("eve")).toStdString() } }, &refused));
        QVERIFY(!refused);
    }

    void roomsAndAccess()
    {
        startServer();
        auto alice = client("alice");
        auto bob = client("bob");
        QVERIFY(alice && bob);
        JCOMPARE(errorCode(bob->request("room:join", "staff")), "access_denied");
        QVERIFY(bob->waitEvent("error")); // the informational event of a refused join
        JCOMPARE(errorCode(bob->request("room:join", "nope")), "not_found");
        JCOMPARE(errorCode(bob->request("room:join", "General")), "invalid");
        JCOMPARE(errorCode(bob->request("room:join", 7)), "invalid");
        JCOMPARE(errorCode(bob->request("room:join", std::string(65, 'a'))), "invalid");
        JCOMPARE(errorCode(bob->request("room:join", "-general")), "invalid");

        json ack = alice->request("room:join", "staff");
        JCOMPARE(ack["ok"], true);
        JCOMPARE(
            ack["room"], json({ { "id", "staff" }, { "name", "Staff" }, { "private", true } }));
        // Private room: its configured members; dave never connected: name = id, offline.
        JCOMPARE(ack["members"],
            json::parse(
                R"([{"id":"alice","name":"alice","online":true},{"id":"dave","name":"dave","online":false}])"));
        JCOMPARE(ack["messages"], json::array());
        JCOMPARE(ack["hasMore"], false);

        ack = bob->request("room:join", "general");
        JCOMPARE(ack["members"], json::parse(R"([{"id":"bob","name":"bob","online":true}])"));
        ack = alice->request("room:join", "general");
        JCOMPARE(ack["members"].size(), std::size_t(2));
        JCOMPARE(*bob->waitEvent("room:user-joined"),
            json({ { "userId", "alice" }, { "roomId", "general" } }));
        QVERIFY(alice->events("room:user-joined").empty()); // not to the joiner
        // Joining again answers the same way and announces nothing.
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        // A second socket of alice joining announces nothing either.
        auto alice2 = client("alice");
        JCOMPARE(alice2->request("room:join", "general")["ok"], true);
        JCOMPARE(alice2->request("room:leave", "general"), json({ { "ok", true } }));
        JCOMPARE(bob->events("room:user-joined").size(), std::size_t(1));
        QVERIFY(bob->events("room:user-left").empty());

        // Leaving: idempotent, checks only shape and existence.
        JCOMPARE(bob->request("room:leave", "staff"), json({ { "ok", true } }));
        JCOMPARE(bob->request("room:leave", "random"), json({ { "ok", true } }));
        JCOMPARE(errorCode(bob->request("room:leave", "nope")), "not_found");
        JCOMPARE(errorCode(bob->request("room:leave", "Nope")), "invalid");
        JCOMPARE(alice->request("room:leave", "general"), json({ { "ok", true } }));
        JCOMPARE(*bob->waitEvent("room:user-left"),
            json({ { "userId", "alice" }, { "roomId", "general" } }));
        // Disconnecting leaves too.
        alice->request("room:join", "general");
        QVERIFY(bob->waitEvent("room:user-joined", 2));
        alice->ws.close();
        QVERIFY(bob->waitEvent("room:user-left", 2));
    }

    void messagesAndOrderOfChecks()
    {
        auto config = testConfig();
        config.maxContent = 10;
        startServer(config);
        auto alice = client("alice");
        auto bob = client("bob");
        QVERIFY(alice && bob);
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);

        // Shape first, then room, then access, then joined, then length.
        JCOMPARE(errorCode(sendMessage(*bob, "general", "   ", "c0")), "invalid");
        JCOMPARE(errorCode(
                     bob->request("message:send", { { "roomId", "general" }, { "content", "x" } })),
            "invalid");
        JCOMPARE(errorCode(sendMessage(*bob, "general", "x", std::string(129, 'c'))), "invalid");
        JCOMPARE(errorCode(sendMessage(*bob, "nope", std::string(50, 'x'), "c0")), "not_found");
        JCOMPARE(
            errorCode(sendMessage(*bob, "staff", std::string(50, 'x'), "c0")), "access_denied");
        JCOMPARE(errorCode(sendMessage(*bob, "random", std::string(50, 'x'), "c0")), "not_joined");
        JCOMPARE(errorCode(sendMessage(*bob, "general", std::string(11, 'x'), "c0")), "too_long");
        // Ten code points, some outside the BMP, fit.
        json ack = sendMessage(*bob, "general", " \u3000\U0001F600\U0001F600xxxxxxxx\u00a0", "c1");
        JCOMPARE(ack["ok"], true);
        const json message = ack["message"];
        JCOMPARE(message["content"], "\U0001F600\U0001F600xxxxxxxx");
        JCOMPARE(message["seq"], 1);
        JCOMPARE(message["roomId"], "general");
        JCOMPARE(message["userId"], "bob");
        JCOMPARE(message["userName"], "bob");
        JCOMPARE(message["clientId"], "c1");
        QVERIFY(QRegularExpression(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"))
                    .match(QString::fromStdString(message["createdAt"].get<std::string>()))
                    .hasMatch());
        JCOMPARE(*alice->waitEvent("message:new"), message);
        JCOMPARE(*bob->waitEvent("message:new"), message); // the sender's socket too

        // U+FEFF is content, not white space.
        ack = sendMessage(*bob, "general", "\ufeff", "c2");
        JCOMPARE(ack["message"]["content"], "\ufeff");
        JCOMPARE(ack["message"]["seq"], 2);
    }

    void idempotentSend()
    {
        startServer();
        auto alice = client("alice");
        auto bob = client("bob");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        const json first = sendMessage(*alice, "general", "hello", "same-id");
        JCOMPARE(first["ok"], true);
        QVERIFY(bob->waitEvent("message:new"));
        // A repeat, whatever its content or room, returns the first message and is not broadcast.
        JCOMPARE(sendMessage(*alice, "general", "other text", "same-id"), first);
        JCOMPARE(
            sendMessage(*alice, "random", "other room", "same-id"), first); // before not_joined
        // ... but the room checks of the room it names still apply.
        JCOMPARE(errorCode(sendMessage(*alice, "nope", "x", "same-id")), "not_found");
        auto carol = client("carol");
        JCOMPARE(errorCode(sendMessage(*carol, "staff", "x", "same-id")), "access_denied");
        // The same clientId from another user is another message.
        JCOMPARE(sendMessage(*bob, "general", "mine", "same-id")["message"]["seq"], 2);
        QVERIFY(bob->waitEvent("message:new", 2));
        JCOMPARE(bob->events("message:new").size(), std::size_t(2));
    }

    void rateLimit()
    {
        auto config = testConfig();
        config.rateBurst = 3;
        config.ratePerSec = 1;
        startServer(config);
        auto alice = client("alice");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        for (int i = 0; i < 3; ++i)
            JCOMPARE(sendMessage(*alice, "general", "m", "r" + std::to_string(i))["ok"], true);
        const json ack = sendMessage(*alice, "general", "m", "r3");
        JCOMPARE(errorCode(ack), "rate_limited");
        const auto retry = ack["error"]["retryAfterMs"];
        QVERIFY(retry.is_number_integer());
        QVERIFY(retry.get<int>() >= 1 && retry.get<int>() <= 1000);
        // Per user: another user is not limited; a repeat of a stored clientId is not counted.
        auto bob = client("bob");
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        JCOMPARE(sendMessage(*bob, "general", "m", "b0")["ok"], true);
        JCOMPARE(sendMessage(*alice, "general", "m", "r0")["ok"], true);
    }

    void historyPaging()
    {
        auto config = testConfig();
        config.rateBurst = 1000;
        startServer(config);
        auto alice = client("alice");
        JCOMPARE(alice->request("room:join", "random")["ok"], true);
        for (int i = 1; i <= 120; ++i)
            JCOMPARE(sendMessage(*alice, "random", "m" + std::to_string(i),
                         "h" + std::to_string(i))["message"]["seq"],
                i);
        auto seqs = [](const json &ack) {
            std::vector<int> out;
            for (const auto &m : ack["messages"])
                out.push_back(m["seq"].get<int>());
            return out;
        };
        auto range = [](int from, int to) {
            std::vector<int> out;
            for (int i = from; i <= to; ++i)
                out.push_back(i);
            return out;
        };
        // The join answer: the latest 50, oldest first.
        auto bob = client("bob");
        json ack = bob->request("room:join", "random");
        JCOMPARE(seqs(ack), range(71, 120));
        JCOMPARE(ack["hasMore"], true);

        ack = bob->request("room:history", { { "roomId", "random" } });
        JCOMPARE(seqs(ack), range(71, 120));
        JCOMPARE(ack["hasMore"], true);
        ack = bob->request(
            "room:history", { { "roomId", "random" }, { "before", 71 }, { "limit", 500 } });
        JCOMPARE(seqs(ack), range(1, 70)); // capped at 100, 70 exist
        JCOMPARE(ack["hasMore"], false);
        ack = bob->request(
            "room:history", { { "roomId", "random" }, { "before", 21 }, { "limit", 10 } });
        JCOMPARE(seqs(ack), range(11, 20));
        JCOMPARE(ack["hasMore"], true);
        ack = bob->request("room:history", { { "roomId", "random" }, { "limit", 200 } });
        JCOMPARE(seqs(ack), range(21, 120));
        JCOMPARE(ack["hasMore"], true);
        ack = bob->request(
            "room:history", { { "roomId", "random" }, { "after", 100 }, { "limit", 10 } });
        JCOMPARE(seqs(ack), range(101, 110));
        JCOMPARE(ack["hasMore"], true);
        ack = bob->request("room:history", { { "roomId", "random" }, { "after", 110 } });
        JCOMPARE(seqs(ack), range(111, 120));
        JCOMPARE(ack["hasMore"], false);
        ack = bob->request("room:history", { { "roomId", "random" }, { "after", 120 } });
        JCOMPARE(seqs(ack), std::vector<int>());
        JCOMPARE(ack["hasMore"], false);
        ack = bob->request(
            "room:history", { { "roomId", "random" }, { "after", 1.0 }, { "limit", 1 } });
        JCOMPARE(seqs(ack), std::vector<int> { 2 }); // 1.0 is an integer to JavaScript

        for (const json &bad : { json { { "roomId", "random" }, { "before", 5 }, { "after", 1 } },
                 json { { "roomId", "random" }, { "limit", 0 } },
                 json { { "roomId", "random" }, { "limit", -1 } },
                 json { { "roomId", "random" }, { "limit", 1.5 } },
                 json { { "roomId", "random" }, { "limit", "5" } },
                 json { { "roomId", "random" }, { "before", 0 } },
                 json { { "roomId", "random" }, { "after", -3 } },
                 json { { "roomId", "random" }, { "before", nullptr } }, json { { "roomId", 5 } },
                 json("random"), json::array() })
            JCOMPARE(errorCode(bob->request("room:history", bad)), "invalid");
        JCOMPARE(errorCode(bob->request("room:history", { { "roomId", "nope" } })), "not_found");
        JCOMPARE(
            errorCode(bob->request("room:history", { { "roomId", "staff" } })), "access_denied");
        JCOMPARE(
            errorCode(bob->request("room:history", { { "roomId", "general" } })), "not_joined");
    }

    void typingRelay()
    {
        startServer();
        auto alice = client("alice");
        auto bob = client("bob");
        auto carol = client("carol");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        // carol has not joined: ignored.
        carol->emitEvent("typing", { { "roomId", "general" }, { "typing", true } }, false);
        alice->emitEvent("typing", { { "roomId", "general" }, { "typing", true } }, false);
        JCOMPARE(*bob->waitEvent("typing"),
            json({ { "roomId", "general" }, { "userId", "alice" }, { "typing", true } }));
        // Malformed typing is ignored, not fatal.
        alice->emitEvent("typing", { { "roomId", "general" }, { "typing", "yes" } }, false);
        alice->emitEvent("typing", { { "roomId", "general" }, { "typing", false } }, false);
        JCOMPARE(*bob->waitEvent("typing", 2),
            json({ { "roomId", "general" }, { "userId", "alice" }, { "typing", false } }));
        JCOMPARE(bob->events("typing").size(), std::size_t(2));
        QVERIFY(alice->events("typing").empty()); // not to the sender
        QVERIFY(!alice->closed && !carol->closed);
    }

    void dropClientCutsTheTransport()
    {
        startServer();
        auto alice = client("alice");
        auto bob = client("bob");
        JCOMPARE(m_server->dropClient(QStringLiteral("alice")), 1);
        QVERIFY(alice->waitClosed());
        JCOMPARE(*bob->waitEvent("user:offline"), json({ { "userId", "alice" } }));
        QVERIFY(!bob->closed);
        JCOMPARE(m_server->dropClient(QStringLiteral("nobody")), 0);
    }

    void msgpackParser()
    {
        auto config = testConfig();
        config.parser = StubConfig::Parser::Msgpack;
        startServer(config);
        auto alice = connectedClient(
            *m_server, QStringLiteral("alice"), Palaver::Protocol::ParserKind::Msgpack);
        QVERIFY(alice);
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        const json ack = sendMessage(*alice, "general", "hi", "m1");
        JCOMPARE(ack["message"]["seq"], 1);
        JCOMPARE((*alice->waitEvent("message:new"))["content"], "hi");
        QVERIFY(alice->packets.front().format == Palaver::Protocol::ParserKind::Msgpack);
    }
};

QTEST_GUILESS_MAIN(TestStubChat)
#include "tst_stubchat.moc"
