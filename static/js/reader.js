// The reader (clauses/read.html): the mark panel (with an annotator's flag),
// tooltips kept on screen, smooth scrolling from the overview strip, and the
// notes side panel. Everything works without this file too: tooltips are CSS,
// the strip cells are #anchors, switches are a form, the notes buttons are
// links to each unit's notes page. Selecting text to note it is
// static/js/annotations.js; this file opens the unit's panel when asked.
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
    var key = row ? row.dataset.key : "";
    var label = row ? row.querySelector(".rd-label a").textContent.trim() : "";
    var reading = mark.dataset.r || "";
    var tip = mark.querySelector(".tip");
    panel.querySelector(".rd-panel-type").textContent = tip.querySelector(".tip-type").textContent;
    panel.querySelector(".rd-panel-where").textContent = label + " · " + siglum;
    panel.querySelector(".rd-panel-note").textContent = tip.querySelector(".tip-note").textContent;
    var head = document.querySelector('th.rd-h[data-g="' + CSS.escape(siglum) + '"] .rd-h-title');
    panel.querySelector(".rd-panel-copy").textContent = head ? head.textContent.trim() : siglum;
    panel.querySelector(".rd-panel-reading").textContent = reading || "〔 〕";
    panel.querySelector(".rd-panel-ocr").hidden = !tip.querySelector(".tip-ocr");
    var error = panel.querySelector(".rd-panel-error");
    if (error) {
      error.hidden = !mark.dataset.flag;
      error.querySelector("a").href = mark.dataset.flag || "";
    }
    var flag = panel.querySelector(".rd-flag");
    if (flag) {
      var link = flag.querySelector(".rd-flag-link");
      link.href = flag.dataset.url.replace("{id}", mark.dataset.site) +
        "?source=" + encodeURIComponent(siglum);
      flag.querySelector(".rd-flag-open").hidden = false;
      document.getElementById("rd-flag-box").textContent = "";
      var error = flag.querySelector(".an-error");
      error.textContent = "";
      error.hidden = true;
    }
    var form = panel.querySelector(".rd-decide");
    if (form) {
      form.action = form.dataset.action.replace("{id}", mark.dataset.site);
      form.elements.text.value = reading;
      form.elements.unit.value = key;
      form.elements.next.value = location.pathname + location.search + "#" + row.id;
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
    var flagLink = event.target.closest(".rd-flag-link");
    if (flagLink && window.htmx) {
      event.preventDefault();
      openFlagForm(flagLink);
      return;
    }
    var noted = event.target.closest("[data-canonical-unit] mark.an-span");
    if (noted && window.getSelection().isCollapsed) {
      showNoteOf(noted);
    }
    if (event.target.closest(".rd-notes-close")) closeNotes();
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

  /* --- Flag a copy's reading as a transcription error (annotators) -------------- */

  function openFlagForm(link) {
    var box = document.getElementById("rd-flag-box");
    htmx.ajax("GET", link.href, { source: link, target: box, swap: "innerHTML" }).then(function () {
      var input = box.querySelector("input[name=proposed]");
      if (!input) return;
      link.closest(".rd-flag-open").hidden = true;
      input.focus();
      input.select();
    });
  }

  // A site rebuilt since the page was loaded: say so rather than "404".
  document.addEventListener("htmx:responseError", function (event) {
    var elt = event.detail.elt;
    var flag = elt && elt.closest && elt.closest(".rd-flag");
    if (!flag || !event.detail.xhr || event.detail.xhr.status !== 404) return;
    var error = flag.querySelector(".an-error");
    error.textContent = flag.dataset.stale;
    error.hidden = false;
  });

  /* --- Notes: the side panel of one unit ------------------------------------------ */

  var side = document.getElementById("rd-notes");
  var sideBody = document.getElementById("rd-notes-body");
  var openKey = null;
  var openPath = null; // the URL the open panel was loaded from (its filter)

  // A unit's row (side by side) or section (apparatus): ids are made from keys
  // on the server (apparatus.dom_id); here the key is looked up as data.
  function rowOf(key) {
    var k = CSS.escape(key);
    return document.querySelector('.rd-row[data-key="' + k + '"], .rd-unit[data-key="' + k + '"]');
  }

  function notesButton(key) {
    return document.querySelector('.rd-nb[data-unit="' + CSS.escape(key) + '"]');
  }

  function markActive() {
    document.querySelectorAll(".rd-nb.is-open").forEach(function (b) {
      b.classList.remove("is-open");
      b.removeAttribute("aria-current");
    });
    document.querySelectorAll(".rd-notes-active").forEach(function (el) {
      el.classList.remove("rd-notes-active");
    });
    if (!openKey) return;
    var button = notesButton(openKey);
    if (button) {
      button.classList.add("is-open");
      button.setAttribute("aria-current", "true");
    }
    var row = rowOf(openKey);
    if (row) row.classList.add("rd-notes-active");
  }

  // Load a unit's panel into the side panel; then() once it is in.
  function openNotes(key, then) {
    var button = notesButton(key);
    if (!button) return;
    if (!window.htmx) {
      location.href = button.href;
      return;
    }
    htmx.ajax("GET", button.getAttribute("href"), {
      source: button, target: sideBody, swap: "innerHTML",
    }).then(then || function () {});
  }

  // Opening or closing the panel narrows or widens the table (wide screens):
  // keep the unit's row where it was on the screen.
  function keepInPlace(key, change) {
    var row = key && rowOf(key);
    var top = row ? row.getBoundingClientRect().top : 0;
    change();
    if (row && top > -row.offsetHeight && top < window.innerHeight) {
      window.scrollBy({ top: row.getBoundingClientRect().top - top, behavior: "instant" });
    }
  }

  function closeNotes() {
    if (!side || side.hidden) return;
    var key = openKey;
    keepInPlace(key, function () {
      side.hidden = true;
      sideBody.textContent = "";
      document.body.classList.remove("rd-notes-open");
    });
    openKey = null;
    openPath = null;
    markActive();
    var button = key && notesButton(key);
    if (button) button.focus();
  }

  if (side) {
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== sideBody) return;
      var panel = sideBody.querySelector(".notes-panel");
      if (!panel) return;
      var before = side.hidden ? null : openKey;
      openKey = panel.getAttribute("data-unit");
      var source = event.detail.requestConfig && event.detail.requestConfig.elt;
      openPath = source && source.getAttribute ? source.getAttribute("href") : null;
      var row = rowOf(openKey);
      var label = row && row.querySelector(".rd-label > a, .unit-label");
      side.querySelector(".rd-notes-where").textContent = label ? label.textContent.trim() : openKey;
      keepInPlace(openKey, function () {
        side.hidden = false;
        document.body.classList.add("rd-notes-open");
      });
      markActive();
      if (before !== openKey) side.querySelector(".rd-notes-where").focus({ preventScroll: true });
    });
    // The table is swapped by the switches: mark the open unit's row again; if
    // the notes filter changed, load the panel again with it.
    document.body.addEventListener("htmx:afterSettle", function () {
      markActive();
      var button = openKey && notesButton(openKey);
      if (button && openPath && button.getAttribute("href") !== openPath) {
        openPath = button.getAttribute("href");
        openNotes(openKey);
      }
    });
    side.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || event.target.closest("textarea, input, select")) return;
      closeNotes();
    });

    // "Add a note" on a selection in a unit whose panel is not open (annotations.js).
    document.addEventListener("notes-open", function (event) {
      var key = event.detail.unit;
      openNotes(key, function () {
        var form = document.querySelector("#notes-panel-" + CSS.escape(key) + " form.an-new");
        if (form && window.policyNotes) window.policyNotes.fillForm(form, event.detail.anchor);
      });
    });

    // Counts of a narrower filter (mine, shared) after a note is written or deleted.
    document.body.addEventListener("notes-changed", function (event) {
      var unit = event.detail && event.detail.unit;
      if (!unit) return;
      var counts = document.querySelectorAll('[data-note-count="' + CSS.escape(unit) + '"]');
      var filtered = Array.prototype.filter.call(counts, function (el) {
        return (el.getAttribute("data-note-filter") || "all") !== "all";
      });
      counts.forEach(zeroCue);
      if (!filtered.length) return;
      var url = side.dataset.anchorsUrl + "?filter=" +
        encodeURIComponent(filtered[0].getAttribute("data-note-filter"));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          var of = data.units[unit];
          filtered.forEach(function (el) {
            el.textContent = String(of ? of.count : 0);
            zeroCue(el);
          });
        });
    });
  }

  function zeroCue(count) {
    var button = count.closest(".rd-nb");
    if (button) button.classList.toggle("is-zero", count.textContent.trim() === "0");
  }

  // A click on a highlighted span opens its unit's notes at its note.
  function showNoteOf(mark) {
    var key = mark.closest("[data-canonical-unit]").getAttribute("data-canonical-unit");
    if (!side || document.getElementById("notes-panel-" + key)) return;
    var first = (mark.getAttribute("data-notes") || "").split(" ")[0];
    openNotes(key, function () {
      var note = document.getElementById("note-" + first);
      if (!note) return;
      note.scrollIntoView({ block: "nearest" });
      note.classList.add("is-active");
      window.setTimeout(function () { note.classList.remove("is-active"); }, 1600);
    });
  }

  function flash(row) {
    row.classList.add("rd-flash");
    window.setTimeout(function () { row.classList.remove("rd-flash"); }, 1600);
  }

  /* --- Next / previous difference: buttons and keys j/n, k/p --------------------- */

  var current = null; // the site span last moved to

  function sites() {
    return Array.prototype.slice.call(document.querySelectorAll(".rd-ctext .cs"));
  }

  function topLine() {
    var head = document.querySelector(".rd-table thead");
    return (head ? Math.max(head.getBoundingClientRect().bottom, 0) : 0) + 8;
  }

  function step(direction) {
    var list = sites();
    if (!list.length) return;
    var index = current && document.contains(current) ? list.indexOf(current) : -1;
    if (index >= 0) {
      index += direction;
    } else {
      // From where the page is: the first site below the top line, or the last above it.
      var line = topLine();
      var tops = list.map(function (el) { return el.getBoundingClientRect().top; });
      if (direction > 0) {
        index = tops.findIndex(function (t) { return t > line + 1; });
      } else {
        index = -1;
        tops.forEach(function (t, i) { if (t < line - 1) index = i; });
      }
    }
    if (index < 0 || index >= list.length) return;
    if (current) current.classList.remove("is-current");
    current = list[index];
    current.classList.add("is-current");
    current.setAttribute("tabindex", "-1");
    current.focus({ preventScroll: true });
    current.scrollIntoView({ behavior: reduceMotion ? "auto" : "smooth", block: "center" });
    var pos = document.querySelector(".rd-diffpos");
    if (pos) pos.textContent = (index + 1) + " / " + list.length;
  }

  function revealDiffNav() {
    document.querySelectorAll(".rd-diffnav[hidden]").forEach(function (nav) { nav.hidden = false; });
    current = null;
  }
  revealDiffNav();
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "rd-body") revealDiffNav();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-diff-step]");
    if (button) step(Number(button.dataset.diffStep));
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], dialog[open]")) {
      return;
    }
    if (document.querySelector("dialog[open]")) return;
    var key = event.key;
    if (key === "j" || key === "n") step(1);
    else if (key === "k" || key === "p") step(-1);
    else return;
    event.preventDefault();
  });
})();
