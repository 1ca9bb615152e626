// Milestones and status updates: small behaviours that need no inline script (CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  // Keep the draft's "Saved 10:42" note honest: flag typing that has not been saved yet.
  document.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-autosave]");
    if (!form) return;
    var status = document.getElementById("save-status");
    if (status && !status.classList.contains("error")) {
      status.className = "save-status";
      status.textContent = "Unsaved changes…";
    }
  });
})();
