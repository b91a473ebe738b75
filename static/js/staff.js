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
  // The registration form shows the materials of the service chosen.
  document.addEventListener("change", function (event) {
    if (!event.target.matches || !event.target.matches("[data-case-service]")) return;
    var form = event.target.form;
    form.querySelectorAll(".material-group").forEach(function (group) {
      group.hidden = group.dataset.service !== event.target.value;
      if (group.hidden) group.querySelectorAll("input").forEach(function (box) { box.checked = false; });
    });
    var limit = event.target.selectedOptions[0].dataset.limit;
    var days = form.querySelector("[name=days]");
    if (days && limit && limit !== "0") days.value = limit;
  });
  // A console action swaps only what changed, so the registration form may still carry the
  // previous ticket's service: when it opens for a new ticket, choose that ticket's service.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.id !== "case-form" || !details.open) return;
    var form = details.querySelector("form");
    var current = document.getElementById("case-ticket");
    if (!form || !current || !current.dataset.ticket) return;
    if (form.dataset.appliedTicket === current.dataset.ticket) return;
    form.dataset.appliedTicket = current.dataset.ticket;
    var select = form.querySelector("[data-case-service]");
    if (select && select.value !== current.dataset.service) {
      select.value = current.dataset.service;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var panel = document.getElementById("panel");
    if (!panel || event.detail.elt !== panel) return; // only the timed refresh
    var busy = panel.querySelector("details[open]") || (document.activeElement && panel.contains(document.activeElement)
      && typing(document.activeElement));
    if (busy) event.preventDefault();
  });
})();
