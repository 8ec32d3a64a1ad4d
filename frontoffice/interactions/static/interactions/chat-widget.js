/* Front Office web chat widget. Embed with one tag on your website:
 *   <script src="https://YOUR_FRONT_OFFICE/static/interactions/chat-widget.js" data-widget="TOKEN" defer></script>
 * No third-party services, no cookies: the visitor's signed key lives in sessionStorage.
 * The widget builds its DOM in a shadow root with its own stylesheet (no inline styles), speaks
 * Polish or English by the page's lang (its texts come from the server with its settings), receives
 * messages over Server-Sent Events and polls
 * when a stream is not available. Every text is inserted as text, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.getAttribute("data-widget")) { return; }
  var token = script.getAttribute("data-widget");
  var src = new URL(script.src, document.baseURI);
  var base = src.origin;
  var api = base + "/interactions/chat/" + encodeURIComponent(token) + "/";
  var streamBase = base + "/events/interactions/chat/visitor/" + encodeURIComponent(token) + "/";
  var cssUrl = src.href.replace(/chat-widget\.js(\?.*)?$/, "chat-widget.css");
  var pageLang = (document.documentElement.getAttribute("lang") || navigator.language || "pl").toLowerCase();
  var lang = pageLang.indexOf("pl") === 0 ? "pl" : "en";
  // The widget's words come from the server's translation catalogue (the config answer's "texts"), in the
  // page's language; the widget is built once they have arrived.
  var TEXT = {};
  var storageKey = "frontoffice-chat:" + token;
  var state = { key: null, lastId: 0, seen: {}, status: "", source: null, timer: null, config: null, maxLength: 2000 };

  try { state.key = window.sessionStorage.getItem(storageKey); } catch (error) { state.key = null; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function build(config) {
    var uid = "fo-chat-" + Math.random().toString(36).slice(2, 8);
    var host = el("div", { "class": "frontoffice-chat" });
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    root.appendChild(el("link", { rel: "stylesheet", href: cssUrl }));

    var launcher = el("button", { type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": uid + "-panel" }, TEXT.open);
    var panel = el("div", { "class": "panel", id: uid + "-panel", role: "dialog", "aria-labelledby": uid + "-title", hidden: "" });
    var head = el("div", { "class": "head" });
    head.appendChild(el("h2", { id: uid + "-title" }, TEXT.title));
    var closer = el("button", { type: "button", "class": "close", "aria-label": TEXT.close }, "×");
    head.appendChild(closer);
    panel.appendChild(head);
    var greeting = el("p", { "class": "greeting" });
    panel.appendChild(greeting);
    var log = el("ol", { "class": "log", role: "log", "aria-live": "polite", "aria-label": TEXT.log });
    panel.appendChild(log);
    var status = el("p", { "class": "status", role: "status" });
    panel.appendChild(status);
    var alertBox = el("p", { "class": "alert", role: "alert" });
    panel.appendChild(alertBox);

    function field(form, name, label, type, required) {
      var id = uid + "-" + form.getAttribute("data-form") + "-" + name;
      var wrap = el("div", { "class": "field" });
      wrap.appendChild(el("label", { "for": id }, label));
      var input = type === "textarea"
        ? el("textarea", { id: id, name: name, rows: "3", maxlength: String(state.maxLength) })
        : el("input", { id: id, name: name, type: type, autocomplete: name === "email" ? "email" : "name" });
      if (required) { input.setAttribute("required", ""); }
      wrap.appendChild(input);
      form.appendChild(wrap);
      return input;
    }

    var chatForm = el("form", { "class": "compose", "data-form": "chat", novalidate: "" });
    var who = el("div", { "class": "who", "data-form": "chat" });
    chatForm.appendChild(who);
    var nameInput = field(who, "name", TEXT.name, "text", false);
    var emailInput = field(who, "email", TEXT.email, "email", false);
    var textInput = field(chatForm, "text", TEXT.message, "textarea", true);
    textInput.setAttribute("aria-describedby", uid + "-hint");
    chatForm.appendChild(el("p", { id: uid + "-hint", "class": "hint" }, TEXT.hint));
    var sendButton = el("button", { type: "submit", "class": "primary" }, TEXT.send);
    chatForm.appendChild(sendButton);
    panel.appendChild(chatForm);

    var offlineForm = el("form", { "class": "compose", "data-form": "offline", novalidate: "", hidden: "" });
    var offlineName = field(offlineForm, "name", TEXT.offlineName, "text", false);
    var offlineEmail = field(offlineForm, "email", TEXT.emailRequired, "email", true);
    var offlineText = field(offlineForm, "text", TEXT.offlineText, "textarea", true);
    offlineForm.appendChild(el("button", { type: "submit", "class": "primary" }, TEXT.sendOffline));
    panel.appendChild(offlineForm);

    var actions = el("div", { "class": "actions" });
    var leaveButton = el("button", { type: "button", hidden: "" }, TEXT.leave);
    var endButton = el("button", { type: "button", hidden: "" }, TEXT.end);
    var newButton = el("button", { type: "button", hidden: "" }, TEXT.newChat);
    actions.appendChild(leaveButton);
    actions.appendChild(endButton);
    actions.appendChild(newButton);
    panel.appendChild(actions);

    root.appendChild(launcher);
    root.appendChild(panel);

    function request(method, path, body) {
      var options = { method: method, headers: {}, credentials: "omit", mode: "cors" };
      if (state.key) { options.headers["X-Chat-Key"] = state.key; }
      if (body) {
        options.headers["Content-Type"] = "application/json";
        body.language = lang;
        options.body = JSON.stringify(body);
      }
      var url = api + path + (path.indexOf("?") === -1 ? "?" : "&") + "language=" + lang;
      return fetch(url, options).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) { var error = new Error(data.detail || TEXT.failed); error.code = data.error; throw error; }
          return data;
        });
      });
    }

    function show(node, visible) { if (visible) { node.removeAttribute("hidden"); } else { node.setAttribute("hidden", ""); } }

    function addMessage(message) {
      if (state.seen[message.id]) { return; }
      state.seen[message.id] = true;
      state.lastId = Math.max(state.lastId, message.id);
      var item = el("li", { "class": "message message--" + message.author });
      if (message.author !== "system") {
        item.appendChild(el("span", { "class": "author" }, message.author === "visitor" ? TEXT.you : TEXT.agent));
      }
      item.appendChild(el("span", { "class": "text" }, message.text));
      log.appendChild(item);
      log.scrollTop = log.scrollHeight;
    }

    function applyState(data) {
      (data.messages || []).forEach(addMessage);
      setStatus(data.status);
      show(leaveButton, data.status === "waiting" && !!data.offer_offline);
      if (data.status === "waiting" && data.offer_offline) { status.textContent = TEXT.slow; }
    }

    function setStatus(value) {
      if (!value || value === state.status) { return; }
      state.status = value;
      show(who, false);
      if (value === "waiting") { status.textContent = TEXT.waiting; }
      if (value === "active") { status.textContent = TEXT.joined; show(leaveButton, false); }
      show(endButton, value !== "ended");
      if (value === "ended") { finish(); }
    }

    function finish() {
      status.textContent = TEXT.ended;
      stopLive();
      show(chatForm, false);
      show(endButton, false);
      show(leaveButton, false);
      show(newButton, true);
      try { window.sessionStorage.removeItem(storageKey); } catch (error) { /* private mode */ }
    }

    function poll() {
      if (!state.key) { return; }
      request("GET", "messages/?since=" + state.lastId).then(applyState).catch(function (error) {
        if (error.code === "unknown_chat") { state.key = null; finish(); }
      });
    }

    function startPolling(seconds) {
      if (state.timer) { window.clearInterval(state.timer); }
      state.timer = window.setInterval(poll, seconds * 1000);
    }

    function stopLive() {
      if (state.source) { state.source.close(); state.source = null; }
      if (state.timer) { window.clearInterval(state.timer); state.timer = null; }
    }

    function goLive() {
      stopLive();
      poll();
      if (!window.EventSource) { startPolling(3); return; }
      var source = new EventSource(streamBase + "?key=" + encodeURIComponent(state.key));
      state.source = source;
      source.addEventListener("open", function () {
        poll();
        // Live: a slow poll only notices when the e-mail form should be offered.
        startPolling(30);
      });
      source.addEventListener("message", function (event) {
        try { addMessage(JSON.parse(event.data)); } catch (error) { /* ignore a broken event */ }
      });
      source.addEventListener("taken", function () { setStatus("active"); });
      source.addEventListener("close", function () { poll(); });
      source.addEventListener("error", function () {
        // Closed for good (no stream here: 204, or the chat ended): poll every few seconds instead.
        if (source.readyState === 2) { state.source = null; if (state.status !== "ended") { startPolling(3); } }
      });
    }

    function send(event) {
      event.preventDefault();
      alertBox.textContent = "";
      var text = textInput.value.trim();
      if (!text) { textInput.focus(); return; }
      sendButton.disabled = true;
      var call = state.key
        ? request("POST", "send/", { text: text }).then(function (data) { addMessage(data.message); })
        : request("POST", "start/", { text: text, name: nameInput.value, email: emailInput.value }).then(function (data) {
            state.key = data.key;
            try { window.sessionStorage.setItem(storageKey, data.key); } catch (error) { /* private mode */ }
            applyState(data);
            goLive();
          });
      call.then(function () { textInput.value = ""; }).catch(function (error) {
        alertBox.textContent = error.message;
        if (error.code === "offline") { showOffline(TEXT.offline); }
      }).then(function () { sendButton.disabled = false; textInput.focus(); });
    }

    function showOffline(message) {
      status.textContent = message;
      show(chatForm, false);
      show(leaveButton, false);
      show(offlineForm, true);
      offlineEmail.value = offlineEmail.value || emailInput.value;
      offlineName.value = offlineName.value || nameInput.value;
      offlineText.value = offlineText.value || textInput.value;
    }

    function sendOffline(event) {
      event.preventDefault();
      alertBox.textContent = "";
      request("POST", "offline/", { name: offlineName.value, email: offlineEmail.value, text: offlineText.value, key: state.key || "" })
        .then(function (data) {
          show(offlineForm, false);
          status.textContent = data.detail;
          state.key = null;
          stopLive();
          try { window.sessionStorage.removeItem(storageKey); } catch (error) { /* private mode */ }
        })
        .catch(function (error) { alertBox.textContent = error.message; });
    }

    function toggle(open) {
      show(panel, open);
      launcher.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var first = !offlineForm.hasAttribute("hidden") ? offlineEmail : textInput;
        (state.key || chatForm.hasAttribute("hidden") ? first : nameInput).focus();
      } else {
        launcher.focus();
      }
    }

    launcher.addEventListener("click", function () { toggle(panel.hasAttribute("hidden")); });
    closer.addEventListener("click", function () { toggle(false); });
    panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { toggle(false); } });
    textInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); chatForm.requestSubmit(); }
    });
    chatForm.addEventListener("submit", send);
    offlineForm.addEventListener("submit", sendOffline);
    leaveButton.addEventListener("click", function () { showOffline(TEXT.slow); offlineEmail.focus(); });
    endButton.addEventListener("click", function () { request("POST", "end/", {}).then(poll).catch(function () { finish(); }); });
    newButton.addEventListener("click", function () {
      state.key = null; state.status = ""; state.lastId = 0; state.seen = {};
      while (log.firstChild) { log.removeChild(log.firstChild); }
      show(newButton, false); show(chatForm, true); show(who, true); status.textContent = "";
      nameInput.focus();
    });

    document.body.appendChild(host);
    state.config = config;
    state.maxLength = config.max_length || state.maxLength;
    host.style.setProperty("--fo-accent", config.accent_colour);
    host.style.setProperty("--fo-on-accent", config.text_colour);
    greeting.textContent = config.greeting || "";
    if (state.key) { show(who, false); goLive(); } else if (!config.online) { showOffline(TEXT.offline); }
  }

  function mount() {
    // Nothing is shown until the server answers: an unknown or inactive widget (404) stays invisible.
    fetch(api + "?language=" + lang, { credentials: "omit", mode: "cors" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (config) {
      if (!config || !config.texts) { return; }
      TEXT = config.texts;
      build(config);
    }).catch(function () { return null; });
  }

  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
