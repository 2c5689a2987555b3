// "Sync now" progress: poll the small JSON endpoint while the latest run is running.
(function () {
  var progress = document.getElementById("sync-progress");
  if (!progress) return;
  var url = progress.getAttribute("data-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (run) {
        if (run.status === "none") { progress.textContent = ""; return; }
        var text = run.status_label + " — " + run.orders_seen + " commandes, " + run.invoices_issued + " factures";
        progress.textContent = text;
        progress.setAttribute("data-status", run.status);
        if (run.status === "running") setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
