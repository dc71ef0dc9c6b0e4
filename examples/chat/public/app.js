// The landing page's live demo: the real Feathers client (feathers.min.js) over Socket.io
// (socket.io.min.js), both loaded by index.html from this folder. It lists the newest records
// of a service, creates records ({ text }), and shows records created anywhere as they arrive.
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

  var list = byId('records');
  var pathInput = byId('service-path');
  var current = null; // { path, service, listener }

  function setStatus(text, state) {
    var status = byId('demo-status');
    status.textContent = text;
    status.dataset.state = state;
  }

  function showError(error) {
    var box = byId('demo-error');
    if (!error) {
      box.hidden = true;
      box.textContent = '';
      return;
    }
    box.textContent = (error.name ? error.name + ': ' : '') + (error.message || String(error));
    box.hidden = false;
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

  function openService(path) {
    path = path.replace(/^\/+|\/+$/g, '');
    if (current) {
      current.service.removeListener('created', current.listener);
    }
    var service = client.service(path);
    var listener = function (record) { addRecord(record, true); };
    service.on('created', listener);
    current = { path: path, service: service, listener: listener };
    list.textContent = '';
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

  var meta = document.querySelector('meta[name="feathers-service"]');
  var fromAddress = new URL(window.location.href).searchParams.get('service');
  pathInput.value = fromAddress || (meta && meta.content) || 'messages';
  openService(pathInput.value);
}());
