#!/usr/bin/env node
// The benchmark driver: `npm run bench` (full) or `npm run bench -- --quick` (under a minute).
// Runs each section against keycast and its anchors in the same run, prints a table of
// figures and ratios, and writes bench/results/latest.json.
//
//   --quick          small sizes and short runs (what test/bench.test.ts runs)
//   --only=a,b       only these sections (ws, resp, fanout, expiry, feed, memory, gateway,
//                    gateway-fanout); their figures replace the same names in latest.json
//   --profile        run keycast under --cpu-prof; profiles land in bench/results/profiles
//   --out=FILE       write the JSON there instead of bench/results/latest.json

import os from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatTable, markdownTable, writeJson } from "./lib/results.mjs";
import { redisVersion, hasRedisBenchmark } from "./lib/redis.mjs";
import { DIST_SERVER } from "./lib/targets.mjs";

const SECTIONS = {
  ws: () => import("./ws-batch.mjs"),
  resp: () => import("./resp.mjs"),
  fanout: () => import("./fanout.mjs"),
  expiry: () => import("./expiry.mjs"),
  feed: () => import("./feed.mjs"),
  memory: () => import("./memory.mjs"),
  gateway: () => import("./gateway.mjs"),
  "gateway-fanout": () => import("./gateway-fanout.mjs"),
};

function parseArgs(argv) {
  const opts = { quick: false, profile: false, only: null, out: fileURLToPath(new URL("./results/latest.json", import.meta.url)) };
  for (const a of argv) {
    if (a === "--quick") opts.quick = true;
    else if (a === "--profile") opts.profile = true;
    else if (a.startsWith("--only=")) opts.only = a.slice(7).split(",").filter(Boolean);
    else if (a.startsWith("--out=")) opts.out = a.slice(6);
    else if (a === "--help" || a === "-h") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 11).join("\n").replace(/^\/\/ ?/gm, ""));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  for (const s of opts.only ?? []) if (!(s in SECTIONS)) throw new Error(`unknown section '${s}': one of ${Object.keys(SECTIONS).join(", ")}`);
  return opts;
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    node: process.version,
    redis: redisVersion() ?? "not installed",
    load: os.loadavg().map((l) => l.toFixed(2)).join(" "),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(DIST_SERVER)) throw new Error("dist/ is missing: run `npm run build` first (npm run bench does)");
  const m = machine();
  console.log(`keycast bench (${opts.quick ? "quick" : "full"}): ${m.cores} cores, ${m.cpu}, node ${m.node}, ${m.redis}, load average ${m.load}`);
  console.log("Figures are ratios against anchors measured in this run; absolute numbers drift with the machine and its load.");
  if (m.redis === "not installed") console.log("SKIP: redis-server is not installed: every Redis anchor is skipped (apt-get install redis-server).");
  else if (!hasRedisBenchmark()) console.log("SKIP: redis-benchmark is not installed: the redis-benchmark anchors are skipped.");

  const figures = [];
  const failures = [];
  const names = opts.only ?? Object.keys(SECTIONS);
  const started = Date.now();
  for (const name of names) {
    const t0 = Date.now();
    console.log(`\n== ${name} ==`);
    const before = figures.length;
    const ctx = {
      quick: opts.quick,
      profile: opts.profile,
      log: (line) => console.log(`  ${line}`),
      skip: (line) => console.log(`  SKIP: ${line}`),
      add: (f) => {
        figures.push(f);
        console.log(`  ${f.name} = ${f.value} ${f.unit}${f.anchorValue !== null ? ` (anchor ${f.anchorValue}, ratio ${f.ratio})` : ""}`);
      },
    };
    try {
      const mod = await SECTIONS[name]();
      await mod.run(ctx);
    } catch (e) {
      failures.push(name);
      console.log(`  FAILED: ${e instanceof Error ? e.stack : e}`);
    }
    console.log(`  (${name}: ${figures.length - before} figures in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }

  let out = figures;
  if (opts.only && existsSync(opts.out)) {
    const fresh = new Set(figures.map((f) => f.name));
    const old = JSON.parse(readFileSync(opts.out, "utf8")).filter((f) => !fresh.has(f.name));
    out = [...old, ...figures];
  }
  writeJson(opts.out, out);
  const header = `Machine: ${m.cores} cores (${m.cpu}), node ${m.node}, ${m.redis}; load average ${m.load} at the start. Command: node bench/run.mjs ${process.argv.slice(2).join(" ")}`;
  writeFileSync(opts.out.replace(/\.json$/, "") + ".md", `${header}\n\n${markdownTable(out)}\n`);
  console.log(`\n${formatTable(figures)}`);
  console.log(`\n${figures.length} figures in ${((Date.now() - started) / 1000).toFixed(0)} s, written to ${opts.out}; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const missed = figures.filter((f) => f.met === false).map((f) => f.name);
  if (missed.length) console.log(`Targets missed in this run: ${missed.join(", ")}`);
  if (failures.length) {
    console.log(`Sections that failed: ${failures.join(", ")}`);
    process.exitCode = 1;
  }
}


// Exit through process.exit so that the 'exit' hooks stop every child and redis-server started.
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
