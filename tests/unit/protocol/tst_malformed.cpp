// SPDX-License-Identifier: MIT
// Malformed input of every layer and both parsers: each must come back as the right ErrorCode
// with a message, never as a crash or an exception, and the decoder must be usable afterwards.
#include "protocoltestutil.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/engineio.h>
#include <Palaver/Protocol/msgpack.h>
#include <Palaver/Protocol/packet.h>

#include <QTest>

using namespace Palaver::Protocol;
using namespace ProtocolTest;

class TestMalformed : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void malformed_data();
    void malformed();
    void deepMsgpackValue();
    void hugeCountsDoNotAllocate();
    void truncationsNeverReadPastTheEnd();
};

namespace {

QByteArray deepArray(int depth)
{
    return "t:2[\"x\"," + QByteArray(depth, '[') + QByteArray(depth, ']') + "]";
}

} // namespace

// Frames: "t:<text>" is a text WebSocket frame's Engine.IO message data (without the `4`),
// "b:<hex>" a binary frame. Parser "json"/"msgpack" feed a Decoder; "lazy" means the error is
// reported when the data is read (packetData), as the payload is kept encoded until then.
void TestMalformed::malformed_data()
{
    QTest::addColumn<QString>("parser");
    QTest::addColumn<QByteArrayList>("frames");
    QTest::addColumn<int>("code");
    QTest::addColumn<bool>("lazy");

    auto json = [](const char *name, QByteArrayList frames, ErrorCode code, bool lazy = false) {
        QTest::newRow(name) << QStringLiteral("json") << frames << int(code) << lazy;
    };
    auto mp = [](const char *name, const char *hex, ErrorCode code) {
        QTest::newRow(name) << QStringLiteral("msgpack")
                            << QByteArrayList { QByteArray("b:") + hex } << int(code) << false;
    };
    using E = ErrorCode;
    // Header.
    json("json empty", { "t:" }, E::EmptyFrame);
    json("json type 7", { "t:7[\"x\"]" }, E::UnknownPacketType);
    json("json type letter", { "t:x[]" }, E::UnknownPacketType);
    json("binary no count", { "t:5[\"x\"]" }, E::InvalidAttachmentCount);
    json("binary dash only", { "t:5-[\"x\"]" }, E::InvalidAttachmentCount);
    json("binary count no dash", { "t:51[\"x\"]" }, E::InvalidAttachmentCount);
    json("binary count at end", { "t:51" }, E::InvalidAttachmentCount);
    json(
        "binary count overflow", { "t:5184467440737095516160-[\"x\"]" }, E::InvalidAttachmentCount);
    json("eleven attachments", { "t:511-[\"x\"]" }, E::TooManyAttachments);
    json("huge attachment count", { "t:6999999-[]" }, E::TooManyAttachments);
    json("nsp swallows payload", { "t:2/admin[\"x\"]" }, E::InvalidNamespace);
    json("ack id overflow", { "t:218446744073709551616[\"x\"]" }, E::InvalidAckId);
    // JSON text.
    json("unterminated array", { "t:2[" }, E::InvalidJson);
    json("trailing comma", { "t:2[\"x\",]" }, E::InvalidJson);
    json("trailing bracket", { "t:2[\"x\"]]" }, E::InvalidJson);
    json("missing comma", { "t:2[\"x\" 1]" }, E::InvalidJson);
    json("bad escape", { "t:2[\"\\q\"]" }, E::InvalidJson);
    json("short unicode escape", { "t:2[\"\\u12\"]" }, E::InvalidJson);
    json("bad literal", { "t:2[\"x\",tru]" }, E::InvalidJson);
    json("leading zero", { "t:2[\"x\",01]" }, E::InvalidJson);
    json("bare dot", { "t:2[\"x\",1.]" }, E::InvalidJson);
    json("raw newline in string", { "t:2[\"x\",\"a\nb\"]" }, E::InvalidJson);
    json("unterminated string", { "t:2[\"x" }, E::InvalidJson);
    json("single quotes", { "t:0{'a':1}" }, E::InvalidJson);
    json("object key not string", { "t:0{a:1}" }, E::InvalidJson);
    json("lone surrogate name", { "t:2[\"\\ud800\"]" }, E::InvalidJson);
    json("invalid utf8", { "t:2[\"x\",\"\xff\xfe\"]" }, E::InvalidJson, true);
    json("too deep", { deepArray(200) }, E::NestingTooDeep);
    json("too deep objects",
        { "t:0" + QByteArray("{\"a\":").repeated(130) + "1" + QByteArray(130, '}') },
        E::NestingTooDeep);
    // Payload shape (isPayloadValid).
    json("event object", { "t:2{\"a\":1}" }, E::InvalidPayload);
    json("event empty array", { "t:2[]" }, E::InvalidPayload);
    json("event name object", { "t:2[{}]" }, E::InvalidPayload);
    json("event name null", { "t:2[null,1]" }, E::InvalidPayload);
    json("event without data", { "t:2" }, E::InvalidPayload);
    json("event with ack id only", { "t:212" }, E::InvalidPayload);
    json("connect string", { "t:0\"str\"" }, E::InvalidPayload);
    json("connect array", { "t:0[]" }, E::InvalidPayload);
    json("disconnect with data", { "t:1{}" }, E::InvalidPayload);
    json("ack object", { "t:3{}" }, E::InvalidPayload);
    json("connect error array", { "t:4[1]" }, E::InvalidPayload);
    json("connect error absent", { "t:4" }, E::InvalidPayload);
    json("connect error number", { "t:41" }, E::InvalidPayload);
    json("binary ack object", { "t:60-{}" }, E::InvalidPayload);
    // Reserved names, as the server's parser refuses them.
    json("reserved connect", { "t:2[\"connect\"]" }, E::ReservedEventName);
    json("reserved disconnecting", { "t:2[\"disconnecting\",1]" }, E::ReservedEventName);
    json("reserved escaped", { "t:2[\"conn\\u0065ct\"]" }, E::ReservedEventName);
    json("reserved binary", { "t:51-[\"newListener\",{\"_placeholder\":true,\"num\":0}]" },
        E::ReservedEventName);
    // Attachments.
    json("placeholder out of range", { "t:51-[\"x\",{\"_placeholder\":true,\"num\":1}]", "b:01" },
        E::InvalidPlaceholder);
    json("placeholder negative", { "t:51-[\"x\",{\"_placeholder\":true,\"num\":-1}]", "b:01" },
        E::InvalidPlaceholder);
    json("placeholder num string", { "t:51-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]", "b:01" },
        E::InvalidPlaceholder);
    json("placeholder num float", { "t:51-[\"x\",{\"_placeholder\":true,\"num\":0.5}]", "b:01" },
        E::InvalidPlaceholder);
    json("placeholder without num", { "t:51-[\"x\",{\"_placeholder\":true}]", "b:01" },
        E::InvalidPlaceholder);
    json("placeholder zero attachments", { "t:50-[\"x\",{\"_placeholder\":true,\"num\":0}]" },
        E::InvalidPlaceholder);
    json("text while attachments pending",
        { "t:51-[\"x\",{\"_placeholder\":true,\"num\":0}]", "t:2[\"y\"]" }, E::AttachmentsPending);
    json("binary without header", { "b:0102" }, E::UnexpectedBinary);
    // MessagePack.
    QTest::newRow("msgpack text frame")
        << QStringLiteral("msgpack") << QByteArrayList { "t:2[\"x\"]" } << int(E::InvalidMsgpack)
        << false;
    mp("msgpack empty", "", E::EmptyFrame);
    mp("msgpack never used byte", "c1", E::InvalidMsgpack);
    mp("msgpack array root", "920001", E::InvalidMsgpack);
    mp("msgpack string root", "a3616263", E::InvalidMsgpack);
    mp("msgpack truncated map", "82a47479706500", E::InvalidMsgpack);
    mp("msgpack truncated string", "81a474797065", E::InvalidMsgpack);
    mp("msgpack no type", "81a36e7370a12f", E::UnknownPacketType);
    mp("msgpack type 5", "82a47479706505a36e7370a12f", E::UnknownPacketType);
    mp("msgpack type negative", "82a474797065ffa36e7370a12f", E::UnknownPacketType);
    mp("msgpack type string", "82a474797065a130a36e7370a12f", E::UnknownPacketType);
    mp("msgpack nsp int", "82a47479706500a36e737001", E::InvalidNamespace);
    mp("msgpack no nsp", "81a47479706500", E::InvalidNamespace);
    mp("msgpack id negative", "84a47479706502a36e7370a12fa26964ffa46461746191a178",
        E::InvalidAckId);
    mp("msgpack id string", "84a47479706502a36e7370a12fa26964a131a46461746191a178",
        E::InvalidAckId);
    mp("msgpack id float", "84a47479706502a36e7370a12fa26964cb3ff8000000000000a46461746191a178",
        E::InvalidAckId);
    mp("msgpack event map", "83a47479706502a36e7370a12fa46461746180", E::InvalidPayload);
    mp("msgpack event absent", "82a47479706502a36e7370a12f", E::InvalidPayload);
    mp("msgpack disconnect data", "83a47479706501a36e7370a12fa46461746180", E::InvalidPayload);
    mp("msgpack connect array", "83a47479706500a36e7370a12fa46461746190", E::InvalidPayload);
    mp("msgpack connect error int", "83a47479706504a36e7370a12fa46461746101", E::InvalidPayload);
    mp("msgpack ack string", "83a47479706503a36e7370a12fa464617461a16f", E::InvalidPayload);
    mp("msgpack trailing bytes", "82a47479706500a36e7370a12fc0", E::InvalidMsgpack);
    mp("msgpack key not string", "8201000203", E::InvalidMsgpack);
    mp("msgpack map count lies", "df7fffffff", E::InvalidMsgpack);
    mp("msgpack str32 beyond end", "81a4747970650083a36e7370db7fffffff", E::InvalidMsgpack);
    mp("msgpack bin32 beyond end", "83a47479706502a36e7370a12fa46461746192a178c6ffffffff",
        E::InvalidMsgpack);
    mp("msgpack ext beyond end", "83a47479706502a36e7370a12fa46461746192a178c9000000ff00",
        E::InvalidMsgpack);
    mp("msgpack nested key not string", "83a47479706502a36e7370a12fa46461746192a1788101c0",
        E::InvalidMsgpack);
    // Engine.IO and the handshake (decoded in their own functions).
    QTest::newRow("engine empty") << QStringLiteral("engine") << QByteArrayList { "t:" }
                                  << int(E::EmptyFrame) << false;
    QTest::newRow("engine type 9") << QStringLiteral("engine") << QByteArrayList { "t:9" }
                                   << int(E::UnknownEngineType) << false;
    QTest::newRow("handshake not json") << QStringLiteral("handshake") << QByteArrayList { "t:{" }
                                        << int(E::InvalidHandshake) << false;
    QTest::newRow("handshake no sid")
        << QStringLiteral("handshake")
        << QByteArrayList { "t:{\"pingInterval\":1,\"pingTimeout\":1}" } << int(E::InvalidHandshake)
        << false;
}

void TestMalformed::malformed()
{
    QFETCH(QString, parser);
    QFETCH(QByteArrayList, frames);
    QFETCH(int, code);
    QFETCH(bool, lazy);

    std::optional<Error> error;
    if (parser == QLatin1String("engine")) {
        const auto result = decodeEngineFrame(str(frames.front().mid(2)));
        QVERIFY(!result.ok());
        error = result.error();
    } else if (parser == QLatin1String("handshake")) {
        const auto result = parseHandshake(str(frames.front().mid(2)));
        QVERIFY(!result.ok());
        error = result.error();
    } else {
        Decoder decoder(parser == QLatin1String("json") ? ParserKind::Json : ParserKind::Msgpack);
        std::optional<Packet> packet;
        for (const QByteArray &frame : frames) {
            const std::string body
                = frame.startsWith("b:") ? unhex(frame.mid(2).constData()) : str(frame.mid(2));
            auto result
                = frame.startsWith("b:") ? decoder.feedBinary(body) : decoder.feedText(body);
            // The one-pass shortcut for message:new must never accept what the Decoder refuses.
            if (!frame.startsWith("b:") && !lazy)
                QVERIFY(!decodeMessageNewText(body) || result.ok());
            if (!result.ok()) {
                error = result.error();
                break;
            }
            if (result.value())
                packet = std::move(*result.value());
        }
        if (lazy) {
            QVERIFY2(!error, error ? describe(*error).constData() : "");
            QVERIFY(packet);
            const auto data = packetData(*packet);
            QVERIFY(!data.ok());
            error = data.error();
            QVERIFY(!decodeMessageNew(*packet).ok());
        }
        QVERIFY2(error, "the malformed input was accepted");
        // The decoder is reset after an error and takes the next packet.
        QVERIFY(!decoder.awaitingAttachments());
        if (decoder.parser() == ParserKind::Json)
            QVERIFY(decoder.feedText("2[\"ok\"]").ok());
        else
            QVERIFY(decoder.feedBinary(unhex("82a47479706500a36e7370a12f")).ok());
    }
    QVERIFY(error);
    QCOMPARE(
        QByteArray(toString(error->code).data()), QByteArray(toString(ErrorCode(code)).data()));
    QVERIFY(!error->message.empty());
}

void TestMalformed::deepMsgpackValue()
{
    std::string deep(200, char(0x91));
    deep += char(0xc0);
    QCOMPARE(name(Msgpack::decode(deep).error().code), name(ErrorCode::NestingTooDeep));
    const std::string packet = unhex("83a47479706502a36e7370a12fa464617461") + deep;
    Decoder decoder(ParserKind::Msgpack);
    QCOMPARE(name(decoder.feedBinary(packet).error().code), name(ErrorCode::NestingTooDeep));

    std::string ok(MaxNestingDepth - 1, char(0x91));
    ok += char(0xc0);
    QVERIFY(Msgpack::decode(ok).ok());
}

void TestMalformed::hugeCountsDoNotAllocate()
{
    // A 4-billion element array in 5 bytes is refused before anything is reserved.
    QCOMPARE(
        name(Msgpack::decode(unhex("ddffffffff")).error().code), name(ErrorCode::InvalidMsgpack));
    QCOMPARE(
        name(Msgpack::decode(unhex("dfffffffff")).error().code), name(ErrorCode::InvalidMsgpack));
}

void TestMalformed::truncationsNeverReadPastTheEnd()
{
    // Every prefix of valid frames is either valid or an error; under ASan this also proves no
    // read past the end.
    const std::string msgpack
        = unhex("84 a26964 07 a474797065 03 a464617461 93 a26f6b a26869 c4020102 a36e7370 a12f");
    for (std::size_t n = 0; n < msgpack.size(); ++n) {
        Decoder decoder(ParserKind::Msgpack);
        const std::string prefix = msgpack.substr(0, n);
        QVERIFY(!decoder.feedBinary(prefix).ok());
        (void)Msgpack::decode(prefix);
    }
    const std::string text
        = R"(452-/admin,3["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
    for (std::size_t n = 0; n < text.size(); ++n) {
        Decoder decoder;
        const std::string prefix = text.substr(0, n);
        const auto result = decoder.feedText(prefix);
        if (result.ok() && result.value()) {
            (void)packetData(*result.value());
            (void)eventName(*result.value());
            (void)decodeMessageNew(*result.value());
        }
    }
}

QTEST_APPLESS_MAIN(TestMalformed)
#include "tst_malformed.moc"
