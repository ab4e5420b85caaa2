// Boxes that scroll sideways ([data-scroll-x], e.g. the coverage grid): mark
// whether the box is wider than its content can show and which way it can still
// scroll, so static/css/app.css shows the hint and the edge shadows only then.
// Without JavaScript the box still scrolls, with its scrollbar and sticky edges.
(function () {
  "use strict";

  function measure(box) {
    const more = box.scrollWidth - box.clientWidth;
    box.classList.add("is-measured");
    box.classList.toggle("is-scrollable", more > 1);
    box.classList.toggle("more-left", box.scrollLeft > 1);
    box.classList.toggle("more-right", more - box.scrollLeft > 1);
  }

  function setUp(root) {
    root.querySelectorAll("[data-scroll-x]").forEach(function (box) {
      if (box.dataset.scrollXOn !== "on") {
        box.dataset.scrollXOn = "on";
        box.addEventListener("scroll", function () { measure(box); }, { passive: true });
      }
      measure(box);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:load", function () { setUp(document); });
  window.addEventListener("resize", function () { setUp(document); });
})();
