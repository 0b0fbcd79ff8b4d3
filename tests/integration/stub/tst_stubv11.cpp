// SPDX-License-Identifier: MIT
// Contract v1.1 (docs/contract-v1.1.md) on the in-process stub, over raw frames: discovery,
// edits, deletes, reactions, replies, mentions, room:updates, read markers, unknown requests.

#include "rawclient.h"
#include <Palaver/Stub/stubserver.h>

#include <QRegularExpression>
#include <QTest>

#include <algorithm>

using namespace Palaver::Stub;
using namespace Palaver::Stub::Testing;

namespace {

std::string errorCode(const json &ack)
{
    if (!ack.is_object() || ack.value("ok", true) || !ack.contains("error"))
        return "<not an error: " + ack.dump() + ">";
    return ack["error"].value("code", std::string());
}

bool isTimestamp(const json &value)
{
    static const QRegularExpression re(
        QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"));
    return value.is_string()
        && re.match(QString::fromStdString(value.get<std::string>())).hasMatch();
}

std::vector<qint64> revs(const std::vector<json> &events)
{
    std::vector<qint64> out;
    for (const json &e : events)
        out.push_back(e[1]["rev"].get<qint64>());
    return out;
}

std::vector<qint64> range(qint64 from, qint64 to)
{
    std::vector<qint64> out;
    for (qint64 i = from; i <= to; ++i)
        out.push_back(i);
    return out;
}

} // namespace

class TestStubV11 : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<StubServer> m_server;

    void startServer(StubConfig config = testConfig())
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }
    std::unique_ptr<RawClient> client(const char *user)
    {
        return connectedClient(*m_server, QString::fromLatin1(user));
    }
    static json send(RawClient &c, const std::string &room, const std::string &content,
        const std::string &clientId, const json &replyTo = json())
    {
        json payload = { { "roomId", room }, { "content", content }, { "clientId", clientId } };
        if (!replyTo.is_null())
            payload["replyTo"] = replyTo;
        return c.request("message:send", payload);
    }
    static json edit(RawClient &c, const std::string &room, const json &id, const json &content)
    {
        return c.request(
            "message:edit", { { "roomId", room }, { "messageId", id }, { "content", content } });
    }
    static json remove(RawClient &c, const std::string &room, const json &id)
    {
        return c.request("message:delete", { { "roomId", room }, { "messageId", id } });
    }
    static json react(RawClient &c, const std::string &room, const json &id, const json &emoji,
        const json &add = true)
    {
        return c.request("message:react",
            { { "roomId", room }, { "messageId", id }, { "emoji", emoji }, { "add", add } });
    }
    static std::string idOf(const json &ack) { return ack["message"]["id"].get<std::string>(); }

private Q_SLOTS:
    void cleanup() { m_server.reset(); }

    void discovery()
    {
        startServer();
        auto alice = client("alice");
        QVERIFY(alice);
        json ready = *alice->waitEvent("session:ready");
        JCOMPARE(ready["features"],
            json::array({ "edit", "delete", "react", "reply", "mention", "read" }));
        for (const json &room : ready["rooms"]) {
            JCOMPARE(room["lastSeq"], 0);
            JCOMPARE(room["readSeq"], 0);
        }
        json ack = alice->request("room:join", "general");
        JCOMPARE(ack["rev"], 0);
        JCOMPARE(ack["readSeq"], 0);
        const json m = send(*alice, "general", "hello", "c1")["message"];
        JCOMPARE(m["rev"], 0);
        JCOMPARE(m["editedAt"], nullptr);
        JCOMPARE(m["deleted"], false);
        JCOMPARE(m["deletedAt"], nullptr);
        JCOMPARE(m["reactions"], json::object());
        JCOMPARE(m["replyTo"], nullptr);
        JCOMPARE(m["mentions"], json::array());
        JCOMPARE(*alice->waitEvent("message:new"), m);
        send(*alice, "general", "again", "c2");
        JCOMPARE(
            alice->request("room:read", { { "roomId", "general" }, { "seq", 1 } })["readSeq"], 1);

        // A later session sees lastSeq and the read marker before it joins anything.
        auto again = client("alice");
        ready = *again->waitEvent("session:ready");
        JCOMPARE(ready["rooms"][0]["id"], "general");
        JCOMPARE(ready["rooms"][0]["lastSeq"], 2);
        JCOMPARE(ready["rooms"][0]["readSeq"], 1);
        JCOMPARE(ready["rooms"][1]["lastSeq"], 0);
        ack = again->request("room:join", "general");
        JCOMPARE(ack["readSeq"], 1);
        JCOMPARE(ack["messages"].size(), std::size_t(2));
    }

    void unknownRequestsAnsweredUnsupported()
    {
        startServer();
        auto alice = client("alice");
        const json ack = alice->request("message:pin", { { "roomId", "general" } });
        JCOMPARE(ack, json::parse(R"({"ok":false,"error":{"code":"unsupported",
                "message":"unknown request message:pin"}})"));
        // Without an ack: ignored, the connection stays.
        alice->emitEvent("message:pin", json::object(), false);
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        QVERIFY(!alice->closed);
    }

    void editAndItsOrderOfChecks()
    {
        auto config = testConfig();
        config.maxContent = 10;
        startServer(config);
        auto alice = client("alice");
        auto bob = client("bob");
        QVERIFY(alice && bob);
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        JCOMPARE(alice->request("room:join", "staff")["ok"], true);
        const std::string id = idOf(send(*alice, "general", "first", "a1"));
        const std::string staffId = idOf(send(*alice, "staff", "secret", "a2"));

        // Shape
        for (const json &bad : { json("x"), json::array(),
                 json { { "roomId", "General" }, { "messageId", id }, { "content", "x" } },
                 json { { "roomId", "general" }, { "content", "x" } },
                 json { { "roomId", "general" }, { "messageId", "" }, { "content", "x" } },
                 json { { "roomId", "general" }, { "messageId", 7 }, { "content", "x" } },
                 json { { "roomId", "general" }, { "messageId", std::string(129, 'i') },
                     { "content", "x" } },
                 json { { "roomId", "general" }, { "messageId", id } },
                 json { { "roomId", "general" }, { "messageId", id }, { "content", 5 } },
                 json { { "roomId", "general" }, { "messageId", id }, { "content", " \u3000 " } } })
            JCOMPARE(errorCode(bob->request("message:edit", bad)), "invalid");
        // Shape before the room: an unknown room with a bad payload is invalid.
        JCOMPARE(errorCode(edit(*bob, "nope", id, "")), "invalid");
        JCOMPARE(errorCode(edit(*bob, "nope", id, std::string(50, 'x'))), "not_found");
        JCOMPARE(errorCode(edit(*bob, "staff", staffId, std::string(50, 'x'))), "access_denied");
        JCOMPARE(errorCode(edit(*bob, "random", id, std::string(50, 'x'))), "not_joined");
        JCOMPARE(
            errorCode(edit(*alice, "general", "no-such-id", std::string(50, 'x'))), "not_found");
        // A message of another room is not found in this one.
        JCOMPARE(errorCode(edit(*alice, "general", staffId, std::string(50, 'x'))), "not_found");
        JCOMPARE(errorCode(edit(*bob, "general", id, std::string(50, 'x'))), "access_denied");
        JCOMPARE(errorCode(edit(*alice, "general", id, std::string(11, 'x'))), "too_long");
        QVERIFY(bob->events("message:updated").empty());

        const json ack = edit(*alice, "general", id, "  edited \u00a0");
        JCOMPARE(ack["ok"], true);
        const json m = ack["message"];
        JCOMPARE(m["content"], "edited");
        JCOMPARE(m["rev"], 1);
        JCOMPARE(m["seq"], 1);
        QVERIFY(isTimestamp(m["editedAt"]));
        JCOMPARE(m["deleted"], false);
        JCOMPARE(*bob->waitEvent("message:updated"), m);
        JCOMPARE(*alice->waitEvent("message:updated"), m); // the editor's socket too

        // The same trimmed content: a no-op, answered unchanged, no rev, no broadcast.
        JCOMPARE(edit(*alice, "general", id, "edited  "), ack);
        JCOMPARE(alice->request("room:join", "general")["rev"], 1);
        // The history shows the edit.
        JCOMPARE(bob->request("room:history", { { "roomId", "general" } })["messages"][0], m);
        JCOMPARE(bob->events("message:updated").size(), std::size_t(1));
    }

    void deleteLeavesATombstone()
    {
        startServer();
        auto alice = client("alice");
        auto bob = client("bob");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        const json original = send(*bob, "general", "to be answered", "b0")["message"];
        const json first = send(*alice, "general", "hello @bob", "a1", original["id"])["message"];
        const std::string id = first["id"].get<std::string>();
        send(*alice, "general", "after", "a2");
        JCOMPARE(edit(*alice, "general", id, "hello @bob!")["ok"], true);
        JCOMPARE(react(*bob, "general", id, "👍")["ok"], true);

        JCOMPARE(errorCode(bob->request("message:delete", { { "roomId", "general" } })), "invalid");
        JCOMPARE(errorCode(remove(*bob, "general", id)), "access_denied");
        const json ack = remove(*alice, "general", id);
        JCOMPARE(ack["ok"], true);
        const json t = ack["message"];
        JCOMPARE(t["id"], id);
        JCOMPARE(t["seq"], first["seq"]);
        JCOMPARE(t["userId"], "alice");
        JCOMPARE(t["createdAt"], first["createdAt"]);
        JCOMPARE(t["clientId"], "a1");
        QVERIFY(isTimestamp(t["editedAt"])); // kept
        JCOMPARE(t["replyTo"], first["replyTo"]); // kept
        JCOMPARE(t["content"], "");
        JCOMPARE(t["reactions"], json::object());
        JCOMPARE(t["mentions"], json::array());
        JCOMPARE(t["deleted"], true);
        QVERIFY(isTimestamp(t["deletedAt"]));
        JCOMPARE(t["rev"], 3);
        JCOMPARE(*bob->waitEvent("message:updated", 3), t);

        // Deleting a tombstone answers it unchanged; a non-author still gets access_denied.
        JCOMPARE(remove(*alice, "general", id), ack);
        JCOMPARE(errorCode(remove(*bob, "general", id)), "access_denied");
        // Editing or reacting to a tombstone is invalid; a non-author's edit is refused first.
        JCOMPARE(errorCode(edit(*alice, "general", id, "back")), "invalid");
        JCOMPARE(errorCode(edit(*bob, "general", id, "back")), "access_denied");
        JCOMPARE(errorCode(react(*bob, "general", id, "👍")), "invalid");
        JCOMPARE(errorCode(react(*bob, "general", id, "👍", false)), "invalid");
        // A retry of the send answers the current state: the tombstone.
        JCOMPARE(send(*alice, "general", "hello @bob", "a1"), ack);
        // The timeline keeps it: seq stays contiguous in join and history pages.
        auto carol = client("carol");
        const json join = carol->request("room:join", "general");
        JCOMPARE(join["messages"].size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i)
            JCOMPARE(join["messages"][i]["seq"], i + 1);
        JCOMPARE(join["messages"][1], t);
        JCOMPARE(join["rev"], 3);
        const json history = carol->request("room:history", { { "roomId", "general" } });
        JCOMPARE(history["messages"], join["messages"]);
        JCOMPARE(bob->events("message:updated").size(), std::size_t(3));
    }

    void reactions()
    {
        startServer();
        auto alice = client("alice");
        auto bob = client("bob");
        auto carol = client("carol");
        for (auto *c : { alice.get(), bob.get(), carol.get() })
            JCOMPARE(c->request("room:join", "general")["ok"], true);
        const std::string id = idOf(send(*alice, "general", "react to me", "a1"));

        for (const json &emoji :
            { json(""), json(std::string(17, 'x')), json("👍 "), json(" 👍"), json("a\tb"),
                json("\u2003"), json("x\u0085"), json("\u0007"), json(5), json(nullptr) })
            JCOMPARE(errorCode(react(*bob, "general", id, emoji)), "invalid");
        JCOMPARE(errorCode(react(*bob, "general", id, "👍", "yes")), "invalid");
        JCOMPARE(errorCode(react(*bob, "general", id, "👍", nullptr)), "invalid");
        JCOMPARE(errorCode(react(*bob, "general", "nope", "👍")), "not_found");
        JCOMPARE(errorCode(react(*bob, "random", id, "👍")), "not_joined");

        // 16 code points, some outside the BMP, is one emoji key; anyone in the room may react.
        const std::string family = "👨\u200d👩\u200d👧\u200d👦xxxxxxxxx";
        JCOMPARE(react(*carol, "general", id, family)["message"]["rev"], 1);
        JCOMPARE(react(*carol, "general", id, "👍")["message"]["rev"], 2);
        json ack = react(*bob, "general", id, "👍");
        JCOMPARE(ack["message"]["rev"], 3);
        JCOMPARE(ack["message"]["reactions"],
            json({ { "👍", json::array({ "bob", "carol" }) },
                { family, json::array({ "carol" }) } }));
        // Reacting twice, or removing what is not there: unchanged, no rev, no broadcast.
        JCOMPARE(react(*bob, "general", id, "👍"), ack);
        JCOMPARE(react(*alice, "general", id, "👍", false), ack);
        JCOMPARE(alice->events("message:updated").size(), std::size_t(3));
        ack = react(*carol, "general", id, family, false);
        JCOMPARE(ack["message"]["reactions"], json({ { "👍", json::array({ "bob", "carol" }) } }));
        JCOMPARE(ack["message"]["rev"], 4);
        JCOMPARE(*alice->waitEvent("message:updated", 4), ack["message"]);

        // At most 20 distinct emoji; more users on an existing one are fine.
        for (int i = 0; i < 19; ++i)
            JCOMPARE(react(*alice, "general", id, "e" + std::to_string(i))["ok"], true);
        JCOMPARE(
            react(*alice, "general", id, "e0")["message"]["reactions"].size(), std::size_t(20));
        JCOMPARE(errorCode(react(*alice, "general", id, "one-too-many")), "invalid");
        JCOMPARE(react(*bob, "general", id, "e0")["message"]["reactions"]["e0"],
            json::array({ "alice", "bob" }));
    }

    void reactionUsersInCodePointOrder()
    {
        startServer();
        // U+1F600 sorts before U+FF41 in UTF-16 units (a surrogate pair), after it by code point.
        auto emoji = connectedClient(*m_server, QStringLiteral("\U0001F600"));
        auto wide = connectedClient(*m_server, QStringLiteral("\uff41"));
        auto alice = client("alice");
        QVERIFY(emoji && wide && alice);
        for (auto *c : { emoji.get(), wide.get(), alice.get() })
            JCOMPARE(c->request("room:join", "general")["ok"], true);
        const std::string id = idOf(send(*alice, "general", "sort us", "a1"));
        JCOMPARE(react(*emoji, "general", id, "👍")["ok"], true);
        JCOMPARE(react(*alice, "general", id, "👍")["ok"], true);
        JCOMPARE(react(*wide, "general", id, "👍")["message"]["reactions"]["👍"],
            json::array({ "alice", "\uff41", "\U0001F600" }));
    }

    void repliesQuoteASnapshot()
    {
        auto config = testConfig();
        config.maxContent = 200;
        startServer(config);
        auto alice = client("alice");
        auto bob = client("bob");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(bob->request("room:join", "general")["ok"], true);
        JCOMPARE(alice->request("room:join", "staff")["ok"], true);
        // 120 code points, outside the BMP: the excerpt is the first 100 of them.
        std::string longText;
        for (int i = 0; i < 120; ++i)
            longText += "😀";
        std::string hundred;
        for (int i = 0; i < 100; ++i)
            hundred += "😀";
        const json original = send(*alice, "general", longText, "a1")["message"];
        const std::string staffId = idOf(send(*alice, "staff", "secret", "a2"));

        JCOMPARE(errorCode(send(*bob, "general", "re", "b0", 5)), "invalid");
        JCOMPARE(errorCode(send(*bob, "general", "re", "b0", "")), "invalid");
        JCOMPARE(errorCode(send(*bob, "general", "re", "b0", std::string(129, 'i'))), "invalid");
        JCOMPARE(errorCode(send(*bob, "random", "re", "b0", "nope")), "not_joined");
        JCOMPARE(errorCode(send(*bob, "general", "re", "b0", "nope")), "not_found");
        JCOMPARE(errorCode(send(*alice, "general", "re", "b0", staffId)), "not_found");
        // replyTo is checked before the length.
        JCOMPARE(
            errorCode(send(*bob, "general", std::string(201, 'x'), "b0", "nope")), "not_found");
        JCOMPARE(errorCode(send(*bob, "general", std::string(201, 'x'), "b0", original["id"])),
            "too_long");
        // "replyTo": null is no reply.
        JCOMPARE(bob->request("message:send",
                     { { "roomId", "general" }, { "content", "plain" }, { "clientId", "b1" },
                         { "replyTo", nullptr } })["message"]["replyTo"],
            nullptr);

        const json reply = send(*bob, "general", "answer", "b2", original["id"])["message"];
        JCOMPARE(reply["replyTo"],
            json({ { "id", original["id"] }, { "seq", 1 }, { "userId", "alice" },
                { "userName", "alice" }, { "excerpt", hundred }, { "deleted", false } }));
        // The snapshot is a quote: later edits and the deletion leave it alone, and a retry
        // returns the stored reply.
        JCOMPARE(edit(*alice, "general", original["id"], "changed")["ok"], true);
        JCOMPARE(remove(*alice, "general", original["id"])["ok"], true);
        JCOMPARE(send(*bob, "general", "answer", "b2", "whatever")["message"], reply);
        // A reply to a tombstone quotes it as deleted.
        const json late = send(*bob, "general", "late", "b3", original["id"])["message"];
        JCOMPARE(late["replyTo"]["deleted"], true);
        JCOMPARE(late["replyTo"]["excerpt"], "");
        // An edit of the reply keeps its replyTo.
        JCOMPARE(edit(*bob, "general", reply["id"], "answer, edited")["message"]["replyTo"],
            reply["replyTo"]);
    }

    void mentionsOfKnownUsersWhoMayAccessTheRoom()
    {
        startServer();
        auto alice = client("alice");
        auto bob = client("bob");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(alice->request("room:join", "staff")["ok"], true);
        // bob connected once; dave is a configured member of staff; zed is nobody.
        const auto mentionsOf = [&](const std::string &room, const std::string &content) {
            static int n = 0;
            return send(*alice, room, content, "m" + std::to_string(++n))["message"]["mentions"];
        };
        JCOMPARE(mentionsOf("general", "@bob, @dave! @zed @alice) @bob"),
            json::array({ "bob", "dave", "alice" }));
        JCOMPARE(
            mentionsOf("general", "mail bob@bob or @ bob, @bob's @bob."), json::array({ "bob" }));
        JCOMPARE(mentionsOf("general", "@bob@x @\"bob\" [@bob] <@dave>"), json::array());
        JCOMPARE(mentionsOf("general", "\u3000@bob\u00a0@dave"), json::array({ "bob", "dave" }));
        // A private room: only its members.
        JCOMPARE(mentionsOf("staff", "@bob @dave @alice"), json::array({ "dave", "alice" }));
        // An edit recomputes them.
        const std::string id = idOf(send(*alice, "general", "hi @bob", "e1"));
        JCOMPARE(edit(*alice, "general", id, "hi @dave")["message"]["mentions"],
            json::array({ "dave" }));
        // A user becomes known by connecting.
        JCOMPARE(mentionsOf("general", "@zed"), json::array());
        auto zed = client("zed");
        JCOMPARE(mentionsOf("general", "@zed"), json::array({ "zed" }));
    }

    void updatesPage()
    {
        auto config = testConfig();
        config.rateBurst = 1000;
        startServer(config);
        auto alice = client("alice");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        std::vector<std::string> ids;
        for (int i = 0; i < 5; ++i)
            ids.push_back(
                idOf(send(*alice, "general", "m" + std::to_string(i), std::to_string(i))));
        json ack = alice->request("room:updates", { { "roomId", "general" }, { "afterRev", 0 } });
        JCOMPARE(ack, json::parse(R"({"ok":true,"messages":[],"hasMore":false,"rev":0})"));
        // 120 changes spread over messages 1..4 (a reaction added and taken back in turn), then
        // an edit of message 0.
        for (int i = 0; i < 120; ++i)
            JCOMPARE(react(*alice, "general", ids[std::size_t(i % 4) + 1], "r",
                         (i / 4) % 2 == 0)["message"]["rev"],
                i + 1);
        JCOMPARE(edit(*alice, "general", ids[0], "last")["message"]["rev"], 121);
        // Each message appears once, at its last change, in rev order.
        ack = alice->request("room:updates", { { "roomId", "general" }, { "afterRev", 0 } });
        std::vector<qint64> got;
        for (const json &m : ack["messages"])
            got.push_back(m["rev"].get<qint64>());
        JCOMPARE(got, json::array({ 117, 118, 119, 120, 121 }));
        JCOMPARE(ack["hasMore"], false);
        JCOMPARE(ack["rev"], 121);
        JCOMPARE(ack["messages"][4]["content"], "last");
        ack = alice->request(
            "room:updates", { { "roomId", "general" }, { "afterRev", 117 }, { "limit", 2 } });
        JCOMPARE(ack["messages"].size(), std::size_t(2));
        JCOMPARE(ack["messages"][0]["rev"], 118);
        JCOMPARE(ack["hasMore"], true);
        ack = alice->request(
            "room:updates", { { "roomId", "general" }, { "afterRev", 121 }, { "limit", 500 } });
        JCOMPARE(ack, json::parse(R"({"ok":true,"messages":[],"hasMore":false,"rev":121})"));
        // Above the counter: an empty page, not an error.
        ack = alice->request("room:updates", { { "roomId", "general" }, { "afterRev", 9999 } });
        JCOMPARE(ack["messages"], json::array());
        JCOMPARE(ack["rev"], 121);
        JCOMPARE(
            alice->request("room:updates", { { "roomId", "general" }, { "afterRev", 1.0 } })["ok"],
            true);

        for (const json &bad : { json { { "roomId", "general" } },
                 json { { "roomId", "general" }, { "afterRev", -1 } },
                 json { { "roomId", "general" }, { "afterRev", 1.5 } },
                 json { { "roomId", "general" }, { "afterRev", "0" } },
                 json { { "roomId", "general" }, { "afterRev", nullptr } },
                 json { { "roomId", "general" }, { "afterRev", 0 }, { "limit", 0 } },
                 json { { "roomId", "general" }, { "afterRev", 0 }, { "limit", -2 } },
                 json { { "roomId", "general" }, { "afterRev", 0 }, { "limit", "5" } },
                 json { { "afterRev", 0 } }, json("general") })
            JCOMPARE(errorCode(alice->request("room:updates", bad)), "invalid");
        auto bob = client("bob");
        JCOMPARE(
            errorCode(bob->request("room:updates", { { "roomId", "nope" }, { "afterRev", 0 } })),
            "not_found");
        JCOMPARE(
            errorCode(bob->request("room:updates", { { "roomId", "staff" }, { "afterRev", 0 } })),
            "access_denied");
        JCOMPARE(
            errorCode(bob->request("room:updates", { { "roomId", "general" }, { "afterRev", 0 } })),
            "not_joined");
    }

    void revIsPerRoom()
    {
        startServer();
        auto alice = client("alice");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        JCOMPARE(alice->request("room:join", "random")["ok"], true);
        const std::string g = idOf(send(*alice, "general", "g", "g"));
        const std::string r = idOf(send(*alice, "random", "r", "r"));
        JCOMPARE(react(*alice, "general", g, "1")["message"]["rev"], 1);
        JCOMPARE(react(*alice, "general", g, "2")["message"]["rev"], 2);
        JCOMPARE(react(*alice, "random", r, "1")["message"]["rev"], 1);
        JCOMPARE(alice->request("room:join", "random")["rev"], 1);
        JCOMPARE(alice->request("room:join", "general")["rev"], 2);
    }

    void revContiguousUnderTwentyConcurrentEditors()
    {
        startServer();
        constexpr int Editors = 20;
        auto observer = client("observer");
        JCOMPARE(observer->request("room:join", "general")["ok"], true);
        std::vector<std::unique_ptr<RawClient>> editors;
        std::vector<std::string> ids;
        for (int i = 0; i < Editors; ++i) {
            const std::string user = "editor" + std::to_string(i);
            editors.push_back(connectedClient(*m_server, QString::fromStdString(user)));
            QVERIFY(editors.back());
            JCOMPARE(editors.back()->request("room:join", "general")["ok"], true);
            ids.push_back(idOf(send(*editors.back(), "general", "by " + user, user)));
        }
        // Every editor fires an edit of their own message and reactions to two others' at once,
        // without waiting for any answer.
        std::vector<std::vector<std::uint64_t>> pending(Editors);
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < Editors; ++i) {
                RawClient &c = *editors[std::size_t(i)];
                const auto own = ids[std::size_t(i)];
                const auto other = ids[std::size_t((i + round + 1) % Editors)];
                const std::uint64_t id = round == 0
                    ? c.emitEvent("message:edit",
                        { { "roomId", "general" }, { "messageId", own },
                            { "content", "edited by " + std::to_string(i) } })
                    : c.emitEvent("message:react",
                        { { "roomId", "general" }, { "messageId", other },
                            { "emoji", "r" + std::to_string(round) }, { "add", true } });
                pending[std::size_t(i)].push_back(id);
            }
        }
        std::vector<qint64> acked;
        for (int i = 0; i < Editors; ++i) {
            for (const std::uint64_t id : pending[std::size_t(i)]) {
                const auto ack = editors[std::size_t(i)]->waitAck(id);
                QVERIFY(ack);
                JCOMPARE((*ack)["ok"], true);
                acked.push_back((*ack)["message"]["rev"].get<qint64>());
            }
        }
        std::sort(acked.begin(), acked.end());
        JCOMPARE(acked, range(1, 3 * Editors)); // each change its own rev, none skipped
        QVERIFY(observer->waitEvent("message:updated", 3 * Editors));
        JCOMPARE(revs(observer->events("message:updated")), range(1, 3 * Editors)); // in order
        const json page = observer->request(
            "room:updates", { { "roomId", "general" }, { "afterRev", 0 }, { "limit", 100 } });
        JCOMPARE(page["rev"], 3 * Editors);
        JCOMPARE(page["messages"].size(), std::size_t(Editors));
    }

    void oneRateBucketForSendsEditsAndReactions()
    {
        auto config = testConfig();
        config.rateBurst = 3;
        config.ratePerSec = 0.001;
        startServer(config);
        auto alice = client("alice");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        const std::string id = idOf(send(*alice, "general", "one", "a1"));
        JCOMPARE(edit(*alice, "general", id, "two")["ok"], true);
        const json reacted = react(*alice, "general", id, "👍");
        JCOMPARE(reacted["ok"], true);
        // The bucket is empty: a send, an edit and a reaction are refused alike ...
        JCOMPARE(errorCode(send(*alice, "general", "x", "a2")), "rate_limited");
        const json refused = edit(*alice, "general", id, "three");
        JCOMPARE(errorCode(refused), "rate_limited");
        QVERIFY(refused["error"]["retryAfterMs"].get<qint64>() >= 1);
        JCOMPARE(errorCode(react(*alice, "general", id, "🎉")), "rate_limited");
        // ... no-ops are answered, retries of sends too ...
        JCOMPARE(edit(*alice, "general", id, "two")["ok"], true);
        JCOMPARE(react(*alice, "general", id, "👍"), reacted);
        JCOMPARE(react(*alice, "general", id, "🎉", false)["ok"], true);
        JCOMPARE(send(*alice, "general", "one", "a1")["ok"], true);
        // ... and deletes never take a token.
        JCOMPARE(remove(*alice, "general", id)["message"]["deleted"], true);
    }

    void hostilePayloadsGetAnErrorNotACrash()
    {
        startServer();
        auto alice = client("alice");
        JCOMPARE(alice->request("room:join", "general")["ok"], true);
        const std::string id = idOf(send(*alice, "general", "target", "a1"));
        const json nested = json::parse(std::string(100, '[') + std::string(100, ']'));
        const std::vector<json> values
            = { nullptr, true, -1, 0, 1e300, -1e300, 9007199254740993.0, "", std::string(5000, 'x'),
                  json::array(), nested, json::object(), json { { "roomId", nested } } };
        const std::vector<std::pair<std::string, std::vector<const char *>>> requests = {
            { "message:edit", { "roomId", "messageId", "content" } },
            { "message:delete", { "roomId", "messageId" } },
            { "message:react", { "roomId", "messageId", "emoji", "add" } },
            { "room:updates", { "roomId", "afterRev", "limit" } },
            { "room:read", { "roomId", "seq" } },
        };
        const json good = { { "roomId", "general" }, { "messageId", id }, { "content", "new" },
            { "emoji", "👍" }, { "add", true }, { "afterRev", 0 }, { "seq", 1 } };
        for (const auto &[request, fields] : requests) {
            for (const json &v : values) {
                // The value as the whole payload, and in each field.
                JCOMPARE(alice->request(request, v)["ok"], false);
                for (const char *field : fields) {
                    json payload = good;
                    payload[field] = v;
                    const json answer = alice->request(request, payload);
                    QVERIFY2(answer.is_object() && answer.contains("ok"), answer.dump().c_str());
                    if (!answer["ok"].get<bool>())
                        QVERIFY2(std::string("invalid not_found too_long").find(errorCode(answer))
                                != std::string::npos,
                            answer.dump().c_str());
                }
            }
        }
        QVERIFY(!alice->closed);
        JCOMPARE(alice->request("room:history", { { "roomId", "general" } })["ok"], true);
    }

    void readMarkers()
    {
        startServer();
        auto alice = client("alice");
        auto alice2 = client("alice");
        auto bob = client("bob");
        QVERIFY(alice && alice2 && bob);
        // An empty room: the marker stays 0 and nothing is announced.
        JCOMPARE(alice->request("room:read", { { "roomId", "random" }, { "seq", 5 } }),
            json({ { "ok", true }, { "readSeq", 0 } }));
        JCOMPARE(bob->request("room:join", "random")["ok"], true);
        for (int i = 0; i < 5; ++i)
            send(*bob, "random", "m", std::to_string(i));

        for (const json &bad :
            { json { { "roomId", "random" } }, json { { "roomId", "random" }, { "seq", 0 } },
                json { { "roomId", "random" }, { "seq", -1 } },
                json { { "roomId", "random" }, { "seq", 2.5 } },
                json { { "roomId", "random" }, { "seq", "3" } }, json { { "seq", 3 } },
                json("random") })
            JCOMPARE(errorCode(alice->request("room:read", bad)), "invalid");
        JCOMPARE(errorCode(alice->request("room:read", { { "roomId", "nope" }, { "seq", 1 } })),
            "not_found");
        JCOMPARE(errorCode(bob->request("room:read", { { "roomId", "staff" }, { "seq", 1 } })),
            "access_denied");

        // No join needed; capped at lastSeq; every socket of the user learns it, the sender's too.
        JCOMPARE(alice->request("room:read", { { "roomId", "random" }, { "seq", 3 } }),
            json({ { "ok", true }, { "readSeq", 3 } }));
        const json marker = { { "roomId", "random" }, { "readSeq", 3 } };
        JCOMPARE(*alice2->waitEvent("room:read-marker"), marker);
        JCOMPARE(*alice->waitEvent("room:read-marker"), marker);
        // Only forward: an older seq answers the stored marker and announces nothing.
        JCOMPARE(
            alice2->request("room:read", { { "roomId", "random" }, { "seq", 2 } })["readSeq"], 3);
        JCOMPARE(
            alice2->request("room:read", { { "roomId", "random" }, { "seq", 3 } })["readSeq"], 3);
        JCOMPARE(
            alice2->request("room:read", { { "roomId", "random" }, { "seq", 1000 } })["readSeq"],
            5);
        JCOMPARE(*alice->waitEvent("room:read-marker", 2),
            json({ { "roomId", "random" }, { "readSeq", 5 } }));
        JCOMPARE(*alice2->waitEvent("room:read-marker", 2),
            json({ { "roomId", "random" }, { "readSeq", 5 } }));
        JCOMPARE(alice->events("room:read-marker").size(), std::size_t(2));
        JCOMPARE(alice2->events("room:read-marker").size(), std::size_t(2));
        // Per user: bob's marker is his own, and he hears nothing of alice's.
        QVERIFY(bob->events("room:read-marker").empty());
        JCOMPARE(bob->request("room:join", "random")["readSeq"], 0);
        JCOMPARE(alice->request("room:join", "random")["readSeq"], 5);
        // The marker stays at 5 when the room grows; a later seq moves it.
        send(*bob, "random", "m", "5");
        JCOMPARE(
            alice->request("room:read", { { "roomId", "random" }, { "seq", 6 } })["readSeq"], 6);
        auto alice3 = client("alice");
        const json ready = *alice3->waitEvent("session:ready");
        JCOMPARE(ready["rooms"][1]["id"], "random");
        JCOMPARE(ready["rooms"][1]["readSeq"], 6);
    }
};

QTEST_GUILESS_MAIN(TestStubV11)
#include "tst_stubv11.moc"
