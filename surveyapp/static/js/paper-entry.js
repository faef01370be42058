// Paper entry: number keys select the box with that number on the paper, Enter moves on.
// Progressive enhancement only: without JavaScript, Tab, the arrow keys and Space do the same.
(function () {
  "use strict";
  var form = document.querySelector("form[data-paper-entry]");
  if (!form) {
    return;
  }
  var ALIASES = { ".": "*", ",": "*" };

  function groups() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-keys]"));
  }

  function focusable(group) {
    var checked = group.querySelector("input:checked");
    return checked || group.querySelector("input, textarea, select");
  }

  function moveOn(group) {
    var list = groups();
    var next = list[list.indexOf(group) + 1];
    var target = next ? focusable(next) : form.querySelector("button[type=submit]");
    if (target) {
      target.focus();
    }
  }

  form.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    var target = event.target;
    var group = target.closest("[data-keys]");
    if (!group) {
      return;
    }
    var kind = group.getAttribute("data-keys");
    if (event.key === "Enter") {
      if (target.tagName === "TEXTAREA") {
        return;
      }
      event.preventDefault();
      moveOn(group);
      return;
    }
    if (kind !== "single" && kind !== "multiple") {
      return;
    }
    var key = ALIASES[event.key] || event.key;
    var input = /^[0-9*]$/.test(key) ? group.querySelector('input[data-key="' + key + '"]') : null;
    if (!input) {
      return;
    }
    event.preventDefault();
    if (kind === "single") {
      input.checked = true;
      moveOn(group);
    } else {
      input.checked = !input.checked;
      input.focus();
    }
  });
})();
