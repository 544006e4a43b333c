// Progress of a background job: polls its JSON status and updates the bar; reloads at the end.
// Without JavaScript the page refreshes itself (a <noscript> meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var url = box.getAttribute("data-status-url");
  var template = status.getAttribute("data-running-text");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) {
        bar.max = job.total || 1;
        bar.value = job.state === "done" ? (job.total || 1) : job.done;
        bar.textContent = job.percent + "%";
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
        if (template) {
          status.textContent = template.replace("{done}", job.done).replace("{total}", job.total);
        }
        window.setTimeout(poll, 800);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
