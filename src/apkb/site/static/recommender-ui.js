/*
 * The "Recommend tools" page: reads the form, ranks the tools with APKBRecommender, shows the results, and
 * keeps the whole profile in the URL fragment so that a recommendation can be shared as a link.
 * Plain JavaScript; the data comes from recommender-data.js on this site, so it works from file://.
 */
(function () {
  "use strict";

  var data = window.APKB_DATA;
  var engine = window.APKBRecommender;
  var form = document.getElementById("apkb-recommender");
  var results = document.getElementById("apkb-results");
  var share = document.getElementById("apkb-share");
  if (!data || !engine || !form || !results) return;

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function checked(name) {
    return Array.prototype.filter.call(form.elements[name] || [], function (box) { return box.checked; })
      .map(function (box) { return box.value; });
  }

  function value(name) { return form.elements[name] ? form.elements[name].value || null : null; }

  /** The profile the form describes, complete, as the engine reads it. */
  function readForm() {
    var levels = {};
    data.scales.risk_factors.forEach(function (f) { levels[f] = Number(form.elements[f].value); });
    var stage = checked("stage")[0] || data.scales.stages[0];
    var actors = checked("actors");
    var setting = {}, channels = {};
    Object.keys(engine.SETTING_KEYS).forEach(function (part) { setting[part] = value(engine.SETTING_KEYS[part]); });
    data.scales.channels.forEach(function (channel) {
      var level = value(engine.CHANNEL_KEY + channel);
      if (level) channels[channel] = level;
    });
    return {
      stage: stage,
      risk_factors: levels,
      situations: checked("situations"),
      perpetrator_types: checked("perp"),
      setting: setting,
      objectives: checked("obj"),
      constraints: {
        leverage: value("leverage"),
        time_horizon: value("time"),
        budget: value("budget"),
        actors_available: actors.length ? actors : null,
        exclude: checked("exclude"),
        channels: channels
      }
    };
  }

  function setChecked(name, values) {
    Array.prototype.forEach.call(form.elements[name] || [], function (box) {
      box.checked = values.indexOf(box.value) >= 0;
    });
  }

  /**
   * Put a profile into the form, control by control. The profile comes from engine.fromFragment, which
   * keeps only values the data offers; they reach the page only as the controls' values and checks.
   */
  function writeForm(profile, top) {
    setChecked("stage", [profile.stage]);
    data.scales.risk_factors.forEach(function (f) { form.elements[f].value = String(profile.risk_factors[f]); });
    setChecked("situations", profile.situations || []);
    setChecked("perp", profile.perpetrator_types || []);
    Object.keys(engine.SETTING_KEYS).forEach(function (part) {
      form.elements[engine.SETTING_KEYS[part]].value = profile.setting[part] || "";
    });
    setChecked("obj", profile.objectives || []);
    var c = profile.constraints;
    form.elements.leverage.value = c.leverage || "";
    form.elements.time.value = c.time_horizon || "";
    form.elements.budget.value = c.budget || "";
    data.scales.channels.forEach(function (channel) {
      form.elements[engine.CHANNEL_KEY + channel].value = c.channels[channel] || "";
    });
    setChecked("actors", c.actors_available || []);
    setChecked("exclude", c.exclude || []);
    form.elements.top.value = top;
  }

  /** How many results the fragment asks for: one of the options on offer, else the default option. */
  function topFromFragment(fragment) {
    var options = Array.prototype.slice.call(form.elements.top.options);
    var wanted = engine.fragmentValues(data, fragment).top;
    var offered = options.filter(function (option) { return option.value === wanted; })[0];
    var fallback = options.filter(function (option) { return option.defaultSelected; })[0] || options[0];
    return (offered || fallback).value;
  }

  function fmt(number) { return number.toFixed(1); }

  function renderResult(item) {
    var tool = item.tool, labels = data.labels;
    var parts = engine.PARTS.map(function (part) {
      return el("span", { "class": "apkb-part", "data-part": part }, [
        part.replace("_", " ") + " " + fmt(item.parts[part]) + "/" + data.spec.weights[part]
      ]);
    });
    var body = [
      el("h4", {}, [
        el("span", { "class": "apkb-rank", title: item.tied ? "The engine cannot tell these tools apart" : "" },
          [item.shown_rank + (item.tied ? "=" : "") + ". "]),
        el("a", { href: tool.url }, [tool.title]),
        el("span", { "class": "apkb-total" }, [" " + fmt(item.total) + " points"])
      ]),
      el("p", { "class": "apkb-summary" }, [tool.summary]),
      el("p", { "class": "apkb-parts" }, parts),
      el("ul", { "class": "apkb-reasons" }, item.reasons.concat(item.shortfalls.map(function (s) {
        return "held back: " + s;
      })).map(function (reason) { return el("li", {}, [reason]); }))
    ];
    if (item.cautions.length) {
      body.push(el("details", { "class": "apkb-cautions warning" }, [
        el("summary", {}, ["Cautions for this profile (" + item.cautions.length + ")"]),
        el("ul", {}, item.cautions.map(function (c) {
          return el("li", {}, [el("strong", {}, [c.risk]), " Mitigation: " + c.mitigation]);
        }))
      ]));
    }
    if (tool.lessons.length) {
      var lessons = [];
      tool.lessons.forEach(function (lesson, index) {
        if (index) lessons.push("; ");
        lessons.push(el("a", { href: lesson.url }, [lesson.title]));
        lessons.push(" (" + labels.outcomes[lesson.outcome].toLowerCase() + ")");
      });
      body.push(el("p", { "class": "apkb-lessons" }, ["Tried before: "].concat(lessons)));
    }
    if (tool.combines_with.length) {
      var titles = {};
      data.tools.forEach(function (t) { titles[t.id] = t; });
      var combos = [];
      tool.combines_with.forEach(function (id, index) {
        if (index) combos.push(", ");
        combos.push(el("a", { href: titles[id].url }, [titles[id].title]));
      });
      body.push(el("p", { "class": "apkb-combos" }, ["Works well with: "].concat(combos)));
    }
    return el("li", { "class": "apkb-result", "data-tool-id": tool.id }, body);
  }

  var TIERS = [["strong", "Strong fit"], ["considering", "Worth considering"], ["weak", "Weak fit"]];

  function link(item) { return el("a", { href: item.url }, [item.title]); }

  function joined(nodes, separator) {
    var out = [];
    nodes.forEach(function (node, index) { if (index) out.push(separator); out.push(node); });
    return out;
  }

  function renderBlocked(item) {
    var body = [
      el("h4", {}, [link(item.tool)]),
      el("ul", { "class": "apkb-reasons" }, item.reasons.map(function (reason) { return el("li", {}, ["blocked: " + reason]); }))
    ];
    if (item.alternatives.length) {
      body.push(el("p", { "class": "apkb-alternatives" },
        ["What routes around it: "].concat(joined(item.alternatives.map(link), ", "))));
    }
    return el("li", { "class": "apkb-blocked-tool", "data-tool-id": item.tool.id }, body);
  }

  function update() {
    var profile = readForm();
    var top = form.elements.top.value;
    var fragment = engine.toFragment(data, profile) + "&top=" + top;
    if (window.location.hash.slice(1) !== fragment) {
      try { history.replaceState(null, "", "#" + fragment); } catch (e) { window.location.hash = fragment; }
    }
    if (share) share.setAttribute("href", "#" + fragment);
    var outcome = engine.recommend(data, profile, top === "all" ? undefined : Number(top));
    var shown = top === "all" ? outcome.ranked : outcome.ranked.slice(0, Number(top));
    var present = data.scales.risk_factors.filter(function (f) { return profile.risk_factors[f] > 0; });
    results.replaceChildren(el("h2", { id: "results" }, ["Recommended tools"]));
    results.appendChild(el("p", { "class": "apkb-judgement" }, [
      "A starting point for judgement, not a substitute for it: check each tool against what you know of the country. ",
      "Tools marked = score too close together for the engine to tell apart."
    ]));
    if (!present.length) {
      results.appendChild(el("p", { "class": "apkb-hint" }, [
        "No risk factor is set above 0, so the ranking rests on the stage, the situation, the evidence and past cases alone."
      ]));
    }
    if (outcome.near.length) {
      results.appendChild(el("p", { "class": "apkb-hint apkb-near" }, ["Past cases most like this profile: "].concat(
        joined(outcome.near.map(function (n) { return el("a", { href: n["case"].url }, [n["case"].place]); }), "; "))));
    }
    TIERS.forEach(function (tier) {
      var items = shown.filter(function (item) { return item.tier === tier[0]; });
      if (!items.length) return;
      results.appendChild(el("h3", { "class": "apkb-tier", id: "tier-" + tier[0] }, [tier[1]]));
      results.appendChild(el("ol", { "class": "apkb-result-list" }, items.map(renderResult)));
    });
    if (outcome.blocked.length) {
      results.appendChild(el("h3", { "class": "apkb-tier", id: "tier-blocked" }, ["Blocked in this setting"]));
      results.appendChild(el("p", { "class": "apkb-hint" }, [
        "These tools need something this profile says is absent, so they are not ranked."
      ]));
      results.appendChild(el("ul", { "class": "apkb-result-list apkb-blocked" }, outcome.blocked.map(renderBlocked)));
    }
    if (outcome.excluded.length) {
      results.appendChild(el("p", { "class": "apkb-hint" }, [
        "Left out at your request: " + outcome.excluded.map(function (t) { return t.title; }).join(", ") + "."
      ]));
    }
  }

  function restore() {
    var hash = window.location.hash;
    if (hash && hash.length > 1) writeForm(engine.fromFragment(data, hash), topFromFragment(hash));
    update();
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  form.addEventListener("reset", function () { window.setTimeout(update, 0); });
  window.addEventListener("hashchange", function () {
    var current = engine.toFragment(data, readForm()) + "&top=" + form.elements.top.value;
    if (window.location.hash.slice(1) !== current) restore();
  });
  restore();
})();
