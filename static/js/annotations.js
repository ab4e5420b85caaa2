/* policyreader — notes: select text to note it, keep counts in step, show htmx errors.
 *
 * Hooks (also for the side-by-side reader):
 *  - An element with data-canonical-unit="<key>" whose textContent is exactly the
 *    unit's canonical text: selecting inside it offers "Add a note"; the button
 *    fills the hidden selector fields (exact, prefix, suffix, start, end) of the
 *    new-note form of the panel #notes-panel-<key> and focuses it. Its label is
 *    data-select-label on that element (or on <body>). With data-notes-open on
 *    that element the button is offered before the panel is loaded: clicking it
 *    dispatches "notes-open" {unit, anchor} (bubbling) from the element, for the
 *    page to load the panel and fill its form (the reader does).
 *  - The server answers note writes with HX-Trigger-After-Settle "notes-changed"
 *    {unit, count}: every [data-note-count="<key>"] shows the new count (unless
 *    it counts a narrower filter: data-note-filter="mine|shared"; the page updates those).
 *  - mark.an-span[data-notes="1 2"] in the text and li.an-note[data-note-id]
 *    in the panel highlight each other; clicking a mark scrolls to its note.
 *  - With data-note-highlights on that element too, its span-note marks follow
 *    the notes listed in the panel after every htmx swap.
 *  - window.policyNotes.anchorOf(range, container) gives the W3C selectors of
 *    a DOM range; fillForm(form, anchor) puts them in a form; highlight(container,
 *    [{id, start, end}]) marks spans (keeping other markup); clearHighlights(container).
 * Everything written into the page goes through textContent, never innerHTML.
 */
(function () {
  "use strict";
  var CONTEXT = 32;

  function anchorOf(range, container) {
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
    var text = container.textContent;
    var before = document.createRange();
    before.selectNodeContents(container);
    before.setEnd(range.startContainer, range.startOffset);
    var start = before.toString().length;
    var exact = range.toString();
    var end = start + exact.length;
    if (!exact || text.slice(start, end) !== exact) return null;
    return {
      exact: exact,
      prefix: text.slice(Math.max(0, start - CONTEXT), start),
      suffix: text.slice(end, end + CONTEXT),
      start: start,
      end: end,
    };
  }

  function setField(form, name, value) {
    var input = form.querySelector('[name="' + name + '"]');
    if (input) input.value = value;
  }

  function fillForm(form, anchor) {
    ["exact", "prefix", "suffix", "start", "end"].forEach(function (name) {
      setField(form, name, anchor ? String(anchor[name]) : "");
    });
    var preview = form.querySelector("[data-quote-preview]");
    if (preview) {
      preview.hidden = !anchor;
      var quote = preview.querySelector("[data-quote-text]");
      if (quote) quote.textContent = anchor ? anchor.exact : "";
    }
    if (anchor) {
      var body = form.querySelector("textarea");
      if (body) body.focus();
      form.classList.add("is-flash");
      setTimeout(function () { form.classList.remove("is-flash"); }, 900);
    }
  }

  /* --- Select text → "Add a note" -------------------------------------------------- */

  var button = null;
  var pending = null;

  function hideButton() {
    if (button) button.hidden = true;
    pending = null;
  }

  function showButton(anchor, key, rect, label, container) {
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "an-select-button";
      button.addEventListener("mousedown", function (e) { e.preventDefault(); });
      button.addEventListener("click", function () {
        if (!pending) return;
        var form = document.querySelector("#notes-panel-" + CSS.escape(pending.key) + " form.an-new");
        if (form) {
          fillForm(form, pending.anchor);
          form.scrollIntoView({ block: "nearest" });
        } else if (pending.container && document.contains(pending.container)) {
          pending.container.dispatchEvent(new CustomEvent("notes-open", {
            bubbles: true,
            detail: { unit: pending.key, anchor: pending.anchor },
          }));
        }
        hideButton();
      });
      document.body.appendChild(button);
    }
    button.textContent = label;
    button.style.left = window.scrollX + rect.left + "px";
    button.style.top = window.scrollY + rect.bottom + 6 + "px";
    button.hidden = false;
    pending = { anchor: anchor, key: key, container: container };
  }

  function onSelection() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { hideButton(); return; }
    var range = selection.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var element = node.nodeType === 1 ? node : node.parentElement;
    var container = element && element.closest("[data-canonical-unit]");
    if (!container) { hideButton(); return; }
    var key = container.getAttribute("data-canonical-unit");
    if (!document.querySelector("#notes-panel-" + CSS.escape(key) + " form.an-new") &&
        !container.hasAttribute("data-notes-open")) { hideButton(); return; }
    var anchor = anchorOf(range, container);
    if (!anchor) { hideButton(); return; }
    var label = container.getAttribute("data-select-label") || document.body.getAttribute("data-select-label") || "+";
    showButton(anchor, key, range.getBoundingClientRect(), label, container);
  }

  document.addEventListener("mouseup", function (e) {
    if (button && e.target === button) return;
    setTimeout(onSelection, 0);
  });
  document.addEventListener("keyup", function (e) {
    if (e.shiftKey || e.key === "Shift") setTimeout(onSelection, 0);
    if (e.key === "Escape") hideButton();
  });

  document.addEventListener("click", function (e) {
    var clear = e.target.closest("[data-clear-selection]");
    if (clear) fillForm(clear.closest("form"), null);
  });

  /* --- Marks and notes highlight each other ------------------------------------------ */

  function notesOf(mark) {
    return (mark.getAttribute("data-notes") || "").split(" ").filter(Boolean);
  }

  function setActive(ids, on) {
    ids.forEach(function (id) {
      var li = document.getElementById("note-" + id);
      if (li) li.classList.toggle("is-active", on);
      document.querySelectorAll("mark.an-span").forEach(function (m) {
        if (notesOf(m).indexOf(id) !== -1) m.classList.toggle("is-active", on);
      });
    });
  }

  document.addEventListener("mouseover", function (e) {
    var mark = e.target.closest && e.target.closest("mark.an-span");
    if (mark) setActive(notesOf(mark), true);
    var li = e.target.closest && e.target.closest("li.an-note[data-note-id]");
    if (li) setActive([li.getAttribute("data-note-id")], true);
  });
  document.addEventListener("mouseout", function (e) {
    var mark = e.target.closest && e.target.closest("mark.an-span");
    if (mark) setActive(notesOf(mark), false);
    var li = e.target.closest && e.target.closest("li.an-note[data-note-id]");
    if (li) setActive([li.getAttribute("data-note-id")], false);
  });
  document.addEventListener("click", function (e) {
    var mark = e.target.closest && e.target.closest("mark.an-span");
    if (!mark || !window.getSelection().isCollapsed) return;
    var first = document.getElementById("note-" + notesOf(mark)[0]);
    if (first) first.scrollIntoView({ behavior: "smooth", block: "nearest" });
  });

  /* --- Highlighting span notes in the text ----------------------------------------------- */

  function clearHighlights(container) {
    container.querySelectorAll("mark.an-span").forEach(function (mark) {
      mark.replaceWith.apply(mark, Array.prototype.slice.call(mark.childNodes));
    });
    container.normalize();
  }

  /* Wrap [start, end) of container's text in mark.an-span[data-notes] for each span
     ({id, start, end}); other markup inside the container is kept. */
  function highlight(container, spans) {
    clearHighlights(container);
    spans = spans.filter(function (s) { return s.start < s.end; });
    if (!spans.length) return;
    var cuts = [];
    spans.forEach(function (s) { cuts.push(s.start, s.end); });
    var walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    var nodes = [], node;
    while ((node = walker.nextNode())) nodes.push(node);
    var pos = 0;
    nodes.forEach(function (textNode) {
      var start = pos, length = textNode.data.length;
      pos += length;
      var inner = cuts.filter(function (c) { return c > start && c < start + length; })
        .sort(function (a, b) { return a - b; })
        .filter(function (c, i, all) { return i === 0 || all[i - 1] !== c; });
      var pieces = [], current = textNode, offset = start;
      inner.forEach(function (c) {
        var rest = current.splitText(c - offset);
        pieces.push([current, offset]);
        current = rest;
        offset = c;
      });
      pieces.push([current, offset]);
      pieces.forEach(function (entry) {
        var piece = entry[0], from = entry[1], to = from + piece.data.length;
        var ids = spans.filter(function (s) { return s.start <= from && to <= s.end; })
          .map(function (s) { return String(s.id); });
        if (!ids.length || !piece.data.length) return;
        var mark = document.createElement("mark");
        mark.className = "an-span";
        mark.setAttribute("data-notes", ids.join(" "));
        piece.replaceWith(mark);
        mark.appendChild(piece);
      });
    });
  }

  /* Containers marked data-note-highlights follow the spans listed in their unit's panel. */
  function refreshHighlights() {
    document.querySelectorAll("[data-canonical-unit][data-note-highlights]").forEach(function (container) {
      var panel = document.getElementById("notes-panel-" + container.getAttribute("data-canonical-unit"));
      if (!panel) return;
      var spans = Array.prototype.map.call(
        panel.querySelectorAll(".an-list > li.an-note[data-start][data-end]"),
        function (li) {
          return { id: li.getAttribute("data-note-id"), start: +li.getAttribute("data-start"), end: +li.getAttribute("data-end") };
        });
      highlight(container, spans);
    });
  }

  document.body.addEventListener("htmx:afterSettle", refreshHighlights);

  /* --- Counts and errors ---------------------------------------------------------------- */

  document.body.addEventListener("notes-changed", function (e) {
    var detail = e.detail || {};
    if (detail.unit) {
      document.querySelectorAll('[data-note-count="' + CSS.escape(detail.unit) + '"]').forEach(function (el) {
        var which = el.getAttribute("data-note-filter");
        if (which && which !== "all") return;
        el.textContent = String(detail.count);
      });
    }
    document.querySelectorAll(".notes-panel").forEach(function (panel) {
      var count = panel.querySelector("[data-panel-count]");
      if (count) count.textContent = String(panel.querySelectorAll(".an-list > li.an-note").length);
    });
    refreshHighlights();
  });

  document.body.addEventListener("htmx:responseError", function (e) {
    var elt = e.detail.elt;
    var box = elt && elt.closest(".notes-panel, .an-flag-row, .an-flag-box, .an-single");
    var target = box && box.querySelector(".an-error");
    if (!target && box) {
      target = document.createElement("p");
      target.className = "an-error";
      target.setAttribute("role", "alert");
      box.prepend(target);
    }
    if (!target) return;
    var xhr = e.detail.xhr;
    var text = (xhr && xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0
      ? xhr.responseText : (xhr ? xhr.status + " " + xhr.statusText : "");
    target.textContent = text.slice(0, 300);
    target.hidden = false;
  });

  window.policyNotes = {
    anchorOf: anchorOf,
    fillForm: fillForm,
    highlight: highlight,
    clearHighlights: clearHighlights,
    refreshHighlights: refreshHighlights,
  };
})();
