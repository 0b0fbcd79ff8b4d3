// room:updates: the changes after a rev, in rev order, current state, paged; and its checks.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    connect, joined, closeAll, assertError, assertMessage11, okMessage, sent, edit, del, react, updates,
    roomRev,
} from "./lib.mjs";

after(closeAll);

test("room:updates pages the changes after afterRev in rev order, current state, tombstones included", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const [m1, m2, m3] = [await sent(a, "general", "one"), await sent(a, "general", "two"), await sent(a, "general", "three")];
    const r0 = await roomRev(a, "general");
    okMessage(await edit(a, "general", m1.id, "one, edited"));         // r0+1 (m1 moves on below)
    const x2 = okMessage(await react(b, "general", m2.id, "👍"));      // r0+2
    const t3 = okMessage(await del(a, "general", m3.id));              // r0+3
    const x1 = okMessage(await edit(a, "general", m1.id, "one, again")); // r0+4
    assert.deepEqual([x2.rev, t3.rev, x1.rev], [r0 + 2, r0 + 3, r0 + 4]);
    await sent(b, "general", "a new message does not change rev");

    const all = await updates(b, "general", r0);
    assert.deepEqual(Object.keys(all).sort(), ["hasMore", "messages", "ok", "rev"]);
    assert.deepEqual(all, { ok: true, messages: [x2, t3, x1], hasMore: false, rev: r0 + 4 });

    const p1 = await updates(b, "general", r0, { limit: 2 });
    assert.deepEqual(p1, { ok: true, messages: [x2, t3], hasMore: true, rev: r0 + 4 });
    const p2 = await updates(b, "general", p1.messages.at(-1).rev, { limit: 2 });
    assert.deepEqual(p2, { ok: true, messages: [x1], hasMore: false, rev: r0 + 4 });
    const p3 = await updates(b, "general", r0 + 2, { limit: 1 });
    assert.deepEqual(p3, { ok: true, messages: [t3], hasMore: true, rev: r0 + 4 });

    // at or above the counter: an empty page, not an error
    for (const afterRev of [r0 + 4, r0 + 5, Number.MAX_SAFE_INTEGER])
        assert.deepEqual(await updates(b, "general", afterRev), { ok: true, messages: [], hasMore: false, rev: r0 + 4 });
});

test("paging room:updates from 0 sees every changed message once, in rev order", async () => {
    const a = await joined("general");
    const m = await sent(a, "general", "changed late");
    okMessage(await react(a, "general", m.id, "✅"));
    let cursor = 0;
    const got = [];
    let rev;
    for (let i = 0; i < 100; i++) {
        const r = await updates(a, "general", cursor, { limit: 7 });
        assert.equal(r.ok, true, JSON.stringify(r));
        assert.ok(r.messages.length <= 7);
        got.push(...r.messages);
        rev = r.rev;
        if (!r.hasMore) break;
        assert.equal(r.messages.length, 7, "a page with hasMore is full");
        cursor = r.messages.at(-1).rev;
    }
    for (const x of got) assertMessage11(x, { roomId: "general" });
    const revs = got.map((x) => x.rev);
    assert.ok(revs.every((r, i) => r > 0 && (i === 0 || r > revs[i - 1])), `revs strictly increasing: ${revs}`);
    assert.equal(new Set(got.map((x) => x.id)).size, got.length, "each message once");
    assert.equal(got.at(-1).id, m.id);
    assert.equal(got.at(-1).rev, rev, "the last change is at the counter");
    // limit rules as for history: default 50, capped at 100
    const def = await updates(a, "general", 0);
    assert.equal(def.messages.length, Math.min(50, got.length));
    const capped = await updates(a, "general", 0, { limit: 1000 });
    assert.equal(capped.messages.length, Math.min(100, got.length));
    assert.equal(capped.hasMore, got.length > 100);
});

test("room:updates: invalid payloads and the order of checks", async () => {
    const a = await joined("general");
    const bad = [null, "general", 0, { roomId: "general" }, { afterRev: 0 },
        { roomId: "general", afterRev: -1 }, { roomId: "general", afterRev: 1.5 }, { roomId: "general", afterRev: "0" },
        { roomId: "general", afterRev: null }, { roomId: "general", afterRev: true },
        { roomId: "general", afterRev: 0, limit: 0 }, { roomId: "general", afterRev: 0, limit: -3 },
        { roomId: "general", afterRev: 0, limit: 2.5 }, { roomId: "general", afterRev: 0, limit: "5" },
        { roomId: "General", afterRev: 0 }, { roomId: "nope", afterRev: -1 }, { roomId: "staff", afterRev: 0, limit: 0 }];
    for (const payload of bad) assertError(await a.req("room:updates", payload), "invalid");
    assertError(await updates(a, "nope", 0), "not_found");
    assertError(await updates(a, "staff", 0), "access_denied");
    assertError(await updates(a, "random", 0), "not_joined");
    const other = await connect(a.user);
    assertError(await updates(other, "general", 0), "not_joined");
});

test("message:updated carries the new rev; a client that saw rev n and gets n+2 knows it missed one", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "watched");
    const r0 = await roomRev(b, "general");
    await b.req("room:leave", "general"); // b misses the first change
    okMessage(await react(a, "general", m.id, "1️⃣"));
    assert.equal((await b.req("room:join", "general")).rev, r0 + 1);
    const x = okMessage(await react(a, "general", m.id, "2️⃣"));
    // (in a cluster the first change may still reach b after its re-join: a duplicate, harmless)
    const live = await b.next("message:updated", (u) => u.id === m.id && u.rev === r0 + 2);
    assert.deepEqual(live, x);
    const fill = await updates(b, "general", r0);
    assert.deepEqual(fill.messages, [x], "the catch-up answers the current state");
});
