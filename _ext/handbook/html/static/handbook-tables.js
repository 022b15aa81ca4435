/* Wide tables (issue: newcomer review 3): a table wider than its column scrolls
   sideways inside .pst-scrollable-table-container, and on a phone nothing said
   so. This marks each such container "handbook-overflows" (CSS draws a shadow
   on the side that has more columns and shows a "scroll sideways" line), keeps
   the "more left/right" classes up to date while the reader scrolls, and makes
   the container a labelled, keyboard-focusable region so it scrolls with the
   arrow keys. Nothing is fetched; without JavaScript the table still scrolls. */
(function () {
  "use strict";
  function update(box) {
    var over = box.scrollWidth - box.clientWidth > 1;
    box.classList.toggle("handbook-overflows", over);
    box.classList.toggle("handbook-more-left", over && box.scrollLeft > 1);
    box.classList.toggle("handbook-more-right", over && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
    if (over) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) {
        var caption = box.querySelector("caption");
        var name = caption ? caption.textContent.trim().replace(/\s+/g, " ") : "";
        box.setAttribute("aria-label", (name ? name + " " : "Table ") + "(scrolls sideways)");
      }
    }
  }
  function init() {
    var boxes = document.querySelectorAll(".bd-article .pst-scrollable-table-container");
    Array.prototype.forEach.call(boxes, function (box) {
      update(box);
      box.addEventListener("scroll", function () { update(box); }, { passive: true });
    });
    window.addEventListener("resize", function () {
      Array.prototype.forEach.call(boxes, update);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
