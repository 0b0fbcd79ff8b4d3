// A socket.io-client 4.8.4 peer for the mixed-client interop test, driven over JSON lines.
//
//   node peer.mjs
// Commands on stdin, one JSON object per line:
//   {"op":"connect","url":URL,"token":T,"parser":"json"|"msgpack"} -> {"type":"connect","id":sid}
//        or {"type":"connect_error","message":...,"code":...}
//   {"op":"emit","event":E,"args":[...],"ack":n}  -> {"type":"ack","ack":n,"args":[...]} (5 s timeout:
//        {"type":"ack","ack":n,"error":"timeout"}); without "ack" the event is sent without one
//   {"op":"close"}                                -> closes the socket, {"type":"closed"}
// Every event from the server is printed as {"type":"event","event":E,"args":[...]}.
// The end of stdin closes the socket and exits.
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const peerRequire = createRequire(path.resolve(here, "../../node/package.json"));
const { io } = peerRequire("socket.io-client");

const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");
let socket = null;

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
    let cmd;
    try {
        cmd = JSON.parse(line);
    } catch {
        return say({ type: "error", message: "bad command" });
    }
    if (cmd.op === "connect") {
        const opts = { transports: ["websocket"], auth: { token: cmd.token }, reconnection: false, forceNew: true };
        if (cmd.parser === "msgpack") opts.parser = peerRequire("socket.io-msgpack-parser");
        socket = io(cmd.url, opts);
        socket.on("connect", () => say({ type: "connect", id: socket.id }));
        socket.on("connect_error", (e) => say({ type: "connect_error", message: e.message, code: e.data && e.data.code }));
        socket.on("disconnect", (reason) => say({ type: "disconnect", reason }));
        socket.onAny((event, ...args) => say({ type: "event", event, args }));
    } else if (cmd.op === "emit") {
        if (!socket) return say({ type: "error", message: "not connected" });
        const args = Array.isArray(cmd.args) ? cmd.args : [];
        if (cmd.ack === undefined) {
            socket.emit(cmd.event, ...args);
        } else {
            socket.timeout(5000).emit(cmd.event, ...args, (err, ...reply) => {
                if (err) say({ type: "ack", ack: cmd.ack, error: "timeout" });
                else say({ type: "ack", ack: cmd.ack, args: reply });
            });
        }
    } else if (cmd.op === "close") {
        if (socket) socket.close();
        say({ type: "closed" });
    } else {
        say({ type: "error", message: `unknown op ${cmd.op}` });
    }
});
rl.on("close", () => {
    if (socket) socket.close();
    process.exit(0);
});
