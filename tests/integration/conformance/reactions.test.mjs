// message:react: adding and removing, idempotency, emoji rules, the 20-emoji cap and the order of
// checks. Concurrent reactors are in edits.test.mjs (rev contiguity).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    connect, joined, closeAll, uid, assertError, okMessage, sent, react, roomRev,
} from "./lib.mjs";

after(closeAll);

test("react: add, another user, remove, remove the last; message:updated each time", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const outside = await connect();
    const m = await sent(a, "general", "react here");
    const r0 = await roomRev(a, "general");
    // user ids sorted, whoever reacted first
    const [lo, hi] = [a, b].sort((x, y) => (x.user < y.user ? -1 : 1));
    const steps = [
        [hi, "👍", true, { "👍": [hi.user] }],
        [lo, "👍", true, { "👍": [lo.user, hi.user] }],
        [lo, "❤️", true, { "👍": [lo.user, hi.user], "❤️": [lo.user] }],
        [hi, "👍", false, { "👍": [lo.user], "❤️": [lo.user] }],
        [lo, "👍", false, { "❤️": [lo.user] }],
    ];
    let rev = r0;
    for (const [who, emoji, add, want] of steps) {
        const x = okMessage(await react(who, "general", m.id, emoji, add), { reactions: want, content: "react here" });
        assert.equal(x.rev, ++rev);
        assert.equal(x.editedAt, null, "a reaction is not an edit");
        for (const p of [a, b]) assert.deepEqual(await p.next("message:updated", (u) => u.id === m.id && u.rev === rev), x);
    }
    await outside.none("message:updated", (u) => u.id === m.id);
});

test("reactions are idempotent: no rev, no broadcast", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "twice");
    const x = okMessage(await react(b, "general", m.id, "🔥"));
    await a.next("message:updated", (u) => u.id === m.id);
    const r = await roomRev(a, "general");
    assert.deepEqual(okMessage(await react(b, "general", m.id, "🔥")), x, "adding again");
    assert.deepEqual(okMessage(await react(a, "general", m.id, "🔥", false)), x, "removing one that is not there");
    assert.deepEqual(okMessage(await react(b, "general", m.id, "🎈", false)), x, "removing an emoji nobody used");
    await a.none("message:updated", (u) => u.id === m.id);
    assert.equal(await roomRev(a, "general"), r);
});

test("emoji rules: 1..16 code points, no white space, no control characters", async () => {
    const a = await joined("general");
    const m = await sent(a, "general", "emoji rules");
    const bad = ["", " ", "👍 ", " 👍", "a b", "\n", "\t👍", "\u00a0", "\u3000", "\u0007", "x\u0000", "\u007f",
        "\u0085", "x".repeat(17), "👍".repeat(17), 5, null, true, ["👍"], { e: "👍" }];
    for (const emoji of bad) assertError(await react(a, "general", m.id, emoji), "invalid");
    for (const payload of [null, "👍", { roomId: "general", messageId: m.id, emoji: "👍" },
        { roomId: "general", messageId: m.id, emoji: "👍", add: "true" },
        { roomId: "general", messageId: m.id, emoji: "👍", add: 1 },
        { roomId: "general", messageId: "", emoji: "👍", add: true },
        { roomId: "General", messageId: m.id, emoji: "👍", add: true }])
        assertError(await a.req("message:react", payload), "invalid");
    // well-formed: 16 code points, a ZWJ sequence, plain text, a flag
    const family = "👨\u200d👩\u200d👧";
    for (const emoji of ["👍".repeat(16), family, "+1", "🇫🇷"]) {
        const x = okMessage(await react(a, "general", m.id, emoji));
        assert.deepEqual(x.reactions[emoji], [a.user], emoji);
    }
});

test("at most 20 distinct emoji per message; joining an existing one is fine", async () => {
    const w = await joined("general");
    const m = await sent(w, "general", "many emoji");
    const emoji = Array.from({ length: 20 }, (_, i) => String.fromCodePoint(0x1f600 + i));
    let last;
    const reactors = [];
    for (const e of emoji) {
        const u = await joined("general"); // one change per user: the rate bucket stays full
        reactors.push(u);
        last = okMessage(await react(u, "general", m.id, e));
    }
    assert.equal(Object.keys(last.reactions).length, 20);
    const u = await joined("general");
    assertError(await react(u, "general", m.id, "🦄"), "invalid");
    const joinedIn = okMessage(await react(u, "general", m.id, emoji[3]));
    assert.equal(joinedIn.reactions[emoji[3]].length, 2);
    assert.equal(joinedIn.reactions["🦄"], undefined);
    // removing an emoji makes room for another
    const fewer = okMessage(await react(reactors[0], "general", m.id, emoji[0], false));
    assert.equal(Object.keys(fewer.reactions).length, 19);
    const again = okMessage(await react(u, "general", m.id, "🦄"));
    assert.equal(Object.keys(again.reactions).length, 20);
    assert.deepEqual(again.reactions["🦄"], [u.user]);
});

test("react: order of checks; anyone with access may react", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "x");
    assertError(await react(a, "nope", m.id, ""), "invalid");
    assertError(await react(a, "nope", m.id, "👍"), "not_found");
    assertError(await react(a, "staff", m.id, "👍"), "access_denied");
    assertError(await react(a, "random", m.id, "👍"), "not_joined");
    const c = await connect(b.user);
    assertError(await react(c, "general", m.id, "👍"), "not_joined", "joining is per socket");
    assertError(await react(b, "general", uid("nomsg"), "👍"), "not_found");
    await b.req("room:join", "random");
    assertError(await react(b, "random", m.id, "👍"), "not_found", "the message must be in the named room");
    okMessage(await react(b, "general", m.id, "👍"), { reactions: { "👍": [b.user] } });
    okMessage(await react(a, "general", m.id, "👍"), { reactions: { "👍": [a.user, b.user].sort() } });
});

test("the same reaction from several sockets at once is applied once (sockets spread over the nodes)", async () => {
    const w = await joined("general");
    const m = await sent(w, "general", "all at once");
    const u = await joined("general");
    const sockets = [u];
    for (let i = 0; i < 3; i++) sockets.push(await joined("general", u.user)); // 4 in all: within the burst
    const r0 = await roomRev(w, "general");
    const acks = (await Promise.all(sockets.map((s) => react(s, "general", m.id, "🤝")))).map((a) => okMessage(a));
    for (const x of acks) assert.deepEqual(x.reactions, { "🤝": [u.user] });
    assert.equal(new Set(acks.map((x) => x.rev)).size, 1, "every answer is the one change");
    assert.equal(acks[0].rev, r0 + 1);
    assert.equal(await roomRev(w, "general"), r0 + 1);
    await w.next("message:updated", (x) => x.id === m.id);
    await w.none("message:updated", (x) => x.id === m.id);
});
