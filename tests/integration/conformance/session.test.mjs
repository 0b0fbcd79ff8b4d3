// session:ready and global presence (user:online / user:offline).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { connect, closeAll, uid, MAX_CONTENT, MAX_PAYLOAD } from "./lib.mjs";

after(closeAll);

const PUBLIC = [
    { id: "general", name: "General", private: false },
    { id: "random", name: "Random", private: false },
];
const STAFF = { id: "staff", name: "Staff", private: true };
const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
// The v1 fields of session:ready.rooms, sorted by id.
const v1Rooms = (rooms) => rooms.map(({ id, name, private: priv }) => ({ id, name, private: priv })).sort(byId);

test("session:ready shape for a non-member of the private room", async () => {
    const u = uid("bob");
    const p = await connect(u, { name: "Bob" });
    const r = p.ready;
    // a v1.1 server adds features (and lastSeq/readSeq per room: see discovery.test.mjs)
    const v1 = ["limits", "online", "rooms", "user"];
    assert.deepEqual(Object.keys(r).sort(), "features" in r ? [...v1, "features"].sort() : v1);
    assert.deepEqual(r.user, { id: u, name: "Bob" });
    assert.deepEqual(v1Rooms(r.rooms), PUBLIC);
    assert.ok(Array.isArray(r.online) && r.online.every((x) => typeof x === "string"));
    assert.ok(r.online.includes(u), "online includes the user itself");
    assert.equal(new Set(r.online).size, r.online.length, "online has no duplicates");
    assert.deepEqual(r.limits, { maxContentLength: MAX_CONTENT, maxPayload: MAX_PAYLOAD });
});

test("session:ready lists private rooms to their members", async () => {
    const p = await connect("alice", { name: "Alice" });
    assert.deepEqual(p.ready.user, { id: "alice", name: "Alice" });
    assert.deepEqual(v1Rooms(p.ready.rooms), [...PUBLIC, STAFF].sort(byId));
    await p.close();
});

test("online snapshot lists the users already connected", async () => {
    const a = await connect();
    const b = await connect();
    assert.ok(b.ready.online.includes(a.user));
    assert.ok(b.ready.online.includes(b.user));
    await b.close();
    await a.next("user:offline", (d) => d.userId === b.user);
    const c = await connect();
    assert.ok(!c.ready.online.includes(b.user), "a gone user is not in the snapshot");
});

test("user:online on the first socket only, user:offline on the last only", async () => {
    const watcher = await connect();
    const u = uid();
    const s1 = await connect(u);
    assert.deepEqual(await watcher.next("user:online", (d) => d.userId === u), { userId: u });

    const s2 = await connect(u);
    assert.ok(s2.ready.online.includes(u));
    await watcher.none("user:online", (d) => d.userId === u);

    await s2.close();
    await watcher.none("user:offline", (d) => d.userId === u);
    assert.ok(s1.socket.connected);

    await s1.close();
    assert.deepEqual(await watcher.next("user:offline", (d) => d.userId === u), { userId: u });
    await watcher.none("user:offline", (d) => d.userId === u);
});

test("user:online reaches every connected socket", async () => {
    const w1 = await connect();
    const w2 = await connect(w1.user); // a second socket of the same watcher user
    const w3 = await connect();
    const u = await connect();
    for (const w of [w1, w2, w3]) await w.next("user:online", (d) => d.userId === u.user);
    await u.close();
    for (const w of [w1, w2, w3]) await w.next("user:offline", (d) => d.userId === u.user);
});
