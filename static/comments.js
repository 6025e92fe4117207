/* Review comments on the guided page.
 *
 * The comment boxes sit inside the report's form on the page, but belong to their own small
 * forms (the "form" attribute). Typing a comment is not a change to the report, so it is kept
 * away from the report's autosave and wording hints. Before a comment form leaves the page,
 * the report's unsaved changes are saved first, so the author is not asked whether to leave.
 */
(function () {
  "use strict";

  var blocks = document.querySelectorAll("[data-comments]");
  Array.prototype.forEach.call(blocks, function (block) {
    ["input", "change"].forEach(function (type) {
      block.addEventListener(type, function (event) { event.stopPropagation(); });
    });
  });

  /* Save the report, waiting for a save already on its way, then send the comment form. After
   * about five seconds it is sent anyway: the browser still keeps a copy of the report. */
  function saveThenSubmit(editor, form, triesLeft) {
    function next() {
      if (editor.hasUnsavedChanges() && triesLeft > 0) {
        setTimeout(function () { saveThenSubmit(editor, form, triesLeft - 1); }, 200);
      } else {
        form.submit();
      }
    }
    editor.saveNow().then(next, next);
  }

  var forms = document.querySelectorAll("form[data-comment-form]");
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      var editor = window.hindsightEditor;
      if (!editor || !editor.hasUnsavedChanges() || form.dataset.sending === "1") { return; }
      event.preventDefault();
      form.dataset.sending = "1";
      saveThenSubmit(editor, form, 25);
    });
  });
})();
