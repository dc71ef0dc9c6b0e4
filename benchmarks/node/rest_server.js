// The Node Feathers side of benchmarks/rest.py: a `messages` memory service (@feathersjs/memory)
// served over REST by @feathersjs/koa, as a generated Feathers 5 app serves it (error
// handler, body parser, rest()). Same records as the Python servers.
//
//   node rest_server.js --port 3030 [--records 5]
'use strict';
const { feathers } = require('@feathersjs/feathers');
const { koa, rest, bodyParser, errorHandler } = require('@feathersjs/koa');
const { MemoryService } = require('@feathersjs/memory');
const { parseOptions } = require('./common');

const opts = parseOptions(process.argv, { port: 3030, records: 5 });
const RECORD_TEXT = 'A message of about the size a chat sends';

const store = {};
for (let id = 0; id < opts.records; id++) store[id] = { id, text: RECORD_TEXT, user: 'bench' };

const app = koa(feathers());
app.use(errorHandler());
app.use(bodyParser());
app.configure(rest());
app.use('messages', new MemoryService({ store, startId: opts.records }));

app.listen(opts.port, '127.0.0.1').then(() => {
  const stop = () => process.exit(0);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
