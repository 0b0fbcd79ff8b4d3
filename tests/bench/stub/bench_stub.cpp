// SPDX-License-Identifier: MIT
// Fan-out deliveries per second to a room of N clients, and the memory of 1,000 idle connections
// (RSS delta of the server process), for palaver-stub and for the Node reference server
// (tests/interop/server/server.js behind tests/interop/server/cluster.mjs, with Redis).
//
//   palaver-bench-stub [--clients 100] [--messages 2000] [--window 20] [--idle 1000]
//                      [--only stub|node]
//
// Clients are raw Engine.IO/Socket.IO (JSON parser) WebSockets on this process's event loop; they
// only look at frame prefixes, so the client side costs the same against both servers.

#include "benchsupport.h"
#include <Palaver/Stub/jwtverifier.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>
#include <QWebSocket>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

using Palaver::Stub::JwtVerifier;
using PalaverBench::rssKiB;
using PalaverBench::Server;
using PalaverBench::waitFor;

namespace {

const QByteArray Secret = QByteArrayLiteral("bench-secret");

// One raw Socket.IO client that joins `general` and counts message:new frames.
class Client {
public:
    Client(const QUrl &url, const QString &user)
        : m_token(JwtVerifier::mint(Secret, user, user, 3600))
    {
        QObject::connect(&ws, &QWebSocket::textMessageReceived, &ws,
            [this](const QString &frame) { onText(frame); });
        QObject::connect(&ws, &QWebSocket::disconnected, &ws, [this] { closed = true; });
        ws.open(QUrl(url.toString() + QStringLiteral("/socket.io/?EIO=4&transport=websocket")));
    }

    void send(const QString &frame) { ws.sendTextMessage(frame); }

    QWebSocket ws;
    bool joinOnReady = true;
    bool ready = false;
    bool joined = false;
    bool closed = false;
    qint64 received = 0; //!< message:new frames
    qint64 acks = 0;
    std::function<void()> onAck;

private:
    void onText(const QString &frame)
    {
        if (frame.startsWith(QLatin1String("42[\"message:new\""))) {
            ++received;
        } else if (frame == QLatin1String("2")) {
            ws.sendTextMessage(QStringLiteral("3"));
        } else if (frame.startsWith(QLatin1String("43"))) {
            if (frame.startsWith(QLatin1String("430[")))
                joined = true;
            else {
                ++acks;
                if (onAck)
                    onAck();
            }
        } else if (frame.startsWith(QLatin1String("0{"))) {
            send(QStringLiteral("40{\"token\":\"%1\"}").arg(QString::fromLatin1(m_token)));
        } else if (frame.startsWith(QLatin1String("42[\"session:ready\""))) {
            ready = true;
            if (joinOnReady)
                send(QStringLiteral("420[\"room:join\",\"general\"]"));
        }
    }
    QByteArray m_token;
};

std::optional<Server> startStub()
{
    return PalaverBench::startStub(QStringLiteral(PALAVER_STUB_EXE), Secret);
}

// cluster.mjs starts redis and one server.js node; the node's pid is found by its --key.
std::optional<Server> startNode()
{
    Server s;
    s.name = QStringLiteral("node socket.io 4.8 (redis pub/sub adapter)");
    const QString cluster = QStringLiteral(PALAVER_SOURCE_DIR "/tests/interop/server/cluster.mjs");
    s.process = std::make_unique<QProcess>();
    s.process->start(QStringLiteral("node"),
        { cluster, QStringLiteral("--nodes"), QStringLiteral("1"), QStringLiteral("--adapter"),
            QStringLiteral("pubsub"), QStringLiteral("--"), QStringLiteral("--secret"),
            QString::fromLatin1(Secret), QStringLiteral("--rate-burst"),
            QStringLiteral("1000000000"), QStringLiteral("--rate-per-sec"),
            QStringLiteral("1000000000") });
    static const QRegularExpression urlRe(QStringLiteral("http://127\\.0\\.0\\.1:(\\d+)"));
    static const QRegularExpression keyRe(QStringLiteral("key (\\S+)"));
    QString out;
    if (!waitFor(
            [&] {
                out += QString::fromUtf8(s.process->readAllStandardOutput());
                return urlRe.match(out).hasMatch() || s.process->state() == QProcess::NotRunning;
            },
            30000)
        || !urlRe.match(out).hasMatch()) {
        std::fprintf(stderr, "node cluster did not start: %s\n",
            qPrintable(QString::fromUtf8(s.process->readAllStandardError())));
        return std::nullopt;
    }
    s.url = QUrl(QStringLiteral("ws://127.0.0.1:") + urlRe.match(out).captured(1));
    const QString key = keyRe.match(out).captured(1);
    const auto entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        QFile f(QStringLiteral("/proc/%1/cmdline").arg(entry));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray cmd = f.readAll();
        if (cmd.contains("server.js") && cmd.contains(key.toUtf8()))
            s.pid = entry.toLongLong();
    }
    return s;
}

void stopServer(Server &s)
{
    s.process->terminate(); // SIGTERM: both shut down cleanly (cluster.mjs stops redis too)
    if (!s.process->waitForFinished(10000))
        s.process->kill();
}

struct Result {
    double deliveriesPerSec = 0;
    double elapsedMs = 0;
    qint64 rssBeforeKiB = 0;
    qint64 rssAfterKiB = 0;
};

bool connectAll(std::vector<std::unique_ptr<Client>> &clients, const QUrl &url, int count,
    const QString &prefix, bool join, int batch)
{
    for (int i = 0; i < count; i += batch) {
        const std::size_t from = clients.size();
        for (int j = i; j < std::min(count, i + batch); ++j) {
            clients.push_back(std::make_unique<Client>(url, prefix + QString::number(j)));
            clients.back()->joinOnReady = join;
        }
        if (!waitFor(
                [&] {
                    for (std::size_t k = from; k < clients.size(); ++k) {
                        if (!(join ? clients[k]->joined : clients[k]->ready))
                            return false;
                    }
                    return true;
                },
                60000))
            return false;
    }
    return true;
}

std::optional<Result> fanOut(const Server &server, int nClients, int messages, int window)
{
    std::vector<std::unique_ptr<Client>> clients;
    if (!connectAll(clients, server.url, nClients, QStringLiteral("fan"), true, 50))
        return std::nullopt;
    Client &sender = *clients.front();
    int sent = 0;
    auto sendOne = [&] {
        if (sent >= messages)
            return;
        sender.send(QStringLiteral("42%1[\"message:send\",{\"roomId\":\"general\",\"content\":"
                                   "\"benchmark message %2\",\"clientId\":\"%3-%2\"}]")
                        .arg(sent + 1)
                        .arg(sent)
                        .arg(server.pid));
        ++sent;
    };
    sender.onAck = sendOne;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < window; ++i)
        sendOne();
    const qint64 target = qint64(messages) * nClients;
    const bool done = waitFor(
        [&] {
            qint64 total = 0;
            for (const auto &c : clients)
                total += c->received;
            return total >= target;
        },
        300000);
    const double ms = double(timer.nsecsElapsed()) / 1e6;
    if (!done)
        return std::nullopt;
    Result r;
    r.elapsedMs = ms;
    r.deliveriesPerSec = double(target) / (ms / 1000.0);
    return r;
}

std::optional<Result> idleMemory(const Server &server, int idle)
{
    Result r;
    waitFor([] { return false; }, 1000); // let the server settle after start
    r.rssBeforeKiB = rssKiB(server.pid);
    std::vector<std::unique_ptr<Client>> clients;
    if (!connectAll(clients, server.url, idle, QStringLiteral("idle"), false, 50))
        return std::nullopt;
    waitFor([] { return false; }, 2000);
    r.rssAfterKiB = rssKiB(server.pid);
    return r;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fan-out and idle memory: palaver-stub vs the Node reference server"));
    parser.addHelpOption();
    parser.addOptions({
        { QStringLiteral("clients"), QStringLiteral("Clients in the room."), QStringLiteral("N"),
            QStringLiteral("100") },
        { QStringLiteral("messages"), QStringLiteral("Messages sent to the room."),
            QStringLiteral("N"), QStringLiteral("2000") },
        { QStringLiteral("window"), QStringLiteral("Sends in flight."), QStringLiteral("N"),
            QStringLiteral("20") },
        { QStringLiteral("idle"), QStringLiteral("Idle connections for the memory figure."),
            QStringLiteral("N"), QStringLiteral("1000") },
        { QStringLiteral("only"), QStringLiteral("Run one side: stub or node."),
            QStringLiteral("stub|node") },
    });
    parser.process(app);
    const int nClients = parser.value(QStringLiteral("clients")).toInt();
    const int messages = parser.value(QStringLiteral("messages")).toInt();
    const int window = parser.value(QStringLiteral("window")).toInt();
    const int idle = parser.value(QStringLiteral("idle")).toInt();
    const QString only = parser.value(QStringLiteral("only"));

    struct Side {
        QString label;
        std::function<std::optional<Server>()> start;
    };
    std::vector<Side> sides;
    if (only.isEmpty() || only == QLatin1String("stub"))
        sides.push_back({ QStringLiteral("stub"), startStub });
    if (only.isEmpty() || only == QLatin1String("node"))
        sides.push_back({ QStringLiteral("node"), startNode });

    std::printf("| server | fan-out deliveries/s (%d msgs x %d clients) | idle RSS before | after "
                "%d idle | per connection |\n",
        messages, nClients, idle);
    std::printf("|---|---|---|---|---|\n");
    std::vector<double> rates;
    for (const Side &side : sides) {
        auto server = side.start();
        if (!server) {
            std::printf("| %s | PENDING: server did not start | | | |\n", qPrintable(side.label));
            rates.push_back(0);
            continue;
        }
        const auto fan = fanOut(*server, nClients, messages, window);
        stopServer(*server);
        // A fresh process for the memory figure, so the fan-out's history does not count.
        auto fresh = side.start();
        std::optional<Result> mem;
        if (fresh) {
            mem = idleMemory(*fresh, idle);
            stopServer(*fresh);
        }
        rates.push_back(fan ? fan->deliveriesPerSec : 0);
        const QString fanText = fan ? QStringLiteral("%1 (%2 ms)")
                                          .arg(fan->deliveriesPerSec, 0, 'f', 0)
                                          .arg(fan->elapsedMs, 0, 'f', 0)
                                    : QStringLiteral("failed");
        const QString memText = mem
            ? QStringLiteral("%1 MiB | %2 MiB | %3 KiB")
                  .arg(double(mem->rssBeforeKiB) / 1024, 0, 'f', 1)
                  .arg(double(mem->rssAfterKiB) / 1024, 0, 'f', 1)
                  .arg(double(mem->rssAfterKiB - mem->rssBeforeKiB) / idle, 0, 'f', 1)
            : QStringLiteral("failed | | ");
        std::printf("| %s | %s | %s |\n", qPrintable(server->name), qPrintable(fanText),
            qPrintable(memText));
        std::fflush(stdout);
    }
    if (rates.size() == 2 && rates[1] > 0)
        std::printf("\nstub / node fan-out rate: %.1fx\n", rates[0] / rates[1]);
    return 0;
}
