// 4. Expiry on time: 1,000,000 keys with deadlines spread over 10 s and one watcher of every
// "expired" event: how late each event arrives after its key's deadline. Anchor: the same
// keys in redis-server, watched through __keyevent@0__:expired (Redis expires by sampling).

import { fileURLToPath } from "node:url";
import { Child } from "./lib/procs.mjs";
import { startTarget } from "./lib/targets.mjs";
import { startRedis } from "./lib/redis.mjs";
import { wsLoad } from "./lib/kc.mjs";
import { pipelineLoad } from "./lib/resp.mjs";
import { latencySummary, sleep } from "./lib/stats.mjs";
import { figure } from "./lib/results.mjs";

const WATCHER = fileURLToPath(new URL("./lib/expiry-watcher-proc.mjs", import.meta.url));
const VALUE16 = "0123456789abcdef";

function plan(quick) {
  // marginMs leaves time to load every key before the first deadline; graceMs is how long
  // after the last deadline the suite waits for late events.
  return quick
    ? { keys: 100_000, windowMs: 2_000, marginMs: 1_500, graceMs: 2_000, label: "100k" }
    : { keys: 1_000_000, windowMs: 10_000, marginMs: 10_000, graceMs: 30_000, label: "1m" };
}

/** Loads the keys, waits for their deadlines and the grace period; returns the lateness summary. */
async function measure(ctx, kind, port, p, load) {
  const watcher = new Child(WATCHER, { name: `expiry watcher (${kind})` });
  try {
    await watcher.request("connect", { kind: kind === "redis" ? "resp" : "ws", port });
    await watcher.request("arm", { keys: p.keys });
    // Warm-up, unrecorded: a freshly started server runs its expiry and event path for the
    // first time when the measured keys fall due, and its first milliseconds (interpreted,
    // not yet optimized code) would be counted as lateness. Keys numbered past p.keys are
    // ignored by the watcher.
    const warm = Math.min(20_000, p.keys / 5);
    const w0 = Date.now() + 300;
    await load((i) => ["SET", `x:${w0 + (i % 500)}:${p.keys + i}`, VALUE16, "PXAT", String(w0 + (i % 500))], warm);
    await sleep(Math.max(0, w0 + 500 - Date.now()) + 300);
    const t0 = Date.now() + p.marginMs;
    const deadline = (i) => t0 + Math.floor((i * p.windowMs) / p.keys);
    const loadStart = Date.now();
    await load((i) => ["SET", `x:${deadline(i)}:${i}`, VALUE16, "PXAT", String(deadline(i))], p.keys);
    const loaded = Date.now();
    ctx.log(`${kind}: ${p.keys} keys loaded in ${loaded - loadStart} ms${loaded > t0 ? `, ${loaded - t0} ms after the first deadline: early keys may look late` : ""}`);
    const end = t0 + p.windowMs + p.graceMs;
    while (Date.now() < end) {
      const { count } = await watcher.request("progress");
      if (count >= p.keys) break;
      await sleep(100);
    }
    const { late, serverLate, missing, duplicates } = await watcher.request("collect", {}, 60_000);
    if (kind === "keycast" && serverLate.length >= 100) {
      // A backlog grows from the first keys to the last; a stall or a late start shifts them all.
      const part = (from, to) => latencySummary(serverLate.subarray(from, to)).p50;
      const n = serverLate.length;
      ctx.log(`keycast: server-side lateness, median of the first 1% of keys ${part(0, Math.ceil(n / 100))} ms, middle ${part(Math.floor(n * 0.495), Math.ceil(n * 0.505))} ms, last 1% ${part(n - Math.ceil(n / 100), n)} ms`);
    }
    if (duplicates) ctx.log(`${kind}: ${duplicates} keys reported expired more than once`);
    if (missing) ctx.log(`${kind}: ${missing} of ${p.keys} keys had no expired event ${p.graceMs / 1000} s after the last deadline (counted as ${p.graceMs / 1000} s late)`);
    // A key never reported is at least this late: count it so, rather than drop it.
    const all = new Float64Array(late.length + missing);
    all.set(late);
    all.fill(p.graceMs, late.length);
    return { ...latencySummary(all), missing, server: latencySummary(serverLate) };
  } finally {
    await watcher.request("close").catch(() => {});
    await watcher.stop();
  }
}

export async function run(ctx) {
  const p = plan(ctx.quick);
  let kcResult;
  const kc = await startTarget("keycast", { profile: ctx.profile, label: "expiry" });
  try {
    kcResult = await measure(ctx, "keycast", kc.port, p, (make, count) => wsLoad(kc.port, count, make, { chunk: 1000, window: 4 }));
  } finally {
    await kc.stop();
  }
  let redisResult = null;
  const { server: redis, reason } = await startRedis();
  if (!redis) ctx.skip(`expiry: the Redis anchor is skipped: ${reason}`);
  else {
    try {
      await redis.conn.call(["CONFIG", "SET", "notify-keyspace-events", "Ex"]);
      redisResult = await measure(ctx, "redis", redis.port, p, (make, count) => pipelineLoad(redis.port, count, make));
    } finally {
      await redis.stop();
    }
  }
  const detail = `${p.keys.toLocaleString("en-US")} keys, deadlines over ${p.windowMs / 1000} s, one watcher of expired events`;
  const anchor = redis ? `${redis.version} __keyevent@0__:expired` : "redis-server (not available)";
  for (const q of ["p50", "p99", "max"]) {
    ctx.add(
      figure({
        name: `expiry.${p.label}.${q}_late_ms`,
        value: kcResult[q],
        unit: "ms",
        anchor,
        anchorValue: redisResult?.[q] ?? null,
        target: q === "p99" ? { below: 5 } : null,
        detail: redisResult?.missing ? `${detail}; Redis missed ${redisResult.missing} within ${p.graceMs / 1000} s` : detail,
      }),
    );
  }
  // When keycast removed each key (the event's own time, ms resolution) rather than when the
  // watcher got it: tells the timer's lateness from the delivery's.
  ctx.add(
    figure({
      name: `expiry.${p.label}.server_p99_late_ms`,
      value: kcResult.server.p99,
      unit: "ms",
      anchor: null,
      detail: `${detail}; event time minus deadline (no anchor: Redis events carry no time)`,
    }),
  );
}
