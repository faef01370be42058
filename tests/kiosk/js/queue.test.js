'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const KioskQueue = require(path.join(__dirname, '../../../surveyapp/static/js/kiosk-queue.js'));
const { createClock } = require('./fake-clock.js');

function memoryStore(items) {
  const queue = new Map(items.map((item) => [item.client_uuid, item]));
  const refused = new Map();
  return {
    queue,
    refused,
    all: async () => [...queue.values()].sort((a, b) => (a.completed_at < b.completed_at ? -1 : 1)),
    remove: async (uuid) => { queue.delete(uuid); },
    refuse: async (item, reason) => { refused.set(item.client_uuid, { ...item, reason }); queue.delete(item.client_uuid); },
    counts: async () => ({ pending: queue.size, refused: refused.size }),
  };
}

function item(n) {
  return { client_uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, link: 'abcdefgh',
           version: 1, answers: { q: 'a' }, completed_at: `2026-11-26T10:00:${String(n).padStart(2, '0')}Z` };
}

function receipt(uuid, created = true) {
  return { status: created ? 201 : 200, body: { receipt: { client_uuid: uuid, created } } };
}

function setup(items, post) {
  const clock = createClock();
  const store = memoryStore(items);
  const states = [];
  const sender = KioskQueue.createSender({
    store, post, onState: (s) => states.push(s), baseMs: 1000, maxMs: 60000,
    random: () => 0.5, timers: clock,
  });
  return { clock, store, states, sender };
}

test('back-off doubles from the base, is capped and jittered by at most ±20 %', () => {
  const half = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => KioskQueue.backoffDelay(n, 1000, 60000, half)),
    [1000, 2000, 4000, 8000, 16000]);
  assert.equal(KioskQueue.backoffDelay(12, 1000, 60000, half), 60000);
  assert.equal(KioskQueue.backoffDelay(3, 1000, 60000, () => 0), 3200);
  assert.equal(KioskQueue.backoffDelay(3, 1000, 60000, () => 1), 4800);
  assert.equal(KioskQueue.backoffDelay(40, 1000, 60000, () => 1), 60000);
});

test('an item is deleted only after a receipt that echoes its UUID', async () => {
  const posted = [];
  const { store, sender } = setup([item(1), item(2)], async (it) => {
    posted.push(it.client_uuid);
    return it.client_uuid.endsWith('1') ? receipt(it.client_uuid) : receipt(item(9).client_uuid);
  });
  await sender.flush();
  assert.deepEqual(posted, [item(1).client_uuid, item(2).client_uuid]);
  assert.deepEqual([...store.queue.keys()], [item(2).client_uuid]);
});

test('a lost receipt (network error after the server stored it) is retried until the replay receipt', async () => {
  let calls = 0;
  const { clock, store, sender, states } = setup([item(1)], async (it) => {
    calls += 1;
    if (calls <= 2) {
      throw new TypeError('Failed to fetch');
    }
    return receipt(it.client_uuid, false);  // the server's answer to a replay
  });
  await sender.flush();
  assert.equal(store.queue.size, 1);
  assert.equal(sender.attempts(), 1);
  await clock.advance(999);
  assert.equal(calls, 1);
  await clock.advance(1);  // 1 s
  assert.equal(calls, 2);
  await clock.advance(2000);  // then 2 s
  assert.equal(calls, 3);
  assert.equal(store.queue.size, 0);
  assert.equal(sender.attempts(), 0);
  assert.deepEqual(states[states.length - 1], { pending: 0, refused: 0, device: null, message: undefined });
});

test('server errors back off; the queue keeps its order', async () => {
  const order = [];
  let failing = true;
  const { clock, store, sender } = setup([item(2), item(1), item(3)], async (it) => {
    order.push(it.client_uuid.slice(-1));
    if (failing) {
      return { status: 503, body: null };
    }
    return receipt(it.client_uuid);
  });
  await sender.flush();
  await clock.advance(1000);
  await clock.advance(2000);
  assert.deepEqual(order, ['1', '1', '1']);
  failing = false;
  await clock.advance(4000);
  assert.deepEqual(order.slice(3), ['1', '2', '3']);
  assert.equal(store.queue.size, 0);
});

test('409, 400 and 410 are put aside for staff and not retried', async () => {
  const answers = { [item(1).client_uuid]: 409, [item(2).client_uuid]: 400, [item(3).client_uuid]: 410 };
  let calls = 0;
  const { clock, store, sender, states } = setup([item(1), item(2), item(3)], async (it) => {
    calls += 1;
    return { status: answers[it.client_uuid], body: { error: 'x' } };
  });
  await sender.flush();
  await clock.advance(600000);
  assert.equal(calls, 3);
  assert.equal(store.queue.size, 0);
  assert.equal(store.refused.size, 3);
  assert.equal(states[states.length - 1].refused, 3);
});

test('a revoked device keeps every queued item and says why', async () => {
  let calls = 0;
  const { clock, store, sender, states } = setup([item(1), item(2)], async () => {
    calls += 1;
    return { status: 403, body: { error: 'revoked', message: 'この端末は登録が取り消されたため' } };
  });
  await sender.flush();
  assert.equal(calls, 1);
  assert.equal(store.queue.size, 2);
  assert.equal(sender.deviceProblem(), 'revoked');
  assert.equal(states[states.length - 1].device, 'revoked');
  assert.equal(states[states.length - 1].pending, 2);
  await clock.advance(59999);
  assert.equal(calls, 1);  // no hammering: the next look is after the longest back-off
  await clock.advance(1);
  assert.equal(calls, 2);
});

test('flush is single-flight: a second call during delivery runs once more afterwards', async () => {
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const posted = [];
  const { store, sender } = setup([item(1)], async (it) => {
    posted.push(it.client_uuid);
    await gate;
    return receipt(it.client_uuid);
  });
  const first = sender.flush();
  store.queue.set(item(2).client_uuid, item(2));
  const second = sender.flush();
  release();
  await first;
  await second;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(posted, [item(1).client_uuid, item(2).client_uuid]);
  assert.equal(store.queue.size, 0);
});

test('classify: only a matching receipt is a delivery', () => {
  const it = item(1);
  assert.equal(KioskQueue.classify(it, 201, { receipt: { client_uuid: it.client_uuid } }), 'delivered');
  assert.equal(KioskQueue.classify(it, 200, { receipt: { client_uuid: it.client_uuid } }), 'delivered');
  assert.equal(KioskQueue.classify(it, 200, {}), 'retry');
  assert.equal(KioskQueue.classify(it, 200, null), 'retry');
  assert.equal(KioskQueue.classify(it, 502, null), 'retry');
  assert.equal(KioskQueue.classify(it, 429, null), 'retry');
  assert.equal(KioskQueue.classify(it, 401, {}), 'device');
  assert.equal(KioskQueue.classify(it, 409, {}), 'refused');
});

test('an answer for a link the tablet is not assigned to is set aside once, never retried', async () => {
  let calls = 0;
  const { clock, store, sender } = setup([item(1), item(2)], async (it) => {
    calls += 1;
    if (it.client_uuid === item(1).client_uuid) {
      return { status: 400, body: { error: 'unavailable_link', message: 'not assigned' } };
    }
    return receipt(it.client_uuid);
  });
  await sender.flush();
  assert.equal(calls, 2);
  assert.equal(store.queue.size, 0);
  assert.equal(store.refused.get(item(1).client_uuid).reason, 'unavailable_link');
  await clock.advance(600000);
  assert.equal(calls, 2);
});

test('a rate-limited delivery (429, JSON) is retried later, nothing is set aside', async () => {
  let calls = 0;
  const { clock, store, sender } = setup([item(1)], async (it) => {
    calls += 1;
    return calls === 1 ? { status: 429, body: { error: 'rate_limited' } } : receipt(it.client_uuid);
  });
  await sender.flush();
  assert.equal(store.queue.size, 1);
  assert.equal(store.refused.size, 0);
  await clock.advance(1000);
  assert.equal(store.queue.size, 0);
});

function reporterSetup(counts, send) {
  const sent = [];
  const reporter = KioskQueue.createReporter({
    counts: async () => ({ ...counts }),
    send: async (c) => { sent.push(`${c.pending}/${c.refused}`); return send ? send(c) : true; },
  });
  return { reporter, sent };
}

test('the queue length is reported when it changes, not again while it stays the same', async () => {
  const counts = { pending: 0, refused: 0 };
  const { reporter, sent } = reporterSetup(counts);
  await reporter.changed();
  counts.pending = 2;  // two responses queued while the server could not be reached
  await reporter.changed();
  await reporter.changed();
  counts.pending = 0;  // both delivered
  await reporter.changed();
  assert.deepEqual(sent, ['0/0', '2/0', '0/0']);
  await reporter.beat();  // the periodic heartbeat always goes out
  assert.deepEqual(sent, ['0/0', '2/0', '0/0', '0/0']);
});

test('a report the server did not confirm is sent again at the next change', async () => {
  const counts = { pending: 1, refused: 0 };
  let online = false;
  const { reporter, sent } = reporterSetup(counts, async () => {
    if (!online) {
      throw new TypeError('Failed to fetch');
    }
    return true;
  });
  assert.equal(await reporter.changed(), false);
  counts.pending = 2;
  assert.equal(await reporter.changed(), false);
  assert.equal(reporter.confirmed(), null);
  online = true;
  assert.equal(await reporter.changed(), true);  // same counts as the failed try: still sent
  assert.deepEqual(sent, ['1/0', '2/0', '2/0']);
  assert.equal(reporter.confirmed(), '2/0');
});

test('one report at a time; the last report carries the latest counts', async () => {
  const counts = { pending: 2, refused: 0 };
  let release;
  const gate = new Promise((resolve) => { release = resolve; });
  const order = [];
  const reporter = KioskQueue.createReporter({
    counts: async () => ({ ...counts }),
    send: async (c) => {
      order.push(`start ${c.pending}`);
      if (c.pending === 2) {
        await gate;  // a slow answer to the first report
      }
      order.push(`end ${c.pending}`);
      return true;
    },
  });
  const first = reporter.changed();
  await new Promise((resolve) => setImmediate(resolve));
  counts.pending = 1;
  reporter.changed();
  counts.pending = 0;
  reporter.changed();
  release();
  await first;
  assert.deepEqual(order, ['start 2', 'end 2', 'start 0', 'end 0']);
  assert.equal(reporter.confirmed(), '0/0');
});
