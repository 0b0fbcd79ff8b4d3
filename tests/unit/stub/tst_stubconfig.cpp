// SPDX-License-Identifier: MIT
// StubConfig::loadRooms and the room directory's access rules.

#include "Palaver/Stub/stubconfig.h"
#include "roomdirectory_p.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Palaver::Stub;

namespace {

QString writeFile(const QTemporaryDir &dir, const QByteArray &content)
{
    const QString path = dir.filePath(QStringLiteral("rooms.json"));
    QFile f(path);
    if (f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        f.write(content);
    return path;
}

} // namespace

class TestStubConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fixtureLoads()
    {
        QString error;
        const auto rooms = StubConfig::loadRooms(QStringLiteral(PALAVER_ROOMS_FIXTURE), &error);
        QVERIFY2(rooms, qPrintable(error));
        QCOMPARE(rooms->size(), 3);
        QCOMPARE(rooms->at(2),
            (RoomConfig { QStringLiteral("staff"), QStringLiteral("Staff"), true,
                { QStringLiteral("alice"), QStringLiteral("dave") } }));
        const RoomDirectory directory(*rooms);
        QVERIFY(RoomDirectory::mayAccess(
            *directory.find(QStringLiteral("staff")), QStringLiteral("dave")));
        QVERIFY(!RoomDirectory::mayAccess(
            *directory.find(QStringLiteral("staff")), QStringLiteral("bob")));
        QVERIFY(RoomDirectory::mayAccess(
            *directory.find(QStringLiteral("general")), QStringLiteral("bob")));
        QCOMPARE(directory.accessible(QStringLiteral("bob")).size(), 2);
        QCOMPARE(directory.accessible(QStringLiteral("alice")).size(), 3);
        QVERIFY(!directory.find(QStringLiteral("nope")));
    }

    void defaults()
    {
        QTemporaryDir dir;
        const auto rooms = StubConfig::loadRooms(
            writeFile(dir,
                R"([{"id":"a"},{"id":"b","private":true},{"id":"c","private":false,"members":["x"]}])"),
            nullptr);
        QVERIFY(rooms);
        QCOMPARE(rooms->at(0).name, QStringLiteral("a"));
        QVERIFY(rooms->at(1).isPrivate);
        QVERIFY(rooms->at(1).members.isEmpty()); // nobody may join
        QVERIFY(rooms->at(2).members.isEmpty()); // members only count for private rooms
        QCOMPARE(StubConfig().rooms, StubConfig::defaultRooms());
        QCOMPARE(StubConfig::defaultRooms().front().id, QStringLiteral("general"));
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("not json") << QByteArray("nope");
        QTest::newRow("object") << QByteArray("{}");
        QTest::newRow("entry not an object") << QByteArray("[1]");
        QTest::newRow("bad id") << QByteArray(R"([{"id":"Bad"}])");
        QTest::newRow("no id") << QByteArray(R"([{"name":"x"}])");
        QTest::newRow("duplicate") << QByteArray(R"([{"id":"a"},{"id":"a"}])");
    }

    void badFiles()
    {
        QFETCH(QByteArray, content);
        QTemporaryDir dir;
        QString error;
        QVERIFY(!StubConfig::loadRooms(writeFile(dir, content), &error));
        QVERIFY(!error.isEmpty());
    }

    void missingFile()
    {
        QString error;
        QVERIFY(!StubConfig::loadRooms(QStringLiteral("/nonexistent/rooms.json"), &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStubConfig)
#include "tst_stubconfig.moc"
