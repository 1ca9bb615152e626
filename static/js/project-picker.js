// The project picker (projects/forms/picker.py): a combobox whose options htmx loads from
// projects:search. Arrows move through the options, Enter picks one, Escape closes the list.
// Picking fills the hidden id input; typing again clears it (the typed text then filters).
// No inline script or style: strict CSP.
(function () {
  "use strict";
  function parts(el) {
    var picker = el && el.closest("[data-picker]");
    if (!picker) return null;
    return {
      input: picker.querySelector("[data-picker-input]"),
      value: picker.querySelector("[data-picker-value]"),
      listbox: picker.querySelector("[role=listbox]"),
    };
  }
  function options(p) {
    return Array.prototype.slice.call(p.listbox.querySelectorAll("[role=option]:not([aria-disabled=true])"));
  }
  function active(p) {
    return p.listbox.querySelector("[role=option].is-active");
  }
  function setActive(p, option) {
    p.listbox.querySelectorAll("[role=option]").forEach(function (o) {
      o.classList.remove("is-active");
      o.setAttribute("aria-selected", "false");
    });
    if (option) {
      option.classList.add("is-active");
      option.setAttribute("aria-selected", "true");
      p.input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }
  function open(p) {
    if (!p.listbox.querySelector("[role=option]")) return;
    p.listbox.hidden = false;
    p.input.setAttribute("aria-expanded", "true");
  }
  function close(p) {
    p.listbox.hidden = true;
    p.input.setAttribute("aria-expanded", "false");
    setActive(p, null);
  }
  function isOpen(p) {
    return !p.listbox.hidden;
  }
  function pick(p, option) {
    p.value.value = option.getAttribute("data-value");
    p.input.value = option.getAttribute("data-label");
    close(p);
    p.input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  function move(p, step) {
    var list = options(p);
    if (!list.length) return;
    if (!isOpen(p)) open(p);
    var index = list.indexOf(active(p));
    index = index < 0 ? (step > 0 ? 0 : list.length - 1) : (index + step + list.length) % list.length;
    setActive(p, list[index]);
  }

  document.addEventListener("input", function (event) {
    var p = parts(event.target);
    if (!p || event.target !== p.input) return;
    p.value.value = ""; // the text changed: no project is chosen until one is picked again
    p.input.setAttribute("data-picker-typed", "");
  });
  document.addEventListener("keydown", function (event) {
    var p = parts(event.target);
    if (!p || event.target !== p.input) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(p, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && isOpen(p) && active(p)) {
      event.preventDefault();
      pick(p, active(p));
    } else if (event.key === "Escape" && isOpen(p)) {
      event.preventDefault();
      close(p);
    }
  });
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest(".picker-options")) event.preventDefault(); // keep focus in the input
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".picker-options [role=option]:not([aria-disabled=true])");
    var p = option && parts(option);
    if (p) pick(p, option);
  });
  document.addEventListener("focusout", function (event) {
    var p = parts(event.target);
    if (p && event.target === p.input) close(p);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var p = parts(event.detail.target);
    if (!p || event.detail.target !== p.listbox) return;
    setActive(p, null);
    if (document.activeElement === p.input && p.input.hasAttribute("data-picker-typed")) open(p);
    else close(p);
  });
})();
