// The editors' pages (clauses/unit.html, clauses/queue.html): no inline script,
// no hx-on attributes (a strict Content-Security-Policy allows neither).
(function () {
  "use strict";

  // 400 and 409 answers to a decision carry the rows (or the unit) again, with
  // the error or the fresh sites: swap them like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || (xhr.status !== 400 && xhr.status !== 409)) return;
    var elt = event.detail.elt;
    if (!elt || !elt.closest || !elt.closest("[data-swap-errors]")) return;
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  });

  // The citation's copy button: without JavaScript it stays hidden and the line is selectable.
  function reveal() {
    document.querySelectorAll("[data-copy][hidden]").forEach(function (b) { b.hidden = false; });
  }
  reveal();
  document.addEventListener("htmx:afterSettle", reveal);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.querySelector(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    function done(ok) {
      if (status) status.textContent = ok ? button.dataset.copied : button.dataset.copyByHand;
    }
    // A field (input, textarea) or a paragraph of text (the cite box's lines).
    var text;
    if ("value" in field && typeof field.select === "function") {
      field.select();
      text = field.value;
    } else {
      var range = document.createRange();
      range.selectNodeContents(field);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      text = field.textContent.trim();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done(true); },
        function () { done(document.execCommand("copy")); }
      );
    } else {
      done(document.execCommand("copy"));
    }
  });
})();
