// Convergence: writers change keys of every type at random, over WebSocket and over the
// Redis port, while a live view watches them through a TCP proxy that cuts its connection at
// random moments. When the writers stop, the view must equal a fresh read, key by key: with
// a history large enough to resume every time, and with one so small that it resyncs.
import { describe, expect, it } from "vitest";
import { compareWords } from "../client/live-apply.js";
import type { LiveStatus } from "../client/live.js";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer } from "../server/index.js";
import { multibulk, RawClient } from "./redis-server.js";
import { proxy } from "./tcp-proxy.js";

/** A small seeded PRNG (mulberry32), so that a failing run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = Array.from({ length: 8 }, (_, i) => `c:${i}`);
const WORDS = ["a", "b", "c", "dd", "é", ""];

function randomCommand(r: () => number): string[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const k = pick(KEYS);
  const w = () => pick(WORDS);
  const n = () => String(Math.floor(r() * 7) - 3);
  const cmds: (() => string[])[] = [
    () => ["SET", k, w()],
    () => ["SET", k, w(), "PX", String(5 + Math.floor(r() * 60))],
    () => ["SET", k, w(), "KEEPTTL"],
    () => ["APPEND", k, w()],
    () => ["INCRBY", k, n()],
    () => ["SETRANGE", k, String(Math.floor(r() * 4)), w() || "z"],
    () => ["DEL", k],
    () => ["EXPIRE", k, "100"],
    () => ["PEXPIRE", k, String(5 + Math.floor(r() * 60))],
    () => ["PERSIST", k],
    () => ["RENAME", k, pick(KEYS)],
    () => ["COPY", k, pick(KEYS), "REPLACE"],
    () => ["LPUSH", k, w(), w()],
    () => ["RPUSH", k, w()],
    () => ["LPOP", k, String(1 + Math.floor(r() * 2))],
    () => ["RPOP", k],
    () => ["LTRIM", k, n(), n()],
    () => ["LSET", k, n(), w()],
    () => ["LINSERT", k, pick(["BEFORE", "AFTER"]), w(), w()],
    () => ["LREM", k, n(), w()],
    () => ["LMOVE", k, pick(KEYS), pick(["LEFT", "RIGHT"]), pick(["LEFT", "RIGHT"])],
    () => ["SADD", k, w(), w()],
    () => ["SREM", k, w()],
    () => ["SPOP", k],
    () => ["SMOVE", k, pick(KEYS), w()],
    () => ["SUNIONSTORE", k, pick(KEYS), pick(KEYS)],
    () => ["HSET", k, w(), w(), w(), n()],
    () => ["HDEL", k, w()],
    () => ["HINCRBY", k, w(), n()],
    () => ["HINCRBYFLOAT", k, w(), "1.5"],
  ];
  return pick(cmds)();
}

async function fresh(kc: KeycastClient, key: string): Promise<[unknown, boolean]> {
  const [type, pttl] = (await kc.batch().type(key).pttl(key).exec()) as [string, number];
  const has = pttl >= 0;
  switch (type) {
    case "string":
      return [await kc.get(key), has];
    case "list":
      return [await kc.lrange(key, 0, -1), has];
    case "set":
      return [((await kc.smembers(key)) as string[]).sort(compareWords), has];
    case "hash":
      return [Object.assign(Object.create(null), await kc.hgetall(key)), has];
    default:
      return [undefined, false];
  }
}

async function converge(historyEvents: number, seed: number, minDelayMs: number): Promise<{ statuses: LiveStatus[]; cuts: number; commands: number }> {
  const server = await startServer({ port: 0, respPort: 0, history: { maxEvents: historyEvents, maxAgeMs: 60_000 } });
  const p = await proxy(server.port);
  const r = rng(seed);
  const ws = await connect(server.url);
  const resp = await RawClient.connect(server.respPort!);
  const reader = await connect(server.url);
  const kc = await connect(`ws://127.0.0.1:${p.port}`, { reconnect: { minDelayMs, maxDelayMs: minDelayMs * 4 } });
  const view = await kc.live("c:*");
  const statuses: LiveStatus[] = [];
  view.onStatus((s) => statuses.push(s));
  let cuts = 0;
  let commands = 0;
  const until = Date.now() + 2500;
  let nextCut = Date.now() + 30 + r() * 200;
  while (Date.now() < until) {
    // A burst of commands from each side, then a pause so that the view catches up at times.
    const burst = 1 + Math.floor(r() * 20);
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < burst; i++) {
      const cmd = randomCommand(r);
      commands++;
      if (r() < 0.5) pending.push(ws.call(...cmd).catch(() => null));
      else {
        resp.send(multibulk(...cmd));
        pending.push(resp.reply());
      }
    }
    await Promise.all(pending);
    if (Date.now() > nextCut) {
      if (p.cut() > 0) cuts++;
      nextCut = Date.now() + 30 + r() * 300;
    }
    await new Promise((res) => setTimeout(res, r() * 15));
  }
  // Writers stopped. The view must end up equal to the server, key by key.
  const deadline = Date.now() + 5000;
  let diff: string[] = [];
  for (;;) {
    diff = [];
    if (view.status === "live") {
      for (const k of KEYS) {
        const [want, ttl] = await fresh(reader, k);
        const got = view.get(k);
        if (JSON.stringify([got, view.ttl(k) >= 0]) !== JSON.stringify([want, ttl])) diff.push(`${k}: view ${JSON.stringify([got, view.ttl(k)])} server ${JSON.stringify([want, ttl])}`);
      }
      if (diff.length === 0) break;
    } else diff.push(`status ${view.status}`);
    if (Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  expect(diff, `seed ${seed}`).toEqual([]);
  resp.socket.destroy();
  await Promise.all([view.close(), kc.close(), ws.close(), reader.close()]);
  await p.close();
  await server.close();
  return { statuses, cuts, commands };
}

describe("live view convergence under cuts", () => {
  const seed = Number(process.env.LIVE_SEED ?? Date.now() % 1e9);

  it("equals a fresh read after random writes of every type and random cuts (history holds every gap)", async () => {
    const { statuses, cuts, commands } = await converge(100_000, seed, 5);
    expect(cuts).toBeGreaterThan(2);
    expect(commands).toBeGreaterThan(500);
    expect(statuses).toContain("reconnecting");
    expect(statuses).not.toContain("resyncing");
  }, 30_000);

  it("equals a fresh read when the history overflows and the view resyncs", async () => {
    const { statuses, cuts } = await converge(30, seed + 1, 40);
    expect(cuts).toBeGreaterThan(2);
    expect(statuses).toContain("resyncing");
  }, 30_000);
});
