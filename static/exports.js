/* Exports without leaving the page: the export form is sent in the background and the panel
   says "Exporting…" while the export job runs (views/exports.py), so writing goes on meanwhile.
   When the job is finished:
   - if the author is waiting for it (nothing unsaved, the focus still on the export form), the
     page goes to the job's address, which shows the result at the top of the report, focused,
     exactly as without JavaScript;
   - if the author went back to writing, the result (the same notice) appears under the export
     buttons instead, announced politely, the list of exported files brought up to date, and
     neither the page nor the focus moves.
   If anything here fails, the form is sent the ordinary way. */
(function () {
  "use strict";
  /* The page's words in its language (static/text.js); English when there are none. */
  var T = window.hindsightSay || function (english, values) {
    return english.replace(/\{(\w+)\}/g, function (all, name) { return String(values[name]); });
  };
  var form = document.getElementById("export-form");
  var status = document.getElementById("export-status");
  if (!form || !status || !window.fetch || !window.FormData) { return; }

  var FIRST_LOOK_MS = 500;
  var LOOK_EVERY_MS = 1500;
  var GIVE_UP_AFTER_MS = 15 * 60 * 1000;
  var ordinary = false;  // the form is being sent the ordinary way, after a failure here

  function say(text) {
    status.textContent = "";
    var notice = document.createElement("div");
    notice.className = "notice";
    var line = document.createElement("p");
    line.textContent = text;
    notice.appendChild(line);
    status.appendChild(notice);
  }

  function writing() {
    var editor = window.hindsightEditor;
    var focused = document.activeElement;
    var waiting = !focused || focused === document.body || form.contains(focused);
    return !waiting || Boolean(editor && editor.hasUnsavedChanges());
  }

  function finished(job) {
    if (!writing()) { window.location.assign(job.url); return; }
    status.innerHTML = job.notices;  // rendered and escaped by the server (export_notices.html)
    var files = document.getElementById("export-files");
    if (files && job.files) { files.outerHTML = job.files; }
  }

  function look(job, since, first) {
    if (job.finished) { finished(job); return; }
    say(job.message);
    if (Date.now() - since > GIVE_UP_AFTER_MS) {
      // Still running after all this time: the job's own page keeps looking.
      window.location.assign(job.url);
      return;
    }
    window.setTimeout(function () {
      fetch(job.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (next) { look(next, since, false); })
        .catch(function () { window.location.assign(job.url); });
    }, first ? FIRST_LOOK_MS : LOOK_EVERY_MS);
  }

  form.addEventListener("submit", function (event) {
    if (ordinary) { return; }
    var submitter = event.submitter;
    var action = (submitter && submitter.formAction) || form.action;
    var data = new FormData(form);  // the copy chosen, and the form's token
    event.preventDefault();
    say(T("Asking for the export…"));
    fetch(action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (job) { look(job, Date.now(), true); })
      .catch(function () {
        // Send it the ordinary way: the server answers with a page that says what happened.
        status.textContent = "";
        ordinary = true;
        if (submitter) { form.requestSubmit(submitter); } else { form.submit(); }
      });
  });
})();
