/* Visitors have no saved time zone: tell the server the browser's zone once, then show the
   page again with its dates in that zone. Without JavaScript the page names UTC. */
(function () {
  "use strict";
  var marker = document.querySelector("[data-viewer-zone]");
  if (!marker || !window.fetch || !window.Intl) { return; }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var token = document.querySelector("input[name=csrf_token]");
  if (!zone || !token || zone === marker.getAttribute("data-viewer-zone")) { return; }
  if (window.sessionStorage && sessionStorage.getItem("anyam-zone-sent") === zone) { return; }
  var body = new URLSearchParams({ tz: zone, csrf_token: token.value });
  fetch(marker.getAttribute("data-zone-url"), { method: "POST", body: body, credentials: "same-origin" })
    .then(function (response) {
      if (response.status === 204) {
        if (window.sessionStorage) { sessionStorage.setItem("anyam-zone-sent", zone); }
        window.location.reload();
      }
    });
})();
