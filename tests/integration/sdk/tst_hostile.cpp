// SPDX-License-Identifier: MIT
// Servers that break the protocol: the Client reports the error, reconnects or fails cleanly,
// and never crashes.
#include "rawserver.h"
#include <Palaver/client.h>

#include <QCryptographicHash>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

using namespace Palaver;
using nlohmann::json;

namespace {

ReconnectPolicy fastPolicy()
{
    ReconnectPolicy p;
    p.setInitialDelay(50);
    p.setMaxDelay(200);
    return p;
}

QByteArray serverFrame(const QByteArray &payload, bool text = true)
{
    QByteArray f;
    f.append(char(text ? 0x81 : 0x82));
    if (payload.size() < 126) {
        f.append(char(payload.size()));
    } else {
        f.append(char(126));
        f.append(char((payload.size() >> 8) & 0xff));
        f.append(char(payload.size() & 0xff));
    }
    return f + payload;
}

//! A WebSocket server written by hand, so that it can stop in the middle of a frame.
class StallingServer : public QObject {
public:
    StallingServer()
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                ++connections;
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
            }
        });
    }
    bool listen() { return server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort())); }
    int connections = 0;

private:
    void onRead(QTcpSocket *s)
    {
        QByteArray &buffer = buffers[s];
        buffer += s->readAll();
        if (handshaken.contains(s) || !buffer.contains("\r\n\r\n"))
            return;
        handshaken.insert(s);
        QByteArray key;
        for (const QByteArray &line : buffer.split('\n')) {
            if (line.toLower().startsWith("sec-websocket-key:"))
                key = line.mid(18).trimmed();
        }
        const QByteArray accept = QCryptographicHash::hash(
            QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), QCryptographicHash::Sha1)
                                      .toBase64();
        s->write(QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Accept: ")
            + accept + QByteArray("\r\n\r\n"));
        s->write(serverFrame(
            R"(0{"sid":"x","upgrades":[],"pingInterval":200,"pingTimeout":200,"maxPayload":1000000})"));
        s->write(serverFrame(R"(40{"sid":"y"})"));
        // A 4,000-byte text frame announced, 10 bytes sent, then nothing.
        QByteArray partial;
        partial.append(char(0x81));
        partial.append(char(126));
        partial.append(char(0x0f));
        partial.append(char(0xa0));
        partial.append("42[\"news\",");
        s->write(partial);
        s->flush();
    }

    QTcpServer server;
    QHash<QTcpSocket *, QByteArray> buffers;
    QSet<QTcpSocket *> handshaken;
};

} // namespace

class TestHostile : public QObject {
    Q_OBJECT

    //! Connects a Client, lets `attack` run on the server side, and expects the Client to
    //! report `expected` and be back (Reconnecting, then Connected) afterwards.
    void expectRecovery(
        const std::function<void(RawServer &, QWebSocket *)> &attack, Client::Error expected)
    {
        RawServer server;
        int round = 0;
        server.onConnected = [&](QWebSocket *s) {
            if (++round == 1)
                attack(server, s);
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_VERIFY(errors.size() >= 1);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), expected);
        QVERIFY(client.isActive());
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QVERIFY(round >= 2);
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
    }

    void garbageText()
    {
        expectRecovery(
            [](RawServer &srv, QWebSocket *s) { srv.sendText(s, QStringLiteral("xyz")); },
            Client::Error::ProtocolError);
    }

    void emptyFrame()
    {
        expectRecovery([](RawServer &srv, QWebSocket *s) { srv.sendText(s, QString()); },
            Client::Error::ProtocolError);
    }

    void invalidJson()
    {
        expectRecovery([](RawServer &srv,
                           QWebSocket *s) { srv.sendText(s, QStringLiteral("42[\"x\",{oops")); },
            Client::Error::ProtocolError);
    }

    void binaryWithoutHeader()
    {
        expectRecovery(
            [](RawServer &srv, QWebSocket *s) { srv.sendBinary(s, QByteArray("\x01\x02")); },
            Client::Error::ProtocolError);
    }

    void tooManyAttachments()
    {
        expectRecovery(
            [](RawServer &srv, QWebSocket *s) {
                QString placeholders;
                for (int i = 0; i < 11; ++i)
                    placeholders += QStringLiteral(",{\"_placeholder\":true,\"num\":%1}").arg(i);
                srv.sendText(s, QStringLiteral("4511-[\"x\"") + placeholders + QStringLiteral("]"));
                for (int i = 0; i < 11; ++i)
                    srv.sendBinary(s, QByteArray(1, char(i)));
            },
            Client::Error::ProtocolError);
    }

    void textWhileAttachmentsPending()
    {
        expectRecovery(
            [](RawServer &srv, QWebSocket *s) {
                srv.sendText(s, QStringLiteral("451-[\"x\",{\"_placeholder\":true,\"num\":0}]"));
                srv.sendText(s, QStringLiteral("42[\"y\"]"));
            },
            Client::Error::ProtocolError);
    }

    void secondHandshake()
    {
        expectRecovery(
            [](RawServer &srv, QWebSocket *s) {
                srv.sendText(s,
                    QStringLiteral("0{\"sid\":\"again\",\"upgrades\":[],\"pingInterval\":1,"
                                   "\"pingTimeout\":1}"));
            },
            Client::Error::ProtocolError);
    }

    void engineCloseFromServer()
    {
        expectRecovery([](RawServer &srv, QWebSocket *s) { srv.sendText(s, QStringLiteral("1")); },
            Client::Error::ConnectionLost);
    }

    // Harmless nonsense: ignored, the connection stays.
    void wrongAckIdsAndBadMessagesAreIgnored()
    {
        RawServer server;
        server.onConnected = [&](QWebSocket *s) {
            server.sendText(s, QStringLiteral("43999[1]"));
            server.sendText(s, QStringLiteral("43[1]")); // ack without id
            server.sendText(s, QStringLiteral("42[\"message:new\",{\"id\":5}]"));
            server.sendText(s, QStringLiteral("42[\"message:new\"]"));
            server.sendText(s, QStringLiteral("42/other,[\"elsewhere\"]"));
            server.sendText(s, QStringLiteral("6"));
            server.sendText(s, QStringLiteral("3"));
            server.sendEvent(s, "after", json::array({ 1 }));
        };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        QSignalSpy events(&client, &Client::eventReceived);
        QSignalSpy messages(&client, &Client::messageReceived);
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_VERIFY(!events.isEmpty() && events.last().at(0).toString() == QLatin1String("after"));
        QCOMPARE(messages.size(), 0);
        QCOMPARE(errors.size(), 0);
        QCOMPARE(client.state(), Client::State::Connected);
        QCOMPARE(server.connectionCount, 1);
    }

    void invalidHandshake()
    {
        RawServer server;
        server.sendOpen = false;
        int round = 0;
        connect(&server, &RawServer::clientConnected, this, [&](QWebSocket *s) {
            ++round;
            s->sendTextMessage(
                round == 1 ? QStringLiteral("0{not json") : QStringLiteral("42[\"before open\"]"));
        });
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_VERIFY(errors.size() >= 2);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::ProtocolError);
        QCOMPARE(errors.at(1).at(0).value<Client::Error>(), Client::Error::ProtocolError);
        QVERIFY(client.isActive());
        client.close();
        QCOMPARE(client.state(), Client::State::Disconnected);
    }

    void handshakeNeverFinishes()
    {
        RawServer server;
        server.sendOpen = false;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setConnectTimeout(150);
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_VERIFY(errors.size() >= 2);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::Timeout);
        QVERIFY(server.connectionCount >= 2); // it keeps trying, with backoff
        client.close();
    }

    void garbageConnectError()
    {
        RawServer server;
        server.authorize = [](QWebSocket *, const json &) { return json { { "message", 42 } }; };
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setReconnectPolicy(fastPolicy());
        client.open();
        QTRY_VERIFY(client.state() == Client::State::Failed
            || client.state() == Client::State::Reconnecting);
        client.close();
    }

    void stallsMidFrame()
    {
        StallingServer server;
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url());
        client.setReconnectPolicy(fastPolicy());
        QSignalSpy errors(&client, &Client::errorOccurred);
        client.open();
        QTRY_COMPARE(client.state(), Client::State::Connected);
        QElapsedTimer t;
        t.start();
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 3000);
        QCOMPARE(errors.at(0).at(0).value<Client::Error>(), Client::Error::PingTimeout);
        QVERIFY(t.elapsed() < 200 + 200 + 300);
        QTRY_VERIFY(server.connections >= 2);
        client.close();
    }

    // The server cuts the connection at every possible moment; the Client survives them all.
    void dropsAtEveryStep()
    {
        for (int step = 0; step < 4; ++step) {
            RawServer server;
            server.sendOpen = step != 0;
            server.answerConnect = step != 1;
            connect(&server, &RawServer::clientConnected, this, [&, step](QWebSocket *s) {
                if (step == 0)
                    s->abort();
            });
            server.onConnected = [&, step](QWebSocket *s) {
                if (step == 2)
                    s->abort();
                if (step == 3) {
                    server.sendText(
                        s, QStringLiteral("451-[\"x\",{\"_placeholder\":true,\"num\":0}]"));
                    s->abort();
                }
            };
            QVERIFY(server.listen());
            Client client;
            client.setUrl(server.url());
            client.setConnectTimeout(100);
            client.setReconnectPolicy(fastPolicy());
            QSignalSpy errors(&client, &Client::errorOccurred);
            client.open();
            QTRY_VERIFY(errors.size() >= 2);
            QVERIFY(client.isActive());
            client.close();
        }
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
