// CONNECT refusals and the token rules of PROTOCOL.md ("Connection").
import { test, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { Peer, track, closeAll, token, rawToken, uid, jwt, SECRET } from "./lib.mjs";

after(closeAll);

const AUTH_REQUIRED = { message: "Authentication required", data: { code: "auth_required" } };
const INVALID = { message: "Invalid token", data: { code: "invalid_token" } };
const EXPIRED = { message: "Invalid token", data: { code: "token_expired" } };

const future = () => Math.floor(Date.now() / 1000) + 600;

async function refusedWith(auth, expected) {
    const p = track(new Peer({ auth }));
    const r = await p.refused();
    assert.deepEqual(r, expected);
    assert.equal(p.socket.connected, false);
    p.socket.close();
}

test("no auth payload -> auth_required", () => refusedWith(undefined, AUTH_REQUIRED));
test("auth without token -> auth_required", () => refusedWith({}, AUTH_REQUIRED));
test("empty token -> auth_required", () => refusedWith({ token: "" }, AUTH_REQUIRED));
test("token null -> auth_required", () => refusedWith({ token: null }, AUTH_REQUIRED));

test("non-string tokens -> invalid_token", async () => {
    for (const t of [42, true, {}, ["a.b.c"], { token: token("alice") }]) await refusedWith({ token: t }, INVALID);
});

test("malformed tokens -> invalid_token", async () => {
    for (const t of ["abc", "a.b.c", "not a jwt", "..", `${token("bob")}x.y`, "e30.e30.", " "])
        await refusedWith({ token: t }, INVALID);
});

test("bad signature -> invalid_token", async () => {
    await refusedWith({ token: token(uid(), {}, { secret: `${SECRET}-other` }) }, INVALID);
    const [h, , s] = token("bob").split(".");
    const forged = Buffer.from(JSON.stringify({ sub: "alice", exp: future() })).toString("base64url");
    await refusedWith({ token: `${h}.${forged}.${s}` }, INVALID);
});

test("alg none -> invalid_token", async () => {
    const payload = { sub: uid(), exp: future() };
    for (const alg of ["none", "None", "NONE"]) {
        await refusedWith({ token: rawToken({ alg, typ: "JWT" }, payload, { signature: "" }) }, INVALID);
        // a "none" token that carries an HS256 signature all the same
        await refusedWith({ token: rawToken({ alg, typ: "JWT" }, payload) }, INVALID);
    }
});

test("other HMAC algs with the right secret -> invalid_token", async () => {
    for (const algorithm of ["HS384", "HS512"])
        await refusedWith({ token: token(uid(), {}, { algorithm }) }, INVALID);
});

test("RS/ES/PS alg confusion -> invalid_token", async () => {
    const payload = { sub: uid(), exp: future() };
    // header claims RS256 but the signature is HMAC-SHA256 with the shared secret
    for (const alg of ["RS256", "ES256", "PS256"])
        await refusedWith({ token: rawToken({ alg, typ: "JWT" }, payload) }, INVALID);
    // a genuine RS256 token
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    await refusedWith({ token: jwt.sign(payload, privateKey, { algorithm: "RS256" }) }, INVALID);
});

test("missing, empty, non-string or too long sub -> invalid_token", async () => {
    for (const sub of [undefined, "", 42, null, "x".repeat(129)]) {
        const payload = { exp: future() };
        if (sub !== undefined) payload.sub = sub;
        await refusedWith({ token: rawToken({ alg: "HS256", typ: "JWT" }, payload) }, INVALID);
    }
});

test("sub of 128 characters is accepted", async () => {
    const sub = `${uid()}-`.padEnd(128, "x");
    const p = track(new Peer({ auth: { token: token(sub) } }));
    const ready = await p.open();
    assert.equal(ready.user.id, sub);
    await p.close();
});

test("missing or non-numeric exp -> invalid_token", async () => {
    await refusedWith({ token: rawToken({ alg: "HS256", typ: "JWT" }, { sub: uid() }) }, INVALID);
    await refusedWith({ token: rawToken({ alg: "HS256", typ: "JWT" }, { sub: uid(), exp: "soon" }) }, INVALID);
});

test("expired token -> token_expired", async () => {
    const exp = Math.floor(Date.now() / 1000) - 60;
    await refusedWith({ token: token(uid(), { exp }) }, EXPIRED);
    await refusedWith({ token: rawToken({ alg: "HS256", typ: "JWT" }, { sub: uid(), exp }) }, EXPIRED);
});

test("expired token with a bad signature is invalid_token, not token_expired", async () => {
    const exp = Math.floor(Date.now() / 1000) - 60;
    await refusedWith({ token: token(uid(), { exp }, { secret: `${SECRET}-other` }) }, INVALID);
});

test("name claim: used when a non-empty string, else sub", async () => {
    const cases = [["Zoë Example", "Zoë Example"], [undefined, null], ["", null], [42, null], [null, null]];
    for (const [name, expected] of cases) {
        const sub = uid();
        const payload = { sub, exp: future() };
        if (name !== undefined) payload.name = name;
        const p = track(new Peer({ auth: { token: rawToken({ alg: "HS256", typ: "JWT" }, payload) } }));
        const ready = await p.open();
        assert.deepEqual(ready.user, { id: sub, name: expected ?? sub });
        await p.close();
    }
});
