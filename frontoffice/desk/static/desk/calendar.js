// Drag an appointment onto another cell of the calendar to move it. The drop fills the page's hidden
// move form and submits it, so the server decides (and shows the reason and alternatives if the slot
// is not free). Without JavaScript, or from the keyboard, the appointment's "Move" form does the same.
(() => {
  let dragged = null;
  document.addEventListener("dragstart", (event) => {
    const appointment = event.target instanceof Element ? event.target.closest(".cal-appt[data-move-url]") : null;
    if (!appointment) return;
    dragged = appointment;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", appointment.dataset.moveUrl);
  });
  const cellOf = (event) => (event.target instanceof Element ? event.target.closest(".cal-col[data-resource] .cal-cell") : null);
  document.addEventListener("dragover", (event) => {
    const cell = cellOf(event);
    if (!dragged || !cell) return;
    event.preventDefault();
    document.querySelectorAll(".cal-drop").forEach((item) => item.classList.remove("cal-drop"));
    cell.classList.add("cal-drop");
  });
  document.addEventListener("dragend", () => {
    dragged = null;
    document.querySelectorAll(".cal-drop").forEach((item) => item.classList.remove("cal-drop"));
  });
  document.addEventListener("drop", (event) => {
    const cell = cellOf(event);
    const form = document.getElementById("calendar-move-form");
    if (!dragged || !cell || !form) return;
    event.preventDefault();
    const column = cell.closest(".cal-col");
    form.action = dragged.dataset.moveUrl;
    form.elements.resource.value = column.dataset.resource;
    form.elements.day.value = column.dataset.day;
    form.elements.at.value = cell.dataset.at;
    form.elements.version.value = dragged.dataset.version;
    dragged = null;
    form.submit();
  });
})();
