// The milestone timeline's range (?zoom=3m|6m|1y|all, drawn by the server: projects/svg.py).
// CSP: no inline script. The links carry the width of the timeline's box (?w=) so the chosen
// range fills it, and a zoomed timeline opens scrolled to today.
(function () {
  "use strict";
  var DAY = 86400000;

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("milestone-timeline");
    if (!box) return;
    var width = box.clientWidth;
    document.querySelectorAll("a[data-zoom-link]").forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("w", String(width));
      link.href = url.toString();
    });
    var svg = box.querySelector("svg[data-zoomed]");
    if (!svg) return;
    var start = Date.parse(svg.dataset.start), end = Date.parse(svg.dataset.end);
    var today = Date.parse(svg.dataset.today);
    var left = Number(svg.dataset.chartLeft), right = Number(svg.dataset.chartRight);
    if (!(end > start)) return;
    // Today a quarter of the way in, so most of what shows is still to come.
    var todayX = left + ((right - left) * (today - start)) / (end - start);
    box.scrollLeft = Math.max(0, todayX - width / 4);
  });
})();
