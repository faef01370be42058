'use strict';
// A manual clock for the kiosk timers: advance(ms) runs every timer that falls due, in order.

function createClock() {
  let now = 0;
  let nextId = 1;
  const timers = new Map();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(id) { timers.delete(id); },
    pending: () => timers.size,
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        let due = null;
        for (const [id, timer] of timers) {
          if (timer.at <= end && (due === null || timer.at < due[1].at)) {
            due = [id, timer];
          }
        }
        if (due === null) {
          break;
        }
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
        await new Promise((resolve) => setImmediate(resolve));  // let promise chains run
      }
      now = end;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

module.exports = { createClock };
