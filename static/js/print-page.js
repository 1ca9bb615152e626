// A "Print" button for pages worth keeping on paper (recovery codes). Hidden until this script
// runs, so without JavaScript no button does nothing.
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
