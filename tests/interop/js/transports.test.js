'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { io } = require('socket.io-client')
const { URL, WS_URL, CORS_URL, connect, connectSocket, nextEvent, rawCall } = require('./helpers')

test('polling first, then upgrade to websocket', async () => {
  const socket = io(URL, { forceNew: true, reconnection: false, autoConnect: false })
  const opened = nextEvent(socket.io, 'open')
  socket.connect()
  try {
    await opened
    const engine = socket.io.engine
    assert.equal(engine.transport.name, 'polling')
    await nextEvent(engine, 'upgrade')
    assert.equal(engine.transport.name, 'websocket')
    const reply = await rawCall(socket, 'get', '/', 1, {})
    assert.deepEqual(reply, [null, { root: true, id: 1 }])
  } finally {
    socket.close()
  }
})

test('websocket only', async () => {
  const client = await connect(URL, { transports: ['websocket'] })
  try {
    assert.equal(client.socket.io.engine.transport.name, 'websocket')
    const created = await client.app.service('messages').create({ text: 'ws' })
    assert.equal(created.text, 'ws')
  } finally {
    client.close()
  }
})

test('polling only', async () => {
  const client = await connect(URL, { transports: ['polling'] })
  try {
    assert.equal(client.socket.io.engine.transport.name, 'polling')
    assert.equal((await client.app.service('echo').find({ query: { p: 1 } })).query.p, 1)
  } finally {
    client.close()
  }
})

test("a server on path '/ws/'", async () => {
  const client = await connect(WS_URL, { path: '/ws/' })
  try {
    assert.deepEqual(await client.app.service('/').get('x'), { root: true, id: 'x' })
  } finally {
    client.close()
  }
  await assert.rejects(connectSocket(WS_URL, { path: '/socket.io/', transports: ['websocket'] }))
})

test('a connection refused by middleware gets its message', async () => {
  await assert.rejects(connectSocket(URL, { query: { refuse: '1' } }), (error) => {
    assert.equal(error.message, 'Go away')
    return true
  })
})

test('the handshake auth payload reaches middleware', async () => {
  const client = await connect(URL, { auth: { token: 'secret' } })
  try {
    assert.equal((await client.app.service('echo').find()).token, 'secret')
  } finally {
    client.close()
  }
})

const handshake = (base, origin) =>
  fetch(`${base}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } })

test('CORS: an allowed origin gets the CORS headers', async () => {
  const response = await handshake(CORS_URL, 'http://allowed.example')
  assert.equal(response.status, 200)
  assert.equal(response.headers.get('access-control-allow-origin'), 'http://allowed.example')
  const client = await connect(CORS_URL, {
    transports: ['websocket'],
    extraHeaders: { Origin: 'http://allowed.example' }
  })
  client.close()
})

test('CORS: other origins are refused', async () => {
  const response = await handshake(CORS_URL, 'http://evil.example')
  assert.equal(response.status, 400)
  assert.equal(response.headers.get('access-control-allow-origin'), null)
  await assert.rejects(
    connectSocket(CORS_URL, { transports: ['websocket'], extraHeaders: { Origin: 'http://evil.example' } })
  )
})

test('CORS: without configuration nothing cross-origin is allowed', async () => {
  const response = await handshake(URL, 'http://allowed.example')
  assert.equal(response.status, 400)
  await assert.rejects(
    connectSocket(URL, { transports: ['websocket'], extraHeaders: { Origin: 'http://allowed.example' } })
  )
  const same = await handshake(URL, URL)
  assert.equal(same.status, 200)
})

test('Engine.IO 3 clients are refused', async () => {
  const response = await fetch(`${URL}/socket.io/?EIO=3&transport=polling`)
  assert.equal(response.status, 400)
})
