// The waiting-room board: live calls over Server-Sent Events (see desk/views/streams.py), optional chime.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var calls = document.getElementById("board-calls");
  var status = document.getElementById("board-status");
  var soundButton = document.getElementById("board-sound");
  var maxRows = 6;
  var audio = null;

  function chime() {
    // A short two-tone chime made at run time: no sound files to ship.
    if (!audio || board.dataset.chime !== "1") { return; }
    [[660, 0], [880, 0.25]].forEach(function (tone) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      var start = audio.currentTime + tone[1];
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.25, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.6);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start);
      oscillator.stop(start + 0.6);
    });
  }

  if (soundButton) {
    soundButton.addEventListener("click", function () {
      var Context = window.AudioContext || window.webkitAudioContext;
      if (Context) { audio = audio || new Context(); audio.resume(); chime(); }
      soundButton.hidden = true;
    });
  }

  function row(code, counter) {
    var tr = document.createElement("tr");
    var codeCell = document.createElement("td");
    var counterCell = document.createElement("td");
    tr.dataset.code = code;
    codeCell.className = "board-code";
    codeCell.textContent = code;
    counterCell.className = "board-counter";
    counterCell.textContent = counter;
    tr.appendChild(codeCell);
    tr.appendChild(counterCell);
    return tr;
  }

  function remove(code) {
    Array.prototype.forEach.call(calls.querySelectorAll("tr"), function (tr) {
      if (tr.dataset.code === code) { tr.remove(); }
    });
  }

  function showCall(code, counter) {
    remove(code);
    Array.prototype.forEach.call(calls.querySelectorAll("tr.is-new"), function (tr) { tr.classList.remove("is-new"); });
    var tr = row(code, counter);
    tr.classList.add("is-new");
    calls.insertBefore(tr, calls.firstChild);
    while (calls.children.length > maxRows) { calls.removeChild(calls.lastChild); }
    chime();
  }

  function setWaiting(waiting, all) {
    Array.prototype.forEach.call(board.querySelectorAll("[data-waiting]"), function (cell) {
      var value = waiting[cell.dataset.waiting];
      if (value !== undefined) { cell.textContent = value; } else if (all) { cell.textContent = "0"; }
    });
  }

  var source = new EventSource(board.dataset.stream);
  source.addEventListener("open", function () { status.textContent = ""; });
  source.addEventListener("error", function () { status.textContent = board.dataset.reconnecting; });
  source.addEventListener("state", function (message) {
    var state = JSON.parse(message.data);
    calls.textContent = "";
    state.calls.forEach(function (call) { calls.appendChild(row(call.code, call.counter)); });
    var waiting = {};
    state.services.forEach(function (service) { waiting[service.id] = service.waiting; });
    setWaiting(waiting, true);
  });
  source.addEventListener("queue", function (message) {
    var event = JSON.parse(message.data);
    if (event.type === "call" && event.shown) { showCall(event.code, event.counter); }
    if (event.type === "gone") { remove(event.code); }
    setWaiting(event.waiting, true);
  });
  source.addEventListener("close", function () {
    // The screen was revoked: reload to show the friendly page.
    source.close();
    window.location.reload();
  });
})();
