#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpora (corpus/<target>/) from the golden vectors of the wire reference
(sections 1.3, 2.2, 3 and 4). Run it from anywhere; it only rewrites the seed directories."""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

TEXT_PACKETS = [  # Socket.IO packets as text frames carry them, without the Engine.IO `4`
    '0', '0{"token":"good"}', '0/admin,', '0/admin,{"token":"123"}',
    '0{"sid":"8v9HSoP9gzlXrms_AAAA"}',
    '0{"sid":"8v9HSoP9gzlXrms_AAAA","pid":"jvLB5sDCAXijXPaaAAAB"}',
    '4{"message":"unauthorized","data":{"code":401}}', '4/nope,{"message":"Invalid namespace"}',
    '2["message:send",{"room":"r1","text":"hi"}]', '2/admin,["bar"]', '212["x"]', '312["ok"]',
    '21["echo","x",{"k":1}]', '31["ok","x",{"k":1}]', '20["withack",1]',
    '30["pong-from-client"]', '3/admin,13["bar"]', '1', '1/admin,',
    '2["hello","world","Q8WACUn"]', '2["during-gap",42,"Q8WADDe"]',
    '0{"token":"good","pid":"jvLB5sDCAXijXPaaAAAB","offset":"Q8WACUn"}',
    '2["caf\\u00e9","\\ud83d\\ude00",-1.5e3,true,false,null,[],{}]', '4"legacy"',
]
BINARY_PACKETS = [  # (text, [attachments])
    ('51-["x",{"_placeholder":true,"num":0}]', [b'\x01\x02\x03']),
    ('52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
     [b'\x01', b'\x02\x03']),
    ('51-2["echo",{"_placeholder":true,"num":0}]', [b'\xaa']),
    ('61-2["ok",{"_placeholder":true,"num":0}]', [b'\xaa']),
    ('51-["bin",{"_placeholder":true,"num":0},"Q8WACUo"]', [b'\x01\x02\x03']),
]
MSGPACK_PACKETS = [
    '82a47479706500a36e7370a12f',
    '83a47479706500a36e7370a12fa46461746181a5746f6b656ea4676f6f64',
    '83a47479706500a46461746182a3736964b43876394853'
    '6f5039677a6c58726d735f41414141a3706964d40000a36e7370a12f',
    '83a47479706502a46461746192a362696ec403010203a36e7370a12f',
    '84a2696407a47479706503a46461746193a26f6ba26869c4020102a36e7370a12f',
    # {nsp, options, data, type} as the JS client writes an event
    '84a36e7370a12fa76f7074696f6e7381a8636f6d7072657373c3a46461746191a178a47479706502',
    # ext 8 type 0 (ArrayBuffer), Date, other ext
    '83a47479706502a46461746194a178c70200010' '2d7000000000123456789d5070102a36e7370a12f',
]


def mp(value):
    """A tiny MessagePack encoder for the seeds (notepack's choices)."""
    if value is None:
        return b'\xc0'
    if value is True:
        return b'\xc3'
    if value is False:
        return b'\xc2'
    if isinstance(value, int):
        if 0 <= value < 0x80:
            return bytes([value])
        if 0 <= value <= 0xffffffff:
            return b'\xce' + struct.pack('>I', value)
        return b'\xd3' + struct.pack('>q', value)
    if isinstance(value, str):
        raw = value.encode()
        if len(raw) < 32:
            return bytes([0xa0 | len(raw)]) + raw
        if len(raw) < 256:
            return b'\xd9' + bytes([len(raw)]) + raw
        return b'\xda' + struct.pack('>H', len(raw)) + raw
    if isinstance(value, list):
        return bytes([0x90 | len(value)]) + b''.join(mp(v) for v in value)
    if isinstance(value, dict):
        return bytes([0x80 | len(value)]) + b''.join(mp(k) + mp(v) for k, v in value.items())
    raise TypeError(value)


def message(content):
    return {"id": "m-1", "roomId": "lobby", "seq": 42, "userId": "ann", "userName": "Ann",
            "content": content, "createdAt": "2024-05-01T12:34:56.789Z", "clientId": "c-1"}


def record(binary, payload):
    return bytes([1 if binary else 0]) + struct.pack('>H', len(payload)) + payload


def write(target, seeds):
    directory = os.path.join(HERE, 'corpus', target)
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    for seed in seeds:
        name = hashlib.sha1(seed).hexdigest()[:16]
        with open(os.path.join(directory, name), 'wb') as out:
            out.write(seed)


def main():
    import json
    handshake = ('0{"sid":"YVqOSwMTP5OeJ8hOAAAA","upgrades":[],"pingInterval":25000,'
                 '"pingTimeout":20000,"maxPayload":1000000}')
    write('fuzz_engine', [s.encode() for s in [
        handshake, '0{"sid":"a","upgrades":["websocket"],"pingInterval":1,"pingTimeout":2}',
        '1', '2', '3', '2probe', '42["x"]', '5', '6']])

    json_seeds = [t.encode() for t in TEXT_PACKETS]
    json_seeds += [record(False, t.encode()) for t in TEXT_PACKETS[:6]]
    for text, attachments in BINARY_PACKETS:
        json_seeds.append(text.encode())
        json_seeds.append(record(False, text.encode())
                          + b''.join(record(True, a) for a in attachments))
    write('fuzz_json_decoder', json_seeds)

    write('fuzz_msgpack_decoder', [bytes.fromhex(h) for h in MSGPACK_PACKETS])

    new_seeds = []
    for content in ['hi', 'a "quoted" \\ caf\u00e9 \U0001F600', 'x' * 300]:
        data = ["message:new", message(content)]
        new_seeds.append(b'\x00' + json.dumps(data, ensure_ascii=False).encode())
        new_seeds.append(b'\x00' + json.dumps(data + ["Q8WACUn"]).encode())
        new_seeds.append(b'\x01' + mp(data))
        new_seeds.append(b'\x03' + mp(data + ["Q8WACUn"]))
    lean = {"id": "m", "roomId": "r", "seq": 1, "userId": "u", "content": "c"}
    new_seeds.append(b'\x00' + json.dumps(["message:new", lean]).encode())
    new_seeds.append(b'\x01' + mp(["message:new", lean]))
    write('fuzz_message_new', new_seeds)


if __name__ == '__main__':
    main()
