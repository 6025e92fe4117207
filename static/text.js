/* The words the page's scripts show, in the page's language: templates/js_text.html writes them
 * as a JSON block (English words as keys, translations as values); this puts them where every
 * script finds them, window.hindsightText, before the others run (all scripts are deferred, so
 * they run in order). A script asks with its English words and gets them back when no
 * translation is given, so a page without the block still speaks English.
 */
(function () {
  "use strict";
  var block = document.getElementById("hindsight-text");
  var words = {};
  if (block) {
    try { words = JSON.parse(block.textContent) || {}; } catch (error) { words = {}; }
  }
  window.hindsightText = words;
  /* "Adding {name}…" with {name} filled in: the scripts' shared lookup. */
  window.hindsightSay = function (english, values) {
    var text = Object.prototype.hasOwnProperty.call(words, english) ? words[english] : english;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  };
}());
