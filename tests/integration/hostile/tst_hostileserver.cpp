// SPDX-License-Identifier: MIT
// A table of hostile servers (issue 9): each row scripts one misbehaviour with the raw server of
// tests/integration/sdk and says what the Client must do about it: ignore it and stay
// connected, report an error and reconnect cleanly, or stop with a clear error. Never a crash,
// and memory stays bounded (resident size sampled from /proc/self/statm around each row).
#include "rawserver.h"
#include <Palaver/client.h>

#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <unistd.h>

using namespace Palaver;
using nlohmann::json;

namespace {

enum class Expect {
    Ignored, //!< no error, still connected, the marker event after the attack arrives
    Recovers, //!< an error (the given one, or any transient one), then Connected again
    Stops, //!< the given error, not active any more (Failed or Disconnected)
    Survives, //!< an error, after which the Client either reconnects or stops cleanly
};

using Attack = std::function<void(RawServer &, QWebSocket *)>;

struct Case {
    QByteArray name;
    Expect expect;
    Client::Error error = Client::Error::NoError; //!< NoError: any (transient) error
    Attack attack; //!< on the first namespace connection
    std::function<void(RawServer &)> setup = {}; //!< before listening
    Attack handshake = {}; //!< with setup turning sendOpen off: round 1's OPEN, by hand
    bool msgpack = false;
    int connectTimeout = 2000;
};

const QString normalOpen = QStringLiteral(
    "0{\"sid\":\"ok\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
    "\"maxPayload\":1000000}");

Attack text(const QString &frame)
{
    return [frame](RawServer &srv, QWebSocket *s) { srv.sendText(s, frame); };
}

Attack texts(const QStringList &frames)
{
    return [frames](RawServer &srv, QWebSocket *s) {
        for (const auto &f : frames)
            srv.sendText(s, f);
    };
}

Attack repeat(const QString &frame, int times)
{
    return [frame, times](RawServer &srv, QWebSocket *s) {
        for (int i = 0; i < times; ++i)
            srv.sendText(s, frame);
    };
}

Attack closeWith(int code)
{
    return [code](RawServer &, QWebSocket *s) {
        s->close(QWebSocketProtocol::CloseCode(code), QStringLiteral("hostile close"));
    };
}

Attack openWith(const QString &open)
{
    return [open](RawServer &, QWebSocket *s) { s->sendTextMessage(open); };
}

QString placeholders(int n)
{
    QString out;
    for (int i = 0; i < n; ++i)
        out += QStringLiteral(",{\"_placeholder\":true,\"num\":%1}").arg(i);
    return out;
}

QString nested(int depth)
{
    return QStringLiteral("42[\"deep\",") + QString(depth, QLatin1Char('['))
        + QString(depth, QLatin1Char(']')) + QStringLiteral("]");
}

//! `t += { ... }` builds a Case from the braces (QList's own overloads would make it ambiguous).
struct Table : QList<Case> {
    Table &operator+=(Case c)
    {
        append(std::move(c));
        return *this;
    }
};

QList<Case> cases()
{
    using E = Client::Error;
    const auto handOpen = [](RawServer &srv) { srv.sendOpen = false; };
    Table t;
    // Garbage and truncated frames.
    t += { "garbage text", Expect::Recovers, E::ProtocolError, text(QStringLiteral("xyz")) };
    t += { "empty text frame", Expect::Recovers, E::ProtocolError, text(QString()) };
    t += { "unknown engine type", Expect::Recovers, E::ProtocolError, text(QStringLiteral("9x")) };
    t += { "message without packet", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("4")) };
    t += { "unknown socket.io type", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("47[\"x\"]")) };
    t += { "truncated event", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("42[\"x\",{\"a\":")) };
    t += { "invalid json", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("42[\"x\",{oops}]")) };
    t += { "event that is not an array", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("42{\"x\":1}")) };
    t += { "empty event array", Expect::Recovers, E::ProtocolError, text(QStringLiteral("42[]")) };
    t += { "reserved event name", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("42[\"connect\"]")) };
    t += { "ack id overflow", Expect::Survives, E::NoError,
        text(QStringLiteral("4399999999999999999999999999[1]")) };
    t += { "json nested 100000 deep", Expect::Recovers, E::ProtocolError, text(nested(100000)) };
    // Binary and attachments.
    t += { "binary frame without header", Expect::Recovers, E::ProtocolError,
        [](RawServer &srv, QWebSocket *s) { srv.sendBinary(s, QByteArray("\x01\x02", 2)); } };
    t += { "eleven attachments", Expect::Recovers, E::ProtocolError,
        [](RawServer &srv, QWebSocket *s) {
            srv.sendText(s, QStringLiteral("4511-[\"x\"") + placeholders(11) + QStringLiteral("]"));
            for (int i = 0; i < 11; ++i)
                srv.sendBinary(s, QByteArray(1, char(i)));
        } };
    t += { "placeholder out of range", Expect::Recovers, E::ProtocolError,
        [](RawServer &srv, QWebSocket *s) {
            srv.sendText(s, QStringLiteral("451-[\"x\",{\"_placeholder\":true,\"num\":7}]"));
            srv.sendBinary(s, QByteArray("a"));
        } };
    t += { "attachment flood after a header", Expect::Recovers, E::ProtocolError,
        [](RawServer &srv, QWebSocket *s) {
            srv.sendText(s, QStringLiteral("451-[\"x\",{\"_placeholder\":true,\"num\":0}]"));
            for (int i = 0; i < 2000; ++i)
                srv.sendBinary(s, QByteArray(1024, 'b'));
        } };
    t += { "text while attachments pending", Expect::Recovers, E::ProtocolError,
        texts({ QStringLiteral("451-[\"x\",{\"_placeholder\":true,\"num\":0}]"),
            QStringLiteral("42[\"y\"]") }) };
    t += { "200 binary events of 10 x 10 KB", Expect::Ignored, E::NoError,
        [](RawServer &srv, QWebSocket *s) {
            for (int e = 0; e < 200; ++e) {
                srv.sendText(
                    s, QStringLiteral("4510-[\"blob\"") + placeholders(10) + QStringLiteral("]"));
                for (int i = 0; i < 10; ++i)
                    srv.sendBinary(s, QByteArray(10 * 1024, char(i)));
            }
        } };
    t += { "invalid msgpack", Expect::Recovers, E::ProtocolError,
        [](RawServer &srv, QWebSocket *s) { srv.sendBinary(s, QByteArray("\xc1\xc1", 2)); }, {}, {},
        true };
    t += { "truncated msgpack", Expect::Recovers, E::ProtocolError,
        [](RawServer &srv, QWebSocket *s) {
            srv.sendBinary(s, QByteArray("\x84\xa4type\x02\xa4", 8));
        },
        {}, {}, true };
    t += { "msgpack text frame", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("42[\"json-on-a-msgpack-line\"]")), {}, {}, true };
    // Big and many.
    // Just under and just over Client::maxIncomingMessageSize()'s default of 8 MiB.
    t += { "7 MB event", Expect::Ignored, E::NoError,
        text(QStringLiteral("42[\"big\",\"") + QString(7 * 1024 * 1024, QLatin1Char('z'))
            + QStringLiteral("\"]")) };
    t += { "8 MB event, over the incoming limit", Expect::Recovers, E::ProtocolError,
        text(QStringLiteral("42[\"big\",\"") + QString(8 * 1024 * 1024, QLatin1Char('z'))
            + QStringLiteral("\"]")) };
    t += { "endless pings (50000)", Expect::Ignored, E::NoError,
        repeat(QStringLiteral("2"), 50000) };
    t += { "acks nobody asked for (20000)", Expect::Ignored, E::NoError,
        [](RawServer &srv, QWebSocket *s) {
            for (int i = 0; i < 20000; ++i)
                srv.sendText(s, QStringLiteral("43%1[{\"ok\":true}]").arg(i + 1000));
        } };
    t += { "server requests flood (5000)", Expect::Ignored, E::NoError,
        [](RawServer &srv, QWebSocket *s) {
            for (int i = 0; i < 5000; ++i)
                srv.sendText(s, QStringLiteral("42%1[\"question\",%1]").arg(i));
        } };
    t += { "noop, upgrade and pong frames", Expect::Ignored, E::NoError,
        texts({ QStringLiteral("6"), QStringLiteral("5"), QStringLiteral("3") }) };
    // Chat-level nonsense: not the Client's business to fail on.
    t += { "message:new for a room never joined", Expect::Ignored, E::NoError,
        text(QStringLiteral(
            "42[\"message:new\",{\"id\":\"m1\",\"roomId\":\"nowhere\",\"seq\":1,\"userId\":\"x\","
            "\"userName\":\"X\",\"content\":\"hi\",\"createdAt\":\"2026-01-01T00:00:00.000Z\"}"
            "]")) };
    t += { "seq going backwards", Expect::Ignored, E::NoError, [](RawServer &srv, QWebSocket *s) {
              for (int seq : { 5, 3, 3, 1, -4 })
                  srv.sendText(s,
                      QStringLiteral("42[\"message:new\",{\"id\":\"m%1\",\"roomId\":\"general\","
                                     "\"seq\":%1,\"userId\":\"x\",\"userName\":\"X\",\"content\":"
                                     "\"hi\",\"createdAt\":\"2026-01-01T00:00:00.000Z\"}]")
                          .arg(seq));
          } };
    t += { "malformed message:new", Expect::Ignored, E::NoError,
        texts({ QStringLiteral("42[\"message:new\",{\"id\":5}]"),
            QStringLiteral("42[\"message:new\"]"), QStringLiteral("42[\"message:new\",null]"),
            QStringLiteral("42[\"session:ready\",\"not an object\"]"),
            QStringLiteral("42[\"user:online\",[]]") }) };
    t += { "other namespace", Expect::Ignored, E::NoError,
        texts({ QStringLiteral("42/admin,[\"x\"]"), QStringLiteral("41/admin,"),
            QStringLiteral("44/admin,{\"message\":\"no\"}") }) };
    t += { "second CONNECT ack", Expect::Ignored, E::NoError,
        text(QStringLiteral("40{\"sid\":\"again\"}")) };
    // Handshake and heartbeat.
    t += { "OPEN never comes", Expect::Recovers, E::Timeout, {}, handOpen,
        [](RawServer &, QWebSocket *) {}, false, 300 };
    t += { "OPEN not json", Expect::Recovers, E::ProtocolError, {}, handOpen,
        openWith(QStringLiteral("0{not json")) };
    t += { "OPEN without sid", Expect::Recovers, E::ProtocolError, {}, handOpen,
        openWith(QStringLiteral("0{\"upgrades\":[],\"pingInterval\":1000,\"pingTimeout\":1000}")) };
    t += { "OPEN pingInterval 0", Expect::Recovers, E::PingTimeout, {}, handOpen,
        openWith(QStringLiteral(
            "0{\"sid\":\"z\",\"upgrades\":[],\"pingInterval\":0,\"pingTimeout\":0}")) };
    t += { "OPEN pingInterval negative", Expect::Recovers, E::ProtocolError, {}, handOpen,
        openWith(QStringLiteral(
            "0{\"sid\":\"z\",\"upgrades\":[],\"pingInterval\":-5,\"pingTimeout\":1000}")) };
    t += { "OPEN pingInterval a string", Expect::Recovers, E::ProtocolError, {}, handOpen,
        openWith(QStringLiteral(
            "0{\"sid\":\"z\",\"upgrades\":[],\"pingInterval\":\"25000\",\"pingTimeout\":1}")) };
    t += { "OPEN pingInterval huge", Expect::Ignored, E::NoError, {}, handOpen,
        openWith(QStringLiteral("0{\"sid\":\"z\",\"upgrades\":[],\"pingInterval\":"
                                "9223372036854775807,\"pingTimeout\":9223372036854775807}")) };
    t += { "OPEN maxPayload 0", Expect::Ignored, E::NoError, {}, handOpen,
        openWith(QStringLiteral("0{\"sid\":\"z\",\"upgrades\":[],\"pingInterval\":25000,"
                                "\"pingTimeout\":20000,\"maxPayload\":0}")) };
    t += { "second OPEN", Expect::Recovers, E::ProtocolError, text(normalOpen) };
    t += { "pings stop", Expect::Recovers, E::PingTimeout, {},
        [](RawServer &srv) {
            srv.pingInterval = 100;
            srv.pingTimeout = 100;
            srv.setPingsPaused(true);
        },
        {} };
    t += { "CONNECT ack never comes", Expect::Recovers, E::Timeout, {},
        [](RawServer &srv) { srv.answerConnect = false; }, {}, false, 300 };
    t += { "event flood before the CONNECT ack", Expect::Recovers, E::ProtocolError, {},
        [](RawServer &srv) {
            srv.answerConnect = false;
            srv.authorize = [&srv](QWebSocket *s, const json &) {
                if (srv.connectCount == 1) {
                    for (int i = 0; i < 10001; ++i)
                        s->sendTextMessage(QStringLiteral("42[\"x\",1]"));
                }
                return json::object();
            };
        },
        {} };
    t += { "CONNECT ack not an object", Expect::Recovers, E::ProtocolError, {},
        [](RawServer &srv) {
            srv.answerConnect = false;
            srv.authorize = [&srv](QWebSocket *s, const json &) {
                if (srv.connectCount == 1)
                    s->sendTextMessage(QStringLiteral("40[\"sid\"]"));
                return json::object();
            };
        },
        {} };
    t += { "CONNECT ack without sid", Expect::Recovers, E::ProtocolError, {},
        [](RawServer &srv) {
            srv.answerConnect = false;
            srv.authorize = [&srv](QWebSocket *s, const json &) {
                if (srv.connectCount == 1)
                    s->sendTextMessage(QStringLiteral("40{\"pid\":\"p\"}"));
                return json::object();
            };
        },
        {} };
    // Closing.
    for (int code : { 1000, 1001, 1002, 1003, 1008, 1009, 1011, 4000, 4999 }) {
        t += { QByteArray("close code ") + QByteArray::number(code), Expect::Recovers,
            E::ConnectionLost, closeWith(code) };
    }
    t += { "TCP reset", Expect::Recovers, E::ConnectionLost,
        [](RawServer &, QWebSocket *s) { s->abort(); } };
    t += { "engine close packet", Expect::Recovers, E::ConnectionLost, text(QStringLiteral("1")) };
    t += { "server disconnect 41", Expect::Stops, E::ServerDisconnected,
        text(QStringLiteral("41")) };
    // Refusals: not retried with the same token.
    const auto refuse = [](json refusal) {
        return [refusal](RawServer &srv) {
            srv.authorize = [refusal](QWebSocket *, const json &) { return refusal; };
        };
    };
    t += { "CONNECT_ERROR legacy string", Expect::Stops, E::ConnectionRejected, {},
        [](RawServer &srv) {
            srv.answerConnect = false;
            srv.authorize = [](QWebSocket *s, const json &) {
                s->sendTextMessage(QStringLiteral("44\"not welcome\""));
                return json::object();
            };
        },
        {} };
    t += { "CONNECT_ERROR without data", Expect::Stops, E::ConnectionRejected, {},
        refuse({ { "message", "no" } }) };
    t += { "CONNECT_ERROR unknown code", Expect::Stops, E::ConnectionRejected, {},
        refuse({ { "message", "no" }, { "data", { { "code", "teapot" } } } }) };
    t += { "CONNECT_ERROR numeric code", Expect::Stops, E::ConnectionRejected, {},
        refuse({ { "message", "no" }, { "data", { { "code", 401 } } } }) };
    t += { "CONNECT_ERROR invalid_token", Expect::Stops, E::InvalidToken, {},
        refuse({ { "message", "Invalid token" }, { "data", { { "code", "invalid_token" } } } }) };
    t += { "CONNECT_ERROR token_expired", Expect::Stops, E::TokenExpired, {},
        refuse({ { "message", "Invalid token" }, { "data", { { "code", "token_expired" } } } }) };
    t += { "CONNECT_ERROR not an object", Expect::Survives, E::NoError, {},
        [](RawServer &srv) {
            srv.answerConnect = false;
            srv.authorize = [&srv](QWebSocket *s, const json &) {
                if (srv.connectCount == 1)
                    s->sendTextMessage(QStringLiteral("44[1,2,3]"));
                return json::object();
            };
        },
        {} };
    t += { "CONNECT_ERROR while connected", Expect::Survives, E::NoError,
        text(QStringLiteral("44{\"message\":\"changed my mind\"}")) };
    return t;
}

qint64 residentBytes()
{
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = f.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE) : 0;
}

bool isTransient(Client::Error e)
{
    return int(e) >= 200 && int(e) < 300;
}

} // namespace

class TestHostileServer : public QObject {
    Q_OBJECT

    int m_rows = 0;
    int m_passed = 0;
    qint64 m_maxGrowth = 0;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
    }

    void misbehaviour_data()
    {
        QTest::addColumn<int>("row");
        const auto table = cases();
        for (int i = 0; i < table.size(); ++i)
            QTest::newRow(table.at(i).name.constData()) << i;
    }

    void misbehaviour()
    {
        QFETCH(int, row);
        const Case c = cases().at(row);
        ++m_rows;
        const qint64 rssBefore = residentBytes();

        RawServer server;
        if (c.msgpack)
            server.parser = Palaver::Protocol::ParserKind::Msgpack;
        if (c.setup)
            c.setup(server);
        int sockets = 0;
        connect(&server, &RawServer::clientConnected, this, [&](QWebSocket *s) {
            ++sockets;
            if (!c.handshake)
                return;
            if (sockets == 1)
                c.handshake(server, s);
            else
                s->sendTextMessage(normalOpen);
        });
        int rounds = 0;
        server.onConnected = [&](QWebSocket *s) {
            ++rounds;
            if (rounds != 1)
                return;
            if (c.attack)
                c.attack(server, s);
            if (c.expect == Expect::Ignored)
                server.sendEvent(s, "after", json::array({ 1 }));
        };
        // Round 2 and later see a well-behaved server.
        connect(&server, &RawServer::clientConnected, this, [&](QWebSocket *) {
            if (sockets >= 2) {
                server.answerConnect = true;
                server.pingInterval = 25000;
                server.pingTimeout = 20000;
                if (c.expect != Expect::Stops)
                    server.authorize = {};
            }
        });
        QVERIFY(server.listen());

        Client client;
        client.setUrl(server.url());
        client.setConnectTimeout(c.connectTimeout);
        ReconnectPolicy policy;
        policy.setInitialDelay(50);
        policy.setMaxDelay(200);
        client.setReconnectPolicy(policy);
        if (c.msgpack)
            client.setParser(Client::Parser::MessagePack);
        QSignalSpy errors(&client, &Client::errorOccurred);
        bool sawMarker = false;
        client.on(QStringLiteral("after"), this, [&](const QVariantList &) { sawMarker = true; });
        client.open();

        switch (c.expect) {
        case Expect::Ignored:
            QTRY_VERIFY_WITH_TIMEOUT(sawMarker, 30000);
            QCOMPARE(errors.size(), 0);
            QCOMPARE(client.state(), Client::State::Connected);
            QCOMPARE(server.connectionCount, 1);
            // Still usable: a request goes through and is answered.
            if (rounds >= 1) {
                server.onEvent = [&](QWebSocket *s, const json &, std::optional<std::uint64_t> id) {
                    if (id)
                        server.sendAck(s, *id, json::array({ { { "ok", true } } }));
                };
                bool answered = false;
                client.request(
                    QStringLiteral("probe"), {}, [&](const AckResult &) { answered = true; }, 5000);
                QTRY_VERIFY_WITH_TIMEOUT(answered, 10000);
            }
            break;
        case Expect::Recovers:
            QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 1, 20000);
            if (c.error != Client::Error::NoError)
                QCOMPARE(errors.at(0).at(0).value<Client::Error>(), c.error);
            else
                QVERIFY(isTransient(errors.at(0).at(0).value<Client::Error>()));
            QVERIFY(client.isActive());
            QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 20000);
            QVERIFY(server.connectionCount >= 2);
            break;
        case Expect::Stops:
            QTRY_VERIFY_WITH_TIMEOUT(!client.isActive(), 20000);
            QCOMPARE(client.error(), c.error);
            QVERIFY(!client.errorString().isEmpty());
            QVERIFY(client.state() == Client::State::Failed
                || client.state() == Client::State::Disconnected);
            QTest::qWait(300); // and it does not come back by itself
            QVERIFY(client.state() != Client::State::Connected);
            QCOMPARE(server.connectionCount, 1);
            break;
        case Expect::Survives:
            QTRY_VERIFY_WITH_TIMEOUT(errors.size() >= 1, 20000);
            QTRY_VERIFY_WITH_TIMEOUT(client.state() == Client::State::Connected
                    || (!client.isActive() && client.error() != Client::Error::NoError),
                20000);
            break;
        }
        client.close();
        QCOMPARE(client.state(), Client::State::Disconnected);

        const qint64 growth = residentBytes() - rssBefore;
        m_maxGrowth = qMax(m_maxGrowth, growth);
        // Generous: the 7 MB event is held several times over while it is decoded.
        QVERIFY2(growth < 256ll * 1024 * 1024,
            qPrintable(QStringLiteral("resident size grew by %1 MB").arg(growth >> 20)));
        ++m_passed;
    }

    void cleanupTestCase()
    {
        qInfo("hostile servers: %d misbehaviours tried, %d handled as expected; largest resident "
              "growth over one row %lld KB",
            m_rows, m_passed, m_maxGrowth / 1024);
    }
};

QTEST_GUILESS_MAIN(TestHostileServer)
#include "tst_hostileserver.moc"
