// Holds --sockets idle websocket-only Socket.io connections open (for benchmarks/rss.py):
// prints "ready <n>" once all are connected, then waits until stdin closes or --seconds pass.
//
//   node hold.js --url http://127.0.0.1:3030 --sockets 1000 --deflate 0 --seconds 60
'use strict';
const { io } = require('socket.io-client');

const opts = { url: 'http://127.0.0.1:3030', sockets: 1000, deflate: 0, seconds: 60 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown option ${process.argv[i]}`);
  opts[key] = key === 'url' ? process.argv[i + 1] : Number(process.argv[i + 1]);
}
const stop = setTimeout(() => process.exit(0), opts.seconds * 1000);

function connect() {
  return new Promise((resolve, reject) => {
    const socket = io(opts.url, {
      transports: ['websocket'], reconnection: false, forceNew: true, timeout: 20000,
      // engine.io-client offers per-message deflate by default; 0 turns the offer off
      perMessageDeflate: opts.deflate ? { threshold: 1024 } : false,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

(async () => {
  const sockets = [];
  for (let i = 0; i < opts.sockets; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(opts.sockets, i + 50); j++) batch.push(connect());
    sockets.push(...(await Promise.all(batch)));
  }
  console.log(`ready ${sockets.length}`);
  process.stdin.resume();
  process.stdin.on('end', () => { clearTimeout(stop); process.exit(0); });
})().catch((error) => {
  console.error(`hold.js: ${error && error.message}`);
  process.exit(1);
});
