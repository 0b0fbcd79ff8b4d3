// SPDX-License-Identifier: MIT
#pragma once

// A raw Engine.IO/Socket.IO client for the stub's tests: it sends exactly the frames a test
// writes and records everything the server sends, so hostile input can be tested byte by byte.

#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>
#include <Palaver/Stub/stubserver.h>

#include <QTest>
#include <QUrl>
#include <QWebSocket>

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <vector>

//! QCOMPARE for anything that converts to JSON (values, strings, numbers, containers).
//! (Compared as their serialisation: QCOMPARE on json itself is ambiguous with Qt's overloads.)
#define JCOMPARE(actual, expected)                                                                 \
    do {                                                                                           \
        const ::nlohmann::json jcompareActual_ = (actual);                                         \
        const ::nlohmann::json jcompareExpected_ = (expected);                                     \
        if (!QTest::qCompare(QString::fromStdString(jcompareActual_.dump()),                       \
                QString::fromStdString(jcompareExpected_.dump()), #actual, #expected, __FILE__,    \
                __LINE__))                                                                         \
            return;                                                                                \
    } while (false)

namespace Palaver::Stub::Testing {

using nlohmann::json;

inline constexpr int WaitMs = 5000;

class RawClient {
public:
    explicit RawClient(Protocol::ParserKind parser = Protocol::ParserKind::Json)
        : m_parser(parser), m_decoder(parser)
    {
        QObject::connect(&ws, &QWebSocket::textMessageReceived, &ws,
            [this](const QString &text) { onText(text); });
        QObject::connect(&ws, &QWebSocket::binaryMessageReceived, &ws,
            [this](const QByteArray &bytes) { onBinary(bytes); });
        QObject::connect(&ws, &QWebSocket::disconnected, &ws, [this] {
            closed = true;
            closeCode = int(ws.closeCode());
        });
    }

    static QUrl engineUrl(const QUrl &base,
        const QString &pathAndQuery = QStringLiteral("/socket.io/?EIO=4&transport=websocket"))
    {
        return QUrl(base.toString() + pathAndQuery);
    }

    void open(const QUrl &base,
        const QString &pathAndQuery = QStringLiteral("/socket.io/?EIO=4&transport=websocket"))
    {
        ws.open(engineUrl(base, pathAndQuery));
    }
    bool waitOpen(int ms = WaitMs)
    {
        return QTest::qWaitFor([this] { return handshake.has_value() || closed; }, ms)
            && handshake.has_value();
    }
    bool waitClosed(int ms = WaitMs)
    {
        return QTest::qWaitFor([this] { return closed; }, ms);
    }

    void sendText(const QByteArray &utf8) { ws.sendTextMessage(QString::fromUtf8(utf8)); }
    void sendBinary(const QByteArray &bytes) { ws.sendBinaryMessage(bytes); }
    void sendFrames(const Protocol::Frames &frames)
    {
        for (const auto &f : frames) {
            const QByteArray b(f.bytes.data(), qsizetype(f.bytes.size()));
            if (f.binary)
                sendBinary(b);
            else
                sendText(b);
        }
    }

    void sendConnect(const json &auth)
    {
        auto frames = Protocol::encodePacket(m_parser, Protocol::PacketType::Connect, auth);
        sendFrames(frames.value());
    }
    //! CONNECT and wait for the ack or the refusal. Returns the ack data or the error data.
    std::optional<json> connectNamespace(const json &auth, bool *refused = nullptr, int ms = WaitMs)
    {
        const std::size_t from = packets.size();
        sendConnect(auth);
        std::optional<json> out;
        (void)QTest::qWaitFor(
            [&] {
                for (std::size_t i = from; i < packets.size(); ++i) {
                    const auto &p = packets[i];
                    if (p.type == Protocol::PacketType::Connect
                        || p.type == Protocol::PacketType::ConnectError) {
                        if (refused)
                            *refused = p.type == Protocol::PacketType::ConnectError;
                        out = Protocol::packetData(p).value();
                        return true;
                    }
                }
                return closed;
            },
            ms);
        return out;
    }

    std::uint64_t emitEvent(const std::string &name, const json &payload, bool withAck = true)
    {
        const std::optional<std::uint64_t> id = withAck ? std::optional(m_nextId++) : std::nullopt;
        auto frames = Protocol::encodeEvent(m_parser, name, json::array({ payload }), id);
        sendFrames(frames.value());
        return id.value_or(0);
    }
    std::optional<json> waitAck(std::uint64_t id, int ms = WaitMs)
    {
        std::optional<json> out;
        (void)QTest::qWaitFor(
            [&] {
                for (const auto &p : packets) {
                    if ((p.type == Protocol::PacketType::Ack
                            || p.type == Protocol::PacketType::BinaryAck)
                        && p.id == id) {
                        auto data = Protocol::packetData(p).value();
                        out = data.empty() ? json() : data[0];
                        return true;
                    }
                }
                return closed;
            },
            ms);
        return out;
    }
    //! Sends a request and waits for its ack.
    json request(const std::string &name, const json &payload, int ms = WaitMs)
    {
        return waitAck(emitEvent(name, payload), ms).value_or(json());
    }

    //! Events named `name` received so far, as their data arrays `[name, args...]`.
    std::vector<json> events(const std::string &name) const
    {
        std::vector<json> out;
        for (const auto &p : packets) {
            if (p.type != Protocol::PacketType::Event
                && p.type != Protocol::PacketType::BinaryEvent)
                continue;
            auto data = Protocol::packetData(p);
            if (data && data.value().is_array() && !data.value().empty() && data.value()[0] == name)
                out.push_back(data.value());
        }
        return out;
    }
    //! Waits for the `n`th (1-based) event named `name`; returns its first argument.
    std::optional<json> waitEvent(const std::string &name, std::size_t n = 1, int ms = WaitMs)
    {
        if (!QTest::qWaitFor([&] { return events(name).size() >= n || closed; }, ms))
            return std::nullopt;
        const auto all = events(name);
        if (all.size() < n)
            return std::nullopt;
        const json &data = all[n - 1];
        return data.size() > 1 ? data[1] : json();
    }

    QWebSocket ws;
    std::optional<Protocol::Handshake> handshake;
    std::vector<Protocol::Packet> packets;
    std::vector<Protocol::EngineType> engineTypes; //!< every text frame's type, in order
    int pings = 0;
    bool autoPong = true;
    bool closed = false;
    int closeCode = -1;
    bool decodeError = false;

private:
    void onText(const QString &text)
    {
        const QByteArray bytes = text.toUtf8();
        auto frame = Protocol::decodeEngineFrame(
            std::string_view(bytes.constData(), std::size_t(bytes.size())));
        if (!frame) {
            decodeError = true;
            return;
        }
        engineTypes.push_back(frame->type);
        switch (frame->type) {
        case Protocol::EngineType::Open: {
            auto h = Protocol::parseHandshake(frame->data);
            if (h)
                handshake = h.value();
            else
                decodeError = true;
            break;
        }
        case Protocol::EngineType::Ping:
            ++pings;
            if (autoPong)
                ws.sendTextMessage(QStringLiteral("3"));
            break;
        case Protocol::EngineType::Message:
            take(m_decoder.feedText(frame->data));
            break;
        default:
            break;
        }
    }
    void onBinary(const QByteArray &bytes)
    {
        take(m_decoder.feedBinary(std::string_view(bytes.constData(), std::size_t(bytes.size()))));
    }
    void take(Protocol::Result<std::optional<Protocol::Packet>> result)
    {
        if (!result) {
            decodeError = true;
            return;
        }
        if (result.value())
            packets.push_back(std::move(*result.value()));
    }

    Protocol::ParserKind m_parser;
    Protocol::Decoder m_decoder;
    std::uint64_t m_nextId = 0;
};

//! A client that has opened, connected with a token for `userId` and received session:ready.
inline std::unique_ptr<RawClient> connectedClient(const StubServer &server, const QString &userId,
    Protocol::ParserKind parser = Protocol::ParserKind::Json)
{
    auto c = std::make_unique<RawClient>(parser);
    c->open(server.url());
    if (!c->waitOpen())
        return nullptr;
    bool refused = true;
    const auto ack
        = c->connectNamespace({ { "token", server.makeToken(userId).toStdString() } }, &refused);
    if (!ack || refused || !c->waitEvent("session:ready"))
        return nullptr;
    return c;
}

inline StubConfig testConfig()
{
    StubConfig config;
    config.secret = QByteArrayLiteral("test-secret");
    config.rooms = {
        { QStringLiteral("general"), QStringLiteral("General"), false, {} },
        { QStringLiteral("random"), QStringLiteral("Random"), false, {} },
        { QStringLiteral("staff"), QStringLiteral("Staff"), true,
            { QStringLiteral("alice"), QStringLiteral("dave") } },
    };
    return config;
}

} // namespace Palaver::Stub::Testing
