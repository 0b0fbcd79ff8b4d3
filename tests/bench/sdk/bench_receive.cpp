// SPDX-License-Identifier: MIT
// SDK receive benchmark: a replay server (its own thread) sends pre-encoded `message:new`
// frames as fast as it can; a raw QWebSocket (frames counted, nothing decoded), the
// Palaver::Client (messageReceived) and Node's socket.io-client (jsclient.mjs, a child process)
// receive them, one after the other. Then ack round trips of Client::request().
//
//   bench_sdk_receive [--scale D] [--rounds N] [--only raw|client|js]
//
// --scale divides the message counts (for callgrind), --only runs a single receiver.
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>
#include <Palaver/client.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <nlohmann/json.hpp>
#include <sys/resource.h>

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
    double cpuSeconds = 0; //!< of the receiving thread (or the Node process)
    int received = 0;
};

//! CPU time (user + system) of the calling thread: the receivers run on the main thread, the
//! replay server on its own, so its work is not counted.
double threadCpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_THREAD, &usage);
    auto seconds = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

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
    const double cpu = threadCpuSeconds();
    t.start();
    client.send(QStringLiteral("replay"), { count, size });
    loop.exec();
    run.seconds = t.nsecsElapsed() / 1e9;
    run.cpuSeconds = threadCpuSeconds() - cpu;
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
    double cpu = 0;
    QObject::connect(&socket, &QWebSocket::textMessageReceived, &loop, [&](const QString &m) {
        if (!ready) {
            if (m.startsWith(QLatin1Char('0'))) {
                socket.sendTextMessage(QStringLiteral("40"));
            } else if (m.startsWith(QLatin1String("40"))) {
                ready = true;
                cpu = threadCpuSeconds();
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
    run.cpuSeconds = threadCpuSeconds() - cpu;
    socket.close();
    return run;
}

//! Node's socket.io-client in a child process; it measures itself and prints one JSON line.
Run viaJs(quint16 port, int count, int size)
{
    QProcess node;
    node.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    node.start(QStringLiteral(PALAVER_NODE_EXECUTABLE),
        { QStringLiteral(PALAVER_JSCLIENT_SCRIPT), QStringLiteral("http://127.0.0.1:%1").arg(port),
            QString::number(count), QString::number(size), QStringLiteral(PALAVER_NODE_MODULES) });
    Run run;
    if (!node.waitForFinished(600'000) || node.exitCode() != 0) {
        std::printf("  node receiver failed\n");
        return run;
    }
    const QJsonObject result = QJsonDocument::fromJson(node.readAllStandardOutput()).object();
    run.received = result.value(QStringLiteral("received")).toInt();
    run.seconds = result.value(QStringLiteral("seconds")).toDouble();
    run.cpuSeconds = result.value(QStringLiteral("cpuUs")).toDouble() / 1e6;
    return run;
}

void print(const char *name, const Run &run, const Run *raw)
{
    if (run.received == 0 || run.seconds <= 0)
        return;
    const double perSecond = run.received / run.seconds;
    const double cpuUs = 1e6 * run.cpuSeconds / run.received;
    std::printf(
        "  %-14s %7.3f s %9.0f msgs/s  cpu %6.2f us/msg", name, run.seconds, perSecond, cpuUs);
    if (raw && raw->received && raw != &run)
        std::printf("  (speed %3.0f%% of raw, cpu %.2fx raw)", 100.0 * raw->seconds / run.seconds,
            run.cpuSeconds / run.received / (raw->cpuSeconds / raw->received));
    std::printf("\n");
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
    // Every run connects a Client: its state changes would drown the results.
    QLoggingCategory::setFilterRules(QStringLiteral("palaver.*.info=false"));
    QThread serverThread;
    auto *replay = new ReplayServer;
    replay->moveToThread(&serverThread);
    replay->server.moveToThread(&serverThread);
    serverThread.start();
    QMetaObject::invokeMethod(
        replay, [replay] { replay->start(); }, Qt::BlockingQueuedConnection);
    const quint16 port = replay->port;

    int scale = 1;
    int rounds = 2;
    QString only;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--scale"))
            scale = std::max(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--rounds"))
            rounds = std::max(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--only"))
            only = args[i + 1];
    }
    auto wanted = [&](const char *name) { return only.isEmpty() || only == QLatin1String(name); };

    struct Case {
        int count;
        int size;
    };
    for (const Case c : { Case { 200000, 100 }, Case { 20000, 4096 } }) {
        const int count = c.count / scale;
        std::printf(
            "frames: %d x %d B content (frame %zu B)\n", count, c.size, frameFor(1, c.size).size());
        for (int round = 0; round < rounds; ++round) {
            Run raw, sdk, js;
            if (wanted("raw"))
                raw = viaRawSocket(port, count, c.size);
            if (wanted("client"))
                sdk = viaClient(port, count, c.size);
            if (wanted("js"))
                js = viaJs(port, count, c.size);
            print("raw QWebSocket", raw, nullptr);
            print("Client", sdk, &raw);
            print("socket.io-js", js, &raw);
            if (sdk.received && js.received)
                std::printf("  Client / js: %.2fx speed, %.2fx cpu per message\n",
                    js.seconds / sdk.seconds, sdk.cpuSeconds / js.cpuSeconds);
        }
    }
    if (only.isEmpty())
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
