// A small Node Feathers server (from the lockfile) for testing the Python client against
// the real thing: Socket.io and REST (Koa), as a generated Feathers app serves them.
// Prints {"port": N} once it listens; stops on SIGTERM or stdin EOF.
'use strict'

const { feathers } = require('@feathersjs/feathers')
const { koa, rest, bodyParser, errorHandler } = require('@feathersjs/koa')
const socketio = require('@feathersjs/socketio')
const errors = require('@feathersjs/errors')

class Messages {
  constructor () {
    this.store = new Map()
    this.nextId = 0
    this.events = ['typing']
  }

  async find (params) {
    const query = params.query || {}
    const records = [...this.store.values()].filter((record) =>
      Object.entries(query).every(([key, value]) => key.startsWith('$') || record[key] === value)
    )
    return query.$limit === undefined ? records : records.slice(0, query.$limit)
  }

  async get (id) {
    const record = this.store.get(Number(id))
    if (!record) {
      throw new errors.NotFound(`No record found for id '${id}'`)
    }
    return record
  }

  async create (data) {
    if (Array.isArray(data)) {
      return Promise.all(data.map((item) => this.create(item)))
    }
    const record = { ...data, id: this.nextId++ }
    this.store.set(record.id, record)
    return record
  }

  async update (id, data) {
    await this.get(id)
    const record = { ...data, id: Number(id) }
    this.store.set(record.id, record)
    return record
  }

  async patch (id, data) {
    const record = { ...(await this.get(id)), ...data }
    this.store.set(record.id, record)
    return record
  }

  async remove (id) {
    const record = await this.get(id)
    this.store.delete(record.id)
    return record
  }

  async typing (data) {
    this.emit('typing', data)
    return { typing: data }
  }
}

class Echo {
  async find (params) {
    return { query: params.query, provider: params.provider }
  }

  async get (id, params) {
    if (typeof id === 'string' && errors[id] && id !== 'convert') {
      throw new errors[id](`Boom: ${id}`, { detail: id })
    }
    if (id === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, 2000))
    }
    return { id, query: params.query }
  }
}

const app = koa(feathers())
app.use(errorHandler())
app.use(bodyParser())
app.configure(rest())
app.configure(socketio())
app.use('messages', new Messages(), {
  methods: ['find', 'get', 'create', 'update', 'patch', 'remove', 'typing'],
  events: ['typing']
})
app.use('echo', new Echo())
app.on('connection', (connection) => app.channel('everybody').join(connection))
app.publish(() => app.channel('everybody'))

const port = Number(process.argv[2] || 0)
app.listen(port).then((server) => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n')
  const stop = () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500)
  process.on('SIGTERM', stop)
  process.stdin.on('end', stop)
  process.stdin.resume()
})
