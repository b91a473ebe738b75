/* Staff console: keyboard shortcuts for every button (letters shown on the buttons), and the
   self-refreshing panel held still while a transfer or registration form is open. */
(function () {
  "use strict";
  function typing(target) {
    return target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(event.target)) return;
    var key = event.key.toUpperCase();
    var target = document.querySelector('#panel [data-key="' + key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "SUMMARY") {
      var details = target.parentElement;
      details.open = !details.open;
      var first = details.querySelector("input, select");
      if (details.open && first) first.focus();
    } else if (!target.disabled) {
      target.click();
    }
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = document.getElementById("panel");
    if (!panel || event.detail.elt !== panel) return; // only the timed refresh
    var busy = panel.querySelector("details[open]") || (document.activeElement && panel.contains(document.activeElement)
      && typing(document.activeElement));
    if (busy) event.preventDefault();
  });
})();
