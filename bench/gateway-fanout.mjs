// Gateway mode, fan-out: 1,000 and 10,000 WebSocket watchers of one key, spread evenly over 2
// keycast gateways (each in its own process) in front of one redis-server; a back end SETs the
// key straight on Redis (RESP). Each change travels Redis → keyspace notification → the
// leader → the shared stream → both gateways' readers → their watchers. Measures delivery
// latency at a fixed SET rate and deliveries per second in bursts. Anchor: standalone keycast
// with the same watchers on one process, written to over WebSocket (same machine, same run).
// (Writes through a gateway are bench/gateway.mjs's subject: one WebSocket connection's frames
// wait for the backend one after the other, which would bound a burst here.)

import { fileURLToPath } from "node:url";
import { Child } from "./lib/procs.mjs";
import { startTarget } from "./lib/targets.mjs";
import { startRedis } from "./lib/redis.mjs";
import { WatchHarness } from "./lib/watch-harness.mjs";
import { clientFrame } from "./lib/wsraw.mjs";
import { pack } from "./lib/kc.mjs";
import { hrms, latencySummary, median, spread } from "./lib/stats.mjs";
import { figure } from "./lib/results.mjs";

const GATEWAY = fileURLToPath(new URL("./lib/gateway-proc.mjs", import.meta.url));
const KEY = "fan";

function plan(quick) {
  if (quick) return { counts: [1000], fixed: { 1000: { rate: 20, seconds: 1 } }, burst: { 1000: 50 }, burstReps: 1 };
  return {
    counts: [1000, 10000],
    fixed: { 1000: { rate: 20, seconds: 5 }, 10000: { rate: 5, seconds: 5 } },
    burst: { 1000: 200, 10000: 20 },
    burstReps: 3,
  };
}

async function startGateway(backend, n) {
  const child = new Child(GATEWAY, { args: [backend], name: `gateway ${n}` });
  const info = await child.request("info", {}, 30_000);
  return { port: info.port, stop: () => child.stop() };
}

/** Like WatchHarness.attach, with receiver process i watching through ports[i % ports.length]. */
async function attachSpread(h, ports, count, watchOptions, writer) {
  const t0 = hrms();
  const share = Math.ceil(count / h.receivers.length);
  const watchFrame = clientFrame(pack([4, 1, 1, KEY, watchOptions]));
  await Promise.all(
    h.receivers.map((r, i) => {
      const n = Math.min(share, count - i * share);
      return n > 0 ? r.request("connect", { kind: "ws", port: ports[i % ports.length], watchFrame, count: n }, 180_000) : null;
    }),
  );
  await h.writer.request("connect", writer);
  h.watchers = count;
  return (hrms() - t0) / 1000;
}

export async function run(ctx) {
  const { server: redis, reason } = await startRedis();
  if (!redis) {
    ctx.skip(`gateway-fanout: needs redis-server as the backend: ${reason}`);
    return;
  }
  const p = plan(ctx.quick);
  const backend = `redis://127.0.0.1:${redis.port}`;
  const g1 = await startGateway(backend, 1);
  const g2 = await startGateway(backend, 2);
  const kc = await startTarget("keycast", { label: "gateway-fanout-anchor" });
  // At least two receiver processes, one per gateway.
  const h = new WatchHarness(Math.max(10_000, ...p.counts));
  try {
    for (const W of p.counts) {
      const results = {};
      for (const [name, ports, writer] of [
        ["gateways", [g1.port, g2.port], { kind: "resp", port: redis.port }],
        ["standalone", [kc.port], { kind: "ws", port: kc.port }],
      ]) {
        const took = await attachSpread(h, ports, W, { value: "delta" }, writer);
        ctx.log(`${W} watchers on ${name === "gateways" ? "2 gateways" : "standalone keycast"}: connected in ${took.toFixed(1)} s`);
        const { rate, seconds } = p.fixed[W];
        const fixed = await h.phase({ op: "set", key: KEY, count: Math.round(rate * seconds), rate, drainMs: 5000 });
        if (fixed.missing) ctx.log(`  ${name}: ${fixed.missing} of ${fixed.expected} deliveries missing at ${rate} SET/s`);
        const bursts = [];
        for (let rep = 0; rep < p.burstReps; rep++) {
          const b = await h.phase({ op: "set", key: KEY, count: p.burst[W], burst: true, drainMs: 60_000 });
          if (b.missing) ctx.log(`  ${name}: ${b.missing} of ${b.expected} deliveries missing in a burst`);
          bursts.push(b.delivered / ((b.lastArrival - b.firstSend) / 1000));
        }
        await h.detach();
        results[name] = { fixed: latencySummary(fixed.lat), bursts, rate, missing: fixed.missing };
      }
      const g = results.gateways;
      const s = results.standalone;
      const detail = `${W} watchers over 2 gateways on one redis-server, SET on Redis at ${g.rate}/s for ${p.fixed[W].seconds} s, value "delta"`;
      for (const q of ["p50", "p99", "max"]) {
        ctx.add(figure({ name: `gateway.fanout.${W}.${q}_ms`, value: g.fixed[q], unit: "ms", anchor: "standalone keycast", anchorValue: s.fixed[q], detail }));
      }
      ctx.add(
        figure({
          name: `gateway.fanout.${W}.deliveries_per_s`,
          value: median(g.bursts),
          unit: "events/s",
          anchor: "standalone keycast",
          anchorValue: median(s.bursts),
          reps: p.burstReps,
          spread: spread(g.bursts),
          detail: `${W} watchers over 2 gateways, bursts of ${p.burst[W]} SETs on Redis`,
        }),
      );
    }
  } finally {
    await h.stop();
    await g1.stop();
    await g2.stop();
    await kc.stop();
    await redis.stop();
  }
}
