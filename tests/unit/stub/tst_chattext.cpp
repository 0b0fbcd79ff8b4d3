// SPDX-License-Identifier: MIT
// The text rules: room ids, White_Space trimming, code points, integers as JavaScript sees them.

#include "chattext_p.h"

#include <QRegularExpression>
#include <QTest>

using namespace Palaver::Stub;
using nlohmann::json;

class TestChatText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void roomIds_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << QStringLiteral("general") << true;
        QTest::newRow("digits") << QStringLiteral("0") << true;
        QTest::newRow("inner dash/underscore") << QStringLiteral("a-b_c") << true;
        QTest::newRow("64") << QString(64, u'a') << true;
        QTest::newRow("65") << QString(65, u'a') << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("upper") << QStringLiteral("General") << false;
        QTest::newRow("leading dash") << QStringLiteral("-a") << false;
        QTest::newRow("leading underscore") << QStringLiteral("_a") << false;
        QTest::newRow("colon") << QStringLiteral("user:alice") << false;
        QTest::newRow("space") << QStringLiteral("a b") << false;
        QTest::newRow("non-ascii") << QStringLiteral("caf\u00e9") << false;
    }

    void roomIds()
    {
        QFETCH(QString, id);
        QFETCH(bool, valid);
        QCOMPARE(Text::isValidRoomId(id), valid);
        QCOMPARE(Text::isValidRoomId(json(id.toStdString())), valid);
    }

    void roomIdMustBeAString()
    {
        QVERIFY(!Text::isValidRoomId(json(5)));
        QVERIFY(!Text::isValidRoomId(json()));
        QVERIFY(!Text::isValidRoomId(json::array({ "general" })));
    }

    void whiteSpaceIsTheUnicodeProperty()
    {
        const char32_t ws[] = { 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000,
            0x2005, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 };
        for (char32_t c : ws)
            QVERIFY2(Text::isWhiteSpace(c), qPrintable(QString::number(uint(c), 16)));
        const char32_t notWs[] = { 0xFEFF, 0x200B, 0x180E, 0x1C, 0x1F, 0x61, 0x2060 };
        for (char32_t c : notWs)
            QVERIFY2(!Text::isWhiteSpace(c), qPrintable(QString::number(uint(c), 16)));
    }

    void trimming()
    {
        QCOMPARE(Text::trimmed(QStringLiteral(" \t\u3000hello \u3000 world\u00a0\u2028\n")),
            QStringLiteral("hello \u3000 world"));
        QCOMPARE(Text::trimmed(QStringLiteral("\ufeffhi\ufeff")), QStringLiteral("\ufeffhi\ufeff"));
        QCOMPARE(Text::trimmed(QStringLiteral("\u0085 \u205f")), QString());
        QCOMPARE(Text::trimmed(QString()), QString());
    }

    void leadingByteOrderMarkIsKept()
    {
        QCOMPARE(Text::fromJson(json("\xEF\xBB\xBFx")), QStringLiteral("\ufeffx"));
        QCOMPARE(Text::fromUtf8("\xEF\xBB\xBF"), QStringLiteral("\ufeff"));
    }

    void invalidUtf8IsReplaced() { QCOMPARE(Text::fromUtf8("a\xFF"), QStringLiteral("a\ufffd")); }

    void codePoints()
    {
        QCOMPARE(Text::codePoints(QStringLiteral("abc")), 3);
        QCOMPARE(Text::codePoints(QStringLiteral("\U0001F600\U0001F600")), 2);
        QCOMPARE(Text::codePoints(QStringLiteral("e\u0301")), 2); // code points, not graphemes
        QCOMPARE(Text::codePoints(QString()), 0);
    }

    void positiveIntegers_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<qint64>("expected"); // 0 = refused
        QTest::newRow("1") << QByteArray("1") << qint64(1);
        QTest::newRow("1.0") << QByteArray("1.0") << qint64(1);
        QTest::newRow("1e2") << QByteArray("1e2") << qint64(100);
        QTest::newRow("max safe") << QByteArray("9007199254740991") << qint64(9007199254740991);
        QTest::newRow("above safe") << QByteArray("9007199254740992") << qint64(0);
        QTest::newRow("0") << QByteArray("0") << qint64(0);
        QTest::newRow("-1") << QByteArray("-1") << qint64(0);
        QTest::newRow("1.5") << QByteArray("1.5") << qint64(0);
        QTest::newRow("string") << QByteArray("\"5\"") << qint64(0);
        QTest::newRow("null") << QByteArray("null") << qint64(0);
        QTest::newRow("bool") << QByteArray("true") << qint64(0);
    }

    void positiveIntegers()
    {
        QFETCH(QByteArray, value);
        QFETCH(qint64, expected);
        const auto v = Text::positiveInteger(json::parse(value.toStdString()));
        QCOMPARE(v.value_or(0), expected);
    }

    void timestampFormat()
    {
        static const QRegularExpression re(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"));
        QVERIFY(re.match(Text::timestampNow()).hasMatch());
    }
};

QTEST_GUILESS_MAIN(TestChatText)
#include "tst_chattext.moc"
