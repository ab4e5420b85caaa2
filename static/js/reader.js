// The reader (clauses/read.html): the mark panel, tooltips kept on screen, and
// smooth scrolling from the overview strip. Everything works without this
// file too: tooltips are CSS, the strip cells are #anchors, switches are a form.
(function () {
  "use strict";

  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  // Keep a tooltip inside the viewport: shift it sideways, or put it below.
  function placeTip(mark) {
    var tip = mark.querySelector(".tip");
    if (!tip) return;
    tip.style.removeProperty("--dx");
    tip.classList.remove("below");
    var r = tip.getBoundingClientRect();
    var margin = 8;
    var dx = 0;
    if (r.right > window.innerWidth - margin) dx = window.innerWidth - margin - r.right;
    if (r.left + dx < margin) dx = margin - r.left;
    if (dx) tip.style.setProperty("--dx", Math.round(dx) + "px");
    var head = document.querySelector(".rd-table thead");
    var top = head ? head.getBoundingClientRect().bottom : 0;
    if (r.top < Math.max(top, 0) + margin) tip.classList.add("below");
  }

  function onHover(event) {
    var mark = event.target.closest && event.target.closest(".mk");
    if (mark && mark.tagName === "BUTTON") placeTip(mark);
  }
  document.addEventListener("mouseover", onHover);
  document.addEventListener("focusin", onHover);

  // Click a mark: the panel with its apparatus entry (and, for editors, the form).
  function openPanel(mark) {
    var panel = document.getElementById("rd-panel");
    if (!panel || typeof panel.showModal !== "function") return;
    var cell = mark.closest("td");
    var row = mark.closest("tr");
    var siglum = cell ? cell.dataset.g : "";
    var key = row ? row.id.replace(/^r-/, "") : "";
    var label = row ? row.querySelector(".rd-label a").textContent.trim() : "";
    var reading = mark.dataset.r || "";
    var tip = mark.querySelector(".tip");
    panel.querySelector(".rd-panel-type").textContent = tip.querySelector(".tip-type").textContent;
    panel.querySelector(".rd-panel-where").textContent = label + " · " + siglum;
    panel.querySelector(".rd-panel-note").textContent = tip.querySelector(".tip-note").textContent;
    var head = document.querySelector("#h-" + siglum + " .rd-h-title");
    panel.querySelector(".rd-panel-copy").textContent = head ? head.textContent.trim() : siglum;
    panel.querySelector(".rd-panel-reading").textContent = reading || "〔 〕";
    panel.querySelector(".rd-panel-ocr").hidden = !tip.querySelector(".tip-ocr");
    var form = panel.querySelector(".rd-decide");
    if (form) {
      form.action = form.dataset.action.replace("{id}", mark.dataset.site);
      form.elements.text.value = reading;
      form.elements.unit.value = key;
      form.elements.next.value = location.pathname + location.search + "#r-" + key;
      form.elements.reason.value = "";
    }
    panel._opener = mark;
    panel.showModal();
  }

  document.addEventListener("click", function (event) {
    var mark = event.target.closest(".rd-cell button.mk");
    if (mark) {
      openPanel(mark);
      return;
    }
    var panel = event.target.closest("#rd-panel");
    if (panel && event.target === panel) panel.close(); // a click on the backdrop
    var cellLink = event.target.closest("a.ov-c");
    if (cellLink && cellLink.getAttribute("href").charAt(0) === "#") {
      var row = document.getElementById(cellLink.getAttribute("href").slice(1));
      if (!row) return;
      event.preventDefault();
      row.scrollIntoView({ behavior: reduceMotion ? "auto" : "smooth", block: "start" });
      history.replaceState(history.state, "", "#" + row.id);
      flash(row);
    }
  });

  document.addEventListener("close", function (event) {
    var panel = event.target;
    if (panel.id === "rd-panel" && panel._opener && document.contains(panel._opener)) {
      panel._opener.focus();
    }
  }, true);

  function flash(row) {
    row.classList.add("rd-flash");
    window.setTimeout(function () { row.classList.remove("rd-flash"); }, 1600);
  }
})();
