// SPDX-License-Identifier: MIT
// FrameText: pieces of a text frame's UTF-8 form back to QString, copied from the frame's
// QString when the frame is ASCII and decoded otherwise. Both must give what decoding gives.
#include "frametext_p.h"
#include <Palaver/Protocol/chat.h>

#include <QTest>

using namespace Palaver;

class TestFrameText : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fieldsOfAFrame_data();
    void fieldsOfAFrame();
    void piecesFromElsewhere();
};

void TestFrameText::fieldsOfAFrame_data()
{
    QTest::addColumn<QString>("content");
    QTest::newRow("ascii") << QStringLiteral("plain text, nothing else");
    QTest::newRow("latin") << QStringLiteral("caf\u00e9 cr\u00e8me");
    QTest::newRow("cjk and emoji") << QStringLiteral("\u4f60\u597d \U0001F600 ok");
    QTest::newRow("escaped") << QStringLiteral("line\nbreak \"quoted\"");
    QTest::newRow("empty") << QString();
}

void TestFrameText::fieldsOfAFrame()
{
    QFETCH(QString, content);
    // The frame as the Transport sees it: a QString from the socket, its UTF-8 form, and the
    // codec's views into that form.
    QString json = content;
    json.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('"'), QLatin1String("\\\""))
        .replace(QLatin1Char('\n'), QLatin1String("\\n"));
    // With a non-ASCII id every field is decoded; with an ASCII one and ASCII content the whole
    // frame is ASCII and the fields are copied from the QString. Both must read the same.
    for (const QString &id : { QStringLiteral("m-\u00e9"), QStringLiteral("m-e") }) {
        const QString frame = QStringLiteral("42[\"message:new\",{\"id\":\"%1\",\"roomId\":"
                                             "\"general\",\"seq\":3,\"userId\":\"u1\","
                                             "\"content\":\"%2\"}]")
                                  .arg(id, json);
        const QByteArray utf8 = frame.toUtf8();
        const std::string_view bytes(utf8.constData(), size_t(utf8.size()));
        Protocol::MessageNewView view;
        QVERIFY(Protocol::decodeMessageNewText(bytes.substr(1), view, true));

        const FrameText text(frame, bytes);
        QCOMPARE(text(view.content), content);
        QCOMPARE(text(view.roomId), QStringLiteral("general"));
        QCOMPARE(text(view.id), id);
        QCOMPARE(text(view.userName), QStringLiteral("u1"));
        // The receive path takes a piece's bytes as its text only where that is exact: an ASCII
        // frame, a piece inside it (an escaped field is unescaped elsewhere).
        const bool asciiFrame = utf8.size() == frame.size();
        QCOMPARE(text.isAscii(view.roomId), asciiFrame);
        QCOMPARE(text.isAscii(view.content), asciiFrame && json == content);
        if (text.isAscii(view.content))
            QCOMPARE(
                QString::fromLatin1(view.content.data(), qsizetype(view.content.size())), content);
    }
}

void TestFrameText::piecesFromElsewhere()
{
    const QString frame = QStringLiteral("42[\"x\"]");
    const QByteArray utf8 = frame.toUtf8();
    const FrameText text(frame, std::string_view(utf8.constData(), size_t(utf8.size())));
    // Text outside the frame (an unescaped field) is decoded, not copied by offset.
    const std::string elsewhere = "caf\xc3\xa9";
    QCOMPARE(text(elsewhere), QStringLiteral("caf\u00e9"));
    QCOMPARE(text(std::string_view()), QString());
    QCOMPARE(FrameText()(std::string_view("abc")), QStringLiteral("abc"));
    QVERIFY(!text.isAscii(elsewhere));
    QVERIFY(!FrameText().isAscii(std::string_view("abc")));
}

QTEST_GUILESS_MAIN(TestFrameText)
#include "tst_frametext.moc"
