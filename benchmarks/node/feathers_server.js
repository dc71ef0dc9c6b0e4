// The Node Feathers 5 side of benchmarks/compare.py: the same app as feathers_server.py
// (a `messages` memory service with --records records, ids 0..records-1, every connection in
// the 'anonymous' channel and every service event published to it), served by
// @feathersjs/socketio on 127.0.0.1 (versions pinned by this folder's package-lock.json).
// Stops on SIGINT/SIGTERM.
//
//   node feathers_server.js --port 3030 [--records 5]
'use strict';
const { feathers } = require('@feathersjs/feathers');
const socketio = require('@feathersjs/socketio');
const { MemoryService } = require('@feathersjs/memory');
const { parseOptions } = require('./common');

const opts = parseOptions(process.argv, { port: 3030, records: 5 });
const TEXT = 'A message of about the size a chat sends';

const store = {};
for (let id = 0; id < opts.records; id++) store[id] = { id, text: TEXT, user: 'bench' };

const app = feathers();
app.configure(socketio({ perMessageDeflate: false }));
app.use('messages', new MemoryService({ store, startId: opts.records }));
app.on('connection', (connection) => app.channel('anonymous').join(connection));
app.publish(() => app.channel('anonymous'));

app.listen(opts.port, '127.0.0.1').then((server) => {
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
