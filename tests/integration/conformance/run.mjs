#!/usr/bin/env node
// Runs the Palaver conformance suite against a server that follows tests/README.md.
//
//   node run.mjs [--parser json|msgpack] [--recovery] -- <server executable> <args...>
//   node run.mjs [--parser json|msgpack] [--recovery] --node-server [--nodes N] [--adapter pubsub|streams]
//
// The runner adds the options the suite relies on (--port 0, the rooms fixture, a random secret,
// the parser, --recovery and small limits), reads the port from the "listening on" line, runs the
// *.test.mjs files with `node --test` and stops the server(s) whatever happens. --node-server
// starts a private redis-server and N nodes of tests/interop/server/server.js instead (the suite's
// sockets are spread round-robin over the nodes). Exit status: 0 only if every test passed.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { spawnServer, startCluster } from "../../interop/server/cluster.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOMS = path.resolve(here, "../../fixtures/rooms.json");
const LIMITS = { maxContent: 50, maxPayload: 100000, rateBurst: 5, ratePerSec: 1 };

function usage(msg) {
    if (msg) process.stderr.write(`run.mjs: ${msg}\n`);
    process.stderr.write(
        "usage: node run.mjs [--parser json|msgpack] [--recovery] [--timeout MS] [--grep PATTERN]\n" +
        "                    (-- <server> <args...> | --node-server [--nodes N] [--adapter pubsub|streams])\n");
    process.exit(2);
}

function parseArgs(argv) {
    const o = { parser: "json", recovery: false, nodeServer: false, nodes: 1, adapter: null, timeout: 300000, grep: null, server: null, verbose: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
        if (a === "--") { o.server = argv.slice(i + 1); break; }
        else if (a === "--parser") o.parser = val();
        else if (a === "--recovery") o.recovery = true;
        else if (a === "--node-server") o.nodeServer = true;
        else if (a === "--nodes") o.nodes = Number(val());
        else if (a === "--adapter") o.adapter = val();
        else if (a === "--timeout") o.timeout = Number(val());
        else if (a === "--grep") o.grep = val();
        else if (a === "--verbose") o.verbose = true;
        else usage(`unknown option ${a}`);
    }
    if (!["json", "msgpack"].includes(o.parser)) usage("--parser must be json or msgpack");
    if (o.nodeServer === Boolean(o.server && o.server.length)) usage("give either --node-server or -- <server command>");
    if (!(o.nodes >= 1)) usage("--nodes must be >= 1");
    return o;
}

const opts = parseArgs(process.argv.slice(2));
const secret = crypto.randomBytes(24).toString("hex");
const shared = [
    "--rooms", ROOMS, "--secret", secret, "--parser", opts.parser,
    "--max-content", String(LIMITS.maxContent), "--max-payload", String(LIMITS.maxPayload),
    "--rate-burst", String(LIMITS.rateBurst), "--rate-per-sec", String(LIMITS.ratePerSec),
    ...(opts.recovery ? ["--recovery"] : []),
];

const started = Date.now();
let stopServers = async () => {};
let urls;
let serverOutput = () => "";
try {
    if (opts.nodeServer) {
        // The pub/sub adapter can never recover a session: recovery needs the streams adapter.
        const adapter = opts.adapter || (opts.recovery ? "streams" : "pubsub");
        const cluster = await startCluster({ nodes: opts.nodes, adapter, args: shared, echo: opts.verbose });
        stopServers = () => cluster.stop();
        urls = cluster.urls;
        serverOutput = () => cluster.servers.map((s) => s.output().stderr).join("");
        process.stdout.write(`conformance: ${opts.nodes} Node server node(s), ${adapter} adapter, redis ${cluster.redisUrl}\n`);
    } else {
        const server = await spawnServer([...opts.server, "--port", "0", ...shared], { label: path.basename(opts.server[0]), echo: opts.verbose });
        stopServers = () => server.stop();
        urls = [server.url];
        serverOutput = () => server.output().stderr;
        process.stdout.write(`conformance: ${opts.server.join(" ")}\n`);
    }
} catch (e) {
    process.stderr.write(`run.mjs: the server did not start: ${e.message}\n`);
    await stopServers();
    process.exit(1);
}
process.stdout.write(`conformance: ${urls.join(" ")} parser=${opts.parser} recovery=${opts.recovery}\n`);

const files = fs.readdirSync(here).filter((f) => f.endsWith(".test.mjs")).sort().map((f) => path.join(here, f));
const testArgs = [
    "--test", "--test-concurrency=1", "--test-reporter=spec", "--test-timeout=60000",
    ...(opts.grep ? [`--test-name-pattern=${opts.grep}`] : []),
    ...files,
];
const env = {
    ...process.env,
    PALAVER_URL: urls.join(","),
    PALAVER_SECRET: secret,
    PALAVER_PARSER: opts.parser,
    PALAVER_RECOVERY: opts.recovery ? "1" : "0",
    PALAVER_MAX_CONTENT: String(LIMITS.maxContent),
    PALAVER_MAX_PAYLOAD: String(LIMITS.maxPayload),
    PALAVER_RATE_BURST: String(LIMITS.rateBurst),
    PALAVER_RATE_PER_SEC: String(LIMITS.ratePerSec),
};

const child = spawn(process.execPath, testArgs, { cwd: here, env, stdio: "inherit", detached: true });
const killTests = (sig) => {
    try { process.kill(-child.pid, sig); } catch { /* gone */ }
};
let timedOut = false;
const timer = setTimeout(() => {
    timedOut = true;
    process.stderr.write(`run.mjs: the suite did not finish within ${opts.timeout} ms\n`);
    killTests("SIGTERM");
    setTimeout(() => killTests("SIGKILL"), 3000).unref();
}, opts.timeout);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { killTests("SIGTERM"); timedOut = true; });
process.on("exit", () => killTests("SIGKILL"));

const code = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))));
clearTimeout(timer);
await stopServers();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const failed = code !== 0 || timedOut;
if (failed) {
    const err = serverOutput();
    if (err) process.stderr.write(`--- server stderr ---\n${err.slice(-8000)}\n---------------------\n`);
}
process.stdout.write(`conformance: ${failed ? "FAILED" : "passed"} (parser=${opts.parser}, recovery=${opts.recovery}) in ${seconds} s\n`);
process.exit(failed ? 1 : 0);
