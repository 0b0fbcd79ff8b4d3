// SPDX-License-Identifier: MIT
// SDK receive benchmark: a replay server (its own thread) sends pre-encoded `message:new`
// frames as fast as it can; the Palaver::Client (messageReceived) and a raw QWebSocket (frames
// counted, nothing decoded) receive them. Then ack round trips of Client::request().
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>
#include <Palaver/client.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <vector>

using namespace Palaver;
using nlohmann::json;

namespace {

std::string frameFor(int seq, int size)
{
    json m { { "id", "m" + std::to_string(seq) }, { "roomId", "general" }, { "seq", seq },
        { "userId", "u1" }, { "userName", "User One" }, { "content", "" },
        { "createdAt", "2026-01-01T00:00:00.000Z" }, { "clientId", "" } };
    const std::string base = "42" + json::array({ "message:new", m }).dump();
    const int pad = std::max(1, size - int(base.size()));
    m["content"] = std::string(size_t(pad), 'x');
    return "42" + json::array({ "message:new", m }).dump();
}

//! Lives in the server thread. On `replay` (an event with [count, size]) it writes `count`
//! frames; `echo` requests are answered at once.
class ReplayServer : public QObject {
public:
    QWebSocketServer server { QStringLiteral("replay"), QWebSocketServer::NonSecureMode };
    std::atomic<quint16> port { 0 };

    void start()
    {
        server.listen(QHostAddress::LocalHost, 0);
        connect(&server, &QWebSocketServer::newConnection, this, [this] {
            while (auto *s = server.nextPendingConnection()) {
                s->sendTextMessage(QStringLiteral(
                    R"(0{"sid":"b","upgrades":[],"pingInterval":600000,"pingTimeout":600000,"maxPayload":100000000})"));
                connect(s, &QWebSocket::textMessageReceived, s, [s](const QString &t) {
                    if (t.startsWith(QLatin1String("40"))) {
                        s->sendTextMessage(QStringLiteral(R"(40{"sid":"x"})"));
                        return;
                    }
                    if (!t.startsWith(QLatin1String("42")))
                        return;
                    const QByteArray utf8 = t.toUtf8();
                    const auto packet = Protocol::decodeEngineFrame(
                        std::string_view(utf8.constData(), size_t(utf8.size())));
                    Protocol::Decoder decoder;
                    auto p = decoder.feedText(packet.value().data);
                    if (!p || !p.value())
                        return;
                    auto data = Protocol::packetData(*p.value());
                    if (!data)
                        return;
                    const auto &d = data.value();
                    if (d[0] == "replay") {
                        const int count = d[1].template get<int>();
                        const int size = d[2].template get<int>();
                        // Pre-encode a ring of frames so the sender does no JSON work.
                        std::vector<QString> frames;
                        for (int i = 0; i < 64; ++i)
                            frames.push_back(QString::fromStdString(frameFor(i + 1, size)));
                        for (int i = 0; i < count; ++i)
                            s->sendTextMessage(frames[size_t(i % 64)]);
                        s->flush();
                    } else if (d[0] == "echo" && p.value()->id) {
                        s->sendTextMessage(QStringLiteral("43%1[\"ok\"]").arg(*p.value()->id));
                    }
                });
            }
        });
        port = server.serverPort();
    }
};

struct Run {
    double seconds = 0;
    int received = 0;
};

Run viaClient(quint16 port, int count, int size)
{
    Client client;
    client.setUrl(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
    QEventLoop loop;
    QObject::connect(&client, &Client::connected, &loop, &QEventLoop::quit);
    client.open();
    loop.exec();
    Run run;
    QElapsedTimer t;
    QObject::connect(&client, &Client::messageReceived, &loop, [&](const Message &) {
        if (++run.received == count)
            loop.quit();
    });
    t.start();
    client.send(QStringLiteral("replay"), { count, size });
    loop.exec();
    run.seconds = t.nsecsElapsed() / 1e9;
    client.close();
    return run;
}

Run viaRawSocket(quint16 port, int count, int size)
{
    QWebSocket socket;
    QEventLoop loop;
    Run run;
    bool ready = false;
    QElapsedTimer t;
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &loop, [&](const QString &m) {
        if (!ready) {
            if (m.startsWith(QLatin1Char('0'))) {
                socket.sendTextMessage(QStringLiteral("40"));
            } else if (m.startsWith(QLatin1String("40"))) {
                ready = true;
                t.start();
                socket.sendTextMessage(QStringLiteral("42[\"replay\",%1,%2]").arg(count).arg(size));
            }
            return;
        }
        if (++run.received == count)
            loop.quit();
    });
    socket.open(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket").arg(port)));
    loop.exec();
    run.seconds = t.nsecsElapsed() / 1e9;
    socket.close();
    return run;
}

void ackRoundTrips(quint16 port, int count)
{
    Client client;
    client.setUrl(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
    QEventLoop loop;
    QObject::connect(&client, &Client::connected, &loop, &QEventLoop::quit);
    client.open();
    loop.exec();
    std::vector<double> us;
    us.reserve(size_t(count));
    std::function<void()> next = [&] {
        QElapsedTimer t;
        t.start();
        client.request(QStringLiteral("echo"), { 1 }, [&, t](const AckResult &r) {
            if (!r.ok()) {
                std::printf("ack failed: %s\n", qPrintable(r.errorString));
                loop.quit();
                return;
            }
            us.push_back(t.nsecsElapsed() / 1e3);
            if (int(us.size()) == count)
                loop.quit();
            else
                next();
        });
    };
    next();
    loop.exec();
    std::sort(us.begin(), us.end());
    auto pct = [&](double p) { return us[std::min(us.size() - 1, size_t(p * double(us.size())))]; };
    std::printf("ack round trips (%d sequential): p50 %.0f us, p99 %.0f us, max %.0f us\n", count,
        pct(0.50), pct(0.99), us.back());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QThread serverThread;
    auto *replay = new ReplayServer;
    replay->moveToThread(&serverThread);
    replay->server.moveToThread(&serverThread);
    serverThread.start();
    QMetaObject::invokeMethod(
        replay, [replay] { replay->start(); }, Qt::BlockingQueuedConnection);
    const quint16 port = replay->port;

    struct Case {
        int count;
        int size;
    };
    for (const Case c : { Case { 200000, 100 }, Case { 20000, 4096 } }) {
        std::printf(
            "frames: %d x %d B (frame %zu B)\n", c.count, c.size, frameFor(1, c.size).size());
        for (int round = 0; round < 2; ++round) {
            const Run raw = viaRawSocket(port, c.count, c.size);
            const Run sdk = viaClient(port, c.count, c.size);
            std::printf(
                "  raw QWebSocket: %.3f s, %.0f frames/s | Client: %.3f s, %.0f msgs/s (%.0f%%)\n",
                raw.seconds, raw.received / raw.seconds, sdk.seconds, sdk.received / sdk.seconds,
                100.0 * raw.seconds / sdk.seconds);
        }
    }
    ackRoundTrips(port, 2000);

    QMetaObject::invokeMethod(
        replay,
        [replay] {
            replay->server.close();
            delete replay;
        },
        Qt::BlockingQueuedConnection);
    serverThread.quit();
    serverThread.wait();
    return 0;
}
