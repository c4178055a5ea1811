// Runs the browser engine (src/apkb/site/static/recommender.js) under node for the parity tests.
// Reads {"data": ..., "profiles": [...]} as JSON on stdin; writes one result per profile as JSON on stdout.
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
        id: item.tool.id, total: item.total, parts: item.parts, reasons: item.reasons,
        shortfalls: item.shortfalls, cautions: item.cautions,
      })),
      excluded: outcome.excluded.map((tool) => tool.id),
      fragment: engine.toFragment(data, engine.normaliseProfile(data, profile)),
    };
  });
  const parsed = (fragments || []).map((fragment) => engine.fromFragment(data, fragment));
  process.stdout.write(JSON.stringify({ results, parsed }));
});
