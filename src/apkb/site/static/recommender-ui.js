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
  var byId = function (id) { return document.getElementById(id); };
  var problemsBox = byId("apkb-link-problems"), summaryBar = byId("apkb-summary"), printHead = byId("apkb-print-head");
  var linkBox = byId("apkb-link"), status = byId("apkb-share-status");
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

  /** A printed briefing names the first cautions of each tool and points to its page for the rest. */
  var PRINTED_CAUTIONS = 2;

  /** The profile in one short paragraph of plain text: what the results answer. */
  function profileInWords(profile) {
    var L = data.labels, parts = [L.stages[profile.stage] + " stage"];
    var levels = data.scales.risk_factors.filter(function (f) { return profile.risk_factors[f] > 0; })
      .map(function (f) { return f + " " + profile.risk_factors[f]; });
    parts.push(levels.length ? "risk factors " + levels.join(", ") : "no risk factor set");
    if (profile.situations.length) parts.push(profile.situations.map(function (x) { return L.situations[x].toLowerCase(); }).join(", "));
    if (profile.perpetrator_types.length) {
      parts.push("perpetrators: " + profile.perpetrator_types.map(function (x) { return L.perpetrator_types[x].toLowerCase(); }).join(", "));
    }
    Object.keys(L.setting).forEach(function (part) {
      var v = profile.setting[part];
      if (v) parts.push(part.replace("_", " ") + ": " + L.setting[part][v].toLowerCase());
    });
    var c = profile.constraints;
    if (c.leverage) parts.push("leverage " + L.leverage[c.leverage].toLowerCase());
    if (c.time_horizon) parts.push("effect needed within " + L.time_to_effect[c.time_horizon].toLowerCase());
    Object.keys(c.channels).forEach(function (ch) { parts.push(L.channels[ch].toLowerCase() + " leverage " + L.channel_levels[c.channels[ch]].toLowerCase()); });
    if (c.exclude.length) parts.push(c.exclude.length + " tool" + (c.exclude.length === 1 ? "" : "s") + " left out");
    return parts.join("; ") + ".";
  }

  function evidenceLine(tool) {
    var L = data.labels;
    return "Evidence: " + L.effects[tool.effect].toLowerCase() + ", " + L.certainty[tool.certainty].toLowerCase() +
      " certainty; " + tool.direct_studies + " direct and " + tool.related_studies + " related studies.";
  }

  function absolute(url) { try { return new URL(url, window.location.href).href; } catch (e) { return url; } }

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
      el("p", { "class": "apkb-evidence-line" }, [evidenceLine(tool)]),
      el("p", { "class": "apkb-parts" }, parts),
      el("ul", { "class": "apkb-reasons" }, item.reasons.concat(item.shortfalls.map(function (s) {
        return "held back: " + s;
      })).map(function (reason) { return el("li", {}, [reason]); }))
    ];
    if (item.cautions.length) {
      body.push(el("details", { "class": "apkb-cautions warning" }, [
        el("summary", {}, ["Cautions for this profile (" + item.cautions.length + ")"]),
        el("ul", {}, item.cautions.map(function (c, index) {
          return el("li", index < PRINTED_CAUTIONS ? {} : { "class": "apkb-screen-only" },
            [el("strong", {}, [c.risk]), el("span", { "class": "apkb-mitigation" }, [" Mitigation: " + c.mitigation])]);
        }).concat(item.cautions.length > PRINTED_CAUTIONS ? [el("li", { "class": "apkb-print-only" }, [
          "and " + (item.cautions.length - PRINTED_CAUTIONS) + " more on the tool's page."])] : []))
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
      var counts = {};
      tool.lessons.forEach(function (lesson) { counts[lesson.outcome] = (counts[lesson.outcome] || 0) + 1; });
      var tally = Object.keys(labels.outcomes).filter(function (o) { return counts[o]; })
        .map(function (o) { return labels.outcomes[o].toLowerCase() + " " + counts[o]; });
      body.push(el("p", { "class": "apkb-print-only apkb-lessons-tally" }, [
        "Tried before in " + tool.lessons.length + " past case" + (tool.lessons.length === 1 ? "" : "s") + " (" + tally.join(", ") + ")."
      ]));
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
    body.push(el("p", { "class": "apkb-print-only apkb-page-address" }, ["Page: " + absolute(tool.url)]));
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

  /** On paper, blocked tools are grouped by what blocks them: one line per reason. */
  function blockedByReason(blocked) {
    var groups = [], byReason = {};
    blocked.forEach(function (item) {
      var reason = item.reasons.join("; ");
      if (!byReason[reason]) { byReason[reason] = []; groups.push(reason); }
      byReason[reason].push(item.tool.title);
    });
    return el("ul", { "class": "apkb-print-only apkb-blocked-print" }, groups.map(function (reason) {
      return el("li", {}, [el("strong", {}, [reason.charAt(0).toUpperCase() + reason.slice(1) + ": "]), byReason[reason].join(", ") + "."]);
    }));
  }

  function update() {
    var profile = readForm();
    var top = form.elements.top.value;
    var fragment = engine.toFragment(data, profile) + "&top=" + top;
    if (window.location.hash.slice(1) !== fragment) {
      try { history.replaceState(null, "", "#" + fragment); } catch (e) { window.location.hash = fragment; }
    }
    var address = window.location.href.split("#")[0] + "#" + fragment;
    if (linkBox) linkBox.value = address;
    var outcome = engine.recommend(data, profile, top === "all" ? undefined : Number(top));
    var shown = top === "all" ? outcome.ranked : outcome.ranked.slice(0, Number(top));
    var present = data.scales.risk_factors.filter(function (f) { return profile.risk_factors[f] > 0; });
    results.replaceChildren(el("h2", { id: "results" }, ["Recommended tools"]));
    results.appendChild(el("p", { "class": "apkb-profile-words" }, [el("strong", {}, ["For this profile: "]), profileInWords(profile)]));
    renderSummary(shown);
    renderPrintHead(profile, address);
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
      results.appendChild(blockedByReason(outcome.blocked));
    }
    if (outcome.excluded.length) {
      results.appendChild(el("p", { "class": "apkb-hint" }, [
        "Left out at your request: " + outcome.excluded.map(function (t) { return t.title; }).join(", ") + "."
      ]));
    }
  }

  /** The top three, kept in view at the foot of the screen while the form is: each change shows at once. */
  function renderSummary(shown) {
    if (!summaryBar) return;
    var top = shown.slice(0, 3).map(function (item) {
      return el("li", {}, [el("a", { href: "#results" }, [item.shown_rank + (item.tied ? "=" : "") + ". " + item.tool.title])]);
    });
    summaryBar.replaceChildren(
      el("span", { "class": "apkb-summary-bar__label" }, [top.length ? "Top now:" : "No tool ranks for this profile."]),
      el("ol", {}, top),
      el("a", { href: "#results", "class": "apkb-summary-bar__all" }, ["All results"])
    );
  }

  /** What only the printed briefing shows above the results: the date, the profile and the link. */
  function renderPrintHead(profile, address) {
    if (!printHead) return;
    var today = new Date();
    var date = today.getFullYear() + "-" + String(today.getMonth() + 1).padStart(2, "0") + "-" + String(today.getDate()).padStart(2, "0");
    printHead.replaceChildren(
      el("p", {}, [el("strong", {}, ["Briefing from the Atrocity Prevention Knowledge Base, " + date + ". "]),
        "A ranked starting point for judgement, not a substitute for it. Each tool's page (its address is below it) " +
        "gives the evidence, its sources, and how to reduce each caution."]),
      el("p", {}, [el("strong", {}, ["Profile: "]), profileInWords(profile)]),
      el("p", { "class": "apkb-print-link" }, [el("strong", {}, ["Link: "]), address])
    );
  }

  /** Say which parts of a damaged or partial link were not used, instead of changing the answer silently. */
  function showProblems(problems) {
    if (!problemsBox) return;
    if (!problems.length) { problemsBox.hidden = true; problemsBox.replaceChildren(); return; }
    problemsBox.replaceChildren(
      el("p", { "class": "admonition-title" }, ["Part of this link could not be read"]),
      el("ul", {}, problems.map(function (p) { return el("li", {}, [p]); })),
      el("p", {}, ["The rest of the profile was read as given. Check the form before you rely on the result."])
    );
    problemsBox.hidden = false;
  }

  function restore() {
    var hash = window.location.hash;
    if (hash && hash.length > 1) {
      var problems = engine.fragmentProblems(data, hash);
      var wanted = engine.fragmentValues(data, hash).top;
      if (wanted !== undefined && topFromFragment(hash) !== wanted) problems.push("'top=" + (/^[a-z0-9]{1,8}$/.test(wanted) ? wanted : "(a value not shown)") + "' is not offered, so the top " + topFromFragment(hash) + " are shown");
      writeForm(engine.fromFragment(data, hash), topFromFragment(hash));
      showProblems(problems);
    } else {
      showProblems([]);
    }
    update();
  }

  function say(text) { if (status) status.textContent = text; }

  function copyLink() {
    var address = linkBox ? linkBox.value : window.location.href;
    function fallback() {
      if (!linkBox) return;
      linkBox.focus(); linkBox.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      say(copied ? "Link copied." : "The link is selected: press Ctrl+C (or Cmd+C) to copy it.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(address).then(function () { say("Link copied."); }, fallback);
    } else {
      fallback();
    }
  }

  /** The profile as a file: JSON, which is also YAML, so `apkb recommend` reads it as this page does. */
  function downloadProfile() {
    var profile = readForm();
    var file = { title: "Profile from the Recommend tools page", stage: profile.stage, risk_factors: profile.risk_factors,
      situations: profile.situations, perpetrator_types: profile.perpetrator_types, setting: profile.setting,
      objectives: profile.objectives, constraints: profile.constraints };
    var blob = new Blob([JSON.stringify(file, null, 2) + "\n"], { type: "application/json" });
    var url = URL.createObjectURL(blob);
    var a = el("a", { href: url, download: "apkb-profile.yml" });
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    say("Downloaded apkb-profile.yml. Open it here with Open a profile file, or run: apkb recommend apkb-profile.yml");
  }

  /** A profile file, read as the link would be: every value is checked, and what cannot be used is named. */
  function openProfile(file) {
    var reader = new FileReader();
    reader.addEventListener("load", function () {
      var profile;
      try { profile = JSON.parse(String(reader.result)); } catch (e) { profile = null; }
      if (!profile || typeof profile !== "object" || typeof profile.stage !== "string") {
        showProblems(["the file " + file.name + " is not a profile this page can read: it reads the files it downloads " +
          "(JSON, which is also YAML); for a profile written by hand, run apkb recommend " + file.name]);
        return;
      }
      var c = profile.constraints || {};
      var levels = {};
      data.scales.risk_factors.forEach(function (f) { levels[f] = (profile.risk_factors || {})[f] || 0; });
      var complete = { stage: profile.stage, risk_factors: levels, situations: profile.situations || [],
        perpetrator_types: profile.perpetrator_types || [], setting: profile.setting || {}, objectives: profile.objectives || [],
        constraints: { leverage: c.leverage || null, time_horizon: c.time_horizon || null, budget: c.budget || null,
          actors_available: c.actors_available || null, exclude: c.exclude || [], channels: c.channels || {} } };
      var fragment = engine.toFragment(data, complete) + "&top=" + form.elements.top.value;
      if (window.location.hash.slice(1) === fragment) restore();
      else window.location.hash = fragment;
      say("Opened " + file.name + ".");
    });
    reader.readAsText(file);
  }

  var copyButton = byId("apkb-copy"), downloadButton = byId("apkb-download"), opener = byId("apkb-open");
  if (copyButton) copyButton.addEventListener("click", copyLink);
  if (downloadButton) downloadButton.addEventListener("click", downloadProfile);
  if (opener) opener.addEventListener("change", function () { if (opener.files && opener.files[0]) openProfile(opener.files[0]); opener.value = ""; });
  var offline = byId("apkb-share-offline");
  if (offline && window.location.protocol === "file:") offline.hidden = false;

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
