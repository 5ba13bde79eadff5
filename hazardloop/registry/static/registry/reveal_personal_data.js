// "显示完整号码": reads one record's unmasked personal data from the audited API endpoint
// (GET /api/personal-data/<label>/<pk>/, which writes an audit event per reading) and shows it
// in the elements marked data-reveal-field="<field>" inside the button's data-reveal-scope.
// A static file because the page's CSP forbids inline scripts.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-reveal-url]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var scope = button.closest("[data-reveal-scope]") || document;
    var error = scope.querySelector("[data-reveal-error]");
    button.disabled = true;
    fetch(button.getAttribute("data-reveal-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (values) {
        scope.querySelectorAll("[data-reveal-field]").forEach(function (element) {
          var name = element.getAttribute("data-reveal-field");
          if (Object.prototype.hasOwnProperty.call(values, name)) {
            element.textContent = values[name] || "—";
          }
        });
        button.hidden = true;
        if (error) {
          error.hidden = true;
        }
      })
      .catch(function () {
        button.disabled = false;
        if (error) {
          error.hidden = false;
        }
      });
  });
})();
