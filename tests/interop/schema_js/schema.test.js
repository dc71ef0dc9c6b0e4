// The real Feathers JS client against a Python service with schema hooks (run by
// tests/interop/test_schema_js.py): typed queries, errors naming the field, and a field that
// an external resolver removes, absent from replies and events.
'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { BadRequest } = require('@feathersjs/errors')
const { connect, nextEvent } = require('../js/helpers')

let client
let other

function users (app) {
  if (!app.services.users) {
    app.use('users', app.defaultService('users'))
  }
  return app.service('users')
}

before(async () => {
  client = await connect()
  other = await connect()
})

after(() => {
  client.close()
  other.close()
})

test('created users come back and go out without their password', async () => {
  const created = nextEvent(users(other.app), 'created')
  const user = await users(client.app).create({ email: 'ann@example.com', password: 'pw', age: 30 })
  assert.deepEqual(user, { email: 'ann@example.com', age: 30, id: 0 })
  assert.deepEqual(await created, user)
  assert.deepEqual(await users(client.app).get(0), user)
})

test('queries are typed by the schema', async () => {
  const found = await users(client.app).find({ query: { age: { $gte: 18, $in: [30, 31] }, $sort: { age: -1 } } })
  assert.deepEqual(found.map((user) => user.email), ['ann@example.com'])
  assert.deepEqual(await users(client.app).find({ query: { age: { $gt: 30 } } }), [])
})

test('bad data is a BadRequest naming the field', async () => {
  await assert.rejects(
    users(client.app).create({ email: 'bob@example.com', password: 'pw', age: 'thirty' }),
    (error) => {
      assert.ok(error instanceof BadRequest)
      assert.equal(error.code, 400)
      assert.match(error.message, /^Invalid data: age: Input should be a valid integer/)
      assert.deepEqual(error.data[0].loc, ['age'])
      assert.equal(error.data[0].type, 'int_parsing')
      return true
    }
  )
})

test('bad queries are a BadRequest naming the field', async () => {
  await assert.rejects(users(client.app).find({ query: { password: 'pw' } }), (error) => {
    assert.ok(error instanceof BadRequest)
    assert.match(error.message, /^Invalid query: password: Unknown query field password/)
    assert.deepEqual(error.data[0].loc, ['password'])
    return true
  })
  await assert.rejects(users(client.app).find({ query: { age: { $gt: 'old' } } }), (error) => {
    assert.deepEqual(error.data[0].loc, ['age', '$gt'])
    return true
  })
})
