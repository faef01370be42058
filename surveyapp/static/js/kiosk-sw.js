/* Kiosk service worker (scope /kiosk/): keeps the kiosk pages and their assets so that a
   tablet goes on collecting answers without a network.  Answers never pass through here:
   the page stores them in IndexedDB and posts them itself (POSTs are not intercepted). */
'use strict';

var CACHE = 'surveyapp-kiosk-v1';
var NETWORK_TIMEOUT_MS = 4000;
var SCOPE_PATH = new URL(self.registration.scope).pathname;  // "/kiosk/"
var STATIC_PREFIX = '/static/';

self.addEventListener('install', function () {
  self.skipWaiting();
});

self.addEventListener('activate', function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf('surveyapp-kiosk-') === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function isKioskPage(url) {
  return url.pathname === SCOPE_PATH;
}

function cacheable(response) {
  return response && response.status === 200 && response.type === 'basic';
}

function put(request, response) {
  return caches.open(CACHE).then(function (cache) { return cache.put(request, response); });
}

/* The page sends the URLs worth keeping (every language of its kiosk page, its assets).  Only
   the latest list decides: an earlier pass still fetching pages when an update arrives must not
   delete the new version's assets when it finishes, nor fetch and keep again an asset that the
   latest pass has dropped (an old asset URL is still answered, with the current file). */
var latestPrecache = 0;

self.addEventListener('message', function (event) {
  var message = event.data || {};
  if (message.type !== 'precache' || !Array.isArray(message.urls)) {
    return;
  }
  var urls = message.urls.filter(function (url) {
    var parsed = new URL(url, self.location.origin);
    return parsed.origin === self.location.origin &&
      (isKioskPage(parsed) || parsed.pathname.indexOf(STATIC_PREFIX) === 0 ||
       parsed.pathname.indexOf(SCOPE_PATH) === 0);
  });
  var pass = ++latestPrecache;
  event.waitUntil(Promise.all(urls.map(function (url) { return keep(url, pass); })).then(function (kept) {
    if (pass === latestPrecache && kept.every(Boolean)) {
      return dropOtherAssets(urls);
    }
    return null;  // offline or refused: keep what the kept pages may still need
  }));
});

/* A page is fetched anew (it may have changed); an asset only if it is not kept yet: its URL
   names its content, so the browser's own copy is as good as the server's. */
function keep(url, pass) {
  var asset = new URL(url, self.location.origin).pathname.indexOf(STATIC_PREFIX) === 0;
  var kept = asset ? caches.match(url, { ignoreVary: true }) : Promise.resolve(null);
  function superseded() { return pass !== latestPrecache; }
  return kept.then(function (hit) {
    if (hit || superseded()) {
      return Boolean(hit);
    }
    return fetch(url, { credentials: 'same-origin', cache: asset ? 'default' : 'no-store' }).then(function (response) {
      if (superseded() || !cacheable(response)) {
        return false;
      }
      return put(url, response).then(function () { return true; });
    });
  }).catch(function () { return false; });
}

/* Asset URLs carry a hash of their content, so an update brings new URLs: once every URL
   the current pages need is kept, the assets of earlier versions go. */
function dropOtherAssets(urls) {
  var wanted = urls.map(function (url) { return new URL(url, self.location.origin).href; });
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        var url = new URL(request.url);
        return url.pathname.indexOf(STATIC_PREFIX) === 0 && wanted.indexOf(url.href) === -1;
      }).map(function (request) { return cache.delete(request); }));
    });
  });
}

function fromCache(request) {
  return caches.match(request, { ignoreVary: true }).then(function (hit) {
    if (hit || !isKioskPage(new URL(request.url))) {
      return hit;
    }
    return caches.match(SCOPE_PATH, { ignoreVary: true });  // another language not kept yet: the default page
  });
}

function offlinePage() {
  var body = '<!doctype html><html lang="ja"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>オフライン</title>' +
    '<h1>ネットワークにつながっていません</h1><p>この画面はネットワークが必要です。</p>' +
    '<p><a href="' + SCOPE_PATH + '">アンケートの画面にもどる</a></p></html>';
  return new Response(body, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

/* Kiosk pages: the network first (fresh survey version, device state), the kept copy when
   the network fails or is too slow. */
function networkFirst(event) {
  var request = event.request;
  return new Promise(function (resolve) {
    var settled = false;
    function settle(response) {
      if (!settled && response) {
        settled = true;
        resolve(response);
      }
    }
    var timer = setTimeout(function () {
      fromCache(request).then(settle);
    }, NETWORK_TIMEOUT_MS);
    var network = fetch(request).then(function (response) {
      clearTimeout(timer);
      if (cacheable(response)) {
        event.waitUntil(put(request, response.clone()));
      }
      settle(response);
      return response;
    }).catch(function () {
      clearTimeout(timer);
      return fromCache(request).then(function (hit) { settle(hit || offlinePage()); });
    });
    event.waitUntil(network.catch(function () {}));
  });
}

/* Assets (their URLs change with their content): the kept copy, else the network. */
function cacheFirst(event) {
  var request = event.request;
  return caches.match(request, { ignoreVary: true }).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (cacheable(response)) {
        event.waitUntil(put(request, response.clone()));
      }
      return response;
    });
  });
}

/* The manifest (its URL stays): the kept copy at once, refreshed in the background. */
function staleWhileRevalidate(event) {
  var request = event.request;
  var refresh = fetch(request).then(function (response) {
    if (cacheable(response)) {
      event.waitUntil(put(request, response.clone()));
    }
    return response;
  });
  event.waitUntil(refresh.catch(function () {}));
  return caches.match(request, { ignoreVary: true }).then(function (hit) {
    return hit || refresh;
  });
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === 'navigate' && url.pathname.indexOf(SCOPE_PATH) === 0) {
    if (isKioskPage(url)) {
      event.respondWith(networkFirst(event));
    } else {
      event.respondWith(fetch(request).catch(function () { return offlinePage(); }));
    }
    return;
  }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(cacheFirst(event));
  } else if (url.pathname === SCOPE_PATH + 'manifest.webmanifest') {
    event.respondWith(staleWhileRevalidate(event));
  }
});
