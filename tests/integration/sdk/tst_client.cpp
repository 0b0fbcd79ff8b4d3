// SPDX-License-Identifier: MIT
// Client against a scripted raw Engine.IO/Socket.IO server: connection, heartbeat, auth,
// reconnection, reachability, requests, recovery.
#include "rawserver.h"
#include <Palaver/client.h>
#include <Palaver/networkreachability.h>

#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace Palaver;
using nlohmann::json;

// QCOMPARE cannot print nlohmann::json; show both dumps instead.
#define JCOMPARE(actual, expected)                                                                 \
    do {                                                                                           \
        const json a_ = (actual);                                                                  \
        const json e_ = (expected);                                                                \
        QVERIFY2(a_ == e_, qPrintable(QString::fromStdString(a_.dump() + " != " + e_.dump())));    \
    } while (false)

namespace {

ReconnectPolicy fastPolicy()
{
    ReconnectPolicy p;
    p.setInitialDelay(100);
    p.setMaxDelay(400);
    return p;
}

json refusal(const char *message, const char *code)
{
    return json { { "message", message }, { "data", { { "code", code } } } };
}

} // namespace

class TestClient : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
    }

    void endpointUrl_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("out");
        QTest::newRow("ws") << "ws://h:1"
                            << "ws://h:1/socket.io/?EIO=4&transport=websocket";
        QTest::newRow("http") << "http://h:1/"
                              << "ws://h:1/socket.io/?EIO=4&transport=websocket";
        QTest::newRow("https") << "https://h"
                               << "wss://h/socket.io/?EIO=4&transport=websocket";
        QTest::newRow("no slash") << "wss://h/socket.io"
                                  << "wss://h/socket.io/?EIO=4&transport=websocket";
        QTest::newRow("custom path") << "ws://h/chat/io"
                                     << "ws://h/chat/io/?EIO=4&transport=websocket";
        QTest::newRow("user query") << "ws://h/?room=a&EIO=3"
                                    << "ws://h/socket.io/?room=a&EIO=4&transport=websocket";
    }
    void endpointUrl()
    {
        QFETCH(QString, in);
        QFETCH(QString, out);
        QCOMPARE(Client::endpointUrl(QUrl(in)).toString(), out);
    }

    void endpointUrlRefusesOtherSchemes()
    {
        QVERIFY(!Client::endpointUrl(QUrl(QStringLiteral("ftp://h/"))).isValid());
        QVERIFY(!Client::endpointUrl(QUrl(QStringLiteral("ws:///nohost"))).isValid());
    }

    void connectsAndAnswersPings()
    {
        RawServer server;
        server.pingInterval = 50;
        server.pingTimeout = 1000;
        server.onConnected = [&](QWebSocket *s) {
            server.sendEvent(
                s, "session:ready", json::array({ { { "user", { { "id", "alice" } } } } }));
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setToken(QStringLiteral("tok"));
        QSignalSpy connected(&client, &Client::connected);
        QSignalSpy ready(&client, &Client::sessionReady);
        QSignalSpy states(&client, &Client::stateChanged);
        QCOMPARE(client.state(), Client::State::Disconnected);
        client.open();
        QCOMPARE(client.state(), Client::State::Connecting);
        QVERIFY(client.isActive());
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QCOMPARE(connected.size(), 1);
        QTRY_COMPARE(ready.size(), 1);
        QCOMPARE(ready.at(0)
                     .at(0)
                     .toMap()
                     .value(QStringLiteral("user"))
                     .toMap()
                     .value(QStringLiteral("id")),
            QVariant(QStringLiteral("alice")));
        JCOMPARE(server.auths.size(), 1);
        JCOMPARE(server.auths.at(0), (json { { "token", "tok" } }));
        QTRY_VERIFY(server.pongs >= 3);
        QCOMPARE(server.clientPings, 0); // a v4 client never pings
        QCOMPARE(client.error(), Client::Error::NoError);
        QCOMPARE(states.size(), 2); // Connecting, Connected

        QSignalSpy disconnected(&client, &Client::disconnected);
        client.close();
        QCOMPARE(client.state(), Client::State::Disconnected);
        QCOMPARE(disconnected.size(), 1);
        QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("io client disconnect"));
        QVERIFY(!client.isActive());
        QTRY_VERIFY(server.textFrames.contains(QStringLiteral("41")));
    }

    void refusedTokenFailsAfterOneAttempt()
    {
        RawServer server;
        server.authorize
            = [](QWebSocket *, const json &) { return refusal("Invalid token", "invalid_token"); };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setToken(QStringLiteral("bad"));
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy failed(&client, &Client::failed);
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Failed);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(0).value<Client::Error>(), Client::Error::InvalidToken);
        QCOMPARE(client.error(), Client::Error::InvalidToken);
        QVERIFY(client.errorString().contains(QStringLiteral("invalid_token")));
        QVERIFY(!client.isActive());
        QCOMPARE(errors.size(), 1);
        QTest::qWait(600); // longer than any backoff of fastPolicy: no retry storm
        QCOMPARE(server.connectCount, 1);
        QCOMPARE(server.connectionCount, 1);
    }

    void missingTokenIsAuthRequired()
    {
        RawServer server;
        server.authorize = [](QWebSocket *, const json &auth) {
            return auth.contains("token") ? json::object()
                                          : refusal("Authentication required", "auth_required");
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Failed);
        QCOMPARE(client.error(), Client::Error::AuthRequired);
    }

    void expiredTokenRefreshedOnce()
    {
        RawServer server;
        server.authorize = [](QWebSocket *, const json &auth) {
            return auth.value("token", "") == "fresh" ? json::object()
                                                      : refusal("Invalid token", "token_expired");
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        int calls = 0;
        client.setTokenProvider([&](Client::TokenCallback cb) {
            ++calls;
            // Answer later, as a real refresh would.
            QTimer::singleShot(10,
                [cb, calls] { cb(calls == 1 ? QStringLiteral("old") : QStringLiteral("fresh")); });
        });
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QCOMPARE(calls, 2);
        QCOMPARE(server.connectCount, 2);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::TokenExpired);
    }

    void expiredTokenTwiceFails()
    {
        RawServer server;
        server.authorize
            = [](QWebSocket *, const json &) { return refusal("Invalid token", "token_expired"); };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        int calls = 0;
        client.setTokenProvider([&](Client::TokenCallback cb) {
            ++calls;
            cb(QStringLiteral("still-old"));
        });
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Failed);
        QCOMPARE(client.error(), Client::Error::TokenExpired);
        QTest::qWait(300);
        QCOMPARE(calls, 2);
        QCOMPARE(server.connectCount, 2);
    }

    void serverDisconnectIsNotRetried()
    {
        RawServer server;
        server.onConnected = [&](QWebSocket *s) {
            QTimer::singleShot(20, s, [s] { s->sendTextMessage(QStringLiteral("41")); });
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy disconnected(&client, &Client::disconnected);
        client.open();
        QTRY_COMPARE(disconnected.size(), 1);
        QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("io server disconnect"));
        QCOMPARE(client.state(), Client::State::Disconnected);
        QCOMPARE(client.error(), Client::Error::ServerDisconnected);
        QVERIFY(!client.isActive());
        QTest::qWait(500);
        QCOMPARE(server.connectionCount, 1);
    }

    // Drops the transport three times; each reconnection must come within its backoff band.
    void reconnectsWithinPolicyBounds()
    {
        RawServer server;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        const ReconnectPolicy policy = fastPolicy();
        client.setReconnectPolicy(policy);
        QSignalSpy scheduled(&client, &Client::reconnectScheduled);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        // Refuse the next attempts at the TCP level by closing the server, then reopen.
        const quint16 port = server.port();
        QList<qint64> dropTimes;
        dropTimes.append(server.clock.elapsed());
        server.close();
        QTRY_COMPARE(client.state(), Client::State::Reconnecting);
        QCOMPARE(client.reconnectAttempt(), 1);
        QVERIFY(client.nextRetryIn() >= 50 && client.nextRetryIn() <= 150);
        QTRY_VERIFY_WITH_TIMEOUT(scheduled.size() >= 3, 5000); // refused attempts count too
        QVERIFY(server.listen(port));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 5000);
        for (int i = 0; i < scheduled.size(); ++i) {
            const int attempt = scheduled.at(i).at(0).toInt();
            const int delay = scheduled.at(i).at(1).toInt();
            QCOMPARE(attempt, i + 1);
            const double base = std::min(100.0 * std::pow(2.0, attempt - 1), 400.0);
            QVERIFY2(delay >= base * 0.5 && delay <= std::min(base * 1.5, 400.0),
                qPrintable(QStringLiteral("attempt %1 delay %2").arg(attempt).arg(delay)));
        }
        // The recorded connection time is after the sum of the smallest delays.
        QCOMPARE(server.connectionTimes.size(), 2);
        QVERIFY(server.connectionTimes.last() - dropTimes.first() >= 50 + 100 + 200);
        QCOMPARE(client.nextRetryIn(), 0);
    }

    void stablePeriodResetsAttempts()
    {
        RawServer server;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        ReconnectPolicy p = fastPolicy();
        p.setMaxDelay(200);
        client.setReconnectPolicy(p);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        server.dropAll();
        QTRY_COMPARE(client.state(), Client::State::Reconnecting);
        QCOMPARE(client.reconnectAttempt(), 1);
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QCOMPARE(client.reconnectAttempt(), 1);
        QTRY_COMPARE(client.reconnectAttempt(), 0); // after maxDelay connected
    }

    void maxAttemptsExhaustedFails()
    {
        RawServer server;
        QVERIFY(server.listen());
        const QUrl url = server.url();
        server.close();
        Client client;
        client.setUrl(url);
        ReconnectPolicy p = fastPolicy();
        p.setMaxAttempts(2);
        client.setReconnectPolicy(p);
        QSignalSpy failed(&client, &Client::failed);
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Failed, 5000);
        QCOMPARE(failed.at(0).at(0).value<Client::Error>(), Client::Error::ConnectionRefused);
        QVERIFY(client.errorString().contains(QStringLiteral("Gave up")));
        QCOMPARE(errors.size(), 4); // 3 refused connections + giving up
    }

    void urlsRotateOnFailure()
    {
        RawServer good;
        QVERIFY(good.listen());
        RawServer dead;
        QVERIFY(dead.listen());
        const QUrl deadUrl = dead.url();
        dead.close();
        Client client;
        client.setUrls({ deadUrl, good.url() });
        client.setReconnectPolicy(fastPolicy());
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QCOMPARE(client.url(), good.url());
    }

    void pingTimeoutDetected()
    {
        RawServer server;
        server.pingInterval = 100;
        server.pingTimeout = 100;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QTRY_VERIFY(server.pongs >= 1);
        QElapsedTimer t;
        t.start();
        server.setPingsPaused(true);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Reconnecting, 2000);
        // The last ping came at most one interval before the pause; allow 150 ms of margin.
        QVERIFY2(t.elapsed() <= 100 + 100 + 150, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(client.error(), Client::Error::PingTimeout);
        server.setPingsPaused(false);
        QTRY_COMPARE(client.state(), Client::State::Connected);
    }

    void networkGoesAwayAndComesBack()
    {
        RawServer server;
        QVERIFY(server.listen());
        ManualReachability net;
        Client client;
        client.setNetworkReachability(&net);
        client.setUrl(server.url());
        ReconnectPolicy p;
        p.setInitialDelay(3000); // a backoff would be visible: the return must skip it
        p.setMaxDelay(3000);
        client.setReconnectPolicy(p);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QSignalSpy errors(&client, &Client::errorOccurred);
        net.setReachable(false);
        QCOMPARE(client.state(), Client::State::Offline);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::NetworkUnreachable);
        QVERIFY(client.isActive());
        QTest::qWait(200);
        QCOMPARE(server.connectionCount, 1); // no attempts while offline
        QCOMPARE(client.reconnectAttempt(), 0); // none spent
        QElapsedTimer t;
        t.start();
        net.setReachable(true);
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QVERIFY(t.elapsed() < 1000);
        QCOMPARE(server.connectionCount, 2);
    }

    void openWhileOfflineWaits()
    {
        RawServer server;
        QVERIFY(server.listen());
        ManualReachability net;
        net.setReachable(false);
        Client client;
        client.setNetworkReachability(&net);
        client.setUrl(server.url());
        client.open();
        QCOMPARE(client.state(), Client::State::Offline);
        net.setReachable(true);
        QTRY_COMPARE(client.state(), Client::State::Connected);
    }

    void requestsCompleteOnce()
    {
        RawServer server;
        server.onEvent = [&](QWebSocket *s, const json &data, std::optional<std::uint64_t> id) {
            if (data[0] == "echo" && id)
                server.sendAck(s, *id, json::array({ data[1], "pong" }));
            // "silent" is never answered
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);

        QFuture<AckResult> answered = client.request(QStringLiteral("echo"), { 7 });
        QTRY_VERIFY(answered.isFinished());
        QVERIFY(answered.result().ok());
        QCOMPARE(answered.result().args, (QVariantList { qint64(7), QStringLiteral("pong") }));
        QVERIFY(client.latency() >= 0);

        int calls = 0;
        AckResult timedOut;
        client.request(
            QStringLiteral("silent"), {},
            [&](const AckResult &r) {
                ++calls;
                timedOut = r;
            },
            100);
        QTRY_COMPARE(calls, 1);
        QCOMPARE(timedOut.error, AckResult::Error::Timeout);

        int dcalls = 0;
        AckResult dropped;
        client.request(QStringLiteral("silent"), {}, [&](const AckResult &r) {
            ++dcalls;
            dropped = r;
        });
        QTest::qWait(50);
        server.dropAll();
        QTRY_COMPARE(dcalls, 1);
        QCOMPARE(dropped.error, AckResult::Error::Disconnected);

        QTRY_COMPARE(client.state(), Client::State::Reconnecting);
        QFuture<AckResult> offline = client.request(QStringLiteral("echo"), { 1 });
        QTRY_VERIFY(offline.isFinished());
        QCOMPARE(offline.result().error, AckResult::Error::NotConnected);
        QTest::qWait(200);
        QCOMPARE(calls, 1);
        QCOMPARE(dcalls, 1);
    }

    void oversizedFramesFailLocally()
    {
        RawServer server;
        server.maxPayload = 1000;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QSignalSpy errors(&client, &Client::errorOccurred);
        const QString big(2000, QLatin1Char('x'));
        QCOMPARE(client.send(QStringLiteral("big"), { big }), Client::Error::PayloadTooLarge);
        QFuture<AckResult> r = client.request(QStringLiteral("big"), { big });
        QTRY_VERIFY(r.isFinished());
        QCOMPARE(r.result().error, AckResult::Error::PayloadTooLarge);
        QCOMPARE(errors.size(), 2);
        // A binary attachment over the limit too.
        QCOMPARE(client.send(QStringLiteral("bin"), { QByteArray(5000, 'b') }),
            Client::Error::PayloadTooLarge);
        // Nothing was sent, and the connection is fine.
        QTest::qWait(50);
        for (const auto &f : std::as_const(server.textFrames))
            QVERIFY(!f.contains(QStringLiteral("big")));
        QCOMPARE(client.state(), Client::State::Connected);
        QCOMPARE(client.send(QStringLiteral("small"), { 1 }), Client::Error::NoError);
        QCOMPARE(client.send(QStringLiteral("connect"), {}), Client::Error::InvalidRequest);
    }

    void eventsListenersAndServerRequests()
    {
        RawServer server;
        json answer;
        server.onAck = [&](QWebSocket *, const json &data, std::uint64_t id) {
            if (id == 5)
                answer = json { { "id", id }, { "data", data } };
        };
        server.onConnected = [&](QWebSocket *s) {
            server.sendEvent(s, "hello", json::array({ "world", 1 }));
            server.sendEvent(s, "bin", json::array({ json::binary({ 1, 2, 3 }) }));
            server.sendEvent(s, "question", json::array({ 21 }), 5);
            server.sendEvent(s, "unhandled", json::array({}), 6);
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        QVariantList hello;
        QVariantList bin;
        client.on(QStringLiteral("hello"), this, [&](const QVariantList &args) { hello = args; });
        client.on(QStringLiteral("bin"), this, [&](const QVariantList &args) { bin = args; });
        client.setRequestHandler(
            QStringLiteral("question"), [](const QVariantList &args, Client::Responder respond) {
                respond({ args.value(0).toInt() * 2 });
            });
        QSignalSpy all(&client, &Client::eventReceived);
        client.open();
        QTRY_COMPARE(all.size(), 4);
        QCOMPARE(hello, (QVariantList { QStringLiteral("world"), qint64(1) }));
        QCOMPARE(bin, (QVariantList { QByteArray("\x01\x02\x03", 3) }));
        QTRY_VERIFY(!answer.is_null());
        JCOMPARE(answer["id"], json(5));
        JCOMPARE(answer["data"], json::array({ 42 }));
        QTRY_VERIFY(server.textFrames.contains(QStringLiteral("436[]")));
    }

    void sendWhileReconnectingIsBufferedVolatileIsDropped()
    {
        RawServer server;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setReconnectPolicy(fastPolicy());
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        server.dropAll();
        QTRY_COMPARE(client.state(), Client::State::Reconnecting);
        QCOMPARE(client.send(QStringLiteral("later"), { 1 }), Client::Error::NoError);
        QCOMPARE(
            client.sendVolatile(QStringLiteral("typing"), { true }), Client::Error::NotConnected);
        QSignalSpy events(&server, &RawServer::eventReceived);
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QTRY_COMPARE(events.size(), 1);
        QCOMPARE(events.at(0).at(0).toString(), QStringLiteral("later"));
        QCOMPARE(client.sendVolatile(QStringLiteral("typing"), { true }), Client::Error::NoError);
        QTRY_COMPARE(events.size(), 2);
    }

    // With recovery, the server replays before the CONNECT ack; the Client delivers those
    // events first, keeps the offset out of the arguments and sends pid + offset next time.
    void recovery()
    {
        RawServer server;
        server.recovery = true;
        int round = 0;
        server.onConnected = [&](QWebSocket *s) {
            ++round;
            if (round == 1) {
                server.sendEvent(s, "news", json::array({ "a", "off-1" }));
                server.sendEvent(s, "news", json::array({ "b", "off-2" }));
                server.sendEvent(s, "asked", json::array({ "x" }), 3); // no offset on acked ones
            }
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setToken(QStringLiteral("t"));
        client.setAuthExtras({ { QStringLiteral("offset"), QStringLiteral("user-wins") },
            { QStringLiteral("device"), QStringLiteral("d1") } });
        client.setReconnectPolicy(fastPolicy());
        QStringList order;
        connect(&client, &Client::eventReceived, this,
            [&](const QString &name, const QVariantList &args) {
                order.append(name + QLatin1Char(':') + args.value(0).toString());
                QCOMPARE(args.size(), 1);
            });
        connect(
            &client, &Client::connected, this, [&] { order.append(QStringLiteral("connected")); });
        client.open();
        QTRY_COMPARE(order.size(), 4);
        QVERIFY(!client.isRecovered());
        JCOMPARE(server.auths.at(0),
            (json { { "token", "t" }, { "offset", "user-wins" }, { "device", "d1" } }));

        // Second connection: the server replays one event before its ack.
        server.authorize = [&](QWebSocket *s, const json &) {
            server.sendEvent(s, "news", json::array({ "missed", "off-3" }));
            return json::object();
        };
        order.clear();
        server.dropAll();
        QTRY_COMPARE(client.state(), Client::State::Reconnecting);
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QVERIFY(client.isRecovered());
        QCOMPARE(
            order, (QStringList { QStringLiteral("news:missed"), QStringLiteral("connected") }));
        const json auth = server.auths.at(1);
        JCOMPARE(auth["pid"], json("pid-1"));
        JCOMPARE(auth["offset"], json("user-wins")); // the user's key wins over ours
        JCOMPARE(auth["token"], json("t"));

        // Third: without user offset, the last offset taken is sent.
        client.setAuthExtras({});
        server.dropAll();
        QTRY_COMPARE(server.auths.size(), 3);
        JCOMPARE(server.auths.at(2)["offset"], json("off-3"));
        JCOMPARE(server.auths.at(2)["pid"], json("pid-1"));
    }

    void messagePackParser()
    {
        RawServer server;
        server.parser = Protocol::ParserKind::Msgpack;
        server.onEvent = [&](QWebSocket *s, const json &data, std::optional<std::uint64_t> id) {
            if (id)
                server.sendAck(s, *id, json::array({ data[1] }));
        };
        QVERIFY(server.listen());
        Client client;
        client.setParser(Client::Parser::MessagePack);
        client.setUrl(server.url());
        client.setToken(QStringLiteral("mp"));
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        JCOMPARE(server.auths.at(0), (json { { "token", "mp" } }));
        QFuture<AckResult> r
            = client.request(QStringLiteral("echo"), { QByteArray("\x00\xff", 2) });
        QTRY_VERIFY(r.isFinished());
        QVERIFY(r.result().ok());
        QCOMPARE(r.result().args.value(0).toByteArray(), QByteArray("\x00\xff", 2));
    }

    void connectTimeoutCoversTheNamespaceAck()
    {
        RawServer server;
        server.answerConnect = false;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setConnectTimeout(200);
        client.setReconnectPolicy(fastPolicy());
        QElapsedTimer t;
        t.start();
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Reconnecting);
        QVERIFY(t.elapsed() >= 190);
        QCOMPARE(client.error(), Client::Error::Timeout);
        client.close();
    }
};

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
