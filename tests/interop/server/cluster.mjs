// Test fixture: a private redis-server plus N Palaver Node server nodes on free ports.
//
// Library:
//   import { startCluster, spawnServer } from "./cluster.mjs";
//   const c = await startCluster({ nodes: 2, adapter: "streams", args: ["--secret", "s"] });
//   c.urls  // ["http://127.0.0.1:41234", ...]
//   await c.stop();
// CLI (prints the URLs, runs until SIGINT/SIGTERM):
//   node tests/interop/server/cluster.mjs [--nodes N] [--adapter pubsub|streams] -- <server options>
//
// Every process started here is stopped at the end whatever happens: stop(), or the exit and
// signal handlers of this process (SIGTERM, then SIGKILL after a grace period).
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVER_JS = path.join(here, "server.js");
const LISTENING_RE = /listening on \S+:(\d+)/;

// ---------------------------------------------------------------------------------------------
// Child process bookkeeping

const live = new Set(); // Child records still running

function killGroup(child, signal) {
    try {
        process.kill(-child.pid, signal); // the child leads its own process group
    } catch {
        try { child.kill(signal); } catch { /* already gone */ }
    }
}

let handlersInstalled = false;
function installHandlers() {
    if (handlersInstalled) return;
    handlersInstalled = true;
    process.on("exit", () => {
        for (const c of live) killGroup(c.proc, "SIGKILL");
    });
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
        process.once(sig, async () => {
            await Promise.allSettled([...live].map((c) => c.stop()));
            process.exit(128 + (os.constants.signals[sig] || 0));
        });
    }
}

/**
 * Spawns `argv[0] argv.slice(1)` and waits until a line of its stdout matches `waitFor`.
 * Resolves to {proc, match, output(), stop()}; rejects (after killing it) on exit or timeout.
 */
export function spawnChild(argv, { waitFor, timeoutMs = 20000, cwd, env, label = path.basename(argv[0]), echo = false } = {}) {
    installHandlers();
    const proc = spawn(argv[0], argv.slice(1), {
        cwd, env: env || process.env, stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    let out = "";
    let err = "";
    const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
    const record = {
        proc,
        label,
        output: () => ({ stdout: out, stderr: err }),
        exited,
        async stop(graceMs = 3000) {
            if (proc.exitCode === null && proc.signalCode === null) {
                killGroup(proc, "SIGTERM");
                const t = setTimeout(() => killGroup(proc, "SIGKILL"), graceMs);
                await exited;
                clearTimeout(t);
            }
            live.delete(record);
        },
    };
    live.add(record);
    exited.then(() => live.delete(record));
    proc.stderr.on("data", (d) => {
        err += d;
        if (echo) process.stderr.write(`[${label}] ${d}`);
    });
    return new Promise((resolve, reject) => {
        let done = false;
        const finish = (fn) => { if (!done) { done = true; clearTimeout(timer); fn(); } };
        const timer = setTimeout(() => finish(async () => {
            await record.stop();
            reject(new Error(`${label} did not become ready within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
        }), timeoutMs);
        proc.stdout.on("data", (d) => {
            out += d;
            if (echo) process.stderr.write(`[${label}] ${d}`);
            const m = out.match(waitFor);
            if (m) finish(() => resolve({ ...record, match: m }));
        });
        proc.once("error", (e) => finish(async () => { await record.stop(); reject(e); }));
        exited.then(({ code, signal }) => finish(() => reject(new Error(
            `${label} exited (${signal || code}) before it was ready\nstdout: ${out}\nstderr: ${err}`))));
    });
}

/** Starts a server that follows tests/README.md and resolves to {url, port, stop(), ...}. */
export async function spawnServer(argv, opts = {}) {
    const child = await spawnChild(argv, { waitFor: LISTENING_RE, ...opts });
    const port = Number(child.match[1]);
    return { ...child, port, url: `http://127.0.0.1:${port}` };
}

export function freePort() {
    return new Promise((resolve, reject) => {
        const s = net.createServer();
        s.unref();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address();
            s.close(() => resolve(port));
        });
    });
}

/** Starts a throwaway redis-server (no persistence) in a temp dir: {url, port, stop()}. */
export async function startRedis({ redisServer = "redis-server", timeoutMs = 10000 } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "palaver-redis-"));
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) { // the free port may be taken meanwhile
        const port = await freePort();
        try {
            const child = await spawnChild([redisServer, "--port", String(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no"],
            { waitFor: /Ready to accept connections/, timeoutMs, label: "redis" });
            return {
                ...child, port, url: `redis://127.0.0.1:${port}`,
                async stop() {
                    await child.stop();
                    fs.rmSync(dir, { recursive: true, force: true });
                },
            };
        } catch (e) {
            lastError = e;
        }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    throw lastError;
}

/**
 * Starts redis and `nodes` server.js processes sharing it (and one --key prefix).
 * `args` are extra server options (e.g. --secret, --parser, --recovery).
 */
export async function startCluster({ nodes = 1, adapter = "pubsub", args = [], key, echo = false, timeoutMs = 20000 } = {}) {
    const redis = await startRedis();
    const prefix = key || `palaver-test-${crypto.randomBytes(4).toString("hex")}`;
    const servers = [];
    const cluster = {
        redis,
        redisUrl: redis.url,
        key: prefix,
        servers,
        get urls() { return servers.map((s) => s.url); },
        async startNode(extra = []) {
            const i = servers.length;
            const s = await spawnServer([process.execPath, SERVER_JS, "--port", "0", "--redis", redis.url,
                "--adapter", adapter, "--key", prefix, ...args, ...extra], { label: `node${i}`, echo, timeoutMs });
            servers.push(s);
            return s;
        },
        async stop() {
            await Promise.allSettled(servers.map((s) => s.stop()));
            await redis.stop();
        },
    };
    try {
        for (let i = 0; i < nodes; i++) await cluster.startNode();
    } catch (e) {
        await cluster.stop();
        throw e;
    }
    return cluster;
}

// ---------------------------------------------------------------------------------------------
// CLI

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const argv = process.argv.slice(2);
    const sep = argv.indexOf("--");
    const own = sep < 0 ? argv : argv.slice(0, sep);
    const args = sep < 0 ? [] : argv.slice(sep + 1);
    let nodes = 1;
    let adapter = "pubsub";
    for (let i = 0; i < own.length; i++) {
        if (own[i] === "--nodes") nodes = Number(own[++i]);
        else if (own[i] === "--adapter") adapter = own[++i];
        else {
            process.stderr.write("usage: cluster.mjs [--nodes N] [--adapter pubsub|streams] -- <server options>\n");
            process.exit(2);
        }
    }
    if (!args.includes("--secret") && !process.env.PALAVER_SECRET) args.push("--secret", "dev-secret");
    const c = await startCluster({ nodes, adapter, args, echo: true });
    process.stdout.write(`redis ${c.redisUrl} key ${c.key}\n${c.urls.join("\n")}\n`);
    // Runs until a signal; the handlers installed above stop everything.
    setInterval(() => {}, 1 << 30);
}
