// 3. Fan-out: 1,000 and 10,000 WebSocket watchers of one key, in load-generator processes;
// SETs at a fixed rate: delivery latency from the write to its receipt at every watcher, and
// deliveries per second in a burst; at 10,000 watchers also the highest SET rate whose p99
// stays under 100 ms. Anchors: the raw ceiling (an event framed once, written to every socket)
// and Redis keyspace notifications to as many RESP subscribers.

import { startTarget } from "./lib/targets.mjs";
import { startRedis } from "./lib/redis.mjs";
import { searchRate, WatchHarness } from "./lib/watch-harness.mjs";
import { latencySummary, median, spread } from "./lib/stats.mjs";
import { figure } from "./lib/results.mjs";

const KEY = "fan";
const P99_LIMIT_MS = 100;

function plan(quick) {
  if (quick) return { counts: [1000], fixed: { 1000: { rate: 20, seconds: 1 } }, burst: { 1000: 50 }, burstReps: 1, search: [] };
  return {
    counts: [1000, 10000],
    fixed: { 1000: { rate: 20, seconds: 5 }, 10000: { rate: 5, seconds: 5 } },
    burst: { 1000: 200, 10000: 20 },
    burstReps: 3,
    search: [10000],
  };
}

export async function run(ctx) {
  const p = plan(ctx.quick);
  const kc = await startTarget("keycast", { profile: ctx.profile, label: "fanout" });
  const raw = await startTarget("raw");
  const { server: redis, reason } = await startRedis();
  if (redis) await redis.conn.call(["CONFIG", "SET", "notify-keyspace-events", "K$"]);
  else ctx.skip(`fanout: the Redis keyspace-notification anchor is skipped: ${reason}`);
  const targets = [
    { kind: "keycast", port: kc.port, label: "keycast" },
    { kind: "raw", port: raw.port, label: "raw" },
    ...(redis ? [{ kind: "redis", port: redis.port, label: redis.version }] : []),
  ];
  const h = new WatchHarness(Math.max(...p.counts));
  try {
    for (const W of p.counts) {
      const results = {};
      for (const t of targets) {
        const took = await h.attach(t, W, KEY, { value: "delta" });
        ctx.log(`${W} watchers on ${t.label}: connected in ${took.toFixed(1)} s`);
        const { rate, seconds } = p.fixed[W];
        const fixed = await h.phase({ op: "set", key: KEY, count: Math.round(rate * seconds), rate, drainMs: 5000 });
        if (fixed.missing) ctx.log(`  ${t.label}: ${fixed.missing} of ${fixed.expected} deliveries missing at ${rate} SET/s`);
        const bursts = [];
        for (let rep = 0; rep < p.burstReps; rep++) {
          const b = await h.phase({ op: "set", key: KEY, count: p.burst[W], burst: true, drainMs: 60_000 });
          if (b.missing) ctx.log(`  ${t.label}: ${b.missing} of ${b.expected} deliveries missing in a burst`);
          bursts.push(b.delivered / ((b.lastArrival - b.firstSend) / 1000));
        }
        let best = null;
        if (p.search.includes(W)) {
          ctx.log(`  highest SET rate with p99 < ${P99_LIMIT_MS} ms on ${t.label}:`);
          best = (await searchRate(h, { op: "set", key: KEY, start: 2, limitMs: P99_LIMIT_MS, log: ctx.log })).rate;
        }
        await h.detach();
        results[t.kind] = { fixed: latencySummary(fixed.lat), bursts, best, rate };
      }

      const k = results.keycast;
      const r = results.raw;
      const rd = results.redis;
      const redisName = redis ? `${redis.version} keyspace notifications` : "redis-server (not available)";
      const detail = `${W} watchers, ${k.rate} SET/s for ${p.fixed[W].seconds} s, value "delta"`;
      for (const q of ["p50", "p99", "max"]) {
        ctx.add(
          figure({
            name: `fanout.${W}.${q}_ms`,
            value: k.fixed[q],
            unit: "ms",
            anchor: redisName,
            anchorValue: rd?.fixed[q] ?? null,
            target: q === "p99" && W === 1000 ? { ratioAtMost: 1 } : null,
            detail,
          }),
        );
      }
      ctx.add(figure({ name: `fanout.${W}.p99_ms_vs_raw`, value: k.fixed.p99, unit: "ms", anchor: "raw ws server", anchorValue: r.fixed.p99, detail }));
      const burstDetail = `${W} watchers, bursts of ${p.burst[W]} SETs`;
      ctx.add(
        figure({
          name: `fanout.${W}.deliveries_per_s`,
          value: median(k.bursts),
          unit: "events/s",
          anchor: "raw ws server (framed once)",
          anchorValue: median(r.bursts),
          reps: p.burstReps,
          spread: spread(k.bursts),
          target: W === 10000 ? { ratioAtLeast: 0.9 } : null,
          detail: burstDetail,
        }),
      );
      ctx.add(
        figure({
          name: `fanout.${W}.deliveries_per_s_vs_redis`,
          value: median(k.bursts),
          unit: "events/s",
          anchor: redisName,
          anchorValue: rd ? median(rd.bursts) : null,
          reps: p.burstReps,
          spread: spread(k.bursts),
          detail: burstDetail,
        }),
      );
      if (k.best !== null) {
        const searchDetail = `${W} watchers, 2 s per step`;
        ctx.add(figure({ name: `fanout.${W}.max_set_rate_p99_100ms`, value: k.best, unit: "SET/s", anchor: "raw ws server", anchorValue: r.best, detail: searchDetail }));
        ctx.add(figure({ name: `fanout.${W}.max_set_rate_p99_100ms_vs_redis`, value: k.best, unit: "SET/s", anchor: redisName, anchorValue: rd?.best ?? null, detail: searchDetail }));
      }
    }
  } finally {
    await h.stop();
    await kc.stop();
    await raw.stop();
    await redis?.stop();
  }
}
