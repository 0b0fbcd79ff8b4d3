// SPDX-License-Identifier: MIT
// SDK receive benchmark: a replay server (its own thread; a QTcpServer speaking a minimal
// RFC 6455 server side) answers `room:join` with an empty room, then writes pre-encoded
// `message:new` WebSocket frames (seq 1..N of that room) in large slices, so that it outpaces
// every receiver; a raw QWebSocket (frames counted, nothing decoded), the Palaver::Client
// (messageReceived, room joined), a joined Room's MessageModel (rows counted through
// rowsInserted) and Node's socket.io-client (jsclient.mjs, a child process) receive them, one
// after the other. Then ack round trips of Client::request().
//
//   bench_sdk_receive [--scale D] [--rounds N] [--only raw|client|model|js] [--size 100|4096]
//
// --scale divides the message counts (for callgrind), --only runs a single receiver, --size a
// single message size.
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <nlohmann/json.hpp>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
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

//! Pre-encoded WebSocket text frame (server to client: unmasked, FIN set).
QByteArray wsFrame(quint8 opcode, QByteArrayView payload)
{
    QByteArray out;
    const qsizetype n = payload.size();
    out.reserve(n + 10);
    out.append(char(0x80 | opcode));
    if (n < 126) {
        out.append(char(n));
    } else if (n <= 0xffff) {
        out.append(char(126));
        out.append(char(n >> 8));
        out.append(char(n & 0xff));
    } else {
        out.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((quint64(n) >> shift) & 0xff));
    }
    out.append(payload);
    return out;
}

//! The frames of one `replay` size: messages seq 1..n of one room, as a joined room's stream
//! must see them (each seq once, in order), encoded once and kept for the next round.
struct ReplayBlock {
    QByteArray bytes;
    std::vector<qsizetype> ends { 0 }; //!< ends[i]: byte size of the first i frames
    int frames() const { return int(ends.size()) - 1; }
};

void growBlock(ReplayBlock &block, int size, int count)
{
    for (int seq = block.frames() + 1; seq <= count; ++seq) {
        const std::string text = frameFor(seq, size);
        block.bytes.append(wsFrame(0x1, QByteArrayView(text.data(), qsizetype(text.size()))));
        block.ends.push_back(block.bytes.size());
    }
}

//! One client of the replay server: a minimal RFC 6455 server side over a QTcpSocket (no
//! extensions, unfragmented client frames), so that streaming costs the server thread a
//! `write()` of a pre-encoded block every few hundred KB, not a conversion and framing per
//! message.
class ReplayConnection : public QObject {
public:
    ReplayConnection(QTcpSocket *socket, std::map<int, ReplayBlock> &blocks, QObject *parent)
        : QObject(parent), socket(socket), blocks(blocks)
    {
        socket->setParent(this);
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(socket, &QTcpSocket::readyRead, this, &ReplayConnection::onReadyRead);
        connect(socket, &QTcpSocket::bytesWritten, this, &ReplayConnection::fill);
        connect(socket, &QTcpSocket::disconnected, this, &ReplayConnection::drop);
        onReadyRead();
    }

private:
    static constexpr qsizetype MaxRequest = 16 * 1024;
    static constexpr qint64 MaxPayload = 64 * 1024 * 1024;
    static constexpr qint64 QueueTarget = 2 * 1024 * 1024;

    QTcpSocket *socket;
    std::map<int, ReplayBlock> &blocks;
    QByteArray in;
    bool upgraded = false;
    bool closing = false;
    const ReplayBlock *streaming = nullptr;
    int next = 0; //!< the next frame of the current replay to queue
    int end = 0; //!< one past its last frame

    void drop()
    {
        next = end = 0;
        streaming = nullptr;
        if (socket->state() != QAbstractSocket::UnconnectedState)
            socket->abort();
        deleteLater();
    }

    void onReadyRead()
    {
        in.append(socket->readAll());
        if (closing) {
            in.clear();
            return;
        }
        if (!upgraded && !handshake())
            return;
        while (upgraded && !closing && readFrame()) { }
    }

    //! Returns true once upgraded; drops the connection on a bad or oversized request.
    bool handshake()
    {
        const qsizetype end = in.indexOf("\r\n\r\n");
        if (end < 0) {
            if (in.size() > MaxRequest)
                drop();
            return false;
        }
        if (end > MaxRequest) {
            drop();
            return false;
        }
        QByteArray key;
        const QList<QByteArray> lines = in.left(end).split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0
                && line.left(colon).trimmed().compare("Sec-WebSocket-Key", Qt::CaseInsensitive)
                    == 0)
                key = line.mid(colon + 1).trimmed();
        }
        in.remove(0, end + 4);
        if (key.isEmpty()) {
            socket->write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
            socket->disconnectFromHost();
            return false;
        }
        const QByteArray accept = QCryptographicHash::hash(
            QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"), QCryptographicHash::Sha1)
                                      .toBase64();
        socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Accept: "
            + accept + "\r\n\r\n");
        upgraded = true;
        sendText(
            R"(0{"sid":"b","upgrades":[],"pingInterval":600000,"pingTimeout":600000,"maxPayload":100000000})");
        return true;
    }

    //! Consumes one complete client frame from `in`; false when more bytes are needed.
    bool readFrame()
    {
        if (in.size() < 2)
            return false;
        const auto *b = reinterpret_cast<const uchar *>(in.constData());
        const int opcode = b[0] & 0x0f;
        const bool masked = b[1] & 0x80;
        qsizetype header = 2;
        quint64 length = b[1] & 0x7f;
        if (length == 126) {
            if (in.size() < 4)
                return false;
            length = quint64(b[2]) << 8 | b[3];
            header = 4;
        } else if (length == 127) {
            if (in.size() < 10)
                return false;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = length << 8 | b[i];
            header = 10;
        }
        if (length > quint64(MaxPayload)) {
            drop();
            return false;
        }
        const qsizetype maskAt = header;
        if (masked)
            header += 4;
        if (in.size() < header + qsizetype(length))
            return false;
        QByteArray payload = in.mid(header, qsizetype(length));
        if (masked) {
            for (qsizetype i = 0; i < payload.size(); ++i)
                payload[i] = char(payload[i] ^ in[maskAt + (i & 3)]);
        }
        in.remove(0, header + qsizetype(length));
        switch (opcode) {
        case 0x1:
            onText(payload);
            break;
        case 0x8:
            next = end = 0;
            streaming = nullptr;
            socket->write(wsFrame(0x8, payload.left(2)));
            socket->disconnectFromHost();
            closing = true; // nothing may follow a close frame
            in.clear();
            return false;
        case 0x9:
            socket->write(wsFrame(0xA, payload));
            break;
        default: // pong, binary and continuation frames are not part of the protocol here
            break;
        }
        return true;
    }

    void sendText(QByteArrayView text) { socket->write(wsFrame(0x1, text)); }

    void onText(const QByteArray &t)
    {
        if (t.startsWith("40")) {
            sendText(R"(40{"sid":"x"})");
            return;
        }
        if (!t.startsWith("42"))
            return;
        const auto packet
            = Protocol::decodeEngineFrame(std::string_view(t.constData(), size_t(t.size())));
        if (!packet)
            return;
        Protocol::Decoder decoder;
        auto p = decoder.feedText(packet.value().data);
        if (!p || !p.value())
            return;
        auto data = Protocol::packetData(*p.value());
        if (!data)
            return;
        const auto &d = data.value();
        if (!d.is_array() || d.empty() || !d[0].is_string())
            return;
        if (d[0] == "replay" && d.size() >= 3 && d[1].is_number_integer()
            && d[2].is_number_integer()) {
            const int size = d[2].get<int>();
            ReplayBlock &block = blocks[size];
            end = std::max(0, d[1].get<int>());
            growBlock(block, size, end);
            streaming = &block;
            next = 0;
            fill();
        } else if (d[0] == "room:join" && p.value()->id) {
            // An empty room: everything replayed after this answer is news to the stream.
            sendText(QByteArray("43" + QByteArray::number(quint64(*p.value()->id))
                + R"([{"ok":true,"room":{"id":"general","name":"General","private":false},)"
                + R"("members":[],"messages":[],"hasMore":false}])"));
        } else if (d[0] == "echo" && p.value()->id) {
            sendText(QByteArray("43" + QByteArray::number(quint64(*p.value()->id)) + R"(["ok"])"));
        }
    }

    //! Keeps about QueueTarget bytes queued in the socket: whole blocks, then the partial rest.
    void fill()
    {
        while (next < end && socket->bytesToWrite() < QueueTarget) {
            // About 256 KB per write: one copy of a slice of the pre-encoded frames.
            int last = next + 1;
            while (last < end
                && streaming->ends[size_t(last)] - streaming->ends[size_t(next)] < 256 * 1024)
                ++last;
            const qsizetype from = streaming->ends[size_t(next)];
            socket->write(streaming->bytes.sliced(from, streaming->ends[size_t(last)] - from));
            next = last;
        }
    }
};

//! Lives in the server thread. On `replay` (an event with [count, size]) it writes `count`
//! frames; `echo` requests are answered at once.
class ReplayServer : public QObject {
public:
    QTcpServer server;
    std::atomic<quint16> port { 0 };

    void start()
    {
        server.listen(QHostAddress::LocalHost, 0);
        connect(&server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = server.nextPendingConnection())
                new ReplayConnection(s, blocks, this);
        });
        port = server.serverPort();
    }

private:
    std::map<int, ReplayBlock> blocks; //!< by message size, built on first use
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

//! A Client connected to the replay server, its room joined (so that its stream delivers).
void connectAndJoin(Client &client, quint16 port, Room *room)
{
    client.setUrl(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)));
    QEventLoop loop;
    QObject::connect(&client, &Client::roomJoined, &loop, &QEventLoop::quit);
    if (room)
        room->join();
    else
        client.joinRoom(QStringLiteral("general"));
    client.open();
    loop.exec();
}

//! Asks for the replay and runs `loop` until the receiver quits it; closes the client.
void timeReplay(Client &client, QEventLoop &loop, Run &run, int count, int size)
{
    QElapsedTimer t;
    const double cpu = threadCpuSeconds();
    t.start();
    client.send(QStringLiteral("replay"), { count, size });
    loop.exec();
    run.seconds = t.nsecsElapsed() / 1e9;
    run.cpuSeconds = threadCpuSeconds() - cpu;
    client.close();
}

Run viaClient(quint16 port, int count, int size)
{
    Client client;
    connectAndJoin(client, port, nullptr);
    QEventLoop loop;
    Run run;
    QObject::connect(&client, &Client::messageReceived, &loop, [&](const Message &) {
        if (++run.received == count)
            loop.quit();
    });
    timeReplay(client, loop, run, count, size);
    return run;
}

//! What an app shows: the rows of a joined Room's MessageModel, counted through rowsInserted.
Run viaModel(quint16 port, int count, int size)
{
    Client client;
    Room *room = client.room(QStringLiteral("general"));
    connectAndJoin(client, port, room);
    QEventLoop loop;
    Run run;
    QObject::connect(room->messages(), &QAbstractItemModel::rowsInserted, &loop,
        [&](const QModelIndex &, int first, int last) {
            run.received += last - first + 1;
            if (run.received >= count)
                loop.quit();
        });
    timeReplay(client, loop, run, count, size);
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

//! Adds a finished run's CPU per message (us) and rate (msgs/s) to a receiver's series.
void collect(const Run &run, std::vector<double> &cpu, std::vector<double> &rate)
{
    if (run.received == 0 || run.seconds <= 0)
        return;
    cpu.push_back(1e6 * run.cpuSeconds / run.received);
    rate.push_back(run.received / run.seconds);
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
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
    int onlySize = 0;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--scale"))
            scale = std::max(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--rounds"))
            rounds = std::max(1, args[i + 1].toInt());
        else if (args[i] == QLatin1String("--only"))
            only = args[i + 1];
        else if (args[i] == QLatin1String("--size"))
            onlySize = args[i + 1].toInt();
    }
    auto wanted = [&](const char *name) { return only.isEmpty() || only == QLatin1String(name); };

    struct Case {
        int count;
        int size;
    };
    for (const Case c : { Case { 200000, 100 }, Case { 20000, 4096 } }) {
        if (onlySize && onlySize != c.size)
            continue;
        const int count = c.count / scale;
        std::printf(
            "frames: %d x %d B content (frame %zu B)\n", count, c.size, frameFor(1, c.size).size());
        std::vector<double> rawCpu, sdkCpu, modelCpu, jsCpu, rawRate, sdkRate, modelRate, jsRate;
        for (int round = 0; round < rounds; ++round) {
            Run raw, sdk, model, js;
            if (wanted("raw"))
                raw = viaRawSocket(port, count, c.size);
            if (wanted("client"))
                sdk = viaClient(port, count, c.size);
            if (wanted("model"))
                model = viaModel(port, count, c.size);
            if (wanted("js"))
                js = viaJs(port, count, c.size);
            print("raw QWebSocket", raw, nullptr);
            print("Client", sdk, &raw);
            print("MessageModel", model, &raw);
            print("socket.io-js", js, &raw);
            if (sdk.received && js.received)
                std::printf("  Client / js: %.2fx speed, %.2fx cpu per message\n",
                    js.seconds / sdk.seconds, sdk.cpuSeconds / js.cpuSeconds);
            collect(raw, rawCpu, rawRate);
            collect(sdk, sdkCpu, sdkRate);
            collect(model, modelCpu, modelRate);
            collect(js, jsCpu, jsRate);
        }
        // One round is a fraction of a second, so a neighbour's burst moves it; the medians are
        // what the README quotes.
        if (rounds > 1 && !rawCpu.empty() && !sdkCpu.empty()) {
            std::printf("  median of %d rounds: raw %.2f us, Client %.2f us (cpu %.2fx raw)",
                rounds, median(rawCpu), median(sdkCpu), median(sdkCpu) / median(rawCpu));
            if (!modelCpu.empty())
                std::printf(", model %.2f us (cpu %.2fx raw)", median(modelCpu),
                    median(modelCpu) / median(rawCpu));
            if (!jsCpu.empty()) {
                std::printf(", js %.2f us; Client / js speed %.2fx", median(jsCpu),
                    median(sdkRate) / median(jsRate));
                if (!modelRate.empty())
                    std::printf(", model / js %.2fx", median(modelRate) / median(jsRate));
            }
            std::printf("\n");
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
