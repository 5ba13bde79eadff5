// Sizes the import progress bar from its data-percent. The page's CSP forbids inline style
// attributes, so the width is set here, on load and after each HTMX poll swaps the bar in.
(function () {
  "use strict";
  function size() {
    document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.getAttribute("data-percent")) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", size);
  // An outerHTML swap detaches the event's target, so look at the whole page instead.
  document.addEventListener("htmx:afterSettle", size);
})();
