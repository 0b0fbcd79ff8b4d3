#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes the seed corpus of fuzz_stub_session (corpus/*.txt): whole sessions in the input format
# described at the top of fuzz_stub_session.cpp. Run from anywhere; overwrites corpus/.
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "corpus"


def mp(v):
    """A small MessagePack encoder (enough for Socket.IO packets)."""
    if v is None:
        return b"\xc0"
    if v is True:
        return b"\xc3"
    if v is False:
        return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if 0 <= v < 2**32:
            return b"\xce" + v.to_bytes(4, "big")
        return b"\xd3" + v.to_bytes(8, "big", signed=True)
    if isinstance(v, bytes):
        return b"\xc4" + bytes([len(v)]) + v
    if isinstance(v, str):
        b = v.encode()
        return (bytes([0xA0 | len(b)]) if len(b) < 32 else b"\xd9" + bytes([len(b)])) + b
    if isinstance(v, list):
        return bytes([0x90 | len(v)]) + b"".join(mp(x) for x in v)
    if isinstance(v, dict):
        return bytes([0x80 | len(v)]) + b"".join(mp(k) + mp(x) for k, x in v.items())
    raise TypeError(v)


def mp_event(data, id=None):
    p = {"type": 2, "data": data, "nsp": "/"}
    if id is not None:
        p["id"] = id
    b = mp(p)
    assert b"\n" not in b
    return b"b" + b


SEEDS = {
    "basic": [
        '420["room:join","general"]',
        '421["message:send",{"roomId":"general","content":"hello","clientId":"c1"}]',
        '422["message:send",{"roomId":"general","content":"hello","clientId":"c1"}]',
        '423["room:history",{"roomId":"general","limit":5}]',
        '42["typing",{"roomId":"general","typing":true}]',
        '424["room:leave","general"]',
        '3',
    ],
    "acl": [
        '420["room:join","staff"]',
        '421["room:join","closed"]',
        '422["room:join","nope"]',
        '423["room:join","Bad Id!"]',
        '424["room:history",{"roomId":"closed"}]',
        '425["message:send",{"roomId":"closed","content":"x","clientId":"c"}]',
        '426["message:send",{"roomId":"staff","content":"x","clientId":"c"}]',
    ],
    "send-edge": [
        '420["room:join","general"]',
        '421["message:send",{"roomId":"general","content":"   ","clientId":"c1"}]',
        '422["message:send",{"roomId":"general","content":"' + "x" * 201 + '","clientId":"c2"}]',
        '423["message:send",{"roomId":"general","content":"ok","clientId":""}]',
        '424["message:send",{"roomId":"general","content":5,"clientId":"c3"}]',
        '425["message:send",{"roomId":"general","content":"forged","clientId":"c4","userId":"bob"}]',
        '426["message:send","general"]',
        '427["message:send"]',
        '428["message:send",{"roomId":"general","content":"\\u00e9\\ud83d\\ude00","clientId":"c5"}]',
    ],
    "history": [
        '420["room:join","general"]',
        '421["message:send",{"roomId":"general","content":"a","clientId":"h1"}]',
        '422["message:send",{"roomId":"general","content":"b","clientId":"h2"}]',
        '423["room:history",{"roomId":"general","before":2}]',
        '424["room:history",{"roomId":"general","after":1,"limit":1}]',
        '425["room:history",{"roomId":"general","before":1,"after":1}]',
        '426["room:history",{"roomId":"general","limit":0}]',
        '427["room:history",{"roomId":"general","limit":1000}]',
        '428["room:history",{"roomId":"general","after":-1}]',
        '429["room:history",{"roomId":"general","before":1.5}]',
    ],
    "binary": [
        '420["room:join","general"]',
        '451-1["message:send",{"_placeholder":true,"num":0}]',
        'b\x01\x02\x03',
        '452-2["typing",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
        'babc',
        'bdef',
    ],
    "auth#n": [
        '40{"token":"$EXPIRED"}',
        '40{"token":null}',
        '40{"token":42}',
        '40/admin,{"token":"$TOKEN"}',
        '40{"token":"$TOKEN","pid":"x","offset":"y"}',
        '40{"token":"$TOKEN"}',
        '420["room:join","general"]',
        '41',
        '40{"token":"$TOKEN"}',
    ],
    "bad-connect#n": ['40"just a string"'],
    "engine": ['6', '3', '4', '2'],
    "reserved": ['420["room:join","general"]', '42["connect"]'],
    "second-connect": ['40{"token":"$TOKEN"}'],
    "ack-from-client": ['430[{"ok":true}]', '44{"message":"x"}'],
    "broadcast#2": [
        '420["room:join","general"]',
        '42["typing",{"roomId":"general","typing":true}]',
        '421["message:send",{"roomId":"general","content":"hi bob","clientId":"b1"}]',
        '422["room:leave","general"]',
        '41',
    ],
    "recovery#r2": [
        '420["room:join","general"]',
        '421["message:send",{"roomId":"general","content":"kept","clientId":"r1"}]',
        '1',
    ],
}

MSGPACK = {
    "msgpack#m": [
        mp_event(["room:join", "general"], 0),
        mp_event(["message:send", {"roomId": "general", "content": "bin", "clientId": "m1"}], 1),
        mp_event(["message:send", {"roomId": "general", "content": b"\x00\x01", "clientId": "m2"}], 2),
        mp_event(["room:history", {"roomId": "general", "after": 0}], 3),
        b"b\xc1",
    ],
}


def main():
    OUT.mkdir(exist_ok=True)
    for f in OUT.iterdir():
        f.unlink()
    for name, lines in SEEDS.items():
        base, _, flags = name.partition("#")
        text = ("#" + flags + "\n" if flags else "") + "\n".join(lines)
        (OUT / f"{base}.txt").write_bytes(text.encode("utf-8", "surrogatepass"))
    for name, lines in MSGPACK.items():
        base, _, flags = name.partition("#")
        (OUT / f"{base}.txt").write_bytes(b"#" + flags.encode() + b"\n" + b"\n".join(lines))
    print(f"wrote {len(SEEDS) + len(MSGPACK)} seeds to {OUT}")


if __name__ == "__main__":
    main()
