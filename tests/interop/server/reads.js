// Contract v1.1 read markers: room:read and room:read-marker (docs/contract-v1.1.md).
//
// Key (K = --key): K:read:<user> (hash: room id -> read seq). A marker only moves forward and is
// capped at the room's lastSeq; the script does both against the room's seq counter in one step.
// Every socket of a user is in the Socket.IO room user:<id> (room ids cannot collide with it), so
// room:read-marker reaches the user's devices on every node.
"use strict";

const { fail, isPlainObject, isPositiveInt, checkRoomId } = require("./request.js");

const LUA_MOVE_MARKER = `
-- KEYS: room seq counter, the user's marker hash; ARGV: room id, seq. Returns {moved, stored}.
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = math.min(tonumber(ARGV[2]), last)
local old = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if want > old then
  redis.call('HSET', KEYS[2], ARGV[1], tostring(want))
  return {1, want}
end
return {0, old}
`;

const userRoom = (userId) => `user:${userId}`;

class ReadMarkers {
    constructor(chat) {
        this.chat = chat;
        this.redis = chat.redis;
        this.k = chat.k;
        this.redis.defineCommand("palaverMoveMarker", { numberOfKeys: 2, lua: LUA_MOVE_MARKER });
    }

    key(userId) {
        return this.k("read", userId);
    }

    // {roomId: readSeq} for the given rooms (0 where the user has no marker).
    async markers(userId, roomIds) {
        if (roomIds.length === 0) return {};
        const v = await this.redis.hmget(this.key(userId), ...roomIds);
        return Object.fromEntries(roomIds.map((id, i) => [id, Number(v[i] || 0)]));
    }

    // Needs access, not a join: a room list can mark a room read.
    async read(socket, p) {
        if (!isPlainObject(p)) fail("invalid", "Expected {roomId, seq}");
        const { roomId, seq } = p;
        checkRoomId(roomId);
        if (!isPositiveInt(seq)) fail("invalid", "seq must be an integer >= 1");
        this.chat.accessibleRoom(socket, roomId);
        const userId = socket.data.user.id;
        const [moved, stored] = await this.redis.palaverMoveMarker(
            this.k("room", roomId, "seq"), this.key(userId), roomId, String(seq));
        const readSeq = Number(stored);
        if (moved === 1) this.chat.io.to(userRoom(userId)).emit("room:read-marker", { roomId, readSeq });
        return { readSeq };
    }
}

module.exports = { ReadMarkers, userRoom };
