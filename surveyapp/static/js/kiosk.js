/* Kiosk page: one respondent after another on a shared tablet.
   - Partial answers live only in this page's memory and form; nothing is sent before the end.
   - A finished response goes into IndexedDB (KioskQueue) with a fresh UUID, then the
     thank-you screen; delivery happens in the background and survives restarts.
   - Idle → warning with countdown → reset (KioskIdle).  Back never shows earlier answers. */
(function () {
  'use strict';

  var root = document.getElementById('kiosk');
  if (!root || !window.KioskQueue) {
    return;
  }
  var data = root.dataset;
  var mode = data.kiosk;
  var HEARTBEAT_MS = (parseInt(data.heartbeatEvery, 10) || 60) * 1000;

  // ------------------------------------------------------------------ service worker

  function registerServiceWorker() {
    if (!('serviceWorker' in navigator) || !data.sw) {
      return;
    }
    navigator.serviceWorker.register(data.sw, { scope: data.scope }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var urls = data.precache ? JSON.parse(data.precache) : [];
      if (registration.active && urls.length) {
        registration.active.postMessage({ type: 'precache', urls: urls });
      }
    }).catch(function () { /* the page still works online */ });
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persist().catch(function () {});
    }
  }

  // ------------------------------------------------------------------ queue and status

  var alertBox = document.getElementById('kiosk-alert');
  var stale = false;
  var reloadIfIdle = function () {
    if (mode !== 'app') {
      window.location.replace(data.scope);
    }
  };
  var counts = { pending: 0, refused: 0 };
  var store = window.indexedDB ? KioskQueue.idbStore(window.indexedDB) : null;
  var sender = null;

  function showCount(selector, boxId, value) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (el) {
      el.textContent = String(value);
    });
    var box = document.getElementById(boxId);
    if (box) {
      box.hidden = value === 0;
    }
  }

  function showDeviceProblem(problem) {
    var message = problem === 'revoked' ? data.msgRevoked : (problem ? data.msgUnknown : '');
    if (alertBox) {
      alertBox.textContent = message || '';
      alertBox.hidden = !message;
    }
    var start = root.querySelector('[data-action="start"]');
    if (start) {
      start.disabled = Boolean(problem);
    }
  }

  function renderState(state) {
    counts.pending = state.pending;
    counts.refused = state.refused;
    showCount('[data-pending-count]', 'kiosk-pending', state.pending);
    showCount('[data-refused-count]', 'kiosk-refused', state.refused);
    showDeviceProblem(state.device);
  }

  // The queue's length goes to the server whenever it changes and with every heartbeat; the
  // answer also says whether the device should show another page.
  function sendReport(current) {
    return fetch(data.heartbeat, {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
      body: JSON.stringify({ pending: current.pending, refused: current.refused })
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        return response.json().then(function (body) {
          showDeviceProblem(body.error || 'device');
          return false;
        });
      }
      if (!response.ok) {
        return false;
      }
      if (sender && sender.deviceProblem()) {
        sender.flush();  // enrolled again: deliver what waited
      }
      return response.json().then(function (body) {
        if (data.page && body.page && body.page !== data.page) {
          stale = true;  // another survey, version or state: reload between two people
          reloadIfIdle();
        }
        return true;
      });
    });
  }

  var reporter = (data.heartbeat && store) ? KioskQueue.createReporter({
    counts: function () { return store.counts(); },
    send: sendReport
  }) : null;

  function heartbeat() {
    if (reporter) {
      reporter.beat();  // offline: the next beat or change will tell
    }
  }

  function startQueue() {
    if (!store || !data.api) {
      return;
    }
    sender = KioskQueue.createSender({
      store: store,
      post: KioskQueue.jsonPoster(data.api),
      onState: function (state) {
        renderState(state);
        if (reporter) {
          reporter.changed();  // queued, delivered or put aside: tell the server now
        }
      },
      maxMs: (parseInt(data.retryMax, 10) || 300) * 1000
    });
    sender.report();
    sender.flush().catch(function () {});
    window.addEventListener('online', function () {
      heartbeat();
      sender.flush().catch(function () {});
    });
    heartbeat();
    setInterval(heartbeat, HEARTBEAT_MS);
    var flushButton = root.querySelector('[data-action="flush"]');
    if (flushButton) {
      flushButton.addEventListener('click', function () { sender.flush().catch(function () {}); });
    }
  }

  // The enrollment QR code carries the code in the URL's fragment (never sent to the server):
  // fill it in and take it out of the address bar and the history.
  function fillEnrollCode() {
    var match = /(?:^#|&)code=([A-Za-z0-9-]{1,20})/.exec(window.location.hash);
    var input = document.getElementById('code');
    if (match && input && !input.value) {
      input.value = match[1];
    }
    if (match) {
      history.replaceState(null, '', window.location.pathname + window.location.search);
    }
  }

  if (mode === 'enroll') {
    fillEnrollCode();
  }
  registerServiceWorker();
  startQueue();
  if (mode !== 'app') {
    return;
  }

  // ------------------------------------------------------------------ the respondent loop

  var html = document.documentElement;
  var form = document.getElementById('kiosk-form');
  var questions = Array.prototype.slice.call(form.querySelectorAll('[data-question]'));
  var screens = {
    start: document.getElementById('screen-start'),
    thanks: document.getElementById('screen-thanks'),
    submitted: document.getElementById('screen-submitted')
  };
  var warning = document.getElementById('idle-warning');
  var thanksSeconds = parseInt(data.thanks, 10) || 10;
  var current = { screen: 'start', index: 0, uuid: null, busy: false };
  var thanksTimer = null;

  function newUuid() {
    if (window.crypto && crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function allScreens() {
    return [screens.start, screens.thanks, screens.submitted].concat(questions);
  }

  function show(name, index) {
    var target = name === 'question' ? questions[index] : screens[name];
    allScreens().forEach(function (el) { el.hidden = el !== target; });
    current.screen = name;
    current.index = index || 0;
    root.classList.toggle('kiosk-on-start', name === 'start');
    window.scrollTo(0, 0);
    var heading = target.querySelector('[tabindex="-1"]');
    if (heading) {
      heading.focus();
    }
  }

  // --- idle warning

  function setSeconds(seconds) {
    Array.prototype.forEach.call(warning.querySelectorAll('[data-idle-seconds]'), function (el) {
      el.textContent = String(seconds);
    });
  }

  function openWarning(seconds) {
    if (current.screen === 'start') {
      nextPerson();  // someone changed the language or text size and walked away
      return;
    }
    setSeconds(seconds);
    root.inert = true;
    warning.hidden = false;
    warning.querySelector('[data-action="continue"]').focus();
  }

  function closeWarning() {
    warning.hidden = true;
    root.inert = false;
  }

  var idle = KioskIdle.createIdleTimer({
    idleMs: (parseInt(data.idle, 10) || 60) * 1000,
    countdownMs: (parseInt(data.countdown, 10) || 30) * 1000,
    onWarn: openWarning,
    onTick: setSeconds,
    onExpire: function () {
      closeWarning();
      nextPerson();
    }
  });

  ['pointerdown', 'keydown', 'input', 'wheel', 'touchstart'].forEach(function (type) {
    root.addEventListener(type, function () { idle.activity(); }, { passive: true });
  });
  warning.querySelector('[data-action="continue"]').addEventListener('click', function () {
    closeWarning();
    idle.keepGoing();
    show(current.screen, current.index);
  });

  // --- answers

  function clearErrors(section) {
    var error = section.querySelector('.kiosk-error');
    if (error) {
      error.hidden = true;
      error.textContent = '';
    }
    Array.prototype.forEach.call(section.querySelectorAll('input, textarea'), function (input) {
      input.removeAttribute('aria-invalid');
    });
    var described = section.querySelector('fieldset, .kiosk-text');
    if (described && described.dataset.describedby !== undefined) {
      described.setAttribute('aria-describedby', described.dataset.describedby);
    }
  }

  function clearAnswers() {
    form.reset();
    Array.prototype.forEach.call(form.querySelectorAll('input'), function (input) {
      if (input.type === 'radio' || input.type === 'checkbox') {
        input.checked = false;
      } else {
        input.value = '';
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll('textarea'), function (area) { area.value = ''; });
    questions.forEach(clearErrors);
  }

  function answerOf(section) {
    var type = section.dataset.type;
    if (type === 'single') {
      var checked = section.querySelector('input:checked');
      return checked ? checked.value : null;
    }
    if (type === 'multiple') {
      var values = Array.prototype.map.call(section.querySelectorAll('input:checked'), function (i) { return i.value; });
      return values.length ? values : null;
    }
    var text = section.querySelector('.kiosk-text').value.replace(/\r\n/g, '\n').trim();
    return text ? text : null;
  }

  function problemOf(section) {
    var value = answerOf(section);
    if (value === null) {
      return section.dataset.required === 'true' ? section.dataset.msgRequired : null;
    }
    if (section.dataset.type === 'multiple' && value.length > 1 &&
        section.querySelector('input[data-exclusive]:checked')) {
      return section.dataset.msgExclusive;
    }
    var max = parseInt(section.dataset.maxLength, 10);
    if (typeof value === 'string' && max && Array.from(value).length > max) {
      return section.dataset.msgTooLong;
    }
    return null;
  }

  function showProblem(section, message) {
    var error = section.querySelector('.kiosk-error');
    error.textContent = message;
    error.hidden = false;
    var described = section.querySelector('fieldset, .kiosk-text');
    if (described.dataset.describedby === undefined) {
      described.dataset.describedby = described.getAttribute('aria-describedby') || '';
    }
    described.setAttribute('aria-describedby', (described.dataset.describedby + ' ' + error.id).trim());
    var first = section.querySelector('input, textarea');
    Array.prototype.forEach.call(section.querySelectorAll('input, textarea'), function (input) {
      input.setAttribute('aria-invalid', 'true');
    });
    first.focus();
  }

  function collect() {
    var answers = {};
    questions.forEach(function (section) {
      var value = answerOf(section);
      if (value !== null) {
        answers[section.dataset.question] = value;
      }
    });
    return answers;
  }

  // A "does not apply" option and the others exclude each other.
  form.addEventListener('change', function (event) {
    var input = event.target;
    if (input.type !== 'checkbox' || !input.checked) {
      return;
    }
    var section = input.closest('[data-question]');
    Array.prototype.forEach.call(section.querySelectorAll('input[type="checkbox"]:checked'), function (other) {
      if (other !== input && (input.dataset.exclusive || other.dataset.exclusive)) {
        other.checked = false;
      }
    });
  });

  // --- moving through the loop

  function resetRespondent() {
    idle.stop();
    closeWarning();
    if (thanksTimer !== null) {
      clearInterval(thanksTimer);
      thanksTimer = null;
    }
    clearAnswers();
    current.uuid = null;
    current.busy = false;
    try {
      sessionStorage.clear();
    } catch (e) { /* storage disabled */ }
    html.classList.remove('kiosk-large', 'kiosk-no-furigana');
    Array.prototype.forEach.call(root.querySelectorAll('[data-toggle]'), function (button) {
      button.setAttribute('aria-pressed', button.dataset.toggle === 'furigana' ? 'true' : 'false');
    });
  }

  reloadIfIdle = function () {
    if (current.screen === 'start' && warning.hidden) {
      nextPerson();
    }
  };

  function nextPerson() {
    resetRespondent();
    if (stale) {
      window.location.replace(data.home);
      return;
    }
    if (data.lang !== data.defaultLang) {
      window.location.replace(data.home);
      return;
    }
    show('start');
  }

  function startThanksCountdown() {
    var left = thanksSeconds;
    var label = screens.thanks.querySelector('[data-thanks-seconds]');
    if (label) {
      label.textContent = String(left);
    }
    thanksTimer = setInterval(function () {
      left -= 1;
      if (label) {
        label.textContent = String(Math.max(left, 0));
      }
      if (left <= 0) {
        nextPerson();
      }
    }, 1000);
  }

  function submit(button) {
    if (current.busy) {
      return;
    }
    current.busy = true;
    button.disabled = true;
    var item = {
      client_uuid: current.uuid,
      link: data.link,
      version: parseInt(data.version, 10),
      answers: collect(),
      language: data.lang,  // the language this respondent answered in
      completed_at: new Date().toISOString()
    };
    store.add(item).then(function () {
      idle.stop();
      clearAnswers();
      current.uuid = null;
      show('thanks');
      startThanksCountdown();
      sender.report();  // one more waiting: shown here and reported to the server at once
      sender.flush().catch(function () {});
    }, function () {
      if (alertBox) {
        alertBox.textContent = data.msgUnknown || '';
        alertBox.hidden = false;
      }
    }).then(function () {
      current.busy = false;
      button.disabled = false;
    });
  }

  root.addEventListener('click', function (event) {
    var button = event.target.closest('[data-action]');
    if (!button || button.disabled) {
      return;
    }
    var action = button.dataset.action;
    if (action === 'start') {
      clearAnswers();  // keeps the language and text size just chosen
      current.uuid = newUuid();
      show('question', 0);
      idle.start();
    } else if (action === 'next') {
      var section = questions[current.index];
      clearErrors(section);
      var problem = problemOf(section);
      if (problem) {
        showProblem(section, problem);
      } else if (current.index + 1 < questions.length) {
        show('question', current.index + 1);
      } else {
        submit(button);
      }
    } else if (action === 'back') {
      goBack();
    } else if (action === 'next-person') {
      nextPerson();
    }
  });

  function goBack() {
    if (current.screen === 'question' && current.index > 0) {
      show('question', current.index - 1);
    } else if (current.screen === 'question') {
      clearAnswers();
      current.uuid = null;
      show('start');
      idle.start();  // left on the start screen: reset for the next person after a while
    } else if (current.screen === 'thanks') {
      show('submitted');
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();  // answers never leave the page as a form post (or in a URL)
  });

  // Language and text size: chosen per respondent, never remembered for the next one.
  Array.prototype.forEach.call(root.querySelectorAll('[data-language]'), function (link) {
    link.addEventListener('click', function (event) {
      event.preventDefault();
      window.location.replace(link.href);  // no history entry
    });
  });
  Array.prototype.forEach.call(root.querySelectorAll('[data-toggle]'), function (button) {
    button.addEventListener('click', function () {
      var on = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', on ? 'true' : 'false');
      if (button.dataset.toggle === 'large') {
        html.classList.toggle('kiosk-large', on);
      } else {
        html.classList.toggle('kiosk-no-furigana', !on);
      }
      idle.start();
    });
  });

  // Back button and history: one guard entry keeps every step inside this page.
  history.replaceState({ kiosk: 'base' }, '');
  history.pushState({ kiosk: 'guard' }, '');
  window.addEventListener('popstate', function () {
    history.pushState({ kiosk: 'guard' }, '');
    if (!warning.hidden) {
      return;
    }
    goBack();
  });

  // A page restored from the back/forward cache starts over with nobody's answers.
  window.addEventListener('pagehide', function () { clearAnswers(); });
  window.addEventListener('pageshow', function (event) {
    if (event.persisted) {
      nextPerson();
    }
  });

  clearAnswers();  // nothing restored by the browser's form memory
  show('start');
}());
