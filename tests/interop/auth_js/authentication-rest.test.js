// The real @feathersjs/authentication-client 5 over @feathersjs/rest-client (fetch) against
// the Python server of tests/runtime/auth_app.py with the REST transport (run by
// tests/interop/test_js_auth_client.py).
'use strict'

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { feathers } = require('@feathersjs/feathers')
const rest = require('@feathersjs/rest-client')
const authentication = require('@feathersjs/authentication-client')

const URL = process.env.FEATHERS_URL
if (!URL) {
  throw new Error('FEATHERS_URL is not set: run these tests through pytest (tests/interop)')
}

const LOGIN = { strategy: 'local', email: 'alice@example.com', password: 's3cret!' }

function client () {
  const app = feathers()
  app.configure(rest(URL).fetch(fetch))
  app.configure(authentication({ storage: new authentication.MemoryStorage() }))
  return app
}

test('login over REST, then every request carries the token', async () => {
  const app = client()
  const result = await app.authenticate(LOGIN)
  assert.deepEqual(result.user, { id: 0, email: 'alice@example.com' })
  assert.equal(result.authentication.payload.sub, '0')
  assert.deepEqual(await app.service('whoami').find(), { user_id: 0, strategy: 'jwt' })
})

test('without a login: NotAuthenticated; a wrong password: Invalid login', async () => {
  const app = client()
  await assert.rejects(app.service('whoami').find(), { name: 'NotAuthenticated', code: 401 })
  await assert.rejects(app.authenticate({ ...LOGIN, password: 'nope' }), {
    name: 'NotAuthenticated',
    message: 'Invalid login'
  })
})

test('reAuthenticate with a stored token, logout revokes it', async () => {
  const first = client()
  const { accessToken } = await first.authenticate(LOGIN)
  const app = client()
  await app.authentication.setAccessToken(accessToken)
  assert.equal((await app.reAuthenticate()).accessToken, accessToken)
  const loggedOut = await app.logout()
  assert.equal(loggedOut.accessToken, accessToken)
  await assert.rejects(app.service('whoami').find(), { name: 'NotAuthenticated' })
  await assert.rejects(first.service('whoami').find(), { message: 'Token revoked' })
})
