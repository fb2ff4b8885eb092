// 6. Memory: bytes per key for small string keys (16-byte keys and values) and per element of
// one long list, measured in the server's own process after a full GC (JS heap + external),
// against redis-server's used_memory for the same data and the raw Map server; and memory per
// idle WebSocket connection against the raw ws server.

import { startTarget } from "./lib/targets.mjs";
import { startRedis } from "./lib/redis.mjs";
import { WatchHarness } from "./lib/watch-harness.mjs";
import { wsBatch, wsLoad } from "./lib/kc.mjs";
import { pipelineLoad } from "./lib/resp.mjs";
import { sleep } from "./lib/stats.mjs";
import { figure } from "./lib/results.mjs";

const LIST_CHUNK = 1000;
const live = (m) => m.heapUsed + m.external;
const key16 = (i) => `key:${String(i).padStart(12, "0")}`;
const value16 = (i) => `val:${String(i).padStart(12, "0")}`;
const element16 = (i) => `elt:${String(i).padStart(12, "0")}`;

function listCommand(i, n) {
  const from = i * LIST_CHUNK;
  const cmd = ["LPUSH", "biglist"];
  for (let j = from; j < Math.min(n, from + LIST_CHUNK); j++) cmd.push(element16(j));
  return cmd;
}

/** Per-key and per-element cost in a keycast or raw server process. */
async function dataCost(kind, keys, elements) {
  const t = await startTarget(kind);
  try {
    const m0 = await t.mem();
    await wsLoad(t.port, keys, (i) => ["SET", key16(i), value16(i)]);
    const m1 = await t.mem();
    await wsBatch(t.port, [["FLUSHALL"]]);
    const m2 = await t.mem();
    await wsLoad(t.port, Math.ceil(elements / LIST_CHUNK), (i) => listCommand(i, elements), { chunk: 10, window: 2 });
    const m3 = await t.mem();
    return { perKey: (live(m1) - live(m0)) / keys, perElement: (live(m3) - live(m2)) / elements };
  } finally {
    await t.stop();
  }
}

/** Memory per idle connection: `conns` WebSocket connections opened from load generators. */
async function connCost(kind, conns) {
  const t = await startTarget(kind);
  const h = new WatchHarness(conns);
  try {
    const m0 = await t.mem();
    await Promise.all(
      h.receivers.map((r, i) => {
        const share = Math.ceil(conns / h.receivers.length);
        const n = Math.min(share, conns - i * share);
        return r.request("connect", { kind: "ws", port: t.port, count: n }, 180_000);
      }),
    );
    await sleep(500);
    const m1 = await t.mem();
    return { heap: (live(m1) - live(m0)) / conns, rss: (m1.rss - m0.rss) / conns };
  } finally {
    await h.stop();
    await t.stop();
  }
}

async function redisCost(keys, elements) {
  const { server: redis, reason } = await startRedis();
  if (!redis) return { redis: null, reason };
  try {
    const u0 = await redis.usedMemory();
    await pipelineLoad(redis.port, keys, (i) => ["SET", key16(i), value16(i)]);
    const u1 = await redis.usedMemory();
    await redis.conn.call(["FLUSHALL"]);
    const u2 = await redis.usedMemory();
    await pipelineLoad(redis.port, Math.ceil(elements / LIST_CHUNK), (i) => listCommand(i, elements), { chunk: 10, window: 2 });
    const u3 = await redis.usedMemory();
    return { redis: { version: redis.version, perKey: (u1 - u0) / keys, perElement: (u3 - u2) / elements } };
  } finally {
    await redis.stop();
  }
}

export async function run(ctx) {
  const keys = ctx.quick ? 100_000 : 1_000_000;
  const elements = ctx.quick ? 100_000 : 1_000_000;
  const conns = ctx.quick ? 1_000 : 10_000;
  const kc = await dataCost("keycast", keys, elements);
  const raw = await dataCost("raw", keys, elements);
  const { redis, reason } = await redisCost(keys, elements);
  if (!redis) ctx.skip(`memory: the Redis anchor is skipped: ${reason}`);
  const redisName = redis ? `${redis.version} used_memory` : "redis-server (not available)";
  const n = (x) => x.toLocaleString("en-US");
  const stringDetail = `${n(keys)} keys of 16 bytes with 16-byte values; JS heap + external after GC`;
  ctx.add(figure({ name: "memory.string.bytes_per_key", value: kc.perKey, unit: "B", anchor: redisName, anchorValue: redis?.perKey ?? null, target: { ratioAtMost: 1.5 }, detail: stringDetail }));
  ctx.add(figure({ name: "memory.string.bytes_per_key_vs_raw", value: kc.perKey, unit: "B", anchor: "raw server's Map", anchorValue: raw.perKey, detail: stringDetail }));
  const listDetail = `one list of ${n(elements)} 16-byte elements`;
  ctx.add(figure({ name: "memory.list.bytes_per_element", value: kc.perElement, unit: "B", anchor: redisName, anchorValue: redis?.perElement ?? null, detail: listDetail }));
  ctx.add(figure({ name: "memory.list.bytes_per_element_vs_raw", value: kc.perElement, unit: "B", anchor: "raw server's array", anchorValue: raw.perElement, detail: listDetail }));

  const kcConn = await connCost("keycast", conns);
  const rawConn = await connCost("raw", conns);
  const connDetail = `${n(conns)} idle WebSocket connections`;
  ctx.add(figure({ name: "memory.ws_conn.bytes_per_conn", value: kcConn.heap, unit: "B", anchor: "raw ws server", anchorValue: rawConn.heap, target: { ratioAtMost: 1.5 }, detail: `${connDetail}; JS heap + external after GC` }));
  ctx.add(figure({ name: "memory.ws_conn.rss_bytes_per_conn", value: kcConn.rss, unit: "B", anchor: "raw ws server", anchorValue: rawConn.rss, detail: `${connDetail}; resident set size` }));
}
