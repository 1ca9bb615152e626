// Time zone fields: offer the browser's zone next to the preselected one (no inline scripts: CSP).
// A block marked data-browser-zone-for="<select id>" stays hidden unless the browser's zone is one
// of the select's options and differs from the chosen one; its button chooses that zone.
document.addEventListener("DOMContentLoaded", function () {
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (error) {
    return;
  }
  if (!zone) return;
  document.querySelectorAll("[data-browser-zone-for]").forEach(function (offer) {
    var select = document.getElementById(offer.getAttribute("data-browser-zone-for"));
    var button = offer.querySelector("button");
    if (!select || !button || select.value === zone) return;
    var known = Array.prototype.some.call(select.options, function (option) { return option.value === zone; });
    if (!known) return;
    button.textContent = "Use this device's time zone (" + zone.replace(/_/g, " ") + ")";
    offer.hidden = false;
    button.addEventListener("click", function () {
      select.value = zone;
      offer.hidden = true;
      select.focus();
    });
  });
});
