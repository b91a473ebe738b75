/* Network state for the public pages (kiosk, phone) and the staff console: when an htmx request
   cannot reach the server (network cut, server restarting) or times out, a banner says so at
   once and the page asks a tiny URL every 2 s until the server answers, then hides it by
   itself. A request answered with an error status shows the error line instead. Needs an
   element #net-banner (and optionally #net-error) and data-ping on any element. */
(function () {
  "use strict";
  var banner = document.getElementById("net-banner");
  if (!banner) return;
  var errorLine = document.getElementById("net-error");
  var pingHolder = document.querySelector("[data-ping]");
  var pingUrl = pingHolder ? pingHolder.dataset.ping : "/ping";
  var timer = null;

  function show() {
    banner.hidden = false;
    if (errorLine) errorLine.hidden = true;
    if (!timer) timer = window.setInterval(ping, 2000);
  }
  function hide() {
    banner.hidden = true;
    if (timer) { window.clearInterval(timer); timer = null; }
  }
  function ping() {
    fetch(pingUrl, { cache: "no-store" }).then(function (response) {
      if (response.ok) hide();
    }).catch(function () { /* still down */ });
  }
  document.addEventListener("htmx:sendError", show);
  document.addEventListener("htmx:timeout", show);
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!status) { show(); return; }
    hide();
    if (errorLine) errorLine.hidden = false;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      hide();
      if (errorLine) errorLine.hidden = true;
    }
  });
  window.__netstate = { show: show, hide: hide };
})();
