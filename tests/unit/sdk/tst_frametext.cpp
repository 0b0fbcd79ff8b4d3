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
    const QString frame
        = QStringLiteral("42[\"message:new\",{\"id\":\"m-\u00e9\",\"roomId\":\"general\",\"seq\":3,"
                         "\"userId\":\"u1\",\"content\":\"%1\"}]")
              .arg(json);
    const QByteArray utf8 = frame.toUtf8();
    const std::string_view bytes(utf8.constData(), size_t(utf8.size()));
    Protocol::MessageNewView view;
    QVERIFY(Protocol::decodeMessageNewText(bytes.substr(1), view, true));

    const FrameText text(frame, bytes);
    QCOMPARE(text(view.content), content);
    QCOMPARE(text(view.roomId), QStringLiteral("general"));
    QCOMPARE(text(view.id), QStringLiteral("m-\u00e9"));
    QCOMPARE(text(view.userName), QStringLiteral("u1"));

    // An ASCII frame (no é in the id) takes the copying path; it must read the same.
    QString asciiFrame = frame;
    asciiFrame.replace(QStringLiteral("m-\u00e9"), QStringLiteral("m-e"));
    const QByteArray asciiUtf8 = asciiFrame.toUtf8();
    const std::string_view asciiBytes(asciiUtf8.constData(), size_t(asciiUtf8.size()));
    Protocol::MessageNewView asciiView;
    QVERIFY(Protocol::decodeMessageNewText(asciiBytes.substr(1), asciiView, true));
    const FrameText asciiText(asciiFrame, asciiBytes);
    QCOMPARE(asciiText(asciiView.content), content);
    QCOMPARE(asciiText(asciiView.id), QStringLiteral("m-e"));
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
}

QTEST_GUILESS_MAIN(TestFrameText)
#include "tst_frametext.moc"
