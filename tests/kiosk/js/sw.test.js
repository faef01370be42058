'use strict';
// The kiosk service worker's precache passes, run in a fake worker global (caches, fetch).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const ORIGIN = 'https://kiosk.test';
const SOURCE = fs.readFileSync(path.join(__dirname, '../../../surveyapp/static/js/kiosk-sw.js'), 'utf8');

function worker() {
  const listeners = {};
  const store = new Map();  // the worker's one cache: absolute URL → response
  const pending = new Map();  // URL → the resolve functions of its fetches, until the test answers them
  const cache = {
    put: async (request, response) => { store.set(new URL(request, ORIGIN).href, response); },
    keys: async () => [...store.keys()].map((url) => ({ url })),
    delete: async (request) => store.delete(request.url),
  };
  const global = {
    URL,
    setTimeout,
    clearTimeout,
    self: {
      location: { origin: ORIGIN },
      registration: { scope: ORIGIN + '/kiosk/' },
      clients: { claim: async () => {} },
      addEventListener: (type, listener) => { listeners[type] = listener; },
      skipWaiting: () => {},
    },
    caches: {
      open: async () => cache,
      keys: async () => ['surveyapp-kiosk-v1'],
      match: async (request) => store.get(new URL(request, ORIGIN).href),
    },
    fetch: (url) => new Promise((resolve) => {
      const href = new URL(url, ORIGIN).href;
      pending.set(href, [...(pending.get(href) || []), resolve]);
    }),
  };
  vm.runInNewContext(SOURCE, Object.assign(global, { self: Object.assign(global.self, global) }));
  const work = [];
  return {
    store,
    precache(urls) {
      listeners.message({ data: { type: 'precache', urls }, waitUntil: (promise) => work.push(promise) });
    },
    async answer(url) {
      await new Promise((resolve) => setImmediate(resolve));
      for (const resolve of pending.get(url) || []) {  // none: the worker did not fetch it
        resolve({ status: 200, type: 'basic' });
      }
      pending.delete(url);
    },
    settled: () => Promise.all(work),
  };
}

const PAGE = ORIGIN + '/kiosk/';
const OLD = ORIGIN + '/static/css/kiosk.1111.css';
const NEW = ORIGIN + '/static/css/kiosk.2222.css';

test('the latest pass keeps its assets and drops the others', async () => {
  const sw = worker();
  sw.precache([PAGE, OLD]);
  await sw.answer(PAGE);
  await sw.answer(OLD);
  await sw.settled();
  assert.deepEqual([...sw.store.keys()].sort(), [PAGE, OLD].sort());
  sw.precache([PAGE, NEW]);
  await sw.answer(PAGE);
  await sw.answer(NEW);
  await sw.settled();
  assert.deepEqual([...sw.store.keys()].sort(), [PAGE, NEW].sort());
});

test('a pass overtaken by an update keeps nothing the update dropped', async () => {
  const sw = worker();
  sw.precache([PAGE, OLD]);  // still fetching when the update arrives
  sw.precache([PAGE, NEW]);
  await sw.answer(PAGE);  // both passes' page
  await sw.answer(NEW);
  await new Promise((resolve) => setImmediate(resolve));
  // The first pass's answers come last (the server answers an old asset URL with the file).
  await sw.answer(OLD);
  await sw.settled().catch(() => {});
  assert.ok(sw.store.has(NEW) && sw.store.has(PAGE));
  assert.ok(!sw.store.has(OLD), 'the old stylesheet was kept again');
});
