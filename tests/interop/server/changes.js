// Contract v1.1 changes to stored messages: message:edit, message:delete, message:react and
// room:updates, plus what a new message needs from them (the v1.1 fields, the replyTo snapshot,
// mentions). See docs/contract-v1.1.md.
//
// Keys (K = --key): K:room:<id>:rev (INCR, the room's change counter), K:room:<id>:changes (zset:
// member seq, score the rev of that message's last change), K:room:<id>:ids (hash: message id ->
// seq). Messages stay in K:room:<id>:messages (zset by seq, one JSON member per seq).
//
// A change is a compare-and-set: the new state is computed here from the stored JSON, and one
// script replaces it only if it is still exactly that JSON, taking the next rev in the same step.
// If another node changed the message meanwhile the script answers the newer JSON and the change is
// computed again. So concurrent changes on any number of nodes never lose one another, and rev
// grows by exactly 1 per change that is applied.
"use strict";

const { trimWhiteSpace, codePoints, mentionCandidates, isEmoji, excerpt, byCodePoint } = require("./text.js");
const { fail, isPlainObject, isPositiveInt, isNonNegativeInt, isId, checkRoomId, checkId } = require("./request.js");

const UPDATES_DEFAULT = 50;
const UPDATES_CAP = 100;
const MAX_DISTINCT_EMOJI = 20;
const MAX_ATTEMPTS = 100; // compare-and-set rounds; each lost round means another change won

const LUA_CHANGE_MESSAGE = `
-- KEYS: room message zset, room rev counter, room changes zset
-- ARGV: seq, the JSON the change was computed from, new JSON up to and after the rev value
local cur = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
if cur[1] ~= ARGV[2] then return {0, cur[1] or ''} end
local rev = redis.call('INCR', KEYS[2])
local stored = ARGV[3] .. rev .. ARGV[4]
redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[1], stored)
redis.call('ZADD', KEYS[3], rev, ARGV[1])
return {1, stored}
`;

const LUA_UPDATES_PAGE = `
-- KEYS: room rev counter, room changes zset, room message zset; ARGV: afterRev, how many
-- Returns {rev, message JSON...}: the counter and the page read in one step.
local rev = tonumber(redis.call('GET', KEYS[1]) or '0')
local seqs = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf', 'LIMIT', 0, tonumber(ARGV[2]))
local out = {rev}
for _, s in ipairs(seqs) do
  local m = redis.call('ZRANGEBYSCORE', KEYS[3], s, s)
  if m[1] then out[#out + 1] = m[1] end
end
return out
`;

const now = () => new Date().toISOString();

// The fields a v1.1 server adds to a message nobody changed.
const freshFields = () => ({ rev: 0, editedAt: null, deleted: false, deletedAt: null, reactions: {}, replyTo: null, mentions: [] });

// Stored JSON keeps rev right after seq, ahead of any user text, so it can be split there.
function splitAtRev(m) {
    const { id, roomId, seq, rev, ...rest } = m; // eslint-disable-line no-unused-vars
    return [JSON.stringify({ id, roomId, seq }).slice(0, -1) + ',"rev":', "," + JSON.stringify(rest).slice(1)];
}

class Changes {
    constructor(chat) {
        this.chat = chat;
        this.redis = chat.redis;
        this.k = chat.k;
        // Configured members of private rooms are known users even before they connect.
        this.configured = new Set([...chat.rooms.values()].flatMap((r) => r.members));
        this.redis.defineCommand("palaverChangeMessage", { numberOfKeys: 3, lua: LUA_CHANGE_MESSAGE });
        this.redis.defineCommand("palaverUpdatesPage", { numberOfKeys: 3, lua: LUA_UPDATES_PAGE });
    }

    roomKey(roomId, what) {
        return this.k("room", roomId, what);
    }

    // --- what new messages need ----------------------------------------------------------------

    // The users written as @id who are known (connected once, or configured members) and may
    // access the room, in order of first appearance.
    async mentions(room, text) {
        const ids = mentionCandidates(text).filter(isId);
        if (ids.length === 0) return [];
        if (room.private) return ids.filter((id) => room.members.includes(id));
        const names = await this.redis.hmget(this.k("names"), ...ids);
        return ids.filter((id, i) => names[i] !== null || this.configured.has(id));
    }

    // The snapshot a reply keeps of what it answers; not_found unless it is a message of this room.
    async replySnapshot(roomId, messageId) {
        const seq = await this.redis.hget(this.roomKey(roomId, "ids"), messageId);
        const m = seq === null ? null : await this.messageAt(roomId, Number(seq));
        if (!m) fail("not_found", `No message ${messageId} in ${roomId}`);
        return { id: m.id, seq: m.seq, userId: m.userId, userName: m.userName,
            excerpt: m.deleted ? "" : excerpt(m.content), deleted: m.deleted };
    }

    async storedAt(roomId, seq) {
        const rows = await this.redis.zrangebyscore(this.roomKey(roomId, "messages"), seq, seq);
        return rows.length ? rows[0] : null;
    }

    async messageAt(roomId, seq) {
        const s = await this.storedAt(roomId, seq);
        return s === null ? null : JSON.parse(s);
    }

    async rev(roomId) {
        return Number(await this.redis.get(this.roomKey(roomId, "rev")) || 0);
    }

    // --- requests --------------------------------------------------------------------------------

    // The shape every change request shares.
    checkTarget(p, shape) {
        if (!isPlainObject(p)) fail("invalid", `Expected ${shape}`);
        checkRoomId(p.roomId);
        checkId(p.messageId, "messageId");
    }

    // Room, access, join, then the message in this room: returns {room, seq}.
    async locate(socket, roomId, messageId) {
        const room = this.chat.accessibleRoom(socket, roomId);
        this.chat.requireJoined(socket, roomId);
        const seq = await this.redis.hget(this.roomKey(roomId, "ids"), messageId);
        if (seq === null) fail("not_found", `No message ${messageId} in ${roomId}`);
        return { room, seq: Number(seq) };
    }

    async edit(socket, p) {
        this.checkTarget(p, "{roomId, messageId, content}");
        if (typeof p.content !== "string") fail("invalid", "content must be a string");
        const text = trimWhiteSpace(p.content);
        if (text.length === 0) fail("invalid", "content is empty");
        const { room, seq } = await this.locate(socket, p.roomId, p.messageId);
        const userId = socket.data.user.id;
        const length = codePoints(text);
        const max = this.chat.opts.maxContent;
        const mentions = await this.mentions(room, text);
        return this.change(socket, room.id, seq, { rated: true }, (m) => {
            if (m.userId !== userId) fail("access_denied", "Only the author edits a message");
            if (m.deleted) fail("invalid", "The message was deleted");
            if (length > max) fail("too_long", `content has ${length} characters, at most ${max} allowed`);
            if (m.content === text) return null;
            return { ...m, content: text, editedAt: now(), mentions };
        });
    }

    async remove(socket, p) {
        this.checkTarget(p, "{roomId, messageId}");
        const { room, seq } = await this.locate(socket, p.roomId, p.messageId);
        const userId = socket.data.user.id;
        // Deletes take no token: a user can always take back what they wrote.
        return this.change(socket, room.id, seq, { rated: false }, (m) => {
            if (m.userId !== userId) fail("access_denied", "Only the author deletes a message");
            if (m.deleted) return null;
            return { ...m, content: "", reactions: {}, mentions: [], deleted: true, deletedAt: now() };
        });
    }

    async react(socket, p) {
        this.checkTarget(p, "{roomId, messageId, emoji, add}");
        if (!isEmoji(p.emoji)) fail("invalid", "emoji must be 1..16 code points without white space or control characters");
        if (typeof p.add !== "boolean") fail("invalid", "add must be a boolean");
        const { emoji, add } = p;
        const { room, seq } = await this.locate(socket, p.roomId, p.messageId);
        const userId = socket.data.user.id;
        return this.change(socket, room.id, seq, { rated: true }, (m) => {
            if (m.deleted) fail("invalid", "The message was deleted");
            const users = m.reactions[emoji] || [];
            if (users.includes(userId) === add) return null;
            if (add && users.length === 0 && Object.keys(m.reactions).length >= MAX_DISTINCT_EMOJI)
                fail("invalid", `A message has at most ${MAX_DISTINCT_EMOJI} distinct emoji`);
            const reactions = { ...m.reactions };
            if (add) reactions[emoji] = [...users, userId].sort(byCodePoint);
            else if (users.length === 1) delete reactions[emoji];
            else reactions[emoji] = users.filter((u) => u !== userId);
            return { ...m, reactions };
        });
    }

    // compute(current) answers the new state, null for a no-op, or throws a refusal. A no-op
    // answers the stored message: no rev, no broadcast, no token.
    async change(socket, roomId, seq, { rated }, compute) {
        const keys = [this.roomKey(roomId, "messages"), this.roomKey(roomId, "rev"), this.roomKey(roomId, "changes")];
        let current = await this.storedAt(roomId, seq);
        let charged = false;
        for (let attempt = 0; attempt < MAX_ATTEMPTS && current; attempt++) {
            const m = JSON.parse(current);
            const next = compute(m);
            if (!next) return { message: m };
            if (rated && !charged) {
                await this.chat.takeToken(socket.data.user.id);
                charged = true;
            }
            const [head, tail] = splitAtRev(next);
            const [applied, stored] = await this.redis.palaverChangeMessage(...keys, seq, current, head, tail);
            if (applied === 1) {
                const message = JSON.parse(stored);
                this.chat.io.to(roomId).emit("message:updated", message);
                return { message };
            }
            current = stored;
        }
        throw new Error(current ? `message ${roomId}/${seq}: gave up after ${MAX_ATTEMPTS} concurrent changes`
            : `message ${roomId}/${seq} is indexed but not stored`);
    }

    async updates(socket, p) {
        if (!isPlainObject(p)) fail("invalid", "Expected {roomId, afterRev, limit?}");
        const { roomId, afterRev, limit } = p;
        checkRoomId(roomId);
        if (!isNonNegativeInt(afterRev)) fail("invalid", "afterRev must be an integer >= 0");
        if (limit !== undefined && !isPositiveInt(limit)) fail("invalid", "limit must be a positive integer");
        this.chat.accessibleRoom(socket, roomId);
        this.chat.requireJoined(socket, roomId);
        const n = Math.min(limit ?? UPDATES_DEFAULT, UPDATES_CAP);
        const [rev, ...rows] = await this.redis.palaverUpdatesPage(
            this.roomKey(roomId, "rev"), this.roomKey(roomId, "changes"), this.roomKey(roomId, "messages"),
            String(afterRev), n + 1);
        return { messages: rows.slice(0, n).map((s) => JSON.parse(s)), hasMore: rows.length > n, rev: Number(rev) };
    }
}

module.exports = { Changes, freshFields };
