// mentions: the @userId syntax, known users, private rooms, order and recomputation on edit.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { connect, joined, closeAll, okMessage, sent, edit, del } from "./lib.mjs";

after(closeAll);

// Short ids: message content is limited to 50 code points in the suite.
const sid = () => `m${crypto.randomBytes(3).toString("hex")}`;
/** Users that have connected once (so the server knows them); closed again. */
async function known(n) {
    const ids = [];
    for (let i = 0; i < n; i++) {
        const p = await connect(sid());
        ids.push(p.user);
        await p.close();
    }
    return ids;
}

test("mentions: @id at the start or after white space, up to white space or punctuation", async () => {
    const [u1, u2, u3, u4] = await known(4);
    const cases = [
        [`@${u1} hi`, [u1]],
        [`hi @${u1}, @${u2}.`, [u1, u2]],
        [`@${u2}: @${u1}! @${u2}?`, [u2, u1]],
        [`x@${u1} (@${u2}) "@${u3}"`, []],
        [`@${u3}'s @${u4}; ok`, [u3, u4]],
        [`\u3000@${u1}\u00a0@${u2}\n@${u3}`, [u1, u2, u3]],
        [`@${u1}) @${u2}] @${u3}} @${u4}>`, [u1, u2, u3, u4]],
        [`@ @. @@${u1} @${u1}x`, []],
    ];
    for (const [content, want] of cases) {
        assert.ok([...content].length <= 50, content);
        const a = await joined("general"); // a writer per case: the rate bucket stays full
        assert.deepEqual((await sent(a, "general", content)).mentions, want, content);
    }
});

test("only known users are mentioned; configured members count as known", async () => {
    const [u1] = await known(1);
    const a = await joined("general");
    const stranger = sid(); // never connected
    const m = await sent(a, "general", `@${stranger} @${u1} @dave @${a.user}`);
    assert.deepEqual(m.mentions, [u1, "dave", a.user], "own id included: clients decide");
});

test("in a private room only its members are mentioned", async () => {
    const [u1] = await known(1);
    const alice = await joined("staff", "alice", { name: "Alice" });
    const m = await sent(alice, "staff", `@${u1} @dave @alice`);
    assert.deepEqual(m.mentions, ["dave", "alice"]);
    await alice.close();
});

test("an edit recomputes mentions; a tombstone has none", async () => {
    const [u1, u2] = await known(2);
    const a = await joined("general");
    const m = await sent(a, "general", `@${u1} look`);
    assert.deepEqual(m.mentions, [u1]);
    const e = okMessage(await edit(a, "general", m.id, `@${u2} look, not @${u1}`));
    assert.deepEqual(e.mentions, [u2, u1]);
    const e2 = okMessage(await edit(a, "general", m.id, "nobody"));
    assert.deepEqual(e2.mentions, []);
    const e3 = okMessage(await edit(a, "general", m.id, `@${u2}`));
    assert.deepEqual(e3.mentions, [u2]);
    assert.deepEqual(okMessage(await del(a, "general", m.id)).mentions, []);
});
