// The exam scheduling form: add draw rows, show the window inputs of the chosen kind,
// and load a province's cities into the audience picker. The form works without it.
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  if (!form) { return; }
  var MAX_RULES = 20;

  // "Add a row": copy the last draw row with the next free index and empty values.
  var add = document.getElementById("add-rule");
  var body = document.querySelector("#draw-rules tbody");
  if (add && body) {
    add.classList.remove("d-none");
    add.addEventListener("click", function () {
      var rows = body.querySelectorAll("tr.draw-rule");
      if (!rows.length || rows.length >= MAX_RULES) { return; }
      var next = 0;
      body.querySelectorAll("[name^='draw-']").forEach(function (input) {
        next = Math.max(next, parseInt(input.name.split("-")[1], 10) + 1);
      });
      var row = rows[rows.length - 1].cloneNode(true);
      row.querySelectorAll("[name]").forEach(function (input) {
        input.name = input.name.replace(/^draw-\d+-/, "draw-" + next + "-");
        input.id = input.name;
        input.classList.remove("is-invalid");
        if (input.tagName === "INPUT") { input.value = ""; }
        if (input.name.endsWith("-tag")) { input.value = ""; }
      });
      row.querySelectorAll(".invalid-feedback").forEach(function (e) { e.remove(); });
      body.appendChild(row);
      showTags(row);
      if (rows.length + 1 >= MAX_RULES) { add.disabled = true; }
    });
  }

  // A tag list shows only the tags of the row's bank (the same tag may be in several).
  function showTags(row) {
    var bank = row.querySelector("select[name$='-track']");
    var tags = row.querySelector("select[name$='-tag']");
    if (!bank || !tags) { return; }
    var chosen = tags.value, keep = null;
    Array.from(tags.options).forEach(function (option) {
      var track = option.getAttribute("data-track");
      option.hidden = track !== null && track !== bank.value;
      option.disabled = option.hidden;
      if (!option.hidden && option.value === chosen && keep === null) { keep = option; }
    });
    tags.querySelectorAll("optgroup").forEach(function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
    if (keep) { keep.selected = true; } else { tags.value = ""; }
  }
  if (body) {
    body.addEventListener("change", function (event) {
      if (event.target.name && /-track$/.test(event.target.name)) {
        showTags(event.target.closest("tr"));
      }
    });
    body.querySelectorAll("tr.draw-rule").forEach(showTags);
  }

  // One window or every week: show only the inputs that apply.
  var once = document.getElementById("window-once");
  var weekly = document.getElementById("window-weekly");
  function showWindow() {
    var chosen = form.querySelector("input[name='repeat']:checked");
    var isWeekly = chosen && chosen.value === "weekly";
    if (once) { once.hidden = isWeekly; }
    if (weekly) { weekly.hidden = !isWeekly; }
  }
  form.querySelectorAll("input[name='repeat']").forEach(function (radio) {
    radio.addEventListener("change", showWindow);
  });
  showWindow();
})();
