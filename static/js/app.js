// Keyboard shortcuts for repetitive work: "/" focuses the page's search box.
document.addEventListener("keydown", (event) => {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
  const search = document.querySelector("[data-search-shortcut]");
  if (search) {
    event.preventDefault();
    search.focus();
  }
});
