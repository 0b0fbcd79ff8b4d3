// v1.1 with connection state recovery (only when the server runs with --recovery): the replay
// covers changes (message:updated) and read markers, not only new messages.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Peer, track, joined, closeAll, token, uid, okMessage, sent, edit, react, read, RECOVERY, WAIT_MS } from "./lib.mjs";

after(closeAll);
const skip = RECOVERY ? false : "server not started with --recovery";

test("a recovered socket gets the changes and read markers it missed", { skip }, async () => {
    const b = await joined("general");
    const user = uid("r");
    const a = track(new Peer({ auth: { token: token(user) }, user }));
    a.ready = await a.open();
    assert.equal((await a.req("room:join", "general")).ok, true);
    const m = await sent(b, "general", "before the gap");
    await a.next("message:new", (x) => x.id === m.id); // recovery needs an offset

    const gone = new Promise((r) => a.socket.once("disconnect", r));
    a.socket.io.engine.close(); // no DISCONNECT packet: the server keeps the session
    await gone;
    await b.next("room:user-left", (d) => d.userId === user);

    const e = okMessage(await edit(b, "general", m.id, "changed during the gap"));
    const x = okMessage(await react(b, "general", m.id, "👋"));
    const other = await joined("general", user); // the same user on another device
    assert.deepEqual(await read(other, "general", m.seq), { ok: true, readSeq: m.seq });

    const connected = new Promise((resolve, reject) => {
        a.socket.once("connect", resolve);
        a.socket.once("connect_error", reject);
        setTimeout(() => reject(new Error("no reconnect")), WAIT_MS);
    });
    const ready = a.next("session:ready");
    a.socket.connect();
    await connected;
    assert.equal(a.socket.recovered, true);
    assert.equal((await ready).rooms.find((r) => r.id === "general").readSeq, m.seq, "session:ready is current too");
    assert.deepEqual(await a.next("message:updated", (u) => u.rev === e.rev), e);
    assert.deepEqual(await a.next("message:updated", (u) => u.rev === x.rev), x);
    assert.deepEqual(await a.next("room:read-marker"), { roomId: "general", readSeq: m.seq });
});
