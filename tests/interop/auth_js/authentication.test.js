// The real @feathersjs/authentication-client 5 over @feathersjs/socketio-client against the
// Python server of tests/runtime/auth_app.py (run by tests/interop/test_js_auth_client.py).
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { feathers } = require('@feathersjs/feathers')
const socketioClient = require('@feathersjs/socketio-client')
const authentication = require('@feathersjs/authentication-client')
const { io } = require('socket.io-client')

const URL = process.env.FEATHERS_URL
if (!URL) {
  throw new Error('FEATHERS_URL is not set: run these tests through pytest (tests/interop)')
}

const LOGIN = { strategy: 'local', email: 'alice@example.com', password: 's3cret!' }

function openSocket (options = {}) {
  const socket = io(URL, { forceNew: true, reconnection: false, timeout: 5000, ...options })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

async function client (options = {}) {
  const socket = await openSocket(options)
  const app = feathers()
  app.configure(socketioClient(socket, { timeout: 5000 }))
  app.configure(authentication({ storage: new authentication.MemoryStorage() }))
  return { app, socket, close: () => socket.close() }
}

test('local login, an authenticated call, the password never sent', async () => {
  const { app, close } = await client()
  try {
    const result = await app.authenticate(LOGIN)
    assert.equal(typeof result.accessToken, 'string')
    assert.deepEqual(result.user, { id: 0, email: 'alice@example.com' })
    assert.equal(result.authentication.strategy, 'local')
    assert.equal(result.authentication.payload.sub, '0')
    assert.ok(!JSON.stringify(result).includes('password'))
    assert.deepEqual(await app.service('whoami').find(), { user_id: 0, strategy: 'jwt' })
    assert.equal(await app.authentication.getAccessToken(), result.accessToken)
  } finally {
    close()
  }
})

test('a wrong password is NotAuthenticated: Invalid login', async () => {
  const { app, close } = await client()
  try {
    await assert.rejects(app.authenticate({ ...LOGIN, password: 'nope' }), (error) => {
      assert.equal(error.name, 'NotAuthenticated')
      assert.equal(error.className, 'not-authenticated')
      assert.equal(error.code, 401)
      assert.equal(error.message, 'Invalid login')
      return true
    })
    await assert.rejects(app.service('whoami').find(), { name: 'NotAuthenticated' })
  } finally {
    close()
  }
})

test('reAuthenticate with a stored token, then logout revokes it', async () => {
  const first = await client()
  const { accessToken } = await first.app.authenticate(LOGIN)
  first.close()
  const { app, close } = await client()
  try {
    await app.authentication.setAccessToken(accessToken)
    const again = await app.reAuthenticate()
    assert.equal(again.accessToken, accessToken)
    assert.equal(again.authentication.strategy, 'jwt')
    const loggedOut = await app.logout()
    assert.equal(loggedOut.accessToken, accessToken)
    assert.equal(await app.authentication.getAccessToken(), null)
    await assert.rejects(app.service('whoami').find(), { message: 'Not authenticated' })
    await app.authentication.setAccessToken(accessToken)
    await assert.rejects(app.reAuthenticate(true), { name: 'NotAuthenticated', message: 'Token revoked' })
  } finally {
    close()
  }
})

test('an Authorization header in the handshake logs the socket in', async () => {
  const first = await client()
  const { accessToken } = await first.app.authenticate(LOGIN)
  first.close()
  const { app, close } = await client({ extraHeaders: { Authorization: `Bearer ${accessToken}` } })
  try {
    assert.deepEqual(await app.service('whoami').find(), { user_id: 0, strategy: 'jwt' })
  } finally {
    close()
  }
  const basic = await client({ extraHeaders: { Authorization: 'Basic YTpi' } })
  try {
    await assert.rejects(basic.app.service('whoami').find(), { message: 'Not authenticated' })
  } finally {
    basic.close()
  }
  await assert.rejects(openSocket({ extraHeaders: { Authorization: 'Bearer nonsense' } }), (error) => {
    assert.equal(error.message, 'jwt malformed')
    return true
  })
})

test('after a reconnect the client is logged in again', async () => {
  const { app, socket, close } = await client({ reconnection: true, reconnectionDelay: 100, transports: ['websocket'] })
  try {
    await app.authenticate(LOGIN)
    const reconnected = new Promise((resolve) => socket.io.once('reconnect', resolve))
    socket.io.engine.close() // the transport drops: socket.io-client reconnects
    await reconnected
    await app.get('authentication')
    assert.deepEqual(await app.service('whoami').find(), { user_id: 0, strategy: 'jwt' })
  } finally {
    close()
  }
})
