// SPDX-License-Identifier: MIT
#include "protocoltestutil.h"
#include <Palaver/Protocol/engineio.h>

#include <QTest>

using namespace Palaver::Protocol;
using namespace ProtocolTest;

class TestEngineIo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void decodeFrame_data();
    void decodeFrame();
    void encodeFrame_data();
    void encodeFrame();
    void handshakeGolden();
    void handshakeWithoutMaxPayload();
    void handshakeRoundTrip_data();
    void handshakeRoundTrip();
    void handshakeEscapedSid();
    void badHandshake_data();
    void badHandshake();
    void badFrame_data();
    void badFrame();
    void binaryFrameHasNoTypeByte();
};

void TestEngineIo::decodeFrame_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("open") << QByteArray("0{\"sid\":\"a\"}") << int(EngineType::Open)
                          << QByteArray("{\"sid\":\"a\"}");
    QTest::newRow("close") << QByteArray("1") << int(EngineType::Close) << QByteArray();
    QTest::newRow("ping") << QByteArray("2") << int(EngineType::Ping) << QByteArray();
    QTest::newRow("pong") << QByteArray("3") << int(EngineType::Pong) << QByteArray();
    QTest::newRow("message") << QByteArray("42[\"x\"]") << int(EngineType::Message)
                             << QByteArray("2[\"x\"]");
    QTest::newRow("upgrade") << QByteArray("5") << int(EngineType::Upgrade) << QByteArray();
    QTest::newRow("noop") << QByteArray("6") << int(EngineType::Noop) << QByteArray();
    QTest::newRow("probe") << QByteArray("2probe") << int(EngineType::Ping) << QByteArray("probe");
}

void TestEngineIo::decodeFrame()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, type);
    QFETCH(QByteArray, data);
    const std::string bytes = str(frame);
    const auto packet = decodeEngineFrame(bytes);
    QVERIFY2(packet.ok(), packet.ok() ? "" : describe(packet.error()).constData());
    QCOMPARE(int(packet->type), type);
    QCOMPARE(std::string(packet->data), str(data));
}

void TestEngineIo::encodeFrame_data()
{
    decodeFrame_data();
}

void TestEngineIo::encodeFrame()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, type);
    QFETCH(QByteArray, data);
    QCOMPARE(encodeEngineFrame(EngineType(type), str(data)), str(frame));
}

// Wire reference 1.3, observed from engine.io 6.6.
static const char *const GoldenOpen = "0{\"sid\":\"YVqOSwMTP5OeJ8hOAAAA\",\"upgrades\":[],"
                                      "\"pingInterval\":25000,\"pingTimeout\":20000,"
                                      "\"maxPayload\":1000000}";

void TestEngineIo::handshakeGolden()
{
    const auto frame = decodeEngineFrame(GoldenOpen);
    QVERIFY(frame.ok());
    QCOMPARE(name(frame->type), name(EngineType::Open));
    const auto handshake = parseHandshake(frame->data);
    QVERIFY2(handshake.ok(), handshake.ok() ? "" : describe(handshake.error()).constData());
    QCOMPARE(handshake->sid, std::string("YVqOSwMTP5OeJ8hOAAAA"));
    QVERIFY(handshake->upgrades.empty());
    QCOMPARE(handshake->pingInterval, 25000);
    QCOMPARE(handshake->pingTimeout, 20000);
    QVERIFY(handshake->maxPayload == std::optional<std::int64_t>(1000000));

    // And back: the stub's OPEN packet is byte for byte the Node server's.
    QCOMPARE(encodeEngineFrame(EngineType::Open, encodeHandshake(handshake.value())),
        std::string(GoldenOpen));
}

void TestEngineIo::handshakeWithoutMaxPayload()
{
    // engine.io before 6.2 sent no maxPayload.
    const std::string text = "{\"sid\":\"abc\",\"upgrades\":[\"websocket\"],\"pingInterval\":1000,"
                             "\"pingTimeout\":500}";
    const auto handshake = parseHandshake(text);
    QVERIFY(handshake.ok());
    QVERIFY(!handshake->maxPayload);
    QVERIFY(handshake->upgrades == std::vector<std::string> { "websocket" });
    QCOMPARE(encodeHandshake(handshake.value()), text);
}

void TestEngineIo::handshakeRoundTrip_data()
{
    QTest::addColumn<QString>("sid");
    QTest::addColumn<qint64>("interval");
    QTest::addColumn<qint64>("timeout");
    QTest::addColumn<qint64>("maxPayload");

    QTest::newRow("defaults") << QStringLiteral("s1") << qint64(25000) << qint64(20000)
                              << qint64(1000000);
    QTest::newRow("no max") << QStringLiteral("s2") << qint64(1) << qint64(0) << qint64(-1);
    QTest::newRow("unicode sid") << QStringLiteral("s\u00e9\"q") << qint64(5) << qint64(6)
                                 << qint64(0);
    QTest::newRow("large") << QStringLiteral("x") << qint64(1) << qint64(2)
                           << qint64(9007199254740993LL);
}

void TestEngineIo::handshakeRoundTrip()
{
    QFETCH(QString, sid);
    QFETCH(qint64, interval);
    QFETCH(qint64, timeout);
    QFETCH(qint64, maxPayload);
    Handshake handshake;
    handshake.sid = sid.toStdString();
    handshake.pingInterval = interval;
    handshake.pingTimeout = timeout;
    if (maxPayload >= 0)
        handshake.maxPayload = maxPayload;
    const auto decoded = parseHandshake(encodeHandshake(handshake));
    QVERIFY(decoded.ok());
    QVERIFY(decoded.value() == handshake);
}

void TestEngineIo::handshakeEscapedSid()
{
    const auto handshake = parseHandshake(
        "{\"sid\":\"a\\u0062\\\"c\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":2}");
    QVERIFY(handshake.ok());
    QCOMPARE(handshake->sid, std::string("ab\"c"));
}

void TestEngineIo::badHandshake_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("not json") << QByteArray("{sid}");
    QTest::newRow("array") << QByteArray("[]");
    QTest::newRow("no sid") << QByteArray("{\"pingInterval\":1,\"pingTimeout\":2}");
    QTest::newRow("sid number") << QByteArray("{\"sid\":1,\"pingInterval\":1,\"pingTimeout\":2}");
    QTest::newRow("no interval") << QByteArray("{\"sid\":\"a\",\"pingTimeout\":2}");
    QTest::newRow("negative timeout")
        << QByteArray("{\"sid\":\"a\",\"pingInterval\":1,\"pingTimeout\":-2}");
    QTest::newRow("float interval")
        << QByteArray("{\"sid\":\"a\",\"pingInterval\":1.5,\"pingTimeout\":2}");
    QTest::newRow("upgrades not array")
        << QByteArray("{\"sid\":\"a\",\"upgrades\":\"ws\",\"pingInterval\":1,\"pingTimeout\":2}");
    QTest::newRow("maxPayload string")
        << QByteArray("{\"sid\":\"a\",\"pingInterval\":1,\"pingTimeout\":2,\"maxPayload\":\"1\"}");
    QTest::newRow("deep") << QByteArray(200, '[') + QByteArray(200, ']');
}

void TestEngineIo::badHandshake()
{
    QFETCH(QByteArray, json);
    const auto handshake = parseHandshake(str(json));
    QVERIFY(!handshake.ok());
    QCOMPARE(name(handshake.error().code), name(ErrorCode::InvalidHandshake));
    QVERIFY(!handshake.error().message.empty());
}

void TestEngineIo::badFrame_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("code");
    QTest::newRow("empty") << QByteArray() << int(ErrorCode::EmptyFrame);
    QTest::newRow("7") << QByteArray("7") << int(ErrorCode::UnknownEngineType);
    QTest::newRow("letter") << QByteArray("a") << int(ErrorCode::UnknownEngineType);
    QTest::newRow("v3 binary marker")
        << QByteArray("\x04\x01", 2) << int(ErrorCode::UnknownEngineType);
    QTest::newRow("polling base64") << QByteArray("bAQID") << int(ErrorCode::UnknownEngineType);
}

void TestEngineIo::badFrame()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, code);
    const auto packet = decodeEngineFrame(str(frame));
    QVERIFY(!packet.ok());
    QCOMPARE(int(packet.error().code), code);
    QVERIFY(!packet.error().message.empty());
}

void TestEngineIo::binaryFrameHasNoTypeByte()
{
    // Engine.IO v4 binary frames are message packets made of the raw bytes only: the attachment
    // of `451-[...]` is exactly <01 02 03>, not <04 01 02 03> as in v3.
    const auto frames = encodePacket(ParserKind::Json, PacketType::Event,
        withBinaries(nlohmann::json::parse(R"(["x",{"$bin":"010203"}])")));
    QVERIFY(frames.ok());
    QCOMPARE(frames->size(), std::size_t(2));
    QVERIFY(frames->at(1).binary);
    QCOMPARE(frames->at(1).bytes, unhex("010203"));

    Decoder decoder;
    auto header = decodeEngineFrame(frames->at(0).bytes);
    QVERIFY(header.ok());
    QCOMPARE(name(header->type), name(EngineType::Message));
    auto first = decoder.feedText(header->data);
    QVERIFY(first.ok() && !first.value());
    auto packet = decoder.feedBinary(frames->at(1).bytes);
    QVERIFY(packet.ok() && packet.value());
    QVERIFY(packet.value()->attachments.at(0) == (Bytes { 1, 2, 3 }));
}

QTEST_APPLESS_MAIN(TestEngineIo)
#include "tst_engineio.moc"
