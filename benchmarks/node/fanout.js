// Fan-out client: --sockets websocket-only sockets listen for `messages created`; a separate
// trigger socket calls `create` on `messages`, and the round ends when every listening socket
// has the event. Reports the time from the trigger emit until the last socket got it, over
// --rounds rounds (each bounded by --round-timeout ms; a hard timer ends the process).
// Prints one JSON line: {p50_ms, p99_ms, max_ms, rounds, lost, sockets}. `--url a,b` spreads
// the listening sockets over several servers (round robin) and triggers on the first.
//
//   node fanout.js --url http://127.0.0.1:3030 --sockets 1000 --rounds 30
'use strict';
const { parseOptions, connect } = require('./common');

const opts = parseOptions(process.argv, {
  url: 'http://127.0.0.1:3030', sockets: 1000, rounds: 30, warmup: 3, pause: 100,
  roundTimeout: 5000, path: '/socket.io/', event: 'messages created',
});
const totalRounds = opts.rounds + opts.warmup;
const urls = opts.url.split(',');
const hardStop = setTimeout(() => {
  console.error('fanout.js: hard time limit reached');
  process.exit(2);
}, 60000 + totalRounds * (opts.roundTimeout + opts.pause));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const sockets = [];
  for (let i = 0; i < opts.sockets; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(opts.sockets, i + 50); j++) {
      batch.push(connect(urls[j % urls.length], { path: opts.path }));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  const trigger = await connect(urls[0], { path: opts.path });
  let round = -1;
  let received = 0;
  let finish = null;
  const onEvent = (data) => {
    if (data && data.round === round && ++received === opts.sockets && finish) finish();
  };
  for (const socket of sockets) socket.on(opts.event, onEvent);

  const times = [];
  let lost = 0;
  for (let r = 0; r < totalRounds; r++) {
    round = r;
    received = 0;
    const begin = performance.now();
    const done = new Promise((resolve) => { finish = resolve; });
    trigger.emit('create', 'messages', { text: 'fan-out', round: r }, {}, () => {});
    const ok = await Promise.race([done.then(() => true), sleep(opts.roundTimeout).then(() => false)]);
    const elapsed = performance.now() - begin;
    finish = null;
    if (r >= opts.warmup) {
      if (ok) times.push(elapsed); else lost++;
    }
    await sleep(opts.pause);
  }
  for (const socket of [...sockets, trigger]) socket.disconnect();
  times.sort((a, b) => a - b);
  const pick = (q) => (times.length ? times[Math.min(times.length - 1, Math.floor(q * times.length))] : null);
  console.log(JSON.stringify({
    p50_ms: pick(0.5), p99_ms: pick(0.99), max_ms: times.length ? times[times.length - 1] : null,
    rounds: times.length, lost, sockets: opts.sockets,
  }));
  clearTimeout(hardStop);
  process.exit(0);
}

main().catch((error) => {
  console.error(`fanout.js: ${error && error.message}`);
  process.exit(1);
});
