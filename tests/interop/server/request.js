// What a request handler throws to refuse a request, and the payload shape checks shared by the
// v1 and v1.1 requests. The refusal becomes {ok:false, error:{code, message, ...extra}}.
"use strict";

const { codePoints } = require("./text.js");

const ROOM_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const MAX_ID = 128; // clientId, messageId, replyTo

class RequestError extends Error {
    constructor(code, message, extra) {
        super(message);
        this.code = code;
        this.extra = extra;
    }
}
const fail = (code, message, extra) => { throw new RequestError(code, message, extra); };

const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !Buffer.isBuffer(v);
const isPositiveInt = (v) => Number.isSafeInteger(v) && v > 0;
const isNonNegativeInt = (v) => Number.isSafeInteger(v) && v >= 0;
const isId = (v) => typeof v === "string" && v.length > 0 && codePoints(v) <= MAX_ID;

function checkRoomId(roomId) {
    if (typeof roomId !== "string" || !ROOM_ID_RE.test(roomId)) fail("invalid", "Bad room id");
}

function checkId(v, name) {
    if (!isId(v)) fail("invalid", `${name} must be a string of 1..${MAX_ID} characters`);
}

module.exports = {
    ROOM_ID_RE, MAX_ID, RequestError, fail, isPlainObject, isPositiveInt, isNonNegativeInt, isId, checkRoomId, checkId,
};
