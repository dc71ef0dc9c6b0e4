// The Feathers chat page: the real Feathers browser client (feathers.min.js) over Socket.io
// (socket.io.min.js), both loaded by index.html from this folder. Plain JavaScript.
'use strict'

const PAGE_SIZE = 25 // messages per page: the newest first, then "Load older messages"
const USERS_PAGE = 50 // the server's paginate.max

const byId = (id) => document.getElementById(id)
const messages = new Map() // id -> message, every message shown
const users = new Map() // id -> user, every user shown
let loggedIn = null // the user of this page, or null
let totalMessages = 0 // on the server, as of the last page read (plus the ones created since)

function showError (element, error) {
  element.textContent = error ? error.message || String(error) : ''
  element.hidden = !error
}

function renderMessage (message) {
  const item = document.createElement('li')
  item.dataset.id = message.id
  const meta = document.createElement('div')
  meta.className = 'meta'
  const sender = document.createElement('span')
  sender.className = 'sender'
  sender.textContent = message.user ? message.user.email : 'a user who left'
  const time = document.createElement('time')
  const created = new Date(message.created_at)
  time.dateTime = created.toISOString()
  time.textContent = created.toLocaleString()
  meta.append(sender, time)
  const text = document.createElement('p')
  text.className = 'text'
  text.textContent = message.text
  item.append(meta, text)
  return item
}

function renderMessages () {
  // oldest at the top, as chats read; ties in time are broken by id (the order of creation)
  const sorted = [...messages.values()].sort(
    (a, b) => a.created_at - b.created_at || a.id - b.id
  )
  byId('messages').replaceChildren(...sorted.map(renderMessage))
  byId('no-messages').hidden = messages.size > 0
  byId('load-older').hidden = messages.size >= totalMessages
}

function renderUsers () {
  const sorted = [...users.values()].sort((a, b) => a.id - b.id)
  byId('users').replaceChildren(...sorted.map((user) => {
    const item = document.createElement('li')
    item.dataset.id = user.id
    item.textContent = user.email
    return item
  }))
  byId('user-count').textContent = `(${users.size})`
}

function addMessage (message) {
  if (!messages.has(message.id)) totalMessages += 1
  messages.set(message.id, message)
  renderMessages()
}

// The next (older) page: the messages shown are always the newest ones, so $skip is their count.
async function loadMessages (client) {
  const page = await client.service('messages').find({
    query: { $sort: { created_at: -1, id: -1 }, $limit: PAGE_SIZE, $skip: messages.size }
  })
  totalMessages = page.total
  for (const message of page.data) messages.set(message.id, message)
  renderMessages()
}

async function loadUsers (client) {
  for (;;) {
    const page = await client.service('users').find({
      query: { $sort: { id: 1 }, $limit: USERS_PAGE, $skip: users.size }
    })
    for (const user of page.data) users.set(user.id, user)
    if (page.data.length === 0 || users.size >= page.total) break
  }
  renderUsers()
}

async function showChat (client, user) {
  loggedIn = user
  messages.clear()
  users.clear()
  byId('me').textContent = `Logged in as ${user.email}`
  showError(byId('send-error'), null)
  byId('login-screen').hidden = true
  byId('chat-screen').hidden = false
  await Promise.all([loadMessages(client), loadUsers(client)])
  byId('text').focus()
}

function showLogin (error) {
  loggedIn = null
  messages.clear()
  users.clear()
  byId('chat-screen').hidden = true
  byId('login-screen').hidden = false
  byId('password').value = ''
  showError(byId('login-error'), error)
}

function credentials () {
  return { email: byId('email').value.trim(), password: byId('password').value }
}

async function logIn (client, signUp) {
  const { email, password } = credentials()
  try {
    if (signUp) await client.service('users').create({ email, password })
    const { user } = await client.authenticate({ strategy: 'local', email, password })
    showError(byId('login-error'), null)
    await showChat(client, user)
  } catch (error) {
    showLogin(error)
  }
}

async function send (client) {
  const input = byId('text')
  try {
    addMessage(await client.service('messages').create({ text: input.value }))
    input.value = ''
    showError(byId('send-error'), null)
  } catch (error) {
    showError(byId('send-error'), error)
  }
}

function listen (client) {
  // Events reach logged-in connections only (chat/channels.py): new messages and users.
  client.service('messages').on('created', (message) => loggedIn && addMessage(message))
  client.service('users').on('created', (user) => {
    if (!loggedIn) return
    users.set(user.id, user)
    renderUsers()
  })
  byId('login-form').addEventListener('submit', (event) => {
    event.preventDefault()
    logIn(client, false)
  })
  byId('signup').addEventListener('click', () => logIn(client, true))
  byId('send-form').addEventListener('submit', (event) => {
    event.preventDefault()
    send(client)
  })
  byId('load-older').addEventListener('click', () => {
    loadMessages(client).catch((error) => showError(byId('send-error'), error))
  })
  byId('logout').addEventListener('click', async () => {
    await client.logout()
    showLogin(null)
  })
}

async function start () {
  if (typeof window.feathers !== 'function' || typeof window.io !== 'function') {
    byId('no-client').hidden = false
    return
  }
  const client = window.feathers()
  client.configure(window.feathers.socketio(window.io()))
  // The token is kept in localStorage: a reload (or a new tab) logs in again with it.
  client.configure(window.feathers.authentication({ storage: window.localStorage }))
  listen(client)
  try {
    const { user } = await client.reAuthenticate()
    await showChat(client, user)
  } catch (error) {
    showLogin(null) // no stored token, or an expired one: log in again
  }
}

start()
