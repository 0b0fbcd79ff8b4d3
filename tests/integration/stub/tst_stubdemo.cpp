// SPDX-License-Identifier: MIT
// `palaver-stub --demo`'s seeded conversation (issue 18): what a fresh file gets, that a file
// with messages gets nothing more (a restart does not duplicate), and what a live client that
// joins is sent.

#include "demoseed_p.h"
#include "mentions_p.h"
#include "messagestore_p.h"
#include "rawclient.h"
#include "roomdirectory_p.h"
#include <Palaver/Stub/stubserver.h>

#include <QDateTime>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Palaver::Stub;
using namespace Palaver::Stub::Testing;

namespace {

const QStringList DemoRooms
    = { QStringLiteral("general"), QStringLiteral("random"), QStringLiteral("staff") };

QDateTime parsed(const QString &stamp)
{
    return QDateTime::fromString(stamp, Qt::ISODateWithMs);
}

} // namespace

class TestStubDemo : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_files = 0;

    QString freshFile() { return m_dir.filePath(QStringLiteral("demo-%1.sqlite").arg(++m_files)); }

    static QList<StoredMessage> all(MessageStore &store, const QString &roomId)
    {
        const auto page = store.page(roomId, std::nullopt, std::nullopt, 1000);
        return page ? page->messages : QList<StoredMessage>();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void freshFileGetsALivedInConversation()
    {
        MessageStore store(freshFile());
        QVERIFY(store.open());
        const QList<RoomConfig> rooms = testConfig().rooms; // the demo's rooms
        const RoomDirectory directory(rooms);
        KnownUsers known(&store, &directory);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const auto seeded = seedDemoConversation(store, rooms, known, now);
        QVERIFY(seeded);

        int total = 0;
        for (const QString &roomId : DemoRooms) {
            const RoomConfig &room = *directory.find(roomId);
            const QList<StoredMessage> messages = all(store, roomId);
            QVERIFY2(messages.size() >= 24, qPrintable(roomId));
            total += int(messages.size());

            QDateTime previous = now.addDays(-2);
            QSet<qint64> revs;
            qint64 maxRev = 0;
            int replies = 0, edited = 0, reactedByMany = 0, mentionsAlice = 0;
            QSet<QString> authors;
            for (qsizetype i = 0; i < messages.size(); ++i) {
                const StoredMessage &m = messages.at(i);
                QCOMPARE(m.seq, i + 1);
                QCOMPARE(m.roomId, roomId);
                QVERIFY(RoomDirectory::mayAccess(room, m.userId));
                QVERIFY(!m.userName.isEmpty());
                QVERIFY(!m.content.isEmpty());
                QVERIFY(!m.deleted);
                authors.insert(m.userId);

                const QDateTime created = parsed(m.createdAt);
                QVERIFY2(created.isValid(), qPrintable(m.createdAt));
                QVERIFY2(created > previous, qPrintable(m.createdAt)); // ascending, within 2 days
                QVERIFY(created < now);
                previous = created;

                // Mentions are what the live path computes from the (current) content.
                QCOMPARE(m.mentions, mentions(m.content, room, known));
                QCOMPARE(m.mentions, Text::mentionCandidates(m.content));
                if (m.mentions.contains(QStringLiteral("alice")))
                    ++mentionsAlice;

                if (m.replyTo) {
                    ++replies;
                    std::optional<StoredMessage> original;
                    QVERIFY(store.find(roomId, m.replyTo->id, &original));
                    QVERIFY(original);
                    QVERIFY(original->seq < m.seq);
                    QCOMPARE(m.replyTo->seq, original->seq);
                    QCOMPARE(m.replyTo->userId, original->userId);
                    QCOMPARE(m.replyTo->userName, original->userName);
                    QVERIFY(!m.replyTo->excerpt.isEmpty());
                    QVERIFY(original->content.startsWith(m.replyTo->excerpt));
                    QVERIFY(!m.replyTo->deleted);
                }
                if (!m.editedAt.isEmpty()) {
                    ++edited;
                    QVERIFY(m.rev > 0);
                    const QDateTime at = parsed(m.editedAt);
                    QVERIFY(at > created && at < now);
                }
                QSet<QString> reactors;
                for (auto it = m.reactions.cbegin(); it != m.reactions.cend(); ++it) {
                    QVERIFY(!it.value().isEmpty());
                    QVERIFY(std::is_sorted(it.value().begin(), it.value().end()));
                    for (const QString &u : it.value()) {
                        QVERIFY(RoomDirectory::mayAccess(room, u));
                        reactors.insert(u);
                    }
                }
                if (!m.reactions.isEmpty())
                    QVERIFY(m.rev > 0);
                if (reactors.size() >= 2)
                    ++reactedByMany;
                if (m.rev > 0) {
                    QVERIFY2(!revs.contains(m.rev), "each change has a rev of its own");
                    revs.insert(m.rev);
                    maxRev = std::max(maxRev, m.rev);
                }
            }
            QVERIFY2(replies >= 1, qPrintable(roomId));
            QVERIFY2(edited >= 1, qPrintable(roomId));
            QVERIFY2(reactedByMany >= 1, qPrintable(roomId));
            QVERIFY2(mentionsAlice >= 1, qPrintable(roomId));
            QVERIFY(authors.size() >= 2);
            QCOMPARE(store.roomRev(roomId).value_or(-1), maxRev);
        }
        QCOMPARE(*seeded, total);
    }

    void secondSeedOnTheSameFileAddsNothing()
    {
        const QString path = freshFile();
        const QList<RoomConfig> rooms = testConfig().rooms;
        const RoomDirectory directory(rooms);
        QHash<QString, std::pair<qint64, qint64>> before; // room -> (lastSeq, rev)
        {
            MessageStore store(path);
            QVERIFY(store.open());
            KnownUsers known(&store, &directory);
            QVERIFY(seedDemoConversation(store, rooms, known).value_or(0) > 0);
            for (const QString &roomId : DemoRooms)
                before.insert(roomId, { *store.lastSeq(roomId), *store.roomRev(roomId) });
            QCOMPARE(seedDemoConversation(store, rooms, known), std::optional(0));
        }
        // A restart: a new connection to the same file.
        MessageStore store(path);
        QVERIFY(store.open());
        KnownUsers known(&store, &directory);
        QCOMPARE(seedDemoConversation(store, rooms, known), std::optional(0));
        for (const QString &roomId : DemoRooms) {
            QCOMPARE(*store.lastSeq(roomId), before.value(roomId).first);
            QCOMPARE(*store.roomRev(roomId), before.value(roomId).second);
        }
    }

    void roomWithAHistoryOfItsOwnIsLeftAlone()
    {
        MessageStore store(freshFile());
        QVERIFY(store.open());
        QVERIFY(store.append(QStringLiteral("general"), QStringLiteral("bob"),
            QStringLiteral("Bob"), QStringLiteral("our own history"), QStringLiteral("c1")));
        const QList<RoomConfig> rooms = testConfig().rooms;
        const RoomDirectory directory(rooms);
        KnownUsers known(&store, &directory);
        QVERIFY(seedDemoConversation(store, rooms, known).value_or(0) > 0);
        const QList<StoredMessage> general = all(store, QStringLiteral("general"));
        QCOMPARE(general.size(), 1);
        QCOMPARE(general.at(0).content, QStringLiteral("our own history"));
        QVERIFY(all(store, QStringLiteral("random")).size() >= 24);
    }

    void liveClientJoinsTheSeededConversation()
    {
        StubConfig config = testConfig();
        config.dbPath = freshFile();
        config.demoConversation = true;
        StubServer server(config);
        QVERIFY2(server.start(QHostAddress::LocalHost, 0), qPrintable(server.errorString()));

        auto alice = connectedClient(server, QStringLiteral("alice"));
        QVERIFY(alice);
        const json ready = *alice->waitEvent("session:ready");
        QCOMPARE(ready["rooms"].size(), std::size_t(3));
        json lastSeqs = json::object();
        for (const json &room : ready["rooms"]) {
            QVERIFY(room["lastSeq"].get<qint64>() >= 24);
            JCOMPARE(room["readSeq"], 0);
            lastSeqs[room["id"].get<std::string>()] = room["lastSeq"];
        }

        const json ack = alice->request("room:join", "general");
        const json &messages = ack["messages"];
        JCOMPARE(messages.size(), lastSeqs["general"].get<std::size_t>()); // all on one page
        JCOMPARE(ack["hasMore"], false);
        qint64 maxRev = 0;
        bool reply = false, editedMessage = false, reactions = false, mention = false;
        for (std::size_t i = 0; i < messages.size(); ++i) {
            const json &m = messages[i];
            JCOMPARE(m["seq"], i + 1);
            for (const char *key :
                { "rev", "editedAt", "deleted", "deletedAt", "reactions", "replyTo", "mentions" })
                QVERIFY2(m.contains(key), key);
            maxRev = std::max(maxRev, m["rev"].get<qint64>());
            if (m["replyTo"].is_object()) {
                reply = true;
                const json &quoted = messages[m["replyTo"]["seq"].get<std::size_t>() - 1];
                JCOMPARE(m["replyTo"]["id"], quoted["id"]);
                JCOMPARE(m["replyTo"]["userId"], quoted["userId"]);
            }
            editedMessage = editedMessage || m["editedAt"].is_string();
            reactions = reactions || m["reactions"].size() >= 1;
            for (const json &who : m["mentions"])
                mention = mention || who == "alice";
        }
        QVERIFY(reply && editedMessage && reactions && mention);
        JCOMPARE(ack["rev"], maxRev);

        // The seeded page continues like any room: a live message takes the next seq.
        const json sent = alice->request("message:send",
            { { "roomId", "general" }, { "content", "hi @bob" }, { "clientId", "live-1" } });
        JCOMPARE(sent["message"]["seq"], lastSeqs["general"].get<qint64>() + 1);
        JCOMPARE(sent["message"]["mentions"], json::array({ "bob" }));

        // A restart on the same file seeds nothing more.
        alice.reset();
        QVERIFY(server.restart());
        auto again = connectedClient(server, QStringLiteral("alice"));
        QVERIFY(again);
        const json readyAgain = *again->waitEvent("session:ready");
        for (const json &room : readyAgain["rooms"]) {
            const std::string id = room["id"].get<std::string>();
            const qint64 expected = lastSeqs[id].get<qint64>() + (id == "general" ? 1 : 0);
            JCOMPARE(room["lastSeq"], expected);
        }
    }

    void withoutTheOptionNothingIsSeeded()
    {
        StubConfig config = testConfig();
        config.dbPath = freshFile();
        StubServer server(config);
        QVERIFY2(server.start(QHostAddress::LocalHost, 0), qPrintable(server.errorString()));
        auto alice = connectedClient(server, QStringLiteral("alice"));
        QVERIFY(alice);
        const json ready = *alice->waitEvent("session:ready");
        for (const json &room : ready["rooms"])
            JCOMPARE(room["lastSeq"], 0);
    }
};

QTEST_GUILESS_MAIN(TestStubDemo)
#include "tst_stubdemo.moc"
