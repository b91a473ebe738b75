/* Phone status page: beep and vibrate once when the number is close (≤ 3 ahead) and when called.
   The status fragment is refreshed by htmx polling; this watches each new fragment. */
(function () {
  "use strict";
  var main = document.querySelector(".phone-main");
  var alerted = {};
  var audio = null;

  function alertIfNeeded() {
    var card = document.querySelector(".phone-card");
    if (!card || card.dataset.alert !== "yes") return;
    var key = card.dataset.alertKey;
    if (alerted[key]) return;
    alerted[key] = true;
    window.__phoneAlerts = (window.__phoneAlerts || []).concat([key]);
    if (navigator.vibrate) { try { navigator.vibrate([300, 150, 300]); } catch (e) { /* not allowed */ } }
    try {
      audio = audio || new Audio(main.dataset.chime);
      audio.currentTime = 0;
      var played = audio.play();
      if (played && played.catch) played.catch(function () { /* needs a tap first on some phones */ });
    } catch (e) { /* no audio */ }
  }

  document.addEventListener("htmx:afterSwap", alertIfNeeded);
  alertIfNeeded();
})();
