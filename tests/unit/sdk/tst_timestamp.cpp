// SPDX-License-Identifier: MIT
// parseTimestamp() must give exactly what QDateTime::fromString(Qt::ISODateWithMs).toUTC() gave
// before it: the hand-written path for the wire form, Qt for everything else.
#include "recentstring_p.h"
#include "timestamp_p.h"

#include <QDateTime>
#include <QTest>

using namespace Palaver;

class TestTimestamp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameAsQt_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *text :
            { "2026-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z", "1969-12-31T23:59:59.999Z",
                "2000-02-29T12:34:56.789Z", "2024-02-29T23:59:59.999Z", "1900-03-01T00:00:00.001Z",
                "0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z", "2026-11-28T06:45:21.123Z",
                // Not the wire form or out of range: Qt decides.
                "2023-02-29T00:00:00.000Z", "1900-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z",
                "2026-04-31T00:00:00.000Z", "2026-01-01T24:00:00.000Z", "2026-01-01T23:60:00.000Z",
                "2026-01-01T23:59:60.000Z", "0000-01-01T00:00:00.000Z", "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:00.000+02:00", "2026-01-01T00:00:00.000",
                "2026-01-01 00:00:00.000Z", "2026-01-01T00:00:00.00Z", "2026-0a-01T00:00:00.000Z",
                "", "garbage" }) {
            QTest::newRow(text) << QString::fromLatin1(text);
        }
    }

    void sameAsQt()
    {
        QFETCH(QString, text);
        const QByteArray utf8 = text.toUtf8();
        const QDateTime expected = QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
        const QDateTime actual
            = parseTimestamp(std::string_view(utf8.constData(), size_t(utf8.size())));
        QCOMPARE(actual.isValid(), expected.isValid());
        if (expected.isValid()) {
            QCOMPARE(actual.toMSecsSinceEpoch(), expected.toMSecsSinceEpoch());
            QCOMPARE(actual.timeSpec(), expected.timeSpec());
            QCOMPARE(actual, expected);
        }
    }

    void streamParserSameAsParseTimestamp()
    {
        // One parser keeps the last date: every sequence of dates, valid or not, and every time
        // under a kept date must still read as parseTimestamp() reads it alone.
        const char *texts[] = { "2026-11-28T06:45:21.123Z", "2026-11-28T06:45:22.000Z",
            "2026-11-28T24:00:00.000Z", "2026-11-28T23:59:60.000Z", "2026-11-28T1a:00:00.000Z",
            "2026-11-28T23:59:59.999Z", "2026-11-29T00:00:00.000Z", "2026-02-29T00:00:00.000Z",
            "2026-11-29T00:00:00.001Z", "2024-02-29T12:00:00.000Z", "2024-02-29T12:00:00.000+01:00",
            "2024-02-29T12:00:01.000Z", "0000-01-01T00:00:00.000Z", "0000-01-01T00:00:01.000Z", "",
            "1969-12-31T23:59:59.999Z", "1969-12-31 23:59:59.999Z", "1969-12-31T23:59:59.998Z" };
        TimestampParser parser;
        for (int pass = 0; pass < 2; ++pass) {
            for (const char *text : texts) {
                const QDateTime expected = parseTimestamp(text);
                const QDateTime actual = parser(text);
                QCOMPARE(actual.isValid(), expected.isValid());
                if (expected.isValid())
                    QCOMPARE(actual, expected);
            }
        }
    }

    void recentStringSharesRepeats()
    {
        RecentString recent;
        const QString first = recent.get("general");
        QCOMPARE(first, QStringLiteral("general"));
        QVERIFY(recent.get("general").isSharedWith(first));
        QCOMPARE(recent.get("random"), QStringLiteral("random"));
        QCOMPARE(recent.get(""), QString());
        // Null or not exactly as QString::fromUtf8() of an empty std::string.
        const std::string empty;
        QCOMPARE(recent.get(empty).isNull(), QString::fromUtf8(empty.data(), 0).isNull());
        QCOMPARE(recent.get("é"), QString::fromUtf8("é"));
    }
};

QTEST_GUILESS_MAIN(TestTimestamp)
#include "tst_timestamp.moc"
