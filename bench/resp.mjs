// 2. RESP throughput: redis-benchmark -c 50 against keycast's Redis port and against a real
// redis-server started here, at -P 1 and -P 64: requests/s per test and the ratio.

import { startTarget } from "./lib/targets.mjs";
import { hasRedisBenchmark, redisBenchmark, startRedis } from "./lib/redis.mjs";
import { median, spread } from "./lib/stats.mjs";
import { figure } from "./lib/results.mjs";

const FULL_TESTS = "set,get,incr,lpush,lpop,sadd,hset,lrange_100";

export async function run(ctx) {
  if (!hasRedisBenchmark()) {
    ctx.skip("resp: redis-benchmark is not installed (apt-get install redis-tools): section skipped");
    return;
  }
  const tests = ctx.quick ? "set,get" : FULL_TESTS;
  const reps = ctx.quick ? 1 : 3;
  // -n 200000 as issue 7 says at -P 1; at -P 64 Redis would finish that in a tenth of a
  // second, too short to measure, so ten times more requests.
  const requests = ctx.quick ? { 1: 20_000, 64: 200_000 } : { 1: 200_000, 64: 2_000_000 };

  const kc = await startTarget("keycast", { profile: ctx.profile, label: "resp" });
  const { server: redis, reason } = await startRedis();
  try {
    if (kc.respPort === null) ctx.skip("resp: keycast did not report a respPort (its RESP listener is missing): keycast side skipped");
    if (!redis) ctx.skip(`resp: the redis-server anchor is skipped: ${reason}`);
    // Warm keycast's JIT first (Redis has none to warm): a short run that is not recorded.
    if (kc.respPort !== null) await redisBenchmark(kc.respPort, ["-c", "50", "-n", ctx.quick ? "10000" : "100000", "-P", "16", "-t", tests], 120_000);
    for (const pipeline of [1, 64]) {
      const runs = { keycast: [], redis: [] };
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 ? ["redis", "keycast"] : ["keycast", "redis"];
        for (const who of order) {
          const port = who === "keycast" ? kc.respPort : redis?.port;
          if (port === null || port === undefined) continue;
          runs[who].push(await redisBenchmark(port, ["-c", "50", "-n", String(requests[pipeline]), "-P", String(pipeline), "-t", tests], 300_000));
        }
      }
      for (const test of tests.split(",")) {
        const k = runs.keycast.map((r) => r[test]?.rps ?? NaN);
        const r = runs.redis.map((x) => x[test]?.rps ?? NaN);
        const isTarget = test === "set" || test === "get";
        ctx.add(
          figure({
            name: `resp.p${pipeline}.${test}.rps`,
            value: k.length ? median(k) : null,
            unit: "req/s",
            anchor: redis ? `${redis.version} via redis-benchmark` : "redis-server (not available)",
            anchorValue: r.length ? median(r) : null,
            reps,
            spread: spread(k),
            target: isTarget ? { ratioAtLeast: pipeline === 1 ? 0.6 : 0.4 } : null,
            detail: `redis-benchmark -c 50 -n ${requests[pipeline]} -P ${pipeline} -t ${test}`,
          }),
        );
      }
    }
  } finally {
    await kc.stop();
    await redis?.stop();
  }
}
