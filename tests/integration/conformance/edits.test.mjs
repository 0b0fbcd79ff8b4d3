// message:edit and message:updated: the edit rules, no-op edits, the order of checks, and rev
// contiguous under concurrent editors spread over the nodes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
    connect, joined, closeAll, uid, assertError, okMessage, sent, send, edit, del, react, updates, roomRev,
    contiguous, CREATED_AT_RE, MAX_CONTENT,
} from "./lib.mjs";

after(closeAll);

test("edit: trimmed content, editedAt, new rev, the rest kept; message:updated to the room", async () => {
    const a = await joined("general", uid(), { name: "Author" });
    const b = await joined("general");
    const outside = await connect(a.user); // the author's socket that did not join
    const m = await sent(a, "general", "first draft");
    await b.next("message:new", (x) => x.id === m.id);
    const r0 = await roomRev(a, "general");
    const ack = await edit(a, "general", m.id, "  final text \n");
    const e = okMessage(ack, {
        id: m.id, roomId: "general", seq: m.seq, userId: a.user, userName: "Author", createdAt: m.createdAt,
        clientId: m.clientId, content: "final text", rev: r0 + 1, deleted: false, deletedAt: null,
        reactions: {}, replyTo: null, mentions: [],
    });
    assert.match(e.editedAt, CREATED_AT_RE);
    assert.ok(Date.parse(e.editedAt) >= Date.parse(m.createdAt), "editedAt is not before createdAt");
    for (const p of [a, b]) assert.deepEqual(await p.next("message:updated", (x) => x.id === m.id), e);
    await outside.none("message:updated", (x) => x.id === m.id);
    await b.none("message:new", (x) => x.id === m.id); // an edit is not a new message
    assert.equal(await roomRev(a, "general"), r0 + 1);
});

test("an edit to the same (trimmed) content is a no-op: no rev, no broadcast", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "stays");
    const e = okMessage(await edit(a, "general", m.id, "changed"));
    await b.next("message:updated", (x) => x.id === m.id);
    const r = await roomRev(a, "general");
    for (const content of ["changed", "  changed\t"])
        assert.deepEqual(okMessage(await edit(a, "general", m.id, content)), e, "answers the message unchanged");
    await b.none("message:updated", (x) => x.id === m.id);
    assert.equal(await roomRev(a, "general"), r, "no new rev");
    // the next real change takes exactly the next rev
    assert.equal(okMessage(await edit(a, "general", m.id, "again")).rev, r + 1);
});

test("edits keep reactions and replyTo, and may be repeated", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const orig = await sent(b, "general", "question?");
    const m = await sent(a, "general", "answer", { replyTo: orig.id });
    okMessage(await react(b, "general", m.id, "👍"));
    const e1 = okMessage(await edit(a, "general", m.id, "better answer"));
    assert.deepEqual(e1.reactions, { "👍": [b.user] });
    assert.deepEqual(e1.replyTo, m.replyTo);
    const e2 = okMessage(await edit(a, "general", m.id, "best answer"));
    assert.equal(e2.rev, e1.rev + 1);
    assert.deepEqual(e2.reactions, e1.reactions);
});

test("a send retry returns the message's current state", async () => {
    const a = await joined("general");
    const clientId = uid("c");
    const m = okMessage(await send(a, "general", "v1", { clientId }));
    const e = okMessage(await edit(a, "general", m.id, "v2"));
    assert.deepEqual(okMessage(await send(a, "general", "v1", { clientId })), e);
    const t = okMessage(await del(a, "general", m.id));
    assert.deepEqual(okMessage(await send(a, "general", "v1", { clientId })), t);
});

test("bad edit payloads -> invalid", async () => {
    const a = await joined("general");
    const m = await sent(a, "general", "target");
    const good = { roomId: "general", messageId: m.id, content: "x" };
    const bad = [
        "x", 42, null, [m.id],
        { ...good, roomId: undefined }, { ...good, roomId: "General" }, { ...good, roomId: 1 },
        { ...good, messageId: undefined }, { ...good, messageId: "" }, { ...good, messageId: 5 },
        { ...good, messageId: null }, { ...good, messageId: "m".repeat(129) },
        { ...good, content: undefined }, { ...good, content: "" }, { ...good, content: " \n\u3000" },
        { ...good, content: 5 }, { ...good, content: null }, { ...good, content: ["x"] },
    ];
    for (const payload of bad) {
        if (payload && typeof payload === "object" && !Array.isArray(payload))
            for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
        assertError(await a.req("message:edit", payload), "invalid");
    }
    // a messageId of 128 characters is well-formed (and names no message)
    assertError(await edit(a, "general", "m".repeat(128), "x"), "not_found");
    assert.equal(okMessage(await edit(a, "general", m.id, "target")).rev, 0, "still unchanged");
});

test("edit: order of checks", async () => {
    const a = await joined("general");
    const b = await joined("general");
    await b.req("room:join", "random");
    const m = await sent(a, "general", "mine");
    const gone = await sent(a, "general", "soon gone");
    okMessage(await del(a, "general", gone.id));
    const long = "x".repeat(MAX_CONTENT + 1);

    // invalid beats not_found (room)
    assertError(await edit(a, "nope", "", "x"), "invalid");
    assertError(await edit(a, "nope", m.id, " "), "invalid");
    // not_found / access_denied (room) beat not_joined
    assertError(await edit(a, "nope", m.id, "x"), "not_found");
    assertError(await edit(a, "staff", m.id, "x"), "access_denied");
    // not_joined beats the message lookup
    const notJoined = await connect(a.user);
    assertError(await edit(notJoined, "general", m.id, "x"), "not_joined");
    assertError(await edit(a, "random", uid("nomsg"), "x"), "not_joined");
    // the message must exist in this room
    assertError(await edit(a, "general", uid("nomsg"), "x"), "not_found");
    assertError(await edit(b, "random", m.id, "x"), "not_found");
    // not_found beats permission: nobody learns whether an id exists elsewhere
    assertError(await edit(b, "general", uid("nomsg"), long), "not_found");
    // only the author edits; permission beats state and length
    assertError(await edit(b, "general", m.id, "hijack"), "access_denied");
    assertError(await edit(b, "general", gone.id, "x"), "access_denied");
    assertError(await edit(b, "general", m.id, long), "access_denied");
    // state beats length: editing a tombstone is invalid
    assertError(await edit(a, "general", gone.id, "revive"), "invalid");
    assertError(await edit(a, "general", gone.id, long), "invalid");
    // too_long counts code points of the trimmed text
    assertError(await edit(a, "general", m.id, long), "too_long");
    assertError(await edit(a, "general", m.id, "😀".repeat(MAX_CONTENT + 1)), "too_long");
    const fits = okMessage(await edit(a, "general", m.id, ` ${"😀".repeat(MAX_CONTENT)} `));
    assert.equal(fits.content, "😀".repeat(MAX_CONTENT));
});

test("a refused edit changes nothing and broadcasts nothing", async () => {
    const a = await joined("general");
    const b = await joined("general");
    const m = await sent(a, "general", "keep me");
    const r = await roomRev(a, "general");
    assertError(await edit(b, "general", m.id, "mine now"), "access_denied");
    assertError(await edit(a, "general", m.id, "x".repeat(MAX_CONTENT + 1)), "too_long");
    await a.none("message:updated", (x) => x.id === m.id);
    assert.equal(await roomRev(a, "general"), r);
    const page = await b.req("room:history", { roomId: "general", after: m.seq - 1, limit: 1 });
    assert.deepEqual(page.messages, [m]);
});

test("rev stays contiguous under 20 concurrent editors and reactors (sockets spread over the nodes)", async () => {
    const N = 20;
    const watcher = await joined("general");
    const users = [];
    for (let i = 0; i < N; i++) users.push(await joined("general"));
    const own = await Promise.all(users.map((u, i) => sent(u, "general", `own ${i}`)));
    const shared = await sent(watcher, "general", "react to me");
    const r0 = await roomRev(watcher, "general");

    const acks = await Promise.all(users.flatMap((u, i) => [
        edit(u, "general", own[i].id, `edited ${i}`),
        react(u, "general", shared.id, "🎉"),
    ]));
    const changed = acks.map((ack) => okMessage(ack));
    contiguous(changed.map((m) => m.rev), r0);
    assert.equal(await roomRev(watcher, "general"), r0 + 2 * N);

    // no lost reaction: the last state has all 20 users
    const reacted = changed.filter((m) => m.id === shared.id).sort((x, y) => x.rev - y.rev);
    assert.deepEqual(reacted.at(-1).reactions, { "🎉": users.map((u) => u.user).sort() });
    for (let i = 1; i < reacted.length; i++)
        assert.equal(reacted[i].reactions["🎉"].length, reacted[i - 1].reactions["🎉"].length + 1, "one user per change");

    // the watcher saw every change once, each rev once
    const seen = [];
    for (let i = 0; i < 2 * N; i++) seen.push(await watcher.next("message:updated"));
    contiguous(seen.map((m) => m.rev), r0);
    await watcher.none("message:updated");

    // room:updates agrees
    const page = await updates(watcher, "general", r0, { limit: 100 });
    assert.equal(page.ok, true);
    assert.equal(page.rev, r0 + 2 * N);
    assert.equal(page.messages.length, N + 1, "each changed message once, at its last rev");
    assert.deepEqual(page.messages.find((m) => m.id === shared.id), reacted.at(-1));
});
