// SPDX-License-Identifier: MIT
// The whole chat contract (PROTOCOL.md) from the C++ Client against one real Node socket.io 4.8
// node (tests/interop/server/server.js on a private redis-server): refusals, session:ready,
// presence, rooms, messages, history paging, limits, typing; plus binary both ways and a request
// from the server answered by the Client (the server's --test-hooks). Every test runs with the
// JSON and the MessagePack parser (global data), each parser on its own cluster.
#include "interop.h"
#include <Palaver/client.h>

#include <QSignalSpy>
#include <QTest>

#include <map>

using namespace Palaver;
using namespace Interop;

namespace {

bool isOk(const AckResult &r)
{
    return r.ok() && r.reply().value(QStringLiteral("ok")).toBool();
}

QString errorCode(const AckResult &r)
{
    return r.reply()
        .value(QStringLiteral("error"))
        .toMap()
        .value(QStringLiteral("code"))
        .toString();
}

QVariantMap sendArgs(const QString &room, const QString &content, const QString &clientId)
{
    return { { QStringLiteral("roomId"), room }, { QStringLiteral("content"), content },
        { QStringLiteral("clientId"), clientId } };
}

QString newClientId()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace

class TestInteropContract : public QObject {
    Q_OBJECT

    std::map<int, std::unique_ptr<NodeCluster>> m_clusters;
    std::vector<std::unique_ptr<Client>> m_clients;

    static Client::Parser parser()
    {
        QFETCH_GLOBAL(QString, parserName);
        return parserName == QLatin1String("msgpack") ? Client::Parser::MessagePack
                                                      : Client::Parser::Json;
    }

    NodeCluster *cluster()
    {
        auto &slot = m_clusters[int(parser())];
        if (!slot) {
            slot = std::make_unique<NodeCluster>();
            NodeCluster::Options options;
            options.parser = parser();
            options.extraArgs = { QStringLiteral("--test-hooks"), QStringLiteral("--max-content"),
                QStringLiteral("50"), QStringLiteral("--rate-burst"), QStringLiteral("8"),
                QStringLiteral("--rate-per-sec"), QStringLiteral("2") };
            if (!slot->start(options)) {
                qWarning("cluster: %s", qPrintable(slot->errorString()));
                slot.reset();
                return nullptr;
            }
        }
        return slot.get();
    }

    // A connected Client of `user` (owned by the test function), or nullptr.
    Client *connectUser(const QString &user, QVariantMap *session = nullptr)
    {
        NodeCluster *c = cluster();
        if (!c)
            return nullptr;
        auto client = makeClient(c->urls(), c->token(user), parser());
        QSignalSpy ready(client.get(), &Client::sessionReady);
        client->open();
        if (!waitUntil([&] { return !ready.isEmpty(); }, 20000))
            return nullptr;
        if (session)
            *session = ready.first().first().toMap();
        m_clients.push_back(std::move(client));
        return m_clients.back().get();
    }

    void closeClient(Client *client)
    {
        for (auto it = m_clients.begin(); it != m_clients.end(); ++it) {
            if (it->get() == client) {
                client->close();
                m_clients.erase(it);
                return;
            }
        }
    }

    // The first event `name` whose first argument satisfies `match`, from a spy on eventReceived.
    static bool hasEvent(const QSignalSpy &spy, const QString &name,
        const std::function<bool(const QVariantMap &)> &match)
    {
        for (const QList<QVariant> &call : spy) {
            if (call.at(0).toString() == name && match(call.at(1).toList().value(0).toMap()))
                return true;
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("parserName");
        QTest::newRow("json") << QStringLiteral("json");
        QTest::newRow("msgpack") << QStringLiteral("msgpack");
    }

    void initTestCase()
    {
        if (!nodePeersInstalled())
            QFAIL("tests/node/node_modules is missing: run packaging/install-deps.sh (npm ci)");
    }

    void cleanup() { m_clients.clear(); }

    void cleanupTestCase()
    {
        m_clients.clear();
        for (auto &[parser, c] : m_clusters)
            c->stop();
        m_clusters.clear();
    }

    void authRefusals_data()
    {
        QTest::addColumn<QString>("token"); // "<none>": no token at all
        QTest::addColumn<Client::Error>("expected");
        QTest::newRow("no token") << QStringLiteral("<none>") << Client::Error::AuthRequired;
        QTest::newRow("empty token") << QString() << Client::Error::AuthRequired;
        QTest::newRow("garbage") << QStringLiteral("not-a-jwt") << Client::Error::InvalidToken;
        QTest::newRow("wrong secret")
            << QStringLiteral("<wrong secret>") << Client::Error::InvalidToken;
        QTest::newRow("expired") << QStringLiteral("<expired>") << Client::Error::TokenExpired;
    }

    void authRefusals()
    {
        QFETCH(QString, token);
        QFETCH(Client::Error, expected);
        NodeCluster *c = cluster();
        QVERIFY(c);
        if (token == QLatin1String("<wrong secret>"))
            token = mintToken(QStringLiteral("not-the-secret"), QStringLiteral("mallory"));
        else if (token == QLatin1String("<expired>"))
            token = c->token(QStringLiteral("late"), -60);
        else if (token == QLatin1String("<none>"))
            token = QString(); // null: setToken is not called
        auto client = makeClient(c->urls(), token, parser());
        if (token.isNull() && qstrcmp(QTest::currentDataTag(), "empty token") == 0)
            client->setToken(QStringLiteral(""));
        QSignalSpy failed(client.get(), &Client::failed);
        QSignalSpy ready(client.get(), &Client::sessionReady);
        client->open();
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 15000);
        QCOMPARE(failed.first().first().value<Client::Error>(), expected);
        QCOMPARE(client->state(), Client::State::Failed);
        QCOMPARE(client->error(), expected);
        QVERIFY(!client->isActive());
        QVERIFY(ready.isEmpty());
        // Not retried with the same token.
        QTest::qWait(600);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(client->state(), Client::State::Failed);
    }

    // token_expired is the one refusal a fresh token fixes: the provider is asked once more.
    void expiredTokenRefreshed()
    {
        NodeCluster *c = cluster();
        QVERIFY(c);
        auto client = makeClient(c->urls(), QString(), parser());
        int asked = 0;
        client->setTokenProvider([&asked, c](Client::TokenCallback give) {
            ++asked;
            give(c->token(QStringLiteral("refreshed"), asked == 1 ? -60 : 3600));
        });
        QSignalSpy errors(client.get(), &Client::errorOccurred);
        QSignalSpy ready(client.get(), &Client::sessionReady);
        client->open();
        QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 15000);
        QCOMPARE(asked, 2);
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.first().first().value<Client::Error>(), Client::Error::TokenExpired);
        QCOMPARE(client->state(), Client::State::Connected);
        QCOMPARE(client->error(), Client::Error::NoError);
    }

    void sessionReady()
    {
        QVariantMap alice;
        QVERIFY(connectUser(QStringLiteral("alice"), &alice));
        QCOMPARE(alice.value(QStringLiteral("user")).toMap().value(QStringLiteral("id")),
            QStringLiteral("alice"));
        QCOMPARE(alice.value(QStringLiteral("user")).toMap().value(QStringLiteral("name")),
            QStringLiteral("alice")); // no name claim: defaults to sub
        QStringList rooms;
        for (const QVariant &room : alice.value(QStringLiteral("rooms")).toList())
            rooms << room.toMap().value(QStringLiteral("id")).toString();
        QVERIFY(rooms.contains(QStringLiteral("general")));
        QVERIFY(rooms.contains(QStringLiteral("staff"))); // alice is a member
        QVERIFY(
            alice.value(QStringLiteral("online")).toStringList().contains(QStringLiteral("alice")));
        const QVariantMap limits = alice.value(QStringLiteral("limits")).toMap();
        QCOMPARE(limits.value(QStringLiteral("maxContentLength")).toInt(), 50);
        QCOMPARE(limits.value(QStringLiteral("maxPayload")).toInt(), 1000000);

        QVariantMap bob;
        QVERIFY(connectUser(QStringLiteral("bob"), &bob));
        rooms.clear();
        for (const QVariant &room : bob.value(QStringLiteral("rooms")).toList())
            rooms << room.toMap().value(QStringLiteral("id")).toString();
        QVERIFY(rooms.contains(QStringLiteral("general")));
        QVERIFY(!rooms.contains(QStringLiteral("staff")));
        const QStringList online = bob.value(QStringLiteral("online")).toStringList();
        QVERIFY(online.contains(QStringLiteral("alice")));
        QVERIFY(online.contains(QStringLiteral("bob")));
    }

    void presenceAndTyping()
    {
        const QString a = QStringLiteral("pres-a"), b = QStringLiteral("pres-b");
        const QString room = QStringLiteral("presence");
        Client *ca = connectUser(a);
        QVERIFY(ca);
        QSignalSpy events(ca, &Client::eventReceived);
        QVERIFY(isOk(await(ca->joinRoom(room))));

        Client *cb = connectUser(b);
        QVERIFY(cb);
        const auto about = [&](const QString &user) {
            return
                [user](const QVariantMap &m) { return m.value(QStringLiteral("userId")) == user; };
        };
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, QStringLiteral("user:online"), about(b)), 10000);

        QSignalSpy bEvents(cb, &Client::eventReceived);
        const AckResult join = await(cb->joinRoom(room));
        QVERIFY(isOk(join));
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, QStringLiteral("room:user-joined"),
                                     [&](const QVariantMap &m) {
                                         return m.value(QStringLiteral("userId")) == b
                                             && m.value(QStringLiteral("roomId")) == room;
                                     }),
            10000);
        QStringList members;
        for (const QVariant &m : join.reply().value(QStringLiteral("members")).toList()) {
            members << m.toMap().value(QStringLiteral("id")).toString();
            QVERIFY(m.toMap().value(QStringLiteral("online")).toBool());
        }
        members.sort();
        QCOMPARE(members, QStringList({ a, b }));

        // typing goes to the room's other sockets, not back to the sender.
        QCOMPARE(cb->sendVolatile(QStringLiteral("typing"),
                     { QVariantMap { { QStringLiteral("roomId"), room },
                         { QStringLiteral("typing"), true } } }),
            Client::Error::NoError);
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, QStringLiteral("typing"),
                                     [&](const QVariantMap &m) {
                                         return m.value(QStringLiteral("userId")) == b
                                             && m.value(QStringLiteral("roomId")) == room
                                             && m.value(QStringLiteral("typing")).toBool();
                                     }),
            10000);

        QVERIFY(isOk(await(cb->leaveRoom(room))));
        QTRY_VERIFY_WITH_TIMEOUT(
            hasEvent(events, QStringLiteral("room:user-left"), about(b)), 10000);
        closeClient(cb);
        QTRY_VERIFY_WITH_TIMEOUT(hasEvent(events, QStringLiteral("user:offline"), about(b)), 10000);
        QVERIFY(!hasEvent(bEvents, QStringLiteral("typing"), about(b)));
    }

    void rooms()
    {
        Client *alice = connectUser(QStringLiteral("alice"));
        Client *bob = connectUser(QStringLiteral("bob"));
        QVERIFY(alice && bob);

        // Success: the room, its members, the latest messages, hasMore.
        const AckResult staff = await(alice->joinRoom(QStringLiteral("staff")));
        QVERIFY2(isOk(staff), qPrintable(staff.errorString));
        const QVariantMap reply = staff.reply();
        QCOMPARE(reply.value(QStringLiteral("room")).toMap().value(QStringLiteral("id")),
            QStringLiteral("staff"));
        QCOMPARE(
            reply.value(QStringLiteral("room")).toMap().value(QStringLiteral("private")), true);
        QVariantMap online;
        for (const QVariant &m : reply.value(QStringLiteral("members")).toList())
            online.insert(m.toMap().value(QStringLiteral("id")).toString(),
                m.toMap().value(QStringLiteral("online")));
        QCOMPARE(online.keys(), QStringList({ QStringLiteral("alice"), QStringLiteral("dave") }));
        QCOMPARE(online.value(QStringLiteral("alice")).toBool(), true);
        QCOMPARE(online.value(QStringLiteral("dave")).toBool(), false); // never connected
        QVERIFY(reply.value(QStringLiteral("messages")).toList().isEmpty());
        QCOMPARE(reply.value(QStringLiteral("hasMore")).toBool(), false);
        QVERIFY(alice->joinedRooms().contains(QStringLiteral("staff")));

        // Refusals, in the order of checks.
        const auto join = [&](Client *c, const QVariant &room) {
            return await(c->request(QStringLiteral("room:join"), { room }));
        };
        QCOMPARE(errorCode(join(bob, QStringLiteral("Bad Id!"))), QStringLiteral("invalid"));
        QCOMPARE(errorCode(join(bob, 42)), QStringLiteral("invalid"));
        QCOMPARE(errorCode(join(bob, QStringLiteral("nope"))), QStringLiteral("not_found"));
        QCOMPARE(errorCode(join(bob, QStringLiteral("staff"))), QStringLiteral("access_denied"));

        // joinRoom() reports a refusal for good and stops keeping the room.
        QSignalSpy joinFailed(bob, &Client::roomJoinFailed);
        const AckResult denied = await(bob->joinRoom(QStringLiteral("staff")));
        QCOMPARE(errorCode(denied), QStringLiteral("access_denied"));
        QTRY_COMPARE(joinFailed.size(), 1);
        QCOMPARE(joinFailed.first().at(1).toString(), QStringLiteral("access_denied"));
        QVERIFY(!bob->joinedRooms().contains(QStringLiteral("staff")));

        // Leaving: idempotent, checks shape and existence only.
        const auto leave = [&](Client *c, const QVariant &room) {
            return await(c->request(QStringLiteral("room:leave"), { room }));
        };
        QVERIFY(isOk(leave(bob, QStringLiteral("random")))); // never joined
        QVERIFY(isOk(leave(bob, QStringLiteral("staff")))); // not even a member
        QCOMPARE(errorCode(leave(bob, QStringLiteral("nope"))), QStringLiteral("not_found"));
        QCOMPARE(errorCode(leave(bob, QStringLiteral("Bad Id!"))), QStringLiteral("invalid"));
        QVERIFY(isOk(await(alice->leaveRoom(QStringLiteral("staff")))));
        QVERIFY(!alice->joinedRooms().contains(QStringLiteral("staff")));
        // Left for real: the room's requests now answer not_joined.
        QCOMPARE(errorCode(await(alice->request(QStringLiteral("room:history"),
                     { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("staff") } } }))),
            QStringLiteral("not_joined"));
    }

    void messages()
    {
        const QString a = QStringLiteral("msg-a"), b = QStringLiteral("msg-b");
        const QString room = QStringLiteral("general");
        Client *ca = connectUser(a);
        Client *cb = connectUser(b);
        QVERIFY(ca && cb);
        QVERIFY(isOk(await(ca->joinRoom(room))));
        QVERIFY(isOk(await(cb->joinRoom(room))));
        QSignalSpy aNew(ca, &Client::messageReceived);
        QSignalSpy bNew(cb, &Client::messageReceived);

        // A request with its own clientId.
        const QString clientId = newClientId();
        const AckResult sent = await(ca->request(QStringLiteral("message:send"),
            { sendArgs(room, QStringLiteral("  hello from C++  "), clientId) }));
        QVERIFY2(isOk(sent), qPrintable(sent.errorString));
        const Message message
            = messageFromMap(sent.reply().value(QStringLiteral("message")).toMap());
        QVERIFY(!message.id.isEmpty());
        QVERIFY(message.seq >= 1);
        QCOMPARE(message.content, QStringLiteral("hello from C++")); // trimmed
        QCOMPARE(message.authorId, a);
        QCOMPARE(message.clientId, clientId);
        QVERIFY(message.createdAt.isValid());
        QTRY_COMPARE_WITH_TIMEOUT(aNew.size(), 1, 10000); // the sender's socket too
        QTRY_COMPARE_WITH_TIMEOUT(bNew.size(), 1, 10000);
        QCOMPARE(bNew.first().first().value<Message>(), message);

        // The same clientId again: the first message, not broadcast again.
        const AckResult repeat = await(ca->request(QStringLiteral("message:send"),
            { sendArgs(room, QStringLiteral("something else"), clientId) }));
        QVERIFY(isOk(repeat));
        QCOMPARE(messageFromMap(repeat.reply().value(QStringLiteral("message")).toMap()), message);

        // Through the outbox.
        QSignalSpy acked(cb, &Client::messageAcked);
        const QUuid outboxId = cb->sendMessage(room, QStringLiteral("from the outbox"));
        QVERIFY(!outboxId.isNull());
        QTRY_COMPARE_WITH_TIMEOUT(acked.size(), 1, 10000);
        const Message fromOutbox = acked.first().at(1).value<Message>();
        QCOMPARE(fromOutbox.seq, message.seq + 1);
        QCOMPARE(fromOutbox.clientId, outboxId.toString(QUuid::WithoutBraces));
        QTRY_COMPARE_WITH_TIMEOUT(aNew.size(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(bNew.size(), 2, 10000);
        QCOMPARE(aNew.last().first().value<Message>().id, fromOutbox.id);

        // Refusals, in the order of checks.
        const auto send = [&](Client *c, const QVariant &payload) {
            return errorCode(await(c->request(QStringLiteral("message:send"), { payload })));
        };
        QCOMPARE(send(ca, QStringLiteral("just text")), QStringLiteral("invalid"));
        QCOMPARE(send(ca, sendArgs(room, QStringLiteral(" \t\n "), newClientId())),
            QStringLiteral("invalid"));
        QCOMPARE(send(ca, sendArgs(room, QStringLiteral("no id"), QString())),
            QStringLiteral("invalid"));
        QCOMPARE(send(ca, sendArgs(QStringLiteral("nope"), QStringLiteral("x"), newClientId())),
            QStringLiteral("not_found"));
        QCOMPARE(send(ca, sendArgs(QStringLiteral("staff"), QStringLiteral("x"), newClientId())),
            QStringLiteral("access_denied"));
        QCOMPARE(send(ca, sendArgs(QStringLiteral("random"), QStringLiteral("x"), newClientId())),
            QStringLiteral("not_joined"));
        QCOMPARE(send(ca, sendArgs(room, QString(51, QLatin1Char('x')), newClientId())),
            QStringLiteral("too_long"));
        QVERIFY(isOk(await(ca->request(QStringLiteral("message:send"),
            { sendArgs(room, QStringLiteral("\U0001F600").repeated(50), newClientId()) }))));

        QTest::qWait(300); // nothing refused may have been broadcast
        QCOMPARE(bNew.size(), 3);
    }

    void rateLimited()
    {
        const QString room = QStringLiteral("limits");
        Client *c = connectUser(QStringLiteral("speedy"));
        QVERIFY(c);
        QVERIFY(isOk(await(c->joinRoom(room))));
        // Burst 8 at 2/s: the first 8 pass, then the bucket is empty.
        QList<QFuture<AckResult>> futures;
        for (int i = 0; i < 12; ++i)
            futures << c->request(QStringLiteral("message:send"),
                { sendArgs(room, QStringLiteral("spam %1").arg(i), newClientId()) });
        int ok = 0, limited = 0;
        for (int i = 0; i < futures.size(); ++i) {
            const AckResult r = await(futures[i]);
            if (isOk(r)) {
                ++ok;
                continue;
            }
            QCOMPARE(errorCode(r), QStringLiteral("rate_limited"));
            const QVariantMap error = r.reply().value(QStringLiteral("error")).toMap();
            QVERIFY(error.value(QStringLiteral("retryAfterMs")).toInt() > 0);
            QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
            ++limited;
        }
        QVERIFY2(ok >= 8 && limited >= 1,
            qPrintable(QStringLiteral("ok %1, limited %2").arg(ok).arg(limited)));
    }

    void history()
    {
        const QString room = QStringLiteral("history");
        QList<Client *> writers;
        for (const QString &user :
            { QStringLiteral("hist-a"), QStringLiteral("hist-b"), QStringLiteral("hist-c") }) {
            Client *c = connectUser(user);
            QVERIFY(c);
            QVERIFY(isOk(await(c->joinRoom(room))));
            writers << c;
        }
        for (int i = 1; i <= 12; ++i) { // 4 each: well within the rate limit
            const AckResult r = await(writers[i % 3]->request(QStringLiteral("message:send"),
                { sendArgs(room, QStringLiteral("m%1").arg(i), newClientId()) }));
            QVERIFY(isOk(r));
            QCOMPARE(r.reply()
                         .value(QStringLiteral("message"))
                         .toMap()
                         .value(QStringLiteral("seq"))
                         .toInt(),
                i);
        }
        const auto page = [&](QVariantMap query) {
            query.insert(QStringLiteral("roomId"), room);
            return await(writers[0]->request(QStringLiteral("room:history"), { query }));
        };
        const auto seqs = [](const AckResult &r) {
            QList<int> out;
            for (const QVariant &m : r.reply().value(QStringLiteral("messages")).toList())
                out << m.toMap().value(QStringLiteral("seq")).toInt();
            return out;
        };
        const auto hasMore = [](const AckResult &r) {
            return r.reply().value(QStringLiteral("hasMore")).toBool();
        };
        const auto range = [](int from, int to) {
            QList<int> out;
            for (int i = from; i <= to; ++i)
                out << i;
            return out;
        };

        AckResult r = page({});
        QVERIFY(isOk(r));
        QCOMPARE(seqs(r), range(1, 12));
        QVERIFY(!hasMore(r));
        r = page({ { QStringLiteral("limit"), 5 } });
        QCOMPARE(seqs(r), range(8, 12));
        QVERIFY(hasMore(r));
        r = page({ { QStringLiteral("before"), 8 }, { QStringLiteral("limit"), 5 } });
        QCOMPARE(seqs(r), range(3, 7));
        QVERIFY(hasMore(r));
        r = page({ { QStringLiteral("before"), 3 } });
        QCOMPARE(seqs(r), range(1, 2));
        QVERIFY(!hasMore(r));
        r = page({ { QStringLiteral("after"), 2 }, { QStringLiteral("limit"), 3 } });
        QCOMPARE(seqs(r), range(3, 5));
        QVERIFY(hasMore(r));
        r = page({ { QStringLiteral("after"), 10 } });
        QCOMPARE(seqs(r), range(11, 12));
        QVERIFY(!hasMore(r));
        r = page({ { QStringLiteral("limit"), 1000 } }); // capped at 100
        QCOMPARE(seqs(r), range(1, 12));

        QCOMPARE(
            errorCode(page({ { QStringLiteral("before"), 5 }, { QStringLiteral("after"), 1 } })),
            QStringLiteral("invalid"));
        QCOMPARE(errorCode(page({ { QStringLiteral("limit"), 0 } })), QStringLiteral("invalid"));
        QCOMPARE(errorCode(page({ { QStringLiteral("after"), -1 } })), QStringLiteral("invalid"));
        QCOMPARE(errorCode(await(writers[0]->request(QStringLiteral("room:history"),
                     { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("nope") } } }))),
            QStringLiteral("not_found"));
        QCOMPARE(errorCode(await(writers[0]->request(QStringLiteral("room:history"),
                     { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("random") } } }))),
            QStringLiteral("not_joined"));

        // A newcomer's join answer carries the latest messages.
        Client *late = connectUser(QStringLiteral("hist-late"));
        QVERIFY(late);
        const AckResult join = await(late->joinRoom(room));
        QCOMPARE(seqs(join), range(1, 12));
        QVERIFY(!hasMore(join));
    }

    // Binary arguments both ways (attachments with JSON, bin with MessagePack) and a request from
    // the server that the Client answers with setRequestHandler().
    void binaryAndServerRequests()
    {
        Client *c = connectUser(QStringLiteral("bin-a"));
        QVERIFY(c);
        QByteArray blob(70000, Qt::Uninitialized);
        for (int i = 0; i < blob.size(); ++i)
            blob[i] = char(i * 7 + 3);
        const QByteArray small = QByteArray::fromHex("00ff10");
        const QVariantList args { blob, QStringLiteral("text"),
            QVariantMap { { QStringLiteral("inner"), small }, { QStringLiteral("n"), 7 } },
            QVariantList { small, QByteArray() } };

        const AckResult echo = await(c->request(QStringLiteral("test:binary-echo"), args));
        QVERIFY2(echo.ok(), qPrintable(echo.errorString));
        QCOMPARE(echo.args.size(), 4);
        QCOMPARE(echo.args.at(0).toByteArray(), blob);
        QCOMPARE(echo.args.at(0).typeId(), QMetaType::QByteArray);
        QCOMPARE(echo.args.at(1).toString(), QStringLiteral("text"));
        QCOMPARE(echo.args.at(2).toMap().value(QStringLiteral("inner")).toByteArray(), small);
        QCOMPARE(echo.args.at(2).toMap().value(QStringLiteral("n")).toInt(), 7);
        QCOMPARE(echo.args.at(3).toList().value(0).toByteArray(), small);
        QCOMPARE(echo.args.at(3).toList().value(1).typeId(), QMetaType::QByteArray);

        // Server -> client binary event.
        QSignalSpy events(c, &Client::eventReceived);
        QVERIFY(await(c->request(QStringLiteral("test:binary-push"), { small, blob })).ok());
        const auto pushedEvent = [&] {
            for (const QList<QVariant> &call : events) {
                if (call.at(0).toString() == QLatin1String("test:binary"))
                    return call.at(1).toList();
            }
            return QVariantList();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!pushedEvent().isEmpty(), 10000);
        const QVariantList pushed = pushedEvent();
        QCOMPARE(pushed.size(), 2);
        QCOMPARE(pushed.at(0).toByteArray(), small);
        QCOMPARE(pushed.at(1).toByteArray(), blob);

        // The server asks, the Client answers (with binary too).
        QVariantList asked;
        c->setRequestHandler(QStringLiteral("test:question"),
            [&asked](const QVariantList &question, Client::Responder respond) {
                asked = question;
                respond({ QStringLiteral("answer"), question.value(0).toInt() + 1,
                    QByteArray(question.value(1).toByteArray() + QByteArrayLiteral("!")) });
            });
        const AckResult ask = await(c->request(
            QStringLiteral("test:ask-client"), { QStringLiteral("test:question"), 41, small }));
        QVERIFY(isOk(ask));
        QCOMPARE(asked.size(), 2);
        QCOMPARE(asked.at(0).toInt(), 41);
        QCOMPARE(asked.at(1).toByteArray(), small);
        const QVariantList answer = ask.reply().value(QStringLiteral("answer")).toList();
        QCOMPARE(answer.size(), 3);
        QCOMPARE(answer.at(0).toString(), QStringLiteral("answer"));
        QCOMPARE(answer.at(1).toInt(), 42);
        QCOMPARE(answer.at(2).toByteArray(), QByteArray(small + QByteArrayLiteral("!")));

        // Without a handler the Client still answers (empty ack), so the server is not left
        // waiting.
        const AckResult unanswered = await(
            c->request(QStringLiteral("test:ask-client"), { QStringLiteral("test:unhandled"), 1 }));
        QVERIFY(isOk(unanswered));
        QVERIFY(unanswered.reply().value(QStringLiteral("answer")).toList().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestInteropContract)
#include "tst_interop_contract.moc"
