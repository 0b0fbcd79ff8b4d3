// SPDX-License-Identifier: MIT
#include "protocoltestutil.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/msgpack.h>

#include <QTest>

using namespace Palaver::Protocol;
using namespace ProtocolTest;

namespace {

ChatMessage sample()
{
    ChatMessage m;
    m.id = "m-1";
    m.roomId = "general";
    m.seq = 42;
    m.userId = "alice";
    m.userName = "Alice";
    m.content = "hello \"world\" \\ \u00e9 \U0001F600\n";
    m.createdAt = "2024-05-01T12:00:00.000Z";
    m.clientId = "c-9";
    return m;
}

// Builds a `message:new` packet of the given parser through the real encoder and decoder.
Packet packetFor(
    ParserKind parser, const nlohmann::json &data, std::optional<std::uint64_t> id = {})
{
    const auto frames = encodePacket(parser, PacketType::Event, data, id);
    Decoder decoder(parser);
    const Frame &frame = frames->front();
    auto result = frame.binary ? decoder.feedBinary(frame.bytes)
                               : decoder.feedText(decodeEngineFrame(frame.bytes)->data);
    return std::move(*result.value());
}

// A message with every contract v1.1 field set.
ChatMessage sampleV11()
{
    ChatMessage m = sample();
    m.rev = 17;
    m.editedAt = "2024-05-01T12:00:01.000Z";
    m.deleted = false;
    // In the order the wire object has them (sorted keys, as nlohmann writes them).
    m.extras.reactions = { { "ok", { "carol" } }, { "\U0001F44D", { "alice", "bob" } } };
    m.extras.replyTo = ChatReplyTo { "m-0", 40, "bob", "Bob", "earlier \"text\"", false };
    m.extras.mentions = { "bob", "carol" };
    return m;
}

} // namespace

Q_DECLARE_METATYPE(Palaver::Protocol::ParserKind)

class TestChatMessage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsers_data();
    void decodesEveryField_data() { parsers_data(); }
    void decodesEveryField();
    void offsetOnlyWithoutAckId_data() { parsers_data(); }
    void offsetOnlyWithoutAckId();
    void optionalFields_data() { parsers_data(); }
    void optionalFields();
    void unknownFieldsIgnored_data() { parsers_data(); }
    void unknownFieldsIgnored();
    void bigContent_data() { parsers_data(); }
    void bigContent();
    void refusals_data();
    void refusals();
    void escapedKeysAndValues();
    void copiedPacketWithoutPadding();
    void jsonRoundTrip();
    void fromJsonRefusals();
    void binaryEventAlsoDecodes();
    void v11Fields_data() { parsers_data(); }
    void v11Fields();
    void v11Tombstone_data() { parsers_data(); }
    void v11Tombstone();
    void v1MessageHasV11Defaults_data() { parsers_data(); }
    void v1MessageHasV11Defaults();
    void v11Refusals_data();
    void v11Refusals();
};

void TestChatMessage::parsers_data()
{
    QTest::addColumn<ParserKind>("parser");
    QTest::newRow("json") << ParserKind::Json;
    QTest::newRow("msgpack") << ParserKind::Msgpack;
}

void TestChatMessage::decodesEveryField()
{
    QFETCH(ParserKind, parser);
    const ChatMessage m = sample();
    const auto packet = packetFor(parser, nlohmann::json::array({ "message:new", toJson(m) }));
    const auto decoded = decodeMessageNew(packet);
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : describe(decoded.error()).constData());
    QVERIFY(decoded->message == m);
    QVERIFY(!decoded->offset);
    // The typed path and the generic one agree.
    QVERIFY(chatMessageFromJson(packetData(packet).value()[1]).value() == m);
}

void TestChatMessage::offsetOnlyWithoutAckId()
{
    QFETCH(ParserKind, parser);
    const auto data = nlohmann::json::array({ "message:new", toJson(sample()), "Q8WACUn" });
    auto decoded = decodeMessageNew(packetFor(parser, data));
    QVERIFY(decoded.ok());
    QVERIFY(decoded->offset == std::optional<std::string>("Q8WACUn"));
    QVERIFY(decoded->message == sample());

    decoded = decodeMessageNew(packetFor(parser, data, 3));
    QVERIFY(decoded.ok());
    QVERIFY(!decoded->offset);
}

void TestChatMessage::optionalFields()
{
    QFETCH(ParserKind, parser);
    // Servers other than ours may leave out clientId; userName defaults to userId.
    const nlohmann::json message = { { "id", "m" }, { "roomId", "r" }, { "seq", 1 },
        { "userId", "u" }, { "content", "c" }, { "clientId", nullptr } };
    const auto decoded
        = decodeMessageNew(packetFor(parser, nlohmann::json::array({ "message:new", message })));
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : describe(decoded.error()).constData());
    QCOMPARE(decoded->message.userName, std::string("u"));
    QVERIFY(decoded->message.clientId.empty());
    QVERIFY(decoded->message.createdAt.empty());
}

void TestChatMessage::unknownFieldsIgnored()
{
    QFETCH(ParserKind, parser);
    nlohmann::json message = toJson(sample());
    message["votes"] = { { "x", { 1, 2, { { "deep", { nullptr, true } } } } } };
    message["edited"] = false;
    message["score"] = 1.5;
    const auto decoded = decodeMessageNew(
        packetFor(parser, nlohmann::json::array({ "message:new", message, "off" })));
    QVERIFY(decoded.ok());
    QVERIFY(decoded->message == sample());
    QVERIFY(decoded->offset == std::optional<std::string>("off"));
}

void TestChatMessage::bigContent()
{
    QFETCH(ParserKind, parser);
    ChatMessage m = sample();
    m.content = std::string(4000, 'x') + "\"\\\u00e9";
    const auto decoded
        = decodeMessageNew(packetFor(parser, nlohmann::json::array({ "message:new", toJson(m) })));
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->message.content, m.content);
}

void TestChatMessage::refusals_data()
{
    QTest::addColumn<ParserKind>("parser");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("code");
    const char *valid = R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"c"})";
    const struct {
        const char *name;
        QByteArray data;
        ErrorCode code;
    } rows[] = {
        { "other event", R"(["message:old",{}])", ErrorCode::UnexpectedEvent },
        { "numeric event", R"([5,{}])", ErrorCode::UnexpectedEvent },
        { "no message", R"(["message:new"])", ErrorCode::InvalidPayload },
        { "message not object", R"(["message:new",[1]])", ErrorCode::InvalidPayload },
        { "missing id", R"(["message:new",{"roomId":"r","seq":1,"userId":"u","content":"c"}])",
            ErrorCode::InvalidPayload },
        { "missing seq", R"(["message:new",{"id":"m","roomId":"r","userId":"u","content":"c"}])",
            ErrorCode::InvalidPayload },
        { "missing content", R"(["message:new",{"id":"m","roomId":"r","seq":1,"userId":"u"}])",
            ErrorCode::InvalidPayload },
        { "seq string",
            R"(["message:new",{"id":"m","roomId":"r","seq":"1","userId":"u","content":"c"}])",
            ErrorCode::InvalidPayload },
        { "seq float",
            R"(["message:new",{"id":"m","roomId":"r","seq":1.5,"userId":"u","content":"c"}])",
            ErrorCode::InvalidPayload },
        { "seq too big",
            R"(["message:new",{"id":"m","roomId":"r","seq":18446744073709551615,"userId":"u","content":"c"}])",
            ErrorCode::InvalidPayload },
        { "id number",
            R"(["message:new",{"id":1,"roomId":"r","seq":1,"userId":"u","content":"c"}])",
            ErrorCode::InvalidPayload },
        { "content null",
            R"(["message:new",{"id":"m","roomId":"r","seq":1,"userId":"u","content":null}])",
            ErrorCode::InvalidPayload },
        { "content object",
            R"(["message:new",{"id":"m","roomId":"r","seq":1,"userId":"u","content":{}}])",
            ErrorCode::InvalidPayload },
        { "userName number",
            R"(["message:new",{"id":"m","roomId":"r","seq":1,"userId":"u","content":"c","userName":3}])",
            ErrorCode::InvalidPayload },
    };
    for (const auto parser : { ParserKind::Json, ParserKind::Msgpack }) {
        for (const auto &row : rows) {
            const QByteArray name
                = QByteArray(row.name) + (parser == ParserKind::Json ? " json" : " msgpack");
            QTest::newRow(name.constData()) << parser << row.data << int(row.code);
        }
    }
    (void)valid;
}

void TestChatMessage::refusals()
{
    QFETCH(ParserKind, parser);
    QFETCH(QByteArray, data);
    QFETCH(int, code);
    Packet packet;
    packet.format = parser;
    packet.payload = parser == ParserKind::Json ? str(data)
                                                : Msgpack::encode(nlohmann::json::parse(str(data)));
    const auto decoded = decodeMessageNew(packet);
    QVERIFY(!decoded.ok());
    QCOMPARE(int(decoded.error().code), code);
    QVERIFY(!decoded.error().message.empty());
}

void TestChatMessage::escapedKeysAndValues()
{
    Decoder decoder;
    const auto packet = decoder.feedText(
        R"(2["message:new",{"\u0069d":"m\u002d1","roomId":"r","seq":7,"userId":"u","content":"a\"b\\c\u00e9\ud83d\ude00","createdAt":"t"}])");
    QVERIFY(packet.ok());
    const auto decoded = decodeMessageNew(*packet.value());
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : describe(decoded.error()).constData());
    QCOMPARE(decoded->message.id, std::string("m-1"));
    QCOMPARE(decoded->message.content, std::string("a\"b\\c\u00e9\U0001F600"));
}

void TestChatMessage::copiedPacketWithoutPadding()
{
    Packet packet;
    packet.payload
        = R"(["message:new",{"id":"m","roomId":"r","seq":1,"userId":"u","content":"c"}])";
    packet.payload.shrink_to_fit();
    const auto decoded = decodeMessageNew(packet);
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->message.content, std::string("c"));

    Packet notEvent = packet;
    notEvent.type = PacketType::Ack;
    QCOMPARE(name(decodeMessageNew(notEvent).error().code), name(ErrorCode::UnexpectedEvent));
}

void TestChatMessage::jsonRoundTrip()
{
    ChatMessage m = sample();
    QVERIFY(chatMessageFromJson(toJson(m)).value() == m);
    m.clientId.clear();
    QVERIFY(!toJson(m).contains("clientId"));
    QVERIFY(chatMessageFromJson(toJson(m)).value() == m);
}

void TestChatMessage::fromJsonRefusals()
{
    QCOMPARE(name(chatMessageFromJson(nlohmann::json::array()).error().code),
        name(ErrorCode::InvalidPayload));
    nlohmann::json value = toJson(sample());
    value["seq"] = -1.0;
    QCOMPARE(name(chatMessageFromJson(value).error().code), name(ErrorCode::InvalidPayload));
    value = toJson(sample());
    value.erase("roomId");
    QCOMPARE(name(chatMessageFromJson(value).error().code), name(ErrorCode::InvalidPayload));
}

void TestChatMessage::binaryEventAlsoDecodes()
{
    // An attachment elsewhere in the event does not hide the message.
    Decoder decoder;
    QVERIFY(
        decoder
            .feedText(
                R"(51-["message:new",{"id":"m","roomId":"r","seq":1,"userId":"u","content":"c"},{"_placeholder":true,"num":0}])")
            .ok());
    const auto packet = decoder.feedBinary(unhex("00"));
    QVERIFY(packet.ok() && packet.value());
    QVERIFY(decodeMessageNew(*packet.value()).ok());
}

void TestChatMessage::v11Fields()
{
    QFETCH(ParserKind, parser);
    const ChatMessage m = sampleV11();
    const nlohmann::json wire = toJson(m);
    QCOMPARE(wire.at("rev").get<int>(), 17);
    QVERIFY(wire.at("deletedAt").is_null());
    const auto packet = packetFor(parser, nlohmann::json::array({ "message:new", wire }));
    const auto decoded = decodeMessageNew(packet);
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : describe(decoded.error()).constData());
    QVERIFY(decoded->message == m);
    QVERIFY(chatMessageFromJson(packetData(packet).value()[1]).value() == m);
    QVERIFY(chatMessageFromJson(wire).value() == m);
}

void TestChatMessage::v11Tombstone()
{
    QFETCH(ParserKind, parser);
    ChatMessage m = sample();
    m.content.clear();
    m.rev = 3;
    m.deleted = true;
    m.deletedAt = "2024-05-01T12:00:05.000Z";
    m.extras.replyTo = ChatReplyTo { "m-0", 40, "bob", "bob", "", true };
    const auto decoded
        = decodeMessageNew(packetFor(parser, nlohmann::json::array({ "message:new", toJson(m) })));
    QVERIFY(decoded.ok());
    QVERIFY(decoded->message == m);
    QVERIFY(decoded->message.extras.replyTo->deleted);
}

void TestChatMessage::v1MessageHasV11Defaults()
{
    QFETCH(ParserKind, parser);
    // A v1 server writes none of the new fields: they keep the meaning of a v1 message.
    const nlohmann::json wire = toJson(sample());
    QVERIFY(!wire.contains("rev") && !wire.contains("reactions"));
    const auto decoded
        = decodeMessageNew(packetFor(parser, nlohmann::json::array({ "message:new", wire })));
    QVERIFY(decoded.ok());
    QCOMPARE(decoded->message.rev, 0);
    QVERIFY(!decoded->message.deleted && decoded->message.editedAt.empty());
    QVERIFY(decoded->message.extras.empty());
    QVERIFY(!decoded->message.hasV11State());
}

void TestChatMessage::v11Refusals_data()
{
    QTest::addColumn<ParserKind>("parser");
    QTest::addColumn<QByteArray>("field");
    QTest::addColumn<QByteArray>("value");
    const struct {
        const char *field;
        const char *value;
    } rows[] = {
        { "rev", R"("1")" },
        { "rev", "1.5" },
        { "deleted", "1" },
        { "deleted", "null" },
        { "editedAt", "5" },
        { "reactions", "[]" },
        { "reactions", R"({"x":"u"})" },
        { "reactions", R"({"x":[1]})" },
        { "mentions", "{}" },
        { "mentions", "[1]" },
        { "replyTo", R"("m")" },
        { "replyTo", R"({"seq":1})" },
        { "replyTo", R"({"id":"a","deleted":"no"})" },
    };
    for (const ParserKind parser : { ParserKind::Json, ParserKind::Msgpack }) {
        for (const auto &row : rows) {
            QTest::addRow(
                "%s %s=%s", parser == ParserKind::Json ? "json" : "msgpack", row.field, row.value)
                << parser << QByteArray(row.field) << QByteArray(row.value);
        }
    }
}

void TestChatMessage::v11Refusals()
{
    QFETCH(ParserKind, parser);
    QFETCH(QByteArray, field);
    QFETCH(QByteArray, value);
    nlohmann::json message = toJson(sample());
    message[field.toStdString()] = nlohmann::json::parse(value.toStdString());
    const auto decoded
        = decodeMessageNew(packetFor(parser, nlohmann::json::array({ "message:new", message })));
    QVERIFY(!decoded.ok());
    QCOMPARE(name(decoded.error().code), name(ErrorCode::InvalidPayload));
    QVERIFY(!chatMessageFromJson(message).ok());
}

QTEST_APPLESS_MAIN(TestChatMessage)
#include "tst_chatmessage.moc"
