/*
 * Ranking of endorsed applications (templates/applications/recommend/ranking.html).
 *
 *   [data-rank-list]     the <tbody> whose rows [data-rank-row] are dragged (SortableJS) by their
 *                        [data-rank-handle]; on drop the rank inputs [data-rank-input] are
 *                        renumbered and the form is submitted (the server saves the order).
 *   [data-rank-status]   an aria-live region announcing the new position (text from the form's
 *                        data-rank-moved, translated by the template; {n} is the position).
 *
 * Without JavaScript the page works the same through the rank numbers and the up/down buttons
 * (real submit buttons, so keyboard users have them too). CSP: no inline script.
 */
(function () {
  "use strict";

  function init() {
    var list = document.querySelector("[data-rank-list]");
    if (!list || !window.Sortable) return;
    var form = list.closest("form");
    var status = form.querySelector("[data-rank-status]");
    if (list.querySelector("[data-rank-input]:disabled")) return; // ranking closed (deadline)
    list.closest("table").classList.add("rank-js");

    function renumber() {
      list.querySelectorAll("[data-rank-input]").forEach(function (input, index) {
        input.value = String(index + 1);
      });
    }

    window.Sortable.create(list, {
      handle: "[data-rank-handle]",
      draggable: "[data-rank-row]",
      animation: 150,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        renumber();
        var moved = form.getAttribute("data-rank-moved") || "";
        if (status) status.textContent = moved.replace("{n}", String(event.newIndex + 1));
        if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
