/* Kiosk idle timer: after `idleMs` without activity, warn with a countdown of `countdownMs`;
   without a response, expire (the page resets to the start and discards the answers).
   Plain script: a global `KioskIdle` in the browser, module.exports under node's test runner. */
(function (root, factory) {
  'use strict';
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.KioskIdle = factory();
  }
}(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  /**
   * options: idleMs, countdownMs, onWarn(secondsLeft), onTick(secondsLeft), onExpire(),
   *          timers: {setTimeout, clearTimeout, now} (the real ones by default).
   * Returns {start, activity, keepGoing, stop, state}.
   */
  function createIdleTimer(options) {
    var timers = options.timers || {
      setTimeout: function (fn, ms) { return setTimeout(fn, ms); },
      clearTimeout: function (id) { clearTimeout(id); },
      now: function () { return Date.now(); }
    };
    var state = 'stopped';
    var handle = null;
    var deadline = 0;

    function clear() {
      if (handle !== null) {
        timers.clearTimeout(handle);
        handle = null;
      }
    }

    function secondsLeft() {
      return Math.max(0, Math.ceil((deadline - timers.now()) / 1000));
    }

    function tick() {
      handle = null;
      var left = deadline - timers.now();
      if (left <= 0) {
        state = 'stopped';
        options.onExpire();
        return;
      }
      if (options.onTick) {
        options.onTick(secondsLeft());
      }
      // Wake at the next whole second so the visible countdown stays exact.
      var next = left % 1000 || 1000;
      handle = timers.setTimeout(tick, next);
    }

    function warn() {
      handle = null;
      state = 'warning';
      deadline = timers.now() + options.countdownMs;
      options.onWarn(secondsLeft());
      handle = timers.setTimeout(tick, Math.min(1000, options.countdownMs));
    }

    function arm() {
      clear();
      state = 'watching';
      handle = timers.setTimeout(warn, options.idleMs);
    }

    return {
      /** Start (or restart) watching for inactivity. */
      start: arm,
      /** Something happened on screen: restart the idle period (ignored while warning). */
      activity: function () {
        if (state === 'watching') {
          arm();
        }
      },
      /** The respondent pressed 「つづける」: back to watching. */
      keepGoing: function () {
        if (state !== 'stopped') {
          arm();
        }
      },
      stop: function () {
        clear();
        state = 'stopped';
      },
      state: function () { return state; },
      secondsLeft: secondsLeft
    };
  }

  return { createIdleTimer: createIdleTimer };
}));
