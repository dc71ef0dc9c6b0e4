// Low-overhead load client: speaks Engine.IO 4 / Socket.io 5 frames over a plain websocket
// (the `ws` package), so it does far less work per call than the servers it loads (no
// socket.io-client packet objects, no event emitter per ack). N sockets, K calls in flight on
// each, Feathers-shaped emits (`get`/`find`/`create` on a service) with acks; published
// events are read and counted, not parsed. Bounded by --duration seconds AND --max-calls; a
// hard timer ends the process whatever happens. Prints one JSON line:
// {calls_per_s, p50_ms, p99_ms, calls, errors, seconds, sockets, inflight, all_calls, events}
// (all_calls includes the warm-up, for CPU time per call).
//
//   node raw.js --url http://127.0.0.1:3030 --sockets 50 --inflight 1 --duration 5 \
//     [--methods get,find | create,get,find] [--records 5] [--first-id 0] [--find-query '{}']
'use strict';
const WebSocket = require('ws');
const { parseOptions } = require('./common');

const opts = parseOptions(process.argv, {
  url: 'http://127.0.0.1:3030', sockets: 50, inflight: 1, duration: 5, warmup: 1,
  maxCalls: 2000000, records: 5, firstId: 0, path: '/socket.io/', service: 'messages',
  methods: 'get,find', findQuery: '{}', text: 'A message of about the size a chat sends',
});
const hardStop = setTimeout(() => {
  console.error('raw.js: hard time limit reached');
  process.exit(2);
}, (opts.duration + opts.warmup + 30) * 1000);

const methods = opts.methods.split(',');
const service = JSON.stringify(opts.service);
const findQuery = JSON.stringify(JSON.parse(opts.findQuery));
const createData = JSON.stringify({ text: opts.text, user: 'bench' });
let counter = 0;

// The Socket.io EVENT frame of the next call, with its ack id.
function callFrame(ackId) {
  const method = methods[counter % methods.length];
  const id = opts.firstId + (Math.floor(counter / methods.length) % opts.records);
  counter++;
  if (method === 'get') return `42${ackId}["get",${service},${id},{}]`;
  if (method === 'find') return `42${ackId}["find",${service},${findQuery}]`;
  if (method === 'create') return `42${ackId}["create",${service},${createData},{}]`;
  throw new Error(`unknown method ${method}`);
}

// A websocket with the Engine.IO handshake and the Socket.io CONNECT of namespace '/' done.
function connect(timeout = 10000) {
  const base = new URL(opts.url);
  const protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const address = `${protocol}//${base.host}${opts.path}?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(address, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error('connect timed out')), timeout);
    ws.on('error', reject);
    ws.on('message', function handshake(data) {
      const text = data.toString();
      if (text[0] === '0') ws.send('40');
      else if (text.startsWith('40')) {
        clearTimeout(timer);
        ws.off('message', handshake);
        resolve(ws);
      } else if (text.startsWith('44')) reject(new Error(`connect refused: ${text}`));
    });
  });
}

async function main() {
  const sockets = [];
  for (let i = 0; i < opts.sockets; i += 25) {
    const batch = [];
    for (let j = i; j < Math.min(opts.sockets, i + 25); j++) batch.push(connect());
    sockets.push(...(await Promise.all(batch)));
  }
  const latencies = []; // microseconds, only for calls started inside the measured window
  let calls = 0;
  let allCalls = 0;
  let errors = 0;
  let events = 0;
  let measuring = false;
  let stopped = false;
  let nextAck = 0;
  let inFlight = 0;

  const run = (ws) => {
    const pending = new Map(); // ack id -> [start time, counted]
    const send = () => {
      if (stopped || calls >= opts.maxCalls) return;
      const ackId = nextAck++;
      pending.set(ackId, [performance.now(), measuring]);
      inFlight++;
      ws.send(callFrame(ackId));
    };
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('43')) {
        const open = text.indexOf('[');
        const ackId = Number(text.slice(2, open));
        const started = pending.get(ackId);
        if (started === undefined) return;
        pending.delete(ackId);
        inFlight--;
        allCalls++;
        if (started[1]) {
          calls++;
          latencies.push((performance.now() - started[0]) * 1000);
          if (!text.startsWith('[null,', open)) errors++;
        }
        send();
      } else if (text.startsWith('42')) events++;
      else if (text === '2') ws.send('3'); // Engine.IO ping
    });
    for (let k = 0; k < opts.inflight; k++) send();
  };
  for (const ws of sockets) run(ws);

  await new Promise((r) => setTimeout(r, opts.warmup * 1000));
  measuring = true;
  events = 0;
  const started = performance.now();
  const deadline = started + opts.duration * 1000;
  while (performance.now() < deadline && calls < opts.maxCalls) {
    await new Promise((r) => setTimeout(r, Math.min(50, deadline - performance.now())));
  }
  const seconds = (performance.now() - started) / 1000;
  measuring = false;
  const measured = calls;
  const measuredEvents = events;
  stopped = true;
  const drained = performance.now() + 5000;
  while (inFlight > 0 && performance.now() < drained) await new Promise((r) => setTimeout(r, 10));
  for (const ws of sockets) ws.close();
  latencies.sort((a, b) => a - b);
  const pick = (q) => (latencies.length
    ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] / 1000 : null);
  console.log(JSON.stringify({
    calls_per_s: measured / seconds, p50_ms: pick(0.5), p99_ms: pick(0.99), calls: measured,
    errors, seconds, sockets: opts.sockets, inflight: opts.inflight, all_calls: allCalls,
    events: measuredEvents,
  }));
  clearTimeout(hardStop);
  process.exit(0);
}

main().catch((error) => {
  console.error(`raw.js: ${error && error.message}`);
  process.exit(1);
});
