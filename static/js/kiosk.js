/* Kiosk behaviour: live clock, idle timeout back to the home screen with a visible countdown,
   no context menu (long press) and no accidental zoom. No inline scripts (CSP). */
(function () {
  "use strict";
  var shell = document.querySelector(".kiosk-shell");
  if (!shell) return;
  var idleSeconds = parseFloat(shell.dataset.idleSeconds || "60");
  var countdownSeconds = parseFloat(shell.dataset.idleCountdown || "10");
  var homeUrl = shell.dataset.homeUrl || "/";
  var zone = shell.dataset.timezone || "Asia/Shanghai";
  var locale = shell.dataset.locale || "zh-CN";
  var clock = document.getElementById("clock");
  var overlay = document.getElementById("idle-overlay");
  var countEl = document.getElementById("idle-count");
  var lastActivity = Date.now();

  function tick() {
    if (clock) {
      var now = new Date();
      clock.textContent = now.toLocaleDateString(locale, { timeZone: zone, year: "numeric", month: "long",
        day: "numeric", weekday: "long" }) + " " + now.toLocaleTimeString(locale, { timeZone: zone,
        hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
    }
    var atHome = window.location.pathname === homeUrl;
    var idle = (Date.now() - lastActivity) / 1000;
    if (atHome || idle < idleSeconds) {
      overlay.hidden = true;
      return;
    }
    var left = Math.ceil(idleSeconds + countdownSeconds - idle);
    if (left <= 0) {
      window.location.href = homeUrl;
      return;
    }
    overlay.hidden = false;
    countEl.textContent = String(left);
  }

  function activity() {
    lastActivity = Date.now();
    if (overlay && !overlay.hidden) overlay.hidden = true;
  }

  ["pointerdown", "touchstart", "keydown"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true, capture: true });
  });
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  document.addEventListener("selectstart", function (event) { event.preventDefault(); });
  document.addEventListener("htmx:afterSwap", activity);
  var stay = document.getElementById("idle-stay");
  if (stay) stay.addEventListener("click", activity);
  tick();
  window.setInterval(tick, 250);
})();
