'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { connect, nextEvent, collect } = require('./helpers')

let red
let blue

before(async () => {
  red = await connect(undefined, { query: { room: 'red' } })
  blue = await connect(undefined, { query: { room: 'blue' } })
})

after(() => {
  red.close()
  blue.close()
})

test('created, updated, patched and removed reach the channel', async () => {
  const messages = red.app.service('messages')
  const created = nextEvent(messages, 'created')
  const record = await messages.create({ text: 'Hi', room: 'red' })
  assert.deepEqual(await created, record)

  const updated = nextEvent(messages, 'updated')
  const replaced = await messages.update(record.id, { text: 'Replaced', room: 'red' })
  assert.deepEqual(await updated, replaced)

  const patched = nextEvent(messages, 'patched')
  const changed = await messages.patch(record.id, { text: 'Patched' })
  assert.deepEqual(await patched, changed)

  const removed = nextEvent(messages, 'removed')
  await messages.remove(record.id)
  assert.deepEqual(await removed, changed)
})

test('the event arrives before the reply to the call, as with Feathers JS', async () => {
  const messages = red.app.service('messages')
  const order = []
  const listener = () => order.push('event')
  messages.on('created', listener)
  await messages.create({ text: 'order', room: 'red' })
  order.push('reply')
  messages.removeListener('created', listener)
  assert.deepEqual(order, ['event', 'reply'])
})

test('custom events', async () => {
  const typing = nextEvent(red.app.service('messages'), 'typing')
  await red.app.service('messages').typing({ user: 'Ann', room: 'red' })
  assert.deepEqual(await typing, { typing: { user: 'Ann', room: 'red' }, room: 'red' })
})

test('a list result sends one event per item', async () => {
  const messages = red.app.service('messages')
  const events = collect(messages, 'created', 400)
  await messages.create([{ text: 'a', room: 'red' }, { text: 'b', room: 'red' }])
  assert.deepEqual((await events).map((m) => m.text), ['a', 'b'])
})

test('a socket outside the channel gets nothing', async () => {
  const redEvents = collect(red.app.service('messages'), 'created', 400)
  const blueEvents = collect(blue.app.service('messages'), 'created', 400)
  await blue.app.service('messages').create({ text: 'for red only', room: 'red' })
  assert.equal((await redEvents).length, 1)
  assert.deepEqual(await blueEvents, [])

  const blueOnly = collect(blue.app.service('messages'), 'created', 400)
  const redNothing = collect(red.app.service('messages'), 'created', 400)
  await red.app.service('messages').create({ text: 'for blue', room: 'blue' })
  assert.equal((await blueOnly).length, 1)
  assert.deepEqual(await redNothing, [])
})
