/* The check-in page: scan QR codes with the camera (jsQR, vendored in static/vendor/jsqr),
   send each code to the server; while offline keep the scans in localStorage and send them
   when the "online" event fires. No inline script (CSP); the search form works without JS. */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var url = root.dataset.url, csrf = root.dataset.csrf;
  var key = "anyam-checkin-queue-" + root.dataset.session;
  var video = document.getElementById("camera");
  var canvas = document.getElementById("frame");
  var status = document.getElementById("scan-status");
  var log = document.getElementById("scan-log");
  var startButton = document.getElementById("start-camera");
  var stopButton = document.getElementById("stop-camera");
  var stream = null, lastCode = "", lastAt = 0;

  function say(text) { status.textContent = text; }
  function note(text) {
    var item = document.createElement("li");
    item.textContent = new Date().toLocaleTimeString() + " · " + text;
    log.insertBefore(item, log.firstChild);
  }
  function queue() {
    try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function keep(codes) { localStorage.setItem(key, JSON.stringify(codes)); }
  function enqueue(code) {
    var codes = queue();
    if (codes.indexOf(code) < 0) { codes.push(code); keep(codes); }
    say(root.dataset.queued.replace("{num}", String(codes.length)));
  }

  function send(code) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify({code: code})
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { return {ok: true, text: body.message}; }
        var error = body.error || {};
        return {ok: false, text: error.message || root.dataset.unknown, final: response.status < 500};
      });
    });
  }

  function checkIn(code) {
    if (!navigator.onLine) { enqueue(code); return; }
    send(code).then(function (result) {
      say(result.text); note(result.text);
      if (!result.ok && !result.final) { enqueue(code); }
    }, function () { enqueue(code); });
  }

  function flush() {
    var codes = queue();
    if (!codes.length) { return; }
    keep([]);
    var rest = [];
    var chain = Promise.resolve();
    codes.forEach(function (code) {
      chain = chain.then(function () {
        return send(code).then(function (result) { note(result.text); if (!result.ok && !result.final) { rest.push(code); } },
                               function () { rest.push(code); });
      });
    });
    chain.then(function () {
      keep(rest.concat(queue()));
      if (!rest.length) { say(root.dataset.sent); }
    });
  }

  function tick() {
    if (!stream) { return; }
    if (video.readyState === video.HAVE_ENOUGH_DATA && window.jsQR) {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", {willReadFrequently: true});
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      var now = Date.now();
      if (found && found.data && (found.data !== lastCode || now - lastAt > 4000)) {
        lastCode = found.data; lastAt = now;
        checkIn(found.data.trim());
      }
    }
    window.requestAnimationFrame(tick);
  }

  function start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(root.dataset.noCamera); return;
    }
    navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
      .then(function (s) {
        stream = s; video.srcObject = s; video.hidden = false;
        startButton.hidden = true; stopButton.hidden = false;
        video.play(); window.requestAnimationFrame(tick);
      }, function () { say(root.dataset.noCamera); });
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null; video.hidden = true; startButton.hidden = false; stopButton.hidden = true;
    startButton.focus();
  }

  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", stop);
  window.addEventListener("online", flush);
  if (navigator.onLine) { flush(); } else if (queue().length) { enqueue(queue()[0]); }
  window.anyamCheckIn = checkIn;  /* for tests and a manual code field */
})();
