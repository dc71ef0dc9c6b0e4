// The real @feathersjs/rest-client 5 (fetch connection, Node's own fetch) and raw fetch
// requests against the Python server's REST transport.
'use strict'

const { test, before } = require('node:test')
const assert = require('node:assert/strict')
const { feathers } = require('@feathersjs/feathers')
const rest = require('@feathersjs/rest-client')
const errors = require('@feathersjs/errors')
const { URL } = require('./helpers')

const MESSAGE_METHODS = ['find', 'get', 'create', 'update', 'patch', 'remove', 'typing']

let app

before(() => {
  const connection = rest(URL).fetch(fetch)
  app = feathers()
  app.configure(connection)
  app.use('messages', connection.service('messages'), { methods: MESSAGE_METHODS })
})

test('CRUD over HTTP with the rest-client', async () => {
  const messages = app.service('messages')
  const created = await messages.create({ text: 'over rest', room: 'rest' })
  assert.equal(created.text, 'over rest')
  const id = created.id
  assert.deepEqual(await messages.get(id), created)
  const found = await messages.find({ query: { room: 'rest' } })
  assert.deepEqual(found, [created])
  const updated = await messages.update(id, { text: 'replaced', room: 'rest' })
  assert.deepEqual(updated, { text: 'replaced', room: 'rest', id })
  const patched = await messages.patch(id, { read: true })
  assert.deepEqual(patched, { text: 'replaced', room: 'rest', read: true, id })
  assert.deepEqual(await messages.remove(id), patched)
  await assert.rejects(messages.get(id), (error) => {
    assert.ok(error instanceof errors.NotFound)
    assert.equal(error.code, 404)
    return true
  })
})

test('multi patch and remove with a null id', async () => {
  const messages = app.service('messages')
  const created = await messages.create([{ text: 'a', batch: 'r' }, { text: 'b', batch: 'r' }])
  assert.equal(created.length, 2)
  const patched = await messages.patch(null, { seen: true }, { query: { batch: 'r' } })
  assert.deepEqual(patched.map((m) => m.seen), [true, true])
  const removed = await messages.remove(null, { query: { batch: 'r' } })
  assert.equal(removed.length, 2)
})

test('queries arrive as qs parsed them: nested, arrays, every value a string', async () => {
  const query = {
    $limit: 5,
    nested: { deep: { value: true } },
    list: ['one', 2],
    $or: [{ x: { $gt: 1 } }, { y: { $in: ['a', 'b'] } }]
  }
  const seen = await app.service('echo').find({ query })
  assert.deepEqual(seen.query, {
    $limit: '5',
    nested: { deep: { value: 'true' } },
    list: ['one', '2'],
    $or: [{ x: { $gt: '1' } }, { y: { $in: ['a', 'b'] } }]
  })
  assert.equal(seen.provider, 'rest')
  assert.equal(seen.has_headers, true)
  assert.equal(seen.user, null)
})

test('ids are percent-encoded by the client and decoded by the server', async () => {
  const seen = await app.service('echo').get('a b/c?d&é')
  assert.equal(seen.id, 'a b/c?d&é')
  const numeric = await app.service('echo').get(42)
  assert.equal(numeric.id, '42')
})

test('update, patch and remove of the echo service get id, data and query', async () => {
  const echo = app.service('echo')
  const updated = await echo.update(1, { all: 'data' }, { query: { q: 1 } })
  assert.deepEqual([updated.id, updated.data, updated.query], ['1', { all: 'data' }, { q: '1' }])
  const patched = await echo.patch(null, { many: true })
  assert.deepEqual([patched.id, patched.data], [null, { many: true }])
  const removed = await echo.remove(null)
  assert.equal(removed.id, null)
})

test('a custom method goes out as POST with X-Service-Method', async () => {
  const result = await app.service('messages').typing({ user: 'ann' })
  assert.deepEqual(result, { typing: { user: 'ann' } })
})

test('route placeholders fill params.route', async () => {
  const result = await app.service('users/:user_id/posts').find({
    route: { user_id: '7' },
    query: { tag: 'x' }
  })
  assert.deepEqual(result, { route: { user_id: '7' }, query: { tag: 'x' } })
})

test('the Authorization header becomes params.authentication', async () => {
  const seen = await app.service('echo').find({ headers: { Authorization: 'Bearer my.jwt' } })
  assert.deepEqual(seen.authentication, { strategy: 'jwt', accessToken: 'my.jwt' })
  const basic = await app.service('echo').find({ headers: { Authorization: 'Basic abc' } })
  assert.equal(basic.authentication, null)
})

for (const name of ['BadRequest', 'NotAuthenticated', 'Forbidden', 'NotFound', 'Conflict', 'Unprocessable', 'GeneralError', 'Unavailable']) {
  test(`${name} arrives as errors.${name} with its data`, async () => {
    await assert.rejects(app.service('errors').get(name), (error) => {
      assert.ok(error instanceof errors[name], `${error.name} is not a ${name}`)
      assert.equal(error.message, `Boom: ${name}`)
      assert.deepEqual(error.data, { detail: name })
      assert.deepEqual(error.errors, { field: 'bad' })
      assert.equal(error.stack.includes('.py'), false)
      return true
    })
  })
}

test('an unknown service is NotFound "Path /x not found"', async () => {
  // (one segment would be an id of this app's root service '/')
  await assert.rejects(app.service('nowhere/else').find(), (error) => {
    assert.ok(error instanceof errors.NotFound)
    assert.equal(error.message, 'Path /nowhere/else not found')
    return true
  })
})

test('a method the service does not expose is MethodNotAllowed', async () => {
  await assert.rejects(app.service('users/:user_id/posts').create({}, { route: { user_id: 1 } }), (error) => {
    assert.ok(error instanceof errors.MethodNotAllowed)
    assert.equal(error.message, 'Method `create` is not supported by this endpoint.')
    return true
  })
})

test('raw fetch: status codes, HEAD and bad input', async () => {
  const json = { 'Content-Type': 'application/json' }
  const created = await fetch(`${URL}/messages`, { method: 'POST', headers: json, body: '{"text":"raw"}' })
  assert.equal(created.status, 201)
  assert.equal(created.headers.get('content-type'), 'application/json')
  const record = await created.json()

  const head = await fetch(`${URL}/messages/${record.id}`, { method: 'HEAD' })
  assert.equal(head.status, 200)
  assert.equal((await head.text()), '')

  const custom = await fetch(`${URL}/messages`, {
    method: 'POST',
    headers: { ...json, 'X-Service-Method': 'find' },
    body: '{}'
  })
  assert.equal(custom.status, 405)
  assert.equal((await custom.json()).message, 'Method `find` is not supported by this endpoint.')

  const cases = [
    [{ headers: json, body: '{bad' }, 400, 'BadRequest'],
    [{ headers: json, body: 'null' }, 400, 'BadRequest'],
    [{ headers: json, body: '' }, 400, 'BadRequest'],
    [{ headers: { 'Content-Type': 'text/plain' }, body: '{}' }, 415, 'UnsupportedMediaType'],
    [{ headers: json, body: JSON.stringify({ big: 'x'.repeat(1000001) }) }, 413, 'PayloadTooLarge']
  ]
  for (const [options, status, name] of cases) {
    const response = await fetch(`${URL}/messages`, { method: 'POST', ...options })
    assert.equal(response.status, status, `${name}: ${options.body.slice(0, 10)}`)
    assert.equal((await response.json()).name, name)
  }

  const form = await fetch(`${URL}/echo`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'a[b]=1&list[]=x&list[]=y'
  })
  assert.equal(form.status, 201)
  assert.deepEqual((await form.json()).data, { a: { b: '1' }, list: ['x', 'y'] })

  const missing = await fetch(`${URL}/nowhere/at/all`)
  assert.equal(missing.status, 404)
  assert.deepEqual(await missing.json(), {
    name: 'NotFound',
    message: 'Path /nowhere/at/all not found',
    code: 404,
    className: 'not-found'
  })
})
