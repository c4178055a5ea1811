/*
 * The recommender's scoring engine for the browser: the same specification as src/apkb/recommend/ (spec.py,
 * cases.py, engine.py, words.py, fragment.py), implemented a second time. Both engines read the same data (the
 * scoring spec from scoring.yml, the tool facts and the past cases built by apkb.recommend.spec.engine_data) and
 * shared test vectors keep them identical, to the ranking, to 1e-9 in every score, and word for word in every
 * reason. Sums run left to right in the same order as in Python.
 *
 * Plain JavaScript, no dependencies: it runs in the browser (as window.APKBRecommender) and under node
 * (module.exports), which the tests use.
 */
(function (root) {
  "use strict";

  var PARTS = ["risk_fit", "stage_fit", "objectives", "perpetrators", "channels", "evidence", "feasibility", "precedent"];
  var FEASIBILITY_CHECKS = ["leverage", "time", "budget", "actors"];
  var SIMILARITY_PARTS = ["stage", "risk_factors", "situations", "perpetrator_types", "setting"];
  var SETTING_KEYS = { security_council: "council", host_consent: "consent", access: "access", communications: "comms" };
  var CHANNEL_KEY = "ch-";

  function has(object, key) { return key !== null && key !== undefined && Object.prototype.hasOwnProperty.call(object, key); }
  function contains(list, item) { return list.indexOf(item) >= 0; }
  function lower(text) { return String(text).toLowerCase(); }

  // --- the parts of a score ---------------------------------------------------------------------------------

  function shortfall(spec, steps) {
    var table = spec.feasibility.shortfall;
    return table[Math.min(Math.max(steps, 0), table.length - 1)];
  }

  function situationFits(tool, situations) {
    if (!tool.situations.length) return true;
    for (var i = 0; i < tool.situations.length; i++) {
      if (contains(situations, tool.situations[i])) return true;
    }
    return false;
  }

  function stageFraction(spec, stages, tool, profile) {
    var rules = spec.stage_fit, stage = profile.stage, fraction = rules.other;
    if (contains(tool.stages, stage)) {
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

  /** The objectives a profile is scored against, and whether they are the stage's defaults. */
  function objectivesOf(spec, profile) {
    if (profile.objectives.length) return { list: profile.objectives.slice(), isDefault: false };
    return { list: spec.objectives.defaults[profile.stage].slice(), isDefault: true };
  }

  function objectivesFraction(spec, tool, profile) {
    var chosen = objectivesOf(spec, profile), objectives = chosen.list, served = 0;
    for (var i = 0; i < objectives.length; i++) if (contains(tool.strategies, objectives[i])) served += 1;
    var enough = chosen.isDefault ? spec.objectives.enough_by_default : spec.objectives.enough;
    return Math.min(1, served / Math.min(objectives.length, enough));
  }

  function perpetratorsFraction(tool, profile) {
    var present = profile.perpetrator_types;
    if (!present.length || !tool.perpetrator_types.length) return 1;
    var reached = 0;
    for (var i = 0; i < present.length; i++) if (contains(tool.perpetrator_types, present[i])) reached += 1;
    return reached / present.length;
  }

  /** The strongest of the tool's channels the profile knows, as [channel, level]; null if it knows none. */
  function bestChannel(data, tool, profile) {
    var held = profile.constraints.channels, scale = data.scales.channel_levels, best = null;
    for (var i = 0; i < tool.channels.length; i++) {
      var channel = tool.channels[i];
      var level = has(held, channel) ? held[channel] : null;
      if (level !== null && (best === null || scale.indexOf(level) > scale.indexOf(best[1]))) best = [channel, level];
    }
    return best;
  }

  function channelsFraction(data, tool, profile) {
    var best = bestChannel(data, tool, profile);
    if (best === null || best[1] === "none") return 1;
    return data.spec.channels.value[best[1]];
  }

  function evidenceFraction(spec, tool) {
    var rules = spec.evidence;
    var neutral = rules.effect[rules.neutral];
    return neutral + (rules.effect[tool.effect] - neutral) * rules.certainty_pull[tool.certainty];
  }

  /** The leverage the profile gives, or, if it gives none, the strongest channel held. */
  function effectiveLeverage(data, constraints) {
    if (constraints.leverage !== null && constraints.leverage !== undefined) return constraints.leverage;
    var scale = data.scales.leverage, best = null;
    Object.keys(constraints.channels).forEach(function (channel) {
      var level = constraints.channels[channel];
      if (contains(scale, level) && (best === null || scale.indexOf(level) > scale.indexOf(best))) best = level;
    });
    return best;
  }

  /** For each of the tool's needs the setting speaks to: "blocked" or "strained", in the tool's order. */
  function needStates(data, tool, profile) {
    var gates = data.spec.gates.needs, found = [];
    for (var i = 0; i < tool.needs.length; i++) {
      var state = gateState(gates, tool.needs[i], profile.setting);
      if (state !== null) found.push([tool.needs[i], state]);
    }
    return found;
  }

  /** "blocked", "strained" or null (met or unknown) for one need. A need met in any of several ways (any_of) is
   *  met if one way is met or unknown, strained if the best way is strained, and blocked only if every way is. */
  function gateState(gates, need, setting) {
    var gate = gates[need];
    if (gate.any_of) {
      var states = gate.any_of.map(function (way) { return gateState(gates, way, setting); });
      if (states.indexOf(null) >= 0) return null;
      return states.indexOf("strained") >= 0 ? "strained" : "blocked";
    }
    var value = setting[gate.setting];
    if (has(gate.blocked, value)) return "blocked";
    if (has(gate.strained, value)) return "strained";
    return null;
  }

  /** Whether a tool can stand in for a need: it routes around the need, or around one of its ways (any_of). */
  function routesAround(gates, tool, need) {
    if (contains(tool.routes_around, need)) return true;
    var ways = has(gates, need) && gates[need].any_of ? gates[need].any_of : [];
    return ways.some(function (way) { return contains(tool.routes_around, way); });
  }

  /** The sentence that says why a need is blocked or strained. */
  function gateWords(gates, need, setting, state) {
    var gate = gates[need];
    return gate.any_of ? gate[state] : gate[state][setting[gate.setting]];
  }

  function checkScores(data, tool, profile) {
    var spec = data.spec, scales = data.scales, constraints = profile.constraints;
    function steps(scale, need, have) {
      if (have === null || have === undefined) return 1;
      return shortfall(spec, scales[scale].indexOf(need) - scales[scale].indexOf(have));
    }
    var available = constraints.actors_available;
    var actors = 1;
    if (available !== null && available !== undefined) {
      actors = 0;
      for (var i = 0; i < tool.actors.length; i++) {
        if (contains(available, tool.actors[i])) { actors = 1; break; }
      }
    }
    return {
      leverage: steps("leverage", tool.leverage_needed, effectiveLeverage(data, constraints)),
      time: tool.start === "at-once" ? 1 : steps("time_to_effect", tool.time_to_effect, constraints.time_horizon),
      budget: steps("cost", tool.cost, constraints.budget),
      actors: actors
    };
  }

  /** The weighted checks, scaled down by strained_score when the setting only partly meets a need of the tool. */
  function feasibilityFraction(data, tool, profile) {
    var spec = data.spec, checks = checkScores(data, tool, profile), fraction = 0;
    for (var i = 0; i < FEASIBILITY_CHECKS.length; i++) {
      var check = FEASIBILITY_CHECKS[i];
      fraction = fraction + spec.feasibility.checks[check] * checks[check];
    }
    if (needStates(data, tool, profile).some(function (item) { return item[1] === "strained"; })) {
      fraction = fraction * spec.gates.strained_score;
    }
    return fraction;
  }

  // --- the case base ----------------------------------------------------------------------------------------

  function sharedShare(a, b) {
    if (!a.length || !b.length) return null;
    var either = a.slice(), shared = 0, i;
    for (i = 0; i < b.length; i++) if (!contains(either, b[i])) either.push(b[i]);
    for (i = 0; i < a.length; i++) if (contains(b, a[i])) shared += 1;
    return shared / either.length;
  }

  function cosine(order, a, b) {
    var dot = 0, normA = 0, normB = 0;
    for (var i = 0; i < order.length; i++) {
      var f = order[i];
      dot += a[f] * b[f]; normA += a[f] * a[f]; normB += b[f] * b[f];
    }
    if (normA === 0 || normB === 0) return null;
    return dot / (Math.sqrt(normA) * Math.sqrt(normB));
  }

  function settingCloseness(scales, a, b) {
    var total = 0, known = 0;
    Object.keys(scales).forEach(function (key) {
      var scale = scales[key];
      if (a[key] === null || a[key] === undefined || b[key] === null || b[key] === undefined) return;
      total = total + (1 - Math.abs(scale.indexOf(a[key]) - scale.indexOf(b[key])) / (scale.length - 1));
      known += 1;
    });
    return known ? total / known : null;
  }

  /** How alike two profiles are, from 0 to 1: the weighted mean of the parts both describe. */
  function similarity(data, a, b) {
    var rules = data.spec.precedent, scales = data.scales, stages = scales.stages;
    var distance = Math.abs(stages.indexOf(a.stage) - stages.indexOf(b.stage));
    var stage = distance === 0 ? rules.stage.same : distance === 1 ? rules.stage.adjacent : rules.stage.other;
    var parts = {
      stage: stage,
      risk_factors: cosine(scales.risk_factors, a.risk_factors, b.risk_factors),
      situations: sharedShare(a.situations, b.situations),
      perpetrator_types: sharedShare(a.perpetrator_types, b.perpetrator_types),
      setting: settingCloseness(scales.setting, a.setting, b.setting)
    };
    var weighted = 0, weights = 0;
    for (var i = 0; i < SIMILARITY_PARTS.length; i++) {
      var value = parts[SIMILARITY_PARTS[i]];
      if (value === null) continue;
      var weight = rules.similarity_weights[SIMILARITY_PARTS[i]];
      weighted = weighted + weight * value;
      weights = weights + weight;
    }
    return weighted / weights;
  }

  /** The most similar past cases that count for this profile, most similar first, ties by case id. */
  function nearestCases(data, profile) {
    var rules = data.spec.precedent;
    var near = (data.cases || []).map(function (c) { return { "case": c, similarity: similarity(data, profile, c.profile) }; })
      .filter(function (n) { return n.similarity >= rules.min_similarity; });
    near.sort(function (a, b) {
      if (a.similarity !== b.similarity) return b.similarity - a.similarity;
      return a["case"].id < b["case"].id ? -1 : a["case"].id > b["case"].id ? 1 : 0;
    });
    return near.slice(0, rules.nearest);
  }

  function precedentFraction(data, toolId, near) {
    var values = data.spec.precedent.outcome_value, weighted = 0, weights = 0;
    for (var i = 0; i < near.length; i++) {
      var outcome = has(near[i]["case"].outcomes, toolId) ? near[i]["case"].outcomes[toolId] : null;
      var value = outcome !== null ? values[outcome] : 0;
      weighted = weighted + near[i].similarity * value;
      weights = weights + near[i].similarity;
    }
    if (weights === 0) return 0.5;
    return (1 + weighted / weights) / 2;
  }

  /** The parts of a tool's score, in points, and their total. */
  function score(data, tool, profile, near) {
    var spec = data.spec, weights = spec.weights;
    var fractions = {
      risk_fit: riskFraction(spec, data.scales.risk_factors, tool, profile),
      stage_fit: stageFraction(spec, data.scales.stages, tool, profile),
      objectives: objectivesFraction(spec, tool, profile),
      perpetrators: perpetratorsFraction(tool, profile),
      channels: channelsFraction(data, tool, profile),
      evidence: evidenceFraction(spec, tool),
      feasibility: feasibilityFraction(data, tool, profile),
      precedent: precedentFraction(data, tool.id, near)
    };
    var parts = {}, total = 0;
    for (var i = 0; i < PARTS.length; i++) parts[PARTS[i]] = weights[PARTS[i]] * fractions[PARTS[i]];
    for (var k = 0; k < PARTS.length; k++) total = total + parts[PARTS[k]];
    return { parts: parts, total: total };
  }

  /** What blocks the tool: each need the setting says is absent, and "channel" when all its known channels are none. */
  function blocks(data, tool, profile) {
    var found = needStates(data, tool, profile).filter(function (item) { return item[1] === "blocked"; })
      .map(function (item) { return item[0]; });
    var held = profile.constraints.channels;
    var known = tool.channels.filter(function (c) { return has(held, c); }).map(function (c) { return held[c]; });
    if (known.length && known.every(function (level) { return level === "none"; })) found.push("channel");
    return found;
  }

  function throughHeldChannel(tool, profile) {
    var held = profile.constraints.channels;
    return tool.channels.some(function (c) { return has(held, c) && (held[c] === "medium" || held[c] === "high"); });
  }

  function compare(a, b) {
    if (a.total !== b.total) return b.total - a.total;
    if (a.parts.evidence !== b.parts.evidence) return b.parts.evidence - a.parts.evidence;
    if (a.parts.risk_fit !== b.parts.risk_fit) return b.parts.risk_fit - a.parts.risk_fit;
    return a.tool.id < b.tool.id ? -1 : a.tool.id > b.tool.id ? 1 : 0;
  }

  /** The rank each tool is shown with, and its tier, for totals in ranked order. */
  function shownRanksAndTiers(spec, totals) {
    var rules = spec.tiers, shown = [], tiers = [], head = 0;
    for (var i = 0; i < totals.length; i++) {
      if (totals[head] - totals[i] >= rules.resolution) head = i;
      shown.push(head + 1);
      var gap = totals[0] - totals[i];
      tiers.push(gap <= rules.strong ? "strong" : gap <= rules.considering ? "considering" : "weak");
    }
    return { shown: shown, tiers: tiers };
  }

  // --- words ------------------------------------------------------------------------------------------------

  function riskReason(data, tool, profile) {
    var labels = data.labels, levels = profile.risk_factors, order = data.scales.risk_factors;
    var present = tool.risk_factors.filter(function (f) { return levels[f] > 0; });
    present.sort(function (a, b) { return (levels[b] - levels[a]) || (order.indexOf(a) - order.indexOf(b)); });
    if (!present.length) return "addresses none of the risk factors present in this profile";
    return "addresses " + present.map(function (f) {
      return f + " " + labels.risk_factors[f] + " (level " + levels[f] + ")";
    }).join("; ");
  }

  function stageReasons(data, tool, profile) {
    var labels = data.labels, found = [];
    var stageLabel = lower(labels.stages[profile.stage]);
    if (contains(tool.stages, profile.stage)) {
      found.push("used at the " + stageLabel + " stage");
    } else {
      var used = data.scales.stages.filter(function (s) { return contains(tool.stages, s); })
        .map(function (s) { return lower(labels.stages[s]); }).join(", ");
      found.push("not a " + stageLabel + "-stage tool: used at the " + used + " stage");
    }
    if (tool.situations.length) {
      var madeFor = tool.situations.map(function (s) { return lower(labels.situations[s]); }).join(" or ");
      found.push("made for " + madeFor + (situationFits(tool, profile.situations) ?
        ", which this profile has" : ", which this profile does not list"));
    }
    return found;
  }

  function objectivesWords(data, tool, profile) {
    var labels = data.labels.strategies, chosen = objectivesOf(data.spec, profile);
    var served = chosen.list.filter(function (o) { return contains(tool.strategies, o); });
    var whose = chosen.isDefault ? "the usual aims at the " + lower(data.labels.stages[profile.stage]) + " stage" : "your objectives";
    function named(list) { return list.map(function (o) { return lower(labels[o]); }).join("; "); }
    if (served.length) return [ "serves " + whose + ": " + named(served), null ];
    return [ null, "serves none of " + whose + " (" + named(chosen.list) + ")" ];
  }

  function perpetratorWords(data, tool, profile) {
    var labels = data.labels.perpetrator_types, present = profile.perpetrator_types;
    if (!present.length) return [ null, null ];
    if (!tool.perpetrator_types.length) return [ "works whoever the perpetrators are", null ];
    function named(list) { return list.map(function (p) { return lower(labels[p]); }).join("; "); }
    var reached = present.filter(function (p) { return contains(tool.perpetrator_types, p); });
    var missed = present.filter(function (p) { return !contains(tool.perpetrator_types, p); });
    return [ reached.length ? "works on " + named(reached) : null,
             missed.length ? "not made for " + named(missed) + ", among the perpetrators here" : null ];
  }

  function channelReason(data, tool, profile) {
    var best = bestChannel(data, tool, profile);
    if (best === null) return null;
    return "runs through " + lower(data.labels.channels[best[0]]) + ", where you hold " +
      lower(data.labels.channel_levels[best[1]]) + " leverage";
  }

  function precedentReason(data, tool, near) {
    if (!near.length) return "no past case in the knowledge base is close enough to this profile to compare";
    var labels = data.labels.outcomes;
    var used = near.filter(function (n) { return has(n["case"].outcomes, tool.id); })
      .slice(0, data.spec.precedent.cases_named);
    if (!used.length) {
      var cases = near.length === 1 ? "the one past case" : "any of the " + near.length + " past cases";
      return "not used in " + cases + " most like this one";
    }
    return "in past cases like this one: " + used.map(function (n) {
      return n["case"].place + (n === near[0] ? " (the closest)" : "") + ": " + lower(labels[n["case"].outcomes[tool.id]]);
    }).join("; ");
  }

  /** Why a tool scores as it does (reasons), and what holds it back (shortfalls). */
  function explainScore(data, tool, profile, near) {
    var labels = data.labels;
    var reasons = [riskReason(data, tool, profile)].concat(stageReasons(data, tool, profile)), shortfalls = [];
    [objectivesWords(data, tool, profile), perpetratorWords(data, tool, profile)].forEach(function (words) {
      if (words[0]) reasons.push(words[0]);
      if (words[1]) shortfalls.push(words[1]);
    });
    var channel = channelReason(data, tool, profile);
    if (channel) reasons.push(channel);
    if (tool.start === "at-once") {
      reasons.push("must start at once, though it takes " + lower(labels.time_to_effect[tool.time_to_effect]) +
        " to have effect: what it works with is lost with delay");
    }
    reasons.push("evidence: " + lower(labels.effects[tool.effect]) + ", " + lower(labels.certainty[tool.certainty]) +
      " certainty (" + tool.direct_studies + " direct, " + tool.related_studies + " related studies)");
    reasons.push(precedentReason(data, tool, near));
    var c = profile.constraints, checks = checkScores(data, tool, profile);
    if (checks.leverage < 1) {
      shortfalls.push("needs " + lower(labels.leverage[tool.leverage_needed]) + " leverage; you have " +
        lower(labels.leverage[effectiveLeverage(data, c)]));
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
    var gates = data.spec.gates.needs;
    needStates(data, tool, profile).forEach(function (item) {
      if (item[1] === "strained") shortfalls.push(gateWords(gates, item[0], profile.setting, "strained"));
    });
    return { reasons: reasons, shortfalls: shortfalls };
  }

  /** Why the setting rules the tool out, one sentence for each need it lacks. */
  function blockReasons(data, tool, profile, blockedBy) {
    var gates = data.spec.gates.needs;
    return blockedBy.map(function (need) {
      if (need === "channel") {
        return "runs through " + tool.channels.map(function (c) { return lower(data.labels.channels[c]); }).join(" or ") +
          ", and you hold no leverage there";
      }
      return gateWords(gates, need, profile.setting, "blocked");
    });
  }

  /** The tool's backfire risks that apply to this profile's stage and risk factors. */
  function cautions(data, tool, profile) {
    var minimum = data.spec.cautions.min_level, levels = profile.risk_factors;
    return tool.risks.filter(function (r) {
      var stageOk = !r.stages.length || contains(r.stages, profile.stage);
      var factorOk = !r.risk_factors.length || r.risk_factors.some(function (f) { return levels[f] >= minimum; });
      return stageOk && factorOk;
    }).map(function (r) { return { risk: r.risk, mitigation: r.mitigation }; });
  }

  /**
   * Score and rank every tool for a profile. Excluded tools are listed apart, and tools the setting blocks are
   * listed apart with their reasons and the best-ranked tools that route around them. Reasons, shortfalls and
   * cautions are written for the first `words` results only (all when it is left out): a page shows a few
   * tools, and writing words for thousands would cost more than the scoring.
   */
  function recommend(data, profile, words) {
    var excluded = profile.constraints.exclude || [];
    var near = nearestCases(data, profile);
    var ranked = [], blocked = [], left = [];
    data.tools.forEach(function (tool) {
      if (contains(excluded, tool.id)) { left.push(tool); return; }
      var found = blocks(data, tool, profile);
      if (found.length) { blocked.push({ tool: tool, blocked_by: found }); return; }
      var s = score(data, tool, profile, near);
      ranked.push({ tool: tool, parts: s.parts, total: s.total });
    });
    ranked.sort(compare);
    var grouped = shownRanksAndTiers(data.spec, ranked.map(function (item) { return item.total; }));
    var described = words === undefined ? ranked.length : Math.min(words, ranked.length);
    ranked.forEach(function (item, index) {
      item.rank = index + 1;
      item.shown_rank = grouped.shown[index];
      item.tier = grouped.tiers[index];
      item.tied = (index > 0 && grouped.shown[index - 1] === item.shown_rank) ||
        (index + 1 < ranked.length && grouped.shown[index + 1] === item.shown_rank);
      if (index >= described) return;
      var explained = explainScore(data, item.tool, profile, near);
      item.reasons = explained.reasons;
      item.shortfalls = explained.shortfalls;
      item.cautions = cautions(data, item.tool, profile);
    });
    var most = data.spec.gates.alternatives;
    blocked.forEach(function (item) {
      var alternatives = [];
      for (var i = 0; i < ranked.length && alternatives.length < most; i++) {
        var other = ranked[i].tool;
        var routes = item.blocked_by.some(function (need) { return routesAround(data.spec.gates.needs, other, need); });
        if (routes || (contains(item.blocked_by, "channel") && throughHeldChannel(other, profile))) alternatives.push(other);
      }
      item.alternatives = alternatives;
      item.reasons = blockReasons(data, item.tool, profile, item.blocked_by);
    });
    return { ranked: ranked, blocked: blocked, excluded: left, near: near };
  }

  // --- profiles and links -----------------------------------------------------------------------------------

  /** A complete profile (every level, every part of the setting, every constraint) from a partial one. */
  function normaliseProfile(data, partial) {
    var levels = {};
    data.scales.risk_factors.forEach(function (f) {
      levels[f] = (partial.risk_factors && partial.risk_factors[f]) || 0;
    });
    var c = partial.constraints || {}, s = partial.setting || {}, setting = {}, channels = {};
    Object.keys(data.scales.setting).forEach(function (key) { setting[key] = s[key] || null; });
    data.scales.channels.forEach(function (channel) {
      if (c.channels && c.channels[channel]) channels[channel] = c.channels[channel];
    });
    return {
      stage: partial.stage,
      risk_factors: levels,
      situations: partial.situations ? partial.situations.slice() : [],
      perpetrator_types: partial.perpetrator_types ? partial.perpetrator_types.slice() : [],
      setting: setting,
      objectives: partial.objectives ? partial.objectives.slice() : [],
      constraints: {
        leverage: c.leverage || null,
        time_horizon: c.time_horizon || null,
        budget: c.budget || null,
        actors_available: c.actors_available ? c.actors_available.slice() : null,
        exclude: c.exclude ? c.exclude.slice() : [],
        channels: channels
      }
    };
  }

  /*
   * The profile in a URL fragment, so a recommendation is a link:
   * #stage=mitigation&rf=01203000000000&sit=election&perp=state-security-forces&council=blocked&consent=refused&
   *  access=denied&comms=blackout&obj=protect&leverage=low&time=weeks&budget=medium&ch-aid=high&actors=embassy&exclude=x
   * rf holds the level of RF01..RF14 as 14 digits. apkb.recommend.fragment.profile_fragment writes the same.
   */
  function toFragment(data, profile) {
    function list(values) { return values.map(encodeURIComponent).join(","); }
    var params = ["stage=" + encodeURIComponent(profile.stage)];
    params.push("rf=" + data.scales.risk_factors.map(function (f) { return String(profile.risk_factors[f] || 0); }).join(""));
    if (profile.situations && profile.situations.length) params.push("sit=" + list(profile.situations));
    if (profile.perpetrator_types && profile.perpetrator_types.length) params.push("perp=" + list(profile.perpetrator_types));
    Object.keys(SETTING_KEYS).forEach(function (part) {
      if (profile.setting && profile.setting[part]) params.push(SETTING_KEYS[part] + "=" + encodeURIComponent(profile.setting[part]));
    });
    if (profile.objectives && profile.objectives.length) params.push("obj=" + list(profile.objectives));
    var c = profile.constraints;
    if (c.leverage) params.push("leverage=" + encodeURIComponent(c.leverage));
    if (c.time_horizon) params.push("time=" + encodeURIComponent(c.time_horizon));
    if (c.budget) params.push("budget=" + encodeURIComponent(c.budget));
    Object.keys(c.channels || {}).forEach(function (channel) {
      params.push(CHANNEL_KEY + channel + "=" + encodeURIComponent(c.channels[channel]));
    });
    if (c.actors_available) params.push("actors=" + list(c.actors_available));
    if (c.exclude && c.exclude.length) params.push("exclude=" + list(c.exclude));
    return params.join("&");
  }

  /*
   * Reading a fragment. The fragment is whatever the address bar holds: anyone can send a link, so it is read
   * as untrusted input. Only the keys below are read; a key given twice is ambiguous and read as absent; a
   * fragment longer than any this page writes is not read at all; a value that does not decode (%E0%A4%A) is
   * dropped; and every value must be one the data offers, or it is left at its default. Keys are matched as
   * they are written, never decoded. Nothing read here is ever written into the page as markup.
   */
  var BASE_KEYS = ["stage", "rf", "sit", "perp", "council", "consent", "access", "comms", "obj", "leverage", "time",
                   "budget", "actors", "exclude", "top"];
  /** No fragment longer than this is read, whatever the data; see maxFragmentLength. */
  var MIN_FRAGMENT_CAP = 2000;

  function fragmentKeys(data) {
    return BASE_KEYS.concat(data.scales.channels.map(function (channel) { return CHANNEL_KEY + channel; }));
  }

  function longest(values) {
    return values.reduce(function (most, value) { return Math.max(most, encodeURIComponent(value).length); }, 0);
  }

  /** The longest fragment the page can write for this data, or 2,000 characters if that is more: the cap. */
  function maxFragmentLength(data) {
    var s = data.scales, length = 0;
    fragmentKeys(data).forEach(function (key) { length += key.length + 2; });
    var scales = [s.stages, s.leverage, s.time_to_effect, s.cost, ["all"]];
    Object.keys(s.setting).forEach(function (key) { scales.push(s.setting[key]); });
    s.channels.forEach(function () { scales.push(s.channel_levels); });
    scales.forEach(function (scale) { length += longest(scale); });
    length += s.risk_factors.length;
    var lists = [s.situations, s.perpetrator_types, s.strategies, Object.keys(data.labels.actors)];
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
    var values = Object.create(null), seen = Object.create(null), keys = fragmentKeys(data);
    var text = typeof fragment === "string" ? fragment : "";
    if (text.charAt(0) === "#") text = text.slice(1);
    if (!text || text.length > maxFragmentLength(data)) return values;
    text.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at < 0) return;
      var key = pair.slice(0, at);
      if (!contains(keys, key)) return;
      seen[key] = (seen[key] || 0) + 1;
      try { values[key] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { delete values[key]; }
    });
    Object.keys(seen).forEach(function (key) { if (seen[key] > 1) delete values[key]; });
    return values;
  }

  /**
   * What a fragment asked for that fromFragment could not use, in words a reader can act on: a damaged or
   * partial link must not change the answer silently. Empty when every part of the fragment was used. The
   * words name keys and values only as plain text; the page shows them with textContent, never as markup.
   */
  function fragmentProblems(data, fragment) {
    var s = data.scales, problems = [], keys = fragmentKeys(data);
    var text = typeof fragment === "string" ? fragment : "";
    if (text.charAt(0) === "#") text = text.slice(1);
    if (!text) return problems;
    if (text.length > maxFragmentLength(data)) return ["the link is longer than any this page writes, so none of it was read"];
    var raw = Object.create(null), count = Object.create(null);
    text.split("&").forEach(function (pair) {
      if (!pair) return;
      var at = pair.indexOf("=");
      var key = at < 0 ? pair : pair.slice(0, at);
      if (!contains(keys, key)) { problems.push("'" + short(key) + "' is not something this page reads"); return; }
      count[key] = (count[key] || 0) + 1;
      if (at < 0) { problems.push("'" + key + "' has no value"); return; }
      try { raw[key] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { problems.push("the value of '" + key + "' is damaged"); }
    });
    Object.keys(count).forEach(function (key) {
      if (count[key] > 1) { problems.push("'" + key + "' is given " + count[key] + " times, so it was ignored"); delete raw[key]; }
    });
    function one(key, allowed, what) {
      if (raw[key] !== undefined && !contains(allowed, raw[key])) {
        problems.push(what + " '" + short(raw[key]) + "' is not one this page knows, so it was left unset");
      }
    }
    function list(key, allowed, what) {
      if (raw[key] === undefined || raw[key] === "") return;
      var unknown = raw[key].split(",").filter(function (v) { return !contains(allowed, v); });
      if (unknown.length) problems.push(what + " not known, so ignored: " + unknown.map(short).join(", "));
    }
    if (raw.stage !== undefined && !contains(s.stages, raw.stage)) {
      problems.push("the stage '" + short(raw.stage) + "' is not one this page knows, so " + s.stages[0] + " was used");
    }
    if (raw.rf !== undefined && !(raw.rf.length === s.risk_factors.length && /^[0-3]+$/.test(raw.rf))) {
      problems.push("the risk-factor levels ('" + short(raw.rf) + "') need one digit 0-3 for each of the " +
        s.risk_factors.length + " factors, so every factor was left at 0");
    }
    Object.keys(SETTING_KEYS).forEach(function (part) { one(SETTING_KEYS[part], s.setting[part], part.replace("_", " ")); });
    s.channels.forEach(function (channel) { one(CHANNEL_KEY + channel, s.channel_levels, "the " + channel + " leverage"); });
    one("leverage", s.leverage, "the leverage");
    one("time", s.time_to_effect, "the time horizon");
    one("budget", s.cost, "the budget");
    list("sit", s.situations, "situations");
    list("perp", s.perpetrator_types, "perpetrators");
    list("obj", s.strategies, "objectives");
    list("actors", Object.keys(data.labels.actors), "actors");
    list("exclude", data.tools.map(function (t) { return t.id; }), "tools to leave out");
    return problems;
  }

  /**
   * A value from the link, as the notice may show it: short words, digits and hyphens only. Anything else is not
   * echoed, so that a crafted link cannot make the page display text of its author's choosing.
   */
  function short(text) {
    text = String(text);
    return /^[A-Za-z0-9 _.,-]{1,32}$/.test(text) ? text : "(a value not shown)";
  }

  /**
   * The profile a fragment describes, complete. Each value must be one the data offers, or its default is
   * used: the first stage; level 0 for every factor unless rf is exactly one digit 0-3 per factor; nothing else
   * set. In a list, unknown and repeated items are dropped, and a list none of whose items is known counts as
   * absent (so "actors=nonsense" leaves every actor available, where "actors=" says none is).
   */
  function fromFragment(data, fragment) {
    var values = fragmentValues(data, fragment), s = data.scales;
    function oneOf(value, allowed) { return value !== undefined && contains(allowed, value) ? value : null; }
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
    var rf = values.rf, count = s.risk_factors.length;
    var digits = rf !== undefined && rf.length === count && /^[0-3]+$/.test(rf) ? rf : null;
    s.risk_factors.forEach(function (f, i) { levels[f] = digits ? Number(digits.charAt(i)) : 0; });
    var setting = {}, channels = {};
    Object.keys(SETTING_KEYS).forEach(function (part) { setting[part] = oneOf(values[SETTING_KEYS[part]], s.setting[part]); });
    s.channels.forEach(function (channel) {
      var level = oneOf(values[CHANNEL_KEY + channel], s.channel_levels);
      if (level !== null) channels[channel] = level;
    });
    return {
      stage: oneOf(values.stage, s.stages) || s.stages[0],
      risk_factors: levels,
      situations: listOf(values.sit, s.situations) || [],
      perpetrator_types: listOf(values.perp, s.perpetrator_types) || [],
      setting: setting,
      objectives: listOf(values.obj, s.strategies) || [],
      constraints: {
        leverage: oneOf(values.leverage, s.leverage),
        time_horizon: oneOf(values.time, s.time_to_effect),
        budget: oneOf(values.budget, s.cost),
        actors_available: listOf(values.actors, Object.keys(data.labels.actors)),
        exclude: listOf(values.exclude, data.tools.map(function (t) { return t.id; })) || [],
        channels: channels
      }
    };
  }

  var api = {
    PARTS: PARTS,
    SETTING_KEYS: SETTING_KEYS,
    CHANNEL_KEY: CHANNEL_KEY,
    score: score,
    similarity: similarity,
    recommend: recommend,
    normaliseProfile: normaliseProfile,
    objectivesOf: objectivesOf,
    toFragment: toFragment,
    fromFragment: fromFragment,
    fragmentValues: fragmentValues,
    fragmentProblems: fragmentProblems,
    maxFragmentLength: maxFragmentLength
  };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.APKBRecommender = api;
})(this);
