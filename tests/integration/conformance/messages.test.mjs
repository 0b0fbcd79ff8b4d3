// message:send, message:new, idempotency, trimming, limits and rate limiting.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    connect, joined, closeAll, uid, assertError, assertMessage, sleep,
    MAX_CONTENT, MAX_PAYLOAD, RATE_BURST, RATE_PER_SEC,
} from "./lib.mjs";

after(closeAll);

const send = (p, roomId, content, clientId = uid("c")) => p.req("message:send", { roomId, content, clientId });

test("send: ack shape and stored fields", async () => {
    const p = await joined("general", uid(), { name: "Sender" });
    const clientId = uid("c");
    const before = Date.now();
    const ack = await send(p, "general", "hello world", clientId);
    assert.deepEqual(Object.keys(ack).sort(), ["message", "ok"]);
    assert.equal(ack.ok, true);
    assertMessage(ack.message, { roomId: "general", userId: p.user, userName: "Sender", content: "hello world", clientId });
    const t = Date.parse(ack.message.createdAt);
    assert.ok(t >= before - 2000 && t <= Date.now() + 2000, `createdAt ${ack.message.createdAt} is now`);
});

test("userName falls back to sub without a name claim", async () => {
    const p = await joined("general");
    const ack = await send(p, "general", "hi");
    assertMessage(ack.message, { userId: p.user, userName: p.user });
});

test("message:new goes to every socket joined to the room, the sender's included", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const a2 = await joined("general", a.user); // another socket of the sender, joined
    const a3 = await connect(a.user); // another socket of the sender, not joined
    const outside = await joined("random");
    const ack = await send(a, "general", "to everyone");
    assert.equal(ack.ok, true);
    for (const p of [a, b, a2]) assert.deepEqual(await p.next("message:new", (m) => m.id === ack.message.id), ack.message);
    for (const p of [a3, outside]) await p.none("message:new", (m) => m.id === ack.message.id);
});

test("seq grows by exactly 1 per message within a room", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m1 = (await send(a, "general", "one")).message;
    const m2 = (await send(b, "general", "two")).message;
    const m3 = (await send(a, "general", "three")).message;
    assert.deepEqual([m2.seq - m1.seq, m3.seq - m2.seq], [1, 1]);
    assert.equal(new Set([m1.id, m2.id, m3.id]).size, 3, "ids are unique");
});

test("send to a room not joined -> not_joined", async () => {
    const p = await joined("general");
    assertError(await send(p, "random", "hi"), "not_joined");
});

test("send to an unknown room -> not_found; private non-member -> access_denied", async () => {
    const p = await joined("general");
    assertError(await send(p, "nope", "hi"), "not_found");
    assertError(await send(p, "staff", "hi"), "access_denied");
});

test("content longer than the limit -> too_long; the limit counts code points", async () => {
    const p = await joined("general");
    assertError(await send(p, "general", "x".repeat(MAX_CONTENT + 1)), "too_long");
    const astral = "😀".repeat(MAX_CONTENT); // 2 UTF-16 units each
    const ok = await send(p, "general", astral);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(ok.message.content, astral);
    assertError(await send(p, "general", "😀".repeat(MAX_CONTENT + 1)), "too_long");
    // the trimmed text is what is checked
    const padded = `  ${"y".repeat(MAX_CONTENT)}\n\t `;
    const ack = await send(p, "general", padded);
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(ack.message.content, "y".repeat(MAX_CONTENT));
});

test("content is trimmed of Unicode White_Space only", async () => {
    const p = await joined("general");
    const ws = " \t\n\v\f\r\u0085\u00a0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000";
    let ack = await send(p, "general", `${ws}hello \u3000 world${ws}`);
    assert.equal(ack.ok, true);
    assert.equal(ack.message.content, "hello \u3000 world");
    ack = await send(p, "general", "\ufeffhi\ufeff");
    assert.equal(ack.ok, true);
    assert.equal(ack.message.content, "\ufeffhi\ufeff", "U+FEFF is not white space");
    ack = await send(p, "general", "\u200bx\u180e");
    assert.equal(ack.message.content, "\u200bx\u180e", "U+200B and U+180E are not white space");
});

test("content empty after trimming -> invalid", async () => {
    const p = await joined("general");
    for (const content of ["", " ", "\n\t\r", "\u3000\u00a0\u0085 "]) assertError(await send(p, "general", content), "invalid");
    const ack = await send(p, "general", "\ufeff");
    assert.equal(ack.ok, true, "U+FEFF alone is content");
});

test("bad payloads -> invalid", async () => {
    const p = await joined("general");
    const good = { roomId: "general", content: "x", clientId: "c" };
    const bad = [
        "hello", 42, null, ["general", "x", "c"],
        { ...good, roomId: undefined }, { ...good, roomId: "General" }, { ...good, roomId: 7 },
        { ...good, content: undefined }, { ...good, content: 5 }, { ...good, content: ["x"] }, { ...good, content: null },
        { ...good, clientId: undefined }, { ...good, clientId: "" }, { ...good, clientId: 12 },
        { ...good, clientId: "c".repeat(129) },
    ];
    for (const payload of bad) {
        if (payload && typeof payload === "object" && !Array.isArray(payload))
            for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
        assertError(await p.req("message:send", payload), "invalid");
    }
    const ok = await send(p, "general", "x", `${uid("c")}-`.padEnd(128, "c"));
    assert.equal(ok.ok, true, "clientId of 128 characters");
});

test("order of checks", async () => {
    const p = await joined("general");
    // invalid beats not_found / not_joined
    assertError(await send(p, "nope", "   "), "invalid");
    assertError(await send(p, "random", ""), "invalid");
    // not_found / access_denied beat not_joined
    assertError(await send(p, "staff", "x".repeat(MAX_CONTENT + 1)), "access_denied");
    // not_joined beats too_long
    assertError(await send(p, "random", "x".repeat(MAX_CONTENT + 1)), "not_joined");
});

test("a retry with the same clientId returns the first message and is not broadcast again", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const clientId = uid("c");
    const first = await send(a, "general", "original", clientId);
    assert.equal(first.ok, true);
    await b.next("message:new", (m) => m.id === first.message.id);
    await a.next("message:new", (m) => m.id === first.message.id);

    assert.deepEqual(await send(a, "general", "original", clientId), first);
    assert.deepEqual(await send(a, "general", "other content", clientId), first, "whatever content it names");
    assert.deepEqual(await send(a, "random", "other room", clientId), first, "whatever (accessible) room it names");
    await b.none("message:new", (m) => m.id === first.message.id || m.clientId === clientId);
    await a.none("message:new", (m) => m.clientId === clientId);

    // another socket of the same user gets the same answer
    const a2 = await connect(a.user);
    assert.deepEqual(await send(a2, "general", "from a2", clientId), first);

    // idempotency is per user: the same clientId from someone else is a new message
    const other = await send(b, "general", "same clientId", clientId);
    assert.equal(other.ok, true);
    assert.notEqual(other.message.id, first.message.id);
    assert.equal(other.message.userId, b.user);
});

test("a retry naming an unknown or inaccessible room is refused like any request", async () => {
    const a = await joined("general");
    const clientId = uid("c");
    const first = await send(a, "general", "x", clientId);
    assert.equal(first.ok, true);
    assertError(await send(a, "nope", "x", clientId), "not_found");
    assertError(await send(a, "staff", "x", clientId), "access_denied");
    assertError(await send(a, "general", " ", clientId), "invalid");
});

test("a retry before the room is re-joined still gets its stored message", async () => {
    const a = await joined("general");
    const clientId = uid("c");
    const first = await send(a, "general", "sent before a reconnect", clientId);
    assert.equal(first.ok, true);
    await a.close();
    const again = await connect(a.user); // fresh socket, not joined
    assert.deepEqual(await send(again, "general", "sent before a reconnect", clientId), first);
    assertError(await send(again, "general", "new one", uid("c")), "not_joined");
});

test("rate limit: per user token bucket, retryAfterMs inside error", async () => {
    const a1 = await joined("general");
    const a2 = await joined("general", a1.user);
    const sent = [];
    for (let i = 0; i < RATE_BURST; i++) {
        const ack = await send(i % 2 ? a2 : a1, "general", `burst ${i}`);
        assert.equal(ack.ok, true, `message ${i} of the burst: ${JSON.stringify(ack)}`);
        sent.push(ack);
    }
    // The bucket refills meanwhile (RATE_PER_SEC), so allow a slow machine a couple more sends.
    let limited;
    for (let extra = 0; extra < 3; extra++) {
        limited = await send(a2, "general", `one too many ${extra}`);
        if (!limited.ok) break;
    }
    assertError(limited, "rate_limited");
    const wait = limited.error.retryAfterMs;
    assert.ok(Number.isInteger(wait) && wait > 0 && wait <= Math.ceil(1000 / RATE_PER_SEC),
        `retryAfterMs ${wait} within one refill interval`);
    assert.equal(limited.retryAfterMs, undefined, "retryAfterMs sits inside error");

    // idempotent retries are answered before the rate check
    assert.deepEqual(await send(a1, "general", "burst 0", sent[0].message.clientId), sent[0]);
    // other users are not affected
    const b = await joined("general");
    assert.equal((await send(b, "general", "not limited")).ok, true);

    await sleep(wait + 50); // the protocol's own wait
    const later = await send(a1, "general", "after waiting");
    assert.equal(later.ok, true, JSON.stringify(later));
    assertError(await send(a1, "general", "and again too fast"), "rate_limited");
});

test("a refused send is not broadcast", async () => {
    const a = await joined("general");
    const b = await joined("general");
    assertError(await send(a, "general", "x".repeat(MAX_CONTENT + 1)), "too_long");
    await b.none("message:new", (m) => m.userId === a.user);
});

test("a frame above maxPayload closes the connection", async () => {
    const p = await joined("general");
    const gone = new Promise((r) => p.socket.once("disconnect", r));
    p.socket.emit("message:send", { roomId: "general", content: "x".repeat(MAX_PAYLOAD + 1), clientId: uid("c") });
    const reason = await Promise.race([gone, sleep(3000).then(() => "still connected")]);
    assert.equal(reason, "transport close");
});
