'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { createIdleTimer } = require(path.join(__dirname, '../../../surveyapp/static/js/kiosk-idle.js'));
const { createClock } = require('./fake-clock.js');

function setup(overrides) {
  const clock = createClock();
  const events = [];
  const timer = createIdleTimer(Object.assign({
    idleMs: 60000,
    countdownMs: 30000,
    onWarn: (s) => events.push(['warn', s]),
    onTick: (s) => events.push(['tick', s]),
    onExpire: () => events.push(['expire', clock.now()]),
    timers: clock,
  }, overrides));
  return { clock, events, timer };
}

test('warns after 60 s of inactivity, never before', async () => {
  const { clock, events, timer } = setup();
  timer.start();
  await clock.advance(59999);
  assert.deepEqual(events, []);
  await clock.advance(1);
  assert.deepEqual(events, [['warn', 30]]);
  assert.equal(timer.state(), 'warning');
});

test('activity restarts the idle period', async () => {
  const { clock, events, timer } = setup();
  timer.start();
  await clock.advance(50000);
  timer.activity();
  await clock.advance(50000);
  assert.deepEqual(events, []);
  await clock.advance(10000);
  assert.equal(events[0][0], 'warn');
});

test('the countdown is visible every second and expires after 30 s', async () => {
  const { clock, events, timer } = setup();
  timer.start();
  await clock.advance(60000);
  await clock.advance(29999);
  const ticks = events.filter((e) => e[0] === 'tick').map((e) => e[1]);
  assert.deepEqual(ticks, Array.from({ length: 29 }, (_, i) => 29 - i));
  assert.equal(events.some((e) => e[0] === 'expire'), false);
  await clock.advance(1);
  assert.deepEqual(events[events.length - 1], ['expire', 90000]);
  assert.equal(timer.state(), 'stopped');
});

test('「つづける」 goes back to watching; activity alone does not dismiss the warning', async () => {
  const { clock, events, timer } = setup();
  timer.start();
  await clock.advance(60000);
  timer.activity();  // a touch behind the dialog
  assert.equal(timer.state(), 'warning');
  timer.keepGoing();
  assert.equal(timer.state(), 'watching');
  await clock.advance(59999);
  assert.equal(events.filter((e) => e[0] === 'warn').length, 1);
  assert.equal(events.some((e) => e[0] === 'expire'), false);
  await clock.advance(1);
  assert.equal(events.filter((e) => e[0] === 'warn').length, 2);
});

test('stop cancels everything', async () => {
  const { clock, events, timer } = setup();
  timer.start();
  timer.stop();
  await clock.advance(200000);
  assert.deepEqual(events, []);
  assert.equal(clock.pending(), 0);
});
