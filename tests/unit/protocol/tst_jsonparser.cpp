// SPDX-License-Identifier: MIT
#include "protocoltestutil.h"
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/packet.h>

#include <QTest>

using namespace Palaver::Protocol;
using namespace ProtocolTest;

namespace {

struct Decoded {
    std::optional<Packet> packet;
    std::optional<Error> error;
};

// Feeds WebSocket frames as a transport would: text frames through the Engine.IO layer.
Decoded feed(Decoder &decoder, const QByteArrayList &frames)
{
    Decoded out;
    for (const QByteArray &frame : frames) {
        Result<std::optional<Packet>> result = std::optional<Packet>();
        if (frame.startsWith("bin:")) {
            result = decoder.feedBinary(unhex(frame.mid(4).constData()));
        } else {
            const std::string text = str(frame);
            const auto engine = decodeEngineFrame(text);
            if (!engine) {
                out.error = engine.error();
                return out;
            }
            result = decoder.feedText(engine->data);
        }
        if (!result) {
            out.error = result.error();
            return out;
        }
        if (result.value())
            out.packet = std::move(*result.value());
    }
    return out;
}

} // namespace

class TestJsonParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void golden_data();
    void goldenDecode();
    void goldenDecode_data() { golden_data(); }
    void goldenEncode();
    void goldenEncode_data() { golden_data(); }
    void recoveryOffsets_data();
    void recoveryOffsets();
    void eventNames_data();
    void eventNames();
    void roundTrip_data();
    void roundTrip();
    void binaryTypesFollowTheData();
    void placeholdersOnlyInBinaryPackets();
    void connectErrorShapes();
    void decoderRecoversAfterError();
    void payloadKeepsPadding();
    void encodeRefusals_data();
    void encodeRefusals();
    void encodeEventSpreadsArgs();
};

// Every frame of wire reference sections 2.2 and 4. `exact` is false where the reference's key
// order is not the sorted one a nlohmann value has (those rows compare values instead).
void TestJsonParser::golden_data()
{
    QTest::addColumn<QByteArrayList>("frames");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<qint64>("id"); // -1: none
    QTest::addColumn<QByteArray>("data"); // test notation, {"$bin":"hex"} for binaries
    QTest::addColumn<bool>("exact");

    auto row = [](const char *name, QByteArrayList frames, PacketType type, const char *nsp,
                   qint64 id, const char *data, bool exact = true) {
        QTest::newRow(name) << frames << int(type) << QString::fromUtf8(nsp) << id
                            << QByteArray(data) << exact;
    };
    using P = PacketType;
    row("connect", { "40" }, P::Connect, "/", -1, "");
    row("connect auth", { "40{\"token\":\"good\"}" }, P::Connect, "/", -1, "{\"token\":\"good\"}");
    row("connect nsp", { "40/admin," }, P::Connect, "/admin", -1, "");
    row("connect nsp auth", { "40/admin,{\"token\":\"123\"}" }, P::Connect, "/admin", -1,
        "{\"token\":\"123\"}");
    row("connect ack", { "40{\"sid\":\"8v9HSoP9gzlXrms_AAAA\"}" }, P::Connect, "/", -1,
        "{\"sid\":\"8v9HSoP9gzlXrms_AAAA\"}");
    row("connect ack recovery",
        { "40{\"sid\":\"8v9HSoP9gzlXrms_AAAA\",\"pid\":\"jvLB5sDCAXijXPaaAAAB\"}" }, P::Connect,
        "/", -1, "{\"sid\":\"8v9HSoP9gzlXrms_AAAA\",\"pid\":\"jvLB5sDCAXijXPaaAAAB\"}", false);
    row("connect error", { "44{\"message\":\"unauthorized\",\"data\":{\"code\":401}}" },
        P::ConnectError, "/", -1, "{\"message\":\"unauthorized\",\"data\":{\"code\":401}}");
    row("connect error nsp", { "44/nope,{\"message\":\"Invalid namespace\"}" }, P::ConnectError,
        "/nope", -1, "{\"message\":\"Invalid namespace\"}");
    row("event", { "42[\"message:send\",{\"room\":\"r1\",\"text\":\"hi\"}]" }, P::Event, "/", -1,
        "[\"message:send\",{\"room\":\"r1\",\"text\":\"hi\"}]");
    row("event nsp", { "42/admin,[\"bar\"]" }, P::Event, "/admin", -1, "[\"bar\"]");
    row("event ack 12", { "4212[\"x\"]" }, P::Event, "/", 12, "[\"x\"]");
    row("ack 12", { "4312[\"ok\"]" }, P::Ack, "/", 12, "[\"ok\"]");
    row("event ack 1", { "421[\"echo\",\"x\",{\"k\":1}]" }, P::Event, "/", 1,
        "[\"echo\",\"x\",{\"k\":1}]");
    row("ack 1", { "431[\"ok\",\"x\",{\"k\":1}]" }, P::Ack, "/", 1, "[\"ok\",\"x\",{\"k\":1}]");
    row("server event ack 0", { "420[\"withack\",1]" }, P::Event, "/", 0, "[\"withack\",1]");
    row("client ack 0", { "430[\"pong-from-client\"]" }, P::Ack, "/", 0, "[\"pong-from-client\"]");
    row("ack nsp", { "43/admin,13[\"bar\"]" }, P::Ack, "/admin", 13, "[\"bar\"]");
    row("binary event", { "451-[\"x\",{\"_placeholder\":true,\"num\":0}]", "bin:010203" },
        P::BinaryEvent, "/", -1, "[\"x\",{\"$bin\":\"010203\"}]");
    row("binary event nsp 2",
        { "452-/"
          "admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
            "bin:01", "bin:0203" },
        P::BinaryEvent, "/admin", -1, "[\"baz\",{\"$bin\":\"01\"},{\"$bin\":\"0203\"}]");
    row("binary event ack", { "451-2[\"echo\",{\"_placeholder\":true,\"num\":0}]", "bin:aa" },
        P::BinaryEvent, "/", 2, "[\"echo\",{\"$bin\":\"aa\"}]");
    row("binary ack", { "461-2[\"ok\",{\"_placeholder\":true,\"num\":0}]", "bin:aa" }, P::BinaryAck,
        "/", 2, "[\"ok\",{\"$bin\":\"aa\"}]");
    row("disconnect", { "41" }, P::Disconnect, "/", -1, "");
    row("disconnect nsp", { "41/admin," }, P::Disconnect, "/admin", -1, "");
    // Section 4: recovery.
    row("offset event", { "42[\"hello\",\"world\",\"Q8WACUn\"]" }, P::Event, "/", -1,
        "[\"hello\",\"world\",\"Q8WACUn\"]");
    row("offset binary",
        { "451-[\"bin\",{\"_placeholder\":true,\"num\":0},\"Q8WACUo\"]", "bin:010203" },
        P::BinaryEvent, "/", -1, "[\"bin\",{\"$bin\":\"010203\"},\"Q8WACUo\"]");
    row("offset gap", { "42[\"during-gap\",42,\"Q8WADDe\"]" }, P::Event, "/", -1,
        "[\"during-gap\",42,\"Q8WADDe\"]");
    row("recovery connect",
        { "40{\"token\":\"good\",\"pid\":\"jvLB5sDCAXijXPaaAAAB\",\"offset\":\"Q8WACUn\"}" },
        P::Connect, "/", -1,
        "{\"token\":\"good\",\"pid\":\"jvLB5sDCAXijXPaaAAAB\",\"offset\":\"Q8WACUn\"}", false);
    row("recovery ack", { "40{\"sid\":\"<same>\",\"pid\":\"<same>\"}" }, P::Connect, "/", -1,
        "{\"sid\":\"<same>\",\"pid\":\"<same>\"}", false);
}

void TestJsonParser::goldenDecode()
{
    QFETCH(QByteArrayList, frames);
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QByteArray, data);

    Decoder decoder;
    const auto decoded = feed(decoder, frames);
    QVERIFY2(!decoded.error, decoded.error ? describe(*decoded.error).constData() : "");
    QVERIFY(decoded.packet);
    const Packet &packet = *decoded.packet;
    QCOMPARE(int(packet.type), type);
    QCOMPARE(packet.nsp, nsp.toStdString());
    QCOMPARE(packet.id.has_value(), id >= 0);
    if (id >= 0)
        QCOMPARE(*packet.id, std::uint64_t(id));
    QCOMPARE(name(packet.format), name(ParserKind::Json));
    QVERIFY(!decoder.awaitingAttachments());
    const auto value = packetData(packet);
    QVERIFY2(value.ok(), value.ok() ? "" : describe(value.error()).constData());
    PALAVER_COMPARE_JSON(value.value(), ProtocolTest::data(data));
}

void TestJsonParser::goldenEncode()
{
    QFETCH(QByteArrayList, frames);
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QByteArray, data);
    QFETCH(bool, exact);

    const auto encoded = encodePacket(ParserKind::Json, PacketType(type), ProtocolTest::data(data),
        id >= 0 ? std::optional<std::uint64_t>(id) : std::nullopt, nsp.toStdString());
    QVERIFY2(encoded.ok(), encoded.ok() ? "" : describe(encoded.error()).constData());
    QCOMPARE(encoded->size(), std::size_t(frames.size()));
    for (qsizetype i = 0; i < frames.size(); ++i) {
        const Frame &frame = encoded->at(std::size_t(i));
        if (frames[i].startsWith("bin:")) {
            QVERIFY(frame.binary);
            QCOMPARE(hex(frame.bytes), frames[i].mid(4).toStdString());
        } else if (exact) {
            QVERIFY(!frame.binary);
            QCOMPARE(frame.bytes, str(frames[i]));
        } else {
            // Same header, same value; only the key order of the object differs.
            const std::string expected = str(frames[i]);
            const auto brace = expected.find('{');
            QCOMPARE(frame.bytes.substr(0, brace), expected.substr(0, brace));
            PALAVER_COMPARE_JSON(nlohmann::json::parse(frame.bytes.substr(brace)),
                nlohmann::json::parse(expected.substr(brace)));
        }
    }
}

void TestJsonParser::recoveryOffsets_data()
{
    QTest::addColumn<QByteArrayList>("frames");
    QTest::addColumn<QString>("offset"); // null: none
    QTest::addColumn<QByteArray>("rest");

    QTest::newRow("event") << QByteArrayList { "42[\"hello\",\"world\",\"Q8WACUn\"]" }
                           << QStringLiteral("Q8WACUn") << QByteArray("[\"hello\",\"world\"]");
    QTest::newRow("binary")
        << QByteArrayList { "451-[\"bin\",{\"_placeholder\":true,\"num\":0},\"Q8WACUo\"]",
               "bin:010203" }
        << QStringLiteral("Q8WACUo") << QByteArray("[\"bin\",{\"$bin\":\"010203\"}]");
    QTest::newRow("gap") << QByteArrayList { "42[\"during-gap\",42,\"Q8WADDe\"]" }
                         << QStringLiteral("Q8WADDe") << QByteArray("[\"during-gap\",42]");
    QTest::newRow("redis streams id") << QByteArrayList { "42[\"m\",\"1700000000000-0\"]" }
                                      << QStringLiteral("1700000000000-0") << QByteArray("[\"m\"]");
    QTest::newRow("acked event has none")
        << QByteArrayList { "420[\"withack\",1]" } << QString() << QByteArray("[\"withack\",1]");
    QTest::newRow("acked string has none")
        << QByteArrayList { "425[\"x\",\"abc\"]" } << QString() << QByteArray("[\"x\",\"abc\"]");
    QTest::newRow("name is never an offset")
        << QByteArrayList { "42[\"only\"]" } << QString() << QByteArray("[\"only\"]");
    QTest::newRow("last not a string")
        << QByteArrayList { "42[\"x\",\"a\",1]" } << QString() << QByteArray("[\"x\",\"a\",1]");
    QTest::newRow("ack has none") << QByteArrayList { "431[\"ok\",\"x\"]" } << QString()
                                  << QByteArray("[\"ok\",\"x\"]");
}

void TestJsonParser::recoveryOffsets()
{
    QFETCH(QByteArrayList, frames);
    QFETCH(QString, offset);
    QFETCH(QByteArray, rest);
    Decoder decoder;
    const auto decoded = feed(decoder, frames);
    QVERIFY(decoded.packet);
    auto value = packetData(*decoded.packet);
    QVERIFY(value.ok());
    const auto taken = takeRecoveryOffset(*decoded.packet, value.value());
    QCOMPARE(taken.has_value(), !offset.isNull());
    if (taken)
        QCOMPARE(*taken, offset.toStdString());
    PALAVER_COMPARE_JSON(value.value(), ProtocolTest::data(rest));
}

void TestJsonParser::eventNames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("name");
    QTest::newRow("plain") << QByteArray("42[\"message:new\",{}]") << QStringLiteral("message:new");
    QTest::newRow("escaped quote") << QByteArray("42[\"a\\\"b\"]") << QStringLiteral("a\"b");
    QTest::newRow("escaped backslash") << QByteArray("42[\"a\\\\\",1]") << QStringLiteral("a\\");
    QTest::newRow("unicode escape")
        << QByteArray("42[\"caf\\u00e9\"]") << QStringLiteral("caf\u00e9");
    QTest::newRow("surrogate pair")
        << QByteArray("42[\"\\ud83d\\ude00\"]") << QString::fromUtf8("\xF0\x9F\x98\x80");
    QTest::newRow("raw utf8") << QByteArray("42[\"\xC3\xA9t\xC3\xA9\"]")
                              << QStringLiteral("\u00e9t\u00e9");
    QTest::newRow("number") << QByteArray("42[1,\"x\"]") << QStringLiteral("1");
    QTest::newRow("negative number") << QByteArray("42[-5]") << QStringLiteral("-5");
    QTest::newRow("spaces") << QByteArray("42[ \"x\" , 1 ]") << QStringLiteral("x");
    QTest::newRow("binary") << QByteArray("450-[\"b\\/c\"]") << QStringLiteral("b/c");
    QTest::newRow("nsp and id") << QByteArray("42/a,7[\"n\"]") << QStringLiteral("n");
}

void TestJsonParser::eventNames()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, name);
    Decoder decoder;
    const auto decoded = feed(decoder, { frame });
    QVERIFY2(decoded.packet, decoded.error ? describe(*decoded.error).constData() : "");
    const auto result = eventName(*decoded.packet);
    QVERIFY(result.ok());
    QCOMPARE(result.value(), name.toStdString());
    // The generic value agrees with the hand scan.
    const auto value = packetData(*decoded.packet);
    QVERIFY(value.ok());
    if (value.value()[0].is_string())
        QCOMPARE(value.value()[0].get<std::string>(), name.toStdString());
}

void TestJsonParser::roundTrip_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<QByteArray>("data");

    using P = PacketType;
    auto row = [](const char *name, P type, const char *nsp, qint64 id, const char *data) {
        QTest::newRow(name) << int(type) << QString::fromUtf8(nsp) << id << QByteArray(data);
    };
    row("connect", P::Connect, "/", -1, "");
    row("connect auth", P::Connect, "/chat", -1, "{\"token\":\"t\",\"n\":{\"a\":[1,2]}}");
    row("disconnect", P::Disconnect, "/x", -1, "");
    row("event", P::Event, "/", -1, "[\"e\"]");
    row("event unicode", P::Event, "/", -1,
        "[\"\\u00e9v\\u00e8nement\",\"\\ud83d\\ude00\",\"tab\\tnl\\nq\\\"\",\"\\u0001\"]");
    row("event numbers", P::Event, "/", 3,
        "[\"n\",0,-1,1.5,1e300,9007199254740993,-9223372036854775808,18446744073709551615]");
    row("event literals", P::Event, "/", -1, "[\"l\",true,false,null,[],{}]");
    row("event nested", P::Event, "/deep", 99, "[\"n\",{\"a\":{\"b\":{\"c\":[[[[1]]]]}}}]");
    row("event binary in object", P::Event, "/", -1,
        "[\"b\",{\"file\":{\"$bin\":\"00ff\"},\"name\":\"f\"}]");
    row("event ten binaries", P::Event, "/", 1,
        "[\"b\",{\"$bin\":\"00\"},{\"$bin\":\"01\"},{\"$bin\":\"02\"},{\"$bin\":\"03\"},{\"$bin\":"
        "\"04\"},"
        "{\"$bin\":\"05\"},{\"$bin\":\"06\"},{\"$bin\":\"07\"},{\"$bin\":\"08\"},{\"$bin\":\"09\"}"
        "]");
    row("event empty binary", P::Event, "/", -1, "[\"b\",{\"$bin\":\"\"}]");
    row("ack empty", P::Ack, "/", 0, "[]");
    row("ack binary", P::Ack, "/", 4, "[{\"$bin\":\"abcdef\"}]");
    row("ack max id", P::Ack, "/", std::numeric_limits<qint64>::max(), "[null]");
    row("connect error string", P::ConnectError, "/", -1, "\"legacy\"");
    row("connect error object", P::ConnectError, "/", -1,
        "{\"message\":\"m\",\"data\":{\"code\":\"auth_required\"}}");
}

void TestJsonParser::roundTrip()
{
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QByteArray, data);
    const auto value = ProtocolTest::data(data);
    const std::optional<std::uint64_t> ackId
        = id >= 0 ? std::optional<std::uint64_t>(id) : std::nullopt;
    const auto frames
        = encodePacket(ParserKind::Json, PacketType(type), value, ackId, nsp.toStdString());
    QVERIFY2(frames.ok(), frames.ok() ? "" : describe(frames.error()).constData());
    Decoder decoder;
    std::optional<Packet> packet;
    for (const Frame &frame : frames.value()) {
        QVERIFY(!packet);
        auto result = frame.binary ? decoder.feedBinary(frame.bytes)
                                   : decoder.feedText(decodeEngineFrame(frame.bytes)->data);
        QVERIFY2(result.ok(), result.ok() ? "" : describe(result.error()).constData());
        if (result.value())
            packet = std::move(*result.value());
    }
    QVERIFY(packet);
    QCOMPARE(packet->nsp, nsp.toStdString());
    QVERIFY(packet->id == ackId);
    const auto decoded = packetData(*packet);
    QVERIFY(decoded.ok());
    PALAVER_COMPARE_JSON(decoded.value(), value);
}

void TestJsonParser::binaryTypesFollowTheData()
{
    const auto binary = withBinaries(nlohmann::json::parse(R"(["x",{"$bin":"01"}])"));
    QCOMPARE(encodePacket(ParserKind::Json, PacketType::Event, binary)->front().bytes.substr(0, 4),
        std::string("451-"));
    QCOMPARE(encodePacket(ParserKind::Json, PacketType::Ack, binary, 3)->front().bytes.substr(0, 5),
        std::string("461-3"));
    // Asked for BINARY_EVENT without binary: plain EVENT, as socket.io-parser does.
    QCOMPARE(encodePacket(ParserKind::Json, PacketType::BinaryEvent, nlohmann::json { "x" })
                 ->front()
                 .bytes,
        std::string("42[\"x\"]"));
    QCOMPARE(encodePacket(ParserKind::Json, PacketType::BinaryAck, nlohmann::json::array(), 1)
                 ->front()
                 .bytes,
        std::string("431[]"));
}

void TestJsonParser::placeholdersOnlyInBinaryPackets()
{
    Decoder decoder;
    auto result = decoder.feedText(R"(2["x",{"_placeholder":true,"num":0}])");
    QVERIFY(result.ok() && result.value());
    const auto value = packetData(*result.value());
    QVERIFY(value.ok());
    QVERIFY(value.value()[1].is_object());
}

void TestJsonParser::connectErrorShapes()
{
    Decoder decoder;
    auto modern
        = decoder.feedText(R"(4{"message":"Invalid token","data":{"code":"invalid_token"}})");
    QVERIFY(modern.ok());
    auto error = connectError(*modern.value());
    QVERIFY(error.ok());
    QCOMPARE(error->message, std::string("Invalid token"));
    PALAVER_COMPARE_JSON(error->data, nlohmann::json({ { "code", "invalid_token" } }));

    auto legacy = decoder.feedText(R"(4"not authorized")");
    QVERIFY(legacy.ok());
    error = connectError(*legacy.value());
    QVERIFY(error.ok());
    QCOMPARE(error->message, std::string("not authorized"));
    QVERIFY(error->data.is_null());

    auto noMessage = decoder.feedText(R"(4{"data":1})");
    QVERIFY(noMessage.ok());
    QCOMPARE(name(connectError(*noMessage.value()).error().code), name(ErrorCode::InvalidPayload));

    auto notError = decoder.feedText(R"(2["x"])");
    QCOMPARE(name(connectError(*notError.value()).error().code), name(ErrorCode::UnexpectedEvent));
}

void TestJsonParser::decoderRecoversAfterError()
{
    Decoder decoder;
    QVERIFY(decoder.feedText(R"(52-["x",{"_placeholder":true,"num":0}])").ok());
    QVERIFY(decoder.awaitingAttachments());
    const auto interrupted = decoder.feedText(R"(2["y"])");
    QCOMPARE(name(interrupted.error().code), name(ErrorCode::AttachmentsPending));
    QVERIFY(!decoder.awaitingAttachments());
    const auto next = decoder.feedText(R"(2["y"])");
    QVERIFY(next.ok() && next.value());
    QCOMPARE(eventName(*next.value()).value(), std::string("y"));
}

void TestJsonParser::payloadKeepsPadding()
{
    // decodeMessageNew parses the payload in place; the decoder leaves room for simdjson.
    Decoder decoder;
    const auto packet = decoder.feedText(R"(2["x",1])");
    QVERIFY(packet.ok() && packet.value());
    QVERIFY(packet.value()->payload.capacity() >= packet.value()->payload.size() + 64);
}

void TestJsonParser::encodeRefusals_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<int>("code");
    using P = PacketType;
    auto row = [](const char *name, P type, const char *data, const char *nsp, ErrorCode code) {
        QTest::newRow(name) << int(type) << QByteArray(data) << QString::fromUtf8(nsp) << int(code);
    };
    row("reserved connect", P::Event, "[\"connect\"]", "/", ErrorCode::ReservedEventName);
    row("reserved newListener", P::Event, "[\"newListener\",1]", "/", ErrorCode::ReservedEventName);
    row("reserved removeListener", P::BinaryEvent, "[\"removeListener\"]", "/",
        ErrorCode::ReservedEventName);
    row("event not array", P::Event, "{}", "/", ErrorCode::InvalidPayload);
    row("event empty", P::Event, "[]", "/", ErrorCode::InvalidPayload);
    row("event name object", P::Event, "[{}]", "/", ErrorCode::InvalidPayload);
    row("connect array", P::Connect, "[]", "/", ErrorCode::InvalidPayload);
    row("disconnect data", P::Disconnect, "{}", "/", ErrorCode::InvalidPayload);
    row("ack object", P::Ack, "{}", "/", ErrorCode::InvalidPayload);
    row("connect error number", P::ConnectError, "1", "/", ErrorCode::InvalidPayload);
    row("connect binary", P::Connect, "{\"a\":{\"$bin\":\"00\"}}", "/", ErrorCode::InvalidPayload);
    row("nsp without slash", P::Event, "[\"x\"]", "admin", ErrorCode::InvalidNamespace);
    row("nsp with comma", P::Event, "[\"x\"]", "/a,b", ErrorCode::InvalidNamespace);
    row("eleven binaries", P::Event,
        "[\"b\",{\"$bin\":\"00\"},{\"$bin\":\"01\"},{\"$bin\":\"02\"},{\"$bin\":\"03\"},{\"$bin\":"
        "\"04\"},"
        "{\"$bin\":\"05\"},{\"$bin\":\"06\"},{\"$bin\":\"07\"},{\"$bin\":\"08\"},{\"$bin\":\"09\"},"
        "{\"$bin\":\"0a\"}]",
        "/", ErrorCode::TooManyAttachments);
}

void TestJsonParser::encodeRefusals()
{
    QFETCH(int, type);
    QFETCH(QByteArray, data);
    QFETCH(QString, nsp);
    QFETCH(int, code);
    for (const auto parser : { ParserKind::Json, ParserKind::Msgpack }) {
        const auto frames = encodePacket(
            parser, PacketType(type), ProtocolTest::data(data), std::nullopt, nsp.toStdString());
        if (parser == ParserKind::Msgpack
            && (code == int(ErrorCode::TooManyAttachments) || nsp.contains(u',')
                || data.contains("$bin"))) {
            // MessagePack carries binaries in place: no attachment limit, no ',' framing.
            QVERIFY(frames.ok());
            continue;
        }
        QVERIFY(!frames.ok());
        QCOMPARE(int(frames.error().code), code);
        QVERIFY(!frames.error().message.empty());
    }
}

void TestJsonParser::encodeEventSpreadsArgs()
{
    auto frames = encodeEvent(ParserKind::Json, "message:send",
        nlohmann::json::array({ { { "room", "r1" }, { "text", "hi" } } }));
    QVERIFY(frames.ok());
    QCOMPARE(frames->front().bytes, std::string(R"(42["message:send",{"room":"r1","text":"hi"}])"));
    frames = encodeEvent(ParserKind::Json, "ping", nullptr, 4, "/admin");
    QCOMPARE(frames->front().bytes, std::string(R"(42/admin,4["ping"])"));
    frames = encodeEvent(ParserKind::Json, "connect", nullptr);
    QCOMPARE(name(frames.error().code), name(ErrorCode::ReservedEventName));
}

QTEST_APPLESS_MAIN(TestJsonParser)
#include "tst_jsonparser.moc"
