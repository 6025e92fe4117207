/* The guided page, enhanced: instant rows, saving as you type, and a copy in this browser.
 *
 * Without this script the page still works: every button posts the form. With it, rows are added,
 * removed and moved in place, the report is saved a moment after the author stops typing or leaves
 * a field, and anything not yet saved is kept in localStorage until the server has it.
 */
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form || !window.fetch) { return; }

  var TYPING_PAUSE_MS = 2000;
  var LEAVE_FIELD_MS = 300;
  var RETRY_MIN_MS = 3000;   // after a failed save, wait at least this long before the next
  var RETRY_MAX_MS = 60000;  // and at most this long, doubling the wait after each failure
  var LISTS = ["timeline", "factors", "actions"];

  /* The page's words in its language (window.hindsightText, from static/text.js): the English
     words are the key and what is shown when there is no translation. */
  function say(english, values) {
    var words = window.hindsightText || {};
    var text = Object.prototype.hasOwnProperty.call(words, english) ? words[english] : english;
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  var reportId = form.dataset.reportId;
  var storageKey = "hindsight:draft:" + reportId;
  var status = document.getElementById("save-status");
  var announcer = document.getElementById("save-announcer");
  var summary = document.getElementById("error-summary");
  var conflictPanel = document.getElementById("conflict-panel");
  var conflictList = document.getElementById("conflict-list");

  var dirty = false;        // something changed that the server does not have yet
  var saving = false;       // a request is in flight
  var again = false;        // a save was asked for while one was in flight
  var changeCount = 0;      // bumped on every change, to tell whether a save covered them all
  var timer = null;
  var retryDelay = RETRY_MIN_MS;
  var notBefore = 0;        // after a failure, no save is sent before this time (ms since 1970)
  var asked = false;        // the author pressed Save: the next answer is said, and a refusal
                            // takes the focus to the error summary
  var said = "saved";       // the last state announced: saved, error or offline

  /* The status line in the save bar shows every step; a screen reader hears only a change that
   * matters, once: not saved, offline, saved again after either, or saved when Save was pressed.
   * Typing, waiting and saving as usual are never announced. */
  function setStatus(text, state) {
    if (status.textContent !== text) { status.textContent = text; }
    status.dataset.state = state;
    if (!announcer || state === "pending" || state === "saving") { return; }
    var matters = state !== said || (state === "saved" && asked);
    said = state;
    if (matters) { announce(announcer, text); }
  }

  /* Say `text` in a polite live region: emptied first, so the same words are said again. */
  function announce(region, text) {
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  /* ---- the page's title and the sticky save bar ---- */

  var pageTitle = document.getElementById("page-title");
  var titleInput = document.getElementById("title");
  var suffix = " – Hindsight";

  /* The window's title follows the report's title, with "Error: " first while errors show. */
  function updateTitle() {
    var name = (titleInput && titleInput.value.trim()) || say("Untitled report");
    var errors = summary && !summary.hidden;
    document.title = (errors ? say("Error: ") : "") + name + suffix;
    if (pageTitle) { pageTitle.textContent = name; }
  }

  /* Whatever takes the focus is scrolled into view below the save bar, never under it
   * (hindsight.css: scroll-padding-top). The bar grows when it wraps, so its height is measured. */
  var bar = form.querySelector(".save-bar");
  function measureBar() {
    var sticky = bar && getComputedStyle(bar).position === "sticky";
    document.documentElement.style.setProperty(
      "--save-bar-height", (sticky ? bar.offsetHeight : 0) + "px");
  }
  if (bar) {
    measureBar();
    if (window.ResizeObserver) { new ResizeObserver(measureBar).observe(bar); }
    window.addEventListener("resize", measureBar);
  }

  /* A link to a field (error summary, "Not ready yet"): the field takes the focus, with its label
   * in view below the save bar, as the GOV.UK error summary does. */
  function focusField(id) {
    var target = document.getElementById(id);
    var closed = target && target.closest("[data-closed]");
    if (closed) {  // an event of a long timeline shown as text: its inputs first
      openRow(closed);
      target = document.getElementById(id);
    }
    if (!target) { return false; }
    var field = target.matches("input, textarea, select, button") ? target :
      target.querySelector("input:not([type=hidden]), textarea, select") ||
      target.querySelector("[data-add-row]");
    if (!field) { return false; }
    var group = field.closest(".form-group, .checkbox, .row-list, fieldset") || field;
    group.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
    var box = field.getBoundingClientRect();
    if (box.bottom > window.innerHeight || box.top < 0) { field.scrollIntoView({ block: "nearest" }); }
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".error-summary a[href^='#'], .conflict-panel a[href^='#']");
    if (link && focusField(decodeURIComponent(link.getAttribute("href").slice(1)))) {
      event.preventDefault();
    }
  });

  /* Where the browser cannot size a text box to its text (field-sizing), the script does. */
  var sizesItself = window.CSS && CSS.supports && CSS.supports("field-sizing", "content");
  function fitText(box) {
    if (sizesItself || box.tagName !== "TEXTAREA") { return; }
    box.style.height = "auto";
    box.style.height = (box.scrollHeight + box.offsetHeight - box.clientHeight) + "px";
  }
  if (!sizesItself) {
    form.querySelectorAll("textarea").forEach(fitText);
    form.addEventListener("input", function (event) { fitText(event.target); });
  }

  function clock(date) {
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }

  /* ---- the copy kept in this browser ---- */

  function formEntries() {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "row_action" && name !== "save" &&
          name !== "base_version" && typeof value === "string") {
        entries.push([name, value]);
      }
    });
    return entries;
  }

  /* ---- only the change travels ---- */

  /* What the server has (the entries at the last acknowledged save, or as it sent them): each
   * save sends only what differs from it (forms/changes.py says how). */
  var acked = null;
  var wholeNext = false;  // the server asked for the whole page once
  var ROW_INPUT = /^(timeline|factors|actions)-(\d+)-(.+)$/;

  /* Entries as parts: the page's own inputs by name, and each row by its id, in order. */
  function parts(entries) {
    var top = {}, rows = {}, order = {}, byIndex = {};
    LISTS.forEach(function (list) { rows[list] = {}; order[list] = []; byIndex[list] = {}; });
    entries.forEach(function (entry) {
      var match = ROW_INPUT.exec(entry[0]);
      if (match) {
        var row = byIndex[match[1]][match[2]] || (byIndex[match[1]][match[2]] = []);
        row.push(entry);
      } else {
        (top[entry[0]] = top[entry[0]] || []).push(entry[1]);
      }
    });
    var complete = true;
    LISTS.forEach(function (list) {
      Object.keys(byIndex[list]).sort(function (a, b) { return a - b; }).forEach(function (i) {
        var entriesOfRow = byIndex[list][i];
        var id = (entriesOfRow.filter(function (e) { return e[0] === list + "-" + i + "-id"; })[0] || [])[1];
        if (!id) { complete = false; return; }
        order[list].push(id);
        rows[list][id] = {
          entries: entriesOfRow,
          // The row's values without its place, to compare it wherever it has moved.
          key: JSON.stringify(entriesOfRow.map(function (e) {
            return [e[0].replace(ROW_INPUT, "$3"), e[1]];
          }))
        };
      });
    });
    return { top: top, rows: rows, order: order, complete: complete };
  }

  /* The body of a save that sends only what changed since `acked`, or null when the whole page
   * must go (nothing acknowledged yet, a change of time zone, a row without an id). */
  function changesBody(entries) {
    if (!acked || wholeNext) { return null; }
    var before = parts(acked), now = parts(entries);
    if (!before.complete || !now.complete) { return null; }
    var body = new FormData();
    body.append("csrf_token", form.elements.namedItem("csrf_token").value);
    body.append("base_version", form.querySelector("#base_version").value);
    body.append("changes", "1");
    var sent = [];
    var names = Object.keys(before.top).concat(Object.keys(now.top));
    names.forEach(function (name) {
      if (sent.indexOf(name) !== -1) { return; }
      if (JSON.stringify(before.top[name] || []) !== JSON.stringify(now.top[name] || [])) {
        sent.push(name);
        (now.top[name] || []).forEach(function (value) { body.append(name, value); });
      }
    });
    if (sent.indexOf("timezone") !== -1) { return null; }  // every time on the page moves
    body.append("sent", sent.join(","));
    LISTS.forEach(function (list) {
      now.order[list].forEach(function (id) {
        var old = before.rows[list][id];
        if (!old || old.key !== now.rows[list][id].key) {
          now.rows[list][id].entries.forEach(function (e) { body.append(e[0], e[1]); });
        }
      });
      if (JSON.stringify(before.order[list]) !== JSON.stringify(now.order[list])) {
        body.append(list + "_order", now.order[list].join(","));
      }
    });
    return body;
  }

  function keepInBrowser() {
    try {
      localStorage.setItem(storageKey, JSON.stringify({
        entries: formEntries(), keptAt: new Date().toISOString(), baseVersion: form.dataset.version
      }));
    } catch (e) { /* storage full or disabled: the server copy is still tried */ }
  }

  function forgetBrowserCopy() {
    try { localStorage.removeItem(storageKey); } catch (e) { /* nothing to forget */ }
  }

  function browserCopy() {
    try {
      var raw = localStorage.getItem(storageKey);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }

  /* ---- rows ---- */

  function container(list) { return form.querySelector('[data-rows="' + list + '"]'); }
  function rowsOf(list) { return Array.prototype.slice.call(container(list).children); }

  function renumber(list) {
    var pattern = new RegExp("^" + list + "-(\\d+|__index__)(?=-|$)");
    rowsOf(list).forEach(function (row, index) {
      var prefix = list + "-" + index;
      var rename = function (value) { return value.replace(pattern, prefix); };
      row.id = rename(row.id);
      row.querySelectorAll("[id],[name],[for],[aria-describedby],[href]").forEach(function (el) {
        ["id", "name", "for"].forEach(function (attr) {
          if (el.hasAttribute(attr)) { el.setAttribute(attr, rename(el.getAttribute(attr))); }
        });
        if (el.hasAttribute("aria-describedby")) {
          el.setAttribute("aria-describedby",
            el.getAttribute("aria-describedby").split(/\s+/).map(rename).join(" "));
        }
        if (el.hasAttribute("href")) {
          var href = el.getAttribute("href");
          if (href.charAt(0) === "#") { el.setAttribute("href", "#" + rename(href.slice(1))); }
        }
      });
      row.querySelectorAll('button[name="row_action"]').forEach(function (button) {
        button.value = button.value.replace(/:(\d+|__index__)$/, ":" + index);
      });
      row.querySelectorAll(".row-number").forEach(function (span) { span.textContent = index + 1; });
    });
    var empty = form.querySelector('[data-empty="' + list + '"]');
    if (empty) { empty.hidden = rowsOf(list).length > 0; }
  }

  /* A new row's stable id, made here so that it is the same in every save of this page. */
  function newRowId() {
    var bytes = new Uint8Array(5);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function addRow(list) {
    var template = document.getElementById(list + "-template");
    var fragment = template.content.cloneNode(true);
    container(list).appendChild(fragment);
    renumber(list);
    var rows = rowsOf(list);
    var added = rows[rows.length - 1];
    var id = added.querySelector('input[type="hidden"][name$="-id"]');
    if (id && !id.value) { id.value = newRowId(); }
    return added;
  }

  /* ---- a long timeline's events shown as text (views/row_views.py ClosedEvents) ---- */

  /* A closed row's values: its hidden inputs, named as the open row's inputs. */
  function closedValues(row) {
    var values = {};
    row.querySelectorAll('input[type="hidden"]').forEach(function (input) {
      values[input.name] = input.value;
    });
    return values;
  }

  /* "Edit": the row's inputs in its place, copied from the page's blank row and filled with its
   * values, the advice the writing guidance gave it kept; nothing is sent, nothing changes. */
  function openRow(row) {
    var list = row.dataset.row;
    var values = closedValues(row);
    var template = document.getElementById(list + "-template");
    var opened = template.content.firstElementChild.cloneNode(true);
    row.parentNode.replaceChild(opened, row);
    renumber(list);
    opened.querySelectorAll("[name]").forEach(function (el) {
      var has = Object.prototype.hasOwnProperty.call(values, el.name);
      if (el.type === "checkbox") { el.checked = has; } else if (has) { el.value = values[el.name]; }
    });
    var advice = row.querySelector(".field-hints");
    var text = opened.querySelector("textarea");
    if (advice && text) {
      text.insertAdjacentElement("afterend", advice);
      if (!advice.hidden) { describe(text, advice.id); }
    }
    if (text) { fitText(text); }
    return opened;
  }

  /* A closed row after others' changes were taken in: its ticks' hidden inputs (one for each
   * tick, in the open row's order) and the text the author reads. */
  function fillClosed(row, values) {
    var prefix = row.id + "-";
    var has = function (name) { return Object.prototype.hasOwnProperty.call(values, name); };
    var last = row.querySelector('input[name="' + prefix + 'description"]');
    ["contributing", "outside_window", "internal"].forEach(function (tick) {
      var input = row.querySelector('input[name="' + prefix + tick + '"]');
      if (!has(prefix + tick)) {
        if (input) { input.remove(); }
        return;
      }
      if (!input) {
        input = element("input");
        input.type = "hidden";
        input.name = prefix + tick;
        if (tick === "internal") { input.setAttribute("data-internal", ""); }
      }
      input.value = values[prefix + tick];
      last.insertAdjacentElement("afterend", input);
      last = input;
    });
    ["at", "kind", "description"].forEach(function (name) {
      var input = row.querySelector('input[name="' + prefix + name + '"]');
      if (input) { input.value = has(prefix + name) ? values[prefix + name] : ""; }
    });
    describeClosed(row);
  }

  /* A row's time as the server writes it (views/row_views.py): "3 Oct 2026 09:15" in
     English, "3 oct. 2026 09 h 15" in French, from its input's "2026-10-03T09:15". */
  function closedWhen(at) {
    var found = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(at);
    if (!found || !window.Intl || !Intl.DateTimeFormat.prototype.formatToParts) {
      return at.replace("T", " ");
    }
    var language = document.documentElement.lang || "en";
    var day = new Date(Date.UTC(+found[1], +found[2] - 1, +found[3]));
    var parts = {};
    new Intl.DateTimeFormat(language, {day: "numeric", month: "short", year: "numeric",
                                       timeZone: "UTC"})
      .formatToParts(day).forEach(function (part) { parts[part.type] = part.value; });
    var clock = language.indexOf("fr") === 0 ? found[4] + " h " + found[5]
                                            : found[4] + ":" + found[5];
    return parts.day + " " + parts.month + " " + parts.year + " " + clock;
  }

  /* The words of a closed row, from its hidden inputs, as the server writes them. */
  function describeClosed(row) {
    var values = closedValues(row), prefix = row.id + "-";
    var words = container(row.dataset.row).dataset;
    var at = values[prefix + "at"] || "";
    row.querySelector(".row-when").textContent = at ? closedWhen(at) : words.noTime;
    var kind = document.getElementById(row.dataset.row + "-template").content
      .querySelector('select[name$="-kind"]');
    var option = Array.prototype.filter.call(kind ? kind.options : [], function (o) {
      return o.value === values[prefix + "kind"];
    })[0];
    row.querySelector(".row-kind").textContent = option ? option.textContent : values[prefix + "kind"];
    var tags = row.querySelector(".row-tags");
    tags.textContent = "";
    [["contributing", words.tagContributing], ["outside_window", words.tagOutside_window]].forEach(
      function (pair) {
        if (values[prefix + pair[0]] === undefined) { return; }
        tags.appendChild(document.createTextNode(" "));
        tags.appendChild(element("span", "tag", pair[1]));
      });
    row.querySelector(".row-text").textContent = values[prefix + "description"] || "";
  }

  function rowAction(button) {
    var parts = button.value.split(":");
    var verb = parts[0], list = parts[1];
    if (verb === "edit") {
      var shown = openRow(button.closest("[data-row]"));
      var input = shown.querySelector("input:not([type=hidden]), textarea, select");
      if (input) { input.focus(); }
      return;
    }
    if (verb === "add") {
      var row = addRow(list);
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
      changed(LEAVE_FIELD_MS);
      return;
    }
    var current = button.closest("[data-row]");
    var focusTarget = null;
    if (verb === "remove") {
      var next = current.nextElementSibling || current.previousElementSibling;
      current.remove();
      focusTarget = next ? next.querySelector("input, textarea, select")
                         : form.querySelector('[data-add-row="' + list + '"]');
    } else if (verb === "up" && current.previousElementSibling) {
      current.parentNode.insertBefore(current, current.previousElementSibling);
      focusTarget = button;
    } else if (verb === "down" && current.nextElementSibling) {
      current.parentNode.insertBefore(current.nextElementSibling, current);
      focusTarget = button;
    }
    renumber(list);
    if (focusTarget) { focusTarget.focus(); }
    changed(LEAVE_FIELD_MS);
  }

  /* Make the DOM hold as many rows as the entries have, then put every value back.
   * With `only` (a field id or a row list's name), just that part is put back. */
  function restore(entries, only) {
    var inScope = function (name) {
      return !only || name === only || name.indexOf(only + "-") === 0;
    };
    LISTS.forEach(function (list) {
      if (only && only !== list) { return; }
      var pattern = new RegExp("^" + list + "-(\\d+)-");
      var indices = {};
      entries.forEach(function (entry) {
        var match = pattern.exec(entry[0]);
        if (match) { indices[match[1]] = true; }
      });
      var wanted = Object.keys(indices).length;
      while (rowsOf(list).length < wanted) { addRow(list); }
      while (rowsOf(list).length > wanted) { rowsOf(list)[rowsOf(list).length - 1].remove(); }
      renumber(list);
    });
    var values = {};
    entries.forEach(function (entry) {
      values[entry[0]] = entry[1];
      if (inScope(entry[0])) { addFactorLinkBox(entry[0]); }
    });
    var has = function (name) { return Object.prototype.hasOwnProperty.call(values, name); };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "base_version" ||
          el.type === "submit" || el.type === "button" || el.type === "file" ||
          !inScope(el.name)) { return; }
      if (el.type === "checkbox") {
        el.checked = has(el.name);
      } else if (el.type === "radio") {
        el.checked = has(el.name) && values[el.name] === el.value;
      } else if (has(el.name)) {
        el.value = values[el.name];
      }
    });
    form.querySelectorAll("[data-closed]").forEach(function (row) {
      if (inScope(row.id)) { fillClosed(row, values); }
    });
    if (inScope("title")) { updateTitle(); }
    if (!sizesItself) { form.querySelectorAll("textarea").forEach(fitText); }
    // The writing advice relinks the action items' ticks to the factors and looks again.
    form.dispatchEvent(new CustomEvent("hindsight:restored", { detail: { only: only || null } }));
  }

  /* An action item's tick for a factor that its row has no checkbox for yet (a row copied from
   * the page's template before that factor was added): make the checkbox, so the tick is kept.
   * The writing advice gives it its label and its place when it relinks. */
  function addFactorLinkBox(name) {
    var match = /^(actions-\d+-addresses)-(\d+)$/.exec(name);
    if (!match || form.elements.namedItem(name)) { return; }
    var group = document.getElementById(match[1]);
    var options = group && group.querySelector(".factor-links-options");
    if (!options) { return; }
    var wrap = element("div", "checkbox");
    var box = element("input");
    box.type = "checkbox";
    box.id = name;
    box.name = name;
    box.value = "y";
    var label = element("label", "", "Factor " + (Number(match[2]) + 1));
    label.htmlFor = name;
    wrap.appendChild(box);
    wrap.appendChild(label);
    options.appendChild(wrap);
  }

  /* ---- two editors at once ---- */

  function setBase(version) {
    form.dataset.version = version;
    form.querySelector("#base_version").value = version;
  }

  /* The entries whose value changed since `sent` was taken (typed while a save was away). */
  function typedSince(sent) {
    var before = {};
    sent.forEach(function (entry) {
      if (!(entry[0] in before)) { before[entry[0]] = entry[1]; }
    });
    return formEntries().filter(function (entry) { return before[entry[0]] !== entry[1]; });
  }

  /* Put the saved report's values in the page without moving the cursor: the field being
   * typed in keeps its place (and `keep`, values typed meanwhile, are put back on top). */
  function takeIn(entries, keep) {
    var active = document.activeElement;
    var editing = active && form.contains(active) && typeof active.selectionStart === "number";
    var start = editing ? active.selectionStart : 0;
    var end = editing ? active.selectionEnd : 0;
    var before = editing ? active.value : null;
    restore(entries);
    (keep || []).forEach(function (entry) {
      var el = form.elements.namedItem(entry[0]);
      if (el && el.type !== "checkbox" && el.type !== "radio" && "value" in el) {
        el.value = entry[1];
      }
    });
    if (editing && document.contains(active)) {
      if (document.activeElement !== active) { active.focus(); }
      if (active.value !== before) {
        active.setSelectionRange(Math.min(start, active.value.length),
                                 Math.min(end, active.value.length));
      }
    }
  }

  /* Others' saves appear within a few seconds. Only a page with nothing unsaved takes them in;
   * a page with changes gets them with its own next save, merged. */
  var LIVE_EVERY_MS = 5000;
  var liveNote = null;
  function sayWhoChanged(data) {
    if (!liveNote) {
      liveNote = element("p", "live-note");
      liveNote.id = "live-note";
      status.parentNode.insertBefore(liveNote, status.nextSibling);
    }
    var names = data.by || [];
    var who = names.length === 0 ? say("Someone else") : names.length === 1 ? names[0] :
      say("{first} and {last}", { first: names.slice(0, -1).join(", "),
                                   last: names[names.length - 1] });
    liveNote.textContent = say("{who} {what} at {time}.", {
      who: who, what: data.what || say("changed this report"), time: data.saved_clock });
  }
  function lookForChanges() {
    if (document.hidden || dirty || saving || conflict) { return; }
    var since = form.querySelector("#base_version").value;
    fetch(form.action + "/changes?since=" + encodeURIComponent(since), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status !== 200) { return; }
      return response.json().then(function (data) {
        // Typing started while the answer was on its way: the next save brings it, merged.
        if (dirty || saving || conflict || String(data.version) === since ||
            form.querySelector("#base_version").value !== since) { return; }
        takeIn(data.entries);
        setBase(data.version);
        acked = data.entries;
        sayWhoChanged(data);
      });
    }).catch(function () { /* offline: the save status says so when it matters */ });
  }
  setInterval(lookForChanges, LIVE_EVERY_MS);

  var conflict = null;  // {version, theirs, open: {fieldId: true}} while the author decides

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }

  function settleConflict(id) {
    delete conflict.open[id];
    var item = conflictList.querySelector('[data-conflict="' + id + '"]');
    if (item) { item.remove(); }
    if (Object.keys(conflict.open).length === 0) {
      form.querySelector("#base_version").value = conflict.version;
      form.dataset.version = conflict.version;
      conflict = null;
      conflictPanel.hidden = true;
      changed(LEAVE_FIELD_MS);
    }
  }

  function showConflict(data) {
    conflict = { version: data.version, theirs: data.theirs, open: {} };
    conflictList.textContent = "";
    data.fields.forEach(function (field) {
      conflict.open[field.id] = true;
      var item = element("li", "conflict");
      item.dataset.conflict = field.id;
      var heading = element("h3");
      var link = element("a", "", field.label);
      link.href = "#" + field.id;
      heading.appendChild(link);
      item.appendChild(heading);
      var versions = element("div", "conflict-versions");
      [[say("Your version"), field.mine], [say("Their saved version"), field.theirs]].forEach(
        function (pair) {
        var box = element("div");
        box.appendChild(element("h4", "", pair[0]));
        var text = element("pre", "conflict-text", pair[1] || say("(empty)"));
        text.tabIndex = 0;  // a long text scrolls in its box: a keyboard can scroll it too
        box.appendChild(text);
        versions.appendChild(box);
      });
      item.appendChild(versions);
      var buttons = element("div", "conflict-buttons");
      var keep = element("button", "button button-secondary", say("Keep mine"));
      keep.type = "button";
      keep.addEventListener("click", function () { settleConflict(field.id); });
      var take = element("button", "button button-secondary", say("Use theirs"));
      take.type = "button";
      take.addEventListener("click", function () {
        restore(conflict.theirs, field.id);
        settleConflict(field.id);
      });
      [keep, take].forEach(function (button) {
        var hidden = element("span", "visually-hidden", say(" for {part}", { part: field.label }));
        button.appendChild(hidden);
        buttons.appendChild(button);
      });
      item.appendChild(buttons);
      conflictList.appendChild(item);
    });
    conflictPanel.hidden = false;
    // The status line announces it; focus moves to the panel only when the author is not in
    // the middle of typing, so no keystroke goes astray.
    var active = document.activeElement;
    var typing = active && form.contains(active) && active.matches("input, textarea, select");
    if (!typing) { conflictPanel.focus(); }
    if (data.fields.length === 0) {
      conflict.open = { none: true };
      settleConflict("none");
    }
  }

  /* ---- messages next to fields and in the summary ---- */

  function clearMessages(kind) {
    form.querySelectorAll(".field-" + kind).forEach(function (p) {
      p.hidden = true;
      p.textContent = "";
    });
    if (kind === "error") {
      form.querySelectorAll(".form-group-error").forEach(function (g) {
        g.classList.remove("form-group-error");
      });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid");
        el.classList.remove("input-error");
      });
    }
  }

  function describe(input, id) {
    if (!input) { return; }
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(id) < 0) { ids.push(id); }
    input.setAttribute("aria-describedby", ids.join(" "));
  }

  /* The rows are drawn without empty message slots (templates/rows.html): make the one a
   * message needs where the server would draw it, before the input (an error before a warning). */
  function messageSlot(kind, id) {
    var slot = document.getElementById(id + "-" + kind);
    var input = document.getElementById(id);
    if (slot || !input || !input.parentNode.classList.contains("form-group")) { return slot; }
    slot = document.createElement("p");
    slot.className = "field-" + kind;
    slot.id = id + "-" + kind;
    slot.hidden = true;
    var before = kind === "error" ? document.getElementById(id + "-warning") : null;
    var anchor = before && before.parentNode === input.parentNode ? before : input;
    anchor.parentNode.insertBefore(slot, anchor);
    return slot;
  }

  function showFieldMessage(kind, id, message) {
    var slot = messageSlot(kind, id);
    if (!slot) { return; }
    slot.textContent = "";
    var prefix = document.createElement("span");
    prefix.className = "visually-hidden";
    prefix.textContent = kind === "error" ? say("Error: ") : say("Check: ");
    slot.appendChild(prefix);
    slot.appendChild(document.createTextNode(message));
    slot.hidden = false;
    var input = document.getElementById(id);
    describe(input, id + "-" + kind);
    if (kind === "error") {
      var group = slot.closest(".form-group");
      if (group) { group.classList.add("form-group-error"); }
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.classList.add("input-error");
      }
    }
  }

  function showErrors(errors) {
    clearMessages("error");
    var list = summary.querySelector(".error-summary-list");
    list.textContent = "";
    // Beside the field, every message for it, as complete as in the summary.
    var byField = {};
    var order = [];
    errors.forEach(function (error) {
      if (!byField[error.id]) { byField[error.id] = []; order.push(error.id); }
      byField[error.id].push(error.message);
    });
    order.forEach(function (id) { showFieldMessage("error", id, byField[id].join(" ")); });
    errors.forEach(function (error) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + error.id;
      link.textContent = error.label + ": " + error.message;
      item.appendChild(link);
      list.appendChild(item);
    });
    summary.hidden = errors.length === 0;
    updateTitle();
  }

  function showWarnings(warnings) {
    clearMessages("warning");
    warnings.forEach(function (warning) { showFieldMessage("warning", warning.id, warning.message); });
  }

  /* ---- saving ---- */

  /* Save after `delay` ms, but never before the wait a failure asked for has passed. */
  function saveLater(delay) {
    clearTimeout(timer);
    timer = setTimeout(save, Math.max(delay, notBefore - Date.now()));
  }

  /* The save failed for a reason that may pass (the server had a problem, or could not be
   * reached): try again later, waiting twice as long after each failure. */
  function backOff(reason, state) {
    var wait = retryDelay;
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
    notBefore = Date.now() + wait;
    setStatus(say("{reason} Trying again in {seconds} s; your changes are kept in this browser.",
                  { reason: reason, seconds: Math.round(wait / 1000) }), state);
    saveLater(wait);
  }

  /* `now`: the author asked for it (the Save button, the network is back), so any wait after
   * a failure is cut short. */
  function save(now) {
    clearTimeout(timer);
    if (saving) { again = true; return Promise.resolve(); }
    if (!dirty) { return Promise.resolve(); }
    if (conflict) {
      keepInBrowser();
      setStatus(say("Not saved — you and someone else changed the same words. Choose what to keep above."),
        "error");
      return Promise.resolve();
    }
    if (now === true) {
      notBefore = 0;
    } else if (Date.now() < notBefore) {
      saveLater(0);
      return Promise.resolve();
    }
    saving = true;
    again = false;
    var covered = changeCount;
    setStatus(say("Saving…"), "saving");
    var sent = formEntries();
    var body = changesBody(sent) || new FormData(form);
    if (asked) { body.append("explicit", "1"); }
    wholeNext = false;
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Hindsight-Autosave": "1", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { response: response, data: data };
      });
    }).then(function (result) {
      var response = result.response, data = result.data;
      if (response.ok && data.ok) {
        retryDelay = RETRY_MIN_MS;
        notBefore = 0;
        if (!data.merged) {
          setBase(data.version);
          acked = sent;
        } else if (changeCount === covered) {
          // Others' saves were merged with this one: show the report as saved.
          takeIn(data.entries);
          setBase(data.version);
          acked = data.entries;
          if (data.what) { sayWhoChanged(data); }
        }  // else typing went on: the next save is merged again from the same version
        if (changeCount === covered) {
          dirty = false;
          forgetBrowserCopy();
        }
        showErrors([]);
        showWarnings(data.warnings || []);
        var followUp = document.getElementById("follow_up_review_on");
        if (followUp && !followUp.value && data.follow_up_review_on) {
          followUp.value = data.follow_up_review_on;
        }
        // The server names the time in the report's own zone ("10:15 CET").
        setStatus(say("Saved at {time}", { time: data.saved_clock || clock(new Date()) }), "saved");
      } else if (response.status === 409 && data.conflict && data.fields && data.theirs) {
        // Sending the same save again would be refused again: the author decides first.
        retryDelay = RETRY_MIN_MS;
        notBefore = 0;
        // The rest was merged and saved: the page shows that, with the author's own words
        // where both wrote (and whatever was typed while the save was on its way).
        if (data.yours) { takeIn(data.yours, typedSince(sent)); }
        acked = data.theirs;  // what the server has now; "Keep mine" sends mine over it
        showConflict(data);
        setStatus(say("Not saved — you and someone else changed the same words. Choose what to keep above."),
          "error");
      } else if (response.status === 409 && data.resend) {
        // The version this page's changes were made on is no longer kept: send it all.
        wholeNext = true;
        again = true;
      } else if (response.status === 409) {
        setStatus(say("Not saved — someone else changed this report. Reload the page to see " +
          "their version; your text is kept in this browser."), "error");
      } else if (response.status === 400 && data.errors) {
        showErrors(data.errors);
        setStatus(say("Not saved — check the highlighted fields. Your text is kept in this browser."),
          "error");
        if (asked) { summary.focus(); }  // the summary says what to fix, with links to each
      } else if (response.status === 401 || response.status === 403) {
        setStatus(say("Not saved — you are signed out or may not change this report. " +
          "Your text is kept in this browser; sign in again and reload the page."), "error");
      } else if (response.status >= 400 && response.status < 500) {
        // Sending it again would be refused again: the author's next change tries again.
        setStatus(say("Not saved — {problem}. Your text is kept in this browser.", {
          problem: (data.error || say("the server refused the change")).replace(/\.$/, "") }),
          "error");
      } else if (response.status === 503) {
        backOff(say("Not saved yet — the server is very busy."), "saving");
      } else {
        backOff(say("Not saved — the server had a problem (error {status}).",
                    { status: response.status }), "error");
      }
    }).catch(function () {
      backOff(say("Offline: the server cannot be reached."), "offline");
    }).then(function () {
      saving = false;
      if (again) { save(); } else { asked = false; }
    });
  }

  function changed(delay) {
    dirty = true;
    changeCount += 1;
    keepInBrowser();
    // Said once, when the first change since the last save is made; never announced.
    if (status.dataset.state === "saved") { setStatus(say("Unsaved changes"), "pending"); }
    saveLater(delay);
  }

  /* ---- wiring ---- */

  form.addEventListener("input", function (event) {
    if (event.target.id === "title") { updateTitle(); }
    changed(TYPING_PAUSE_MS);
  });
  form.addEventListener("change", function () { changed(LEAVE_FIELD_MS); });
  form.addEventListener("focusout", function () {
    if (dirty) { saveLater(LEAVE_FIELD_MS); }
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest('button[name="row_action"]');
    if (button && form.contains(button)) {
      event.preventDefault();
      rowAction(button);
    }
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.getAttribute("formaction")) { return; }  // e.g. an export button
    event.preventDefault();
    dirty = true;
    changeCount += 1;
    asked = true;
    save(true);
  });
  window.addEventListener("online", function () {
    if (dirty) { retryDelay = RETRY_MIN_MS; save(true); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      keepInBrowser();
      event.preventDefault();
      event.returnValue = "";
    }
  });

  window.hindsightEditor = {
    hasUnsavedChanges: function () { return dirty; },
    saveNow: function () { return save(); },
    focusField: focusField
  };

  /* On load: put back what this browser kept but the server never acknowledged. */
  acked = formEntries();  // the page as the server drew it
  var kept = browserCopy();
  if (kept && kept.entries) {
    restore(kept.entries);
    // Saved against the version it was typed on, so a newer save by someone else is not lost.
    if (kept.baseVersion) { form.querySelector("#base_version").value = kept.baseVersion; }
    dirty = true;
    setStatus(say("Restored changes kept in this browser — saving…"), "pending");
    save();
  } else {
    // The server wrote the time in the report's zone, the zone named, as after each save.
    var savedAt = new Date(form.dataset.savedAt);
    if (form.dataset.savedText) {
      setStatus(say("Last saved {when}", { when: form.dataset.savedText }), "saved");
    } else if (!isNaN(savedAt.getTime())) {
      var sameDay = savedAt.toDateString() === new Date().toDateString();
      setStatus(sameDay ? say("Last saved today at {time}", { time: clock(savedAt) }) :
        say("Last saved {day} at {time}", { day: savedAt.toLocaleDateString(
          document.documentElement.lang || undefined,
          { day: "numeric", month: "short", year: "numeric" }), time: clock(savedAt) }), "saved");
    } else {
      setStatus(status.textContent.trim(), "saved");
    }
  }
  updateTitle();
  if (summary && !summary.hidden) { summary.focus(); }
})();
