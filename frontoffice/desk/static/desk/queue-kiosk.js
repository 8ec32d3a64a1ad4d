// The lobby kiosk goes back to its start screen when left alone, so nobody sees the previous person's ticket.
(function () {
  "use strict";
  var kiosk = document.getElementById("kiosk");
  if (!kiosk) { return; }
  var seconds = parseInt(kiosk.dataset.idle, 10) || 60;
  var timer = null;
  function arm() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { window.location.replace(kiosk.dataset.home); }, seconds * 1000);
  }
  ["click", "touchstart", "keydown"].forEach(function (name) { document.addEventListener(name, arm); });
  arm();
})();
