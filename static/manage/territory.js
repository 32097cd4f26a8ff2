// Adding a territory: cascading region selects; choosing a level loads the next one and
// clears those below it.
(function () {
  "use strict";
  var form = document.getElementById("territory-form");
  if (!form) { return; }
  var levels = form.dataset.levels.split(",").map(function (name) {
    return document.getElementById("t-" + name);
  });
  var url = form.dataset.regionsUrl;
  levels.slice(0, -1).forEach(function (select, i) {
    select.addEventListener("change", function () {
      levels.slice(i + 1).forEach(function (later) { later.replaceChildren(new Option("—", "")); });
      if (!select.value) { return; }
      fetch(url.replace("__code__", encodeURIComponent(select.value)),
            {headers: {Accept: "application/json"}})
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (regions) {
          regions.forEach(function (region) { levels[i + 1].add(new Option(region.name, region.code)); });
        });
    });
  });
})();
