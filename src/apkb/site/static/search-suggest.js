/*
 * "Did you mean ...?" for the site's search box. Material's search finds only words spelt as in the pages; when a
 * query finds nothing, this offers the same query with each unknown word replaced by the nearest word the
 * knowledge base uses (search-words.js, fetched on the first use of the box, from this site, so it works from
 * file:// too). Choosing the suggestion searches for it. Plain JavaScript; text is written with textContent only.
 */
(function () {
  "use strict";
  var input = document.querySelector("input.md-search__input");
  var area = document.querySelector(".md-search-result");
  var here = document.currentScript && document.currentScript.src;
  if (!input || !area || !here) return;
  var words = null, loading = false, box = null;

  function load() {
    if (words || loading) return;
    loading = true;
    var script = document.createElement("script");
    script.src = here.replace(/search-suggest\.js(\?.*)?$/, "search-words.js");
    script.addEventListener("load", function () { words = window.APKB_SEARCH_WORDS || []; suggest(); });
    document.head.appendChild(script);
  }

  /** Edit distance, a swap of neighbouring letters counting as one edit (as apkb.search.spelling). */
  function distance(a, b) {
    var rows = [[]], i, j;
    for (j = 0; j <= b.length; j++) rows[0][j] = j;
    for (i = 1; i <= a.length; i++) {
      rows[i] = [i];
      for (j = 1; j <= b.length; j++) {
        rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
    return rows[a.length][b.length];
  }

  function corrected(query) {
    var known = {}, changed = false;
    words.forEach(function (w) { known[w] = true; });
    var out = query.split(/\s+/).filter(Boolean).map(function (word) {
      var lower = word.toLowerCase();
      if (lower.length < 4 || known[lower]) return word;
      var limit = lower.length < 8 ? 1 : 2, best = null, bestDistance = limit + 1;
      words.forEach(function (w) {
        if (Math.abs(w.length - lower.length) > limit) return;
        var d = distance(lower, w);
        if (d < bestDistance) { best = w; bestDistance = d; }
      });
      if (best === null) return word;
      changed = true;
      return best;
    });
    return changed ? out.join(" ") : null;
  }

  function clear() { if (box) { box.remove(); box = null; } }

  function suggest() {
    clear();
    var query = input.value.trim();
    if (!words || !query) return;
    var results = document.querySelectorAll(".md-search-result__item").length;
    if (results) return;
    var better = corrected(query);
    if (!better) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "apkb-did-you-mean__choice";
    button.textContent = better;
    button.addEventListener("click", function () {
      input.value = better;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
      input.focus();
      clear();
    });
    box = document.createElement("p");
    box.className = "apkb-did-you-mean";
    box.appendChild(document.createTextNode("Nothing matches. Did you mean "));
    box.appendChild(button);
    box.appendChild(document.createTextNode("?"));
    area.insertAdjacentElement("beforebegin", box);  // outside the observed area, so writing it triggers nothing
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", load);
  // Material rewrites its result area after each query; look again whenever it does.
  new MutationObserver(function () { if (words) suggest(); }).observe(area, { childList: true, characterData: true, subtree: true });
})();
