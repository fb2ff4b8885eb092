// maxmemory: the OOM refusal under noeviction (single commands, MULTI, atomic batches), each
// eviction policy choosing the keys Redis's would, "evicted" events, the accounting that the
// limit is checked against, and how close that estimate is to the heap it stands for.
import v8 from "node:v8";
import vm from "node:vm";
import { createClient } from "redis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BatchError, type WatchMessage } from "../client/node.js";
import { Context, type Session } from "../server/context.js";
import { execute } from "../server/dispatch.js";
import { datasetBytes } from "../server/observability/memory-report.js";
import { ServerState } from "../server/state.js";
import { useServer } from "./helpers.js";

const h = useServer();
const OOM = "OOM command not allowed when used memory > 'maxmemory'.";

function info(text: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, "m").exec(text)?.[1]?.trim();
}

async function dataset(): Promise<number> {
  return Number(info(await h.kc.info("memory"), "used_memory_dataset"));
}

/** Sets maxmemory to the current estimate plus `room` bytes. */
async function limitAt(room: number): Promise<number> {
  // The estimate with maxmemory on includes the guard's own bookkeeping: turn it on first.
  await h.kc.config("SET", "maxmemory", "1gb");
  const max = (await dataset()) + room;
  await h.kc.config("SET", "maxmemory", String(max));
  return max;
}

beforeEach(async () => {
  await h.kc.config("SET", "maxmemory", "0");
  await h.kc.config("SET", "maxmemory-policy", "noeviction");
  await h.kc.config("SET", "maxmemory-samples", "5");
  await h.kc.flushall();
});

afterEach(async () => {
  await h.kc.config("SET", "maxmemory", "0");
});

describe("noeviction", () => {
  it("refuses commands that may grow memory with Redis's OOM error, and runs the others", async () => {
    await h.kc.set("a", "1");
    await h.kc.rpush("l", "x", "y");
    await h.kc.config("SET", "maxmemory", "1");
    await expect(h.kc.set("b", "2")).rejects.toThrow(OOM);
    await expect(h.kc.rpush("l", "z")).rejects.toThrow(OOM);
    await expect(h.kc.hset("h", "f", "v")).rejects.toThrow(OOM);
    expect(await h.kc.get("a")).toBe("1");
    expect(await h.kc.lpop("l")).toBe("x");
    expect(await h.kc.expire("a", 100)).toBe(1);
    expect(await h.kc.del("a")).toBe(1);
    expect(await h.kc.dbsize()).toBe(1);
    const mem = await h.kc.info("memory");
    expect(info(mem, "maxmemory")).toBe("1");
    expect(info(mem, "maxmemory_policy")).toBe("noeviction");
    expect(info(await h.kc.info("stats"), "evicted_keys")).toBe("0");
    expect(info(await h.kc.info("errorstats"), "errorstat_OOM")).toBe("count=3");
    await h.kc.config("SET", "maxmemory", "0");
    expect(await h.kc.set("b", "2")).toBe("OK");
  });

  it("aborts a MULTI with an OOM command and an atomic batch holding one", async () => {
    const c = createClient({ url: `redis://127.0.0.1:${h.server.respPort}` });
    c.on("error", () => {});
    await c.connect();
    try {
      await h.kc.set("something", "1");
      await h.kc.config("SET", "maxmemory", "1");
      await expect(c.multi().get("x").set("x", "1").exec()).rejects.toThrow(/EXECABORT|OOM/);
      const err = (await h.kc.batch().get("x").set("x", "1").atomic().exec().catch((e: unknown) => e)) as BatchError;
      expect(err).toBeInstanceOf(BatchError);
      expect(err.replies.map(String)).toEqual([`ReplyError: ${"EXECABORT Transaction discarded because of previous errors."}`, `ReplyError: ${OOM}`]);
      expect(await h.kc.exists("x")).toBe(0);
    } finally {
      await c.quit();
    }
  });

  it("checks its settings as Redis does", async () => {
    await expect(h.kc.config("SET", "maxmemory-policy", "lru")).rejects.toThrow(
      "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
    );
    await expect(h.kc.config("SET", "maxmemory", "lots")).rejects.toThrow("argument must be a memory value");
    await expect(h.kc.config("SET", "maxmemory-samples", "0")).rejects.toThrow("argument must be between 1 and 2147483647 inclusive");
    expect(await h.kc.config("SET", "maxmemory", "10mb")).toBe("OK");
    expect(await h.kc.config("GET", "maxmemory")).toEqual({ maxmemory: String(10 * 1024 * 1024) });
    expect(await h.kc.config("SET", "maxmemory-policy", "ALLKEYS-LRU")).toBe("OK");
    expect(await h.kc.config("GET", "maxmemory-policy")).toEqual({ "maxmemory-policy": "allkeys-lru" });
  });
});

describe("eviction policies", () => {
  async function fill(prefix: string, n: number, ttl?: (i: number) => number): Promise<void> {
    const b = h.kc.batch();
    for (let i = 0; i < n; i++) {
      if (ttl) b.set(`${prefix}${i}`, "v".repeat(50), "PX", ttl(i));
      else b.set(`${prefix}${i}`, "v".repeat(50));
    }
    await b.exec();
  }

  async function surviving(prefix: string, n: number): Promise<number[]> {
    const b = h.kc.batch();
    for (let i = 0; i < n; i++) b.exists(`${prefix}${i}`);
    const r = (await b.exec()) as number[];
    return r.flatMap((e, i) => (e === 1 ? [i] : []));
  }

  it("allkeys-lru evicts keys not read lately and keeps the ones in use", async () => {
    await h.kc.config("SET", "maxmemory-policy", "allkeys-lru");
    await h.kc.config("SET", "maxmemory-samples", "10");
    await fill("k", 400);
    await limitAt(1000);
    await new Promise((r) => setTimeout(r, 20));
    // Read the first half: the second half is now the least recently used.
    const reads = h.kc.batch();
    for (let i = 0; i < 200; i++) reads.get(`k${i}`);
    await reads.exec();
    await fill("new", 100);
    const left = await surviving("k", 400);
    const hot = left.filter((i) => i < 200).length;
    const cold = left.filter((i) => i >= 200).length;
    expect(400 - left.length).toBeGreaterThan(50);
    expect(hot).toBeGreaterThan(190);
    expect(cold).toBeLessThan(200 - 50);
    const { maxmemory } = (await h.kc.config("GET", "maxmemory")) as Record<string, string>;
    expect(await dataset()).toBeLessThanOrEqual(Number(maxmemory));
    expect(Number(info(await h.kc.info("stats"), "evicted_keys"))).toBe(400 + 100 - left.length - (await surviving("new", 100)).length);
  });

  it("allkeys-lfu evicts the keys read least often", async () => {
    await h.kc.config("SET", "maxmemory-policy", "allkeys-lfu");
    await h.kc.config("SET", "maxmemory-samples", "10");
    await h.kc.config("SET", "lfu-log-factor", "0");
    await fill("k", 300);
    await limitAt(1000);
    for (let round = 0; round < 20; round++) {
      const reads = h.kc.batch();
      for (let i = 0; i < 150; i++) reads.get(`k${i}`);
      await reads.exec();
    }
    await fill("new", 80);
    const left = await surviving("k", 300);
    expect(left.filter((i) => i < 150).length).toBeGreaterThan(140);
    expect(left.filter((i) => i >= 150).length).toBeLessThan(150 - 40);
  });

  it("volatile-ttl evicts the keys closest to their deadline, never keys without a TTL", async () => {
    await h.kc.config("SET", "maxmemory-policy", "volatile-ttl");
    await fill("keep", 50);
    await fill("t", 200, (i) => 100_000 + i * 1000);
    await limitAt(500);
    await fill("more", 20);
    const left = await surviving("t", 200);
    const gone = 200 - left.length;
    expect(gone).toBeGreaterThan(5);
    // Exactly the nearest deadlines went, in order.
    expect(left).toEqual(Array.from({ length: left.length }, (_, i) => i + gone));
    expect((await surviving("keep", 50)).length).toBe(50);
  });

  it("volatile policies answer OOM when no key has a TTL", async () => {
    for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]) {
      await h.kc.flushall();
      await h.kc.config("SET", "maxmemory", "0");
      await h.kc.config("SET", "maxmemory-policy", policy);
      await fill("p", 20);
      await limitAt(-1);
      await expect(h.kc.set("one-more", "x".repeat(100))).rejects.toThrow(OOM);
      expect((await surviving("p", 20)).length).toBe(20);
    }
  });

  it("allkeys-random and volatile-random keep memory under the limit", async () => {
    for (const policy of ["allkeys-random", "volatile-random"]) {
      await h.kc.flushall();
      await h.kc.config("SET", "maxmemory", "0");
      await h.kc.config("SET", "maxmemory-policy", policy);
      await fill("keep", 20);
      await fill("r", 200, () => 100_000);
      const max = await limitAt(0);
      await fill("new", 50, () => 100_000);
      expect(await dataset()).toBeLessThanOrEqual(max);
      expect((await surviving("r", 200)).length).toBeLessThan(200);
      if (policy === "volatile-random") expect((await surviving("keep", 20)).length).toBe(20);
    }
  });

  it("tells watchers about evicted keys with the evicted event", async () => {
    const seen: WatchMessage[] = [];
    await h.kc.watch("e:*", (m) => seen.push(m), { events: ["evicted"] });
    await h.kc.config("SET", "maxmemory-policy", "allkeys-lru");
    await fill("e:", 50);
    await limitAt(0);
    await fill("x", 10);
    const evicted = Number(info(await h.kc.info("stats"), "evicted_keys"));
    expect(evicted).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    const events = seen.filter((m) => m.type === "event");
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.type === "event" && e.event).toBe("evicted");
      expect(await h.kc.exists(e.type === "event" ? e.key : "")).toBe(0);
    }
  });
});

describe("memory accounting", () => {
  it("follows every change: writes grow it, deletes, expiry and flushes shrink it", async () => {
    await h.kc.config("SET", "maxmemory", "1gb");
    expect(await dataset()).toBe(0);
    await h.kc.set("s", "x".repeat(1000));
    const one = await dataset();
    expect(one).toBeGreaterThan(1000);
    expect(one).toBeLessThan(1300);
    await h.kc.append("s", "y".repeat(1000));
    expect((await dataset()) - one).toBeGreaterThanOrEqual(1000);
    await h.kc.rpush("l", "element-0", ...Array.from({ length: 99 }, (_, i) => `element-${i + 1}`));
    await h.kc.hset("h", "f", "v");
    await h.kc.set("t", "v", "PX", 30);
    await h.kc.del("s");
    await new Promise((r) => setTimeout(r, 60));
    const usage = (await h.kc.memory("USAGE", "l")) as number;
    expect(usage).toBeGreaterThan(100 * 24);
    expect(await dataset()).toBe(usage + ((await h.kc.memory("USAGE", "h")) as number));
    await h.kc.flushall();
    await h.kc.set("z", "1");
    expect(await dataset()).toBe((await h.kc.memory("USAGE", "z")) as number);
  });

  it("MEMORY USAGE answers like Redis's for missing keys and bad arguments", async () => {
    await h.kc.set("k", "v");
    expect(await h.kc.memory("USAGE", "k")).toBeGreaterThan(0);
    expect(await h.kc.memory("USAGE", "k", "SAMPLES", 0)).toBeGreaterThan(0);
    expect(await h.kc.memory("USAGE", "missing")).toBeNull();
    await expect(h.kc.call("MEMORY", "USAGE", "k", "SAMPLES", "-1")).rejects.toThrow("ERR syntax error");
    await expect(h.kc.call("MEMORY", "USAGE", "k", "SAMPLES", "x")).rejects.toThrow("ERR value is not an integer or out of range");
    await expect(h.kc.call("MEMORY", "USAGE", "k", "FOO", "1")).rejects.toThrow("ERR syntax error");
    await expect(h.kc.call("MEMORY", "USAGE")).rejects.toThrow("ERR wrong number of arguments for 'memory|usage' command");
  });

  it("estimates within 15% of the heap the keys really take", () => {
    // Measured in this process with a forced GC; docs/operations.md has the figures, and how
    // process RSS relates to them.
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const flat = (s: string) => Buffer.from(s, "latin1").toString("latin1");
    const shapes: [string, number, (i: number) => string[]][] = [
      ["string 100B", 50_000, (i) => ["SET", `key:${i}`, `v${i}`.padEnd(100, "y")]],
      ["string 10B with TTL", 50_000, (i) => ["SET", `key:${i}`, `v${i}`.padEnd(10, "y"), "EX", "1000"]],
      ["list of 50", 2_000, (i) => ["RPUSH", `key:${i}`, ...Array.from({ length: 50 }, (_, j) => `e${i}:${j}`.padEnd(12, "z"))]],
      ["set of 50", 2_000, (i) => ["SADD", `key:${i}`, ...Array.from({ length: 50 }, (_, j) => `e${i}:${j}`.padEnd(12, "z"))]],
      ["hash of 50", 2_000, (i) => ["HSET", `key:${i}`, ...Array.from({ length: 50 }, (_, j) => [`f${j}`, `v${i}:${j}`.padEnd(12, "z")]).flat()]],
    ];
    for (const [name, n, make] of shapes) {
      const state = new ServerState();
      const session: Session = { id: 1, transport: "resp", addr: "test", db: 0, name: null, resp: 2, createdAt: 0, lastCommand: "", lastActiveAt: 0, close() {} };
      const ctx = new Context(state, session);
      gc();
      gc();
      // The heap, and the typed arrays of the deadline table (outside it).
      const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
      const before = used();
      for (let i = 0; i < n; i++) execute(ctx, make(i).map(flat));
      gc();
      gc();
      const grown = used() - before;
      const ratio = datasetBytes(state) / grown;
      expect([name, ratio > 0.85 && ratio < 1.15]).toEqual([name, true]);
      state.close();
    }
  });
});
