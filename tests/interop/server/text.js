// The text rules of the chat contract (PROTOCOL.md, docs/contract-v1.1.md): code points, trimming,
// @mentions, emoji and reply excerpts. Pure functions, no I/O.
"use strict";

const EDGE_WHITE_SPACE_RE = /^\p{White_Space}+|\p{White_Space}+$/gu; // U+FEFF is not White_Space
const WHITE_SPACE_RE = /^\p{White_Space}$/u;
const BAD_EMOJI_CHAR_RE = /[\p{White_Space}\p{Cc}]/u;
const MENTION_STOP = new Set([..." .,;:!?()[]{}\"'<>"]);
const MAX_EMOJI = 16; // code points
const EXCERPT = 100; // code points

function codePoints(s) {
    let n = 0;
    for (const _ of s) n++; // eslint-disable-line no-unused-vars
    return n;
}

const trimWhiteSpace = (s) => s.replace(EDGE_WHITE_SPACE_RE, "");

// The distinct ids written as @id, in order of first appearance: an "@" at the start or after
// white space, then everything up to white space, one of . , ; : ! ? ( ) [ ] { } " ' < >, or the
// end. Whether an id names a user who may be mentioned is the caller's business.
function mentionCandidates(text) {
    const chars = [...text];
    const ids = [];
    const seen = new Set();
    for (let i = 0; i < chars.length; i++) {
        if (chars[i] !== "@" || (i > 0 && !WHITE_SPACE_RE.test(chars[i - 1]))) continue;
        let j = i + 1;
        while (j < chars.length && !MENTION_STOP.has(chars[j]) && !WHITE_SPACE_RE.test(chars[j])) j++;
        const id = chars.slice(i + 1, j).join("");
        if (id.length > 0 && !seen.has(id)) {
            seen.add(id);
            ids.push(id);
        }
        i = j - 1; // an "@" inside the id does not start another one
    }
    return ids;
}

// 1..16 code points, taken as given (no trimming): no white space, no control character.
function isEmoji(v) {
    if (typeof v !== "string" || v.length === 0 || BAD_EMOJI_CHAR_RE.test(v)) return false;
    return codePoints(v) <= MAX_EMOJI;
}

const excerpt = (content) => [...content].slice(0, EXCERPT).join("");

// Code point order (the same as UTF-8 byte order), so every server sorts reaction lists alike.
const byCodePoint = (a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

module.exports = { codePoints, trimWhiteSpace, mentionCandidates, isEmoji, excerpt, byCodePoint };
