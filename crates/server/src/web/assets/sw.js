// The sponsor portal's service worker (docs/DECISIONS.md, "Offline capture"): it
// keeps the capture page and the scripts and styles it needs, so staff can open
// it and queue captures without a network. Network first, the kept copy when the
// network fails; nothing else of the portal is kept.
'use strict';
var CACHE = 'sponsorhub-capture-v1';
var ASSETS = ['/assets/app.css', '/assets/app.js', '/assets/scan.js', '/assets/offline.js'];

self.addEventListener('install', function (e) {
  self.skipWaiting();
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }));
});

self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener('fetch', function (e) {
  var req = e.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  var page = req.mode === 'navigate' && /^\/portal\/sponsors\/[^/]+\/capture$/.test(url.pathname);
  var asset = url.pathname.indexOf('/assets/') === 0;
  if (!page && !asset) return;
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok) {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req).then(function (hit) { return hit || Response.error(); });
  }));
});
