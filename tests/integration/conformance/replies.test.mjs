// message:send with replyTo: the snapshot, its checks and their place in the order of checks.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    connect, joined, closeAll, uid, assertError, okMessage, sent, send, edit, del, MAX_CONTENT,
} from "./lib.mjs";

after(closeAll);

test("a reply carries a snapshot of what it answers", async () => {
    const a = await joined("general", uid(), { name: "Asker" });
    const b = await joined("general");
    const q = await sent(a, "general", "😀".repeat(MAX_CONTENT)); // excerpt counts code points
    const r = await sent(b, "general", "answer", { replyTo: q.id });
    assert.deepEqual(r.replyTo, {
        id: q.id, seq: q.seq, userId: a.user, userName: "Asker",
        excerpt: [...q.content].slice(0, 100).join(""), deleted: false,
    });
    assert.deepEqual(await a.next("message:new", (x) => x.id === r.id), r);
    const plain = await sent(b, "general", "no reply", { replyTo: null });
    assert.equal(plain.replyTo, null, "replyTo null counts as absent");
});

test("the snapshot is not updated when the original is edited or deleted", async () => {
    const a = await joined("general");
    const q = await sent(a, "general", "original words");
    const r = await sent(a, "general", "reply", { replyTo: q.id });
    okMessage(await edit(a, "general", q.id, "new words"));
    okMessage(await del(a, "general", q.id));
    const h = await a.req("room:history", { roomId: "general", after: r.seq - 1, limit: 1 });
    assert.deepEqual(h.messages[0].replyTo, r.replyTo);
    assert.equal(h.messages[0].replyTo.excerpt, "original words");
    // an edit of the reply keeps its replyTo, and so does its tombstone
    assert.deepEqual(okMessage(await edit(a, "general", r.id, "edited reply")).replyTo, r.replyTo);
    assert.deepEqual(okMessage(await del(a, "general", r.id)).replyTo, r.replyTo);
});

test("replying to a tombstone is allowed: deleted true, excerpt empty", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const q = await sent(a, "general", "regretted");
    okMessage(await del(a, "general", q.id));
    const r = await sent(b, "general", "what did you say?", { replyTo: q.id });
    assert.deepEqual(r.replyTo, { id: q.id, seq: q.seq, userId: a.user, userName: a.user, excerpt: "", deleted: true });
});

test("replyTo must name a message of the same room", async () => {
    const a = await joined("general");
    await a.req("room:join", "random");
    const q = await sent(a, "general", "in general");
    assertError(await send(a, "general", "x", { replyTo: uid("nomsg") }), "not_found");
    assertError(await send(a, "random", "x", { replyTo: q.id }), "not_found");
    for (const replyTo of ["", 5, true, { id: q.id }, [q.id], "m".repeat(129)])
        assertError(await send(a, "general", "x", { replyTo }), "invalid");
    assertError(await send(a, "general", "x", { replyTo: "m".repeat(128) }), "not_found", "128 characters are well-formed");
});

test("replyTo: order of checks", async () => {
    const a = await joined("general");
    const q = await sent(a, "general", "q");
    // shape beats everything
    assertError(await send(a, "nope", "x", { replyTo: "" }), "invalid");
    // room checks and not_joined come before replyTo
    assertError(await send(a, "nope", "x", { replyTo: uid("nomsg") }), "not_found");
    assertError(await send(a, "staff", "x", { replyTo: uid("nomsg") }), "access_denied");
    const notJoined = await connect(a.user);
    assertError(await send(notJoined, "general", "x", { replyTo: uid("nomsg") }), "not_joined");
    // replyTo comes before too_long
    assertError(await send(a, "general", "x".repeat(MAX_CONTENT + 1), { replyTo: uid("nomsg") }), "not_found");
    assertError(await send(a, "general", "x".repeat(MAX_CONTENT + 1), { replyTo: q.id }), "too_long");
});

test("a send retry returns the stored message whatever its replyTo names now", async () => {
    const a = await joined("general");
    const q = await sent(a, "general", "q");
    const clientId = uid("c");
    const r = await sent(a, "general", "reply", { clientId, replyTo: q.id });
    assert.deepEqual(okMessage(await send(a, "general", "reply", { clientId, replyTo: uid("nomsg") })), r);
    assert.deepEqual(okMessage(await send(a, "general", "reply", { clientId })), r);
    const fresh = await connect(a.user); // not joined: the lookup comes first
    assert.deepEqual(okMessage(await send(fresh, "general", "reply", { clientId, replyTo: q.id })), r);
});
