// Gateway mode, events: watches on keycast gateways in front of a real redis-server (and a
// 3-master Redis Cluster) see every change to the backend's data, whoever made it; resume on
// another gateway without loss; expiry events come on time; a backend that lost its data
// gives a clear resync.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { unpack } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type KeycastClient, type WatchMessage } from "../client/node.js";
import type { KeyEvent } from "../client/watch.js";
import { startServer, type RunningServer } from "../server/index.js";
import { createLogger } from "../server/observability/logger.js";
import { History } from "../server/events/history.js";
import { createWatch, Watchers, WITH_DELTA, WITH_VALUE } from "../server/events/watchers.js";
import { UNRECORDED } from "../server/events/values.js";
import { Keyspace } from "../server/keyspace/keyspace.js";
import type { GatewayEvents } from "../server/gateway/events/index.js";
import { mergeFlags } from "../server/gateway/events/leader.js";
import { startRedisCluster, startRedisNode, type RedisNode, type TestCluster } from "./redis-cluster.js";

const run = promisify(execFile);

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args]);
  return stdout.trim();
}

function gateway(backend: string): Promise<RunningServer> {
  return startServer({ port: 0, backend, dashboard: false });
}

function eventsOf(s: RunningServer): GatewayEvents {
  return s.state.gateway!.events as GatewayEvents;
}

/** Collects a watch's messages; `next(n)` waits until n have arrived in all. */
function collector() {
  const got: WatchMessage[] = [];
  let wake: (() => void) | null = null;
  return {
    got,
    events: () => got.filter((m): m is KeyEvent => m.type === "event"),
    handler: (m: WatchMessage) => {
      got.push(m);
      wake?.();
    },
    async until(pred: () => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pred()) {
        if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(got)}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 20);
        });
      }
    },
  };
}

function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (pred()) resolve();
      else if (Date.now() > deadline) reject(new Error("timed out"));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe("notify-keyspace-events", () => {
  it("adds what keycast needs to the operator's flags, never removes any", () => {
    expect(mergeFlags("")).toBe("Eg$lshxe");
    expect(mergeFlags("KA")).toBe("KAE");
    expect(mergeFlags("Ex")).toBe("Exg$lshe");
    expect(mergeFlags("AKE")).toBe("AKE");
  });
});

describe("the local history fed from outside (Watchers.deliver)", () => {
  it("records the source's offsets, sends what the caller supplies, and resets to a new epoch", () => {
    const ks = new Keyspace();
    const history = new History({ maxEvents: 100, maxAgeMs: 60_000 });
    const watchers = new Watchers(ks, history);
    const frames: Buffer[] = [];
    const sink = { sendEvent: (head: Buffer, hl: number, tail: Buffer, tl: number) => frames.push(Buffer.concat([head.subarray(0, hl), tail.subarray(0, tl)])), stamp: 0, ids: [] as number[], idCount: 0, needs: 0 };
    watchers.add(createWatch(sink, 7, 0, "k*", null, "full"));
    // The local keyspace has a value for k1: an external event must not read it.
    ks.dbs[0]!.set("k1", "local");
    frames.length = 0;
    history.reset("ep1", 41);
    expect(watchers.needsFor(0, "k1", "set")).toBe(WITH_DELTA | WITH_VALUE);
    expect(watchers.needsFor(0, "other", "set")).toBe(0);
    const now = Date.now();
    watchers.deliver({ offset: 42, db: 0, key: "k1", event: "set", time: now, delta: undefined, value: UNRECORDED });
    watchers.deliver({ offset: 43, db: 0, key: "k2", event: "set", time: now, delta: "v", value: "v" });
    expect(frames.map((f) => unpack(f))).toEqual([
      [3, [7, 1], 0, "k1", "set", 42, now, null, null],
      [3, [7, 2], 0, "k2", "set", 43, now, "v", "v"],
    ]);
    expect(history.since("ep1", 41, now)?.map((r) => r.offset)).toEqual([42, 43]);
    history.reset("ep2", 99);
    expect(history.since("ep1", 43, now)).toBeNull();
    expect(history.since("ep2", 99, now)).toEqual([]);
    ks.close();
  });
});

describe("a backend where CONFIG is not allowed", () => {
  it("logs what the operator must set, and works once it is set", async () => {
    const redis = await startRedisNode({ args: ["--rename-command", "CONFIG", "", "--notify-keyspace-events", "KEA"] });
    const lines: string[] = [];
    const logger = createLogger({ level: "warning", format: "json", stream: { write: (l: string) => void lines.push(l) } });
    const gw = await startServer({ port: 0, backend: `redis://127.0.0.1:${redis.port}`, dashboard: false, logger });
    try {
      expect(lines.join("")).toContain("cannot set notify-keyspace-events on the backend: set it yourself to include");
      const kc = await connect(gw.url);
      const c = collector();
      await kc.watch("k", c.handler);
      await redisCli(redis.port, "SET", "k", "v");
      await c.until(() => c.events().length === 1);
      await kc.close();
    } finally {
      await gw.close();
      await redis.destroy();
    }
  });
});

describe("gateway events over one redis-server", () => {
  let redis: RedisNode;
  let gw1: RunningServer;
  let gw2: RunningServer;
  const clients: KeycastClient[] = [];
  const client = async (url: string, opts: Parameters<typeof connect>[1] = {}) => {
    const c = await connect(url, { reconnect: { minDelayMs: 20, maxDelayMs: 200 }, ...opts });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    redis = await startRedisNode();
    gw1 = await gateway(`redis://127.0.0.1:${redis.port}`);
    gw2 = await gateway(`redis://127.0.0.1:${redis.port}`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gw1?.close();
    await gw2?.close();
    await redis?.destroy();
  });

  it("elects one leader and shares one history epoch", async () => {
    expect([eventsOf(gw1).isLeader, eventsOf(gw2).isLeader].filter(Boolean)).toHaveLength(1);
    expect(gw1.state.history.epoch).toBe(gw2.state.history.epoch);
    expect(await redisCli(redis.port, "CONFIG", "GET", "notify-keyspace-events")).toMatch(/E/);
  });

  it("reports its events part in INFO's gateway section and /metrics", async () => {
    const a = await client(gw1.url);
    const before = eventsOf(gw1).stats.read;
    for (let i = 0; i < 5; i++) await a.set(`g:info:${i}`, "v");
    await waitFor(() => eventsOf(gw1).stats.read >= before + 5 && eventsOf(gw2).stats.read >= before + 5, 5000);
    const fields = async (gw: RunningServer) => {
      const c = await client(gw.url);
      const text = String(await c.call("INFO", "gateway"));
      return Object.fromEntries(text.split("\r\n").filter((l) => l.includes(":")).map((l) => l.split(":") as [string, string]));
    };
    const [f1, f2] = [await fields(gw1), await fields(gw2)];
    expect([f1.gateway_mode, f1.gateway_events, f2.gateway_mode]).toEqual(["1", "on", "1"]);
    // One leader; it appended at least the five notifications; both read them.
    expect([f1.gateway_events_leader, f2.gateway_events_leader].sort()).toEqual(["0", "1"]);
    const leader = f1.gateway_events_leader === "1" ? f1 : f2;
    expect(Number(leader.gateway_events_appended)).toBeGreaterThanOrEqual(5);
    expect(Number(f1.gateway_events_read)).toBeGreaterThanOrEqual(before + 5);
    expect(Number(f2.gateway_events_read)).toBeGreaterThanOrEqual(before + 5);
    // The default INFO of a gateway includes the section.
    expect(String(await a.call("INFO"))).toContain("# Gateway\r\ngateway_mode:1");
    const metrics = await (await fetch(`http://127.0.0.1:${gw1.port}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^keycast_gateway_events_leader ${f1.gateway_events_leader}$`, "m"));
    expect(Number(/^keycast_gateway_events_read_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(before + 5);
    // A standalone server leaves the section out of INFO, and says so when asked.
    const solo = await startServer({ port: 0, dashboard: false });
    try {
      const kc = await client(solo.url);
      expect(String(await kc.call("INFO"))).not.toContain("# Gateway");
      expect(String(await kc.call("INFO", "gateway"))).toContain("gateway_mode:0");
      expect(await (await fetch(`http://127.0.0.1:${solo.port}/metrics`)).text()).not.toContain("keycast_gateway_");
    } finally {
      await solo.close();
    }
  });

  it("a write through gateway 1 reaches a watcher on gateway 2, with its value", async () => {
    const a = await client(gw1.url);
    const b = await client(gw2.url);
    const c = collector();
    await b.watch("g:one:*", c.handler, { value: "full" });
    await a.set("g:one:s", "v1");
    await a.rpush("g:one:l", "x", "y");
    await a.hset("g:one:h", "f", "1");
    await a.del("g:one:s");
    await c.until(() => c.events().length === 4);
    const ev = c.events();
    expect(ev.map((e) => [e.key, e.event])).toEqual([
      ["g:one:s", "set"],
      ["g:one:l", "rpush"],
      ["g:one:h", "hset"],
      ["g:one:s", "del"],
    ]);
    expect(ev.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(ev[0]!.value).toBe("v1");
    expect(ev[1]!.value).toEqual(["x", "y"]);
    expect(ev[2]!.value).toEqual({ f: "1" });
    expect(ev[3]!.value).toBeNull();
    // Offsets are the shared stream's: the same on both gateways.
    expect(ev[3]!.offset).toBeLessThanOrEqual(gw1.state.history.offset);
  });

  it("a redis-cli write straight to Redis reaches watchers on both gateways", async () => {
    const a = await client(gw1.url);
    const b = await client(gw2.url);
    const ca = collector();
    const cb = collector();
    await a.watch("g:cli", ca.handler, { value: "delta" });
    await b.watch("g:cli", cb.handler);
    await redisCli(redis.port, "SET", "g:cli", "from-python");
    await redisCli(redis.port, "INCR", "g:other");
    await redisCli(redis.port, "APPEND", "g:cli", "!");
    await ca.until(() => ca.events().length === 2);
    await cb.until(() => cb.events().length === 2);
    expect(ca.events().map((e) => e.event)).toEqual(["set", "append"]);
    expect(cb.events().map((e) => e.offset)).toEqual(ca.events().map((e) => e.offset));
    // The delta of SET is the value, read after the fact (it may already be newer).
    expect(["from-python", "from-python!"]).toContain(ca.events()[0]!.delta);
  });

  it("binary keys and values arrive as the same bytes", async () => {
    const a = await client(gw1.url);
    const b = await client(gw2.url);
    const key = new Uint8Array([0x67, 0x3a, 0x00, 0xff]);
    const value = new Uint8Array([0x00, 0xfe, 0xff]);
    const got: WatchMessage<Uint8Array>[] = [];
    await b.bytes.watch(key, (m) => got.push(m), { value: "full" });
    await a.set(key, value);
    await waitFor(() => got.length === 1);
    const ev = got[0] as KeyEvent<Uint8Array>;
    expect(Buffer.from(ev.key)).toEqual(Buffer.from(key));
    expect(Buffer.from(ev.value as Uint8Array)).toEqual(Buffer.from(value));
  });

  it("a snapshot is read from the backend, and what changes after it follows as events", async () => {
    const a = await client(gw1.url);
    await a.mset("g:snap:1", "a", "g:snap:2", "b");
    await a.rpush("g:snap:l", "x");
    await a.pexpire("g:snap:2", 60_000);
    const b = await client(gw2.url);
    const c = collector();
    await b.watch("g:snap:*", c.handler, { snapshot: true, value: "full" });
    const snap = c.got.filter((m) => m.type === "snapshot");
    expect(snap.map((m) => (m.type === "snapshot" ? [m.key, m.keyType, m.value] : null)).sort()).toEqual([
      ["g:snap:1", "string", "a"],
      ["g:snap:2", "string", "b"],
      ["g:snap:l", "list", ["x"]],
    ]);
    const ttl = snap.find((m) => m.type === "snapshot" && m.key === "g:snap:2");
    expect(ttl?.type === "snapshot" && ttl.pttl > 50_000).toBe(true);
    await a.set("g:snap:1", "changed");
    await c.until(() => c.events().some((e) => e.value === "changed"));
    // The gateway read up to the stream's end before the snapshot: the writes above are in the
    // snapshot, not replayed as events.
    expect(c.events()).toHaveLength(1);
    expect(c.events()[0]).toMatchObject({ key: "g:snap:1", event: "set", value: "changed", seq: 1 });
  });

  it("pub/sub through gateways: SUBSCRIBE on one, PUBLISH on the other or on Redis", async () => {
    const a = await client(gw1.url);
    const b = await client(gw2.url);
    const got: [string, string][] = [];
    const sub = await b.subscribe("g:chan", (m, ch) => got.push([ch, m]));
    const pgot: [string, string][] = [];
    await b.psubscribe("g:ch*", (m, ch) => pgot.push([ch, m]));
    expect(await a.publish("g:chan", "hello")).toBeGreaterThanOrEqual(1);
    await redisCli(redis.port, "PUBLISH", "g:chan", "from-redis");
    await waitFor(() => got.length === 2 && pgot.length === 2);
    expect(got).toEqual([
      ["g:chan", "hello"],
      ["g:chan", "from-redis"],
    ]);
    expect(pgot).toEqual(got);
    await sub.unsubscribe();
    await a.publish("g:chan", "after");
    await waitFor(() => pgot.length === 3);
    expect(got).toHaveLength(2);
  });

  it("pub/sub through gateways keeps channel names that are not UTF-8, and their glob characters, exact", async () => {
    const a = await client(gw1.url);
    const b = await client(gw2.url);
    const raw = Buffer.from([0x67, 0x3a, 0xff, 0x2a, 0xfe]); // "g:", 0xff, "*", 0xfe
    const near = Buffer.from([0x67, 0x3a, 0xff, 0x41, 0xfe]); // the same with "A" for the "*"
    const got: string[] = [];
    const sub = await b.bytes.subscribe(raw, (m, ch) => got.push(`${Buffer.from(ch).toString("hex")} ${Buffer.from(m).toString()}`));
    const pgot: string[] = [];
    // A pattern with a non-UTF-8 byte: "g:\xff*".
    await b.bytes.psubscribe(Buffer.from([0x67, 0x3a, 0xff, 0x2a]), (m, ch) => pgot.push(`${Buffer.from(ch).toString("hex")} ${Buffer.from(m).toString()}`));
    expect(await a.publish(raw, "exact")).toBeGreaterThanOrEqual(1);
    // Covered by the backend pattern "g:?\\*?" only if escaping failed; by the user's pattern, yes.
    await a.publish(near, "near");
    await a.publish("g:other", "other");
    await waitFor(() => got.length === 1 && pgot.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([`${raw.toString("hex")} exact`]);
    expect(pgot).toEqual([`${raw.toString("hex")} exact`, `${near.toString("hex")} near`]);
    await sub.unsubscribe();
    await a.publish(raw, "after");
    await waitFor(() => pgot.length === 3);
    expect(got).toHaveLength(1);
  });

  it("expired events come within a few ms of the deadline, though Redis itself would be late", async () => {
    // Redis's own active expiry now runs once a second: only the gateway's touch is on time.
    await redisCli(redis.port, "CONFIG", "SET", "hz", "1");
    try {
      const a = await client(gw1.url);
      const b = await client(gw2.url);
      const arrived = new Map<string, number>();
      await b.watch("g:ttl:*", (m) => m.type === "event" && arrived.set(m.key, Date.now()), { events: ["expired"] });
      const n = 20;
      const due = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        await a.set(`g:ttl:${i}`, "x", "PX", 150 + i * 20);
        // The deadline as Redis holds it (same machine, same clock).
        due.set(`g:ttl:${i}`, Number(await a.call("PEXPIRETIME", `g:ttl:${i}`)));
      }
      await waitFor(() => arrived.size === n, 10_000);
      const late = [...due].map(([k, at]) => arrived.get(k)! - at).sort((x, y) => x - y);
      const p50 = late[Math.floor(n / 2)]!;
      const max = late[n - 1]!;
      const stats = [eventsOf(gw1).leaderStats, eventsOf(gw2).leaderStats];
      console.log(`gateway expiry lateness over ${n} keys: p50 ${p50} ms, max ${max} ms (touches before the backend's deadline: ${stats[0]!.early + stats[1]!.early})`);
      expect(max).toBeLessThan(100);
      expect(eventsOf(gw1).leaderStats.touched + eventsOf(gw2).leaderStats.touched).toBeGreaterThan(0);
    } finally {
      await redisCli(redis.port, "CONFIG", "SET", "hz", "10");
    }
  });

  it("a watcher whose gateway goes away reconnects to the other and resumes without loss", async () => {
    // The watcher sits on the gateway that is not the leader: the history goes on without it.
    const [leaderGw, otherGw] = eventsOf(gw1).isLeader ? [gw1, gw2] : [gw2, gw1];
    const writer = await client(leaderGw.url);
    const c = collector();
    const w = await client(otherGw.url, { fallbackUrls: [leaderGw.url] });
    await w.watch("g:resume", c.handler, { value: "delta" });
    await writer.set("g:resume", "1");
    await c.until(() => c.events().length === 1);
    const stopping = otherGw.close({ graceMs: 0 });
    await writer.set("g:resume", "2");
    await writer.set("g:resume", "3");
    await stopping;
    await writer.set("g:resume", "4");
    await c.until(() => c.events().length === 4, 10_000);
    expect(c.got.some((m) => m.type === "resync")).toBe(false);
    const ev = c.events();
    expect(ev.map((e) => [e.seq, e.event])).toEqual([
      [1, "set"],
      [2, "set"],
      [3, "set"],
      [4, "set"],
    ]);
    // Consecutive positions of the shared history: nothing skipped, nothing twice.
    expect(ev.map((e) => e.offset - ev[0]!.offset)).toEqual([0, 1, 2, 3]);
    expect(ev[0]!.delta).toBe("1");
    expect(ev[3]!.delta).toBe("4");
    // Back to two gateways for the tests that follow.
    const again = await gateway(`redis://127.0.0.1:${redis.port}`);
    if (otherGw === gw1) gw1 = again;
    else gw2 = again;
  });

  it("a backend restart (data lost) gives watchers a clear resync, then events again", async () => {
    const b = await client(gw2.url);
    const c = collector();
    await b.watch("g:restart", c.handler);
    const a = await client(gw1.url);
    await a.set("g:restart", "before");
    await c.until(() => c.events().length === 1);
    const epoch = gw2.state.history.epoch;
    await redis.stop(true);
    await redis.start();
    await waitFor(() => gw1.state.history.epoch !== epoch && gw2.state.history.epoch !== epoch, 15_000);
    expect(gw1.state.history.epoch).toBe(gw2.state.history.epoch);
    await c.until(() => c.got.some((m) => m.type === "resync"), 10_000);
    // The client reconnects, resyncs, and then sees new writes (from any client of Redis).
    await waitFor(() => b.state === "open", 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await redisCli(redis.port, "SET", "g:restart", "after");
    await c.until(() => c.events().some((e) => e.offset > 0 && c.got.indexOf(e) > c.got.findIndex((m) => m.type === "resync")), 10_000);
    const last = c.events().at(-1)!;
    expect(last).toMatchObject({ key: "g:restart", event: "set", seq: 1 });
  });

  it("FLUSHALL on the backend (keycast's keys gone with the data) gives a resync, then events", async () => {
    const b = await client(gw2.url);
    const c = collector();
    await b.watch("g:flush", c.handler);
    const epoch = gw2.state.history.epoch;
    await redisCli(redis.port, "FLUSHALL");
    await waitFor(() => gw1.state.history.epoch !== epoch && gw2.state.history.epoch === gw1.state.history.epoch, 10_000);
    await c.until(() => c.got.some((m) => m.type === "resync"), 10_000);
    await waitFor(() => b.state === "open", 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await redisCli(redis.port, "SET", "g:flush", "x");
    await c.until(() => c.events().length === 1, 10_000);
    expect(c.events()[0]).toMatchObject({ key: "g:flush", event: "set", seq: 1 });
    expect(c.got.findIndex((m) => m.type === "resync")).toBeLessThan(c.got.findIndex((m) => m.type === "event"));
  });

  it("a dropped notification connection starts a new epoch: what it missed is not silently lost", async () => {
    const b = await client(gw2.url);
    const c = collector();
    await b.watch("g:kill", c.handler);
    const epoch = gw2.state.history.epoch;
    expect(await redisCli(redis.port, "CLIENT", "KILL", "TYPE", "pubsub")).not.toBe("0");
    await waitFor(() => gw1.state.history.epoch !== epoch && gw2.state.history.epoch === gw1.state.history.epoch, 10_000);
    await c.until(() => c.got.some((m) => m.type === "resync"), 10_000);
    await waitFor(() => b.state === "open", 10_000);
    await new Promise((r) => setTimeout(r, 200));
    await redisCli(redis.port, "SET", "g:kill", "x");
    await c.until(() => c.events().length === 1, 10_000);
  });

  it("when the leader stops, the other gateway takes over at once", async () => {
    const [leaderGw, otherGw] = eventsOf(gw1).isLeader ? [gw1, gw2] : [gw2, gw1];
    const epoch = otherGw.state.history.epoch;
    const started = Date.now();
    await leaderGw.close({ graceMs: 0 });
    // The new leader starts a new epoch (events in between were not heard); the gateway's
    // reader takes it up.
    await waitFor(() => eventsOf(otherGw).isLeader && otherGw.state.history.epoch !== epoch, 5000);
    console.log(`gateway leader takeover after a clean stop: ${Date.now() - started} ms`);
    const c = collector();
    const b = await client(otherGw.url);
    await b.watch("g:takeover", c.handler);
    await redisCli(redis.port, "SET", "g:takeover", "x");
    await c.until(() => c.events().length === 1);
    const again = await gateway(`redis://127.0.0.1:${redis.port}`);
    if (leaderGw === gw1) gw1 = again;
    else gw2 = again;
  });
});

describe("gateway events over a 3-master Redis Cluster", () => {
  let cluster: TestCluster;
  let gw1: RunningServer;
  let gw2: RunningServer;
  const clients: KeycastClient[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    gw1 = await gateway(cluster.backend);
    gw2 = await gateway(cluster.backend);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await gw1?.close();
    await gw2?.close();
    await cluster?.stop();
  });

  it("writes to keys on every master reach a watcher on the other gateway", async () => {
    const a = await connect(gw1.url);
    const b = await connect(gw2.url);
    clients.push(a, b);
    const c = collector();
    await b.watch("c:*", c.handler, { value: "full" });
    const keys = Array.from({ length: 12 }, (_, i) => `c:${i}`);
    for (const k of keys) await a.set(k, k.toUpperCase());
    await c.until(() => c.events().length === keys.length);
    expect(new Set(c.events().map((e) => e.key))).toEqual(new Set(keys));
    expect(c.events().every((e) => e.value === e.key.toUpperCase())).toBe(true);
    // The keys did land on different masters.
    const perNode = await Promise.all(cluster.nodes.map((n) => redisCli(n.port, "DBSIZE")));
    expect(perNode.filter((n) => Number(n) > 0).length).toBeGreaterThan(1);
  });

  it("redis-cli -c writes reach both gateways; a pattern snapshot spans the masters", async () => {
    const a = await connect(gw1.url);
    const b = await connect(gw2.url);
    clients.push(a, b);
    const ca = collector();
    const cb = collector();
    await a.watch("cc:*", ca.handler);
    await b.watch("cc:*", cb.handler);
    for (let i = 0; i < 6; i++) await run("redis-cli", ["-c", "-p", String(cluster.nodes[0]!.port), "RPUSH", `cc:${i}`, "v"]);
    await ca.until(() => ca.events().length === 6);
    await cb.until(() => cb.events().length === 6);
    expect(cb.events().map((e) => e.offset)).toEqual(ca.events().map((e) => e.offset));
    const s = collector();
    await b.watch("cc:*", s.handler, { snapshot: true });
    expect(s.got.filter((m) => m.type === "snapshot")).toHaveLength(6);
  });

  it("pub/sub reaches a subscriber on the other gateway, whichever node a PUBLISH lands on", async () => {
    const a = await connect(gw1.url);
    const b = await connect(gw2.url);
    clients.push(a, b);
    const got: string[] = [];
    await b.subscribe("c:chan", (m) => got.push(m));
    await a.publish("c:chan", "via-gateway");
    for (const n of cluster.nodes) await redisCli(n.port, "PUBLISH", "c:chan", `via-${n.port}`);
    await waitFor(() => got.length === 1 + cluster.nodes.length);
    expect(got[0]).toBe("via-gateway");
  });

  it("a watcher whose gateway goes away resumes on the other without loss", async () => {
    const [leaderGw, otherGw] = eventsOf(gw1).isLeader ? [gw1, gw2] : [gw2, gw1];
    const writer = await connect(leaderGw.url);
    const w = await connect(otherGw.url, { fallbackUrls: [leaderGw.url], reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
    clients.push(writer, w);
    const c = collector();
    await w.watch("cr:*", c.handler);
    await writer.set("cr:a", "1");
    await c.until(() => c.events().length === 1);
    const stopping = otherGw.close({ graceMs: 0 });
    for (const k of ["cr:b", "cr:c", "cr:d"]) await writer.set(k, "x");
    await stopping;
    await writer.set("cr:e", "x");
    await c.until(() => c.events().length === 5, 10_000);
    expect(c.got.some((m) => m.type === "resync")).toBe(false);
    // Keys on different masters: their order is the order the leader heard them in.
    expect(c.events().map((e) => e.key).sort()).toEqual(["cr:a", "cr:b", "cr:c", "cr:d", "cr:e"]);
    expect(c.events().map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const again = await gateway(cluster.backend);
    if (otherGw === gw1) gw1 = again;
    else gw2 = again;
  });

  it("a master restarted without its data gives watchers a resync, then events again", async () => {
    const b = await connect(gw2.url, { reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
    clients.push(b);
    const c = collector();
    await b.watch("cx:*", c.handler);
    const epoch = gw2.state.history.epoch;
    const node = cluster.nodes[0]!;
    await node.stop(true);
    await node.start();
    await waitFor(() => gw1.state.history.epoch !== epoch && gw2.state.history.epoch === gw1.state.history.epoch, 20_000);
    await c.until(() => c.got.some((m) => m.type === "resync"), 10_000);
    await waitFor(() => b.state === "open", 10_000);
    // Until the cluster is whole again a write may fail: retry it.
    for (let i = 0; i < 100 && c.events().length === 0; i++) {
      await run("redis-cli", ["-c", "-p", String(cluster.nodes[1]!.port), "SET", "cx:after", "1"]).catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(c.events()[0]).toMatchObject({ key: "cx:after", event: "set", seq: 1 });
    // Whole again for the tests that follow.
    for (const n of cluster.nodes) {
      for (let i = 0; i < 200 && !(await redisCli(n.port, "CLUSTER", "INFO")).includes("cluster_state:ok"); i++) await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  it("expired events on every master come on time", async () => {
    const a = await connect(gw1.url);
    const b = await connect(gw2.url);
    clients.push(a, b);
    await Promise.all(cluster.nodes.map((n) => redisCli(n.port, "CONFIG", "SET", "hz", "1")));
    const arrived = new Map<string, number>();
    await b.watch("ct:*", (m) => m.type === "event" && arrived.set(m.key, Date.now()), { events: ["expired"] });
    const due = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      await a.set(`ct:${i}`, "x", "PX", 200);
      due.set(`ct:${i}`, Number(await a.call("PEXPIRETIME", `ct:${i}`)));
    }
    await waitFor(() => arrived.size === 12, 10_000);
    const late = [...due].map(([k, at]) => arrived.get(k)! - at);
    console.log(`cluster gateway expiry lateness: max ${Math.max(...late)} ms`);
    expect(Math.max(...late)).toBeLessThan(100);
  });
});

describe("gateway pub/sub on a cluster whose node goes away", () => {
  it("moves its subscriptions to another master, so messages keep coming", async () => {
    const cluster = await startRedisCluster(3);
    const gw = await startServer({ port: 0, backend: cluster.backend, dashboard: false, logger: createLogger({ level: "error" }) });
    const kc = await connect(gw.url, { reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
    try {
      const got: string[] = [];
      await kc.subscribe("fo:chan", (m) => got.push(m));
      // The node the gateway's relay listens on: the one that lists the channel.
      const listed = await Promise.all(cluster.nodes.map((n) => redisCli(n.port, "PUBSUB", "CHANNELS", "fo:*")));
      const relayNode = cluster.nodes[listed.findIndex((l) => l.includes("fo:chan"))]!;
      const other = cluster.nodes.find((n) => n !== relayNode)!;
      await redisCli(other.port, "PUBLISH", "fo:chan", "before");
      await waitFor(() => got.length === 1);
      await relayNode.stop(true);
      // A PUBLISH on a node that is up reaches the relay once it has moved (about a second).
      for (let i = 0; i < 100 && !got.includes("after"); i++) {
        await redisCli(other.port, "PUBLISH", "fo:chan", "after").catch(() => "");
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(got[0]).toBe("before");
      expect(got).toContain("after");
      const now = await Promise.all(cluster.nodes.filter((n) => n !== relayNode).map((n) => redisCli(n.port, "PUBSUB", "CHANNELS", "fo:*")));
      expect(now.filter((l) => l.includes("fo:chan"))).toHaveLength(1);
    } finally {
      await kc.close();
      await gw.close();
      await cluster.stop();
    }
  }, 60_000);
});
