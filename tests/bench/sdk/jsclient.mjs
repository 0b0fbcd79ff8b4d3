// SPDX-License-Identifier: MIT
// The JS receiver of bench_sdk_receive: socket.io-client (tests/node/node_modules) over a
// WebSocket only, counting `message:new` events. Started by the benchmark as
//   node jsclient.mjs <url> <count> <size> <node_modules dir>
// and prints one JSON line: received, seconds (request to last message) and the process CPU
// time (user + system, microseconds) over the same span, from process.cpuUsage().
import { createRequire } from 'node:module';
import path from 'node:path';

const [url, countArg, sizeArg, modules] = process.argv.slice(2);
// The script lives outside tests/node, so resolve the client from there explicitly.
const require = createRequire(path.join(modules, 'bench.js'));
const { io } = require('socket.io-client');

const count = Number(countArg);
const size = Number(sizeArg);
const socket = io(url, { transports: ['websocket'], reconnection: false });

socket.on('connect_error', (error) => {
    console.error(`connect error: ${error.message}`);
    process.exit(1);
});

socket.once('connect', () => {
    let received = 0;
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    socket.on('message:new', () => {
        if (++received < count)
            return;
        const seconds = Number(process.hrtime.bigint() - start) / 1e9;
        const cpu = process.cpuUsage(cpuStart);
        console.log(JSON.stringify({ received, seconds, cpuUs: cpu.user + cpu.system }));
        socket.disconnect();
        process.exit(0);
    });
    socket.emit('replay', count, size);
});
