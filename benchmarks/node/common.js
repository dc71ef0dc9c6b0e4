// What the benchmark clients share: `--option value` parsing and a websocket-only connect.
'use strict';
const { io } = require('socket.io-client');

// `--max-calls 5` sets `maxCalls`; numbers stay numbers. Unknown options are an error.
function parseOptions(argv, defaults) {
  const result = { ...defaults };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in result)) throw new Error(`unknown option ${argv[i]}`);
    result[key] = typeof result[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return result;
}

// One websocket-only Socket.io connection, no reconnection; per-message deflate off unless
// `perMessageDeflate` says otherwise (engine.io-client offers it by default).
function connect(url, { path = '/socket.io/', timeout = 20000, perMessageDeflate = false } = {}) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'], path, reconnection: false, forceNew: true,
      perMessageDeflate, timeout,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

module.exports = { parseOptions, connect };
