// Anyam's only script: small progressive enhancements; every page works without it.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Copy buttons (hidden without JavaScript): copy a link's text, say so in a live region.
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      if (!navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        var status = document.querySelector(".copy-status");
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          if (status) { status.textContent = button.dataset.copied; }
        });
      });
    });
    // Stacked tables on narrow screens: each cell says which column it belongs to.
    document.querySelectorAll("table:not(.matrix)").forEach(function (table) {
      var heads = table.querySelectorAll("thead th");
      if (!heads.length) { return; }
      table.querySelectorAll("tbody tr, tfoot tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          var head = heads[column];
          if (head && cell.tagName === "TD" && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", head.textContent.trim());
          }
          column += cell.colSpan || 1;
        });
      });
    });
    // After a failed submit, focus moves to the error summary so it is read out first.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
    // Suggest the browser's time zone in empty or default zone pickers.
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = null; }
    if (!zone) { return; }
    document.querySelectorAll("select[data-suggest-timezone]").forEach(function (select) {
      if (select.dataset.userChosen === "1") { return; }
      var has = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
      var hint = document.getElementById(select.id + "-browser");
      // data-prefer-device: the selected zone is only a server-side default (a visitor's
      // form pre-filled with the training's zone): this device's zone replaces it.
      var preferDevice = select.dataset.preferDevice === "1";
      if (has && (preferDevice || !select.querySelector("option[selected]"))) { select.value = zone; }
      if (has && hint) { hint.textContent = zone; }
      // A saved zone that differs from this device's: offer the device's zone, never impose it.
      var label = select.dataset.suggestLabel;
      if (has && label && !preferDevice && select.value !== zone) {
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
