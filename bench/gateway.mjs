// Gateway mode: WebSocket batch throughput through 1 and 2 keycast gateways (each in its own
// process) over one redis-server, with the same load generator and workload as the ws
// section (SET/GET on 10,000 random keys, 50 connections, one batch in flight each). With 2
// gateways the connections are split between them (a load generator each) and the rates
// summed. Anchors: standalone keycast (same machine, same run) and redis-server itself
// through redis-benchmark at the same pipeline depth.

import { fileURLToPath } from "node:url";
import { Child } from "./lib/procs.mjs";
import { startTarget } from "./lib/targets.mjs";
import { redisBenchmark, startRedis } from "./lib/redis.mjs";
import { latencySummary, median, spread } from "./lib/stats.mjs";
import { figure } from "./lib/results.mjs";

const LOADGEN = fileURLToPath(new URL("./lib/loadgen-proc.mjs", import.meta.url));
const GATEWAY = fileURLToPath(new URL("./lib/gateway-proc.mjs", import.meta.url));
const CONNS = 50;
const KEYS = 10_000;
const VALUE16 = "0123456789abcdef";

async function startGateway(backend, n) {
  const child = new Child(GATEWAY, { args: [backend], name: `gateway ${n}` });
  const info = await child.request("info", {}, 30_000);
  return { port: info.port, stop: () => child.stop() };
}

/** One timed run: the connections split evenly over the ports, one load generator per port. */
async function measure(loadgens, ports, batch, warmupMs, durationMs) {
  const results = await Promise.all(
    ports.map((port, i) =>
      loadgens[i].request("run", { port, conns: CONNS / ports.length, workload: "setget", batch, keys: KEYS, warmupMs, durationMs, seed: i + 1 }, 120_000),
    ),
  );
  const rate = results.reduce((s, r) => s + r.cmds / r.seconds, 0);
  const rtts = latencySummary(Float64Array.from(results.flatMap((r) => Array.from(r.rtts))));
  return { rate, rtts };
}

async function redisRate(port, batch, quick) {
  const n = Math.max(CONNS * batch * 2, quick ? 100_000 : 500_000);
  const rates = [];
  for (const cmd of [
    ["SET", "k:__rand_int__", VALUE16],
    ["GET", "k:__rand_int__"],
  ]) {
    const r = await redisBenchmark(port, ["-c", String(CONNS), "-n", String(n), "-P", String(batch), "-r", String(KEYS), ...cmd]);
    rates.push(Object.values(r)[0].rps);
  }
  return rates.length / rates.reduce((s, r) => s + 1 / r, 0);
}

export async function run(ctx) {
  const { server: redis, reason } = await startRedis();
  if (!redis) {
    ctx.skip(`gateway: needs redis-server as the backend: ${reason}`);
    return;
  }
  const sizes = ctx.quick ? [16, 128] : [1, 16, 128];
  const reps = ctx.quick ? 1 : 3;
  const warmupMs = ctx.quick ? 200 : 1000;
  const durationMs = ctx.quick ? 500 : 3000;
  const backend = `redis://127.0.0.1:${redis.port}`;
  const g1 = await startGateway(backend, 1);
  const g2 = await startGateway(backend, 2);
  const kc = await startTarget("keycast", { label: "gateway-anchor" });
  const loadgens = [new Child(LOADGEN, { name: "ws load generator 1" }), new Child(LOADGEN, { name: "ws load generator 2" })];
  try {
    for (const batch of sizes) {
      const one = [];
      const two = [];
      const alone = [];
      const redisRuns = [];
      const rtt1 = [];
      const rttAlone = [];
      for (let rep = 0; rep < reps; rep++) {
        const a = await measure(loadgens, [g1.port], batch, warmupMs, durationMs);
        one.push(a.rate);
        rtt1.push(a.rtts);
        two.push((await measure(loadgens, [g1.port, g2.port], batch, warmupMs, durationMs)).rate);
        const s = await measure(loadgens, [kc.port], batch, warmupMs, durationMs);
        alone.push(s.rate);
        rttAlone.push(s.rtts);
        redisRuns.push(await redisRate(redis.port, batch, ctx.quick));
      }
      await redis.conn.call(["FLUSHALL"]);
      const detail = `${CONNS} connections, SET/GET batches of ${batch}, ${durationMs / 1000} s per run, one redis-server backend`;
      const redisAnchor = `${redis.version} via redis-benchmark -P ${batch}`;
      ctx.add(figure({ name: `gateway.1gw.batch${batch}.cmds_per_s`, value: median(one), unit: "cmd/s", anchor: "standalone keycast", anchorValue: median(alone), reps, spread: spread(one), detail }));
      ctx.add(figure({ name: `gateway.1gw.batch${batch}.cmds_per_s_vs_redis`, value: median(one), unit: "cmd/s", anchor: redisAnchor, anchorValue: median(redisRuns), reps, spread: spread(redisRuns), detail }));
      ctx.add(figure({ name: `gateway.2gw.batch${batch}.cmds_per_s`, value: median(two), unit: "cmd/s", anchor: "1 gateway", anchorValue: median(one), reps, spread: spread(two), detail }));
      for (const q of ["p50", "p99"]) {
        const rtts = rtt1.map((s) => s[q]);
        ctx.add(
          figure({
            name: `gateway.1gw.batch${batch}.rtt_${q}_ms`,
            value: median(rtts),
            unit: "ms",
            anchor: "standalone keycast",
            anchorValue: median(rttAlone.map((s) => s[q])),
            reps,
            spread: spread(rtts),
            detail,
          }),
        );
      }
    }
  } finally {
    await Promise.all(loadgens.map((l) => l.stop()));
    await g1.stop();
    await g2.stop();
    await kc.stop();
    await redis.stop();
  }
}
