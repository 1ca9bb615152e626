// The milestone timeline's range: 3 months, 6 months, 1 year or all of it (CSP: no inline script).
// The server draws the whole project once (projects/svg.py) and says, on the <svg>, which dates it
// spans and where the chart sits; zooming widens the drawing so the chosen range fills the box,
// then scrolls to today. The choice is kept in the address (?zoom=1y) so a reload keeps it.
(function () {
  "use strict";
  var DAYS = { "3m": 91, "6m": 183, "1y": 365 };
  var DAY = 86400000;

  function chosen(controls, box) {
    var wanted = new URLSearchParams(window.location.search).get("zoom");
    if (wanted === "all" || DAYS[wanted]) return wanted;
    // Without a choice: all of it where it fits, a year on a phone.
    return box.clientWidth >= 700 ? "all" : "1y";
  }

  function apply(box, controls, zoom) {
    var svg = box.querySelector("svg");
    if (!svg) return;
    var start = Date.parse(svg.dataset.start), end = Date.parse(svg.dataset.end);
    var today = Date.parse(svg.dataset.today);
    var viewWidth = svg.viewBox.baseVal.width;
    var left = Number(svg.dataset.chartLeft), right = Number(svg.dataset.chartRight);
    var days = Math.max((end - start) / DAY, 1);
    var chartShare = (right - left) / viewWidth;
    var boxWidth = box.clientWidth;
    var width = boxWidth;
    if (DAYS[zoom] && DAYS[zoom] < days) {
      // The chosen range fills the box once scrolled past the labels.
      width = Math.max(boxWidth, (boxWidth / chartShare) * (days / DAYS[zoom]));
    }
    svg.style.minWidth = "0";
    svg.style.width = Math.round(width) + "px";
    box.dataset.zoom = zoom;
    // Today a quarter of the way in, so most of what shows is still to come.
    var todayX = (width * (left + (right - left) * (today - start) / (end - start))) / viewWidth;
    box.scrollLeft = Math.max(0, todayX - boxWidth / 4);
    controls.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.dataset.zoom === zoom ? "true" : "false");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var controls = document.querySelector("[data-timeline-zoom]");
    var box = document.getElementById("milestone-timeline");
    if (!controls || !box || !box.querySelector("svg")) return;
    controls.hidden = false;
    var zoom = chosen(controls, box);
    apply(box, controls, zoom);
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("[data-zoom]");
      if (!button) return;
      zoom = button.dataset.zoom;
      apply(box, controls, zoom);
      var url = new URL(window.location.href);
      url.searchParams.set("zoom", zoom);
      window.history.replaceState(null, "", url);
    });
    var pending;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { apply(box, controls, zoom); }, 150);
    });
  });
})();
