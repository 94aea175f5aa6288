/*
 * Portal behaviour, driven by data- attributes (CSP: no inline script, no inline handlers).
 *
 *   data-confirm="…"        on a <form>, a submit <button> or a link: asks before going on.
 *   data-warn-unsaved       on a <form>: warns before leaving the page with unsaved changes.
 *   data-auto-submit        on a <select>: submits its form when the choice changes
 *                           (the form keeps a real submit button for use without JavaScript).
 *   data-char-counter       on a <textarea> (or <input>): shows "n / maxlength" below it.
 *                           The limit is the maxlength attribute, or the attribute's own value.
 *   .sticky-bottom          a bar stuck to the bottom of the window (the form's 保存草稿 bar): a control
 *                           that gets keyboard focus under it is scrolled up into view (WCAG 2.4.11).
 */
(function () {
  "use strict";

  /* ---- data-confirm ---------------------------------------------------- */

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-confirm]") : null;
    if (link && !window.confirm(link.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  /* ---- data-warn-unsaved ----------------------------------------------- */

  var dirtyForms = new Set();

  function markDirty(event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute("data-warn-unsaved")) dirtyForms.add(form);
  }
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);

  // Registered after the data-confirm listener: a cancelled confirmation keeps the warning.
  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) dirtyForms.delete(event.target);
  });
  document.addEventListener("reset", function (event) {
    dirtyForms.delete(event.target);
  });

  window.addEventListener("beforeunload", function (event) {
    var pending = false;
    dirtyForms.forEach(function (form) {
      if (form.isConnected) pending = true;
    });
    if (pending) {
      event.preventDefault();
      event.returnValue = "";   // older browsers need a value to show their own prompt
    }
  });

  /* ---- data-auto-submit ------------------------------------------------- */

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-auto-submit") || !select.form) return;
    if (typeof select.form.requestSubmit === "function") {
      select.form.requestSubmit();
    } else {
      select.form.submit();
    }
  });

  /* ---- data-char-counter ------------------------------------------------ */

  var counterSeq = 0;

  function initCounter(field) {
    if (field.dataset.charCounterReady) return;
    field.dataset.charCounterReady = "1";
    var limit = parseInt(field.getAttribute("maxlength") || field.getAttribute("data-char-counter"), 10);
    var output = document.createElement("div");
    output.className = "char-counter form-text";
    output.id = (field.id || "field") + "-counter-" + (++counterSeq);
    field.insertAdjacentElement("afterend", output);
    var describedBy = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", describedBy ? describedBy + " " + output.id : output.id);

    function update() {
      // Count characters as people see them (a CJK character or an emoji is one).
      var n = Array.from(field.value).length;
      output.textContent = isNaN(limit) ? String(n) : n + " / " + limit;
      output.classList.toggle("is-over", !isNaN(limit) && n > limit);
    }
    field.addEventListener("input", update);
    update();
  }

  function initAll(root) {
    root = root || document;
    if (root.matches && root.matches("[data-char-counter]")) initCounter(root);
    root.querySelectorAll("[data-char-counter]").forEach(initCounter);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { initAll(); });
  } else {
    initAll();
  }
  /* ---- nothing focused hides under a sticky bottom bar --------------------- */

  // Browsers scroll a focused element into view only when it is outside the window; one that sits
  // behind the bar is "in view" for them. CSS scroll-padding covers scripted scrolls; this covers Tab.
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!(target instanceof Element) || target === document.body) return;
    document.querySelectorAll(".sticky-bottom").forEach(function (bar) {
      if (bar.contains(target) || getComputedStyle(bar).position !== "sticky") return;
      var barTop = bar.getBoundingClientRect().top;
      var rect = target.getBoundingClientRect();
      var room = barTop - 16;  // keeps the focus ring clear of the bar too
      if (rect.height === 0 || rect.bottom <= room) return;
      // A control taller than the room shows its top; a smaller one, its whole height.
      var by = rect.height > room ? rect.top - 16 : rect.bottom - room;
      if (by > 0) window.scrollBy(0, by);
    });
  });

  // Signing out forgets the unsent drafts kept in this browser (application-form.js keeps them under
  // "portal.autosave."), so that the next person at a shared office PC is never offered them.
  document.addEventListener("submit", function (event) {
    if (!(event.target instanceof Element) || !event.target.hasAttribute("data-logout")) return;
    try {
      var store = window.localStorage;
      for (var i = store.length - 1; i >= 0; i--) {
        var key = store.key(i);
        if (key && key.indexOf("portal.autosave.") === 0) store.removeItem(key);
      }
    } catch (e) { /* storage disabled: nothing kept */ }
  });

    // Content swapped in by htmx gets counters too.
  document.addEventListener("htmx:load", function (event) { initAll(event.target); });
})();
