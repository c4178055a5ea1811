/*
 * The recommender's scoring engine for the browser: the same specification as src/apkb/recommend/engine.py,
 * implemented a second time. Both engines read the same data (the scoring spec from scoring.yml and the
 * tool facts built by apkb.recommend.engine_data) and shared test vectors keep them identical, to the
 * ranking and to 1e-9 in every score. Sums run left to right in the same order as in Python.
 *
 * Plain JavaScript, no dependencies: it runs in the browser (as window.APKBRecommender) and under node
 * (module.exports), which the tests use.
 */
(function (root) {
  "use strict";

  var PARTS = ["risk_fit", "stage_fit", "evidence", "feasibility"];
  var FEASIBILITY_CHECKS = ["leverage", "time", "budget", "actors"];

  function shortfall(spec, steps) {
    var table = spec.feasibility.shortfall;
    return table[Math.min(Math.max(steps, 0), table.length - 1)];
  }

  function situationFits(tool, situations) {
    if (!tool.situations.length) return true;
    for (var i = 0; i < tool.situations.length; i++) {
      if (situations.indexOf(tool.situations[i]) >= 0) return true;
    }
    return false;
  }

  function stageFraction(spec, stages, tool, profile) {
    var rules = spec.stage_fit, stage = profile.stage, fraction = rules.other;
    if (tool.stages.indexOf(stage) >= 0) {
      fraction = rules.match;
    } else {
      var here = stages.indexOf(stage);
      for (var i = 0; i < tool.stages.length; i++) {
        if (Math.abs(stages.indexOf(tool.stages[i]) - here) === 1) { fraction = rules.adjacent; break; }
      }
    }
    if (!situationFits(tool, profile.situations)) fraction = fraction * rules.situation_mismatch;
    return fraction;
  }

  function riskFraction(spec, riskFactorIds, tool, profile) {
    var rules = spec.risk_fit, levels = profile.risk_factors, fraction = 0, total = 0;
    for (var i = 0; i < riskFactorIds.length; i++) total += levels[riskFactorIds[i]];
    if (total > 0) {
      var addressed = 0;
      for (var j = 0; j < tool.risk_factors.length; j++) addressed += levels[tool.risk_factors[j]];
      var coverage = addressed / total;
      var focus = addressed / (rules.max_level * tool.risk_factors.length);
      fraction = rules.coverage_share * coverage + rules.focus_share * focus;
    }
    if (tool.situations.length && situationFits(tool, profile.situations)) {
      fraction = Math.max(fraction, rules.situation_floor);
    }
    return fraction;
  }

  function evidenceFraction(spec, tool) {
    var rules = spec.evidence;
    var neutral = rules.effect[rules.neutral];
    return neutral + (rules.effect[tool.effect] - neutral) * rules.certainty_pull[tool.certainty];
  }

  function checkScores(data, tool, constraints) {
    var spec = data.spec, scales = data.scales;
    function steps(scale, need, have) {
      if (have === null || have === undefined) return 1;
      return shortfall(spec, scales[scale].indexOf(need) - scales[scale].indexOf(have));
    }
    var available = constraints.actors_available;
    var actors = 1;
    if (available !== null && available !== undefined) {
      actors = 0;
      for (var i = 0; i < tool.actors.length; i++) {
        if (available.indexOf(tool.actors[i]) >= 0) { actors = 1; break; }
      }
    }
    return {
      leverage: steps("leverage", tool.leverage_needed, constraints.leverage),
      time: steps("time_to_effect", tool.time_to_effect, constraints.time_horizon),
      budget: steps("cost", tool.cost, constraints.budget),
      actors: actors
    };
  }

  function feasibilityFraction(spec, checks) {
    var fraction = 0;
    for (var i = 0; i < FEASIBILITY_CHECKS.length; i++) {
      var check = FEASIBILITY_CHECKS[i];
      fraction = fraction + spec.feasibility.checks[check] * checks[check];
    }
    return fraction;
  }

  /** The four parts of a tool's score, in points, and their total. */
  function score(data, tool, profile) {
    var spec = data.spec, weights = spec.weights;
    var fractions = {
      risk_fit: riskFraction(spec, data.scales.risk_factors, tool, profile),
      stage_fit: stageFraction(spec, data.scales.stages, tool, profile),
      evidence: evidenceFraction(spec, tool),
      feasibility: feasibilityFraction(spec, checkScores(data, tool, profile.constraints))
    };
    var parts = {}, total = 0;
    for (var i = 0; i < PARTS.length; i++) parts[PARTS[i]] = weights[PARTS[i]] * fractions[PARTS[i]];
    for (var k = 0; k < PARTS.length; k++) total = total + parts[PARTS[k]];
    return { parts: parts, total: total };
  }

  function compare(a, b) {
    if (a.total !== b.total) return b.total - a.total;
    if (a.parts.evidence !== b.parts.evidence) return b.parts.evidence - a.parts.evidence;
    if (a.parts.risk_fit !== b.parts.risk_fit) return b.parts.risk_fit - a.parts.risk_fit;
    return a.tool.id < b.tool.id ? -1 : a.tool.id > b.tool.id ? 1 : 0;
  }

  function lower(text) { return String(text).toLowerCase(); }

  /** Why a tool scores as it does (reasons), and what holds it back under the constraints (shortfalls). */
  function explainScore(data, tool, profile) {
    var labels = data.labels, levels = profile.risk_factors, order = data.scales.risk_factors;
    var reasons = [];
    var present = tool.risk_factors.filter(function (f) { return levels[f] > 0; });
    present.sort(function (a, b) { return (levels[b] - levels[a]) || (order.indexOf(a) - order.indexOf(b)); });
    if (present.length) {
      reasons.push("addresses " + present.map(function (f) {
        return f + " " + labels.risk_factors[f] + " (level " + levels[f] + ")";
      }).join("; "));
    } else {
      reasons.push("addresses none of the risk factors present in this profile");
    }
    var stageLabel = lower(labels.stages[profile.stage]);
    if (tool.stages.indexOf(profile.stage) >= 0) {
      reasons.push("used at the " + stageLabel + " stage");
    } else {
      var used = data.scales.stages.filter(function (s) { return tool.stages.indexOf(s) >= 0; })
        .map(function (s) { return lower(labels.stages[s]); }).join(", ");
      reasons.push("not a " + stageLabel + "-stage tool: used at the " + used + " stage");
    }
    if (tool.situations.length) {
      var madeFor = tool.situations.map(function (s) { return lower(labels.situations[s]); }).join(" or ");
      reasons.push("made for " + madeFor + (situationFits(tool, profile.situations) ?
        ", which this profile has" : ", which this profile does not list"));
    }
    reasons.push("evidence: " + lower(labels.effects[tool.effect]) + ", " + lower(labels.certainty[tool.certainty]) +
      " certainty (" + tool.direct_studies + " direct, " + tool.related_studies + " related studies)");
    var c = profile.constraints, checks = checkScores(data, tool, c), shortfalls = [];
    if (checks.leverage < 1) {
      shortfalls.push("needs " + lower(labels.leverage[tool.leverage_needed]) + " leverage; you have " +
        lower(labels.leverage[c.leverage]));
    }
    if (checks.time < 1) {
      shortfalls.push("takes " + lower(labels.time_to_effect[tool.time_to_effect]) + " to have effect; your horizon is " +
        lower(labels.time_to_effect[c.time_horizon]));
    }
    if (checks.budget < 1) {
      shortfalls.push("costs " + lower(labels.cost[tool.cost]) + "; your budget is " + lower(labels.cost[c.budget]));
    }
    if (checks.actors < 1) {
      shortfalls.push("none of the actors who wield it is available: " +
        tool.actors.map(function (a) { return labels.actors[a]; }).join(", "));
    }
    return { reasons: reasons, shortfalls: shortfalls };
  }

  /** The tool's backfire risks that apply to this profile's stage and risk factors. */
  function cautions(data, tool, profile) {
    var minimum = data.spec.cautions.min_level, levels = profile.risk_factors;
    return tool.risks.filter(function (r) {
      var stageOk = !r.stages.length || r.stages.indexOf(profile.stage) >= 0;
      var factorOk = !r.risk_factors.length || r.risk_factors.some(function (f) { return levels[f] >= minimum; });
      return stageOk && factorOk;
    }).map(function (r) { return { risk: r.risk, mitigation: r.mitigation }; });
  }

  /**
   * Score and rank every tool for a profile; excluded tools are listed apart. Reasons, shortfalls and
   * cautions are written for the first `words` results only (all when it is left out): a page shows a few
   * tools, and writing words for thousands would cost more than the scoring.
   */
  function recommend(data, profile, words) {
    var excluded = profile.constraints.exclude || [];
    var ranked = [], left = [];
    data.tools.forEach(function (tool) {
      if (excluded.indexOf(tool.id) >= 0) { left.push(tool); return; }
      var s = score(data, tool, profile);
      ranked.push({ tool: tool, parts: s.parts, total: s.total });
    });
    ranked.sort(compare);
    var described = words === undefined ? ranked.length : Math.min(words, ranked.length);
    ranked.forEach(function (item, index) {
      item.rank = index + 1;
      if (index >= described) return;
      var explained = explainScore(data, item.tool, profile);
      item.reasons = explained.reasons;
      item.shortfalls = explained.shortfalls;
      item.cautions = cautions(data, item.tool, profile);
    });
    return { ranked: ranked, excluded: left };
  }

  /** A complete profile (every level, every constraint) from a partial one, as the engine reads it. */
  function normaliseProfile(data, partial) {
    var levels = {};
    data.scales.risk_factors.forEach(function (f) {
      levels[f] = (partial.risk_factors && partial.risk_factors[f]) || 0;
    });
    var c = partial.constraints || {};
    return {
      stage: partial.stage,
      risk_factors: levels,
      situations: partial.situations ? partial.situations.slice() : [],
      constraints: {
        leverage: c.leverage || null,
        time_horizon: c.time_horizon || null,
        budget: c.budget || null,
        actors_available: c.actors_available ? c.actors_available.slice() : null,
        exclude: c.exclude ? c.exclude.slice() : []
      }
    };
  }

  /*
   * The profile in a URL fragment, so a recommendation is a link:
   * #stage=mitigation&rf=01203000000000&sit=election&leverage=low&time=weeks&budget=medium&actors=embassy,un-secretariat&exclude=mediation
   * rf holds the level of RF01..RF14 as 14 digits. apkb.recommend.profile_fragment writes the same.
   */
  function toFragment(data, profile) {
    var params = ["stage=" + encodeURIComponent(profile.stage)];
    params.push("rf=" + data.scales.risk_factors.map(function (f) { return String(profile.risk_factors[f] || 0); }).join(""));
    if (profile.situations && profile.situations.length) params.push("sit=" + profile.situations.map(encodeURIComponent).join(","));
    var c = profile.constraints;
    if (c.leverage) params.push("leverage=" + encodeURIComponent(c.leverage));
    if (c.time_horizon) params.push("time=" + encodeURIComponent(c.time_horizon));
    if (c.budget) params.push("budget=" + encodeURIComponent(c.budget));
    if (c.actors_available) params.push("actors=" + c.actors_available.map(encodeURIComponent).join(","));
    if (c.exclude && c.exclude.length) params.push("exclude=" + c.exclude.map(encodeURIComponent).join(","));
    return params.join("&");
  }

  /*
   * Reading a fragment. The fragment is whatever the address bar holds: anyone can send a link, so it is read
   * as untrusted input. Only the keys below are read; a key given twice is ambiguous and read as absent; a
   * fragment longer than any this page writes is not read at all; a value that does not decode (%E0%A4%A) is
   * dropped; and every value must be one the data offers, or it is left at its default. Keys are matched as
   * they are written, never decoded. Nothing read here is ever written into the page as markup.
   */
  var FRAGMENT_KEYS = ["stage", "rf", "sit", "leverage", "time", "budget", "actors", "exclude", "top"];
  /** No fragment longer than this is read, whatever the data; see maxFragmentLength. */
  var MIN_FRAGMENT_CAP = 2000;

  function longest(values) {
    return values.reduce(function (most, value) { return Math.max(most, encodeURIComponent(value).length); }, 0);
  }

  /** The longest fragment the page can write for this data, or 2,000 characters if that is more: the cap. */
  function maxFragmentLength(data) {
    var s = data.scales, length = 0;
    FRAGMENT_KEYS.forEach(function (key) { length += key.length + 2; });
    [s.stages, s.leverage, s.time_to_effect, s.cost, ["all"]].forEach(function (scale) { length += longest(scale); });
    length += s.risk_factors.length;
    var lists = [Object.keys(data.labels.situations), Object.keys(data.labels.actors)];
    lists.push(data.tools.map(function (t) { return t.id; }));
    lists.forEach(function (list) {
      list.forEach(function (value) { length += encodeURIComponent(value).length + 1; });
    });
    return Math.max(MIN_FRAGMENT_CAP, length);
  }

  /**
   * The decoded value of each known key the fragment gives once, as an object without a prototype; nothing
   * at all if the fragment is longer than the page could have written.
   */
  function fragmentValues(data, fragment) {
    var values = Object.create(null), seen = Object.create(null);
    var text = typeof fragment === "string" ? fragment : "";
    if (text.charAt(0) === "#") text = text.slice(1);
    if (!text || text.length > maxFragmentLength(data)) return values;
    text.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 0) return;
      var key = pair.slice(0, at);
      if (FRAGMENT_KEYS.indexOf(key) < 0) return;
      seen[key] = (seen[key] || 0) + 1;
      try { values[key] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { delete values[key]; }
    });
    Object.keys(seen).forEach(function (key) { if (seen[key] > 1) delete values[key]; });
    return values;
  }

  /**
   * The profile a fragment describes, complete. Each value must be one the data offers, or its default is
   * used: the first stage; level 0 for every factor unless rf is exactly one digit 0-3 per factor; no
   * constraint. In a list, unknown and repeated items are dropped, and a list none of whose items is known
   * counts as absent (so "actors=nonsense" leaves every actor available, where "actors=" says none is).
   */
  function fromFragment(data, fragment) {
    var values = fragmentValues(data, fragment);
    function oneOf(value, allowed) { return value !== undefined && allowed.indexOf(value) >= 0 ? value : null; }
    function listOf(value, allowed) {
      if (value === undefined) return null;
      if (value === "") return [];
      var known = Object.create(null), taken = Object.create(null), items = [];
      allowed.forEach(function (v) { known[v] = true; });
      value.split(",").forEach(function (v) {
        if (known[v] && !taken[v]) { taken[v] = true; items.push(v); }
      });
      return items.length ? items : null;
    }
    var levels = {};
    var rf = values.rf, count = data.scales.risk_factors.length;
    var digits = rf !== undefined && rf.length === count && /^[0-3]+$/.test(rf) ? rf : null;
    data.scales.risk_factors.forEach(function (f, i) { levels[f] = digits ? Number(digits.charAt(i)) : 0; });
    var toolIds = data.tools.map(function (t) { return t.id; });
    return {
      stage: oneOf(values.stage, data.scales.stages) || data.scales.stages[0],
      risk_factors: levels,
      situations: listOf(values.sit, Object.keys(data.labels.situations)) || [],
      constraints: {
        leverage: oneOf(values.leverage, data.scales.leverage),
        time_horizon: oneOf(values.time, data.scales.time_to_effect),
        budget: oneOf(values.budget, data.scales.cost),
        actors_available: listOf(values.actors, Object.keys(data.labels.actors)),
        exclude: listOf(values.exclude, toolIds) || []
      }
    };
  }

  var api = {
    PARTS: PARTS,
    score: score,
    recommend: recommend,
    normaliseProfile: normaliseProfile,
    toFragment: toFragment,
    fromFragment: fromFragment,
    fragmentValues: fragmentValues,
    maxFragmentLength: maxFragmentLength
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.APKBRecommender = api;
})(this);
