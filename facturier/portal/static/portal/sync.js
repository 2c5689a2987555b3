// Sync progress: poll the small JSON endpoint while the latest run is running; when a run seen running ends,
// reload once so its first invoices are on screen. The counts come worded by the server, in the page's language
// and with their plurals.
(function () {
  var progress = document.getElementById("sync-progress");
  if (!progress) return;
  var url = progress.getAttribute("data-url");
  var sawRunning = false;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (run) {
        if (run.status === "none") { progress.textContent = ""; return; }
        progress.textContent = run.status_label + " — " + run.progress;
        progress.setAttribute("data-status", run.status);
        if (run.status === "running") { sawRunning = true; setTimeout(poll, 2000); }
        else if (sawRunning) { window.location.reload(); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
