// Signature pad for registration cards: draw on the canvas with mouse, finger or pen; the PNG goes
// into the form's hidden "signature" input as a data URL. No inline script (the page's CSP forbids it).
(() => {
  function setUp(pad) {
    const canvas = pad.querySelector("[data-signature-canvas]");
    const form = pad.closest("form");
    const input = form && form.querySelector("input[name=signature]");
    if (!canvas || !input) return;
    const context = canvas.getContext("2d");
    context.lineWidth = 2;
    context.lineCap = "round";
    context.strokeStyle = "#111";
    let drawing = false;
    let drawn = false;

    function point(event) {
      const box = canvas.getBoundingClientRect();
      return [
        ((event.clientX - box.left) * canvas.width) / box.width,
        ((event.clientY - box.top) * canvas.height) / box.height,
      ];
    }
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      const [x, y] = point(event);
      context.beginPath();
      context.moveTo(x, y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      const [x, y] = point(event);
      context.lineTo(x, y);
      context.stroke();
      drawn = true;
    });
    const stop = () => {
      if (!drawing) return;
      drawing = false;
      if (drawn) input.value = canvas.toDataURL("image/png");
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    const clear = pad.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", () => {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        input.value = "";
      });
    }
  }
  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
