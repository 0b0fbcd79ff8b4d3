// Client -> server typing (volatile, no ack) and its relay.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { connect, joined, closeAll } from "./lib.mjs";

after(closeAll);

test("typing is relayed to the room's other sockets, not the sender's socket", async () => {
    const a = await joined("general");
    const a2 = await joined("general", a.user); // same user, another socket: receives it
    const b = await joined("general");
    const notJoined = await connect();
    const elsewhere = await joined("random");
    a.socket.emit("typing", { roomId: "general", typing: true });
    const want = { roomId: "general", userId: a.user, typing: true };
    assert.deepEqual(await b.next("typing", (d) => d.userId === a.user), want);
    assert.deepEqual(await a2.next("typing", (d) => d.userId === a.user), want);
    await a.none("typing");
    await notJoined.none("typing", (d) => d.userId === a.user);
    await elsewhere.none("typing", (d) => d.userId === a.user);

    a.socket.emit("typing", { roomId: "general", typing: false });
    assert.deepEqual(await b.next("typing", (d) => d.userId === a.user), { ...want, typing: false });
});

test("typing is ignored unless the socket joined the room", async () => {
    const b = await joined("general");
    const a = await joined("random");
    const a2 = await connect(a.user);
    a.socket.emit("typing", { roomId: "general", typing: true });
    a2.socket.emit("typing", { roomId: "general", typing: true });
    a.socket.emit("typing", { roomId: "staff", typing: true });
    a.socket.emit("typing", { roomId: "nope", typing: true });
    await b.none("typing", (d) => d.userId === a.user);
});

test("malformed typing is ignored and the connection stays usable", async () => {
    const a = await joined("general");
    const b = await joined("general");
    for (const p of [null, "general", 42, { roomId: 5, typing: true }, { typing: true }])
        a.socket.emit("typing", p);
    await b.none("typing", (d) => d.userId === a.user && d.roomId !== "general");
    assert.equal(a.socket.connected, true);
    assert.equal((await a.req("room:history", { roomId: "general", limit: 1 })).ok, true);
});
