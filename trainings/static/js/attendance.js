// Roll call: save each person when their status or note changes (progressive
// enhancement: without JavaScript the "Save changes" button posts only what changed).
// Arrow keys move through a radio group and fire "change" at every step, so a status is
// saved once the focus leaves that person's group, or after a pause of PAUSE ms; a
// note is saved on "change" (when it loses focus). The server ignores unchanged writes.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.roll-call[data-autosave]");
    if (!form || !window.fetch || !window.FormData) { return; }
    var live = document.getElementById("autosave-status");
    var queue = Promise.resolve();
    var PAUSE = 1500;
    var timers = {};

    function announce(text) {
      // cleared first, so that the same message twice is announced twice
      live.textContent = "";
      window.setTimeout(function () { live.textContent = text; }, 50);
    }

    function field(name) { return form.elements.namedItem(name); }

    function payload(id) {
      var data = new FormData();
      var token = field("csrf_token");
      if (token) { data.append("csrf_token", token.value); }
      var checked = form.querySelector("input[type=radio][name='status-" + id + "']:checked");
      if (checked) { data.append("status-" + id, checked.value); }
      ["orig-status-", "note-", "orig-note-"].forEach(function (prefix) {
        var element = field(prefix + id);
        if (element) { data.append(prefix + id, element.value); }
      });
      return data;
    }

    function pending(id) {
      var checked = form.querySelector("input[type=radio][name='status-" + id + "']:checked");
      var note = field("note-" + id);
      return (checked ? checked.value : "") !== field("orig-status-" + id).value
        || (note && note.value.trim() !== field("orig-note-" + id).value.trim());
    }

    function flush(id) {
      if (timers[id]) { window.clearTimeout(timers[id]); delete timers[id]; }
      if (pending(id)) { save(id); }
    }

    function save(id) {
      queue = queue.then(function () {
        return fetch(form.action, {
          method: "POST", body: payload(id), credentials: "same-origin",
          headers: {"X-Requested-With": "fetch", "Accept": "application/json"}
        }).then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        }).then(function (result) {
          if (!result.ok) {
            announce((result.body.error && result.body.error.message) || form.dataset.failed);
            return;
          }
          result.body.records.forEach(function (record) {
            field("orig-status-" + record.enrolment).value = record.status || "";
            field("orig-note-" + record.enrolment).value = record.note || "";
            var cell = document.getElementById("last-" + record.enrolment);
            if (cell) { cell.textContent = record.last_change; }
          });
          if (result.body.changed) { announce(result.body.message); }
        }).catch(function () { announce(form.dataset.failed); });
      });
    }

    form.addEventListener("change", function (event) {
      var match = /^(status|note)-(\d+)$/.exec(event.target.name || "");
      if (!match) { return; }
      var id = match[2];
      if (match[1] === "note") { flush(id); return; }
      if (timers[id]) { window.clearTimeout(timers[id]); }
      timers[id] = window.setTimeout(function () { delete timers[id]; flush(id); }, PAUSE);
    });
    // leaving a person's status group (Tab, a click elsewhere) saves at once
    form.addEventListener("focusout", function (event) {
      var match = /^status-(\d+)$/.exec(event.target.name || "");
      if (!match) { return; }
      var group = event.target.closest("fieldset");
      if (event.relatedTarget && group && group.contains(event.relatedTarget)) { return; }
      if (timers[match[1]]) { flush(match[1]); }
    });
    // the "Save changes" button still posts the whole form: nothing is waiting then
    form.addEventListener("submit", function () {
      Object.keys(timers).forEach(function (id) { window.clearTimeout(timers[id]); });
    });
  });
})();
