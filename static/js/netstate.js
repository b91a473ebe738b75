/* Network state for the public pages (kiosk, phone) and the staff console: when an htmx request
   cannot reach the server (network cut, server restarting) or times out, a banner says so at
   once; when a request has had no answer for 3 s (a hung server or network), it says so then,
   without cancelling the request (a slow one still completes and hides the banner). While
   shown, the page asks a tiny URL every 2 s until the server answers, then hides it by itself.
   A request answered with an error status shows the error line instead. Needs an element
   #net-banner (and optionally #net-error) and data-ping on any element. */
(function () {
  "use strict";
  var banner = document.getElementById("net-banner");
  if (!banner) return;
  var errorLine = document.getElementById("net-error");
  var pingHolder = document.querySelector("[data-ping]");
  var pingUrl = pingHolder ? pingHolder.dataset.ping : "/ping";
  var timer = null;
  var SLOW_MS = 3000;  // no answer for this long: say so (the request goes on)
  var PING_MS = 2000;  // a ping that hangs this long counts as no answer
  var pinging = false;

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
    if (pinging) return;  // a hung ping is not stacked with more
    pinging = true;
    var options = { cache: "no-store" };
    var abort = null;
    if (window.AbortController) {
      var controller = new AbortController();
      options.signal = controller.signal;
      abort = window.setTimeout(function () { controller.abort(); }, PING_MS);
    }
    fetch(pingUrl, options).then(function (response) {
      if (response.ok) hide();
    }).catch(function () { /* still down */ }).then(function () {
      if (abort) window.clearTimeout(abort);
      pinging = false;
    });
  }
  // Started when the request is sent (htmx:beforeSend comes after every cancellable step of
  // htmx:beforeRequest, so each started timer meets its htmx:afterRequest).
  document.addEventListener("htmx:beforeSend", function (event) {
    var xhr = event.detail.xhr;
    if (xhr) xhr.netSlowTimer = window.setTimeout(show, SLOW_MS);
  });
  document.addEventListener("htmx:sendError", show);
  document.addEventListener("htmx:timeout", show);
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (!status) { show(); return; }
    hide();
    if (errorLine) errorLine.hidden = false;
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    // Fired for every end of a request (answer, error, timeout, abort): no slow banner now.
    var xhr = event.detail.xhr;
    if (xhr && xhr.netSlowTimer) { window.clearTimeout(xhr.netSlowTimer); xhr.netSlowTimer = null; }
    if (event.detail.successful) {
      hide();
      if (errorLine) errorLine.hidden = true;
    }
  });
  window.__netstate = { show: show, hide: hide };
})();
