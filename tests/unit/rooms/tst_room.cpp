// SPDX-License-Identifier: MIT
// Room driven through the wire: a Client connected to a scripted raw Socket.IO server (RawServer)
// that answers room:join, message:send and room:history from its own store of messages, sends
// session:ready after CONNECT and message:new when the test says. The test decides what the
// server says and when (a held history page makes a hole, a refusal makes a failure) and checks
// what the rooms layer makes of it: the Room, its models, the room list, Client::messageReceived.
#include "modelwatch.h"
#include "rawserver.h"
#include <Palaver/client.h>
#include <Palaver/membermodel.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace Palaver;
using nlohmann::json;

// QCOMPARE cannot print nlohmann::json; show both dumps instead.
#define JCOMPARE(actual, expected)                                                                 \
    do {                                                                                           \
        const json a_ = (actual);                                                                  \
        const json e_ = (expected);                                                                \
        QVERIFY2(a_ == e_, qPrintable(QString::fromStdString(a_.dump() + " != " + e_.dump())));    \
    } while (false)

namespace {

const QString General = QStringLiteral("general");

//! One request the client made: its event, its payload and the ack id to answer.
struct Request {
    QWebSocket *socket = nullptr;
    std::string event;
    json payload;
    std::uint64_t id = 0;
};

//! A v1 chat server scripted by the test, on a RawServer: rooms of stored messages (seq = index
//! + 1), the join page and history pages cut from them as PROTOCOL.md says, and knobs to refuse
//! or hold back answers. Nothing is broadcast unless the test says (sendNew()), except the echo
//! of an accepted send, which a real server sends to the sender too.
class ChatServer {
public:
    ChatServer()
    {
        raw.onConnected = [this](QWebSocket *s) {
            raw.sendEvent(s, "session:ready", json::array({ session }));
        };
        raw.onEvent = [this](QWebSocket *s, const json &data, std::optional<std::uint64_t> id) {
            if (!id || data.size() < 2)
                return;
            Request r { s, data[0].get<std::string>(), data[1], *id };
            requests.push_back(r);
            if (r.event == "room:history" && holds(r)) {
                held.push_back(r);
                return;
            }
            if (r.event == "message:send" && holdSends) {
                held.push_back(r);
                return;
            }
            answer(r);
        };
    }

    RawServer raw;

    json session {
        { "user", { { "id", "alice" }, { "name", "Alice" } } },
        { "rooms",
            json::array({ { { "id", "general" }, { "name", "General" }, { "private", false } },
                { { "id", "random" }, { "name", "Random" }, { "private", false } } }) },
        { "online", json::array({ "alice", "bob" }) },
        { "limits", { { "maxContentLength", 10 }, { "maxPayload", 1000000 } } },
    };
    std::map<std::string, std::vector<json>> store; //!< room -> its messages, oldest first
    int joinPageSize = 50;
    std::map<std::string, json> joinRefusals; //!< room -> the `error` object of its refusal
    std::optional<json> sendRefusal; //!< refuse every message:send with this `error`
    bool holdSends = false; //!< message:send stays unanswered (in `held`)
    bool holdCatchUp = false; //!< room:history {after} stays unanswered
    bool holdOlderPages = false; //!< room:history {before} (or no bound) stays unanswered
    std::vector<Request> requests; //!< every request, in order
    std::vector<Request> held;

    //! Stores the room's next message and returns it (not sent anywhere).
    json add(const std::string &room, const std::string &author = "bob",
        const std::string &clientId = {}, const std::string &content = {})
    {
        auto &messages = store[room];
        const auto seq = std::int64_t(messages.size()) + 1;
        json m { { "id", "m-" + room + "-" + std::to_string(seq) }, { "roomId", room },
            { "seq", seq }, { "userId", author }, { "userName", displayName(author) },
            { "content", content.empty() ? "message " + std::to_string(seq) : content },
            { "createdAt", "2024-05-01T12:00:00.000Z" },
            { "clientId", clientId.empty() ? "c-" + std::to_string(seq) : clientId } };
        messages.push_back(m);
        return m;
    }
    void addMany(const std::string &room, int count)
    {
        for (int i = 0; i < count; ++i)
            add(room);
    }
    const json &stored(const std::string &room, std::int64_t seq) { return store[room][seq - 1]; }

    //! `message:new` to the client.
    void sendNew(const json &message)
    {
        raw.sendEvent(raw.last(), "message:new", json::array({ message }));
    }

    //! Answers what was held, in the order it came.
    void release()
    {
        const auto requests = std::exchange(held, {});
        for (const Request &r : requests)
            answer(r);
    }

    std::vector<Request> requestsOf(const std::string &event) const
    {
        std::vector<Request> out;
        for (const Request &r : requests) {
            if (r.event == event)
                out.push_back(r);
        }
        return out;
    }
    int count(const std::string &event) const { return int(requestsOf(event).size()); }

private:
    bool holds(const Request &r) const
    {
        return r.payload.is_object() && r.payload.contains("after") ? holdCatchUp : holdOlderPages;
    }

    static std::string displayName(const std::string &userId)
    {
        if (userId == "alice")
            return "Alice";
        return userId == "bob" ? "Bob" : userId;
    }

    static json refusal(const json &error) { return { { "ok", false }, { "error", error } }; }

    json roomInfo(const std::string &room) const
    {
        for (const json &r : session["rooms"]) {
            if (r["id"] == room)
                return r;
        }
        return { { "id", room }, { "name", room }, { "private", false } };
    }

    void answer(const Request &r)
    {
        raw.sendAck(r.socket, r.id, json::array({ reply(r) }));
        if (r.event == "message:send" && !sendRefusal) {
            // The room's sockets get the new message, the sender's included.
            const std::string room = r.payload["roomId"];
            sendNew(store[room].back());
        }
    }

    json reply(const Request &r)
    {
        if (r.event == "room:join") {
            const std::string room = r.payload.get<std::string>();
            if (const auto it = joinRefusals.find(room); it != joinRefusals.end())
                return refusal(it->second);
            const auto &messages = store[room];
            const auto first
                = std::max<std::ptrdiff_t>(0, std::ptrdiff_t(messages.size()) - joinPageSize);
            return { { "ok", true }, { "room", roomInfo(room) },
                { "members",
                    json::array({ { { "id", "alice" }, { "name", "Alice" }, { "online", true } },
                        { { "id", "bob" }, { "name", "Bob" }, { "online", true } } }) },
                { "messages", json(std::vector<json>(messages.begin() + first, messages.end())) },
                { "hasMore", first > 0 } };
        }
        if (r.event == "message:send") {
            if (sendRefusal)
                return refusal(*sendRefusal);
            const json m
                = add(r.payload["roomId"], "alice", r.payload["clientId"], r.payload["content"]);
            return { { "ok", true }, { "message", m } };
        }
        if (r.event == "room:history") {
            const auto &messages = store[r.payload["roomId"].get<std::string>()];
            const auto size = std::int64_t(messages.size());
            const std::int64_t limit = std::min<std::int64_t>(r.payload.value("limit", 50), 100);
            std::int64_t from = 0; // seq - 1 of the first message of the page
            std::int64_t to = 0; // one past the last
            bool hasMore = false;
            if (r.payload.contains("after")) {
                from = std::min(size, r.payload["after"].get<std::int64_t>());
                to = std::min(size, from + limit);
                hasMore = to < size;
            } else {
                to = std::min(size, r.payload.value("before", size + 1) - 1);
                from = std::max<std::int64_t>(0, to - limit);
                hasMore = from > 0;
            }
            return { { "ok", true },
                { "messages",
                    json(std::vector<json>(messages.begin() + from, messages.begin() + to)) },
                { "hasMore", hasMore } };
        }
        return refusal({ { "code", "invalid" }, { "message", "Unknown request" } });
    }
};

//! Connects `client` to `server` and waits for session:ready to be applied.
[[nodiscard]] bool connectTo(Client &client, ChatServer &server)
{
    if (!server.raw.server()->isListening() && !server.raw.listen())
        return false;
    client.setUrl(server.raw.url());
    client.setToken(QStringLiteral("tok"));
    client.open();
    return QTest::qWaitFor([&] { return client.userId() == QLatin1String("alice"); });
}

//! The seqs of the messages a spy on messageReceived(Message) saw, in order.
QList<qint64> seqsOf(const QSignalSpy &spy)
{
    QList<qint64> out;
    for (const auto &args : spy)
        out.append(args.at(0).value<Message>().seq);
    return out;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> out;
    for (qint64 seq = first; seq <= last; ++seq)
        out.append(seq);
    return out;
}

using Palaver::Testing::ModelWatch;

} // namespace

class TestRoom : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void invalidIdsGiveNoRoom()
    {
        Client client;
        QCOMPARE(client.room(QStringLiteral("Not valid")), nullptr);
        QCOMPARE(client.room(QString()), nullptr);
        QCOMPARE(client.room(QStringLiteral("user:alice")), nullptr);
        Room *room = client.room(General);
        QVERIFY(room);
        ModelWatch watch;
        watch.room(room);
        QCOMPARE(client.room(General), room); // one Room per id, owned by the Client
        QCOMPARE(client.rooms(), QList<Room *> { room });
        QCOMPARE(room->client(), &client);
        QCOMPARE(room->joinState(), Room::JoinState::NotJoined);
    }

    void thousandMessagesInOneTurnAreOneInsert()
    {
        ChatServer server;
        Client client;
        Room *room = client.room(General);
        QAbstractItemModelTester tester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(true);
        QSignalSpy caughtUp(&client, &Client::roomCaughtUp);
        QVERIFY(connectTo(client, server));
        room->join(); // an empty room: the first page is empty, the stream starts at seq 0
        QTRY_COMPARE(caughtUp.size(), 1);
        QCOMPARE(room->joinState(), Room::JoinState::Joined);

        QSignalSpy inserted(room->messages(), &QAbstractItemModel::rowsInserted);
        QSignalSpy received(room, &Room::messageReceived);
        QSignalSpy clientReceived(&client, &Client::messageReceived);
        QSignalSpy events(&client, &Client::eventReceived);
        int rowsWhenDelivered = -1;
        connect(room, &Room::messageReceived, this,
            [&] { rowsWhenDelivered = std::max(rowsWhenDelivered, room->messages()->count()); });
        // Message 1 never comes live: 2..1000 wait above the hole while the stream pages it in;
        // the page's answer then delivers all thousand in one turn.
        server.addMany("general", 1000);
        server.holdCatchUp = true;
        for (qint64 seq = 2; seq <= 1000; ++seq)
            server.sendNew(server.stored("general", seq));
        QTRY_COMPARE(events.size(), 999);
        QTRY_COMPARE(int(server.held.size()), 1);
        JCOMPARE(server.held.front().payload,
            (json { { "roomId", "general" }, { "after", 0 }, { "limit", 100 } }));
        QCOMPARE(server.count("room:history"), 1); // one page asked, however many waited
        QCOMPARE(received.size(), 0); // held, not delivered out of order
        QCOMPARE(room->messages()->count(), 0);

        server.release();
        QTRY_COMPARE(room->messages()->count(), 1000);
        QCOMPARE(rowsWhenDelivered, 0); // every row was coalesced until the end of that turn
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), 999);
        QCOMPARE(seqsOf(received), range(1, 1000));
        QCOMPARE(seqsOf(clientReceived), range(1, 1000));
        QCOMPARE(room->unreadCount(), 1000);
        QCOMPARE(room->lastMessage().seq, 1000);
        QCOMPARE(caughtUp.size(), 1); // a hole filled is no new join

        // A replay of the same messages changes nothing.
        for (qint64 seq = 1; seq <= 1000; ++seq)
            server.sendNew(server.stored("general", seq));
        QTRY_COMPARE(events.size(), 1999);
        QCoreApplication::processEvents();
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(received.size(), 1000);
        QCOMPARE(clientReceived.size(), 1000);
        QCOMPARE(room->unreadCount(), 1000);
        QCOMPARE(server.count("room:history"), 1);
    }

    void pendingTurnsSentWithStatusRole()
    {
        ChatServer server;
        Client client;
        Room *room = client.room(General);
        QAbstractItemModelTester tester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester.setUseFetchMore(true);
        QVERIFY(connectTo(client, server));
        QSignalSpy changed(room->messages(), &QAbstractItemModel::dataChanged);
        QSignalSpy received(room, &Room::messageReceived);
        QSignalSpy clientReceived(&client, &Client::messageReceived);

        const Message pending = room->send(QStringLiteral("  hello  "));
        QCOMPARE(pending.status, Message::Status::Pending);
        QCOMPARE(pending.content, QStringLiteral("hello"));
        QVERIFY(!pending.clientId.isEmpty());
        QCOMPARE(room->joinState(), Room::JoinState::Joining); // send() joins first
        QCOMPARE(room->messages()->count(), 1);
        QCOMPARE(room->messages()->message(0).status, Message::Status::Pending);
        QCOMPARE(room->messages()->message(0).authorId, QStringLiteral("alice"));
        QVERIFY(
            room->messages()->data(room->messages()->index(0), MessageModel::IsOwnRole).toBool());
        QSignalSpy inserted(room->messages(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(room->messages(), &QAbstractItemModel::rowsRemoved);

        // Joined, then sent: the ack turns the row Sent in place.
        QTRY_COMPARE(room->messages()->message(0).status, Message::Status::Sent);
        QCOMPARE(room->joinState(), Room::JoinState::Joined);
        QCOMPARE(server.count("message:send"), 1);
        JCOMPARE(server.requestsOf("message:send").front().payload["clientId"],
            pending.clientId.toStdString());
        JCOMPARE(server.requestsOf("message:send").front().payload["content"], "hello");
        QCOMPARE(room->messages()->count(), 1);
        QCOMPARE(room->messages()->message(0).seq, 1);
        QCOMPARE(room->messages()->message(0).clientId, pending.clientId);
        bool statusChanged = false;
        for (const auto &args : changed) {
            const auto roles = args.at(2).value<QList<int>>();
            if (roles.contains(MessageModel::StatusRole))
                statusChanged = true;
        }
        QVERIFY(statusChanged);

        // The echo of our own message (seq 1) is no second row; Bob's next one is, and it is
        // the only unread message: a fence that shows the echo was handled before it.
        server.sendNew(server.add("general"));
        QTRY_COMPARE(room->messages()->count(), 2);
        QCOMPARE(room->messages()->message(0).clientId, pending.clientId);
        QCOMPARE(room->messages()->message(1).seq, 2);
        QCOMPARE(inserted.size(), 1); // Bob's row; ours never left or came back
        QCOMPARE(removed.size(), 0);
        QCOMPARE(seqsOf(received), (QList<qint64> { 1, 2 })); // our own too, once Sent
        QCOMPARE(seqsOf(clientReceived), (QList<qint64> { 1, 2 }));
        QCOMPARE(room->unreadCount(), 1); // our own message is not unread
    }

    void localValidationFails()
    {
        ChatServer server; // session:ready says maxContentLength 10
        Client client;
        Room *room = client.room(General);
        ModelWatch watch;
        watch.room(room);
        QVERIFY(connectTo(client, server));
        QCOMPARE(client.maxContentLength(), 10);
        const Message empty = room->send(QStringLiteral(" \t\n "));
        QCOMPARE(empty.status, Message::Status::Failed);
        QVERIFY(!empty.error.isEmpty());
        const Message tooLong = room->send(QStringLiteral("12345678901"));
        QCOMPARE(tooLong.status, Message::Status::Failed);
        QVERIFY(!tooLong.error.isEmpty());
        // Ten code points, twenty UTF-16 units: fits.
        const QString emoji = QString::fromUtf8("\xF0\x9F\x98\x80").repeated(10);
        const Message fits = room->send(emoji);
        QCOMPARE(fits.status, Message::Status::Pending);
        QCOMPARE(room->messages()->count(), 1); // failures never became rows
        QCOMPARE(client.pendingMessageCount(), 1);

        // Only the one that fits reached the server.
        QTRY_COMPARE(room->messages()->message(0).status, Message::Status::Sent);
        QCOMPARE(server.count("message:send"), 1);
        JCOMPARE(server.requestsOf("message:send").front().payload["content"], emoji.toStdString());
        QCOMPARE(client.pendingMessageCount(), 0);
    }

    void refusedSendFailsAndRetriesWithNewClientId()
    {
        ChatServer server;
        server.sendRefusal = json { { "code", "too_long" }, { "message", "Too long" } };
        Client client;
        Room *room = client.room(General);
        QAbstractItemModelTester tester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(connectTo(client, server));
        QSignalSpy failed(room, &Room::sendFailed);
        const Message pending = room->send(QStringLiteral("hi"));
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).toString(), pending.clientId);
        QCOMPARE(failed.first().at(1).toString(), QStringLiteral("too_long"));
        QCOMPARE(room->messages()->count(), 1);
        QCOMPARE(room->messages()->message(0).status, Message::Status::Failed);
        QCOMPARE(room->messages()->message(0).error, QStringLiteral("Too long"));
        QCOMPARE(client.pendingMessageCount(), 0); // refused for good: out of the outbox
        QCOMPARE(server.count("message:send"), 1);

        // The retry goes to the server as a new message; its answer is held, so it stays unsent.
        server.sendRefusal.reset();
        server.holdSends = true;
        QVERIFY(room->messages()->retry(pending.clientId));
        QCOMPARE(room->messages()->count(), 1); // the new send replaced the Failed row
        const Message again = room->messages()->message(0);
        QCOMPARE(again.status, Message::Status::Pending);
        QCOMPARE(again.content, QStringLiteral("hi"));
        QVERIFY(again.clientId != pending.clientId);
        bool queued = false;
        for (const Message &m : client.pendingMessages())
            queued = queued || m.clientId == again.clientId;
        QVERIFY(queued);
        QTRY_COMPARE(server.count("message:send"), 2);
        const json resent = server.requestsOf("message:send").back().payload;
        JCOMPARE(resent["clientId"], again.clientId.toStdString());
        JCOMPARE(resent["content"], "hi");
        JCOMPARE(resent["roomId"], "general");

        // Discarding an unsent row takes it out of the outbox too.
        const int before = client.pendingMessageCount();
        QVERIFY(room->messages()->discard(again.clientId));
        QCOMPARE(client.pendingMessageCount(), before - 1);
        QCOMPARE(room->messages()->count(), 0);
    }

    void joinAnswerFeedsModelsAndRoomList()
    {
        ChatServer server;
        server.addMany("general", 53);
        server.joinPageSize = 3;
        server.holdOlderPages = true; // answered at the end
        Client client;
        QAbstractItemModelTester listTester(
            client.roomList(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Room *room = client.room(General);
        QAbstractItemModelTester messageTester(
            room->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        messageTester.setUseFetchMore(true);
        QAbstractItemModelTester memberTester(
            room->members(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        Room *random = client.room(QStringLiteral("random")); // made, never joined
        ModelWatch watchRandom;
        watchRandom.room(random);
        QSignalSpy user(&client, &Client::userChanged);
        QSignalSpy presence(&client, &Client::presenceChanged);
        QSignalSpy caughtUp(&client, &Client::roomCaughtUp);
        QSignalSpy clientReceived(&client, &Client::messageReceived);
        QSignalSpy received(room, &Room::messageReceived);
        QVERIFY(connectTo(client, server));
        QCOMPARE(user.size(), 1);
        QCOMPARE(client.userId(), QStringLiteral("alice"));
        QCOMPARE(client.userName(), QStringLiteral("Alice"));
        QCOMPARE(client.roomList()->count(), 2);
        QCOMPARE(room->name(), QStringLiteral("General"));
        QVERIFY(client.isOnline(QStringLiteral("bob")));
        QCOMPARE(presence.size(), 2);
        QCOMPARE(
            client.onlineUsers(), (QStringList { QStringLiteral("alice"), QStringLiteral("bob") }));

        QSignalSpy joined(room, &Room::joined);
        room->join();
        QCOMPARE(room->joinState(), Room::JoinState::Joining);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QCOMPARE(joined.size(), 1);
        QCOMPARE(server.count("room:join"), 1);
        QCOMPARE(room->messages()->count(), 3);
        QCOMPARE(room->messages()->message(0).seq, 51);
        QVERIFY(room->messages()->hasMoreHistory());
        QCOMPARE(room->members()->count(), 2);
        QCOMPARE(room->unreadCount(), 0); // the join's page is history, not news
        QCOMPARE(received.size(), 0);
        QCOMPARE(clientReceived.size(), 0);
        QCOMPARE(room->lastMessage().seq, 53);
        QTRY_COMPARE(caughtUp.size(), 1);
        QCOMPARE(caughtUp.first().at(0).toString(), General);
        const int row = client.roomList()->rowOf(General);
        QTRY_COMPARE(client.roomList()->room(row).lastMessage, QStringLiteral("message 53"));
        QVERIFY(client.roomList()->room(row).joined);
        QCOMPARE(client.roomList()->room(row).unreadCount, 0);

        // 55 comes before 54: it waits while the stream pages the hole in; the page brings both
        // in order, in one turn, so the room list's row changes once for the burst.
        server.addMany("general", 2);
        server.holdCatchUp = true;
        server.sendNew(server.stored("general", 55));
        QTRY_COMPARE(int(server.held.size()), 1);
        JCOMPARE(server.held.front().payload,
            (json { { "roomId", "general" }, { "after", 53 }, { "limit", 100 } }));
        QCOMPARE(received.size(), 0);
        QCOMPARE(room->unreadCount(), 0);
        QSignalSpy rowChanged(client.roomList(), &QAbstractItemModel::dataChanged);
        server.release();
        QTRY_COMPARE(room->unreadCount(), 2);
        QCOMPARE(seqsOf(received), (QList<qint64> { 54, 55 }));
        QCOMPARE(seqsOf(clientReceived), (QList<qint64> { 54, 55 }));
        QCOMPARE(room->lastMessage().seq, 55);
        QTRY_COMPARE(room->messages()->count(), 5);
        QTRY_COMPARE(client.roomList()->room(row).unreadCount, 2);
        QCOMPARE(client.roomList()->room(row).lastMessage, QStringLiteral("message 55"));
        QCOMPARE(rowChanged.size(), 2); // the preview, then the unread count
        room->markRead();
        QCOMPARE(room->unreadCount(), 0);
        QCOMPARE(client.roomList()->totalUnread(), 0);

        // A room not kept joined gets nothing: not its Room, not the room list, not the Client.
        // General's next message is the fence: by then those two were handled.
        json elsewhere = server.add("random");
        server.sendNew(elsewhere);
        server.sendNew(elsewhere); // a duplicate
        server.sendNew(server.add("general"));
        QTRY_COMPARE(client.roomList()->room(row).lastMessage, QStringLiteral("message 56"));
        QCOMPARE(room->unreadCount(), 1);
        QCOMPARE(seqsOf(clientReceived), (QList<qint64> { 54, 55, 56 }));
        QCOMPARE(random->messages()->count(), 0);
        QCOMPARE(random->unreadCount(), 0);
        QCOMPARE(random->lastMessage().seq, 0);
        const int randomRow = client.roomList()->rowOf(QStringLiteral("random"));
        QCOMPARE(client.roomList()->room(randomRow).unreadCount, 0);
        QCOMPARE(client.roomList()->room(randomRow).lastMessage, QString());
        QCOMPARE(caughtUp.size(), 1); // filling a hole is no new join

        // The older page, asked once however often fetchMore is called (the tester calls it
        // on every change of the model): history above the first page, no news.
        room->messages()->fetchMoreHistory();
        room->messages()->fetchMoreHistory();
        QTRY_COMPARE(int(server.held.size()), 1);
        JCOMPARE(server.held.front().payload,
            (json { { "roomId", "general" }, { "before", 51 }, { "limit", 50 } }));
        QCOMPARE(server.count("room:history"), 2); // the hole's page, this one
        server.release();
        QTRY_COMPARE(room->messages()->count(), 56);
        QCOMPARE(room->messages()->message(0).seq, 1);
        QVERIFY(!room->messages()->hasMoreHistory());
        QCOMPARE(received.size(), 3);
        QCOMPARE(room->unreadCount(), 1);
    }

    void refusedJoinIsFailedWithTheCode()
    {
        ChatServer server;
        server.joinRefusals["staff"] = json { { "code", "access_denied" }, { "message", "No" } };
        Client client;
        Room *room = client.room(QStringLiteral("staff"));
        ModelWatch watch;
        watch.room(room);
        QVERIFY(connectTo(client, server));
        QSignalSpy failed(room, &Room::joinFailed);
        QSignalSpy clientFailed(&client, &Client::roomJoinFailed);
        room->join();
        QCOMPARE(room->joinState(), Room::JoinState::Joining);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Failed);
        QCOMPARE(room->errorCode(), QStringLiteral("access_denied"));
        QCOMPARE(room->errorString(), QStringLiteral("No"));
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).toString(), QStringLiteral("access_denied"));
        QCOMPARE(clientFailed.size(), 1);
        QCOMPARE(clientFailed.first().at(0).toString(), QStringLiteral("staff"));
        QVERIFY(!client.joinedRooms().contains(QStringLiteral("staff"))); // no longer kept
        QCOMPARE(server.count("room:join"), 1);

        room->join(); // tries again, on the wire
        QCOMPARE(room->joinState(), Room::JoinState::Joining);
        QTRY_COMPARE(failed.size(), 2);
        QCOMPARE(server.count("room:join"), 2);
        QCOMPARE(room->joinState(), Room::JoinState::Failed);
    }

    void outboxEchoOnRoomCreation()
    {
        ChatServer server;
        Client client;
        const QUuid queued = client.sendMessage(General, QStringLiteral("from before"));
        QVERIFY(!queued.isNull());
        Room *room = client.room(General); // created after the send: shows it as Pending
        ModelWatch watch;
        watch.room(room);
        QCOMPARE(room->messages()->count(), 1);
        const QString clientId = queued.toString(QUuid::WithoutBraces);
        QCOMPARE(room->messages()->message(0).clientId, clientId);
        QCOMPARE(room->messages()->message(0).status, Message::Status::Pending);
        // The Client keeps the room joined for the outbox; the Room follows.
        QCOMPARE(room->joinState(), Room::JoinState::Joining);

        // Once connected, the room is joined and the queued message sent: the same row, Sent.
        QVERIFY(connectTo(client, server));
        QTRY_COMPARE(room->messages()->message(0).status, Message::Status::Sent);
        QCOMPARE(room->joinState(), Room::JoinState::Joined);
        QCOMPARE(room->messages()->count(), 1);
        QCOMPARE(room->messages()->message(0).clientId, clientId);
        QCOMPARE(server.count("message:send"), 1);
        JCOMPARE(
            server.requestsOf("message:send").front().payload["clientId"], clientId.toStdString());
        QCOMPARE(client.pendingMessageCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRoom)
#include "tst_room.moc"
