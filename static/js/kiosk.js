/* Kiosk behaviour: live clock, idle timeout back to the home screen with a visible countdown,
   no context menu (long press) and no accidental zoom. No inline scripts (CSP). */
(function () {
  "use strict";
  var shell = document.querySelector(".kiosk-shell");
  if (!shell) return;
  var idleSeconds = parseFloat(shell.dataset.idleSeconds || "60");
  var countdownSeconds = parseFloat(shell.dataset.idleCountdown || "10");
  var homeUrl = shell.dataset.homeUrl || "/";
  // The idle return also puts the language back to the hall's own for the next resident.
  var resetUrl = homeUrl + "?lang=" + encodeURIComponent(shell.dataset.defaultLang || "zh_CN");
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
    // Home in the hall's language is where an idle kiosk rests; home in another language is not.
    var defaultLang = (shell.dataset.defaultLang || "zh_CN").slice(0, 2);
    var atHome = window.location.pathname === homeUrl &&
      (document.documentElement.lang || "").slice(0, 2) === defaultLang;
    var idle = (Date.now() - lastActivity) / 1000;
    if (atHome || idle < idleSeconds) {
      overlay.hidden = true;
      return;
    }
    var left = Math.ceil(idleSeconds + countdownSeconds - idle);
    if (left <= 0) {
      window.location.href = resetUrl;
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
  // The re-queue keypad: keys type into the field last touched (the number field first).
  var keypadField = null;
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-keypad-target]")) keypadField = event.target;
  });
  document.addEventListener("click", function (event) {
    var key = event.target.closest ? event.target.closest(".keypad [data-key]") : null;
    if (!key) return;
    var field = keypadField && document.body.contains(keypadField) ? keypadField
      : document.querySelector("[data-keypad-target]");
    if (!field) return;
    var value = key.dataset.key;
    if (value === "back") field.value = field.value.slice(0, -1);
    else if (value === "clear") field.value = "";
    else if (field.value.length < (field.maxLength > 0 ? field.maxLength : 8)) field.value += value;
    if ((field.id === "requeue-number" || field.dataset.keypadNext) && /^[A-Z]{1,2}\d{3}$/.test(field.value)) {
      var check = document.getElementById(field.dataset.keypadNext || "requeue-check");
      if (check) { check.focus(); keypadField = check; }
    }
  });
  var stay = document.getElementById("idle-stay");
  if (stay) stay.addEventListener("click", activity);
  tick();
  window.setInterval(tick, 250);
})();
