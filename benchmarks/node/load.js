// Load client: N websocket-only Socket.io sockets, K calls in flight on each, Feathers-shaped
// `get`/`find` emits on `messages` with acks (`--method create`: creates, each one a
// `messages created` event published to every socket). Bounded by --duration seconds AND --max-calls;
// a hard timer ends the process whatever happens. Prints one JSON line:
// {calls_per_s, p50_ms, p99_ms, calls, errors, seconds, sockets, inflight, all_calls,
// events_per_s} (all_calls includes the warm-up, for CPU time per call; events_per_s counts
// the `messages created` events all sockets received in the measured window).
//
//   node load.js --url http://127.0.0.1:3030 --sockets 50 --inflight 1 --duration 5
'use strict';
const { parseOptions, connect } = require('./common');

const opts = parseOptions(process.argv, {
  url: 'http://127.0.0.1:3030', sockets: 50, inflight: 1, duration: 5, warmup: 1,
  maxCalls: 2000000, records: 5, path: '/socket.io/', method: 'get/find',
});
const hardStop = setTimeout(() => {
  console.error('load.js: hard time limit reached');
  process.exit(2);
}, (opts.duration + opts.warmup + 30) * 1000);

async function main() {
  const sockets = [];
  for (let i = 0; i < opts.sockets; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(opts.sockets, i + 25); j++) {
      batch.push(connect(opts.url, { path: opts.path, timeout: 10000 }));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  // Latencies in microseconds, only for calls that start inside the measured window.
  const latencies = [];
  let calls = 0;
  let allCalls = 0;
  let errors = 0;
  let measuring = false;
  let stopped = false;
  let started = 0;
  let counter = 0;

  const loop = (socket) => new Promise((resolve) => {
    const next = () => {
      if (stopped || calls >= opts.maxCalls) return resolve();
      const id = counter++ % opts.records;
      const begin = performance.now();
      const counted = measuring;
      const ack = (error, result) => {
        allCalls++;
        if (counted) {
          calls++;
          latencies.push((performance.now() - begin) * 1000);
          if (error || result === undefined) errors++;
        }
        next();
      };
      if (opts.method === 'create') socket.emit('create', 'messages', { text: 'load' }, {}, ack);
      else if (id % 2 === 0) socket.emit('get', 'messages', id, {}, ack);
      else socket.emit('find', 'messages', {}, ack);
    };
    next();
  });

  const loops = [];
  let events = 0;
  for (const socket of sockets) socket.on('messages created', () => { if (measuring) events++; });
  for (const socket of sockets) for (let k = 0; k < opts.inflight; k++) loops.push(loop(socket));
  await new Promise((r) => setTimeout(r, opts.warmup * 1000));
  measuring = true;
  started = performance.now();
  const deadline = started + opts.duration * 1000;
  while (performance.now() < deadline && calls < opts.maxCalls) {
    await new Promise((r) => setTimeout(r, Math.min(50, deadline - performance.now())));
  }
  const seconds = (performance.now() - started) / 1000;
  measuring = false;
  const measured = calls;
  stopped = true;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 5000))]);
  for (const socket of sockets) socket.disconnect();
  latencies.sort((a, b) => a - b);
  const pick = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] / 1000 : null);
  console.log(JSON.stringify({
    calls_per_s: measured / seconds, p50_ms: pick(0.5), p99_ms: pick(0.99), calls: measured,
    errors, seconds, sockets: opts.sockets, inflight: opts.inflight, all_calls: allCalls,
    events_per_s: events / seconds,
  }));
  clearTimeout(hardStop);
  process.exit(0);
}

main().catch((error) => {
  console.error(`load.js: ${error && error.message}`);
  process.exit(1);
});
