// HazardLoop page behaviour. Every page works without this file; it only saves clicks.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // A select marked data-autosubmit submits its form on change (filters, page size), so the
  // "查询" button is only needed without JavaScript. Forms driven by htmx submit themselves.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLSelectElement) || !target.hasAttribute("data-autosubmit")) {
      return;
    }
    var form = target.form;
    if (form && !form.hasAttribute("hx-get")) {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  // Buttons with data-confirm ask before they act (used for destructive actions).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
