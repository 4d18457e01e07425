// The article's change page tells the server every little while that its editor is still here,
// so that others opening the article see "X is editing since 12:04" (articles/desk/editing.py).
(function () {
  "use strict";
  var note = document.getElementById("desk-editing");
  if (!note || !window.fetch) { return; }
  var form = note.closest("form");
  var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!token) { return; }
  function send(left) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token.value);
    if (left) { body.append("left", "1"); }
    if (left && navigator.sendBeacon) { navigator.sendBeacon(note.dataset.url, body); return; }
    fetch(note.dataset.url, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
  }
  var seconds = parseInt(note.dataset.seconds, 10) || 30;
  window.setInterval(function () { send(false); }, seconds * 1000);
  var submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  // Closing the tab frees the article at once; a save does so on the server.
  window.addEventListener("pagehide", function () { if (!submitting) { send(true); } });
})();
