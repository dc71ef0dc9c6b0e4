'use strict'

// A service call runs in a task of its own on the Python server: an asyncio.timeout inside
// the service is an error for that call only, and the socket stays connected.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { connect } = require('./helpers')

let client

before(async () => {
  client = await connect()
})

after(() => client.close())

test('a timeout inside a service is a GeneralError and the socket stays connected', async () => {
  const slow = client.app.service('slow')
  await assert.rejects(slow.get('timeout'), (error) => {
    // The client's own timeout (5 s) would be a Timeout: this answer came from the server.
    assert.equal(error.name, 'GeneralError')
    assert.equal(error.code, 500)
    return true
  })
  assert.equal(client.socket.connected, true)
  assert.deepEqual(await slow.get(1), { id: 1 })
})
