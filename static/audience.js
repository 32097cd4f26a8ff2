// The audience pickers of a broadcast or an exam: picking a province under "Cities of"
// adds its cities to the cities list (cities already chosen stay).
(function () {
  "use strict";
  var pickers = document.getElementById("audience-pickers");
  var province = document.getElementById("city_province");
  var cities = document.getElementById("cities");
  if (!pickers || !province || !cities) { return; }
  province.addEventListener("change", function () {
    if (!province.value) { return; }
    var url = pickers.dataset.regionsUrl.replace("__code__", encodeURIComponent(province.value));
    fetch(url, {headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (regions) {
        var present = new Set(Array.from(cities.options).map(function (o) { return o.value; }));
        regions.forEach(function (region) {
          if (region.level === "city" && !present.has(region.code)) {
            cities.add(new Option(region.name, region.code));
          }
        });
      });
  });
})();
