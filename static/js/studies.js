// Study sets: reorder a set's items by dragging their handles (SortableJS,
// static/vendor/sortablejs/). The new order is posted as item ids, and the
// server's list replaces the old one. Without JavaScript the ↑ ↓ buttons do
// the same with plain form posts.
(function () {
  "use strict";

  function enable(list) {
    if (list.dataset.sortable === "on" || typeof Sortable === "undefined") {
      return;
    }
    list.dataset.sortable = "on";
    Sortable.create(list, {
      handle: ".st-handle",
      draggable: ".st-item",
      // No animation: SortableJS animates through inline styles, which the strict
      // CSP (style-src 'self') blocks, one console error a frame.
      animation: 0,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) {
          return;
        }
        const ids = Array.from(list.querySelectorAll(":scope > .st-item")).map(function (li) {
          return li.dataset.item;
        });
        htmx.ajax("POST", list.dataset.reorderUrl, {
          source: list,
          target: "#st-items",
          swap: "outerHTML",
          values: { order: ids.join(",") },
        });
      },
    });
  }

  htmx.onLoad(function (root) {
    const lists = root.matches && root.matches(".st-items[data-reorder-url]")
      ? [root]
      : root.querySelectorAll(".st-items[data-reorder-url]");
    lists.forEach(enable);
  });
})();
