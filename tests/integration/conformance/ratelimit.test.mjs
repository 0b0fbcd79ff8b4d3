// The one per-user rate bucket of v1.1: sends, edits and reactions that change something take a
// token; no-ops and deletes never do. Each test uses fresh users (a full bucket of RATE_BURST).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    joined, closeAll, assertError, okMessage, sent, send, edit, del, react, roomRev, sleep, RATE_BURST,
    RATE_PER_SEC, MAX_CONTENT,
} from "./lib.mjs";

after(closeAll);

// Changes until one is refused; the bucket refills meanwhile, so a slow machine may get a couple
// more than the burst. Returns the refusal and how many changes got through.
async function exhaust(p, roomId, messageId) {
    for (let i = 0; i < RATE_BURST + 3; i++) {
        const ack = i % 2 ? await edit(p, roomId, messageId, `edit ${i}`) : await react(p, roomId, messageId, `e${i}`);
        if (!ack.ok) return { refused: ack, passed: i };
    }
    assert.fail(`no rate_limited within ${RATE_BURST + 3} edits and reactions: they are not counted`);
}

test("edits and reactions count toward the bucket of sends", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "mine"); // 1 token
    const { refused, passed } = await exhaust(a, "general", m.id);
    assertError(refused, "rate_limited");
    assert.ok(passed >= RATE_BURST - 1, `${passed} changes passed before the refusal`);
    const wait = refused.error.retryAfterMs;
    assert.ok(Number.isInteger(wait) && wait > 0 && wait <= Math.ceil(1000 / RATE_PER_SEC), `retryAfterMs ${wait}`);
    // a refused change changes nothing
    const r = await roomRev(a, "general");
    assertError(await edit(a, "general", m.id, "too fast"), "rate_limited");
    assert.equal(await roomRev(a, "general"), r);
    // sends share the bucket
    assertError(await send(a, "general", "and a send"), "rate_limited");
    // too_long comes before the rate check
    assertError(await edit(a, "general", m.id, "x".repeat(MAX_CONTENT + 1)), "too_long");
    // other users are not affected
    okMessage(await react(b, "general", m.id, "🙂"));
});

test("no-ops and deletes are not rate limited, and take no token", async () => {
    const a = await joined("general");
    const m = await sent(a, "general", "keep");
    const victim = await sent(a, "general", "to delete");
    const x = okMessage(await react(a, "general", m.id, "👍"));
    const { refused } = await exhaust(a, "general", victim.id);
    assertError(refused, "rate_limited");
    const wait = refused.error.retryAfterMs;

    // while limited: no-ops answer the message unchanged, and a delete goes through
    const cur = (await a.req("room:history", { roomId: "general", after: m.seq - 1, limit: 1 })).messages[0];
    assert.deepEqual(okMessage(await react(a, "general", m.id, "👍")), cur);
    assert.deepEqual(okMessage(await react(a, "general", m.id, "🎈", false)), cur);
    assert.deepEqual(okMessage(await edit(a, "general", m.id, cur.content)), cur);
    const t = okMessage(await del(a, "general", victim.id), { deleted: true });
    assert.deepEqual(okMessage(await del(a, "general", victim.id)), t);
    assert.equal(x.id, m.id);

    // after the protocol's own wait there is one token: the no-ops above took none of it ...
    await sleep(wait + 50);
    for (let i = 0; i < 3; i++) assert.deepEqual(okMessage(await react(a, "general", m.id, "👍")), cur);
    okMessage(await edit(a, "general", m.id, "one real change"));
    // ... and the real change did
    assertError(await edit(a, "general", m.id, "and another"), "rate_limited");
});
