// Shared helpers of the interop tests: the real Feathers JS client against a Python server.
'use strict'

const { feathers } = require('@feathersjs/feathers')
const socketioClient = require('@feathersjs/socketio-client')
const { io } = require('socket.io-client')

const URL = process.env.FEATHERS_URL
const WS_URL = process.env.FEATHERS_WS_URL
const CORS_URL = process.env.FEATHERS_CORS_URL

if (!URL) {
  throw new Error('FEATHERS_URL is not set: run these tests through pytest (tests/interop)')
}

const MESSAGE_METHODS = ['find', 'get', 'create', 'update', 'patch', 'remove', 'typing']

// A connected socket, or the connect error the server answered with.
function connectSocket (url = URL, options = {}) {
  const socket = io(url, { forceNew: true, reconnection: false, timeout: 5000, ...options })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (error) => {
      socket.close()
      reject(error)
    })
  })
}

// A Feathers client app on a new socket; `messages` has the custom method `typing`.
async function connect (url = URL, options = {}) {
  const socket = await connectSocket(url, options)
  const connection = socketioClient(socket, { timeout: 5000 })
  const app = feathers()
  app.configure(connection)
  app.use('messages', connection.service('messages'), { methods: MESSAGE_METHODS })
  return { app, socket, close: () => socket.close() }
}

// The next `event` of `emitter`, or a rejection after `ms`.
function nextEvent (emitter, event, ms = 3000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener)
      reject(new Error(`No '${event}' event within ${ms}ms`))
    }, ms)
    const listener = (data) => {
      clearTimeout(timer)
      resolve(data)
    }
    emitter.once(event, listener)
  })
}

// Every `event` of `emitter` received during `ms`.
async function collect (emitter, event, ms) {
  const received = []
  const listener = (data) => received.push(data)
  emitter.on(event, listener)
  await new Promise((resolve) => setTimeout(resolve, ms))
  emitter.removeListener(event, listener)
  return received
}

// A raw emit with an acknowledgement, resolved with the ack's arguments.
function rawCall (socket, ...args) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('No acknowledgement')), 3000)
    socket.emit(...args, (...reply) => {
      clearTimeout(timer)
      resolve(reply)
    })
  })
}

module.exports = { URL, WS_URL, CORS_URL, connect, connectSocket, nextEvent, collect, rawCall }
