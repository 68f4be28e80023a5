// Offline capture on the capture page (docs/DECISIONS.md, "Offline capture"). A
// service worker (/portal/sw.js) keeps the page and its scripts, so it opens
// without a network. While the browser is offline, the form's captures go into a
// queue in IndexedDB, each with its own Idempotency-Key and the device's time;
// when the network is back the queue is sent to the bulk capture endpoint, and
// every item the server answered (recorded, or refused for good) leaves it. A
// replay of an item the server already recorded counts nothing twice.
(function () {
  'use strict';
  var form = document.querySelector('form[data-bulk]');
  if (!form || !window.indexedDB) return;
  var sponsor = form.getAttribute('data-sponsor');
  var bulkUrl = form.getAttribute('data-bulk');
  var status = document.getElementById('queue-status');
  var DB = 'sponsorhub-offline';
  var STORE = 'captures';
  var sending = false;
  // Asked to send while a send was under way: send again when it ends.
  var again = false;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/portal/sw.js', { scope: '/portal/' }).catch(function () {});
  }

  function open() {
    return new Promise(function (ok, fail) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        var s = req.result.createObjectStore(STORE, { keyPath: 'idempotency_key' });
        s.createIndex('sponsor', 'sponsor');
      };
      req.onsuccess = function () { ok(req.result); };
      req.onerror = function () { fail(req.error); };
    });
  }

  function run(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (ok, fail) {
        var tx = db.transaction(STORE, mode);
        var out = fn(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); ok(out && out.result !== undefined ? out.result : out); };
        tx.onerror = function () { db.close(); fail(tx.error); };
      });
    });
  }

  function queued() {
    return run('readonly', function (s) { return s.index('sponsor').getAll(sponsor); });
  }

  function show(extra) {
    return queued().then(function (items) {
      var n = items.length;
      var text = n ? n + (n === 1 ? ' capture is' : ' captures are') + ' waiting to be sent.' : '';
      if (n && !navigator.onLine) text += ' They are sent when the device is back online.';
      status.textContent = [extra || '', text].filter(Boolean).join(' ');
      status.hidden = !status.textContent;
    });
  }

  function value(name) {
    var el = form.elements.namedItem(name);
    return el && el.value ? el.value.trim() : '';
  }

  /** The capture as the bulk endpoint takes it, from what the form holds. */
  function captureOf() {
    var kind = form.querySelector('input[name="interaction_type"]:checked');
    var code = value('code');
    var typed = { email: value('email'), name: value('name'), company: value('company'), title: value('title') };
    var any = typed.email || typed.name || typed.company || typed.title;
    var item = {
      idempotency_key: (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()),
      occurred_at: new Date().toISOString(),
      interaction_type: kind ? kind.value : 'booth_visit',
      source: code ? 'badge_scan' : 'manual',
      device: 'browser (offline queue)',
      metadata: { source: 'web capture form, sent later' }
    };
    if (value('note')) item.metadata.note = value('note');
    if (code) item.badge_code = code;
    if (!code || any) {
      item.attendee = {};
      Object.keys(typed).forEach(function (k) { if (typed[k]) item.attendee[k] = typed[k]; });
    }
    return item;
  }

  function enqueue(item) {
    var row = Object.assign({ sponsor: sponsor }, item);
    return run('readwrite', function (s) { s.put(row); });
  }

  function send() {
    if (!navigator.onLine) return Promise.resolve();
    if (sending) {
      again = true;
      return Promise.resolve();
    }
    sending = true;
    again = false;
    return queued().then(function (items) {
      if (!items.length) return null;
      var captures = items.slice(0, 500).map(function (i) {
        var c = Object.assign({}, i);
        delete c.sponsor;
        return c;
      });
      return fetch(bulkUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ captures: captures })
      }).then(function (res) {
        if (!res.ok) throw new Error('the server answered ' + res.status);
        return res.json();
      }).then(function (answer) {
        // Recorded, or refused for good (4xx): either way it leaves the queue.
        var done = answer.results.filter(function (r) { return r.status < 500 && r.status !== 429; });
        var refused = done.filter(function (r) { return r.status >= 400; });
        return run('readwrite', function (s) {
          done.forEach(function (r) { s.delete(r.idempotency_key); });
        }).then(function () {
          var sent = done.length - refused.length;
          var text = sent + (sent === 1 ? ' queued capture was' : ' queued captures were') + ' recorded.';
          if (refused.length) {
            text += ' ' + refused.length + ' could not be: ' + refused.map(function (r) {
              return (r.problem && (r.problem.errors && r.problem.errors[0] ? r.problem.errors[0].message : r.problem.detail)) || r.status;
            }).join('; ') + '.';
          }
          return text;
        });
      });
    }).then(function (text) {
      sending = false;
      if (again) send();
      // Nothing was queued: what the page says stays.
      return text === null ? null : show(text);
    }, function () {
      sending = false;
      // The network may be coming back (the browser says online before it
      // carries requests): try again soon rather than at the next round.
      setTimeout(send, again ? 0 : 2000);
      return show('The queue could not be sent yet; it is kept.');
    });
  }

  form.addEventListener('submit', function (e) {
    if (navigator.onLine) return;
    e.preventDefault();
    var item = captureOf();
    enqueue(item).then(function () {
      ['code', 'email', 'name', 'company', 'title', 'note'].forEach(function (n) {
        var el = form.elements.namedItem(n);
        if (el) el.value = '';
      });
      return show('Offline: the capture was queued on this device.');
    }).then(function () {
      form.dispatchEvent(new CustomEvent('sponsorhub:queued'));
    });
  });

  window.addEventListener('online', function () { send(); });
  window.addEventListener('offline', function () { show(); });
  setInterval(send, 30000);
  show().then(send);
})();
