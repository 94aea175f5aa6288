/*
 * The application form (Table A.1), driven by data- attributes only (CSP: no inline script).
 *
 *   [data-tab-key]            tab buttons: the open tab is kept in the hidden [data-current-tab]
 *                             input and in ?tab=, so saving returns to the same tab.
 *   [data-goto-tab]           checklist links: open that tab and focus [data-goto-anchor].
 *   [data-economic-grid]      the economic table; [data-economic="sales_before"] inputs and
 *                             <output data-growth="sales|profit"> show the growth as one types.
 *                             The server's value (applications.services.figures) is the one
 *                             that counts; this mirrors it: (after − before) / |before| × 100.
 *   [data-formset]            add / remove / reorder rows of a Django formset: a <template
 *                             data-formset-template> row, [data-formset-add], [data-formset-remove],
 *                             [data-formset-up], [data-formset-down]; MAX_NUM_FORMS is the limit.
 *
 * Character counters and the unsaved-changes warning come from portal.js (data-char-counter,
 * data-warn-unsaved).
 */
(function () {
  "use strict";

  /* ---- tabs ------------------------------------------------------------ */

  function showTab(key) {
    var button = document.querySelector('[data-tab-key="' + key + '"]');
    if (button && window.bootstrap) window.bootstrap.Tab.getOrCreateInstance(button).show();
  }

  document.addEventListener("shown.bs.tab", function (event) {
    var key = event.target.getAttribute("data-tab-key");
    if (!key) return;
    document.querySelectorAll("[data-current-tab]").forEach(function (input) { input.value = key; });
    var url = new URL(window.location.href);
    url.searchParams.set("tab", key);
    url.hash = "";
    window.history.replaceState(null, "", url.toString());
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-goto-tab]") : null;
    if (!link) return;
    event.preventDefault();
    showTab(link.getAttribute("data-goto-tab"));
    var target = document.getElementById(link.getAttribute("data-goto-anchor"));
    if (target) {
      target.scrollIntoView({ block: "center" });
      if (typeof target.focus === "function") target.focus({ preventScroll: true });
    }
  });

  /* ---- economic growth -------------------------------------------------- */

  function parseAmount(input) {
    if (!input || input.value.trim() === "") return null;
    var n = Number(input.value.replace(/[,，\s]/g, ""));
    return isFinite(n) ? n : NaN;
  }

  function growthText(before, after, grid) {
    if (before === null || after === null || isNaN(before) || isNaN(after)) {
      return grid.getAttribute("data-note-missing");
    }
    if (before === 0) return grid.getAttribute("data-note-zero");
    var percent = (after - before) / Math.abs(before) * 100;
    // Round half away from zero to one place, like Decimal ROUND_HALF_UP on the server.
    var rounded = Math.sign(percent) * Math.round(Math.abs(percent) * 10 + 1e-9) / 10;
    return (rounded > 0 ? "+" : "") + rounded.toFixed(1) + "%";
  }

  function updateGrid(grid) {
    ["sales", "profit"].forEach(function (key) {
      var output = grid.querySelector('[data-growth="' + key + '"]');
      if (!output) return;
      var before = parseAmount(grid.querySelector('[data-economic="' + key + '_before"]'));
      var after = parseAmount(grid.querySelector('[data-economic="' + key + '_after"]'));
      output.textContent = growthText(before, after, grid);
    });
  }

  document.addEventListener("input", function (event) {
    var grid = event.target.closest ? event.target.closest("[data-economic-grid]") : null;
    if (grid && event.target.hasAttribute("data-economic")) updateGrid(grid);
  });

  /* ---- formsets --------------------------------------------------------- */

  function managementInput(container, name) {
    var prefix = container.getAttribute("data-formset-prefix");
    return container.querySelector('input[name="' + prefix + "-" + name + '"]');
  }

  function liveRows(container) {
    return Array.prototype.filter.call(
      container.querySelectorAll("[data-formset-body] > [data-formset-row]"),
      function (row) { return !row.hidden; }
    );
  }

  function refresh(container) {
    var rows = liveRows(container);
    rows.forEach(function (row, index) {
      var number = row.querySelector("[data-row-number]");
      if (number) number.textContent = String(index + 1);
      var order = row.querySelector('input[name$="-ORDER"]');
      if (order) order.value = String(index + 1);
    });
    var max = parseInt(managementInput(container, "MAX_NUM_FORMS").value, 10);
    var add = container.querySelector("[data-formset-add]");
    if (add) add.disabled = !isNaN(max) && rows.length >= max;
  }

  function markChanged(container) {
    // Let portal.js's unsaved-changes warning know (it listens for bubbling change events).
    var input = container.querySelector("input, select, textarea");
    if (input) input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function addRow(container) {
    var total = managementInput(container, "TOTAL_FORMS");
    var template = container.querySelector("template[data-formset-template]");
    var index = parseInt(total.value, 10);
    var wrapper = document.createElement("tbody");
    wrapper.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = wrapper.querySelector("[data-formset-row]");
    container.querySelector("[data-formset-body]").appendChild(row);
    total.value = String(index + 1);
    refresh(container);
    var first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select");
    if (first) first.focus();
  }

  function removeRow(container, row) {
    var box = row.querySelector('input[name$="-DELETE"]');
    if (box) box.checked = true;
    row.hidden = true;
    refresh(container);
    markChanged(container);
  }

  function moveRow(container, row, direction) {
    var rows = liveRows(container);
    var index = rows.indexOf(row);
    var other = rows[index + direction];
    if (!other) return;
    if (direction < 0) other.before(row); else other.after(row);
    refresh(container);
    markChanged(container);
    var button = row.querySelector(direction < 0 ? "[data-formset-up]" : "[data-formset-down]");
    if (button) button.focus();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button") : null;
    var container = button ? button.closest("[data-formset]") : null;
    if (!container) return;
    var row = button.closest("[data-formset-row]");
    if (button.hasAttribute("data-formset-add")) addRow(container);
    else if (button.hasAttribute("data-formset-remove")) removeRow(container, row);
    else if (button.hasAttribute("data-formset-up")) moveRow(container, row, -1);
    else if (button.hasAttribute("data-formset-down")) moveRow(container, row, 1);
  });

  /* ---- start ------------------------------------------------------------ */

  function init() {
    document.querySelectorAll("[data-economic-grid]").forEach(updateGrid);
    document.querySelectorAll("[data-formset]").forEach(function (container) {
      container.classList.add("formset-js");
      // Rows ticked for deletion in a re-rendered (invalid) form stay hidden.
      container.querySelectorAll('input[name$="-DELETE"]:checked').forEach(function (box) {
        var row = box.closest("[data-formset-row]");
        if (row) row.hidden = true;
      });
      refresh(container);
    });
    // A link to a field (…?tab=basic#id_category): open the tab holding it.
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var pane = target && target.closest(".tab-pane");
    if (pane) {
      showTab(pane.id.replace(/^tab-/, ""));
      target.scrollIntoView({ block: "center" });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
