// Anyam's only script: small progressive enhancements; every page works without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // The language select submits on change; the button stays for keyboard and no-JS use.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // Suggest the browser's time zone in empty or default zone pickers.
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
    if (!zone) { return; }
    document.querySelectorAll("select[data-suggest-timezone]").forEach(function (select) {
      if (select.dataset.userChosen === "1") { return; }
      var has = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
      var hint = document.getElementById(select.id + "-browser");
      if (has && !select.querySelector("option[selected]")) { select.value = zone; }
      if (has && hint) { hint.textContent = zone; }
      // A saved zone that differs from this device's: offer the device's zone, never impose it.
      var label = select.dataset.suggestLabel;
      if (has && label && select.value !== zone) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button-secondary suggest-zone";
        button.textContent = label + " " + zone;
        button.addEventListener("click", function () {
          select.value = zone;
          select.focus();
          button.remove();
        });
        select.insertAdjacentElement("afterend", button);
      }
    });
  });
})();
