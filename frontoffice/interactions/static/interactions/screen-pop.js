// Screen pop: listens to the signed-in user's call stream and shows the caller's card (client, last
// contacts, the call's log page) in a dismissible alert region. The card is rendered by the server.
(() => {
  const script = document.currentScript;
  const streamUrl = script && script.dataset.stream;
  if (!streamUrl || !window.EventSource) return;
  const label = script.dataset.label || "Calls";
  let region = null;

  function ensureRegion() {
    if (region) return region;
    region = document.createElement("div");
    region.className = "screen-pop-region";
    region.setAttribute("role", "alert");
    region.setAttribute("aria-label", label);
    region.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest("[data-screen-pop-close]") : null;
      if (button) button.closest("[data-contact]").remove();
    });
    document.body.appendChild(region);
    return region;
  }

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !region) return;
    const last = region.querySelector("[data-contact]:last-child");
    if (last) last.remove();
  });

  function show(html, contact, kind) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    const card = template.content.firstElementChild;
    if (!card) return;
    const existing = region && region.querySelector(`[data-contact="${CSS.escape(String(contact))}"]`);
    if (existing) existing.replaceWith(card);
    else if (kind !== "call.ended") ensureRegion().appendChild(card);
  }

  const source = new EventSource(streamUrl);
  source.addEventListener("call", (event) => {
    let data;
    try { data = JSON.parse(event.data); } catch { return; }
    fetch(data.card, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then((response) => (response.ok ? response.text() : ""))
      .then((html) => { if (html) show(html, data.contact, data.type); })
      .catch(() => {});
  });
})();
