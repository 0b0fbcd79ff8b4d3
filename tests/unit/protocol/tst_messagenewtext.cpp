// SPDX-License-Identifier: MIT
// decodeMessageNewText(), the receive path's one-pass shortcut for `message:new`: whatever it
// accepts must decode exactly as Decoder::feedText() + decodeMessageNew() do, and whatever that
// pair refuses it must decline (the caller then lets the Decoder report the error).
#include "protocoltestutil.h"
#include <Palaver/Protocol/chat.h>

#include <QTest>

#include <limits>

using namespace Palaver::Protocol;
using namespace ProtocolTest;

namespace {

//! The established path: the Decoder, then the typed decoder. nullopt when either refuses.
std::optional<MessageNew> viaDecoder(const std::string &text)
{
    Decoder decoder;
    auto packet = decoder.feedText(text);
    if (!packet.ok() || !packet.value())
        return std::nullopt;
    auto decoded = decodeMessageNew(*packet.value());
    if (!decoded.ok())
        return std::nullopt;
    if (packet.value()->id)
        decoded.value().offset.reset(); // only an event without an ack id carries one
    return std::move(decoded.value());
}

const char *message()
{
    return R"({"id":"m-1","roomId":"general","seq":42,"userId":"alice","userName":"Alice",)"
           R"("content":"hi","createdAt":"2024-05-01T12:00:00.000Z","clientId":"c-9"})";
}

std::string messageNew(const std::string &body)
{
    return "2[\"message:new\"," + body + "]";
}

} // namespace

class TestMessageNewText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void accepts_data();
    void accepts();
    void declines_data();
    void declines();
    void everyTruncationDeclines();
    void sampleFields();
    void viewsPointIntoThePacket();
    void specialCharacterAtEveryOffset();
};

void TestMessageNewText::accepts_data()
{
    QTest::addColumn<QByteArray>("text");
    const std::string m = message();
    const std::string big = std::string(4000, 'x');
    const struct {
        const char *name;
        std::string text;
    } rows[] = {
        { "every field", messageNew(m) },
        { "required only",
            messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":""})") },
        { "unknown fields of every kind",
            messageNew(
                R"({"x":{"a":[1,2,{"b":null}]},"id":"m","y":[true,false,-1.5e3],"roomId":"r",)"
                R"("seq":1,"z":"s\"\\","userId":"u","content":"c","w":null})") },
        { "unknown keys that start like known ones",
            messageNew(R"({"ids":1,"id":"m","roomIds":[],"roomId":"r","seq":1,"seqs":"x",)"
                       R"("userId":"u","userNames":0,"content":"c","content2":"d","createdAtX":)"
                       R"("e","clientIdentity":"f","i":"g","userName":"N"})") },
        { "a key right at the end",
            messageNew(R"({"id":"m","roomId":"r","userId":"u","content":"c","seq":1})") },
        { "null optionals",
            messageNew(
                R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"c","userName":null,)"
                R"("createdAt":null,"clientId":null})") },
        { "null after a value",
            messageNew(
                R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"c","userName":"N",)"
                R"("userName":null})") },
        { "duplicate key, last wins",
            messageNew(
                R"({"id":"a","id":"b","roomId":"r","seq":1,"seq":2,"userId":"u","content":"c"})") },
        { "escaped keys and values",
            messageNew(R"({"\u0069d":"m\u002d1","roomId":"r","seq":7,"userId":"u",)"
                       R"("content":"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00","createdAt":"t"})") },
        { "big content",
            messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":")" + big
                + R"(\"\\\u00e9"})") },
        { "multibyte UTF-8",
            messageNew("{\"id\":\"m\",\"roomId\":\"r\",\"seq\":1,\"userId\":\"u\","
                       "\"content\":\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}") },
        { "recovery offset", "2[\"message:new\"," + m + ",\"1700000000000-3\"]" },
        { "escaped offset", "2[\"message:new\"," + m + ",\"a\\u0062c\"]" },
        { "offset not a string", "2[\"message:new\"," + m + ",17]" },
        { "elements after the offset", "2[\"message:new\"," + m + ",\"o\",{\"x\":[1]},null]" },
        { "whitespace everywhere",
            "2[ \"message:new\" ,\n{ \"id\" : \"m\" ,\t\"roomId\":\"r\",\"seq\" : -0 , "
            "\"userId\":\"u\",\r\"content\":\"c\" } , \"o\" ] \n" },
        { "negative seq",
            messageNew(R"({"id":"m","roomId":"r","seq":-12,"userId":"u","content":"c"})") },
        { "largest seq",
            messageNew(
                R"({"id":"m","roomId":"r","seq":9223372036854775807,"userId":"u","content":"c"})") },
        { "smallest seq",
            messageNew(
                R"({"id":"m","roomId":"r","seq":-9223372036854775808,"userId":"u","content":"c"})") },
        // Contract v1.1: the fields a new message has, then every one with content.
        { "v1.1 fresh message",
            messageNew(R"({"clientId":"c","content":"c","createdAt":"t","deleted":false,)"
                       R"("deletedAt":null,"editedAt":null,"id":"m","mentions":[],)"
                       R"("reactions":{},"replyTo":null,"rev":0,"roomId":"r","seq":1,)"
                       R"("userId":"u","userName":"U"})") },
        { "v1.1 every field with content",
            messageNew(R"({"content":"@bob hi","deleted":true,)"
                       R"("deletedAt":"2024-05-01T12:00:02.000Z",)"
                       R"("editedAt":"2024-05-01T12:00:01.000Z","id":"m",)"
                       R"("mentions":["bob","carol"],)"
                       R"("reactions":{"\ud83d\udc4d":["alice","bob"],"ok":["carol"]},)"
                       R"("replyTo":{"id":"m0","seq":3,"userId":"bob","userName":"Bob",)"
                       R"("excerpt":"earlier \"text\"","deleted":false},"rev":17,"roomId":"r",)"
                       R"("seq":4,"userId":"u"})") },
        { "v1.1 containers with whitespace",
            messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"c",)"
                       R"("reactions": { } ,"mentions":[ ] ,"replyTo": null ,"rev": 3 ,)"
                       R"("deleted": true })") },
        { "v1.1 null containers",
            messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"c",)"
                       R"("reactions":null,"mentions":null})") },
        { "v1.1 a reaction without users is left out",
            messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"c",)"
                       R"("reactions":{"x":[],"y":["u"]}})") },
        { "v1.1 replyTo without userName",
            messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"c",)"
                       R"("replyTo":{"id":"m0","seq":1,"userId":"bob","excerpt":"",)"
                       R"("deleted":true}})") },
    };
    for (const auto &row : rows)
        QTest::newRow(row.name) << QByteArray::fromStdString(row.text);
}

void TestMessageNewText::accepts()
{
    QFETCH(QByteArray, text);
    const std::string packet = str(text);
    const auto expected = viaDecoder(packet);
    QVERIFY2(expected, "the established path refuses this row");
    const auto fast = decodeMessageNewText(packet);
    QVERIFY2(fast, "the shortcut declined a well-formed message:new");
    QCOMPARE(fast->message, expected->message);
    QCOMPARE(fast->offset, expected->offset);
    // The Transport's variant, views into the text that came from a QString, reads the same.
    MessageNewView view;
    QVERIFY(decodeMessageNewText(packet, view, /*knownUtf8=*/true));
    QCOMPARE(view.toMessageNew().message, expected->message);
}

void TestMessageNewText::declines_data()
{
    QTest::addColumn<QByteArray>("text");
    // Whether Decoder + decodeMessageNew() accept it: declined rows they accept are the unusual
    // forms the shortcut leaves to them.
    QTest::addColumn<bool>("decoderAccepts");
    const std::string m = message();
    const std::string required = R"("roomId":"r","seq":1,"userId":"u","content":"c")";
    std::string deep = R"({"id":"m",)" + required + R"(,"x":)";
    deep += std::string(MaxNestingDepth, '[') + std::string(MaxNestingDepth, ']') + "}";
    const struct {
        const char *name;
        std::string text;
        bool decoderAccepts;
    } rows[] = {
        { "other event", "2[\"message:old\"," + m + "]", false },
        { "ack id", "27[\"message:new\"," + m + "]", true },
        { "namespace", "2/admin,[\"message:new\"," + m + "]", true },
        { "binary event", "51-[\"message:new\"," + m + ",{\"_placeholder\":true,\"num\":0}]",
            false },
        { "escaped event name", "2[\"message\\u003anew\"," + m + "]", true },
        { "space before the array", "2 [\"message:new\"," + m + "]", true },
        { "not an event", "3[\"message:new\"," + m + "]", false },
        { "empty", "", false },
        { "type only", "2", false },
        { "open array", "2[", false },
        { "empty array", "2[]", false },
        { "no message", "2[\"message:new\"]", false },
        { "message not an object", "2[\"message:new\",[1]]", false },
        { "missing id", messageNew("{" + required + "}"), false },
        { "missing content", messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u"})"), false },
        { "seq string",
            messageNew(R"({"id":"m","roomId":"r","seq":"1","userId":"u","content":"c"})"), false },
        { "seq float",
            messageNew(R"({"id":"m","roomId":"r","seq":1.5,"userId":"u","content":"c"})"), false },
        { "seq exponent",
            messageNew(R"({"id":"m","roomId":"r","seq":1e3,"userId":"u","content":"c"})"), false },
        { "seq too big",
            messageNew(
                R"({"id":"m","roomId":"r","seq":9223372036854775808,"userId":"u","content":"c"})"),
            false },
        { "seq too small",
            messageNew(
                R"({"id":"m","roomId":"r","seq":-9223372036854775809,"userId":"u","content":"c"})"),
            false },
        { "seq leading zero",
            messageNew(R"({"id":"m","roomId":"r","seq":01,"userId":"u","content":"c"})"), false },
        { "id number", messageNew(R"({"id":1,"roomId":"r","seq":1,"userId":"u","content":"c"})"),
            false },
        { "content null",
            messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":null})"), false },
        { "userName number", messageNew(R"({"id":"m",)" + required + R"(,"userName":3})"), false },
        { "trailing garbage", messageNew(m) + "x", false },
        { "trailing comma in object", messageNew(R"({"id":"m",)" + required + ",}"), false },
        { "trailing comma in array", "2[\"message:new\"," + m + ",]", false },
        { "missing colon", messageNew(R"({"id" "m",)" + required + "}"), false },
        { "unterminated string", messageNew(R"({"id":"m,)" + required + "}"), false },
        { "bad escape", messageNew(R"({"id":"m\x",)" + required + "}"), false },
        { "bad unicode escape", messageNew(R"({"id":"m\u12G4",)" + required + "}"), false },
        { "lone surrogate", messageNew(R"({"id":"m\ud800",)" + required + "}"), false },
        { "control character", messageNew("{\"id\":\"m\x01\"," + required + "}"), false },
        { "bad literal", messageNew(R"({"id":"m",)" + required + R"(,"x":nul})"), false },
        { "bad number in unknown field", messageNew(R"({"id":"m",)" + required + R"(,"x":-})"),
            false },
        { "too deep", messageNew(deep), false },
        { "overlong UTF-8", messageNew("{\"id\":\"\xc0\x80\"," + required + "}"), false },
        { "UTF-8 surrogate", messageNew("{\"id\":\"\xed\xa0\x80\"," + required + "}"), false },
        { "truncated UTF-8", messageNew("{\"id\":\"\xe2\x82\"," + required + "}"), false },
        { "lone continuation byte", messageNew("{\"id\":\"\x80\"," + required + "}"), false },
        { "above U+10FFFF", messageNew("{\"id\":\"\xf4\x90\x80\x80\"," + required + "}"), false },
        { "F5 byte", messageNew("{\"id\":\"\xf5\x80\x80\x80\"," + required + "}"), false },
        { "bad UTF-8 in an unknown field",
            messageNew("{\"id\":\"m\"," + required + ",\"x\":\"\xff\"}"), false },
        { "rev string", messageNew(R"({"id":"m",)" + required + R"(,"rev":"1"})"), false },
        { "rev float", messageNew(R"({"id":"m",)" + required + R"(,"rev":1.5})"), false },
        { "deleted number", messageNew(R"({"id":"m",)" + required + R"(,"deleted":1})"), false },
        { "deleted null", messageNew(R"({"id":"m",)" + required + R"(,"deleted":null})"), false },
        { "deleted not a literal", messageNew(R"({"id":"m",)" + required + R"(,"deleted":truex})"),
            false },
        { "editedAt number", messageNew(R"({"id":"m",)" + required + R"(,"editedAt":5})"), false },
        { "reactions array", messageNew(R"({"id":"m",)" + required + R"(,"reactions":[]})"),
            false },
        { "reactions of strings",
            messageNew(R"({"id":"m",)" + required + R"(,"reactions":{"x":"u"}})"), false },
        { "reaction user number",
            messageNew(R"({"id":"m",)" + required + R"(,"reactions":{"x":[1]}})"), false },
        { "mentions object", messageNew(R"({"id":"m",)" + required + R"(,"mentions":{}})"), false },
        { "mention number", messageNew(R"({"id":"m",)" + required + R"(,"mentions":[1]})"), false },
        { "replyTo string", messageNew(R"({"id":"m",)" + required + R"(,"replyTo":"m0"})"), false },
        { "replyTo without id", messageNew(R"({"id":"m",)" + required + R"(,"replyTo":{"seq":1}})"),
            false },
        { "replyTo seq string",
            messageNew(R"({"id":"m",)" + required + R"(,"replyTo":{"id":"a","seq":"1"}})"), false },
    };
    for (const auto &row : rows)
        QTest::newRow(row.name) << QByteArray::fromStdString(row.text) << row.decoderAccepts;
}

void TestMessageNewText::declines()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, decoderAccepts);
    const std::string packet = str(text);
    QVERIFY(!decodeMessageNewText(packet));
    QCOMPARE(bool(viaDecoder(packet)), decoderAccepts);
}

void TestMessageNewText::everyTruncationDeclines()
{
    // Each proper prefix is invalid JSON; the shortcut must decline every one without reading
    // past its end (the asan preset runs this suite too).
    const std::string full = "2[\"message:new\"," + std::string(message()) + ",\"o\\u0031\"]";
    QVERIFY(decodeMessageNewText(full));
    for (std::size_t n = 0; n < full.size(); ++n) {
        const std::string prefix = full.substr(0, n);
        QVERIFY2(!decodeMessageNewText(prefix), prefix.c_str());
        QVERIFY(!viaDecoder(prefix));
    }
}

void TestMessageNewText::sampleFields()
{
    const auto fast
        = decodeMessageNewText("2[\"message:new\"," + std::string(message()) + ",\"o\"]");
    QVERIFY(fast);
    const ChatMessage &m = fast->message;
    QCOMPARE(m.id, std::string("m-1"));
    QCOMPARE(m.roomId, std::string("general"));
    QCOMPARE(m.seq, std::int64_t(42));
    QCOMPARE(m.userId, std::string("alice"));
    QCOMPARE(m.userName, std::string("Alice"));
    QCOMPARE(m.content, std::string("hi"));
    QCOMPARE(m.createdAt, std::string("2024-05-01T12:00:00.000Z"));
    QCOMPARE(m.clientId, std::string("c-9"));
    QCOMPARE(fast->offset, std::optional<std::string>("o"));

    // userName falls back to userId, as decodeMessageNew() does.
    const auto noName = decodeMessageNewText(
        messageNew(R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":""})"));
    QVERIFY(noName);
    QCOMPARE(noName->message.userName, std::string("u"));
    QVERIFY(!noName->offset);
}

void TestMessageNewText::viewsPointIntoThePacket()
{
    const std::string packet = messageNew(
        R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":"a\nb","createdAt":"t"})");
    MessageNewView view;
    QVERIFY(decodeMessageNewText(packet, view));
    const auto inPacket = [&](std::string_view field) {
        return field.data() >= packet.data()
            && field.data() + field.size() <= packet.data() + packet.size();
    };
    // Plain fields are not copied; an escaped one is unescaped into the view's own storage.
    QVERIFY(inPacket(view.id) && inPacket(view.roomId) && inPacket(view.userId));
    QVERIFY(inPacket(view.createdAt));
    QVERIFY(inPacket(view.userName)); // defaults to userId, the same text
    QVERIFY(!inPacket(view.content));
    QCOMPARE(view.content, std::string_view("a\nb"));
}

void TestMessageNewText::specialCharacterAtEveryOffset()
{
    // Strings are scanned 32, 16, 8 and 1 bytes at a time depending on what is left; an escape,
    // a control character or the closing quote must be found wherever it falls.
    const std::string head = R"({"id":"m","roomId":"r","seq":1,"userId":"u","content":")";
    for (std::size_t at = 0; at < 300; ++at) {
        const std::string before(at, 'x');
        const std::string after(300 - at, 'y');
        const std::string escaped = messageNew(head + before + "\\n" + after + "\"}");
        const auto fast = decodeMessageNewText(escaped);
        QVERIFY2(fast, escaped.c_str());
        QCOMPARE(fast->message.content, before + "\n" + after);
        QCOMPARE(fast->message, viaDecoder(escaped)->message);

        const std::string control = messageNew(head + before + "\x1f" + after + "\"}");
        QVERIFY(!decodeMessageNewText(control));
        QVERIFY(!viaDecoder(control));

        const std::string shortContent = messageNew(head + before + "\"}");
        QCOMPARE(decodeMessageNewText(shortContent)->message.content, before);
    }
}

QTEST_GUILESS_MAIN(TestMessageNewText)
#include "tst_messagenewtext.moc"
