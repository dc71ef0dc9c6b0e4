// HTTP load client for benchmarks/rest.py: N keep-alive connections, one request in flight
// on each, `GET /messages/<id>` (get) or `GET /messages` (find). Bounded by --duration
// seconds AND --max-calls; a hard timer ends the process whatever happens. Prints one JSON
// line: {calls_per_s, p50_ms, p99_ms, calls, errors, seconds, connections, all_calls}
// (all_calls includes the warm-up, for the server's CPU time per call).
//
//   node http_load.js --url http://127.0.0.1:3030 --kind get --connections 50 --duration 5
'use strict';
const http = require('node:http');
const { parseOptions } = require('./common');

const opts = parseOptions(process.argv, {
  url: 'http://127.0.0.1:3030', kind: 'get', connections: 50, duration: 5, warmup: 1,
  maxCalls: 2000000, records: 5,
});
if (!['get', 'find'].includes(opts.kind)) throw new Error('--kind is get or find');
const hardStop = setTimeout(() => {
  console.error('http_load.js: hard time limit reached');
  process.exit(2);
}, (opts.duration + opts.warmup + 30) * 1000);

const target = new URL(opts.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });

function request(path) {
  return new Promise((resolve) => {
    const req = http.get({ host: target.hostname, port: target.port, path, agent }, (res) => {
      let size = 0;
      res.on('data', (chunk) => { size += chunk.length; });
      res.on('end', () => resolve(res.statusCode === 200 && size > 0));
      res.on('error', () => resolve(false));
    });
    req.on('error', () => resolve(false));
  });
}

async function main() {
  const latencies = [];
  let calls = 0;
  let allCalls = 0;
  let errors = 0;
  let measuring = false;
  let stopped = false;
  let counter = 0;

  const loop = async () => {
    while (!stopped && calls < opts.maxCalls) {
      const path = opts.kind === 'get' ? `/messages/${counter++ % opts.records}` : '/messages';
      const counted = measuring;
      const begin = performance.now();
      const ok = await request(path);
      allCalls++;
      if (counted) {
        calls++;
        latencies.push((performance.now() - begin) * 1000);
        if (!ok) errors++;
      }
    }
  };

  const loops = [];
  for (let i = 0; i < opts.connections; i++) loops.push(loop());
  await new Promise((r) => setTimeout(r, opts.warmup * 1000));
  measuring = true;
  const started = performance.now();
  const deadline = started + opts.duration * 1000;
  while (performance.now() < deadline && calls < opts.maxCalls) {
    await new Promise((r) => setTimeout(r, Math.min(50, deadline - performance.now())));
  }
  const seconds = (performance.now() - started) / 1000;
  measuring = false;
  const measured = calls;
  stopped = true;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 5000))]);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pick = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] / 1000 : null);
  console.log(JSON.stringify({
    calls_per_s: measured / seconds, p50_ms: pick(0.5), p99_ms: pick(0.99), calls: measured,
    errors, seconds, connections: opts.connections, all_calls: allCalls,
  }));
  clearTimeout(hardStop);
  process.exit(0);
}

main().catch((error) => {
  console.error(`http_load.js: ${error && error.message}`);
  process.exit(1);
});
