// Run by tests/interop/test_sync_processes.py (not a *.test.js of test_js_client.py): the
// real Feathers JS client on process A hears, once each, the records created on B (and C),
// as A's channels decide. SYNC_A, SYNC_B, SYNC_C (optional) are the servers' URLs;
// SYNC_REST=1 when the servers have the REST transport.
'use strict'

const test = require('node:test')
const assert = require('node:assert')
const { connect } = require('./helpers')

const A = process.env.SYNC_A
const WRITERS = [['B', process.env.SYNC_B], ['C', process.env.SYNC_C]].filter(([, url]) => url)
const WEBSOCKET = { transports: ['websocket'] }

async function listener (name, auth) {
  const client = await connect(A, { ...WEBSOCKET, ...(auth ? { auth } : {}) })
  const texts = []
  client.app.service('messages').on('created', (message) => texts.push(message.text))
  return { name, client, texts }
}

async function until (condition, ms) {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('A hears every record created on the other processes once, through its channels', async () => {
  const anonymous = await listener('anonymous')
  const red = await listener('red', { user: { id: 1, team: 'red' } })
  const blue = await listener('blue', { user: { id: 2, team: 'blue' } })
  const listeners = [anonymous, red, blue]
  const publicTexts = []
  const privateTexts = []
  try {
    for (const [name, url] of WRITERS) {
      const writer = await connect(url, { ...WEBSOCKET, auth: { user: { id: 3, team: 'red' } } })
      const messages = writer.app.service('messages')
      for (let i = 0; i < 5; i++) {
        publicTexts.push((await messages.create({ text: `${name}-public-${i}` })).text)
      }
      for (let i = 0; i < 3; i++) {
        const text = `${name}-private-${i}`
        privateTexts.push((await messages.create({ text, private: true })).text)
      }
      writer.close()
      if (name === 'B' && process.env.SYNC_REST === '1') {
        const response = await fetch(`${url}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'B-rest-0' })
        })
        assert.strictEqual(response.status, 201)
        publicTexts.push((await response.json()).text)
      }
    }
    const everything = publicTexts.length + privateTexts.length
    await until(() => red.texts.length >= everything && anonymous.texts.length >= publicTexts.length, 10000)
    await new Promise((resolve) => setTimeout(resolve, 500)) // a double would come by now
    const sorted = (texts) => [...texts].sort()
    assert.deepStrictEqual(sorted(anonymous.texts), sorted(publicTexts))
    assert.deepStrictEqual(sorted(blue.texts), sorted(publicTexts))
    assert.deepStrictEqual(sorted(red.texts), sorted([...publicTexts, ...privateTexts]))
  } finally {
    listeners.forEach(({ client }) => client.close())
  }
})
