// Behaviour every page may use, written here because the Content-Security-Policy allows
// no inline script: forms that ask before they submit (data-confirm), print buttons
// (data-print) and bar widths given as data (data-width, in percent).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });
  document.querySelectorAll("[data-width]").forEach(function (bar) {
    var value = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-width")) || 0));
    bar.style.width = value + "%";
  });
})();
