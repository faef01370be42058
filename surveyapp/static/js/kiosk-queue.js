/* Kiosk offline queue: completed responses wait in IndexedDB until the server returns a
   receipt that echoes their UUID; only then are they deleted.  Delivery retries with
   exponential back-off; refusals that a retry cannot fix are kept aside for staff.
   Plain script: a global `KioskQueue` in the browser, module.exports under node's test runner. */
(function (root, factory) {
  'use strict';
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.KioskQueue = factory();
  }
}(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  var DB_NAME = 'surveyapp-kiosk';
  var DB_VERSION = 1;
  var QUEUE = 'queue';
  var REFUSED = 'refused';

  /** Milliseconds to wait before attempt number `attempt` (1, 2, …): base·2^(n−1), capped,
      with ±20 % jitter so that tablets coming back online together do not retry in step. */
  function backoffDelay(attempt, baseMs, maxMs, random) {
    var exponent = Math.max(0, Math.min(attempt - 1, 30));
    var delay = Math.min(maxMs, baseMs * Math.pow(2, exponent));
    var jitter = 0.8 + 0.4 * (random ? random() : Math.random());
    return Math.max(0, Math.round(Math.min(maxMs, delay * jitter)));
  }

  /** What to do with an item after the server answered `status` with `body`. */
  function classify(item, status, body) {
    if (status === 200 || status === 201) {
      var receipt = body && body.receipt;
      if (receipt && receipt.client_uuid === item.client_uuid) {
        return 'delivered';
      }
      return 'retry';  // a receipt for something else is no receipt
    }
    if (status === 401 || status === 403) {
      return 'device';  // unknown or revoked device: keep everything, tell staff
    }
    if (status === 400 || status === 409 || status === 410) {
      return 'refused';  // a retry would get the same answer
    }
    return 'retry';  // 5xx, 429, proxies, anything unexpected
  }

  /**
   * options: store {all(), remove(uuid), refuse(item, reason), counts()},
   *          post(item) → Promise<{status, body}> (rejects on a network error),
   *          onState({pending, refused, device, message}), baseMs, maxMs, random,
   *          timers {setTimeout, clearTimeout}.
   */
  function createSender(options) {
    var timers = options.timers || {
      setTimeout: function (fn, ms) { return setTimeout(fn, ms); },
      clearTimeout: function (id) { clearTimeout(id); }
    };
    var baseMs = options.baseMs || 1000;
    var maxMs = options.maxMs || 300000;
    var attempt = 0;
    var running = null;
    var again = false;
    var retryHandle = null;
    var deviceProblem = null;

    function report(extra) {
      return options.store.counts().then(function (counts) {
        var state = { pending: counts.pending, refused: counts.refused, device: deviceProblem };
        if (extra) {
          state.message = extra.message;
        }
        if (options.onState) {
          options.onState(state);
        }
        return state;
      });
    }

    function schedule(delay) {
      if (retryHandle !== null) {
        timers.clearTimeout(retryHandle);
      }
      retryHandle = timers.setTimeout(function () {
        retryHandle = null;
        flush();
      }, delay);
    }

    function sendAll(items, index) {
      if (index >= items.length) {
        attempt = 0;
        return Promise.resolve('done');
      }
      var item = items[index];
      return options.post(item).then(function (result) {
        var outcome = classify(item, result.status, result.body);
        if (outcome === 'delivered') {
          deviceProblem = null;
          attempt = 0;
          return options.store.remove(item.client_uuid).then(function () {
            return sendAll(items, index + 1);
          });
        }
        if (outcome === 'refused') {
          var reason = (result.body && result.body.error) || String(result.status);
          return options.store.refuse(item, reason).then(function () {
            return sendAll(items, index + 1);
          });
        }
        if (outcome === 'device') {
          deviceProblem = (result.body && result.body.error) || 'device';
          return { stop: 'device', message: result.body && result.body.message };
        }
        return { stop: 'retry' };
      }, function () {
        return { stop: 'retry' };
      });
    }

    function flush() {
      if (running) {
        again = true;
        return running;
      }
      if (retryHandle !== null) {
        timers.clearTimeout(retryHandle);
        retryHandle = null;
      }
      running = options.store.all().then(function (items) {
        return sendAll(items, 0);
      }).then(function (outcome) {
        running = null;
        if (outcome && outcome.stop === 'retry') {
          attempt += 1;
          schedule(backoffDelay(attempt, baseMs, maxMs, options.random));
        } else if (outcome && outcome.stop === 'device') {
          // A revoked or unknown device may be enrolled again: look again, rarely.
          schedule(maxMs);
        } else if (again) {
          again = false;
          return flush();
        }
        again = false;
        return report(outcome);
      }, function (error) {
        running = null;
        attempt += 1;
        schedule(backoffDelay(attempt, baseMs, maxMs, options.random));
        throw error;
      });
      return running;
    }

    return {
      flush: flush,
      report: report,
      attempts: function () { return attempt; },
      deviceProblem: function () { return deviceProblem; },
      stop: function () {
        if (retryHandle !== null) {
          timers.clearTimeout(retryHandle);
          retryHandle = null;
        }
      }
    };
  }

  /**
   * Tells the server how many responses wait on this device, whenever that changes (a response
   * queued, delivered or put aside), not only with the periodic heartbeat.  One report at a time;
   * a report asked for while one is on its way is sent afterwards with the counts read then, so
   * the last report the server gets is the current one.  A report the server did not confirm is
   * sent again at the next change or heartbeat.
   *
   * options: counts() → Promise<{pending, refused}>, send(counts) → Promise<boolean> (true when
   *          the server confirmed; false or a rejection when it did not).
   */
  function createReporter(options) {
    var running = null;
    var again = false;
    var againForced = false;
    var confirmed = null;  // "pending/refused" the server last confirmed

    function run(force) {
      if (running) {
        again = true;
        againForced = againForced || force;
        return running;
      }
      running = options.counts().then(function (counts) {
        var key = counts.pending + '/' + counts.refused;
        if (!force && key === confirmed) {
          return false;
        }
        return Promise.resolve(options.send(counts)).then(function (ok) {
          if (ok) {
            confirmed = key;
          }
          return Boolean(ok);
        }, function () { return false; });
      }).then(function (sent) {
        running = null;
        if (again) {
          var forced = againForced;
          again = false;
          againForced = false;
          return run(forced);
        }
        return sent;
      }, function () {
        running = null;
        return false;
      });
      return running;
    }

    return {
      changed: function () { return run(false); },  // send only if the counts differ
      beat: function () { return run(true); },  // send in any case (the periodic heartbeat)
      confirmed: function () { return confirmed; }
    };
  }

  // ------------------------------------------------------------------ IndexedDB store

  function promisify(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function openDatabase(indexedDB) {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(QUEUE)) {
          db.createObjectStore(QUEUE, { keyPath: 'client_uuid' });
        }
        if (!db.objectStoreNames.contains(REFUSED)) {
          db.createObjectStore(REFUSED, { keyPath: 'client_uuid' });
        }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  /** Resolves when the transaction has committed (durability before the thank-you screen). */
  function write(db, stores, work) {
    return new Promise(function (resolve, reject) {
      var tx = db.transaction(stores, 'readwrite', { durability: 'strict' });
      work(tx);
      tx.oncomplete = function () { resolve(); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }

  function idbStore(indexedDB) {
    var opened = null;
    function database() {
      if (!opened) {
        opened = openDatabase(indexedDB);
      }
      return opened;
    }
    return {
      add: function (item) {
        return database().then(function (db) {
          return write(db, [QUEUE], function (tx) { tx.objectStore(QUEUE).add(item); });
        });
      },
      all: function () {
        return database().then(function (db) {
          var request = db.transaction([QUEUE], 'readonly').objectStore(QUEUE).getAll();
          return promisify(request).then(function (items) {
            return items.sort(function (a, b) {
              return a.completed_at < b.completed_at ? -1 : (a.completed_at > b.completed_at ? 1 : 0);
            });
          });
        });
      },
      remove: function (uuid) {
        return database().then(function (db) {
          return write(db, [QUEUE], function (tx) { tx.objectStore(QUEUE).delete(uuid); });
        });
      },
      refuse: function (item, reason) {
        return database().then(function (db) {
          return write(db, [QUEUE, REFUSED], function (tx) {
            var kept = Object.assign({}, item, { reason: reason });
            tx.objectStore(REFUSED).put(kept);
            tx.objectStore(QUEUE).delete(item.client_uuid);
          });
        });
      },
      counts: function () {
        return database().then(function (db) {
          var tx = db.transaction([QUEUE, REFUSED], 'readonly');
          return Promise.all([promisify(tx.objectStore(QUEUE).count()),
                              promisify(tx.objectStore(REFUSED).count())]);
        }).then(function (numbers) {
          return { pending: numbers[0], refused: numbers[1] };
        });
      }
    };
  }

  /** POST one item as JSON; resolves {status, body}, rejects on a network error or timeout. */
  function jsonPoster(url, extra, timeoutMs) {
    return function (item) {
      var controller = typeof AbortController !== 'undefined' ? new AbortController() : null;
      var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 20000) : null;
      var payload = Object.assign({}, item, extra ? extra() : {});
      return fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify(payload),
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return response.json().catch(function () { return null; }).then(function (body) {
          return { status: response.status, body: body };
        });
      }).finally(function () {
        if (timer) {
          clearTimeout(timer);
        }
      });
    };
  }

  return {
    backoffDelay: backoffDelay,
    classify: classify,
    createSender: createSender,
    createReporter: createReporter,
    idbStore: idbStore,
    jsonPoster: jsonPoster,
    DB_NAME: DB_NAME
  };
}));
