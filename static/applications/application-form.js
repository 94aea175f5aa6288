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
 *   [data-autosave-status]    autosave: see "autosave" below (issue 17).
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

  /* ---- autosave (issue 17) ----------------------------------------------
   *
   * [data-autosave-status] (templates/applications/_autosave.html) turns it on: its
   * data-autosave-url is applications/views/autosave.py, its data-msg-* are the words shown.
   * A save goes out 3 s after typing stops, when a field is left (change) and when the page
   * is hidden (tab switch, lid closed), with only the fields changed since the last save (a
   * table as a whole) and the form's lock_version; the answer's lock_version replaces it, so
   * the 保存草稿 button stays current. Until a save is acknowledged, the changed fields are
   * kept in localStorage under "portal.autosave.<application>.<lock_version it is based on>.<page>"
   * and offered back when the page opens again. Text based on an older version than the
   * server's is never sent as an autosave: restoring it submits the form, and the server
   * answers with both texts side by side (templates/applications/edit_conflict.html).
   */

  var AUTOSAVE_DELAY = 3000;
  var LOCAL_DELAY = 300;
  var RETRY_DELAY = 30000;
  var KEEPALIVE_LIMIT = 60000; // bytes: browsers refuse larger keepalive requests
  var STORE = "portal.autosave.";
  var KEEP_DAYS = 60;
  var TABLES = ["team-", "conflicts-"];
  var NOT_FIELDS = { csrfmiddlewaretoken: true, lock_version: true, tab: true };

  function fieldValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || NOT_FIELDS[name] || el.disabled) return;
      var type = (el.type || "").toLowerCase();
      if (type === "file" || type === "submit" || type === "button" || type === "reset") return;
      if (type === "radio") {
        if (!(name in values)) values[name] = "";
        if (el.checked) values[name] = el.value;
      } else if (type === "checkbox") {
        values[name] = el.checked ? (el.value || "on") : "false";
      } else {
        values[name] = el.value;
      }
    });
    return values;
  }

  function tableOf(name) {
    for (var i = 0; i < TABLES.length; i += 1) if (name.indexOf(TABLES[i]) === 0) return TABLES[i];
    return null;
  }

  /* The names of ``values`` that differ from ``base``; a changed table brings all its fields. */
  function changedNames(values, base) {
    var names = [];
    var tables = {};
    Object.keys(values).concat(Object.keys(base)).forEach(function (name) {
      if (values[name] === base[name]) return;
      var table = tableOf(name);
      if (table) tables[table] = true;
      else if (name in values && names.indexOf(name) < 0) names.push(name);
    });
    Object.keys(values).forEach(function (name) {
      var table = tableOf(name);
      if (table && tables[table]) names.push(name);
    });
    return names;
  }

  function fill(template, params) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return key in params ? params[key] : all; });
  }

  function fieldLabel(form, name) {
    var table = tableOf(name);
    var el = form.elements.namedItem(name);
    if (el && !el.id && el.length) el = el[0];
    if (table) {   // the heading just before the table
      var node = document.querySelector('[data-formset-prefix="' + table.slice(0, -1) + '"]');
      while (node && !(node.matches && node.matches("h2, h3, h4"))) node = node.previousElementSibling;
      return node ? node.textContent.trim() : table.slice(0, -1);
    }
    var radio = el && el.type === "radio";   // a group: its legend, not one option's label
    var label = el && el.id && !radio ? document.querySelector('label[for="' + el.id + '"]') : null;
    if (!label && el && el.closest) {
      var set = el.closest("fieldset");
      label = set && set.querySelector("legend");
    }
    if (label) return label.textContent.replace(/\s+/g, " ").trim();
    return (el && el.getAttribute && el.getAttribute("aria-label")) || name;
  }

  function startAutosave() {
    var status = document.querySelector("[data-autosave-status]");
    var form = document.getElementById("application-form");
    if (!status || !form || !window.fetch) return;
    var lockInput = form.querySelector('input[name="lock_version"]');
    var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
    var endpoint = status.getAttribute("data-autosave-url");
    var appId = (endpoint.match(/\/(\d+)\/autosave\/?$/) || [])[1];
    if (!lockInput || !csrf || !appId) return;

    var base = fieldValues(form);   // what the server holds, as far as this page knows
    var timer = null;
    var localTimer = null;
    var inFlight = null;
    var again = false;
    var paused = false;              // a conflict, or a refusal: until the person saves deliberately
    var submitting = false;
    var conflict = document.querySelector("[data-edit-conflict]");
    // On the page of a refused save, the text in the form is based on the older version it was
    // refused for: kept under that version, it can only come back through the conflict page.
    var keptVersion = conflict ? conflict.getAttribute("data-edit-conflict") : null;

    function msg(key, params) { return fill(status.getAttribute("data-msg-" + key) || "", params || {}); }

    function say(text, failed) {
      status.textContent = text;
      status.classList.toggle("is-failed", !!failed);
      status.classList.toggle("text-body-secondary", !failed);   // its !important would hide the red
    }

    // One entry per page too: two tabs of one application must not overwrite or forget each other's.
    var pageId = Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    var leaving = false;

    function storageKey(version) { return STORE + appId + "." + version + "." + pageId; }

    function storage() {
      try { return window.localStorage; } catch (e) { return null; }
    }

    function keepLocally() {
      var store = storage();
      if (!store) return;
      var values = fieldValues(form);
      var names = changedNames(values, base);
      var version = keptVersion || lockInput.value;
      var key = storageKey(version);
      try {
        if (!names.length) { store.removeItem(key); return; }
        var kept = {};
        names.forEach(function (name) { kept[name] = values[name]; });
        store.setItem(key, JSON.stringify({ version: version, at: Date.now(), values: kept }));
      } catch (e) { /* storage full or refused: the server save still goes out */ }
    }

    function forget(version) {
      var store = storage();
      if (store) try { store.removeItem(storageKey(version)); } catch (e) { /* nothing kept */ }
    }

    // portal.js warns before leaving while a form has unsaved input; once everything typed is on
    // the server it has nothing to warn about. Its listener forgets the form on a "reset" event;
    // a dispatched event resets no field (only form.reset() does).
    function markSaved() {
      if (!changedNames(fieldValues(form), base).length) form.dispatchEvent(new Event("reset", { bubbles: true }));
    }

    function schedule(delay) {
      if (paused || submitting) return;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { send(false); }, delay);
    }

    function afterSave(sent, values, body) {
      var refused = body.errors || {};
      sent.forEach(function (name) {
        var table = tableOf(name);
        if (refused[name] || (table && refused[table.slice(0, -1)])) return;
        base[name] = values[name];
      });
      TABLES.forEach(function (table) {   // rows removed from a table that was saved
        if (refused[table.slice(0, -1)] || !sent.some(function (n) { return tableOf(n) === table; })) return;
        Object.keys(base).forEach(function (name) {
          if (tableOf(name) === table && !(name in values)) delete base[name];
        });
      });
      forget(lockInput.value);
      lockInput.value = String(body.lock_version);
      keepLocally();
      var reasons = [];
      Object.keys(refused).forEach(function (name) { reasons = reasons.concat(refused[name]); });
      if (reasons.length) say(msg("partial", { time: body.saved_time, reason: reasons.join("；") }), true);
      else say(msg("saved", { time: body.saved_time }), false);
      markSaved();
    }

    function showConflict() {
      paused = true;
      window.clearTimeout(timer);
      say(msg("conflict"), true);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-danger ms-2";
      button.setAttribute("data-autosave-conflict", "");
      button.textContent = msg("conflict-button");
      // The form still carries the version it was opened with: the server refuses the save and
      // shows the stored text beside the person's.
      button.addEventListener("click", function () {
        if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
      });
      status.appendChild(document.createTextNode(" "));
      status.appendChild(button);
    }

    function answered(sent, values, response, body) {
      if (response.ok && body && body.ok) return afterSave(sent, values, body);
      if (response.status === 409 && body && body.conflict) return showConflict();
      if (response.status === 429) {
        say(msg("throttled"), true);
        return schedule(((body && body.retry_after) || 60) * 1000);
      }
      if (body && (body.error || body.errors)) {
        var reasons = body.error ? [body.error] : [];
        Object.keys(body.errors || {}).forEach(function (name) { reasons = reasons.concat(body.errors[name]); });
        if (response.status === 403) paused = true;   // no longer editable here: the page must be reloaded
        return say(msg("failed", { reason: reasons.join("；") + " " }), true);
      }
      // Not JSON: the sign-in page after the session expired, or a proxy's error page.
      say(msg("failed", { reason: msg("session") }), true);
      schedule(RETRY_DELAY);
    }

    function send(leaving) {
      if (paused || submitting) return Promise.resolve();
      if (inFlight) { again = true; return inFlight; }
      window.clearTimeout(timer);
      var values = fieldValues(form);
      var sent = changedNames(values, base);
      if (!sent.length) { markSaved(); return Promise.resolve(); }
      keepLocally();
      var body = new FormData();
      var size = 0;
      body.append("csrfmiddlewaretoken", csrf.value);
      body.append("lock_version", lockInput.value);
      sent.forEach(function (name) {
        body.append(name, values[name]);
        size += (name.length + values[name].length) * 3 + 64;
      });
      // No "saving…" announcement: a polite region speaking every few seconds would be noise.
      inFlight = window.fetch(endpoint, {
        method: "POST", body: body, credentials: "same-origin", redirect: "follow",
        headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
        keepalive: !!leaving && size < KEEPALIVE_LIMIT,
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.resolve(null)).then(function (data) {
          answered(sent, values, response, data);
        });
      }, function () {
        say(msg("offline"), true);
        schedule(RETRY_DELAY);
      }).then(function () {
        inFlight = null;
        if (again) { again = false; schedule(0); }
      });
      return inFlight;
    }

    /* Offer back what an earlier page kept and never got acknowledged. */
    function offerRestore() {
      var store = storage();
      if (!store) return;
      var current = fieldValues(form);
      var found = null;
      var keys = [];
      var stale = [];
      for (var i = 0; i < store.length; i += 1) {
        var key = store.key(i);
        if (key && key.indexOf(STORE + appId + ".") === 0) keys.push(key);
        else if (key && key.indexOf(STORE) === 0) stale.push(key);
      }
      // Other applications' entries are theirs to offer; after KEEP_DAYS nobody is coming back for them.
      stale.forEach(function (key) {
        try {
          var old = JSON.parse(store.getItem(key));
          if (!old || !(Date.now() - old.at < KEEP_DAYS * 86400000)) store.removeItem(key);
        } catch (e) { store.removeItem(key); }
      });
      keys.forEach(function (key) {
        var entry = null;
        try { entry = JSON.parse(store.getItem(key)); } catch (e) { entry = null; }
        var differs = entry && entry.values && Object.keys(entry.values).some(function (name) {
          return entry.values[name] !== current[name];
        });
        if (!differs) { store.removeItem(key); return; }   // already on the server (or nothing)
        if (!found || entry.at > found.entry.at) found = { key: key, entry: entry };
      });
      var template = document.querySelector("template[data-autosave-restore]");
      if (!found || !template) return;
      var entry = found.entry;
      var box = template.content.firstElementChild.cloneNode(true);
      var when = new Date(entry.at);
      var names = Object.keys(entry.values);
      var labels = [];
      names.forEach(function (name) {
        var label = fieldLabel(form, name);
        if (labels.indexOf(label) < 0) labels.push(label);
      });
      var summary = box.querySelector("[data-restore-summary]");
      summary.textContent = fill(summary.textContent, {
        time: when.toLocaleString("zh-CN", { hour12: false }), count: String(labels.length), fields: labels.join("、"),
      });
      var newer = String(entry.version) !== String(lockInput.value);
      box.querySelector("[data-restore-newer]").hidden = !newer;
      function close() { box.remove(); }
      box.querySelector("[data-restore-discard]").addEventListener("click", function () {
        keys.forEach(function (key) { try { store.removeItem(key); } catch (e) { /* gone */ } });
        close();
        say(msg("discarded"), false);
      });
      box.querySelector("[data-restore-accept]").addEventListener("click", function () {
        restoreValues(entry.values);
        close();
        keys.forEach(function (key) { try { store.removeItem(key); } catch (e) { /* gone */ } });
        if (newer) {
          // Based on an older version than the server's: never an autosave. The form goes with
          // the version the text was based on, and the server shows both texts.
          lockInput.value = String(entry.version);
          if (typeof form.requestSubmit === "function") form.requestSubmit(); else form.submit();
          return;
        }
        say(msg("restored"), false);
        keepLocally();   // under this page's key now
        markChanged(form);
        send(false);
      });
      var tabs = document.querySelector(".application-tabs");
      (tabs || form).parentNode.insertBefore(box, tabs || form);
    }

    function restoreValues(values) {
      document.querySelectorAll("[data-formset]").forEach(function (container) {
        var prefix = container.getAttribute("data-formset-prefix") + "-";
        var total = values[prefix + "TOTAL_FORMS"];
        if (total === undefined) return;
        while (parseInt(managementInput(container, "TOTAL_FORMS").value, 10) < parseInt(total, 10)) {
          addRow(container);
        }
      });
      Object.keys(values).forEach(function (name) {
        var el = form.elements.namedItem(name);
        if (!el) return;
        var list = el.length !== undefined && !el.tagName ? Array.prototype.slice.call(el) : [el];
        list.forEach(function (input) {
          var type = (input.type || "").toLowerCase();
          if (type === "radio") input.checked = input.value === values[name];
          else if (type === "checkbox") input.checked = values[name] !== "false";
          else input.value = values[name];
        });
      });
      document.querySelectorAll("[data-formset]").forEach(function (container) {
        var body = container.querySelector("[data-formset-body]");
        var rows = Array.prototype.slice.call(body.querySelectorAll(":scope > [data-formset-row]"));
        rows.forEach(function (row) {
          var box = row.querySelector('input[name$="-DELETE"]');
          row.hidden = !!(box && box.checked);
        });
        // The saved order, then refresh() numbers the rows as they now stand.
        function order(row) {
          var input = row.querySelector('input[name$="-ORDER"]');
          var n = input ? parseInt(input.value, 10) : NaN;
          return isNaN(n) ? 1e9 : n;
        }
        rows.sort(function (a, b) { return order(a) - order(b); }).forEach(function (row) { body.appendChild(row); });
        refresh(container);
      });
      document.querySelectorAll("[data-economic-grid]").forEach(updateGrid);
    }

    if (conflict) {
      // The page of a refused (stale) save: the person's text is in the form, unsaved. Leaving
      // warns, and nothing is autosaved until they choose, by saving, which text stays.
      paused = true;
      base = {};
      markChanged(form);
      say(msg("paused"), true);
    } else if (form.querySelector(".is-invalid, .invalid-feedback, .alert-danger")) {
      // A save refused for a field's error: none of the form shown is on the server. Everything
      // counts as changed; the autosave keeps what is valid and names what is not.
      base = {};
      keepLocally();
      schedule(0);
    } else {
      offerRestore();
    }

    form.addEventListener("input", function () {
      window.clearTimeout(localTimer);
      localTimer = window.setTimeout(keepLocally, LOCAL_DELAY);
      schedule(AUTOSAVE_DELAY);
    });
    form.addEventListener("change", function () {
      keepLocally();
      schedule(0);
    });
    form.addEventListener("click", function (event) {
      // Table rows added, removed or moved change no field's value by typing.
      if (event.target.closest && event.target.closest("[data-formset] button")) {
        window.setTimeout(keepLocally, 0);
        schedule(AUTOSAVE_DELAY);
      }
    });
    // Hidden: another tab, a minimised window, a closed lid: send now. Not when the page is being
    // left or reloaded (beforeunload comes first): the new page's read of the form could overtake
    // that save; the text is kept here and offered back instead.
    window.addEventListener("beforeunload", function () {
      leaving = true;
      window.setTimeout(function () { leaving = false; }, 1000);   // the person chose to stay
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "hidden") return;
      keepLocally();
      if (!leaving) send(true);
    });
    window.addEventListener("online", function () { schedule(0); });
    // 保存草稿 (or any submit of the form) waits for an autosave on its way, whose answer moves
    // the version the form carries; then it goes with the current version.
    form.addEventListener("submit", function (event) {
      window.clearTimeout(timer);
      if (event.defaultPrevented) return;
      if (inFlight) {
        event.preventDefault();
        var submitter = event.submitter;
        inFlight.then(function () {
          if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || undefined);
          else form.submit();
        });
        return;
      }
      keepLocally();   // kept until the page that answers finds it on the server
      submitting = true;
    });
  }

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
    startAutosave();
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
