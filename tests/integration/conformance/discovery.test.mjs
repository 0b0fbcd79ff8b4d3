// v1.1 discovery: session:ready.features, lastSeq/readSeq per room, the join ack's rev/readSeq,
// the v1.1 Message fields, and `unsupported` for requests a server does not know.
// Runs first of the v1.1 files: the private room "staff" is still empty here.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    connect, joined, closeAll, assertError, assertMessage11, sent, read, FEATURES, UNCHANGED, WAIT_MS,
} from "./lib.mjs";

after(closeAll);

const ROOM_KEYS = ["id", "lastSeq", "name", "private", "readSeq"];

test("session:ready lists the features and lastSeq/readSeq per room", async () => {
    const p = await connect();
    const r = p.ready;
    assert.deepEqual(Object.keys(r).sort(), ["features", "limits", "online", "rooms", "user"]);
    assert.ok(Array.isArray(r.features));
    assert.deepEqual([...r.features].sort(), FEATURES);
    for (const room of r.rooms) {
        assert.deepEqual(Object.keys(room).sort(), ROOM_KEYS, JSON.stringify(room));
        assert.ok(Number.isInteger(room.lastSeq) && room.lastSeq >= 0, JSON.stringify(room));
        assert.equal(room.readSeq, 0, "a new user has read nothing");
    }
});

test("lastSeq is the room's latest seq, before any join", async () => {
    const w = await joined("general");
    const m = await sent(w, "general", "counts");
    const p = await connect();
    assert.equal(p.ready.rooms.find((x) => x.id === "general").lastSeq, m.seq);
});

test("an empty room has lastSeq 0 and a marker that stays 0", async () => {
    const alice = await connect("alice", { name: "Alice" });
    const staff = alice.ready.rooms.find((x) => x.id === "staff");
    assert.ok(staff, "alice sees staff");
    assert.equal(staff.lastSeq, 0, "staff is empty on a fresh server (the suite needs one)");
    const ack = await read(alice, "staff", 5);
    assert.deepEqual(ack, { ok: true, readSeq: 0 });
    await alice.none("room:read-marker", (d) => d.roomId === "staff");
    const j = await alice.req("room:join", "staff");
    assert.equal(j.ok, true);
    assert.equal(j.readSeq, 0);
    assert.equal(j.rev, 0, "nothing ever changed in staff");
    assert.deepEqual(j.messages, []);
    await alice.close();
});

test("the join ack carries rev and readSeq", async () => {
    const w = await joined("general");
    const m = await sent(w, "general", "to be read");
    const p = await joined("general");
    assert.ok(Number.isInteger(p.joinAck.rev) && p.joinAck.rev >= 0);
    assert.equal(p.joinAck.readSeq, 0);
    assert.deepEqual(await read(p, "general", m.seq), { ok: true, readSeq: m.seq });
    const again = await p.req("room:join", "general");
    assert.equal(again.readSeq, m.seq);
    assert.equal(again.rev, p.joinAck.rev, "a new message does not change rev");
    const other = await connect(p.user);
    assert.equal(other.ready.rooms.find((x) => x.id === "general").readSeq, m.seq, "session:ready of the next socket");
});

test("a new message carries the v1.1 fields with their defaults", async () => {
    const p = await joined("general");
    const m = await sent(p, "general", "plain");
    assertMessage11(m, { ...UNCHANGED, replyTo: null, content: "plain" });
    const live = await p.next("message:new", (x) => x.id === m.id);
    assert.deepEqual(live, m);
    await p.none("message:updated", (x) => x.id === m.id); // a new message is not a change
    const j = await joined("general");
    assert.deepEqual(j.joinAck.messages.find((x) => x.id === m.id), m);
    for (const x of j.joinAck.messages) assertMessage11(x);
    const h = await p.req("room:history", { roomId: "general", limit: 5 });
    for (const x of h.messages) assertMessage11(x);
});

test("a request the server does not know is answered unsupported at once", async () => {
    const p = await joined("general");
    for (const [event, payload] of [["message:pin", { roomId: "general", messageId: "x" }], ["nope", 1], ["room:read-all", {}]]) {
        const started = Date.now();
        const ack = await p.req(event, payload);
        assertError(ack, "unsupported");
        assert.ok(Date.now() - started < WAIT_MS, "answered, not timed out");
    }
    // an unknown event without an ack is ignored and the connection stays usable
    p.socket.emit("message:pin", { roomId: "general" });
    assert.equal((await p.req("room:history", { roomId: "general", limit: 1 })).ok, true);
    assert.equal(p.socket.connected, true);
});
