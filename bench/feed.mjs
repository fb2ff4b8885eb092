// 5. Feed: LPUSH + LTRIM 0 49 (the recent-messages feed) with 1,000 watchers taking delta
// events: the highest rate of pushes at which every watcher gets both events of each push
// with p99 under 100 ms. Anchors: Redis keyspace notifications to as many subscribers, and
// the raw ceiling server.

import { startTarget } from "./lib/targets.mjs";
import { startRedis } from "./lib/redis.mjs";
import { searchRate, WatchHarness } from "./lib/watch-harness.mjs";
import { wsBatch } from "./lib/kc.mjs";
import { figure } from "./lib/results.mjs";

const KEY = "feed";
const WATCHERS = 1000;
const LIMIT_MS = 100;

export async function run(ctx) {
  const search = ctx.quick ? { start: 10, factor: 4, stepSeconds: 0.5, maxSteps: 3, bisect: false } : { start: 10, factor: 2, stepSeconds: 2, maxSteps: 10 };
  const kc = await startTarget("keycast", { profile: ctx.profile, label: "feed" });
  const raw = await startTarget("raw");
  const { server: redis, reason } = await startRedis();
  if (redis) await redis.conn.call(["CONFIG", "SET", "notify-keyspace-events", "Kl"]);
  else ctx.skip(`feed: the Redis anchor is skipped: ${reason}`);
  const targets = [
    { kind: "keycast", port: kc.port, label: "keycast" },
    { kind: "raw", port: raw.port, label: "raw" },
    ...(redis ? [{ kind: "redis", port: redis.port, label: redis.version }] : []),
  ];
  // A full feed, so that every LTRIM cuts one message as in steady state.
  const prefill = [["LPUSH", KEY, ...Array.from({ length: 50 }, (_, i) => `old ${i}`)]];
  const h = new WatchHarness(WATCHERS);
  const best = {};
  try {
    for (const t of targets) {
      if (t.kind === "redis") await redis.conn.call(prefill[0]);
      else await wsBatch(t.port, prefill);
      const took = await h.attach(t, WATCHERS, KEY, { value: "delta" });
      ctx.log(`${WATCHERS} watchers on ${t.label}: connected in ${took.toFixed(1)} s`);
      // Two events per push (lpush, ltrim); latency is the lpush event's.
      best[t.kind] = await searchRate(h, { op: "feed", key: KEY, perOp: 2, pick: 0, limitMs: LIMIT_MS, log: ctx.log, ...search });
      await h.detach();
    }
  } finally {
    await h.stop();
    await kc.stop();
    await raw.stop();
    await redis?.stop();
  }
  const detail = `${WATCHERS} watchers (value "delta"), LPUSH + LTRIM 0 49 per push, p99 < ${LIMIT_MS} ms and nothing lost`;
  const redisName = redis ? `${redis.version} keyspace notifications` : "redis-server (not available)";
  ctx.add(figure({ name: `feed.${WATCHERS}.max_push_rate`, value: best.keycast.rate, unit: "push/s", anchor: redisName, anchorValue: best.redis?.rate ?? null, detail }));
  ctx.add(figure({ name: `feed.${WATCHERS}.max_push_rate_vs_raw`, value: best.keycast.rate, unit: "push/s", anchor: "raw ws server", anchorValue: best.raw.rate, detail }));
  ctx.add(
    figure({
      name: `feed.${WATCHERS}.deliveries_per_s`,
      value: best.keycast.rate * 2 * WATCHERS,
      unit: "events/s",
      anchor: redisName,
      anchorValue: best.redis ? best.redis.rate * 2 * WATCHERS : null,
      detail: `${detail}; at the highest push rate`,
    }),
  );
}
