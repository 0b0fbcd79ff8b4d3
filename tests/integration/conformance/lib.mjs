// Shared helpers of the conformance suite. The server under test is described by the environment
// that run.mjs sets: PALAVER_URL, PALAVER_SECRET, PALAVER_PARSER (json|msgpack),
// PALAVER_RECOVERY (1 when started with --recovery), PALAVER_MAX_CONTENT, PALAVER_MAX_PAYLOAD,
// PALAVER_RATE_BURST, PALAVER_RATE_PER_SEC.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const peerRequire = createRequire(path.resolve(here, "../../node/package.json"));
const { io } = peerRequire("socket.io-client");
export const jwt = peerRequire("jsonwebtoken");

function env(name, fallback) {
    const v = process.env[name];
    if (v === undefined || v === "") {
        if (fallback === undefined) throw new Error(`${name} is not set: run the suite through run.mjs`);
        return fallback;
    }
    return v;
}

// One URL, or a comma-separated list (a cluster): sockets are spread over them round-robin.
export const URLS = env("PALAVER_URL").split(",").filter(Boolean);
let nextUrl = 0;
const pickUrl = () => URLS[nextUrl++ % URLS.length];
export const SECRET = env("PALAVER_SECRET");
export const PARSER = env("PALAVER_PARSER", "json");
export const RECOVERY = env("PALAVER_RECOVERY", "0") === "1";
export const MAX_CONTENT = Number(env("PALAVER_MAX_CONTENT", "4000"));
export const MAX_PAYLOAD = Number(env("PALAVER_MAX_PAYLOAD", "1000000"));
export const RATE_BURST = Number(env("PALAVER_RATE_BURST", "20"));
export const RATE_PER_SEC = Number(env("PALAVER_RATE_PER_SEC", "5"));

export const WAIT_MS = 3000; // how long an expected event or ack may take
export const QUIET_MS = 200; // how long we watch to assert that something does NOT arrive

export const CREATED_AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A user id no other test uses. */
export const uid = (tag = "u") => `${tag}-${crypto.randomBytes(5).toString("hex")}`;

const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

/** A valid HS256 token for `sub` (claims may be overridden or removed with undefined). */
export function token(sub, claims = {}, { secret = SECRET, algorithm = "HS256" } = {}) {
    const body = { sub, exp: Math.floor(Date.now() / 1000) + 600, ...claims };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    return jwt.sign(body, secret, { algorithm, noTimestamp: true });
}

/** A token assembled by hand: any header, any payload, signature = HMAC-SHA256 or given. */
export function rawToken(header, payload, { secret = SECRET, signature } = {}) {
    const input = `${b64url(header)}.${b64url(payload)}`;
    const sig = signature !== undefined
        ? signature
        : crypto.createHmac("sha256", secret).update(input).digest("base64url");
    return `${input}.${sig}`;
}

/**
 * A socket.io-client socket with a recorder of every event it receives. Events are matched in
 * arrival order and each recorded event is consumed by at most one `next`.
 */
export class Peer {
    constructor({ auth, name, user, clientOptions = {} } = {}) {
        this.user = user;
        this.name = name;
        this.events = []; // {event, data, used}
        this.waiters = new Set();
        const opts = {
            transports: ["websocket"],
            autoConnect: false,
            reconnection: false,
            forceNew: true,
            timeout: WAIT_MS,
            ...clientOptions,
        };
        if (auth !== undefined) opts.auth = auth;
        if (PARSER === "msgpack") opts.parser = peerRequire("socket.io-msgpack-parser");
        this.socket = io(pickUrl(), opts);
        this.socket.onAny((event, ...args) => {
            // With recovery on, the JS client passes the offset as an extra last argument.
            this.events.push({ event, data: args[0], used: false });
            for (const w of this.waiters) w();
        });
    }

    get id() { return this.socket.id; }

    /** Resolves to the payload of the next unconsumed `event` for which `pred` holds. */
    next(event, pred = () => true, ms = WAIT_MS) {
        return new Promise((resolve, reject) => {
            const check = () => {
                const e = this.events.find((x) => !x.used && x.event === event && pred(x.data));
                if (!e) return false;
                e.used = true;
                this.waiters.delete(check);
                clearTimeout(timer);
                resolve(e.data);
                return true;
            };
            const timer = setTimeout(() => {
                this.waiters.delete(check);
                reject(new Error(`${this.user || "peer"}: no ${event} within ${ms} ms; got: ` +
                    JSON.stringify(this.events.map((x) => [x.event, x.data]).slice(-10))));
            }, ms);
            if (!check()) this.waiters.add(check);
        });
    }

    /** Asserts that no unconsumed `event` matching `pred` arrives within `ms`. */
    async none(event, pred = () => true, ms = QUIET_MS) {
        await new Promise((r) => setTimeout(r, ms));
        const e = this.events.find((x) => !x.used && x.event === event && pred(x.data));
        assert.equal(e, undefined, `${this.user || "peer"}: unexpected ${event} ${JSON.stringify(e && e.data)}`);
    }

    /** Sends a request and resolves to its ack (rejects after `ms`). */
    req(event, payload, ms = WAIT_MS) {
        return this.socket.timeout(ms).emitWithAck(event, payload);
    }

    /** Connects and resolves to the session:ready payload. */
    async open() {
        const ready = this.next("session:ready");
        const failed = new Promise((_, reject) => this.socket.once("connect_error", (e) =>
            reject(new Error(`connect_error ${e.message} ${JSON.stringify(e.data)}`))));
        this.socket.connect();
        const r = await Promise.race([ready, failed]);
        failed.catch(() => {});
        return r;
    }

    /** Connects expecting a refusal; resolves to the connect_error {message, data}. */
    refused(ms = WAIT_MS) {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("no connect_error")), ms);
            this.socket.once("connect", () => {
                clearTimeout(timer);
                reject(new Error("connected although a refusal was expected"));
            });
            this.socket.once("connect_error", (e) => {
                clearTimeout(timer);
                resolve({ message: e.message, data: e.data });
            });
            this.socket.connect();
        });
    }

    /** Closes and resolves once the client saw the disconnect. */
    close() {
        if (!this.socket.connected) {
            this.socket.close();
            return Promise.resolve();
        }
        const gone = new Promise((r) => this.socket.once("disconnect", r));
        this.socket.close();
        return gone;
    }
}

/** A Peer for `user` (a fresh id unless given), connected; `.ready` is its session:ready. */
export async function connect(user = uid(), { name, claims = {}, clientOptions } = {}) {
    const c = { ...claims };
    if (name !== undefined) c.name = name;
    const p = new Peer({ auth: { token: token(user, c) }, user, name, clientOptions });
    track(p);
    p.ready = await p.open();
    return p;
}

/** connect() then room:join, asserting success. */
export async function joined(roomId, user, opts) {
    const p = await connect(user, opts);
    const ack = await p.req("room:join", roomId);
    assert.equal(ack.ok, true, `join ${roomId}: ${JSON.stringify(ack)}`);
    p.joinAck = ack;
    return p;
}

// Every peer a test opens is closed when the file ends (see closeAll, called from after()).
const peers = new Set();
export function track(p) {
    peers.add(p);
    return p;
}
export async function closeAll() {
    await Promise.allSettled([...peers].map((p) => p.close()));
    peers.clear();
}

export function assertError(ack, code) {
    assert.equal(ack.ok, false, `expected ${code}, got ${JSON.stringify(ack)}`);
    assert.ok(ack.error && typeof ack.error === "object", `no error object in ${JSON.stringify(ack)}`);
    assert.equal(ack.error.code, code, `expected ${code}, got ${JSON.stringify(ack)}`);
    assert.equal(typeof ack.error.message, "string");
}

const V1_MESSAGE_KEYS = ["clientId", "content", "createdAt", "id", "roomId", "seq", "userId", "userName"];
const V11_MESSAGE_KEYS = ["deleted", "deletedAt", "editedAt", "mentions", "reactions", "replyTo", "rev"];
/** What a v1.1 server lists in session:ready.features (sorted). */
export const FEATURES = ["delete", "edit", "mention", "react", "read", "reply"];

/**
 * A v1 Message, or a v1.1 one (all of the v1.1 fields present, none missing): v1 cases accept
 * both, so they run unchanged against a v1 and a v1.1 server.
 */
export function assertMessage(m, expect = {}) {
    assert.ok(m && typeof m === "object", `not a Message: ${JSON.stringify(m)}`);
    const keys = Object.keys(m).sort();
    const v11 = "rev" in m;
    const want = v11 ? [...V1_MESSAGE_KEYS, ...V11_MESSAGE_KEYS].sort() : V1_MESSAGE_KEYS;
    assert.deepEqual(keys, want, `Message keys of ${JSON.stringify(m)}`);
    assert.equal(typeof m.id, "string");
    assert.ok(m.id.length > 0);
    assert.ok(Number.isInteger(m.seq) && m.seq >= 1, `seq ${m.seq}`);
    for (const k of ["roomId", "userId", "userName", "content", "clientId"]) assert.equal(typeof m[k], "string", k);
    assert.match(m.createdAt, CREATED_AT_RE);
    assert.ok(!Number.isNaN(Date.parse(m.createdAt)));
    if (v11) assertV11Fields(m);
    for (const [k, v] of Object.entries(expect)) assert.deepEqual(m[k], v, `Message.${k}`);
}

function assertV11Fields(m) {
    const what = JSON.stringify(m);
    assert.ok(Number.isInteger(m.rev) && m.rev >= 0, `rev of ${what}`);
    assert.equal(typeof m.deleted, "boolean", `deleted of ${what}`);
    for (const k of ["editedAt", "deletedAt"]) {
        if (m[k] !== null) assert.match(m[k], CREATED_AT_RE, `${k} of ${what}`);
    }
    assert.equal(m.deleted, m.deletedAt !== null, `deletedAt is set exactly when deleted: ${what}`);
    assert.ok(m.reactions && typeof m.reactions === "object" && !Array.isArray(m.reactions), `reactions of ${what}`);
    for (const [emoji, users] of Object.entries(m.reactions)) {
        assert.ok(Array.isArray(users) && users.length > 0, `reactions[${emoji}] is a non-empty list: ${what}`);
        assert.deepEqual(users, [...new Set(users)].sort(), `reactions[${emoji}] sorted, distinct: ${what}`);
    }
    assert.ok(Array.isArray(m.mentions) && m.mentions.every((u) => typeof u === "string"), `mentions of ${what}`);
    assert.equal(new Set(m.mentions).size, m.mentions.length, `mentions are distinct: ${what}`);
    if (m.replyTo !== null) {
        const r = m.replyTo;
        assert.deepEqual(Object.keys(r).sort(), ["deleted", "excerpt", "id", "seq", "userId", "userName"], `replyTo of ${what}`);
        assert.ok(Number.isInteger(r.seq) && r.seq >= 1 && r.seq < m.seq, `replyTo.seq of ${what}`);
        assert.equal(typeof r.deleted, "boolean");
        for (const k of ["id", "userId", "userName", "excerpt"]) assert.equal(typeof r[k], "string", `replyTo.${k}`);
    }
    if (m.deleted) {
        assert.equal(m.content, "", `a tombstone has no content: ${what}`);
        assert.deepEqual(m.reactions, {}, `a tombstone has no reactions: ${what}`);
        assert.deepEqual(m.mentions, [], `a tombstone has no mentions: ${what}`);
    }
}

/** A v1.1 Message (the v1.1 fields are required). */
export function assertMessage11(m, expect = {}) {
    assert.ok(m && typeof m === "object" && "rev" in m, `not a v1.1 Message: ${JSON.stringify(m)}`);
    assertMessage(m, expect);
}

/** The v1.1 fields of a message nobody changed. */
export const UNCHANGED = { rev: 0, editedAt: null, deleted: false, deletedAt: null, reactions: {}, mentions: [] };

// --- v1.1 requests -----------------------------------------------------------------------------

export const send = (p, roomId, content, extra = {}) =>
    p.req("message:send", { roomId, content, clientId: uid("c"), ...extra });
export const edit = (p, roomId, messageId, content) => p.req("message:edit", { roomId, messageId, content });
export const del = (p, roomId, messageId) => p.req("message:delete", { roomId, messageId });
export const react = (p, roomId, messageId, emoji, add = true) =>
    p.req("message:react", { roomId, messageId, emoji, add });
export const updates = (p, roomId, afterRev, extra = {}) => p.req("room:updates", { roomId, afterRev, ...extra });
export const read = (p, roomId, seq) => p.req("room:read", { roomId, seq });

/** Asserts a successful {ok, message} answer and returns the (v1.1) message. */
export function okMessage(ack, expect = {}) {
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.deepEqual(Object.keys(ack).sort(), ["message", "ok"]);
    assertMessage11(ack.message, expect);
    return ack.message;
}

/** message:send that must succeed; returns the message. */
export async function sent(p, roomId, content, extra = {}) {
    return okMessage(await send(p, roomId, content, extra));
}

/** The room's change counter, as room:updates answers it (the socket must have joined). */
export async function roomRev(p, roomId) {
    // far above any counter of the suite, and within 32 bits (updates.test checks larger ones)
    const r = await updates(p, roomId, 1e9, { limit: 1 });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.messages, []);
    assert.ok(Number.isInteger(r.rev) && r.rev >= 0, `rev ${r.rev}`);
    return r.rev;
}

/** Asserts that the ints in `list` are exactly from+1 .. from+list.length, in any order. */
export function contiguous(list, from) {
    const want = Array.from({ length: list.length }, (_, i) => from + 1 + i);
    assert.deepEqual([...list].sort((a, b) => a - b), want, `not contiguous after ${from}: ${list}`);
}

/** Asserts that a message list has consecutive seqs (oldest first) and returns them. */
export function seqs(messages) {
    const s = messages.map((m) => m.seq);
    for (let i = 1; i < s.length; i++) assert.equal(s[i], s[i - 1] + 1, `seqs not consecutive: ${s}`);
    return s;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
