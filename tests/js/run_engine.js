// Runs the browser engine (src/apkb/site/static/recommender.js) under node for the parity tests.
// Reads {"data": ..., "profiles": [...], "fragments": [...]} as JSON on stdin; writes one result per profile, and
// the profile each fragment reads as, as JSON on stdout.
"use strict";
const path = require("path");
const engine = require(path.join(__dirname, "..", "..", "src", "apkb", "site", "static", "recommender.js"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const { data, profiles, fragments } = JSON.parse(input);
  const results = profiles.map((profile) => {
    const outcome = engine.recommend(data, engine.normaliseProfile(data, profile));
    return {
      ranked: outcome.ranked.map((item) => ({
        id: item.tool.id, total: item.total, parts: item.parts, rank: item.rank, shown_rank: item.shown_rank,
        tier: item.tier, tied: item.tied, reasons: item.reasons, shortfalls: item.shortfalls, cautions: item.cautions,
      })),
      blocked: outcome.blocked.map((item) => ({
        id: item.tool.id, blocked_by: item.blocked_by, reasons: item.reasons,
        alternatives: item.alternatives.map((tool) => tool.id),
      })),
      near: outcome.near.map((n) => ({ id: n.case.id, similarity: n.similarity })),
      excluded: outcome.excluded.map((tool) => tool.id),
      fragment: engine.toFragment(data, engine.normaliseProfile(data, profile)),
    };
  });
  const parsed = (fragments || []).map((fragment) => engine.fromFragment(data, fragment));
  process.stdout.write(JSON.stringify({ results, parsed }));
});
