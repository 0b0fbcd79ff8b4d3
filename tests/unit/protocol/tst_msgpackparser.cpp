// SPDX-License-Identifier: MIT
#include "protocoltestutil.h"
#include <Palaver/Protocol/msgpack.h>
#include <Palaver/Protocol/packet.h>

#include <QTest>

using namespace Palaver::Protocol;
using namespace ProtocolTest;

class TestMsgpackParser : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void golden_data();
    void goldenDecode_data() { golden_data(); }
    void goldenDecode();
    void goldenEncode_data() { golden_data(); }
    void goldenEncode();
    void values_data();
    void values();
    void encodeSmallest_data();
    void encodeSmallest();
    void roundTrip_data();
    void roundTrip();
    void keysInAnyOrder();
    void undefinedIdAndData();
    void eventNameAndOffset();
    void textFrameRefused();
    void noReservedNameCheckOnDecode();
};

// Wire reference section 3, observed from socket.io-msgpack-parser 3.0.2 / notepack 2.2.
void TestMsgpackParser::golden_data()
{
    QTest::addColumn<QByteArray>("bytes"); // hex
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<bool>("exact"); // false: the frame holds notepack's `undefined`

    auto row = [](const char *name, const char *bytes, PacketType type, qint64 id, const char *data,
                   bool exact = true) {
        QTest::newRow(name) << QByteArray(bytes) << int(type) << QStringLiteral("/") << id
                            << QByteArray(data) << exact;
    };
    row("connect", "82a47479706500a36e7370a12f", PacketType::Connect, -1, "");
    row("connect auth", "83a47479706500a36e7370a12fa46461746181a5746f6b656ea4676f6f64",
        PacketType::Connect, -1, "{\"token\":\"good\"}");
    row("connect ack undefined pid",
        "83 a474797065 00 a464617461 82 a3736964 b4 3876394853 6f5039677a 6c58726d73 5f41414141"
        " a3706964 d40000 a36e7370 a12f",
        PacketType::Connect, -1, "{\"sid\":\"8v9HSoP9gzlXrms_AAAA\",\"pid\":null}", false);
    row("event with buffer", "83 a474797065 02 a464617461 92 a362696e c403010203 a36e7370 a12f",
        PacketType::Event, -1, "[\"bin\",{\"$bin\":\"010203\"}]");
    row("ack", "84 a26964 07 a474797065 03 a464617461 93 a26f6b a26869 c4020102 a36e7370 a12f",
        PacketType::Ack, 7, "[\"ok\",\"hi\",{\"$bin\":\"0102\"}]");
}

void TestMsgpackParser::goldenDecode()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QByteArray, data);
    Decoder decoder(ParserKind::Msgpack);
    const auto result = decoder.feedBinary(unhex(bytes.constData()));
    QVERIFY2(result.ok(), result.ok() ? "" : describe(result.error()).constData());
    QVERIFY(result.value());
    const Packet &packet = *result.value();
    QCOMPARE(name(packet.format), name(ParserKind::Msgpack));
    QCOMPARE(int(packet.type), type);
    QCOMPARE(packet.nsp, nsp.toStdString());
    QCOMPARE(packet.id.has_value(), id >= 0);
    if (id >= 0)
        QCOMPARE(*packet.id, std::uint64_t(id));
    const auto value = packetData(packet);
    QVERIFY2(value.ok(), value.ok() ? "" : describe(value.error()).constData());
    PALAVER_COMPARE_JSON(value.value(), ProtocolTest::data(data));
}

void TestMsgpackParser::goldenEncode()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QByteArray, data);
    QFETCH(bool, exact);
    const auto frames
        = encodePacket(ParserKind::Msgpack, PacketType(type), ProtocolTest::data(data),
            id >= 0 ? std::optional<std::uint64_t>(id) : std::nullopt, nsp.toStdString());
    QVERIFY(frames.ok());
    QCOMPARE(frames->size(), std::size_t(1));
    QVERIFY(frames->front().binary);
    if (exact) {
        QCOMPARE(hex(frames->front().bytes), str(bytes.replace(' ', "")));
    } else {
        // We write null where notepack wrote `undefined`; both decode to the same packet.
        Decoder decoder(ParserKind::Msgpack);
        const auto mine = decoder.feedBinary(frames->front().bytes);
        const auto theirs = decoder.feedBinary(unhex(bytes.constData()));
        QVERIFY(mine.ok() && theirs.ok());
        PALAVER_COMPARE_JSON(
            packetData(*mine.value()).value(), packetData(*theirs.value()).value());
        QCOMPARE(name(mine.value()->type), name(theirs.value()->type));
    }
}

void TestMsgpackParser::values_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("nil") << QByteArray("c0") << QByteArray("null");
    QTest::newRow("undefined") << QByteArray("d40000") << QByteArray("null");
    QTest::newRow("true") << QByteArray("c3") << QByteArray("true");
    QTest::newRow("false") << QByteArray("c2") << QByteArray("false");
    QTest::newRow("fixint") << QByteArray("7f") << QByteArray("127");
    QTest::newRow("negative fixint") << QByteArray("e0") << QByteArray("-32");
    QTest::newRow("uint8") << QByteArray("ccff") << QByteArray("255");
    QTest::newRow("uint16") << QByteArray("cd0100") << QByteArray("256");
    QTest::newRow("uint32") << QByteArray("ce00010000") << QByteArray("65536");
    QTest::newRow("uint64") << QByteArray("cfffffffffffffffff")
                            << QByteArray("18446744073709551615");
    QTest::newRow("int8") << QByteArray("d080") << QByteArray("-128");
    QTest::newRow("int16") << QByteArray("d18000") << QByteArray("-32768");
    QTest::newRow("int32") << QByteArray("d280000000") << QByteArray("-2147483648");
    QTest::newRow("int64") << QByteArray("d38000000000000000")
                           << QByteArray("-9223372036854775808");
    QTest::newRow("float32") << QByteArray("ca3fc00000") << QByteArray("1.5");
    QTest::newRow("float64") << QByteArray("cb3ff8000000000000") << QByteArray("1.5");
    QTest::newRow("fixstr") << QByteArray("a3616263") << QByteArray("\"abc\"");
    QTest::newRow("str8") << QByteArray("d903616263") << QByteArray("\"abc\"");
    QTest::newRow("str16") << QByteArray("da0003616263") << QByteArray("\"abc\"");
    QTest::newRow("str32") << QByteArray("db00000003616263") << QByteArray("\"abc\"");
    QTest::newRow("utf8") << QByteArray("a2c3a9") << QByteArray("\"\xC3\xA9\"");
    QTest::newRow("bin8") << QByteArray("c4020102") << QByteArray("{\"$bin\":\"0102\"}");
    QTest::newRow("bin16") << QByteArray("c500020102") << QByteArray("{\"$bin\":\"0102\"}");
    QTest::newRow("bin32") << QByteArray("c6000000020102") << QByteArray("{\"$bin\":\"0102\"}");
    QTest::newRow("ext8 arraybuffer")
        << QByteArray("c702000102") << QByteArray("{\"$bin\":\"0102\"}");
    QTest::newRow("ext16 arraybuffer")
        << QByteArray("c80002000102") << QByteArray("{\"$bin\":\"0102\"}");
    QTest::newRow("ext32 arraybuffer")
        << QByteArray("c9000000020000ff") << QByteArray("{\"$bin\":\"00ff\"}");
    QTest::newRow("date") << QByteArray("d7000000012345678901") << QByteArray("1250999896321");
    QTest::newRow("negative date") << QByteArray("d700ffffffffffffffff") << QByteArray("-1");
    QTest::newRow("ext8 other") << QByteArray("c702050102")
                                << QByteArray("[5,{\"$bin\":\"0102\"}]");
    QTest::newRow("fixext2 other")
        << QByteArray("d5070102") << QByteArray("[7,{\"$bin\":\"0102\"}]");
    QTest::newRow("fixext1 other") << QByteArray("d405ff") << QByteArray("[5,-1]");
    QTest::newRow("fixext1 type 0 not undefined") << QByteArray("d40001") << QByteArray("[0,1]");
    QTest::newRow("fixext8 other")
        << QByteArray("d7010102030405060708") << QByteArray("[1,{\"$bin\":\"0102030405060708\"}]");
    QTest::newRow("fixext16") << QByteArray("d80200000000000000000000000000000000")
                              << QByteArray("[2,{\"$bin\":\"00000000000000000000000000000000\"}]");
    QTest::newRow("fixarray") << QByteArray("93010203") << QByteArray("[1,2,3]");
    QTest::newRow("array16") << QByteArray("dc00020102") << QByteArray("[1,2]");
    QTest::newRow("array32") << QByteArray("dd000000020102") << QByteArray("[1,2]");
    QTest::newRow("fixmap") << QByteArray("81a16101") << QByteArray("{\"a\":1}");
    QTest::newRow("map16") << QByteArray("de0001a16101") << QByteArray("{\"a\":1}");
    QTest::newRow("map32") << QByteArray("df00000001a16191c0") << QByteArray("{\"a\":[null]}");
    QTest::newRow("map with undefined value")
        << QByteArray("81a161d40000") << QByteArray("{\"a\":null}");
}

void TestMsgpackParser::values()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QByteArray, value);
    const auto decoded = Msgpack::decode(unhex(bytes.constData()));
    QVERIFY2(decoded.ok(), decoded.ok() ? "" : describe(decoded.error()).constData());
    PALAVER_COMPARE_JSON(decoded.value(), ProtocolTest::data(value));
}

void TestMsgpackParser::encodeSmallest_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("0") << QByteArray("0") << QByteArray("00");
    QTest::newRow("127") << QByteArray("127") << QByteArray("7f");
    QTest::newRow("128") << QByteArray("128") << QByteArray("cc80");
    QTest::newRow("256") << QByteArray("256") << QByteArray("cd0100");
    QTest::newRow("65536") << QByteArray("65536") << QByteArray("ce00010000");
    QTest::newRow("2^32") << QByteArray("4294967296") << QByteArray("cf0000000100000000");
    QTest::newRow("max u64") << QByteArray("18446744073709551615")
                             << QByteArray("cfffffffffffffffff");
    QTest::newRow("-1") << QByteArray("-1") << QByteArray("ff");
    QTest::newRow("-32") << QByteArray("-32") << QByteArray("e0");
    QTest::newRow("-33") << QByteArray("-33") << QByteArray("d0df");
    QTest::newRow("-129") << QByteArray("-129") << QByteArray("d1ff7f");
    QTest::newRow("-32769") << QByteArray("-32769") << QByteArray("d2ffff7fff");
    QTest::newRow("min i64") << QByteArray("-9223372036854775808")
                             << QByteArray("d38000000000000000");
    QTest::newRow("double") << QByteArray("1.5") << QByteArray("cb3ff8000000000000");
    QTest::newRow("null") << QByteArray("null") << QByteArray("c0");
    QTest::newRow("bools") << QByteArray("[true,false]") << QByteArray("92c3c2");
    QTest::newRow("fixstr 31") << QByteArray("\"" + QByteArray(31, 'a') + "\"")
                               << QByteArray("bf" + QByteArray(31, 'a').toHex());
    QTest::newRow("str8 32") << QByteArray("\"" + QByteArray(32, 'a') + "\"")
                             << QByteArray("d920" + QByteArray(32, 'a').toHex());
    QTest::newRow("str16 256") << QByteArray("\"" + QByteArray(256, 'a') + "\"")
                               << QByteArray("da0100" + QByteArray(256, 'a').toHex());
    QTest::newRow("bin") << QByteArray("{\"$bin\":\"0102\"}") << QByteArray("c4020102");
    QTest::newRow("array16") << QByteArray("[" + QByteArray("0,").repeated(15) + "0]")
                             << QByteArray("dc0010" + QByteArray("00").repeated(16));
    QTest::newRow("map") << QByteArray("{\"a\":1,\"b\":[]}") << QByteArray("82a16101a16290");
}

void TestMsgpackParser::encodeSmallest()
{
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, bytes);
    QCOMPARE(hex(Msgpack::encode(ProtocolTest::data(value))), bytes.toStdString());
}

void TestMsgpackParser::roundTrip_data()
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
    row("connect auth", P::Connect, "/admin", -1, "{\"token\":\"t\"}");
    row("disconnect", P::Disconnect, "/", -1, "");
    row("event", P::Event, "/", -1, "[\"e\",1,-1,1.25,\"\xC3\xA9\",null,true,{\"k\":[1,{}]}]");
    row("event binary", P::Event, "/", 5, "[\"b\",{\"$bin\":\"00ff\"},{\"x\":{\"$bin\":\"\"}}]");
    row("event eleven binaries", P::Event, "/", -1,
        "[\"b\",{\"$bin\":\"00\"},{\"$bin\":\"01\"},{\"$bin\":\"02\"},{\"$bin\":\"03\"},{\"$bin\":"
        "\"04\"},"
        "{\"$bin\":\"05\"},{\"$bin\":\"06\"},{\"$bin\":\"07\"},{\"$bin\":\"08\"},{\"$bin\":\"09\"},"
        "{\"$bin\":\"0a\"}]");
    row("ack", P::Ack, "/", 0, "[]");
    row("ack big id", P::Ack, "/x", std::numeric_limits<qint64>::max(), "[\"ok\"]");
    row("connect error", P::ConnectError, "/", -1, "{\"message\":\"no\",\"data\":{\"code\":1}}");
    row("connect error string", P::ConnectError, "/", -1, "\"no\"");
    row("long strings", P::Event, "/", -1,
        "[\"s\",\""
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]");
}

void TestMsgpackParser::roundTrip()
{
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QByteArray, data);
    const auto value = ProtocolTest::data(data);
    const std::optional<std::uint64_t> ackId
        = id >= 0 ? std::optional<std::uint64_t>(id) : std::nullopt;
    const auto frames
        = encodePacket(ParserKind::Msgpack, PacketType(type), value, ackId, nsp.toStdString());
    QVERIFY2(frames.ok(), frames.ok() ? "" : describe(frames.error()).constData());
    QCOMPARE(frames->size(), std::size_t(1)); // binaries stay in place: no attachments
    Decoder decoder(ParserKind::Msgpack);
    const auto packet = decoder.feedBinary(frames->front().bytes);
    QVERIFY2(packet.ok(), packet.ok() ? "" : describe(packet.error()).constData());
    QCOMPARE(int(packet.value()->type), type);
    QCOMPARE(packet.value()->nsp, nsp.toStdString());
    QVERIFY(packet.value()->id == ackId);
    QVERIFY(packet.value()->attachments.empty());
    PALAVER_COMPARE_JSON(packetData(*packet.value()).value(), value);
}

void TestMsgpackParser::keysInAnyOrder()
{
    // {nsp, options, data, type} with the JS client's extra `options` key.
    const auto bytes = unhex("84 a36e7370 a12f a76f7074696f6e73 81 a8636f6d7072657373 c3"
                             " a464617461 91 a178 a474797065 02");
    Decoder decoder(ParserKind::Msgpack);
    const auto packet = decoder.feedBinary(bytes);
    QVERIFY2(packet.ok(), packet.ok() ? "" : describe(packet.error()).constData());
    QCOMPARE(name(packet.value()->type), name(PacketType::Event));
    QCOMPARE(eventName(*packet.value()).value(), std::string("x"));
}

void TestMsgpackParser::undefinedIdAndData()
{
    // `d4 00 00` for data and id means absent.
    const auto bytes = unhex("84 a474797065 00 a36e7370 a12f a464617461 d40000 a26964 d40000");
    Decoder decoder(ParserKind::Msgpack);
    const auto packet = decoder.feedBinary(bytes);
    QVERIFY2(packet.ok(), packet.ok() ? "" : describe(packet.error()).constData());
    QVERIFY(packet.value()->payload.empty());
    QVERIFY(!packet.value()->id);
    QVERIFY(packetData(*packet.value()).value().is_null());
}

void TestMsgpackParser::eventNameAndOffset()
{
    const auto frames = encodePacket(ParserKind::Msgpack, PacketType::Event,
        nlohmann::json::array({ "hello", "world", "Q8WACUn" }));
    Decoder decoder(ParserKind::Msgpack);
    const auto packet = decoder.feedBinary(frames->front().bytes);
    QVERIFY(packet.ok());
    QCOMPARE(eventName(*packet.value()).value(), std::string("hello"));
    auto data = packetData(*packet.value()).value();
    QVERIFY(takeRecoveryOffset(*packet.value(), data) == std::optional<std::string>("Q8WACUn"));
    PALAVER_COMPARE_JSON(data, nlohmann::json::array({ "hello", "world" }));

    const auto numeric = decoder.feedBinary(unhex("83a47479706502a46461746191 2a a36e7370a12f"));
    QVERIFY(numeric.ok());
    QCOMPARE(eventName(*numeric.value()).value(), std::string("42"));
}

void TestMsgpackParser::textFrameRefused()
{
    // A text `42[...]` to a msgpack server makes notepack throw.
    Decoder decoder(ParserKind::Msgpack);
    const auto result = decoder.feedText("2[\"x\"]");
    QVERIFY(!result.ok());
    QCOMPARE(name(result.error().code), name(ErrorCode::InvalidMsgpack));
}

void TestMsgpackParser::noReservedNameCheckOnDecode()
{
    // socket.io-msgpack-parser does not check names; only our encoder refuses them.
    Decoder decoder(ParserKind::Msgpack);
    const auto result
        = decoder.feedBinary(unhex("83a47479706502a46461746191a7636f6e6e656374a36e7370a12f"));
    QVERIFY(result.ok());
    QCOMPARE(eventName(*result.value()).value(), std::string("connect"));
    QCOMPARE(name(encodeEvent(ParserKind::Msgpack, "connect", nullptr).error().code),
        name(ErrorCode::ReservedEventName));
}

QTEST_APPLESS_MAIN(TestMsgpackParser)
#include "tst_msgpackparser.moc"
