// message:delete: tombstones, deleting twice, permission, and tombstones keeping seq contiguous in
// history and join pages.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    joined, closeAll, uid, assertError, okMessage, sent, edit, del, react, roomRev, seqs, CREATED_AT_RE,
} from "./lib.mjs";

after(closeAll);

test("delete: the tombstone keeps id, seq, author, times, clientId and replyTo", async () => {
    const a = await joined("general", uid(), { name: "Author" });
    const b = await joined("general");
    const q = await sent(b, "general", "question");
    const m = await sent(a, "general", `reply @${b.user}`, { replyTo: q.id });
    okMessage(await react(b, "general", m.id, "👀"));
    const e = okMessage(await edit(a, "general", m.id, `edited reply @${b.user}`));
    assert.deepEqual(e.mentions, [b.user]);
    const r0 = await roomRev(a, "general");
    const t = okMessage(await del(a, "general", m.id), {
        id: m.id, roomId: "general", seq: m.seq, userId: a.user, userName: "Author", createdAt: m.createdAt,
        clientId: m.clientId, editedAt: e.editedAt, replyTo: m.replyTo,
        content: "", reactions: {}, mentions: [], deleted: true, rev: r0 + 1,
    });
    assert.match(t.deletedAt, CREATED_AT_RE);
    assert.ok(Date.parse(t.deletedAt) >= Date.parse(e.editedAt));
    for (const p of [a, b]) assert.deepEqual(await p.next("message:updated", (x) => x.id === m.id && x.deleted), t);
});

test("deleting a tombstone answers it unchanged: no rev, no broadcast", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "twice");
    const t = okMessage(await del(a, "general", m.id));
    await b.next("message:updated", (x) => x.id === m.id);
    const r = await roomRev(a, "general");
    assert.deepEqual(okMessage(await del(a, "general", m.id)), t);
    await b.none("message:updated", (x) => x.id === m.id);
    assert.equal(await roomRev(a, "general"), r);
});

test("only the author deletes; a tombstone cannot be edited or reacted to, by anyone", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "not yours");
    assertError(await del(b, "general", m.id), "access_denied");
    const t = okMessage(await del(a, "general", m.id));
    assertError(await del(b, "general", m.id), "access_denied", "permission comes before state");
    assertError(await edit(a, "general", m.id, "back"), "invalid");
    assertError(await react(a, "general", m.id, "👍"), "invalid");
    assertError(await react(b, "general", m.id, "👍"), "invalid");
    assertError(await react(b, "general", m.id, "👍", false), "invalid");
    assert.deepEqual(okMessage(await del(a, "general", m.id)), t);
});

test("delete: order of checks", async () => {
    const a = await joined("general");
    const m = await sent(a, "general", "x");
    for (const payload of [null, "x", { roomId: "general" }, { roomId: "general", messageId: "" },
        { roomId: "general", messageId: 3 }, { roomId: "General", messageId: m.id }, { messageId: m.id },
        { roomId: "general", messageId: "m".repeat(129) }])
        assertError(await a.req("message:delete", payload), "invalid");
    assertError(await del(a, "nope", m.id), "not_found");
    assertError(await del(a, "staff", m.id), "access_denied");
    assertError(await del(a, "random", m.id), "not_joined");
    assertError(await del(a, "general", uid("nomsg")), "not_found");
    await a.req("room:join", "random");
    assertError(await del(a, "random", m.id), "not_found", "the message must be in the named room");
});

test("history and join pages keep tombstones, so seq stays contiguous", async () => {
    const a = await joined("general");
    const ms = [];
    for (let i = 0; i < 4; i++) ms.push(await sent(a, "general", `page ${i}`));
    const t1 = okMessage(await del(a, "general", ms[1].id));
    const t2 = okMessage(await del(a, "general", ms[2].id));
    const h = await a.req("room:history", { roomId: "general", after: ms[0].seq - 1, limit: 4 });
    assert.equal(h.ok, true);
    assert.deepEqual(seqs(h.messages), ms.map((m) => m.seq));
    assert.deepEqual(h.messages, [ms[0], t1, t2, ms[3]]);
    const before = await a.req("room:history", { roomId: "general", before: ms[3].seq, limit: 2 });
    assert.deepEqual(before.messages, [t1, t2]);
    const j = await joined("general");
    const tail = j.joinAck.messages.slice(-4);
    seqs(j.joinAck.messages);
    assert.deepEqual(tail, [ms[0], t1, t2, ms[3]]);
});

test("concurrent deletes of one message make one tombstone and one rev (sockets spread over the nodes)", async () => {
    const a = await joined("general");
    const sockets = [a, await joined("general", a.user), await joined("general", a.user)];
    const m = await sent(a, "general", "delete me thrice");
    const r0 = await roomRev(a, "general");
    const acks = (await Promise.all(sockets.map((s) => del(s, "general", m.id)))).map((x) => okMessage(x));
    for (const t of acks) assert.deepEqual(t, acks[0]);
    assert.equal(acks[0].rev, r0 + 1);
    assert.equal(await roomRev(a, "general"), r0 + 1);
});
