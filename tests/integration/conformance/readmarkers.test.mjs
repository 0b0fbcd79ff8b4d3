// room:read and room:read-marker: markers only move forward, are capped at lastSeq, need access
// but no join, and reach every socket of the same user (and no one else).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { connect, joined, closeAll, assertError, sent, read } from "./lib.mjs";

after(closeAll);

test("room:read moves the marker forward only; room:read-marker to the user's sockets", async () => {
    const w = await joined("general");
    const m1 = await sent(w, "general", "one");
    const m2 = await sent(w, "general", "two");
    const a = await joined("general");
    const a2 = await connect(a.user); // same user, not joined: still told
    const b = await joined("general"); // another user in the room: never told
    const marker = (seq) => ({ roomId: "general", readSeq: seq });

    assert.deepEqual(await read(a, "general", m1.seq), { ok: true, readSeq: m1.seq });
    // (events from two nodes may arrive in either order: match each by value)
    for (const p of [a, a2]) assert.deepEqual(await p.next("room:read-marker", (d) => d.readSeq === m1.seq), marker(m1.seq));

    assert.deepEqual(await read(a2, "general", m2.seq), { ok: true, readSeq: m2.seq });
    for (const p of [a, a2]) assert.deepEqual(await p.next("room:read-marker", (d) => d.readSeq === m2.seq), marker(m2.seq));

    // backwards or the same: the stored value, no event
    assert.deepEqual(await read(a, "general", m1.seq), { ok: true, readSeq: m2.seq });
    assert.deepEqual(await read(a, "general", m2.seq), { ok: true, readSeq: m2.seq });
    assert.deepEqual(await read(a, "general", 1), { ok: true, readSeq: m2.seq });
    for (const p of [a, a2]) await p.none("room:read-marker");
    await b.none("room:read-marker");
    await w.none("room:read-marker");

    // the next session sees it
    const a3 = await connect(a.user);
    assert.equal(a3.ready.rooms.find((r) => r.id === "general").readSeq, m2.seq);
    assert.equal((await a3.req("room:join", "general")).readSeq, m2.seq);
    // markers are per user: b still has none
    const b2 = await connect(b.user);
    assert.equal(b2.ready.rooms.find((r) => r.id === "general").readSeq, 0);
});

test("room:read is capped at the room's lastSeq", async () => {
    const w = await joined("general");
    const m = await sent(w, "general", "latest");
    const a = await connect();
    assert.deepEqual(await read(a, "general", m.seq + 1000), { ok: true, readSeq: m.seq });
    assert.deepEqual(await a.next("room:read-marker"), { roomId: "general", readSeq: m.seq });
    const m2 = await sent(w, "general", "newer");
    assert.deepEqual(await read(a, "general", Number.MAX_SAFE_INTEGER), { ok: true, readSeq: m2.seq });
    assert.deepEqual(await a.next("room:read-marker"), { roomId: "general", readSeq: m2.seq });
});

test("room:read needs access but no join", async () => {
    const a = await connect(); // joined nothing
    const ready = a.ready.rooms.find((r) => r.id === "general");
    assert.ok(ready.lastSeq > 0);
    assert.deepEqual(await read(a, "general", ready.lastSeq), { ok: true, readSeq: ready.lastSeq });
    assertError(await read(a, "staff", 1), "access_denied");
    assertError(await read(a, "nope", 1), "not_found");
    const alice = await connect("alice", { name: "Alice" });
    const staff = alice.ready.rooms.find((r) => r.id === "staff");
    const r = await read(alice, "staff", 1);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.readSeq, Math.min(1, staff.lastSeq), "capped at lastSeq (0 while staff is empty)");
    await alice.close();
});

test("bad room:read payloads -> invalid, before the room checks", async () => {
    const a = await connect();
    const bad = [null, "general", 3, ["general", 1], {}, { roomId: "general" }, { seq: 1 },
        { roomId: "general", seq: 0 }, { roomId: "general", seq: -1 }, { roomId: "general", seq: 1.5 },
        { roomId: "general", seq: "1" }, { roomId: "general", seq: null }, { roomId: "General", seq: 1 },
        { roomId: "nope", seq: 0 }, { roomId: "staff", seq: "x" }];
    for (const payload of bad) assertError(await a.req("room:read", payload), "invalid");
    await a.none("room:read-marker");
});
