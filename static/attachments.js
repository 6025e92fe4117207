// The report's files on the guided page: drag and drop, adding and removing without leaving the
// page (so nothing being typed is lost), and "Insert" buttons that put a figure in the text
// being written. Without this script the forms post and the page comes back.
(function () {
  "use strict";
  /* The page's words in its language (static/text.js); English when there are none. */
  var T = window.hindsightSay || function (english, values) {
    return english.replace(/\{(\w+)\}/g, function (all, name) { return String(values[name]); });
  };
  var section = document.getElementById("attachments");
  if (!section) { return; }
  var form = document.getElementById("attachment-form");
  var list = document.getElementById("attachment-list");
  var empty = document.getElementById("attachments-empty");
  var status = document.getElementById("attachment-status");
  var errorBox = document.getElementById("attachment-file-error");
  var fileInput = document.getElementById("attachment-file");
  var lastText = null; // the Markdown box the author was last in

  function announce(text) { status.textContent = ""; window.setTimeout(function () { status.textContent = text; }, 50); }

  function showError(message) {
    if (!errorBox) { return; }
    errorBox.textContent = message;
    errorBox.hidden = !message;
    if (fileInput) {
      if (message) { fileInput.setAttribute("aria-invalid", "true"); } else { fileInput.removeAttribute("aria-invalid"); }
    }
  }

  function showButtons(root) {
    root.querySelectorAll("[data-insert]").forEach(function (button) { button.hidden = false; });
  }
  showButtons(section);
  section.querySelectorAll(".drop-hint").forEach(function (hint) { hint.hidden = false; });

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLTextAreaElement && target.closest("#report-form")) { lastText = target; }
  });

  function insert(reference) {
    var box = lastText || document.getElementById("summary");
    if (!box || box.disabled) { return; }
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var text = (before && !/\s$/.test(before) ? "\n\n" : "") + reference + (after && !/^\s/.test(after) ? "\n\n" : "");
    box.value = before + text + after;
    box.selectionStart = box.selectionEnd = before.length + text.length;
    box.dispatchEvent(new Event("input", { bubbles: true })); // the page saves it as typing
    box.focus();
    var label = document.querySelector('label[for="' + box.id + '"]');
    announce(label ? T("Figure inserted in {place}.", { place: label.textContent.trim() })
      : T("Figure inserted in the text."));
  }

  section.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert]");
    if (button) { event.preventDefault(); insert(button.getAttribute("data-insert")); }
  });

  function send(url, body) {
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.error || T("The file could not be added. Try again.")); }
        return data;
      });
    });
  }

  function upload(file) {
    if (!form) { return Promise.resolve(); }
    var body = new FormData(form);
    body.set("file", file, file.name);
    announce(T("Adding {name}…", { name: file.name }));
    return send(form.action, body).then(function (data) {
      list.insertAdjacentHTML("beforeend", data.html);
      showButtons(list.lastElementChild);
      empty.hidden = true;
      showError("");
      announce(T("“{name}” is added to the report.", { name: data.attachment.name }));
    }).catch(function (error) {
      showError(error.message);
      announce(error.message);
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      if (!fileInput.files.length) { return; } // the server says what is missing
      event.preventDefault();
      var files = Array.prototype.slice.call(fileInput.files);
      files.reduce(function (done, file) { return done.then(function () { return upload(file); }); }, Promise.resolve())
        .then(function () { form.reset(); });
    });
    var zone = document.getElementById("attachment-drop");
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("drop-over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("drop-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = Array.prototype.slice.call(event.dataTransfer.files || []);
      files.reduce(function (done, file) { return done.then(function () { return upload(file); }); }, Promise.resolve());
    });
  }

  section.addEventListener("submit", function (event) {
    var removing = event.target.closest(".attachment-remove");
    if (!removing) { return; }
    event.preventDefault();
    var item = removing.closest(".attachment");
    var name = item.querySelector(".attachment-name").textContent;
    send(removing.action, new FormData(removing)).then(function () {
      item.remove();
      empty.hidden = list.children.length > 0;
      announce(T("“{name}” is removed from the report.", { name: name }));
      if (fileInput) { fileInput.focus(); }
    }).catch(function (error) { announce(error.message); });
  });
}());
