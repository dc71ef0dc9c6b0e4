// The landing page's live demo: the real Feathers client (feathers.min.js) over Socket.io
// (socket.io.min.js), both loaded by index.html from this folder. It lists the newest records
// of a service, creates records ({ text }), and shows records created anywhere as they arrive.
//
// In an app with users (index.html has <meta name="feathers-authentication">, written by
// `feathers generate authentication`), the demo first signs up or logs in with the client's
// authentication plugin, the token kept in localStorage so that a reload logs in again.
(function () {
  'use strict';

  var LIMIT = 25;
  var byId = function (id) { return document.getElementById(id); };

  if (typeof window.feathers !== 'function' || typeof window.io !== 'function') {
    return; // no browser bundles: #demo-missing (shown by default) says how to get them
  }
  byId('demo-missing').hidden = true;
  byId('demo-live').hidden = false;

  var socket = window.io(); // the server that served this page
  var client = window.feathers();
  client.configure(window.feathers.socketio(socket));
  var auth = authenticationSettings();
  if (auth) {
    client.configure(window.feathers.authentication({ storage: window.localStorage }));
  }

  // { service, entity, usernameField } from <meta name="feathers-authentication">, or null
  // (also for a page from before the log-in form, which has no #login-form)
  function authenticationSettings() {
    var tag = document.querySelector('meta[name="feathers-authentication"]');
    if (!tag || !tag.content || !byId('login-form')) { return null; }
    return {
      service: tag.content,
      entity: tag.dataset.entity || 'user',
      usernameField: tag.dataset.usernameField || 'email'
    };
  }

  var list = byId('records');
  var pathInput = byId('service-path');
  var current = null; // { path, service, listener }

  function setStatus(text, state) {
    var status = byId('demo-status');
    status.textContent = text;
    status.dataset.state = state;
  }

  function showError(error) {
    showErrorIn(byId('demo-error'), error);
  }

  // The error's name and message; a validation error (BadRequest) lists each field's problem
  // from its `data` ([{ loc, msg }], as feathers.schema sends them); `hint` says what to do.
  function showErrorIn(box, error, hint) {
    box.textContent = '';
    box.hidden = !error;
    if (!error) { return; }
    box.appendChild(document.createTextNode(
      (error.name ? error.name + ': ' : '') + (error.message || String(error)) +
      (hint ? ' ' + hint : '')));
    var problems = Array.isArray(error.data) ? error.data : [];
    if (problems.length === 0 || typeof problems[0].msg !== 'string') { return; }
    var items = document.createElement('ul');
    problems.forEach(function (problem) {
      var item = document.createElement('li');
      var where = Array.isArray(problem.loc) ? problem.loc.join('.') : '';
      item.textContent = (where ? where + ': ' : '') + problem.msg;
      items.appendChild(item);
    });
    box.appendChild(items);
  }

  function describe(record) {
    if (record && typeof record.text === 'string') {
      return record.text;
    }
    var rest = {};
    Object.keys(record || {}).forEach(function (key) {
      if (key !== 'id' && key !== '_id') { rest[key] = record[key]; }
    });
    return JSON.stringify(rest);
  }

  // Newest first; a record already shown (the find and its `created` event may cross) is not
  // added twice.
  function addRecord(record, newest) {
    var id = String(record.id !== undefined ? record.id : record._id);
    if (list.querySelector('li[data-id="' + CSS.escape(id) + '"]')) {
      return;
    }
    var item = document.createElement('li');
    item.dataset.id = id;
    var label = document.createElement('span');
    label.className = 'id';
    label.textContent = '#' + id;
    item.appendChild(label);
    item.appendChild(document.createTextNode(' ' + describe(record)));
    if (newest) {
      list.insertBefore(item, list.firstChild);
    } else {
      list.appendChild(item);
    }
    while (list.children.length > LIMIT) {
      list.removeChild(list.lastChild);
    }
    byId('records-empty').hidden = true;
  }

  function closeService() {
    if (current) {
      current.service.removeListener('created', current.listener);
    }
    current = null;
    list.textContent = '';
  }

  function openService(path) {
    path = path.replace(/^\/+|\/+$/g, '');
    closeService();
    var service = client.service(path);
    var listener = function (record) { addRecord(record, true); };
    service.on('created', listener);
    current = { path: path, service: service, listener: listener };
    showError(null);
    var url = new URL(window.location.href);
    url.searchParams.set('service', path);
    window.history.replaceState(null, '', url);
    return service.find({ query: { $limit: LIMIT, $sort: { id: -1 } } }).then(function (page) {
      if (!current || current.path !== path) { return; }
      var records = Array.isArray(page) ? page : page.data;
      records.forEach(function (record) { addRecord(record, false); });
      byId('records-empty').hidden = list.children.length > 0;
    }, showError);
  }

  byId('service-form').addEventListener('submit', function (event) {
    event.preventDefault();
    openService(pathInput.value);
  });

  byId('create-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = byId('record-text');
    if (!current) { return; }
    current.service.create({ text: input.value }).then(function (record) {
      input.value = '';
      showError(null);
      addRecord(record, true);
    }, showError);
  });

  var wasConnected = false;
  function offline(detail) {
    if (wasConnected) {
      setStatus('Disconnected (' + detail + '), reconnecting…', 'offline');
    } else {
      // The usual cause: the page's origin is not one the app allows (CORS).
      setStatus('Cannot connect (' + detail + '): is ' + window.location.origin +
        ' in the app\'s `origins` (config/default.toml)? Retrying…', 'offline');
    }
  }
  socket.on('connect', function () {
    setStatus('Connected', 'connected');
    if (wasConnected && current) {
      openService(current.path); // events were missed while offline: list again
    }
    wasConnected = true;
  });
  socket.on('disconnect', function (reason) { offline(reason); });
  socket.on('connect_error', function (error) { offline(error.message); });

  // -- users: sign up, log in, log out (only in an app with authentication) -----------------

  function showLoggedIn(result) {
    var user = result[auth.entity] || {};
    byId('user-name').textContent = user[auth.usernameField] || '#' + user.id;
    byId('login-form').hidden = true;
    showErrorIn(byId('login-error'), null);
    byId('user-bar').hidden = false;
    byId('demo-records').hidden = false;
    return openService(pathInput.value);
  }

  function showLoggedOut(error) {
    closeService();
    byId('demo-records').hidden = true;
    byId('user-bar').hidden = true;
    byId('login-form').hidden = false;
    showErrorIn(byId('login-error'), error);
  }

  // What to do about a failed sign-up or log-in, beyond the server's message
  function hintFor(error, signingUp) {
    if (signingUp && error.name === 'Conflict') {
      return 'This e-mail address already has an account: log in instead.';
    }
    if (error.name === 'TooManyRequests') {
      return 'Wait a few minutes before trying this account again.';
    }
    return '';
  }

  function logIn(event) {
    event.preventDefault();
    var signingUp = Boolean(event.submitter && event.submitter.value === 'signup');
    var credentials = { password: byId('login-password').value };
    credentials[auth.usernameField] = byId('login-email').value;
    var buttons = byId('login-form').querySelectorAll('button');
    buttons.forEach(function (button) { button.disabled = true; });
    var signedUp = signingUp ? client.service(auth.service).create(credentials) : Promise.resolve();
    signedUp.then(function () {
      return client.authenticate(Object.assign({ strategy: 'local' }, credentials));
    }).then(function (result) {
      byId('login-password').value = '';
      return showLoggedIn(result);
    }, function (error) {
      showErrorIn(byId('login-error'), error, hintFor(error, signingUp));
    }).then(function () {
      buttons.forEach(function (button) { button.disabled = false; });
    });
  }

  function logOut() {
    client.logout().then(function () { showLoggedOut(null); }, showLoggedOut);
  }

  // A reload logs in again with the token in localStorage; without one (or with one the server
  // no longer takes: expired, or logged out elsewhere) the form is shown.
  function resumeLogin() {
    return client.authentication.getAccessToken().then(function (token) {
      if (!token) {
        return showLoggedOut(null);
      }
      return client.reAuthenticate().then(showLoggedIn, showLoggedOut);
    });
  }

  // The page says the app has users; ask the server whether it still has the authentication
  // service (it only takes `create` and `remove`: `find` is refused either way, with NotFound
  // when there is none), else the demo is the anonymous one.
  function startWithAuthentication() {
    byId('demo-records').hidden = true;
    byId('login-form').addEventListener('submit', logIn);
    byId('logout').addEventListener('click', logOut);
    return client.service('authentication').find().then(resumeLogin, function (error) {
      if (error.name === 'NotFound') {
        auth = null;
        byId('demo-records').hidden = false;
        return openService(pathInput.value);
      }
      return resumeLogin();
    });
  }

  var meta = document.querySelector('meta[name="feathers-service"]');
  var fromAddress = new URL(window.location.href).searchParams.get('service');
  pathInput.value = fromAddress || (meta && meta.content) || 'messages';
  if (auth) {
    startWithAuthentication();
  } else {
    openService(pathInput.value);
  }
}());
