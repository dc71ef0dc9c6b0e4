'use strict'

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const errors = require('@feathersjs/errors')
const { connect, rawCall } = require('./helpers')

const CLASSES = {
  BadRequest: [400, 'bad-request'],
  NotAuthenticated: [401, 'not-authenticated'],
  PaymentError: [402, 'payment-error'],
  Forbidden: [403, 'forbidden'],
  NotFound: [404, 'not-found'],
  MethodNotAllowed: [405, 'method-not-allowed'],
  NotAcceptable: [406, 'not-acceptable'],
  Timeout: [408, 'timeout'],
  Conflict: [409, 'conflict'],
  Gone: [410, 'gone'],
  LengthRequired: [411, 'length-required'],
  Unprocessable: [422, 'unprocessable'],
  TooManyRequests: [429, 'too-many-requests'],
  GeneralError: [500, 'general-error'],
  NotImplemented: [501, 'not-implemented'],
  BadGateway: [502, 'bad-gateway'],
  Unavailable: [503, 'unavailable']
}

// @feathersjs/errors 5.0.x forgets `Gone` in the name map `convert()` uses, so the JS client
// rebuilds it as a plain Error carrying the same fields (a Feathers JS limitation: a Node
// Feathers server gives the same result).
const NOT_CONVERTED_BY_FEATHERS_JS = new Set(Object.keys(CLASSES).filter((name) => !errors.errors[name]))

let client

before(async () => {
  client = await connect()
})

after(() => client.close())

for (const [name, [code, className]] of Object.entries(CLASSES)) {
  test(`${name} arrives as errors.${name}`, async () => {
    await assert.rejects(client.app.service('errors').get(name), (error) => {
      if (NOT_CONVERTED_BY_FEATHERS_JS.has(name)) {
        assert.ok(error instanceof Error)
      } else {
        assert.ok(error instanceof errors[name], `${error.name} is not a ${name}`)
        assert.ok(error instanceof errors.FeathersError)
      }
      assert.equal(error.name, name)
      assert.equal(error.code, code)
      assert.equal(error.className, className)
      assert.equal(error.message, `Boom: ${name}`)
      assert.deepEqual(error.data, { detail: name })
      assert.deepEqual(error.errors, { field: 'bad' })
      return true
    })
  })
}

test('only Gone is missing from the name map of @feathersjs/errors', () => {
  assert.deepEqual([...NOT_CONVERTED_BY_FEATHERS_JS], ['Gone'])
})

test('the raw error object has exactly the Feathers fields', async () => {
  const [error] = await rawCall(client.socket, 'get', 'errors', 'Conflict', {})
  assert.deepEqual(Object.keys(error).sort(), ['className', 'code', 'data', 'errors', 'message', 'name'])
  const [plain] = await rawCall(client.socket, 'get', 'messages', 123456, {})
  assert.deepEqual(Object.keys(plain).sort(), ['className', 'code', 'message', 'name'])
})

test('a plain exception becomes a GeneralError without internals', async () => {
  const [error] = await rawCall(client.socket, 'get', 'errors', 'Exception', {})
  assert.deepEqual(error, {
    name: 'GeneralError',
    message: 'A plain Python exception',
    code: 500,
    className: 'general-error'
  })
  await assert.rejects(client.app.service('errors').get('Exception'), errors.GeneralError)
})

test('an unknown service is NotFound', async () => {
  await assert.rejects(client.app.service('nowhere').find(), (error) => {
    assert.ok(error instanceof errors.NotFound)
    assert.equal(error.message, "Service 'nowhere' not found")
    return true
  })
  const [invalid] = await rawCall(client.socket, 'find', 42, {})
  assert.equal(invalid.name, 'NotFound')
  assert.equal(invalid.message, 'Invalid service path')
})

test('a method the service does not expose is MethodNotAllowed', async () => {
  await assert.rejects(client.app.service('errors').find(), (error) => {
    assert.ok(error instanceof errors.MethodNotAllowed)
    assert.equal(error.message, "Method 'find' not allowed on service 'errors'")
    return true
  })
  const [unknown] = await rawCall(client.socket, 'nope', 'messages', {}, {})
  assert.equal(unknown.name, 'MethodNotAllowed')
  assert.equal(unknown.message, "Method 'nope' not allowed on service 'messages'")
})

test('too many arguments is BadRequest', async () => {
  const [error] = await rawCall(client.socket, 'get', 'messages', 1, {}, 'extra')
  assert.equal(error.name, 'BadRequest')
  assert.equal(error.message, "Too many arguments for 'get' method")
})
