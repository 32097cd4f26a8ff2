// A report's page while a worker makes it: ask for its progress every two seconds, move
// the bar, and show the downloads (or reload to show the failure) when it ends.
(function () {
  var box = document.getElementById("report-status");
  if (!box) return;
  var bar = document.getElementById("report-bar");
  function paint(percent) {
    if (!bar) return;
    bar.style.width = percent + "%";
    bar.textContent = percent + "%";
    bar.parentNode.setAttribute("aria-valuenow", String(percent));
  }
  if (bar) paint(parseInt(bar.getAttribute("data-width"), 10) || 0);
  var state = box.getAttribute("data-state");
  if (state !== "queued" && state !== "running") return;
  function ask() {
    fetch(box.getAttribute("data-status-url"), {headers: {"Accept": "application/json"},
                                                credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        paint(s.state === "done" ? 100 : s.progress);
        if (s.state === "done" || s.state === "failed") { window.location.reload(); return; }
        window.setTimeout(ask, 2000);
      })
      .catch(function () { window.setTimeout(ask, 5000); });
  }
  window.setTimeout(ask, 1500);
})();
