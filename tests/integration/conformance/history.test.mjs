// room:history paging and the history in the room:join answer. Owns the room "random": no other
// file sends messages there, so its seqs are known.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect, joined, closeAll, uid, assertError, assertMessage, seqs, RATE_BURST } from "./lib.mjs";

after(closeAll);

const ROOM = "random";
const TOTAL = 110; // more than the cap of 100 and the 50 of a join
let reader;
let first; // seq of the first message this file wrote
let last; // seq of the last one
const history = (payload) => reader.req("room:history", { roomId: ROOM, ...payload });

before(async () => {
    reader = await joined(ROOM);
    const base = reader.joinAck.messages.length ? reader.joinAck.messages.at(-1).seq : 0;
    // The rate limit allows RATE_BURST quick messages per user: spread the writes over users.
    let n = 0;
    while (n < TOTAL) {
        const w = await joined(ROOM);
        for (let i = 0; i < RATE_BURST && n < TOTAL; i++, n++) {
            const ack = await w.req("message:send", { roomId: ROOM, content: `m${n}`, clientId: uid("c") });
            assert.equal(ack.ok, true, JSON.stringify(ack));
            if (n === 0) first = ack.message.seq;
            last = ack.message.seq;
        }
        await w.close();
    }
    assert.equal(first, base + 1);
    assert.equal(last - first + 1, TOTAL, "seq grows by 1 per message");
});

test("join answers the latest 50, oldest first, hasMore", async () => {
    const p = await joined(ROOM);
    const { messages, hasMore } = p.joinAck;
    assert.equal(messages.length, 50);
    assert.equal(hasMore, true);
    assert.equal(seqs(messages).at(-1), last);
    messages.forEach((m) => assertMessage(m, { roomId: ROOM }));
    assert.equal(messages.at(-1).content, `m${TOTAL - 1}`);
});

test("no bound: the newest 50 by default", async () => {
    const r = await history({});
    assert.deepEqual(Object.keys(r).sort(), ["hasMore", "messages", "ok"]);
    assert.equal(r.ok, true);
    assert.equal(r.messages.length, 50);
    assert.equal(seqs(r.messages).at(-1), last);
    assert.equal(r.hasMore, true);
});

test("limit above 100 is capped at 100", async () => {
    for (const limit of [101, 500, 1e6]) {
        const r = await history({ limit });
        assert.equal(r.messages.length, 100);
        assert.equal(seqs(r.messages).at(-1), last);
        assert.equal(r.hasMore, true);
    }
    const exact = await history({ limit: 100 });
    assert.equal(exact.messages.length, 100);
});

test("before: the newest `limit` below the bound, hasMore = older exist", async () => {
    let r = await history({ before: last - 9, limit: 5 });
    assert.deepEqual(seqs(r.messages), [last - 14, last - 13, last - 12, last - 11, last - 10]);
    assert.equal(r.hasMore, true);
    r = await history({ before: first + 3, limit: 10 });
    assert.deepEqual(r.messages.map((m) => m.content), ["m0", "m1", "m2"]);
    assert.equal(r.hasMore, first > 1, "older exist only if the room had messages before");
    r = await history({ before: first, limit: 10 });
    assert.ok(r.messages.every((m) => m.seq < first));
    r = await history({ before: 1 });
    assert.deepEqual(r, { ok: true, messages: [], hasMore: false });
    r = await history({ before: last + 1000, limit: 3 });
    assert.deepEqual(seqs(r.messages), [last - 2, last - 1, last]);
});

test("before: exactly the remaining messages gives hasMore false", async () => {
    const r = await history({ before: first + 2, limit: first + 1 }); // everything below first + 2
    assert.equal(r.messages.length, first + 1);
    assert.equal(r.messages[0].seq, 1);
    assert.equal(r.hasMore, false);
});

test("after: the oldest `limit` above the bound, hasMore = newer exist", async () => {
    let r = await history({ after: first, limit: 5 });
    assert.deepEqual(r.messages.map((m) => m.content), ["m1", "m2", "m3", "m4", "m5"]);
    assert.equal(r.hasMore, true);
    r = await history({ after: last - 3 });
    assert.deepEqual(seqs(r.messages), [last - 2, last - 1, last]);
    assert.equal(r.hasMore, false);
    r = await history({ after: last - 3, limit: 3 });
    assert.deepEqual(seqs(r.messages), [last - 2, last - 1, last]);
    assert.equal(r.hasMore, false, "exactly the rest: no newer ones");
    r = await history({ after: last - 3, limit: 2 });
    assert.deepEqual(seqs(r.messages), [last - 2, last - 1]);
    assert.equal(r.hasMore, true);
    r = await history({ after: last });
    assert.deepEqual(r, { ok: true, messages: [], hasMore: false });
    r = await history({ after: first, limit: 1000 });
    assert.equal(r.messages.length, 100);
    assert.equal(r.messages[0].seq, first + 1);
    assert.equal(r.hasMore, true);
});

test("paging with after until hasMore is false gives every message once", async () => {
    let cursor = first; // after must be positive: start behind m0
    const got = [];
    for (let i = 0; i < 10; i++) {
        const r = await history({ after: cursor, limit: 30 });
        got.push(...r.messages);
        if (!r.hasMore) break;
        cursor = r.messages.at(-1).seq;
    }
    assert.equal(got.length, TOTAL - 1);
    assert.deepEqual(got.map((m) => m.content), Array.from({ length: TOTAL - 1 }, (_, i) => `m${i + 1}`));
    seqs(got);
});

test("invalid history requests", async () => {
    const bad = [
        { before: 0 }, { before: -1 }, { before: 1.5 }, { before: "3" }, { before: null }, { before: true },
        { after: 0 }, { after: -5 }, { after: 2.5 }, { after: "1" },
        { before: 10, after: 2 },
        { limit: 0 }, { limit: -1 }, { limit: 2.5 }, { limit: "10" }, { limit: true },
    ];
    for (const extra of bad) assertError(await history(extra), "invalid");
    for (const payload of ["random", 42, null, ["random"], {}, { roomId: "Random" }, { roomId: 3 }])
        assertError(await reader.req("room:history", payload), "invalid");
});

test("history checks the room, access and the join", async () => {
    const p = await connect();
    assertError(await p.req("room:history", { roomId: "nope" }), "not_found");
    assertError(await p.req("room:history", { roomId: "staff" }), "access_denied");
    assertError(await p.req("room:history", { roomId: ROOM }), "not_joined");
    // invalid beats not_found, not_found beats not_joined
    assertError(await p.req("room:history", { roomId: "nope", limit: 0 }), "invalid");
    assertError(await p.req("room:history", { roomId: "staff", before: 1, after: 1 }), "invalid");
});
