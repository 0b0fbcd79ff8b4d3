// room:join, room:leave, room:user-joined / room:user-left.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { connect, joined, closeAll, uid, assertError, assertMessage } from "./lib.mjs";

after(closeAll);

const BAD_IDS = ["General", "", "-general", "_x", "gen eral", "user:bob", "a".repeat(65), "général",
    42, null, true, { roomId: "general" }, ["general"]];

test("join a public room: ack shape, joiner listed online", async () => {
    const p = await connect(uid(), { name: "Joiner" });
    const ack = await p.req("room:join", "general");
    const v1 = ["hasMore", "members", "messages", "ok", "room"];
    // a v1.1 server adds rev and readSeq (see discovery.test.mjs)
    assert.deepEqual(Object.keys(ack).sort(), "rev" in ack ? [...v1, "readSeq", "rev"].sort() : v1);
    assert.equal(ack.ok, true);
    assert.deepEqual(ack.room, { id: "general", name: "General", private: false });
    assert.ok(Array.isArray(ack.members));
    for (const m of ack.members) {
        assert.deepEqual(Object.keys(m).sort(), ["id", "name", "online"]);
        assert.equal(typeof m.online, "boolean");
    }
    assert.deepEqual(ack.members.find((m) => m.id === p.user), { id: p.user, name: "Joiner", online: true });
    assert.ok(Array.isArray(ack.messages) && ack.messages.length <= 50);
    for (const m of ack.messages) assertMessage(m, { roomId: "general" });
    assert.equal(typeof ack.hasMore, "boolean");
});

test("public room members: the users currently in it", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const ids = b.joinAck.members.map((m) => m.id);
    assert.ok(ids.includes(a.user) && ids.includes(b.user));
    assert.equal(new Set(ids).size, ids.length, "members has no duplicates");
    assert.equal(b.joinAck.members.find((m) => m.id === a.user).online, true);
    assert.equal((await a.req("room:leave", "general")).ok, true);
    const c = await joined("general");
    assert.ok(!c.joinAck.members.some((m) => m.id === a.user), "a user who left is not listed");
});

test("join a private room as a member: configured members", async () => {
    const p = await connect("alice", { name: "Alice" });
    const ack = await p.req("room:join", "staff");
    assert.equal(ack.ok, true);
    assert.deepEqual(ack.room, { id: "staff", name: "Staff", private: true });
    const members = [...ack.members].sort((x, y) => x.id.localeCompare(y.id));
    // dave never connects in this suite: listed with his id as name, offline
    assert.deepEqual(members, [
        { id: "alice", name: "Alice", online: true },
        { id: "dave", name: "dave", online: false },
    ]);
    assert.equal(typeof ack.hasMore, "boolean");
    await p.close();
});

test("join a private room as a non-member -> access_denied", async () => {
    const p = await connect();
    assertError(await p.req("room:join", "staff"), "access_denied");
});

test("join an unknown room -> not_found", async () => {
    const p = await connect();
    assertError(await p.req("room:join", "nope"), "not_found");
    assertError(await p.req("room:join", "a".repeat(64)), "not_found");
});

test("join with an invalid room id -> invalid (before not_found)", async () => {
    const p = await connect();
    for (const id of BAD_IDS) assertError(await p.req("room:join", id), "invalid");
});

test("room:user-joined goes to the others, once per user", async () => {
    const b = await joined("general");
    const a = await connect();
    const ack = await a.req("room:join", "general");
    assert.equal(ack.ok, true);
    assert.deepEqual(await b.next("room:user-joined", (d) => d.userId === a.user), { userId: a.user, roomId: "general" });
    await a.none("room:user-joined", (d) => d.userId === a.user);

    // re-join by the same socket: same answer, no event
    const again = await a.req("room:join", "general");
    assert.equal(again.ok, true);
    assert.deepEqual(again.room, ack.room);
    assert.deepEqual(again.messages, ack.messages);
    assert.equal(again.hasMore, ack.hasMore);
    assert.ok(again.members.some((m) => m.id === a.user));

    // a second socket of the same user: no event
    const a2 = await joined("general", a.user);
    await b.none("room:user-joined", (d) => d.userId === a.user);
    assert.ok(a2.joinAck.members.some((m) => m.id === a.user));
});

test("room:user-joined is not sent to sockets outside the room", async () => {
    const outside = await joined("random");
    const a = await joined("general");
    await outside.none("room:user-joined", (d) => d.userId === a.user);
});

test("room:user-left when the user's last socket leaves, not before", async () => {
    const b = await joined("general");
    const a1 = await joined("general");
    const a2 = await joined("general", a1.user);
    await b.next("room:user-joined", (d) => d.userId === a1.user);

    assert.deepEqual(await a2.req("room:leave", "general"), { ok: true });
    await b.none("room:user-left", (d) => d.userId === a1.user);

    assert.deepEqual(await a1.req("room:leave", "general"), { ok: true });
    assert.deepEqual(await b.next("room:user-left", (d) => d.userId === a1.user), { userId: a1.user, roomId: "general" });
    await a1.none("room:user-left", (d) => d.userId === a1.user);
});

test("room:user-left on disconnect, only for the last socket", async () => {
    const b = await joined("general");
    const a1 = await joined("general");
    const a2 = await joined("general", a1.user);
    await a2.close();
    await b.none("room:user-left", (d) => d.userId === a1.user);
    await a1.close();
    assert.deepEqual(await b.next("room:user-left", (d) => d.userId === a1.user), { userId: a1.user, roomId: "general" });
});

test("a socket that joined, left and re-joined announces the user again", async () => {
    const b = await joined("general");
    const a = await joined("general");
    await b.next("room:user-joined", (d) => d.userId === a.user);
    await a.req("room:leave", "general");
    await b.next("room:user-left", (d) => d.userId === a.user);
    assert.equal((await a.req("room:join", "general")).ok, true);
    await b.next("room:user-joined", (d) => d.userId === a.user);
});

test("room:leave is idempotent and checks only shape and existence", async () => {
    const p = await connect();
    assert.deepEqual(await p.req("room:leave", "general"), { ok: true }, "never joined");
    assert.deepEqual(await p.req("room:leave", "staff"), { ok: true }, "private, not a member");
    assert.equal((await p.req("room:join", "random")).ok, true);
    assert.deepEqual(await p.req("room:leave", "random"), { ok: true });
    assert.deepEqual(await p.req("room:leave", "random"), { ok: true }, "second leave");
    assertError(await p.req("room:leave", "nope"), "not_found");
    for (const id of BAD_IDS) assertError(await p.req("room:leave", id), "invalid");
});

test("after room:leave the socket is no longer joined", async () => {
    const p = await joined("random");
    await p.req("room:leave", "random");
    assertError(await p.req("message:send", { roomId: "random", content: "hi", clientId: uid("c") }), "not_joined");
    assertError(await p.req("room:history", { roomId: "random" }), "not_joined");
});

test("joining is per socket", async () => {
    const a1 = await joined("general");
    const a2 = await connect(a1.user);
    assertError(await a2.req("room:history", { roomId: "general" }), "not_joined");
    assertError(await a2.req("message:send", { roomId: "general", content: "x", clientId: uid("c") }), "not_joined");
});
