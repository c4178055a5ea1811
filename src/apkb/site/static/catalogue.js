/*
 * The catalogue page: filters and sorts the table of tools that the page already holds, and keeps the whole
 * state in the URL fragment (#category=financial&stage=response&rf=RF08&certainty-min=moderate&q=visa&sort=effect-desc)
 * so that a view can be shared as a link. Each row carries its facts in data-* attributes; the sort orders of
 * the scales come from catalogue-data.js. Plain JavaScript on this site only, so it works from file://.
 */
(function () {
  "use strict";

  var data = window.APKB_CATALOGUE;
  var form = document.getElementById("apkb-catalogue-filters");
  var table = document.getElementById("apkb-catalogue");
  var count = document.getElementById("apkb-catalogue-count");
  var empty = document.getElementById("apkb-catalogue-empty");
  var clear = document.getElementById("cat-clear");
  if (!data || !form || !table || !count) return;

  var FILTERS = ["category", "stage", "rf", "strategy", "effect", "certainty", "certainty-min"];
  var KEYS = FILTERS.concat(["q", "sort"]);
  var DEFAULT_SORT = { key: "title", dir: "asc" };
  var DIRECTIONS = ["asc", "desc"];
  /** The longest search text, in characters; with it, no fragment the page writes comes near MAX_FRAGMENT. */
  var MAX_QUERY = 200;
  /** A fragment longer than this is not read at all (the page writes at most a few hundred characters). */
  var MAX_FRAGMENT = 2000;
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-sort-key]"));
  var sort = { key: DEFAULT_SORT.key, dir: DEFAULT_SORT.dir };

  /** Text as the search compares it: lower case, without accents. */
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function list(value) { return value ? value.split(" ") : []; }

  function rank(scale, term) { return data.scales[scale].indexOf(term); }

  /** What each row says about its tool, read once; rows come in title order. */
  var tools = Array.prototype.map.call(tbody.rows, function (row, index) {
    var d = row.dataset;
    return {
      row: row, index: index, id: d.id, category: d.category, stages: list(d.stages), rf: list(d.rf),
      strategies: list(d.strategies), effect: d.effect, certainty: d.certainty,
      cost: Number(d.costRank), time: Number(d.timeRank), text: fold(d.text)
    };
  });

  /** The value each sortable column sorts by, ascending: scales run in their vocabulary's order. */
  var SORT_VALUES = {
    title: function (t) { return t.index; },
    category: function (t) { return rank("category", t.category); },
    effect: function (t) { return rank("effect", t.effect); },
    certainty: function (t) { return rank("certainty", t.certainty); },
    cost: function (t) { return t.cost; },
    time: function (t) { return t.time; }
  };

  function matches(tool, state) {
    var f = state.filters;
    if (f.category && tool.category !== f.category) return false;
    if (f.stage && tool.stages.indexOf(f.stage) < 0) return false;
    if (f.rf && tool.rf.indexOf(f.rf) < 0) return false;
    if (f.strategy && tool.strategies.indexOf(f.strategy) < 0) return false;
    if (f.effect && tool.effect !== f.effect) return false;
    if (f.certainty && tool.certainty !== f.certainty) return false;
    if (f["certainty-min"] && rank("certainty", tool.certainty) > rank("certainty", f["certainty-min"])) return false;
    return fold(state.q).split(/\s+/).every(function (word) { return !word || tool.text.indexOf(word) >= 0; });
  }

  function ordered(state) {
    var value = SORT_VALUES[state.sort.key], sign = state.sort.dir === "desc" ? -1 : 1;
    return tools.slice().sort(function (a, b) {
      return sign * (value(a) - value(b)) || a.index - b.index;
    });
  }

  // --- the state: the form's controls and the sort, to and from the URL fragment ---------------------------

  function control(name) { return form.elements[name]; }

  function allowed(name, value) {
    return Array.prototype.some.call(control(name).options, function (option) { return option.value === value; });
  }

  function readForm() {
    var filters = {};
    FILTERS.forEach(function (name) { filters[name] = control(name).value; });
    return { filters: filters, q: control("q").value, sort: { key: sort.key, dir: sort.dir } };
  }

  function writeForm(state) {
    FILTERS.forEach(function (name) { control(name).value = state.filters[name]; });
    control("q").value = state.q;
    sort = { key: state.sort.key, dir: state.sort.dir };
  }

  function toFragment(state) {
    var parts = [];
    FILTERS.forEach(function (name) {
      if (state.filters[name]) parts.push(name + "=" + encodeURIComponent(state.filters[name]));
    });
    if (state.q.trim()) parts.push("q=" + encodeURIComponent(state.q));
    if (state.sort.key !== DEFAULT_SORT.key || state.sort.dir !== DEFAULT_SORT.dir) {
      parts.push("sort=" + state.sort.key + "-" + state.sort.dir);
    }
    return parts.join("&");
  }

  /**
   * The decoded value of each known key the fragment gives once, in an object without a prototype. The
   * fragment is whatever the address bar holds, so it is read as untrusted input: only KEYS are read (as
   * written, never decoded); a key given twice is ambiguous and read as absent; a value that does not decode
   * (%E0%A4%A) is dropped; a fragment longer than MAX_FRAGMENT is not read at all.
   */
  function fragmentValues(fragment) {
    var values = Object.create(null), seen = Object.create(null);
    var text = typeof fragment === "string" ? fragment.replace(/^#/, "") : "";
    if (!text || text.length > MAX_FRAGMENT) return values;
    text.split("&").forEach(function (pair) {
      var at = pair.indexOf("="), name = pair.slice(0, at);
      if (at < 0 || KEYS.indexOf(name) < 0) return;
      seen[name] = (seen[name] || 0) + 1;
      try {
        values[name] = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
      } catch (e) {
        delete values[name];
      }
    });
    Object.keys(seen).forEach(function (name) { if (seen[name] > 1) delete values[name]; });
    return values;
  }

  /**
   * The state a fragment describes. Each filter must be one of its select's options, the search text at most
   * MAX_QUERY characters, the sort a sortable column and a direction; anything else is left at its default.
   * The search text only ever reaches the page as the search box's value.
   */
  function fromFragment(fragment) {
    var values = fragmentValues(fragment);
    var state = { filters: {}, q: "", sort: { key: DEFAULT_SORT.key, dir: DEFAULT_SORT.dir } };
    FILTERS.forEach(function (name) {
      state.filters[name] = values[name] !== undefined && allowed(name, values[name]) ? values[name] : "";
    });
    if (state.filters.certainty) state.filters["certainty-min"] = "";  // one certainty filter at a time (see EXCLUSIVE)
    if (values.q !== undefined && values.q.length <= MAX_QUERY) state.q = values.q;
    var at = values.sort === undefined ? -1 : values.sort.lastIndexOf("-");
    var key = at < 0 ? "" : values.sort.slice(0, at), dir = at < 0 ? "" : values.sort.slice(at + 1);
    if (Object.prototype.hasOwnProperty.call(SORT_VALUES, key) && DIRECTIONS.indexOf(dir) >= 0) {
      state.sort = { key: key, dir: dir };
    }
    return state;
  }

  function writeFragment(fragment) {
    if (window.location.hash.replace(/^#/, "") === fragment) return;
    var url = window.location.href.split("#")[0] + (fragment ? "#" + fragment : "");
    try { history.replaceState(null, "", url); } catch (e) { window.location.hash = fragment; }
  }

  // --- showing the state ------------------------------------------------------------------------------------

  function show(state) {
    var shown = 0, order = ordered(state);
    var moved = order.some(function (tool, position) { return tbody.rows[position] !== tool.row; });
    order.forEach(function (tool) {
      var visible = matches(tool, state);
      tool.row.hidden = !visible;
      if (visible) shown += 1;
      if (moved) tbody.appendChild(tool.row);
    });
    var text = "Showing " + shown + " of " + tools.length + " tools";
    if (count.textContent !== text) count.textContent = text;
    if (empty) empty.hidden = shown > 0;
    headers.forEach(function (th) {
      if (th.dataset.sortKey === state.sort.key) th.setAttribute("aria-sort", state.sort.dir === "asc" ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
  }

  function update() {
    var state = readForm();
    show(state);
    writeFragment(toFragment(state));
  }

  function restore() {
    var state = fromFragment(window.location.hash);
    writeForm(state);
    show(state);
    writeFragment(toFragment(state));
  }

  function reorder(key) {
    sort = sort.key === key ? { key: key, dir: sort.dir === "asc" ? "desc" : "asc" } : { key: key, dir: "asc" };
    update();
  }

  /** "Certainty is exactly" and "Certainty at least" answer the same question: choosing one clears the other,
   *  so that the two can never contradict each other and empty the table without a word. */
  var EXCLUSIVE = { certainty: "certainty-min", "certainty-min": "certainty" };
  function keepOneCertainty(event) {
    var other = event.target && EXCLUSIVE[event.target.name];
    if (other && event.target.value) control(other).value = "";
  }
  form.addEventListener("input", keepOneCertainty);
  form.addEventListener("change", keepOneCertainty);
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  if (clear) {
    clear.addEventListener("click", function () {
      FILTERS.concat(["q"]).forEach(function (name) { control(name).value = ""; });
      update();
    });
  }
  headers.forEach(function (th) {
    var button = th.querySelector("button");
    if (button) button.addEventListener("click", function () { reorder(th.dataset.sortKey); });
  });
  window.addEventListener("hashchange", function () {
    if (window.location.hash.replace(/^#/, "") !== toFragment(readForm())) restore();
  });
  control("q").maxLength = MAX_QUERY;
  form.hidden = false;
  table.classList.add("apkb-catalogue--live");
  restore();
})();
