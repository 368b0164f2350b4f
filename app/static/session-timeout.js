/* Idle-timeout warning (issue 7 §1). The server ends a session after data-idle-seconds without a
 * request; this script shows the #session-timeout banner data-warn-seconds before that and lets the
 * user extend the session with a POST to data-keepalive-url (CSRF token from <meta name="csrf-token">).
 * No inline script or style: the page only carries data attributes (CSP script-src 'self'). */
(function () {
  "use strict";
  var banner = document.getElementById("session-timeout");
  if (!banner) { return; }
  var idleMs = parseInt(banner.getAttribute("data-idle-seconds"), 10) * 1000;
  var warnMs = parseInt(banner.getAttribute("data-warn-seconds"), 10) * 1000;
  var url = banner.getAttribute("data-keepalive-url");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var text = banner.querySelector(".session-timeout-text");
  var button = banner.querySelector(".session-timeout-extend");
  var warnTimer = null;
  var expireTimer = null;

  function expired() {
    text.textContent = banner.getAttribute("data-expired-text");
    button.hidden = true;
    banner.hidden = false;
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(expireTimer);
    banner.hidden = true;
    warnTimer = window.setTimeout(function () { banner.hidden = false; button.focus(); }, Math.max(idleMs - warnMs, 0));
    expireTimer = window.setTimeout(expired, idleMs);
  }

  function extend() {
    button.disabled = true;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": meta ? meta.getAttribute("content") : "", "Accept": "application/json" }
    }).then(function (response) {
      button.disabled = false;
      if (response.ok) { schedule(); } else { expired(); }
    }).catch(function () { button.disabled = false; });
  }

  if (!idleMs || !url) { return; }
  button.addEventListener("click", extend);
  schedule();
}());
