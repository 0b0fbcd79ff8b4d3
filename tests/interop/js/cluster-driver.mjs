// Drives a throwaway cluster (cluster.mjs: a private redis-server + N server.js nodes) for the C++
// interop tests, over JSON lines on stdin/stdout.
//
//   node cluster-driver.mjs --nodes N --adapter pubsub|streams -- <server.js options>
//
// Prints {"type":"ready","redis":URL,"key":K,"urls":[...],"pids":[...]} once every node listens
// (or {"type":"error","message":...} and exits 1). Commands, one JSON object per line:
//   {"op":"kill","node":i,"signal":"SIGKILL"|"SIGTERM"} -> {"type":"killed","node":i,"code","signal"}
//   {"op":"start"}                                     -> {"type":"started","node":i,"url":URL}
//   {"op":"stop"}                                      -> stops everything, {"type":"stopped"}, exit 0
// The end of stdin (the test finished or died) stops everything too, so no server outlives the
// test process, whatever way it ended. SIGTERM/SIGINT are handled by cluster.mjs the same way.
import readline from "node:readline";
import { startCluster } from "../server/cluster.mjs";

const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const argv = process.argv.slice(2);
const sep = argv.indexOf("--");
const own = sep < 0 ? argv : argv.slice(0, sep);
const args = sep < 0 ? [] : argv.slice(sep + 1);
let nodes = 1;
let adapter = "pubsub";
let echo = false;
for (let i = 0; i < own.length; i++) {
    if (own[i] === "--nodes") nodes = Number(own[++i]);
    else if (own[i] === "--adapter") adapter = own[++i];
    else if (own[i] === "--echo") echo = true;
    else {
        say({ type: "error", message: `unknown option ${own[i]}` });
        process.exit(2);
    }
}

let cluster;
let stopping = null;
const stopAll = () => {
    if (!stopping) stopping = (cluster ? cluster.stop() : Promise.resolve()).catch(() => {});
    return stopping;
};

// Read commands before the cluster is up, so that an early end of stdin is not missed.
const rl = readline.createInterface({ input: process.stdin });
const ready = (async () => {
    try {
        cluster = await startCluster({ nodes, adapter, args, echo });
    } catch (e) {
        say({ type: "error", message: String(e && e.message || e) });
        process.exit(1);
    }
    say({ type: "ready", redis: cluster.redisUrl, key: cluster.key, urls: cluster.urls,
        pids: cluster.servers.map((s) => s.proc.pid) });
})();

rl.on("line", async (line) => {
    let cmd;
    try {
        cmd = JSON.parse(line);
    } catch {
        say({ type: "error", message: "bad command" });
        return;
    }
    await ready;
    if (cmd.op === "kill") {
        const s = cluster.servers[cmd.node];
        if (!s) return say({ type: "error", message: `no node ${cmd.node}` });
        const signal = cmd.signal || "SIGKILL";
        try {
            process.kill(-s.proc.pid, signal); // the node leads its own process group
        } catch {
            try { s.proc.kill(signal); } catch { /* already gone */ }
        }
        const { code, signal: sig } = await s.exited;
        say({ type: "killed", node: cmd.node, code, signal: sig });
    } else if (cmd.op === "start") {
        try {
            const s = await cluster.startNode();
            say({ type: "started", node: cluster.servers.length - 1, url: s.url });
        } catch (e) {
            say({ type: "error", message: String(e && e.message || e) });
        }
    } else if (cmd.op === "stop") {
        await stopAll();
        say({ type: "stopped" });
        process.exit(0);
    } else {
        say({ type: "error", message: `unknown op ${cmd.op}` });
    }
});
rl.on("close", async () => {
    await ready.catch(() => {});
    await stopAll();
    process.exit(0);
});
