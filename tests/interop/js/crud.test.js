'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { connect } = require('./helpers')

let client

before(async () => {
  client = await connect()
})

after(() => client.close())

test('create, get, find, update, patch and remove round-trip', async () => {
  const messages = client.app.service('messages')
  const created = await messages.create({ text: 'Hello', tags: ['a', 'b'], meta: { n: 1.5 } })
  assert.equal(created.text, 'Hello')
  assert.deepEqual(created.tags, ['a', 'b'])
  assert.deepEqual(created.meta, { n: 1.5 })
  assert.equal(typeof created.id, 'number')

  assert.deepEqual(await messages.get(created.id), created)
  const found = await messages.find({ query: { text: 'Hello', $limit: 5 } })
  assert.ok(found.some((message) => message.id === created.id))

  const updated = await messages.update(created.id, { text: 'Replaced' })
  assert.deepEqual(updated, { id: created.id, text: 'Replaced' })
  const patched = await messages.patch(created.id, { extra: true })
  assert.deepEqual(patched, { id: created.id, text: 'Replaced', extra: true })
  assert.deepEqual(await messages.remove(created.id), patched)
  await assert.rejects(messages.get(created.id), { name: 'NotFound', code: 404 })
})

test('nested queries arrive unchanged, with their JSON types', async () => {
  const query = {
    $limit: 5,
    $sort: { createdAt: -1 },
    nested: { a: [1, { b: true }], c: null, d: 'text', e: -0.25 },
    list: [1, 'two', false, null, { three: [3] }],
    $or: [{ x: { $gt: 1 } }, { y: { $in: ['a', 'b'] } }]
  }
  const echo = client.app.service('echo')
  const seen = await echo.find({ query })
  assert.deepEqual(seen.query, query)
  assert.equal(seen.provider, 'socketio')
  assert.equal(seen.has_headers, true)

  assert.deepEqual((await echo.get('abc', { query })).query, query)
  assert.deepEqual((await echo.create({ some: 'data' }, { query })).query, query)
  const updated = await echo.update(1, { all: 'data' }, { query })
  assert.deepEqual([updated.id, updated.data, updated.query], [1, { all: 'data' }, query])
  const patched = await echo.patch(null, { many: true }, { query })
  assert.deepEqual([patched.id, patched.data, patched.query], [null, { many: true }, query])
  const removed = await echo.remove(null, { query })
  assert.deepEqual([removed.id, removed.query], [null, query])
})

test('only the query travels: the client cannot set params.user or provider', async () => {
  const seen = await client.app.service('echo').find({
    query: { a: 1 },
    user: { admin: true },
    provider: 'rest',
    room: 'hacked'
  })
  assert.deepEqual(seen.query, { a: 1 })
  assert.equal(seen.user, null)
  assert.equal(seen.provider, 'socketio')
  assert.equal(seen.room, 'lobby')
  assert.equal(seen.same_connection, true)
})

test('multi create and patch return every record', async () => {
  const messages = client.app.service('messages')
  const created = await messages.create([{ text: 'one', batch: 'm' }, { text: 'two', batch: 'm' }])
  assert.equal(created.length, 2)
  const patched = await messages.patch(null, { seen: true }, { query: { batch: 'm' } })
  assert.deepEqual(patched.map((m) => m.seen), [true, true])
  const removed = await messages.remove(null, { query: { batch: 'm' } })
  assert.equal(removed.length, 2)
})

test('custom methods', async () => {
  const result = await client.app.service('messages').typing({ user: 'Ann' })
  assert.deepEqual(result, { typing: { user: 'Ann' } })
})

test('the root service', async () => {
  const root = client.app.service('/')
  assert.deepEqual(await root.get(7), { root: true, id: 7 })
  assert.deepEqual(await root.create({ a: 1 }), { a: 1 })
})

test('route placeholders', async () => {
  const posts = client.app.service('users/:user_id/posts')
  const result = await posts.find({ route: { user_id: 42 }, query: { q: 1 } })
  assert.deepEqual(result, { route: { user_id: '42' }, query: { q: 1 } })
})
