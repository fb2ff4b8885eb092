#!/usr/bin/env node
// Summarizes a V8 CPU profile (from `npm run bench -- --profile`, or node --cpu-prof): the
// functions with the most self time, and the share of time under each keycast source file.
//
//   node bench/profile-summary.mjs bench/results/profiles/<file>.cpuprofile [top=25]

import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/profile-summary.mjs <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas.
const self = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const where = (cf) => {
  const url = cf.url.replace(/^file:\/\//, "").replace(/.*\/(dist|node_modules|bench)\//, "$1/");
  return url ? `${url}:${cf.lineNumber + 1}` : "";
};
const fns = new Map();
const files = new Map();
for (const [id, t] of self) {
  const cf = byId.get(id).callFrame;
  const key = `${cf.functionName || "(anonymous)"} ${where(cf)}`;
  fns.set(key, (fns.get(key) ?? 0) + t);
  // Inclusive time per file: charge each distinct file on the stack once.
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const u = byId.get(n).callFrame.url.replace(/.*\/(dist|node_modules)\//, "$1/");
    if (u && !seen.has(u)) {
      seen.add(u);
      files.set(u, (files.get(u) ?? 0) + t);
    }
  }
}
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled`);
console.log("\nself time by function:");
for (const [k, t] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
console.log("\ninclusive time by file:");
for (const [k, t] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(t)}  ${k}`);
