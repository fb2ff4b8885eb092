// 1. WebSocket batch throughput: 50 connections, one batch in flight each, batches of 1 to
// 1,024 commands (SET/GET on 10,000 random keys; LPUSH/LRANGE). Anchor A: the raw ceiling
// server in the same run; anchor B: redis-server through redis-benchmark at the same
// pipeline depth.

import { fileURLToPath } from "node:url";
import { Child } from "./lib/procs.mjs";
import { startTarget } from "./lib/targets.mjs";
import { redisBenchmark, startRedis } from "./lib/redis.mjs";
import { wsBatch } from "./lib/kc.mjs";
import { latencySummary, median, spread } from "./lib/stats.mjs";
import { figure } from "./lib/results.mjs";

const LOADGEN = fileURLToPath(new URL("./lib/loadgen-proc.mjs", import.meta.url));
const CONNS = 50;
const KEYS = 10_000;
const VALUE16 = "0123456789abcdef";

/** redis-benchmark commands for each workload: one run per command, as it runs one at a time. */
const REDIS_COMMANDS = {
  setget: [
    ["SET", "k:__rand_int__", VALUE16],
    ["GET", "k:__rand_int__"],
  ],
  list: [
    ["LPUSH", "l:__rand_int__", VALUE16],
    ["LRANGE", "l:__rand_int__", "0", "9"],
  ],
};

/** Requests per redis-benchmark run, sized for about a second or two of Redis at that depth. */
function redisRequests(batch, quick) {
  const full = { 1: 200_000, 16: 1_000_000, 128: 2_000_000, 1024: 3_000_000 };
  const n = full[batch] ?? 1_000_000;
  return Math.max(CONNS * batch * 2, quick ? Math.round(n / 12) : n);
}

async function redisRate(port, workload, batch, quick) {
  const rates = [];
  for (const cmd of REDIS_COMMANDS[workload]) {
    const r = await redisBenchmark(port, ["-c", String(CONNS), "-n", String(redisRequests(batch, quick)), "-P", String(batch), "-r", String(KEYS), ...cmd]);
    rates.push(Object.values(r)[0].rps);
  }
  // Equal numbers of each command: the combined rate is the harmonic mean.
  return rates.length / rates.reduce((s, r) => s + 1 / r, 0);
}

export async function run(ctx) {
  const sizes = ctx.quick ? [1, 128, 1024] : [1, 16, 128, 1024];
  const cells = ctx.quick
    ? [...sizes.map((b) => ["setget", b]), ["list", 128]]
    : [...sizes.map((b) => ["setget", b]), ...sizes.map((b) => ["list", b])];
  const reps = ctx.quick ? 1 : 3;
  const warmupMs = ctx.quick ? 150 : 1000;
  const durationMs = ctx.quick ? 400 : 3000;

  const kc = await startTarget("keycast", { profile: ctx.profile, label: "ws-batch" });
  const raw = await startTarget("raw");
  const { server: redis, reason } = await startRedis();
  if (!redis) ctx.skip(`ws: anchor B (redis-server) skipped: ${reason}`);
  const loadgen = new Child(LOADGEN, { name: "ws load generator" });
  try {
    for (const [workload, batch] of cells) {
      const runs = { keycast: [], raw: [] };
      const rtts = { keycast: [], raw: [] };
      const redisRuns = [];
      for (let rep = 0; rep < reps; rep++) {
        // Alternate the order so that drift on a shared machine does not favour one side.
        for (const t of rep % 2 ? [raw, kc] : [kc, raw]) {
          const r = await loadgen.request("run", { port: t.port, conns: CONNS, workload, batch, keys: KEYS, warmupMs, durationMs }, 120_000);
          runs[t.kind].push(r.cmds / r.seconds);
          rtts[t.kind].push(latencySummary(r.rtts));
        }
        if (redis) redisRuns.push(await redisRate(redis.port, workload, batch, ctx.quick));
      }
      await wsBatch(kc.port, [["FLUSHALL"]]);
      await wsBatch(raw.port, [["FLUSHALL"]]);
      if (redis) await redis.conn.call(["FLUSHALL"]);

      const base = workload === "setget" ? `ws.batch${batch}` : `ws.list.batch${batch}`;
      const what = workload === "setget" ? "SET/GET" : "LPUSH/LRANGE";
      const detail = `${CONNS} connections, ${what} batches of ${batch}, ${durationMs / 1000} s per run`;
      const kcRate = median(runs.keycast);
      const rawRate = median(runs.raw);
      const target = batch >= 128 && workload === "setget" ? { ratioAtLeast: 0.7 } : null;
      ctx.add(figure({ name: `${base}.cmds_per_s`, value: kcRate, unit: "cmd/s", anchor: "raw ws+msgpackr+Map", anchorValue: rawRate, reps, spread: spread(runs.keycast), target, detail }));
      ctx.add(
        figure({
          name: `${base}.cmds_per_s_vs_redis`,
          value: kcRate,
          unit: "cmd/s",
          anchor: redis ? `${redis.version} via redis-benchmark -P ${batch}` : "redis-server (not available)",
          anchorValue: redis ? median(redisRuns) : null,
          reps,
          spread: spread(redisRuns),
          detail,
        }),
      );
      for (const p of ["p50", "p99"]) {
        const k = rtts.keycast.map((s) => s[p]);
        ctx.add(
          figure({
            name: `${base}.rtt_${p}_ms`,
            value: median(k),
            unit: "ms",
            anchor: "raw ws+msgpackr+Map",
            anchorValue: median(rtts.raw.map((s) => s[p])),
            reps,
            spread: spread(k),
            detail,
          }),
        );
      }
    }
  } finally {
    await loadgen.stop();
    await kc.stop();
    await raw.stop();
    await redis?.stop();
  }
}
