// Keyboard access to what scrolls sideways: a table wider than a phone screen sits in a
// .table-wrap (or the milestone timeline) that scrolls; one that does is made focusable (arrow keys
// then scroll it). Runs on load, on resize and after each htmx swap.
(function () {
  "use strict";
  function markScrollables(root) {
    (root || document).querySelectorAll(".table-wrap, .milestone-timeline").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        if (!wrap.hasAttribute("tabindex")) wrap.setAttribute("tabindex", "0");
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
      }
    });
  }
  var pending = null;
  function soon() {
    if (pending) return;
    pending = window.requestAnimationFrame(function () {
      pending = null;
      markScrollables(document);
    });
  }
  document.addEventListener("DOMContentLoaded", soon);
  document.addEventListener("htmx:afterSettle", soon);
  window.addEventListener("resize", soon);
})();
