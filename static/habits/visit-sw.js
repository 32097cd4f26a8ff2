/* The visit page's service worker: a reload without a connection still shows the page.

   Served by the portal at /habits/visit-sw.js (route `habits.visit_sw`), which puts three
   names above this text: VISIT_CACHE (changes whenever a cached file does, so a new
   version replaces the old cache), VISIT_PAGE (the page's path) and VISIT_ASSETS (its
   styles and scripts). The page is fetched from the network first and kept; its assets
   come from the cache and are refreshed behind it. Nothing else is touched: visits are
   sent by the page itself, never replayed from here. */
/* global VISIT_CACHE, VISIT_PAGE, VISIT_ASSETS */
"use strict";

var NETWORK_WAIT_MS = 6000;  // a connection this slow is no connection: show the copy

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VISIT_CACHE).then(function (cache) {
    // One by one: a missing asset must not stop the others from being kept. The page
    // itself too, as the person who registered this worker sees it now.
    var page = fetch(new Request(VISIT_PAGE, {credentials: "same-origin"})).then(function (response) {
      return keepable(response) ? cache.put(VISIT_PAGE, response) : null;
    }).catch(function () { return null; });
    return Promise.all([page].concat(VISIT_ASSETS.map(function (url) {
      return cache.add(new Request(url, {credentials: "same-origin"})).catch(function () { return null; });
    })));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("habits-visit-") === 0 && name !== VISIT_CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

function thePage(request) {
  var fromNetwork = fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(VISIT_CACHE).then(function (cache) { return cache.put(VISIT_PAGE, copy); });
    }
    return response;
  });
  var kept = caches.open(VISIT_CACHE).then(function (cache) { return cache.match(VISIT_PAGE); });
  var slow = new Promise(function (resolve) { setTimeout(resolve, NETWORK_WAIT_MS); });
  return Promise.race([fromNetwork, slow.then(function () { return kept; })]).then(function (response) {
    return response || fromNetwork;
  }).catch(function () {
    return kept.then(function (response) { return response || Response.error(); });
  });
}

function anAsset(request) {
  return caches.open(VISIT_CACHE).then(function (cache) {
    return cache.match(request).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (keepable(response)) cache.put(request, response.clone());
        return response;
      });
      if (kept) { fresh.catch(function () { return null; }); return kept; }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === VISIT_PAGE) {
    event.respondWith(thePage(request));
  } else if (VISIT_ASSETS.indexOf(url.pathname + url.search) >= 0) {
    event.respondWith(anAsset(request));
  }
});
