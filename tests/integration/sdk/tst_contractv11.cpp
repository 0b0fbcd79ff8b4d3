// SPDX-License-Identifier: MIT
// Contract v1.1 in the SDK, against ChatScript (a scripted v1.1 or v1 server): the new Message
// fields on both parsers, features, changes through the outbox, the rooms layer's change stream
// (rev order, gaps, catch-up after an outage longer than one page) and read markers across two
// devices of one user; and a v1 server, where the new calls fail at once with Unsupported.
#include "chatscript.h"
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>
#include <Palaver/roomsummary.h>

#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>
#include <QTimer>
#include <QWebSocket>

#include <memory>

using namespace Palaver;
using nlohmann::json;

Q_DECLARE_METATYPE(Palaver::Protocol::ParserKind)

namespace {

std::unique_ptr<Client> clientOf(ChatScript &server, const QString &user,
    Palaver::Protocol::ParserKind parser = Palaver::Protocol::ParserKind::Json)
{
    auto client = std::make_unique<Client>();
    client->setUrl(server.url());
    client->setToken(user);
    if (parser == Palaver::Protocol::ParserKind::Msgpack)
        client->setParser(Client::Parser::MessagePack);
    ReconnectPolicy policy;
    policy.setInitialDelay(50);
    policy.setMaxDelay(200);
    client->setReconnectPolicy(policy);
    return client;
}

//! Joins `general` and waits for it.
Room *joined(Client &client)
{
    Room *room = client.room(QStringLiteral("general"));
    room->join();
    client.open();
    return room;
}

QList<Message> messagesOf(const QSignalSpy &spy)
{
    QList<Message> out;
    for (const QList<QVariant> &args : spy)
        out.append(args.at(0).value<Message>());
    return out;
}

json serverMessage(ChatScript &server, const std::string &id)
{
    for (const json &m : server.messages("general")) {
        if (m["id"] == id)
            return m;
    }
    return {};
}

} // namespace

class TestContractV11 : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Message>();
        qRegisterMetaType<Client::Error>();
    }

    void newFieldsAndFeatures_data()
    {
        QTest::addColumn<Palaver::Protocol::ParserKind>("parser");
        QTest::newRow("json") << Palaver::Protocol::ParserKind::Json;
        QTest::newRow("msgpack") << Palaver::Protocol::ParserKind::Msgpack;
    }
    void newFieldsAndFeatures()
    {
        QFETCH(Palaver::Protocol::ParserKind, parser);
        ChatScript server;
        server.raw.parser = parser;
        QVERIFY(server.listen());
        server.post(QStringLiteral("bob"), "general", "first");
        auto alice = clientOf(server, QStringLiteral("alice"), parser);
        QSignalSpy features(alice.get(), &Client::featuresChanged);
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QCOMPARE(features.size(), 1);
        QCOMPARE(alice->features(),
            QStringList(
                { QStringLiteral("delete"), QStringLiteral("edit"), QStringLiteral("mention"),
                    QStringLiteral("react"), QStringLiteral("read"), QStringLiteral("reply") }));
        QVERIFY(alice->supports(QStringLiteral("react")));
        QCOMPARE(alice->roomList()->room(0).lastSeq, 1);
        QCOMPARE(alice->roomList()->room(0).readSeq, 0);

        // A message with every v1.1 field, live: the receive path's decoders of both parsers.
        QSignalSpy received(alice.get(), &Client::messageReceived);
        json m = { { "id", "m2" }, { "roomId", "general" }, { "seq", 2 }, { "userId", "bob" },
            { "userName", "Bob" }, { "content", "@alice see above" },
            { "createdAt", "2024-05-01T12:00:00.000Z" }, { "rev", 0 },
            { "editedAt", "2024-05-01T12:00:01.000Z" }, { "deleted", false },
            { "deletedAt", nullptr }, { "reactions", { { "ok", { "alice", "bob" } } } },
            { "replyTo",
                { { "id", "m1" }, { "seq", 1 }, { "userId", "bob" }, { "userName", "Bob" },
                    { "excerpt", "first" }, { "deleted", false } } },
            { "mentions", { "alice" } } };
        server.messages("general").push_back(m);
        server.raw.sendEvent(server.raw.last(), "message:new", json::array({ m }));
        QTRY_COMPARE(received.size(), 1);
        const Message got = received.at(0).at(0).value<Message>();
        QCOMPARE(got.seq, 2);
        QVERIFY(got.isEdited());
        QCOMPARE(got.editedAt, QDateTime(QDate(2024, 5, 1), QTime(12, 0, 1), QTimeZone::utc()));
        QVERIFY(!got.deleted && !got.deletedAt.isValid());
        QCOMPARE(got.reactions.size(), 1);
        QCOMPARE(got.reactions.at(0).emoji, QStringLiteral("ok"));
        QCOMPARE(got.reactions.at(0).userIds,
            QStringList({ QStringLiteral("alice"), QStringLiteral("bob") }));
        QCOMPARE(got.replyTo.id, QStringLiteral("m1"));
        QCOMPARE(got.replyTo.seq, 1);
        QCOMPARE(got.replyTo.authorName, QStringLiteral("Bob"));
        QCOMPARE(got.replyTo.excerpt, QStringLiteral("first"));
        QCOMPARE(got.mentions, QStringList({ QStringLiteral("alice") }));
        // The join page (an ack, the generic path) has the v1.1 defaults of a fresh message.
        QCOMPARE(room->lastMessage().id, QStringLiteral("m2"));
    }

    void v1ServerRefusesTheNewCallsAtOnce()
    {
        ChatScript server;
        server.v11 = false;
        QVERIFY(server.listen());
        server.post(QStringLiteral("bob"), "general", "first");
        auto alice = clientOf(server, QStringLiteral("alice"));
        QSignalSpy ready(alice.get(), &Client::sessionReady);
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QCOMPARE(ready.size(), 1);
        QVERIFY(alice->features().isEmpty());
        QSignalSpy errors(alice.get(), &Client::errorOccurred);
        const QString id = QStringLiteral("m1");
        const Message results[] = { room->edit(id, QStringLiteral("x")), room->remove(id),
            room->react(id, QStringLiteral("ok")), room->reply(id, QStringLiteral("y")) };
        const char *features[] = { "edit", "delete", "react", "reply" };
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(results[i].status, Message::Status::Failed);
            QVERIFY2(results[i].error.contains(QLatin1String(features[i])),
                qPrintable(results[i].error));
            QCOMPARE(errors.at(i).at(0).value<Client::Error>(), Client::Error::Unsupported);
        }
        QCOMPARE(errors.size(), 4);
        room->markRead();
        QCOMPARE(room->unreadCount(), 0);
        // The rest of v1 works: a send goes and comes back.
        QSignalSpy acked(alice.get(), &Client::messageAcked);
        QCOMPARE(room->send(QStringLiteral("still here")).status, Message::Status::Pending);
        QTRY_COMPARE(acked.size(), 1);
        QCOMPARE(server.messages("general").size(), std::size_t(2));
        for (const char *event :
            { "message:edit", "message:delete", "message:react", "room:read", "room:updates" })
            QVERIFY2(!server.requests.contains(QLatin1String(event)), event);
        QVERIFY(!server.payloads("message:send").back().contains("replyTo"));
    }

    void changesMadeOfflineArriveOnceAfterReconnect()
    {
        ChatScript server;
        server.updatesPageLimit = 2; // the outage spans more than one room:updates page
        QVERIFY(server.listen());
        auto alice1 = clientOf(server, QStringLiteral("alice"));
        auto alice2 = clientOf(server, QStringLiteral("alice"));
        auto bob = clientOf(server, QStringLiteral("bob"));
        Room *room1 = joined(*alice1);
        Room *room2 = joined(*alice2);
        Room *bobRoom = joined(*bob);
        QTRY_COMPARE(room1->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(room2->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
        QSignalSpy received2(room2, &Room::messageReceived);
        for (const char *text : { "one", "two", "three" })
            bobRoom->send(QString::fromLatin1(text));
        QTRY_COMPARE(received2.size(), 3);

        alice2->close();
        QSignalSpy live1(room1, &Room::messageUpdated);
        QSignalSpy bobFailed(bobRoom, &Room::changeFailed);
        // Through bob's outbox, in order: five changes of three messages.
        QCOMPARE(bobRoom->edit(QStringLiteral("m1"), QStringLiteral("one!")).status,
            Message::Status::Pending);
        QCOMPARE(bobRoom->react(QStringLiteral("m2"), QStringLiteral("\U0001F44D")).status,
            Message::Status::Pending);
        QCOMPARE(bobRoom->remove(QStringLiteral("m3")).status, Message::Status::Pending);
        bobRoom->edit(QStringLiteral("m1"), QStringLiteral("one!!"));
        room1->react(QStringLiteral("m1"), QStringLiteral("\U0001F389"));
        QTRY_COMPARE(server.rev("general"), 5);
        QTRY_COMPARE(live1.size(), 5);
        QCOMPARE(bobFailed.size(), 0);
        qint64 rev = 0;
        for (const Message &m : messagesOf(live1))
            QCOMPARE(m.rev, ++rev); // live: every change, in rev order

        QSignalSpy caughtUp(room2, &Room::messageUpdated);
        QSignalSpy caughtUpClient(alice2.get(), &Client::messageUpdated);
        const auto updatesBefore = server.payloads("room:updates").size();
        alice2->open();
        QTRY_COMPARE(caughtUp.size(), 3);
        // Each changed message once, in rev order, in the server's current state.
        const QList<Message> changes = messagesOf(caughtUp);
        QCOMPARE(changes.at(0).id, QStringLiteral("m2"));
        QCOMPARE(changes.at(1).id, QStringLiteral("m3"));
        QCOMPARE(changes.at(2).id, QStringLiteral("m1"));
        QCOMPARE(changes.at(2).rev, 5);
        QCOMPARE(changes.at(2).content, QStringLiteral("one!!"));
        QCOMPARE(changes.at(2).reactions.size(), 1);
        QCOMPARE(changes.at(2).reactions.at(0).userIds, QStringList { QStringLiteral("alice") });
        QVERIFY(changes.at(1).deleted && changes.at(1).content.isEmpty());
        QCOMPARE(changes.at(0).reactions.at(0).emoji, QStringLiteral("\U0001F44D"));
        QCOMPARE(messagesOf(caughtUpClient), changes);
        QVERIFY(server.payloads("room:updates").size() >= updatesBefore + 2); // paged
        // Nothing more comes (no duplicates from live broadcasts or the re-join).
        bobRoom->react(QStringLiteral("m1"), QStringLiteral("ok"));
        QTRY_COMPARE(caughtUp.size(), 4);
        QCOMPARE(messagesOf(caughtUp).last().rev, 6);
        QCOMPARE(received2.size(), 3);
    }

    void liveRevGapIsFilled()
    {
        ChatScript server;
        server.broadcastChange = [](std::int64_t rev) { return rev != 2; };
        QVERIFY(server.listen());
        server.post(QStringLiteral("bob"), "general", "a");
        server.post(QStringLiteral("bob"), "general", "b");
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QSignalSpy updated(room, &Room::messageUpdated);
        const QString bob = QStringLiteral("bob");
        server.change(bob, "message:edit",
            { { "roomId", "general" }, { "messageId", "m1" }, { "content", "a1" } });
        server.change(bob, "message:edit",
            { { "roomId", "general" }, { "messageId", "m2" }, { "content", "b1" } });
        server.change(bob, "message:edit",
            { { "roomId", "general" }, { "messageId", "m1" }, { "content", "a2" } });
        QTRY_COMPARE(updated.size(), 3);
        const QList<Message> got = messagesOf(updated);
        QCOMPARE(got.at(0).rev, 1);
        QCOMPARE(got.at(1).rev, 2);
        QCOMPARE(got.at(1).content, QStringLiteral("b1"));
        QCOMPARE(got.at(2).rev, 3);
        QCOMPARE(got.at(2).content, QStringLiteral("a2"));
        QCOMPARE(server.payloads("room:updates").back().value("afterRev", -1), 1);
    }

    void ourWaitingChangesStayShownWhenOtherNewsOfTheMessageComes()
    {
        // Our edit and reaction wait for the server while another user's reaction of the same
        // message arrives: the row shows the server's news with our changes still made to it,
        // and once they are answered, the server's state.
        ChatScript server;
        QVERIFY(server.listen());
        server.post(QStringLiteral("alice"), "general", "typo");
        server.holdRequest = [](const std::string &event) {
            return event == "message:edit" || event == "message:react";
        };
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        MessageModel *model = room->messages();
        QCOMPARE(room->edit(QStringLiteral("m1"), QStringLiteral("fixed")).status,
            Message::Status::Pending);
        QCOMPARE(room->react(QStringLiteral("m1"), QStringLiteral("ok"), true).status,
            Message::Status::Pending);
        QTRY_COMPARE(server.heldCount(), 2);

        server.change(QStringLiteral("bob"), "message:react",
            { { "roomId", "general" }, { "messageId", "m1" }, { "emoji", "ok" }, { "add", true } });
        QTRY_COMPARE(model->message(0).rev, 1); // bob's reaction is in
        Message row = model->message(0);
        QCOMPARE(row.content, QStringLiteral("fixed"));
        QVERIFY(row.isEdited());
        QCOMPARE(row.reactions.size(), 1);
        QCOMPARE(row.reactions.value(0).userIds,
            (QStringList { QStringLiteral("alice"), QStringLiteral("bob") }));

        server.releaseHeld();
        QTRY_COMPARE(model->message(0).rev, serverMessage(server, "m1")["rev"].get<qint64>());
        row = model->message(0);
        QCOMPARE(row.content, QStringLiteral("fixed"));
        QCOMPARE(row.reactions.value(0).userIds,
            (QStringList { QStringLiteral("alice"), QStringLiteral("bob") }));
        QCOMPARE(row.editedAt.toString(Qt::ISODateWithMs),
            QString::fromStdString(serverMessage(server, "m1")["editedAt"].get<std::string>()));
    }

    void changeOfAMessageWhoseNewsIsLateComesWithTheNews()
    {
        // Bob's message's news is lost, a reaction to it arrives live; the next message reveals
        // the hole and the catch-up page brings the news. No consumer hears of the change
        // before the message itself, and every path ends on the newest state.
        ChatScript server;
        server.broadcastNews = [](std::int64_t seq) { return seq != 1; };
        QVERIFY(server.listen());
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QStringList heard; //!< what the Client's signals told, in order
        connect(alice.get(), &Client::messageReceived, this, [&](const Message &m) {
            heard
                << QStringLiteral("new %1 rev %2 %3").arg(m.id).arg(m.rev).arg(m.reactions.size());
        });
        connect(alice.get(), &Client::messageUpdated, this,
            [&](const Message &m) { heard << QStringLiteral("updated %1").arg(m.id); });
        const QString bob = QStringLiteral("bob");
        server.post(bob, "general", "lost news");
        server.change(bob, "message:react",
            { { "roomId", "general" }, { "messageId", "m1" }, { "emoji", "ok" }, { "add", true } });
        server.post(bob, "general", "next");
        QTRY_COMPARE(room->messages()->count(), 2);
        QTRY_COMPARE(heard.size(), 2);
        QCOMPARE(heard,
            (QStringList { QStringLiteral("new m1 rev 1 1"), QStringLiteral("new m2 rev 0 0") }));
        const Message row = room->messages()->message(0);
        QCOMPARE(row.rev, 1);
        QCOMPARE(row.reactions.value(0).userIds, QStringList { bob });
        // The change is not lost for later either: the next one is delivered as usual.
        server.change(bob, "message:edit",
            { { "roomId", "general" }, { "messageId", "m1" }, { "content", "found" } });
        QTRY_COMPARE(heard.size(), 3);
        QCOMPARE(heard.back(), QStringLiteral("updated m1"));
        QCOMPARE(room->messages()->message(0).content, QStringLiteral("found"));
    }

    void readOnOneDeviceClearsUnreadOnTheOther()
    {
        ChatScript server;
        QVERIFY(server.listen());
        auto alice1 = clientOf(server, QStringLiteral("alice"));
        auto alice2 = clientOf(server, QStringLiteral("alice"));
        Room *room1 = joined(*alice1);
        Room *room2 = joined(*alice2);
        QTRY_COMPARE(room1->joinState(), Room::JoinState::Joined);
        QTRY_COMPARE(room2->joinState(), Room::JoinState::Joined);
        server.post(QStringLiteral("bob"), "general", "hello");
        server.post(QStringLiteral("bob"), "general", "again");
        QTRY_COMPARE(room1->unreadCount(), 2);
        QTRY_COMPARE(room2->unreadCount(), 2);
        QCOMPARE(room2->mentionCount(), 0);
        // A mention of alice by bob counts; alice's own mention of herself does not.
        json mention = { { "id", "m3" }, { "roomId", "general" }, { "seq", 3 }, { "userId", "bob" },
            { "content", "@alice" }, { "rev", 0 }, { "mentions", { "alice" } } };
        json own = { { "id", "m4" }, { "roomId", "general" }, { "seq", 4 }, { "userId", "alice" },
            { "content", "@alice" }, { "rev", 0 }, { "mentions", { "alice" } } };
        for (json *m : { &mention, &own }) {
            server.messages("general").push_back(*m);
            for (QWebSocket *socket : server.raw.sockets())
                server.raw.sendEvent(socket, "message:new", json::array({ *m }));
        }
        QTRY_COMPARE(room2->lastMessage().seq, 4);
        QCOMPARE(room2->mentionCount(), 1);
        QCOMPARE(room2->unreadCount(), 3);
        // The room list shows it too (a mention badge apart from the unread count).
        RoomListModel *list2 = alice2->roomList();
        const QModelIndex row2 = list2->index(list2->rowOf(QStringLiteral("general")));
        QCOMPARE(list2->data(row2, RoomListModel::MentionCountRole).toInt(), 1);
        // The list counts a turn's messages at the end of that turn.
        QTRY_COMPARE(list2->data(row2, RoomListModel::UnreadCountRole).toInt(), 3);
        QTRY_COMPARE(room1->lastMessage().seq, 4);
        QSignalSpy marker2(room2, &Room::readSeqChanged);
        room1->markRead();
        QCOMPARE(room1->unreadCount(), 0);
        QTRY_COMPARE(room2->unreadCount(), 0);
        QCOMPARE(room2->mentionCount(), 0);
        QCOMPARE(list2->data(row2, RoomListModel::MentionCountRole).toInt(), 0);
        QCOMPARE(room2->readSeq(), 4);
        QCOMPARE(room1->readSeq(), 4);
        QCOMPARE(marker2.size(), 1);
        QCOMPARE(server.readSeq(QStringLiteral("alice"), "general"), 4);

        // Set offline: sent once connected, only the highest.
        alice1->close();
        server.post(QStringLiteral("bob"), "general", "third");
        QTRY_COMPARE(room2->unreadCount(), 1);
        alice1->open();
        QTRY_COMPARE(room1->lastMessage().seq, 5);
        alice1->close();
        room1->markRead();
        room1->markRead();
        const auto readsBefore = server.payloads("room:read").size();
        alice1->open();
        QTRY_COMPARE(room2->unreadCount(), 0);
        QCOMPARE(server.payloads("room:read").size(), readsBefore + 1);
        QCOMPARE(server.payloads("room:read").back().value("seq", 0), 5);
    }

    void roomListShowsUnreadBeforeAJoin()
    {
        ChatScript server;
        QVERIFY(server.listen());
        for (const char *text : { "a", "b", "c" })
            server.post(QStringLiteral("bob"), "general", text);
        auto phone = clientOf(server, QStringLiteral("alice"));
        phone->open(); // joins nothing: the list alone
        QTRY_COMPARE(phone->roomList()->count(), 1);
        QCOMPARE(phone->roomList()->room(0).unreadCount, 3);
        QCOMPARE(phone->roomList()->room(0).lastSeq, 3);

        auto desktop = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*desktop);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        room->markRead();
        QTRY_COMPARE(phone->roomList()->room(0).unreadCount, 0);
        QCOMPARE(phone->roomList()->room(0).readSeq, 3);
    }

    void queuedEditOfAQueuedMessageEditsItsContent()
    {
        ChatScript server;
        QVERIFY(server.listen());
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = alice->room(QStringLiteral("general"));
        const Message pending = room->send(QStringLiteral("draft"));
        QCOMPARE(pending.status, Message::Status::Pending);
        const Message edited = room->edit(pending.clientId, QStringLiteral("  final  "));
        QCOMPARE(edited.status, Message::Status::Pending);
        QCOMPARE(edited.content, QStringLiteral("final"));
        QCOMPARE(alice->pendingMessages().value(0).content, QStringLiteral("final"));
        QCOMPARE(room->messages()->count(), 1); // the Pending row shows the edit
        QCOMPARE(room->messages()->message(0).content, QStringLiteral("final"));
        QSignalSpy acked(alice.get(), &Client::messageAcked);
        alice->open();
        QTRY_COMPARE(acked.size(), 1);
        QCOMPARE(server.messages("general").size(), std::size_t(1));
        QVERIFY(server.messages("general").front()["content"] == "final");
        QVERIFY(!server.requests.contains(QStringLiteral("message:edit")));
    }

    void changeOfAMessageStillOnItsWayWaitsForItsId()
    {
        ChatScript server;
        QVERIFY(server.listen());
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = alice->room(QStringLiteral("general"));
        const Message pending = room->send(QStringLiteral("hi"));
        room->react(pending.clientId, QStringLiteral("ok"));
        QSignalSpy updated(room, &Room::messageUpdated);
        alice->open();
        QTRY_COMPARE(updated.size(), 1);
        QVERIFY(server.payloads("message:react").front()["messageId"] == "m1");
        QCOMPARE(
            updated.at(0).at(0).value<Message>().reactions.value(0).emoji, QStringLiteral("ok"));
    }

    void changeByTheClientIdOfAnAcknowledgedSendNamesItsId()
    {
        ChatScript server;
        QVERIFY(server.listen());
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QSignalSpy acked(alice.get(), &Client::messageAcked);
        const Message sent = room->send(QStringLiteral("typo"));
        QTRY_COMPARE(acked.size(), 1);
        // The app kept what send() returned: its clientId still names the message.
        QSignalSpy updated(room, &Room::messageUpdated);
        QCOMPARE(
            room->edit(sent.clientId, QStringLiteral("fixed")).status, Message::Status::Pending);
        QCOMPARE(room->messages()->message(0).content, QStringLiteral("fixed")); // at once
        QTRY_COMPARE(updated.size(), 1);
        QVERIFY(server.payloads("message:edit").front()["messageId"] == "m1");
        QVERIFY(serverMessage(server, "m1")["content"] == "fixed");
        QVERIFY(!serverMessage(server, "m1")["editedAt"].is_null());
    }

    void editOfASendWhoseAnswerWasLostGoesAsAnEdit()
    {
        // The server stored the send but its answer was lost: a retry with the same clientId
        // gets the stored message back, so changing the queued content would lose the edit.
        ChatScript server;
        QVERIFY(server.listen());
        bool lose = true;
        server.loseAnswer = [&](const std::string &event) {
            if (event != "message:send" || !std::exchange(lose, false))
                return false;
            QTimer::singleShot(0, &server, [&server] { server.raw.dropAll(); });
            return true;
        };
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QSignalSpy disconnected(alice.get(), &Client::disconnected);
        const Message sent = room->send(QStringLiteral("typo"));
        QTRY_COMPARE(disconnected.size(), 1);
        QCOMPARE(server.messages("general").size(), std::size_t(1));
        QCOMPARE(
            room->edit(sent.clientId, QStringLiteral("fixed")).status, Message::Status::Pending);
        QTRY_COMPARE(alice->state(), Client::State::Connected);
        QTRY_VERIFY(serverMessage(server, "m1")["content"] == "fixed");
        QCOMPARE(server.messages("general").size(), std::size_t(1));
        QCOMPARE(server.payloads("message:send").size(), std::size_t(2)); // the retry
        QVERIFY(server.payloads("message:send").back()["content"] == "typo");
        QVERIFY(server.payloads("message:edit").front()["messageId"] == "m1");
        QTRY_COMPARE(room->messages()->message(0).content, QStringLiteral("fixed"));
        QTRY_COMPARE(alice->pendingMessageCount(), 0);
    }

    void changesOfASendWhoseNewsCameFirstKeepTheirOrder()
    {
        // The send's answer is late; an edit made meanwhile waits for the message's id. The
        // message's news names it first, and a delete made then must still go after the edit
        // (found by tst_chaos: the delete overtook the edit, which then met the tombstone).
        ChatScript server;
        QVERIFY(server.listen());
        bool late = true;
        server.loseAnswer = [&](const std::string &event) {
            return event == "message:send" && std::exchange(late, false);
        };
        auto alice = clientOf(server, QStringLiteral("alice"));
        alice->setRequestTimeout(0); // the answer never comes: a reconnect sends again
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QSignalSpy failed(room, &Room::changeFailed);
        const Message sent = room->send(QStringLiteral("typo"));
        QCOMPARE(
            room->edit(sent.clientId, QStringLiteral("fixed")).status, Message::Status::Pending);
        QTRY_COMPARE(room->messages()->message(0).id, QStringLiteral("m1")); // the news
        QCOMPARE(alice->pendingMessageCount(), 1); // still no answer
        QCOMPARE(room->remove(sent.clientId).status, Message::Status::Pending);
        QVERIFY(room->messages()->message(0).deleted); // shown at once
        QTRY_VERIFY(serverMessage(server, "m1")["deleted"] == true);
        QVERIFY(serverMessage(server, "m1")["editedAt"].is_string()); // the edit came first
        QStringList changes = server.requests;
        changes.removeIf(
            [](const QString &e) { return !e.startsWith(QStringLiteral("message:")); });
        QCOMPARE(changes,
            QStringList({ QStringLiteral("message:send"), QStringLiteral("message:edit"),
                QStringLiteral("message:delete") }));
        server.raw.dropAll(); // the send goes again and is answered
        QTRY_COMPARE(alice->pendingMessageCount(), 0);
        QTRY_COMPARE(room->messages()->message(0).rev, serverMessage(server, "m1")["rev"]);
        QVERIFY(room->messages()->message(0).deleted);
        QCOMPARE(failed.size(), 0);
    }

    void changeRetriedAfterOurDeleteIsNotAFailure()
    {
        // An edit and then a delete of the same message, both answers lost: the retried edit
        // meets the tombstone and is refused. The user's last word was the delete, so that is
        // no failure to report.
        ChatScript server;
        QVERIFY(server.listen());
        server.post(QStringLiteral("alice"), "general", "typo");
        server.loseAnswer = [&](const std::string &event) {
            if (server.raw.connectionCount > 1)
                return false; // the retries are answered
            if (event == "message:delete")
                QTimer::singleShot(0, &server, [&server] { server.raw.dropAll(); });
            return event == "message:edit" || event == "message:delete";
        };
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QSignalSpy failed(room, &Room::changeFailed);
        QSignalSpy disconnected(alice.get(), &Client::disconnected);
        QCOMPARE(room->edit(QStringLiteral("m1"), QStringLiteral("fixed")).status,
            Message::Status::Pending);
        QCOMPARE(room->remove(QStringLiteral("m1")).status, Message::Status::Pending);
        QTRY_COMPARE(disconnected.size(), 1);
        QVERIFY(serverMessage(server, "m1")["deleted"] == true);
        QTRY_COMPARE(server.payloads("message:delete").size(), std::size_t(2));
        QCOMPARE(server.payloads("message:edit").size(), std::size_t(2)); // retried, refused
        QTRY_COMPARE(room->messages()->message(0).rev, serverMessage(server, "m1")["rev"]);
        QVERIFY(room->messages()->message(0).deleted);
        QTRY_COMPARE(alice->pendingMessageCount(), 0);
        QCOMPARE(failed.size(), 0);
    }

    void changeRetriedAfterATimeoutMeetsOurDeleteQuietly()
    {
        // The edit's answer is lost on a live connection; the delete behind it is answered, and
        // the edit's retry after its timeout meets our own tombstone: still no failure.
        ChatScript server;
        QVERIFY(server.listen());
        server.post(QStringLiteral("alice"), "general", "typo");
        bool lose = true;
        server.loseAnswer = [&](const std::string &event) {
            return event == "message:edit" && std::exchange(lose, false);
        };
        auto alice = clientOf(server, QStringLiteral("alice"));
        Room *room = joined(*alice);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        alice->setRequestTimeout(300);
        QSignalSpy failed(room, &Room::changeFailed);
        QCOMPARE(room->edit(QStringLiteral("m1"), QStringLiteral("fixed")).status,
            Message::Status::Pending);
        QCOMPARE(room->remove(QStringLiteral("m1")).status, Message::Status::Pending);
        QTRY_COMPARE(server.payloads("message:edit").size(), std::size_t(2)); // retried
        QTRY_COMPARE(room->messages()->message(0).rev, serverMessage(server, "m1")["rev"]);
        QVERIFY(room->messages()->message(0).deleted);
        QCOMPARE(server.payloads("message:delete").size(), std::size_t(1));
        QCOMPARE(failed.size(), 0);
        // A change made after our delete is refused as any other would be.
        QCOMPARE(room->edit(QStringLiteral("m1"), QStringLiteral("again")).status,
            Message::Status::Pending);
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("invalid"));
    }

    void refusedEditReportsTheReason()
    {
        ChatScript server;
        QVERIFY(server.listen());
        server.post(QStringLiteral("alice"), "general", "mine");
        auto bob = clientOf(server, QStringLiteral("bob"));
        Room *room = joined(*bob);
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        QSignalSpy failed(room, &Room::changeFailed);
        QSignalSpy updated(room, &Room::messageUpdated);
        MessageModel *model = room->messages();
        QCOMPARE(model->count(), 1);
        QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
        QCOMPARE(room->edit(QStringLiteral("m1"), QStringLiteral("not yours")).status,
            Message::Status::Pending);
        // Shown at once...
        QCOMPARE(model->data(model->index(0), MessageModel::ContentRole).toString(),
            QStringLiteral("not yours"));
        QVERIFY(model->data(model->index(0), MessageModel::EditedRole).toBool());
        QTRY_COMPARE(failed.size(), 1);
        // ...and rolled back when refused, in place.
        QCOMPARE(model->data(model->index(0), MessageModel::ContentRole).toString(),
            QStringLiteral("mine"));
        QVERIFY(!model->data(model->index(0), MessageModel::EditedRole).toBool());
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).at(2).value<QList<int>>(),
            (QList<int> {
                MessageModel::ContentRole, MessageModel::EditedRole, MessageModel::EditedAtRole }));
        QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("m1"));
        QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("access_denied"));
        QVERIFY(!failed.at(0).at(2).toString().isEmpty());
        QVERIFY(serverMessage(server, "m1")["content"] == "mine");
        QCOMPARE(updated.size(), 0);
        QCOMPARE(bob->pendingMessageCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestContractV11)
#include "tst_contractv11.moc"
