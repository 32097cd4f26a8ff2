// The capacity planner: any change of an input posts the form to the recompute endpoint
// (the server keeps the one formula) and refreshes the result and the field messages.
(function () {
  "use strict";
  var form = document.getElementById("capacity-form");
  if (!form) { return; }
  var url = form.getAttribute("data-compute-url");
  var timer = null;
  var sequence = 0;

  function out(name) { return form.querySelector('[data-out="' + name + '"]'); }

  function show(result) {
    ["headcount", "effective", "hires", "hire_by"].forEach(function (name) {
      var el = out(name);
      if (el) { el.textContent = result[name]; }
    });
    if (out("fte")) { out("fte").textContent = Number(result.fte).toFixed(2); }
    var gap = out("gap");
    if (gap) {
      gap.textContent = Number(result.gap).toFixed(2);
      gap.classList.toggle("text-danger", result.hires > 0);
      gap.classList.toggle("text-success", result.hires === 0);
    }
    var late = form.querySelector("[data-out-late]");
    if (late) { late.classList.toggle("d-none", !result.late); }
    var list = out("formula");
    if (list) {
      list.textContent = "";
      result.formula.forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        list.appendChild(item);
      });
    }
  }

  function errors(details) {
    form.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.getAttribute("data-field");
      var input = form.querySelector('[name="' + name + '"]');
      el.textContent = (details && details[name]) || "";
      if (input) { input.classList.toggle("is-invalid", !!(details && details[name])); }
    });
    var panel = document.getElementById("capacity-result");
    if (panel) { panel.classList.toggle("opacity-50", !!details); }
  }

  function recompute() {
    var mine = ++sequence;
    var data = new FormData(form);
    fetch(url, { method: "POST", body: data, credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return [response.ok, body]; });
      })
      .then(function (pair) {
        if (mine !== sequence) { return; }  // a later change answered first
        if (pair[0]) { errors(null); show(pair[1]); } else { errors(pair[1].details || {}); }
      })
      .catch(function () { /* offline: the Recompute button still submits the form */ });
  }

  form.addEventListener("input", function (event) {
    if (event.target.name === "name") { return; }
    clearTimeout(timer);
    timer = setTimeout(recompute, 300);
  });
})();
