/*
 * The registration form's files (templates/applications/documents/_list.html). While a render
 * runs, the list carries [data-documents-job-active] and the progress fragment
 * (portal/_job.html) polls itself; once that fragment comes back finished (it no longer has
 * hx-get / data-hx-get), the list is asked to refresh itself ("documents-refresh") to show the new files.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function () {
    if (!window.htmx) return;
    document.querySelectorAll(".documents-list[data-documents-job-active]").forEach(function (list) {
      var status = list.querySelector(".job-status");
      // htmx reads both spellings; valid HTML needs data-hx-get (issue 13).
      if (status && !status.hasAttribute("hx-get") && !status.hasAttribute("data-hx-get")) {
        list.removeAttribute("data-documents-job-active");
        window.htmx.trigger(list, "documents-refresh");
      }
    });
  });
})();
