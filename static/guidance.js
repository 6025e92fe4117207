/* Guidance while the author writes: wording hints (blameless wording, the apology coach, plain
 * language), reading ease, the readiness panel, the durations, and the action items' links to
 * factors.
 *
 * A moment after the author stops typing (about 400 ms), the form is posted to the guidance
 * endpoint, which saves nothing and answers in JSON. The page is already complete without this
 * script: the server renders the same hints, panel and durations on every load.
 */
(function () {
  "use strict";
  /* The page's words in its language (static/text.js); English when there are none. */
  var T = window.hindsightSay || function (english, values) {
    return english.replace(/\{(\w+)\}/g, function (all, name) { return String(values[name]); });
  };

  var form = document.getElementById("report-form");
  var panel = document.getElementById("readiness");
  if (!form || !panel || !window.fetch || !window.FormData) { return; }

  var DELAY_MS = 400;
  var url = panel.dataset.guidanceUrl;
  var timer = null;
  var sent = 0;       // requests made
  var shown = 0;      // the newest request whose answer is on the page

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function hidden(text) { return el("span", "visually-hidden", text); }

  /* ---- wording hints under each free-text field ---- */

  function describe(input, id, on) {
    if (!input) { return; }
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids = ids.filter(function (x) { return x !== id; });
    if (on) { ids.push(id); }
    if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); }
    else { input.removeAttribute("aria-describedby"); }
  }

  // The same headings and introductions, in the same order, as HINT_FAMILIES in
  // reports/guidance/client.py.
  var FAMILIES = [
    ["blameless", "Wording to reconsider", ""],
    ["apology", "Apology coach",
     "A real apology says that we are sorry, what happened to whom and for how long, " +
     "with no conditions."],
    ["plain", "Words a client may not know",
     "Clients read this part: explain these words, or say them plainly."]
  ];
  var EXCERPT_MAX = 80;

  function renderHint(hint, fieldId, suffix) {
    var item = el("li", "field-hint");
    item.dataset.rule = hint.rule_id;
    if (hint.excerpt) {
      var excerpt = hint.excerpt.length > EXCERPT_MAX
        ? hint.excerpt.slice(0, EXCERPT_MAX - 1) + "…" : hint.excerpt;
      item.appendChild(el("q", "hint-excerpt", excerpt));
    } else {
      item.appendChild(el("strong", "hint-found", hint.found));
    }
    item.appendChild(document.createTextNode(" " + hint.why + " "));
    var suggestion = el("span", "hint-suggestion");
    suggestion.appendChild(el("strong", "", T("Try:")));
    suggestion.appendChild(document.createTextNode(" " + hint.suggestion));
    item.appendChild(suggestion);
    if (fieldId && panel.dataset.setAsideUrl) { item.appendChild(setAsideControl(hint, fieldId, suffix)); }
    return item;
  }

  /* "Set this hint aside", as templates/guidance.html draws it (set_aside_control). */
  function setAsideControl(hint, fieldId, suffix) {
    var token = [hint.family || "blameless", fieldId, hint.rule_id, hint.excerpt || ""].join("|");
    var box = fieldId + "-set-aside-" + suffix;
    var details = el("details", "hint-set-aside");
    details.appendChild(el("summary", "", T("Set this hint aside")));
    var label = el("label", "label", T("Why it does not apply here (for the reviewer)"));
    label.htmlFor = box;
    var input = el("input");
    input.type = "text"; input.id = box; input.name = "reason|" + token;
    input.maxLength = 200; input.autocomplete = "off";
    var button = el("button", "button button-secondary", T("Set aside"));
    button.type = "submit"; button.name = "set_aside"; button.value = token;
    button.setAttribute("formaction", panel.dataset.setAsideUrl);
    details.appendChild(label); details.appendChild(input); details.appendChild(button);
    return details;
  }

  function renderHints(slot, hints) {
    slot.textContent = "";
    FAMILIES.forEach(function (family) {
      var group = hints.filter(function (h) { return (h.family || "blameless") === family[0]; });
      if (!group.length) { return; }
      var box = el("div", "hint-group hint-group-" + family[0]);
      box.dataset.family = family[0];
      box.appendChild(el("p", "field-hints-title", T(family[1])));
      if (family[2]) { box.appendChild(el("p", "hint-group-intro", T(family[2]))); }
      var list = el("ul", "field-hints-list");
      var fieldId = slot.id.replace(/-hints$/, "");
      group.forEach(function (hint, i) { list.appendChild(renderHint(hint, fieldId, family[0] + "-" + i)); });
      box.appendChild(list);
      slot.appendChild(box);
    });
  }

  /* ---- telling a screen reader, once and politely, that new advice appeared ---- */

  var announcer = document.getElementById("advice-announcer");

  /* A row shown as text (a long timeline) has no labels: its field's label in the blank row
   * the page adds rows from ("timeline-7-description" -> "timeline-__index__-description"). */
  function blankRowLabel(id) {
    var match = /^([a-z_]+)-\d+-(.+)$/.exec(id);
    var blank = match && document.getElementById(match[1] + "-template");
    return blank ? blank.content.querySelector(
      'label[for="' + match[1] + "-__index__-" + match[2] + '"]') : null;
  }

  /* What a field is called in an announcement: its label, and its row ("What happened, event 3"). */
  function fieldName(id) {
    var label = form.querySelector('label[for="' + id + '"]') || blankRowLabel(id);
    var name = label ? label.textContent.trim() : id;
    var field = document.getElementById(id);
    var row = field && field.closest(".row");
    var legend = row && row.querySelector(".row-legend");
    if (legend) {
      var words = [];
      legend.childNodes.forEach(function (node) {
        if (!(node.classList && node.classList.contains("tag"))) { words.push(node.textContent); }
      });
      name += ", " + words.join("").replace(/\s+/g, " ").trim().toLowerCase();
    }
    return name;
  }

  /* Only when a field has more suggestions than before: the same advice, or fewer, says nothing,
   * so typing on inside a sentence that has a hint is not interrupted again and again. */
  function announceHints(news) {
    if (!announcer || !news.length) { return; }
    var text = news.map(function (n) {
      return T(n.count === 1 ? "{count} suggestion for {name}" : "{count} suggestions for {name}",
               { count: n.count, name: n.name });
    }).join("; ") + ".";
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 50);
  }

  form.querySelectorAll(".field-hints").forEach(function (slot) {  // advice drawn by the server
    slot.dataset.count = slot.hidden ? 0 : slot.querySelectorAll(".field-hint").length;
  });

  /* A row's text box has no advice slot until it has advice (templates/rows.html): make one,
   * right after the box, for each field the answer has advice for. */
  function makeHintSlots(byField) {
    Object.keys(byField).forEach(function (id) {
      if (!(byField[id] || []).length || document.getElementById(id + "-hints")) { return; }
      var input = document.getElementById(id);
      if (!input || !form.contains(input)) { return; }
      var slot = el("div", "field-hints");
      slot.id = id + "-hints";
      slot.hidden = true;
      slot.dataset.count = 0;
      input.insertAdjacentElement("afterend", slot);
    });
  }

  function showHints(byField) {
    var news = [];
    makeHintSlots(byField);
    form.querySelectorAll(".field-hints").forEach(function (slot) {
      var id = slot.id.replace(/-hints$/, "");
      var hints = byField[id] || [];
      var key = JSON.stringify(hints.map(function (h) {
        return [h.family, h.rule_id, h.excerpt, h.why];
      }));
      if (slot.dataset.key === key) { return; }  // unchanged: leave the DOM alone
      slot.dataset.key = key;
      renderHints(slot, hints);
      slot.hidden = hints.length === 0;
      describe(document.getElementById(id), slot.id, hints.length > 0);
      if (hints.length > Number(slot.dataset.count || 0)) {
        news.push({ count: hints.length, name: fieldName(id) });
      }
      slot.dataset.count = hints.length;
    });
    announceHints(news);
  }

  /* ---- reading ease under the client-facing parts ---- */

  function showReadability(byField) {
    form.querySelectorAll(".field-readability").forEach(function (slot) {
      var score = byField[slot.id.replace(/-readability$/, "")];
      var text = score ? score.message : "";
      if (slot.textContent !== text) { slot.textContent = text; }
      slot.classList.toggle("readability-low", Boolean(score && score.meets === false));
      slot.hidden = !score;
    });
  }

  /* ---- the readiness panel ---- */

  function renderCheck(item, check) {
    item.textContent = "";
    item.className = "check " + (check.met ? "check-met" : "check-missing");
    if (check.met) {
      item.appendChild(el("span", "check-icon", "✓")).setAttribute("aria-hidden", "true");
      item.appendChild(hidden(T("Done:")));
      item.appendChild(document.createTextNode(" " + check.label));
      return;
    }
    item.appendChild(el("span", "check-icon", "○")).setAttribute("aria-hidden", "true");
    item.appendChild(hidden(T("To do:")));
    item.appendChild(document.createTextNode(" "));
    var link = el("a", "", check.label);
    link.href = "#" + check.field_id;
    item.appendChild(link);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(el("span", "check-advice", check.advice));
  }

  function showReadiness(checks) {
    var list = document.getElementById("readiness-list");
    checks.forEach(function (check) {
      var item = list.querySelector('[data-check="' + check.id + '"]');
      if (!item) {
        item = el("li");
        item.dataset.check = check.id;
        list.appendChild(item);
      }
      var key = JSON.stringify([check.met, check.label, check.advice, check.field_id]);
      if (item.dataset.key === key) { return; }
      item.dataset.key = key;
      renderCheck(item, check);
    });
    var missing = checks.filter(function (c) { return !c.met; }).length;
    var text = missing === 0
      ? T("All {count} done: the report is ready for review.", { count: checks.length })
      : T("{done} of {count} done, {missing} still to do.",
          { done: checks.length - missing, count: checks.length, missing: missing });
    var status = document.getElementById("readiness-status");
    if (status.textContent.trim() !== text) { status.textContent = text; }  // announced politely
  }

  /* ---- the durations ---- */

  function showMetrics(metrics) {
    ["time_to_detect", "time_to_resolve", "total_duration"].forEach(function (name) {
      var slot = document.getElementById("metric-" + name);
      if (slot) { slot.textContent = metrics[name].text || T("Not known yet"); }
    });
    var note = document.getElementById("metrics-note");
    if (note) {
      var sources = metrics.sources || {};
      note.hidden = !Object.keys(sources).some(function (k) { return sources[k] === "timeline"; });
    }
  }

  /* ---- action items' links to factors ---- */

  function factorRows() {
    return Array.prototype.slice.call(
      form.querySelectorAll('[data-rows="factors"] > [data-row="factors"]'));
  }

  function factorLabel(row, index) {
    var text = (row.querySelector("textarea") || {}).value || "";
    text = text.trim().replace(/\s+/g, " ");
    if (text.length > 90) { text = text.slice(0, 87) + "..."; }
    var root = row.querySelector('input[type="checkbox"][name$="-root_cause"]');
    return T(root && root.checked ? "Factor {number} (root cause): {text}" : "Factor {number}: {text}",
      { number: index + 1, text: text || T("not described yet") });
  }

  /* Rebuild every action's checkboxes from the factors on the page, keeping each tick on the
   * factor it was given to, wherever that factor has moved. */
  function syncFactorLinks() {
    var factors = factorRows();
    var labels = factors.map(factorLabel);
    form.querySelectorAll("[data-factor-links]").forEach(function (group) {
      var boxes = Array.prototype.slice.call(group.querySelectorAll('input[type="checkbox"]'));
      if (!group.linked) {  // first sight: a box's position is in its name
        boxes.forEach(function (box) {
          box.factorRow = factors[Number(box.name.split("-").pop())] || null;
        });
        group.linked = true;
      }
      var ticked = boxes.filter(function (b) { return b.checked; })
                        .map(function (b) { return b.factorRow; });
      var key = JSON.stringify([group.id, labels,
        factors.map(function (row) { return ticked.indexOf(row) >= 0; })]);
      if (group.dataset.key === key) { return; }
      group.dataset.key = key;
      var options = group.querySelector(".factor-links-options");
      options.textContent = "";
      factors.forEach(function (row, index) {
        var box = el("input");  // box and label side by side, as templates/guidance.html draws them
        box.type = "checkbox";
        box.id = group.id + "-" + index;
        box.name = group.id + "-" + index;
        box.value = "y";
        box.checked = ticked.indexOf(row) >= 0;
        box.factorRow = row;
        var label = el("label", "", labels[index]);
        label.htmlFor = box.id;
        options.appendChild(box);
        options.appendChild(label);
      });
      group.querySelector(".factor-links-empty").hidden = factors.length > 0;
    });
  }

  /* ---- asking the server ---- */

  function refresh() {
    clearTimeout(timer);
    syncFactorLinks();
    var number = ++sent;
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data || number < shown) { return; }  // an older answer arriving late is dropped
      shown = number;
      showHints(data.hints || {});
      showReadability(data.readability || {});
      showReadiness(data.readiness || []);
      if (data.metrics) { showMetrics(data.metrics); }
    }).catch(function () { /* offline: the last guidance stays; the next edit tries again */ });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay === undefined ? DELAY_MS : delay);
  }

  form.addEventListener("input", function () { schedule(); });
  form.addEventListener("change", function () { schedule(); });
  // The editor script put values back (the other author's version, or this browser's copy):
  // the ticks are by position again, so relink them by their names, then look again.
  form.addEventListener("hindsight:restored", function () {
    form.querySelectorAll("[data-factor-links]").forEach(function (group) {
      group.linked = false;
      delete group.dataset.key;
    });
    syncFactorLinks();
    schedule(0);
  });
  // Rows added, removed or moved by the editor script: relink at once, then ask again.
  var observer = new MutationObserver(function () { syncFactorLinks(); schedule(); });
  form.querySelectorAll("[data-rows]").forEach(function (rows) {
    observer.observe(rows, { childList: true });
  });

  // A link in the panel takes the author to the field and puts the cursor in it.
  panel.addEventListener("click", function (event) {
    var link = event.target.closest('a[href^="#"]');
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    // The editor's script puts the field's label in view below the save bar, then focuses it.
    var editor = window.hindsightEditor;
    if (editor && editor.focusField && editor.focusField(target.id)) { return; }
    var focusable = target.matches("input, textarea, select, button") ? target :
      target.querySelector("input:not([type=hidden]), textarea, select") ||
      target.querySelector("[data-add-row]");
    (focusable || target).scrollIntoView({ block: "center" });
    if (focusable) { focusable.focus({ preventScroll: true }); }
  });

  /* A status button (send for review, publish, reopen) posts the page to another address.
   * Let the autosave finish first, so the page is not left with changes the server lacks. */
  function whenSaved(tries) {
    var editor = window.hindsightEditor;
    return editor.saveNow().then(function () {
      if (!editor.hasUnsavedChanges() || tries <= 0) { return !editor.hasUnsavedChanges(); }
      return new Promise(function (done) { setTimeout(done, 200); }).then(function () {
        return whenSaved(tries - 1);
      });
    });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest('button[name="transition"], button[name="set_aside"]');
    if (!button || !window.hindsightEditor || button.dataset.saved === "1") { return; }
    event.preventDefault();
    whenSaved(25).then(function (saved) {
      if (!saved) { return; }  // the autosave shows what stops the save
      button.dataset.saved = "1";
      if (form.requestSubmit) { form.requestSubmit(button); } else { button.click(); }
    });
  });

  var blockers = document.getElementById("review-summary");
  if (blockers) { blockers.focus(); }

  window.hindsightGuidance = { refresh: refresh };
  syncFactorLinks();
  refresh();  // the page may hold changes restored from this browser
})();
