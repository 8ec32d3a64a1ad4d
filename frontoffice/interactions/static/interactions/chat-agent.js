// The agent's chat pages: live refresh over the agent stream, and Enter sends the reply.
// Without a stream (a WSGI server answers 204) htmx's polling keeps the pages current.
(function () {
  "use strict";
  var root = document.querySelector("[data-chat-stream]");
  if (root && window.EventSource) {
    var only = root.getAttribute("data-chat-conversation");
    var source = new EventSource(root.getAttribute("data-chat-stream"));
    source.addEventListener("chat", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (error) { return; }
      if (only && String(data.conversation) !== only) { return; }
      document.body.dispatchEvent(new CustomEvent("chat-refresh"));
    });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.matches || !target.matches("textarea[data-chat-reply]")) { return; }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (target.value.trim() && target.form) { target.form.requestSubmit(); }
    }
  });
})();
