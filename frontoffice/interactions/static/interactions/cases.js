// Cases: the queue re-fetches its rows when a case changes (SSE); the reply box sends on Ctrl+Enter.
(function () {
  "use strict";

  function listen() {
    var rows = document.getElementById("case-rows");
    if (!rows || !window.EventSource) return;
    var source = new EventSource(rows.getAttribute("data-live-url"));
    var pending = null;
    source.addEventListener("case", function () {
      if (pending) return;
      // Several changes in a burst give one refresh.
      pending = window.setTimeout(function () {
        pending = null;
        var current = document.getElementById("case-rows");
        if (current && window.htmx) window.htmx.trigger(current, "case-changed");
      }, 300);
    });
  }

  function sendOnCtrlEnter(event) {
    var box = event.target;
    if (!box.matches || !box.matches("textarea[data-send-on-ctrl-enter]")) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (box.form) box.form.requestSubmit();
    }
  }

  document.addEventListener("keydown", sendOnCtrlEnter);
  document.addEventListener("DOMContentLoaded", listen);
})();
