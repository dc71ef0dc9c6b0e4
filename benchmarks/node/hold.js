// Holds --sockets idle websocket-only Socket.io connections open (for benchmarks/rss.py):
// prints "ready <n>" once all are connected, then waits until stdin closes or --seconds pass.
//
//   node hold.js --url http://127.0.0.1:3030 --sockets 1000 --deflate 0 --seconds 60
'use strict';
const { parseOptions, connect } = require('./common');

const opts = parseOptions(process.argv, {
  url: 'http://127.0.0.1:3030', sockets: 1000, deflate: 0, seconds: 60,
});
const stop = setTimeout(() => process.exit(0), opts.seconds * 1000);

(async () => {
  const sockets = [];
  for (let i = 0; i < opts.sockets; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(opts.sockets, i + 50); j++) {
      // --deflate 0 turns engine.io-client's per-message deflate offer off
      const perMessageDeflate = opts.deflate ? { threshold: 1024 } : false;
      batch.push(connect(opts.url, { perMessageDeflate }));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  console.log(`ready ${sockets.length}`);
  process.stdin.resume();
  process.stdin.on('end', () => { clearTimeout(stop); process.exit(0); });
})().catch((error) => {
  console.error(`hold.js: ${error && error.message}`);
  process.exit(1);
});
