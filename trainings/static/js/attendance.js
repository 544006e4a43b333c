// Roll call: save each person as soon as their status or note changes (progressive
// enhancement: without JavaScript the "Save changes" button posts only what changed).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.roll-call[data-autosave]");
    if (!form || !window.fetch || !window.FormData) { return; }
    var live = document.getElementById("autosave-status");
    var queue = Promise.resolve();

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

    function save(id) {
      queue = queue.then(function () {
        return fetch(form.action, {
          method: "POST", body: payload(id), credentials: "same-origin",
          headers: {"X-Requested-With": "fetch", "Accept": "application/json"}
        }).then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        }).then(function (result) {
          if (!result.ok) {
            live.textContent = (result.body.error && result.body.error.message) || form.dataset.failed;
            return;
          }
          result.body.records.forEach(function (record) {
            field("orig-status-" + record.enrolment).value = record.status || "";
            field("orig-note-" + record.enrolment).value = record.note || "";
            var cell = document.getElementById("last-" + record.enrolment);
            if (cell) { cell.textContent = record.last_change; }
          });
          live.textContent = result.body.message;
        }).catch(function () { live.textContent = form.dataset.failed; });
      });
    }

    form.addEventListener("change", function (event) {
      var match = /^(?:status|note)-(\d+)$/.exec(event.target.name || "");
      if (match) { save(match[1]); }
    });
  });
})();
