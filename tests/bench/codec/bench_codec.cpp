// SPDX-License-Identifier: MIT
// Decode cost of one `message:new` event, our paths next to the generic parsers they replace.
// Not a test: run it by hand on a quiet machine (results in tests/bench/README.md).
#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

using namespace Palaver::Protocol;

namespace {

// Keeps the optimiser from dropping work whose result is otherwise unused.
volatile std::size_t g_sink = 0;

ChatMessage messageWith(std::size_t contentBytes)
{
    ChatMessage m;
    m.id = "m-1";
    m.roomId = "lobby";
    m.seq = 42;
    m.userId = "ann";
    m.userName = "Ann";
    m.content = std::string(contentBytes, 'x');
    for (std::size_t i = 7; i < m.content.size(); i += 8)
        m.content[i] = ' '; // words, not one run
    m.createdAt = "2024-05-01T12:34:56.789Z";
    m.clientId = "c-1";
    return m;
}

double threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}

struct Timing {
    double wall; //!< steady clock
    double cpu; //!< this thread's CPU time: what preemption on a shared machine cannot inflate
};

// Medians of ns per call over `runs` timed batches of `iterations` calls.
Timing measure(const std::function<void()> &body, int iterations, int runs = 9)
{
    for (int i = 0; i < iterations / 10 + 1; ++i)
        body(); // warm caches and the thread_local parser
    std::vector<double> wall;
    std::vector<double> cpu;
    for (int r = 0; r < runs; ++r) {
        const double cpuStart = threadCpuNs();
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < iterations; ++i)
            body();
        const auto elapsed = std::chrono::steady_clock::now() - start;
        cpu.push_back((threadCpuNs() - cpuStart) / iterations);
        wall.push_back(std::chrono::duration<double, std::nano>(elapsed).count() / iterations);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return { wall[wall.size() / 2], cpu[cpu.size() / 2] };
}

void benchSize(std::size_t contentBytes, int iterations)
{
    const ChatMessage m = messageWith(contentBytes);
    const nlohmann::json data = nlohmann::json::array({ "message:new", toJson(m) });
    const std::string textFrame
        = encodePacket(ParserKind::Json, PacketType::Event, data)->front().bytes;
    const std::string msgpackFrame
        = encodePacket(ParserKind::Msgpack, PacketType::Event, data)->front().bytes;
    const std::string_view socketIo = std::string_view(textFrame).substr(1);
    const std::string_view json = socketIo.substr(1); // the payload after "2"
    const QByteArray qjson(json.data(), qsizetype(json.size()));

    std::printf("\nframe %zu B text / %zu B msgpack, content %zu B, %d iterations x 9 runs\n",
        textFrame.size(), msgpackFrame.size(), contentBytes, iterations);
    std::printf("  %-52s %10s %10s\n", "path", "wall ns", "cpu ns");
    auto row = [&](const char *name, const std::function<void()> &body) {
        const Timing t = measure(body, iterations);
        std::printf("  %-52s %10.0f %10.0f\n", name, t.wall, t.cpu);
        std::fflush(stdout);
    };

    Decoder jsonDecoder;
    Decoder msgpackDecoder(ParserKind::Msgpack);
    row("Decoder::feedText only (header + validating scan)", [&] {
        auto packet = jsonDecoder.feedText(socketIo);
        g_sink = g_sink + packet.value()->payload.size();
    });
    row("feedText + decodeMessageNew (JSON, simdjson)", [&] {
        auto engine = decodeEngineFrame(textFrame);
        auto packet = jsonDecoder.feedText(engine->data);
        auto message = decodeMessageNew(*packet.value());
        g_sink = g_sink + message->message.content.size();
    });
    row("feedBinary + decodeMessageNew (MessagePack)", [&] {
        auto packet = msgpackDecoder.feedBinary(msgpackFrame);
        auto message = decodeMessageNew(*packet.value());
        g_sink = g_sink + message->message.content.size();
    });
    row("feedText + packetData (generic nlohmann value)", [&] {
        auto packet = jsonDecoder.feedText(socketIo);
        auto value = packetData(*packet.value());
        g_sink = g_sink + value->size();
    });
    row("feedBinary + packetData (generic, MessagePack)", [&] {
        auto packet = msgpackDecoder.feedBinary(msgpackFrame);
        auto value = packetData(*packet.value());
        g_sink = g_sink + value->size();
    });
    row("feedText + packetData + chatMessageFromJson", [&] {
        auto packet = jsonDecoder.feedText(socketIo);
        auto value = packetData(*packet.value());
        auto message = chatMessageFromJson(value.value()[1]);
        g_sink = g_sink + message->content.size();
    });
    row("baseline: nlohmann::json::parse (DOM)", [&] {
        auto value = nlohmann::json::parse(json);
        g_sink = g_sink + value.size();
    });
    row("baseline: QJsonDocument::fromJson", [&] {
        auto doc = QJsonDocument::fromJson(qjson);
        g_sink = g_sink + std::size_t(doc.array().size());
    });
    row("baseline: QJsonDocument + QString content", [&] {
        auto doc = QJsonDocument::fromJson(qjson);
        auto object = doc.array().at(1).toObject();
        g_sink = g_sink + std::size_t(object.value(QLatin1String("content")).toString().size());
    });
    simdjson::ondemand::parser parser;
    const simdjson::padded_string padded(json);
    row("baseline: simdjson on-demand, content only", [&] {
        auto doc = parser.iterate(padded);
        std::string_view content;
        auto error = doc.at(1)["content"].get_string().get(content);
        g_sink = g_sink + content.size() + std::size_t(error);
    });
}

} // namespace

int main(int argc, char **argv)
{
    const int scale = argc > 1 ? std::max(1, std::atoi(argv[1])) : 1;
    std::printf("bench_codec: one message:new event per packet; median of 9 runs\n");
    std::printf("simdjson implementation: %s (builtin %s)\n",
        simdjson::get_active_implementation()->name().c_str(),
        simdjson::builtin_implementation()->name().c_str());
    benchSize(100, 20000 * scale);
    benchSize(4000, 2000 * scale);
    return 0;
}
