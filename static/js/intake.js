// Intake forms: conditional fields and drawn signatures. Loaded as a file (the CSP allows no inline script).
// The server checks the same conditions again; without JavaScript every field is shown and hidden
// answers are ignored there.
(function () {
  "use strict";

  function answerOf(form, key) {
    const inputs = form.querySelectorAll('[name="q_' + key + '"]');
    const values = [];
    inputs.forEach((input) => {
      if (input.disabled) return;
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value);
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    });
    return values;
  }

  function applyConditions(form) {
    const shown = new Set();
    form.querySelectorAll("[data-intake-key]").forEach((wrapper) => {
      const key = wrapper.dataset.intakeKey;
      const source = wrapper.dataset.showIfKey;
      let visible = true;
      if (source) {
        visible = shown.has(source) && answerOf(form, source).includes(wrapper.dataset.showIfValue);
      }
      wrapper.hidden = !visible;
      wrapper.querySelectorAll("input, textarea, select, button").forEach((control) => {
        control.disabled = !visible;
      });
      if (visible) shown.add(key);
    });
  }

  function setUpSignature(pad) {
    const canvas = pad.querySelector("canvas");
    const input = pad.querySelector('input[type="hidden"]');
    const clear = pad.querySelector("[data-signature-clear]");
    const context = canvas.getContext("2d");
    let drawing = false;
    let drawn = false;

    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";

    if (input.value.startsWith("data:image/png;base64,")) {
      const image = new Image();
      image.addEventListener("load", () => context.drawImage(image, 0, 0));
      image.src = input.value;
    }

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return {
        x: ((event.clientX - box.left) * canvas.width) / box.width,
        y: ((event.clientY - box.top) * canvas.height) / box.height,
      };
    }

    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      event.preventDefault();
    });
    function finish() {
      if (!drawing) return;
      drawing = false;
      if (drawn) input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
    canvas.addEventListener("pointerleave", finish);

    clear.addEventListener("click", () => {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
      drawn = false;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-intake-form]").forEach((form) => {
      applyConditions(form);
      form.addEventListener("change", () => applyConditions(form));
      form.addEventListener("input", () => applyConditions(form));
      form.querySelectorAll("[data-signature]").forEach(setUpSignature);
    });
  });
})();
