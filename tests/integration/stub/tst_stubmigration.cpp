// SPDX-License-Identifier: MIT
// The stub's SQLite file across versions: a file made by the v1 stub is migrated in place to
// contract v1.1 and keeps its messages; a file of a newer schema is refused. And `--v1`
// (StubConfig::v1): the stub as a plain v1 server.

#include "rawclient.h"
#include <Palaver/Stub/stubserver.h>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Palaver::Stub;
using namespace Palaver::Stub::Testing;

namespace {

std::vector<std::string> keys(const json &object)
{
    std::vector<std::string> out;
    for (auto it = object.begin(); it != object.end(); ++it)
        out.push_back(it.key());
    return out;
}

const std::vector<std::string> V1MessageKeys
    = { "clientId", "content", "createdAt", "id", "roomId", "seq", "userId", "userName" };

//! Runs `statements` on the SQLite file `path` with a connection of its own.
bool execAll(const QString &path, const QList<QString> &statements, QString *error,
    QList<QVariant> *firstColumn = nullptr)
{
    const QString name = QStringLiteral("fixture-%1").arg(quintptr(&statements));
    bool ok = true;
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        if (!ok)
            *error = db.lastError().text();
        QSqlQuery q(db);
        for (const QString &sql : statements) {
            if (!ok)
                break;
            ok = q.exec(sql);
            if (!ok)
                *error = q.lastError().text() + QStringLiteral(" in: ") + sql;
            while (ok && firstColumn && q.next())
                firstColumn->append(q.value(0));
        }
        q = QSqlQuery();
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

//! A database file exactly as the v1 stub (before contract v1.1) made and filled it: its schema
//! statements and its INSERT, word for word from server-stub/src/messagestore.cpp at v1.
bool writeV1File(const QString &path, QString *error)
{
    QList<QString> statements = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                       " room_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,"
                       " user_id BLOB NOT NULL, user_name BLOB NOT NULL, content BLOB NOT NULL,"
                       " created_at TEXT NOT NULL, client_id BLOB NOT NULL,"
                       " PRIMARY KEY (room_id, seq))"),
        QStringLiteral("CREATE UNIQUE INDEX IF NOT EXISTS messages_idempotency ON messages "
                       "(user_id, client_id)"),
    };
    // The v1 stub bound user text as UTF-8 blobs (X'..' here), ids and stamps as text.
    const auto row = [](int seq, const char *user, const char *content, const char *clientId) {
        const auto hex = [](const char *s) { return QString::fromLatin1(QByteArray(s).toHex()); };
        return QStringLiteral("INSERT INTO messages (id, room_id, seq, user_id, user_name, "
                              "content, created_at, client_id) VALUES ('v1-%1', 'general', %1, "
                              "X'%2', X'%3', X'%4', '2026-01-0%1T10:00:00.000Z', X'%5')")
            .arg(seq)
            .arg(hex(user), hex(user), hex(content), hex(clientId));
    };
    statements.append(row(1, "alice", "hello from v1", "c1"));
    statements.append(row(2, "bob", "\xef\xbb\xbfwith a BOM", "c2"));
    statements.append(row(3, "alice", "third @bob", "c3"));
    return execAll(path, statements, error);
}

} // namespace

class TestStubMigration : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<StubServer> m_server;

    void startServer(StubConfig config)
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }
    std::unique_ptr<RawClient> client(const char *user)
    {
        return connectedClient(*m_server, QString::fromLatin1(user));
    }

private Q_SLOTS:
    void cleanup() { m_server.reset(); }

    void v1FileIsMigratedAndKeepsItsMessages()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("v1.sqlite"));
        QString error;
        QVERIFY2(writeV1File(path, &error), qPrintable(error));

        auto config = testConfig();
        config.dbPath = path;
        startServer(config);
        auto alice = client("alice");
        QVERIFY(alice);
        JCOMPARE((*alice->waitEvent("session:ready"))["rooms"][0]["lastSeq"], 3);
        json ack = alice->request("room:join", "general");
        JCOMPARE(ack["rev"], 0);
        JCOMPARE(ack["readSeq"], 0);
        JCOMPARE(ack["messages"].size(), std::size_t(3));
        const json first = ack["messages"][0];
        JCOMPARE(first, json::parse(R"({"id":"v1-1","roomId":"general","seq":1,"userId":"alice",
                "userName":"alice","content":"hello from v1",
                "createdAt":"2026-01-01T10:00:00.000Z","clientId":"c1","rev":0,"editedAt":null,
                "deleted":false,"deletedAt":null,"reactions":{},"replyTo":null,"mentions":[]})"));
        JCOMPARE(ack["messages"][1]["content"], "\ufeffwith a BOM");
        // Mentions are not invented for old messages.
        JCOMPARE(ack["messages"][2]["mentions"], json::array());
        // The idempotency of v1 sends holds across the migration.
        JCOMPARE(alice->request("message:send",
                     { { "roomId", "general" }, { "content", "again" },
                         { "clientId", "c1" } })["message"],
            first);
        // v1.1 works on the old rows and seq goes on from them.
        JCOMPARE(alice->request("message:send",
                     { { "roomId", "general" }, { "content", "new" }, { "clientId", "c4" },
                         { "replyTo", "v1-3" } })["message"]["seq"],
            4);
        JCOMPARE(alice->request("message:edit",
                     { { "roomId", "general" }, { "messageId", "v1-1" },
                         { "content", "edited" } })["message"]["rev"],
            1);
        JCOMPARE(alice->request("message:react",
                     { { "roomId", "general" }, { "messageId", "v1-2" }, { "emoji", "👍" },
                         { "add", true } })["message"]["rev"],
            2);
        JCOMPARE(
            alice->request("room:read", { { "roomId", "general" }, { "seq", 4 } })["readSeq"], 4);
        m_server.reset();

        QList<QVariant> version;
        QVERIFY2(execAll(path, { QStringLiteral("PRAGMA user_version") }, &error, &version),
            qPrintable(error));
        JCOMPARE(version.value(0).toInt(), 1);

        // Opening the migrated file again changes nothing and keeps everything.
        startServer(config);
        auto again = client("alice");
        JCOMPARE((*again->waitEvent("session:ready"))["rooms"][0]["readSeq"], 4);
        ack = again->request("room:join", "general");
        JCOMPARE(ack["rev"], 2);
        JCOMPARE(ack["messages"].size(), std::size_t(4));
        JCOMPARE(ack["messages"][0]["content"], "edited");
        JCOMPARE(ack["messages"][1]["reactions"], json::parse(R"({"👍":["alice"]})"));
        JCOMPARE(ack["messages"][3]["replyTo"]["id"], "v1-3");
        JCOMPARE(
            again->request("room:updates", { { "roomId", "general" }, { "afterRev", 1 } })["rev"],
            2);
    }

    void newerSchemaIsRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("future.sqlite"));
        QString error;
        QVERIFY2(writeV1File(path, &error), qPrintable(error));
        QVERIFY2(execAll(path, { QStringLiteral("PRAGMA user_version = 99") }, &error),
            qPrintable(error));
        auto config = testConfig();
        config.dbPath = path;
        StubServer server(config);
        QVERIFY(!server.start(QHostAddress::LocalHost, 0));
        QVERIFY2(server.errorString().contains(QLatin1String("schema 99")),
            qPrintable(server.errorString()));
    }

    void v1ModeIsAPlainV1Server()
    {
        QTemporaryDir dir;
        auto config = testConfig();
        config.dbPath = dir.filePath(QStringLiteral("v11.sqlite"));
        // A v1.1 stub changes a message first: the same file served by --v1 hides the changes'
        // fields, as a v1 server has none.
        startServer(config);
        {
            auto alice = client("alice");
            alice->request("room:join", "general");
            const json m = alice->request("message:send",
                { { "roomId", "general" }, { "content", "x" }, { "clientId", "c1" } })["message"];
            JCOMPARE(alice->request("message:react",
                         { { "roomId", "general" }, { "messageId", m["id"] }, { "emoji", "👍" },
                             { "add", true } })["ok"],
                true);
        }
        m_server.reset();
        config.v1 = true;
        startServer(config);
        auto alice = client("alice");
        auto bob = client("bob");
        QVERIFY(alice && bob);
        const json ready = *alice->waitEvent("session:ready");
        JCOMPARE(keys(ready), json::array({ "limits", "online", "rooms", "user" }));
        JCOMPARE(ready["rooms"][0],
            json({ { "id", "general" }, { "name", "General" }, { "private", false } }));
        json ack = alice->request("room:join", "general");
        JCOMPARE(keys(ack), json::array({ "hasMore", "members", "messages", "ok", "room" }));
        JCOMPARE(keys(ack["messages"][0]), V1MessageKeys);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        // replyTo is a field a v1 server does not know: ignored.
        ack = alice->request("message:send",
            { { "roomId", "general" }, { "content", "@bob hi" }, { "clientId", "c2" },
                { "replyTo", "whatever" } });
        JCOMPARE(ack["ok"], true);
        JCOMPARE(keys(ack["message"]), V1MessageKeys);
        JCOMPARE(keys(*bob->waitEvent("message:new")), V1MessageKeys);
        const std::string id = ack["message"]["id"].get<std::string>();

        // The v1.1 requests and any unknown request go unanswered, like events without a
        // listener on socket.io. Requests are answered in order, so a v1 request sent after
        // them that is answered shows they were dropped, not slow.
        std::vector<std::uint64_t> ignored = {
            alice->emitEvent("message:edit",
                { { "roomId", "general" }, { "messageId", id }, { "content", "y" } }),
            alice->emitEvent("message:delete", { { "roomId", "general" }, { "messageId", id } }),
            alice->emitEvent("message:react",
                { { "roomId", "general" }, { "messageId", id }, { "emoji", "👍" },
                    { "add", true } }),
            alice->emitEvent("room:updates", { { "roomId", "general" }, { "afterRev", 0 } }),
            alice->emitEvent("room:read", { { "roomId", "general" }, { "seq", 1 } }),
            alice->emitEvent("message:pin", json::object()),
        };
        const json history = alice->request("room:history", { { "roomId", "general" } });
        JCOMPARE(history["ok"], true);
        for (const std::uint64_t requestId : ignored) {
            for (const auto &p : alice->packets)
                QVERIFY(!(p.type == Palaver::Protocol::PacketType::Ack && p.id == requestId));
        }
        QVERIFY(!alice->closed);
        // Nothing changed: the message is as sent, and no v1.1 event went out.
        JCOMPARE(history["messages"][1], ack["message"]);
        QVERIFY(alice->events("message:updated").empty());
        QVERIFY(alice->events("room:read-marker").empty());
    }
};

QTEST_GUILESS_MAIN(TestStubMigration)
#include "tst_stubmigration.moc"
