#!/usr/bin/env node
// Palaver reference server: the chat contract of PROTOCOL.md, v1.1 included, on socket.io 4.8.
// This file is v1 (auth, presence, rooms, sends, history); the v1.1 message changes are in
// changes.js, read markers in reads.js, the text rules in text.js, refusals in request.js.
//
// All shared state (messages, per-room seq and rev, idempotency records, presence and room
// membership counts, rate-limit buckets, read markers) lives in Redis under the --key prefix, so
// any number of nodes behind the Redis adapter (pub/sub or streams) agree. CLI: see tests/README.md.
//
// Keys (K = --key): K:room:<id>:seq (INCR), K:room:<id>:messages (zset by seq, the message's
// current JSON), K:room:<id>:ids (message id -> seq), K:room:<id>:rev (INCR) and
// K:room:<id>:changes (seq by rev of its last change; see changes.js), K:idem:<user>:<clientId>
// ({roomId, seq} of the message, 8 days), K:presence (user -> connected sockets),
// K:room:<id>:users (user -> joined sockets), K:names (user -> display name; a user is known for
// mentions once in it), K:rate:<user> (token bucket: sends, edits, reactions), K:read:<user>
// (room -> read seq; see reads.js). Counts are kept by the nodes themselves: a node that is killed
// without its shutdown leaves its counts behind, so give each deployment (or test run) its own
// --key rather than reusing one across crashes.
//
//   node tests/interop/server/server.js --secret S --redis redis://127.0.0.1:6379 [--port 0] ...
"use strict";

const path = require("node:path");
const fs = require("node:fs");
const http = require("node:http");
const crypto = require("node:crypto");
const { createRequire } = require("node:module");

// Modules come from tests/node/node_modules whatever the current directory is.
const peerRequire = createRequire(path.resolve(__dirname, "../../node/package.json"));
const { Server, Socket } = peerRequire("socket.io");
const jwt = peerRequire("jsonwebtoken");
const { Redis } = peerRequire("ioredis");

const { codePoints, trimWhiteSpace } = require("./text.js");
const { ROOM_ID_RE, MAX_ID, RequestError, fail, isPlainObject, isPositiveInt, isId, checkRoomId } = require("./request.js");
const { Changes, freshFields } = require("./changes.js");
const { ReadMarkers, userRoom } = require("./reads.js");

const NAME = "palaver-node";
const FEATURES = ["edit", "delete", "react", "reply", "mention", "read"];
const IDEMPOTENCY_TTL_S = 8 * 24 * 3600; // remembered >= 7 days
const JOIN_HISTORY = 50;
const HISTORY_DEFAULT = 50;
const HISTORY_CAP = 100;
const MAX_USER_ID = 128;

// ---------------------------------------------------------------------------------------------
// Command line

function usage(msg) {
    if (msg) process.stderr.write(`${NAME}: ${msg}\n`);
    process.stderr.write(
        `usage: server.js --secret S --redis URL [--host H] [--port N] [--rooms FILE] [--recovery]\n` +
        `  [--parser json|msgpack] [--ping-interval MS] [--ping-timeout MS] [--connect-timeout MS]\n` +
        `  [--max-payload BYTES] [--max-content N] [--rate-burst N] [--rate-per-sec R]\n` +
        `  [--recovery-window MS] [--adapter pubsub|streams] [--key PREFIX] [--test-hooks]\n`);
    process.exit(2);
}

function parseArgs(argv) {
    const o = {
        host: "127.0.0.1", port: 3001, rooms: null, secret: process.env.PALAVER_SECRET || "",
        recovery: false, parser: "json", pingInterval: 25000, pingTimeout: 20000,
        connectTimeout: 45000, maxPayload: 1000000, maxContent: 4000, rateBurst: 20, ratePerSec: 5,
        recoveryWindow: 120000, redis: process.env.PALAVER_REDIS || "", adapter: "pubsub",
        key: "palaver", testHooks: false,
    };
    const num = (name, v, { min = 0, integer = true } = {}) => {
        const n = Number(v);
        if (v === undefined || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min)
            usage(`${name} needs a number >= ${min}, got ${JSON.stringify(v)}`);
        return n;
    };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => {
            if (i + 1 >= argv.length) usage(`${a} needs a value`);
            return argv[++i];
        };
        switch (a) {
        case "--host": o.host = val(); break;
        case "--port": o.port = num(a, val()); break;
        case "--rooms": o.rooms = val(); break;
        case "--secret": o.secret = val(); break;
        case "--recovery": o.recovery = true; break;
        case "--parser": o.parser = val(); break;
        case "--ping-interval": o.pingInterval = num(a, val(), { min: 1 }); break;
        case "--ping-timeout": o.pingTimeout = num(a, val(), { min: 1 }); break;
        case "--connect-timeout": o.connectTimeout = num(a, val(), { min: 1 }); break;
        case "--max-payload": o.maxPayload = num(a, val(), { min: 1 }); break;
        case "--max-content": o.maxContent = num(a, val(), { min: 1 }); break;
        case "--rate-burst": o.rateBurst = num(a, val(), { min: 1 }); break;
        case "--rate-per-sec": o.ratePerSec = num(a, val(), { min: 0.001, integer: false }); break;
        case "--recovery-window": o.recoveryWindow = num(a, val(), { min: 1 }); break;
        case "--redis": o.redis = val(); break;
        case "--adapter": o.adapter = val(); break;
        case "--key": o.key = val(); break;
        case "--test-hooks": o.testHooks = true; break;
        case "-h": case "--help": usage();
        // falls through (usage exits)
        default: usage(`unknown option ${a}`);
        }
    }
    if (!o.secret) usage("--secret (or env PALAVER_SECRET) is required");
    if (!o.redis) usage("--redis URL (or env PALAVER_REDIS) is required: all chat state lives in Redis");
    if (!["json", "msgpack"].includes(o.parser)) usage(`--parser must be json or msgpack`);
    if (!["pubsub", "streams"].includes(o.adapter)) usage(`--adapter must be pubsub or streams`);
    if (!o.key) usage("--key must not be empty");
    return o;
}

function loadRooms(file) {
    if (!file) return [{ id: "general", name: "General", private: false, members: [] }];
    let list;
    try {
        list = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        usage(`cannot read rooms file ${file}: ${e.message}`);
    }
    if (!Array.isArray(list)) usage(`rooms file ${file}: expected a JSON array`);
    const seen = new Set();
    return list.map((r, i) => {
        const where = `rooms file ${file}, entry ${i}`;
        if (!r || typeof r !== "object") usage(`${where}: not an object`);
        if (typeof r.id !== "string" || !ROOM_ID_RE.test(r.id)) usage(`${where}: bad id`);
        if (seen.has(r.id)) usage(`${where}: duplicate id ${r.id}`);
        seen.add(r.id);
        const priv = r.private === true;
        const members = priv && Array.isArray(r.members) ? r.members.filter((m) => typeof m === "string") : [];
        return { id: r.id, name: typeof r.name === "string" ? r.name : r.id, private: priv, members };
    });
}

// ---------------------------------------------------------------------------------------------
// Redis scripts (atomic across nodes)

const LUA_STORE_MESSAGE = `
-- KEYS: idempotency record, room seq counter, room message zset, room id -> seq hash
-- ARGV: message JSON up to and after the seq value, record TTL in seconds, room id, message id
-- Returns {1, stored JSON} or {0, the idempotency record {roomId, seq} of the earlier message}.
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local seq = redis.call('INCR', KEYS[2])
local stored = ARGV[1] .. seq .. ARGV[2]
redis.call('ZADD', KEYS[3], seq, stored)
redis.call('HSET', KEYS[4], ARGV[5], seq)
redis.call('SET', KEYS[1], '{"roomId":"' .. ARGV[4] .. '","seq":' .. seq .. '}', 'EX', ARGV[3])
return {1, stored}
`;

const LUA_DECREMENT = `
-- KEYS: a hash of counters; ARGV: field. Removes the field when it drops to 0.
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
`;

const LUA_TOKEN_BUCKET = `
-- KEYS: bucket hash; ARGV: burst, refill per second. Returns {allowed, retryAfterMs}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1]) or burst
local ts = tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed, retry = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry}
`;

// ---------------------------------------------------------------------------------------------
// The chat service

class Chat {
    constructor(io, redis, opts, rooms) {
        this.io = io;
        this.redis = redis;
        this.opts = opts;
        this.rooms = new Map(rooms.map((r) => [r.id, r]));
        this.k = (...parts) => [opts.key, ...parts].join(":");
        this.pending = new Set(); // in-flight per-socket work, awaited on shutdown
        redis.defineCommand("palaverStoreMessage", { numberOfKeys: 4, lua: LUA_STORE_MESSAGE });
        redis.defineCommand("palaverDecrement", { numberOfKeys: 1, lua: LUA_DECREMENT });
        redis.defineCommand("palaverTokenBucket", { numberOfKeys: 1, lua: LUA_TOKEN_BUCKET });
        this.known = new Set(); // request names: anything else with an ack is answered unsupported
        this.changes = new Changes(this);
        this.reads = new ReadMarkers(this);
    }

    // --- authentication -------------------------------------------------------------------------

    // Returns {user} or {error: {message, code}}.
    verifyToken(token) {
        if (token === undefined || token === null || token === "")
            return { error: { message: "Authentication required", code: "auth_required" } };
        const invalid = { error: { message: "Invalid token", code: "invalid_token" } };
        if (typeof token !== "string") return invalid;
        let claims;
        try {
            claims = jwt.verify(token, this.opts.secret, { algorithms: ["HS256"] });
        } catch (e) {
            if (e && e.name === "TokenExpiredError")
                return { error: { message: "Invalid token", code: "token_expired" } };
            return invalid;
        }
        if (!isPlainObject(claims)) return invalid;
        const { sub, exp, name } = claims;
        if (typeof exp !== "number" || !Number.isFinite(exp)) return invalid;
        if (typeof sub !== "string" || sub.length === 0 || codePoints(sub) > MAX_USER_ID) return invalid;
        const displayName = typeof name === "string" && name.length > 0 ? name : sub;
        return { user: { id: sub, name: displayName } };
    }

    middleware() {
        return (socket, next) => {
            const auth = socket.handshake.auth || {};
            const r = this.verifyToken(auth.token);
            if (r.error) {
                const err = new Error(r.error.message);
                err.data = { code: r.error.code };
                return next(err);
            }
            socket.data.user = r.user;
            next();
        };
    }

    // socket.io 4.8 replays the missed packets of a recovered session in the Socket constructor,
    // i.e. before io.use() runs. PROTOCOL.md wants the token checked before anything is replayed
    // and the session restored only for the same user, so the namespace's session restore is
    // wrapped here: recovery is attempted only with a valid token, and a session saved for another
    // user is dropped (the socket then connects fresh). Relies on socket.io's internal
    // Namespace#_createSocket (4.6 - 4.8); without it, recovery falls back to the stock behaviour.
    guardRecovery(nsp) {
        if (typeof nsp._createSocket !== "function" || !this.opts.recovery) return;
        const stock = nsp._createSocket.bind(nsp);
        nsp._createSocket = async (client, auth) => {
            if (!auth || typeof auth.pid !== "string" || typeof auth.offset !== "string")
                return stock(client, auth);
            const r = this.verifyToken(auth.token);
            if (r.error) return new Socket(nsp, client, auth); // io.use() will refuse it
            let session = null;
            try {
                session = await nsp.adapter.restoreSession(auth.pid, auth.offset);
            } catch (e) {
                session = null;
            }
            if (session && session.data && session.data.user && session.data.user.id === r.user.id)
                return new Socket(nsp, client, auth, session);
            return new Socket(nsp, client, auth);
        };
    }

    // --- per-socket state -----------------------------------------------------------------------

    // Work of one socket runs in order (a join followed by a send sees the join), and the
    // disconnect bookkeeping runs after whatever that socket had in flight.
    enqueue(socket, fn) {
        const st = socket.palaver;
        const p = st.queue.then(fn, fn);
        st.queue = p.catch(() => {});
        const tracked = st.queue;
        this.pending.add(tracked);
        tracked.finally(() => this.pending.delete(tracked));
        return p;
    }

    request(socket, event, handler) {
        this.known.add(event);
        socket.on(event, (...args) => {
            let ack = args.length && typeof args[args.length - 1] === "function" ? args.pop() : null;
            if (!ack) ack = () => {};
            const payload = args[0];
            this.enqueue(socket, async () => {
                if (!socket.palaver.active) return; // disconnected meanwhile
                try {
                    ack({ ok: true, ...(await handler(socket, payload)) });
                } catch (e) {
                    if (e instanceof RequestError) {
                        ack({ ok: false, error: { code: e.code, message: e.message, ...(e.extra || {}) } });
                    } else {
                        process.stderr.write(`${NAME}: ${event} failed: ${e && e.stack || e}\n`);
                        ack({ ok: false, error: { code: "internal", message: "Internal error" } });
                    }
                }
            });
        });
    }

    // --- connection -----------------------------------------------------------------------------

    async onConnection(socket) {
        const user = socket.data.user;
        socket.palaver = { queue: Promise.resolve(), active: true, joined: new Set() };
        // A recovered socket is back in its Socket.IO rooms; count those chat rooms again.
        const recovered = [...socket.rooms].filter((r) => this.rooms.has(r));

        this.request(socket, "room:join", (s, p) => this.join(s, p));
        this.request(socket, "room:leave", (s, p) => this.leave(s, p));
        this.request(socket, "message:send", (s, p) => this.send(s, p));
        this.request(socket, "room:history", (s, p) => this.history(s, p));
        this.request(socket, "message:edit", (s, p) => this.changes.edit(s, p));
        this.request(socket, "message:delete", (s, p) => this.changes.remove(s, p));
        this.request(socket, "message:react", (s, p) => this.changes.react(s, p));
        this.request(socket, "room:updates", (s, p) => this.changes.updates(s, p));
        this.request(socket, "room:read", (s, p) => this.reads.read(s, p));
        socket.on("typing", (p) => this.typing(socket, p));
        this.known.add("typing");
        // At once, outside the socket's queue: a client must never wait out a timeout for a
        // feature this server lacks.
        socket.onAny((event, ...args) => {
            const ack = args.length ? args[args.length - 1] : null;
            if (this.known.has(event) || typeof ack !== "function") return;
            ack({ ok: false, error: { code: "unsupported", message: `unknown request ${event}` } });
        });
        socket.join(userRoom(user.id)); // room:read-marker reaches every socket of the user
        socket.on("disconnect", () => {
            this.enqueue(socket, () => this.onDisconnect(socket));
        });
        if (this.opts.testHooks) this.testHooks(socket);

        await this.enqueue(socket, async () => {
            const r = this.redis;
            await r.hset(this.k("names"), user.id, user.name);
            const count = await r.hincrby(this.k("presence"), user.id, 1);
            // Re-join the rooms of a recovered session; a user whose room:user-left went out during
            // the gap is announced again. Best effort: announcements of the gap are not tracked
            // individually; a 0 -> 1 transition of a count is exactly "it was announced as gone".
            for (const roomId of recovered) {
                socket.palaver.joined.add(roomId);
                const n = await r.hincrby(this.k("room", roomId, "users"), user.id, 1);
                if (n === 1) socket.to(roomId).emit("room:user-joined", { userId: user.id, roomId });
            }
            const online = await r.hkeys(this.k("presence"));
            const rooms = [...this.rooms.values()].filter((room) => this.mayAccess(room, user.id));
            const ids = rooms.map((room) => room.id);
            const [lastSeqs, markers] = await Promise.all([
                ids.length ? r.mget(...ids.map((id) => this.k("room", id, "seq"))) : [],
                this.reads.markers(user.id, ids),
            ]);
            if (!socket.connected) return;
            socket.emit("session:ready", {
                user: { id: user.id, name: user.name },
                rooms: rooms.map((room, i) => ({
                    ...this.roomInfo(room), lastSeq: Number(lastSeqs[i] || 0), readSeq: markers[room.id],
                })),
                online,
                limits: { maxContentLength: this.opts.maxContent, maxPayload: this.opts.maxPayload },
                features: FEATURES,
            });
            if (count === 1) this.io.emit("user:online", { userId: user.id });
        });
    }

    async onDisconnect(socket) {
        const user = socket.data.user;
        socket.palaver.active = false;
        for (const roomId of socket.palaver.joined) await this.dropMembership(socket, roomId);
        socket.palaver.joined.clear();
        const n = await this.redis.palaverDecrement(this.k("presence"), user.id);
        if (n <= 0) this.io.emit("user:offline", { userId: user.id });
    }

    async dropMembership(socket, roomId) {
        const userId = socket.data.user.id;
        const n = await this.redis.palaverDecrement(this.k("room", roomId, "users"), userId);
        if (n <= 0) this.io.to(roomId).except(socket.id).emit("room:user-left", { userId, roomId });
    }

    // --- checks ---------------------------------------------------------------------------------

    mayAccess(room, userId) {
        return !room.private || room.members.includes(userId);
    }

    roomInfo(room) {
        return { id: room.id, name: room.name, private: room.private };
    }

    checkRoomId(roomId) {
        checkRoomId(roomId);
    }

    // not_found, then access_denied.
    accessibleRoom(socket, roomId) {
        const room = this.rooms.get(roomId);
        if (!room) fail("not_found", `No room ${roomId}`);
        if (!this.mayAccess(room, socket.data.user.id)) fail("access_denied", `Room ${roomId} is private`);
        return room;
    }

    requireJoined(socket, roomId) {
        if (!socket.palaver.joined.has(roomId)) fail("not_joined", `Join ${roomId} first`);
    }

    // One bucket per user for sends, edits and reactions (rate_limited when empty).
    async takeToken(userId) {
        const [allowed, retryAfterMs] = await this.redis.palaverTokenBucket(
            this.k("rate", userId), this.opts.rateBurst, this.opts.ratePerSec);
        if (!allowed) fail("rate_limited", "Too many messages", { retryAfterMs: Math.max(1, retryAfterMs) });
    }

    // --- requests -------------------------------------------------------------------------------

    async join(socket, roomId) {
        this.checkRoomId(roomId);
        const room = this.accessibleRoom(socket, roomId);
        const userId = socket.data.user.id;
        if (!socket.palaver.joined.has(roomId)) {
            socket.palaver.joined.add(roomId);
            socket.join(roomId);
            const n = await this.redis.hincrby(this.k("room", roomId, "users"), userId, 1);
            if (n === 1) socket.to(roomId).emit("room:user-joined", { userId, roomId });
        }
        // rev is read before the page: a change in between is then answered again by room:updates
        // rather than missed.
        const rev = await this.changes.rev(roomId);
        const [members, page, markers] = await Promise.all([
            this.members(room),
            this.page(roomId, { limit: JOIN_HISTORY }),
            this.reads.markers(userId, [roomId]),
        ]);
        return {
            room: this.roomInfo(room), members, messages: page.messages, hasMore: page.hasMore,
            rev, readSeq: markers[roomId],
        };
    }

    async members(room) {
        const r = this.redis;
        const ids = room.private ? room.members : await r.hkeys(this.k("room", room.id, "users"));
        if (ids.length === 0) return [];
        const [names, online] = await Promise.all([
            r.hmget(this.k("names"), ...ids),
            r.hmget(this.k("presence"), ...ids),
        ]);
        return ids.map((id, i) => ({ id, name: names[i] || id, online: Number(online[i] || 0) > 0 }));
    }

    async leave(socket, roomId) {
        this.checkRoomId(roomId);
        if (!this.rooms.has(roomId)) fail("not_found", `No room ${roomId}`);
        if (socket.palaver.joined.has(roomId)) {
            socket.palaver.joined.delete(roomId);
            socket.leave(roomId);
            await this.dropMembership(socket, roomId);
        }
        return {};
    }

    async send(socket, p) {
        if (!isPlainObject(p)) fail("invalid", "Expected {roomId, content, clientId, replyTo?}");
        const { roomId, content, clientId } = p;
        const replyTo = p.replyTo ?? null;
        this.checkRoomId(roomId);
        if (typeof content !== "string") fail("invalid", "content must be a string");
        const text = trimWhiteSpace(content);
        if (text.length === 0) fail("invalid", "content is empty");
        if (!isId(clientId)) fail("invalid", `clientId must be a string of 1..${MAX_ID} characters`);
        if (replyTo !== null && !isId(replyTo)) fail("invalid", `replyTo must be a message id of 1..${MAX_ID} characters`);
        const room = this.accessibleRoom(socket, roomId);

        const user = socket.data.user;
        const idemKey = this.k("idem", user.id, clientId);
        const earlier = await this.redis.get(idemKey);
        if (earlier !== null) return { message: await this.remembered(earlier) };

        this.requireJoined(socket, roomId);
        const snapshot = replyTo === null ? null : await this.changes.replySnapshot(roomId, replyTo);
        const length = codePoints(text);
        if (length > this.opts.maxContent)
            fail("too_long", `content has ${length} characters, at most ${this.opts.maxContent} allowed`);
        await this.takeToken(user.id);

        // seq is assigned inside the script, between these two halves of the JSON; rev follows seq
        // (changes.js splits the JSON there).
        const id = crypto.randomUUID();
        const head = JSON.stringify({ id, roomId }).slice(0, -1) + ',"seq":';
        const { rev, ...v11 } = freshFields();
        const tail = "," + JSON.stringify({
            rev, userId: user.id, userName: user.name, content: text, createdAt: new Date().toISOString(), clientId,
            ...v11, replyTo: snapshot, mentions: await this.changes.mentions(room, text),
        }).slice(1);
        const [fresh, stored] = await this.redis.palaverStoreMessage(
            idemKey, this.k("room", roomId, "seq"), this.k("room", roomId, "messages"), this.k("room", roomId, "ids"),
            head, tail, IDEMPOTENCY_TTL_S, roomId, id);
        if (fresh !== 1) return { message: await this.remembered(stored) }; // a concurrent retry won
        const message = JSON.parse(stored);
        this.io.to(roomId).emit("message:new", message);
        return { message };
    }

    // The current state of the message an idempotency record names (later edits, reactions or
    // its deletion applied).
    async remembered(record) {
        const { roomId, seq } = JSON.parse(record);
        const message = await this.changes.messageAt(roomId, seq);
        if (!message) throw new Error(`idempotency record ${record} names no stored message`);
        return message;
    }

    async history(socket, p) {
        if (!isPlainObject(p)) fail("invalid", "Expected {roomId, before?, after?, limit?}");
        const { roomId, before, after, limit } = p;
        this.checkRoomId(roomId);
        if (before !== undefined && !isPositiveInt(before)) fail("invalid", "before must be a positive integer");
        if (after !== undefined && !isPositiveInt(after)) fail("invalid", "after must be a positive integer");
        if (before !== undefined && after !== undefined) fail("invalid", "Give before or after, not both");
        if (limit !== undefined && !isPositiveInt(limit)) fail("invalid", "limit must be a positive integer");
        this.accessibleRoom(socket, roomId);
        this.requireJoined(socket, roomId);
        return this.page(roomId, { before, after, limit: Math.min(limit ?? HISTORY_DEFAULT, HISTORY_CAP) });
    }

    // Oldest first. With `after`: the oldest `limit` above it, hasMore = newer exist. Otherwise the
    // newest `limit` below `before` (or all), hasMore = older exist.
    async page(roomId, { before, after, limit }) {
        const key = this.k("room", roomId, "messages");
        let rows;
        if (after !== undefined) {
            rows = await this.redis.zrangebyscore(key, `(${after}`, "+inf", "LIMIT", 0, limit + 1);
        } else {
            const max = before !== undefined ? `(${before}` : "+inf";
            rows = (await this.redis.zrevrangebyscore(key, max, "-inf", "LIMIT", 0, limit + 1));
        }
        const hasMore = rows.length > limit;
        rows = rows.slice(0, limit);
        if (after === undefined) rows.reverse();
        return { messages: rows.map((s) => JSON.parse(s)), hasMore };
    }

    // Test-only events (--test-hooks), outside the chat contract, for the interop suite: binary
    // both ways and a request from the server that the client answers.
    //   test:binary-echo (...args) -> ack(...args), Buffers included
    //   test:binary-push (...args) -> emits test:binary (...args) to this socket, then ack({ok:true})
    //   test:ask-client (event, ...args) -> emitWithAck(event, ...args) to this socket (5 s), then
    //     ack({ok:true, answer:[...]}) or ack({ok:false, error:{code:"timeout"}})
    testHooks(socket) {
        const split = (args) => {
            const ack = args.length && typeof args[args.length - 1] === "function" ? args.pop() : () => {};
            return [args, ack];
        };
        for (const e of ["test:binary-echo", "test:binary-push", "test:ask-client"]) this.known.add(e);
        socket.on("test:binary-echo", (...a) => {
            const [args, ack] = split(a);
            ack(...args);
        });
        socket.on("test:binary-push", (...a) => {
            const [args, ack] = split(a);
            socket.emit("test:binary", ...args);
            ack({ ok: true });
        });
        socket.on("test:ask-client", async (...a) => {
            const [args, ack] = split(a);
            const [event, ...rest] = args;
            if (typeof event !== "string") return ack({ ok: false, error: { code: "invalid" } });
            try {
                const answer = await new Promise((resolve, reject) => {
                    socket.timeout(5000).emit(event, ...rest, (err, ...reply) => (err ? reject(err) : resolve(reply)));
                });
                ack({ ok: true, answer });
            } catch (e) {
                ack({ ok: false, error: { code: "timeout", message: String(e && e.message || e) } });
            }
        });
    }

    typing(socket, p) {
        if (!isPlainObject(p) || typeof p.typing !== "boolean" || typeof p.roomId !== "string") return;
        if (!socket.palaver || !socket.palaver.joined.has(p.roomId)) return;
        socket.volatile.to(p.roomId).emit("typing", { roomId: p.roomId, userId: socket.data.user.id, typing: p.typing });
    }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
    const opts = parseArgs(process.argv.slice(2));
    const rooms = loadRooms(opts.rooms);

    const redisOpts = { lazyConnect: true, maxRetriesPerRequest: 3 };
    const redis = new Redis(opts.redis, redisOpts);
    redis.on("error", (e) => process.stderr.write(`${NAME}: redis: ${e.message}\n`));
    try {
        await redis.connect();
        await redis.ping();
    } catch (e) {
        process.stderr.write(`${NAME}: cannot reach Redis at ${opts.redis}: ${e.message}\n`);
        redis.disconnect();
        process.exit(1);
    }
    const extraClients = [];
    let adapter;
    if (opts.adapter === "streams") {
        const { createAdapter } = peerRequire("@socket.io/redis-streams-adapter");
        adapter = createAdapter(redis, {
            streamName: `${opts.key}:sio`,
            channelPrefix: `${opts.key}:sio`,
            sessionKeyPrefix: `${opts.key}:sio:session:`,
        });
    } else {
        const { createAdapter } = peerRequire("@socket.io/redis-adapter");
        const sub = redis.duplicate();
        sub.on("error", (e) => process.stderr.write(`${NAME}: redis sub: ${e.message}\n`));
        extraClients.push(sub);
        adapter = createAdapter(redis, sub, { key: `${opts.key}:sio` });
        if (opts.recovery)
            process.stderr.write(`${NAME}: warning: the pub/sub Redis adapter never recovers sessions; use --adapter streams\n`);
    }

    const httpServer = http.createServer((req, res) => {
        res.writeHead(404).end();
    });
    const serverOpts = {
        transports: ["websocket"],
        pingInterval: opts.pingInterval,
        pingTimeout: opts.pingTimeout,
        connectTimeout: opts.connectTimeout,
        maxHttpBufferSize: opts.maxPayload,
        adapter,
    };
    if (opts.parser === "msgpack") serverOpts.parser = peerRequire("socket.io-msgpack-parser");
    if (opts.recovery)
        serverOpts.connectionStateRecovery = { maxDisconnectionDuration: opts.recoveryWindow, skipMiddlewares: false };
    const io = new Server(httpServer, serverOpts);

    const chat = new Chat(io, redis, opts, rooms);
    chat.guardRecovery(io.of("/"));
    io.use(chat.middleware());
    io.on("connection", (socket) => {
        chat.onConnection(socket).catch((e) => {
            process.stderr.write(`${NAME}: connection setup failed: ${e && e.stack || e}\n`);
            socket.disconnect(true);
        });
    });

    httpServer.on("error", (e) => {
        process.stderr.write(`${NAME}: cannot listen on ${opts.host}:${opts.port}: ${e.message}\n`);
        process.exit(1);
    });
    httpServer.listen(opts.port, opts.host, () => {
        const { address, port } = httpServer.address();
        process.stdout.write(`${NAME} listening on ${address}:${port}\n`);
    });

    let stopping = false;
    const stop = async (signal) => {
        if (stopping) return;
        stopping = true;
        const force = setTimeout(() => process.exit(0), 5000);
        force.unref();
        try {
            await new Promise((resolve) => io.close(() => resolve()));
            // Let the disconnect bookkeeping (presence, memberships) reach Redis.
            await Promise.race([Promise.allSettled([...chat.pending]), new Promise((r) => setTimeout(r, 2000))]);
            await Promise.allSettled([redis, ...extraClients].map((c) => c.quit()));
        } catch (e) {
            process.stderr.write(`${NAME}: error while stopping on ${signal}: ${e.message}\n`);
        }
        process.exit(0);
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((e) => {
    process.stderr.write(`${NAME}: ${e && e.stack || e}\n`);
    process.exit(1);
});
