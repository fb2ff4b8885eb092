// Watching keys: the use cases of the product brief end to end, event names and options,
// snapshots, resume after a drop, resync, expiry on time and slow readers.
import { pack } from "msgpackr";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connect, type KeyEvent, type KeycastClient, type WatchMessage } from "../client/node.js";
import { startServer } from "../server/index.js";
import { FrameType } from "../shared/protocol.js";
import { useServer } from "./helpers.js";
import { RawClient } from "./redis-server.js";

const h = useServer();

/** Collects a watch's messages and lets a test wait for the n-th. */
function collector<T = WatchMessage>() {
  const items: T[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    items,
    handler: (m: T) => {
      items.push(m);
      for (const w of waiters.filter((w) => items.length >= w.n)) w.resolve();
    },
    until(n: number, ms = 3000): Promise<T[]> {
      if (items.length >= n) return Promise.resolve(items);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} messages, got ${items.length}: ${JSON.stringify(items)}`)), ms);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve(items)) });
      });
    },
  };
}

const events = (items: WatchMessage[]) => items.filter((m): m is KeyEvent => m.type === "event").map((m) => `${m.event} ${m.key}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


describe("the live dashboard", () => {
  it("tells every tab watching metrics:* of a SET at once, with the new value in the event", async () => {
    const tabs = await Promise.all(Array.from({ length: 5 }, () => h.client()));
    const seen = tabs.map(() => collector());
    await Promise.all(tabs.map((t, i) => t.watch("metrics:*", seen[i]!.handler, { value: "full" })));
    await h.kc.set("metrics:cpu", "73");
    await h.kc.set("other:key", "x");
    for (const s of seen) {
      const [ev] = (await s.until(1)) as KeyEvent[];
      expect(ev).toMatchObject({ type: "event", key: "metrics:cpu", event: "set", db: 0, value: "73", delta: "73" });
      expect(ev!.seq).toBe(1);
      expect(typeof ev!.offset).toBe("number");
      expect(Math.abs(ev!.time - Date.now())).toBeLessThan(5000);
    }
    await sleep(20);
    for (const s of seen) expect(s.items).toHaveLength(1);
  });

  it("carries the changed hash fields as the delta, and the whole hash as the value", async () => {
    const tab = await h.client();
    const delta = collector();
    const full = collector();
    await tab.watch("host:*", delta.handler, { value: "delta" });
    await tab.watch("host:*", full.handler, { value: "full" });
    await h.kc.hset("host:web1", "load", "0.7", "mem", "12");
    await h.kc.hset("host:web1", "load", "0.9");
    const [a, b] = (await delta.until(2)) as KeyEvent[];
    expect(a).toMatchObject({ event: "hset", key: "host:web1", delta: ["load", "0.7", "mem", "12"] });
    expect(a!.value).toBeUndefined();
    expect(b).toMatchObject({ event: "hset", delta: ["load", "0.9"] });
    const [, fb] = (await full.until(2)) as KeyEvent[];
    expect(fb!.value).toEqual({ load: "0.9", mem: "12" });
  });
});

describe("writes from the Redis protocol", () => {
  it("reach WebSocket watchers like any other write", async () => {
    const w = await h.client();
    const c = collector();
    await w.watch("resp:*", c.handler, { value: "delta" });
    const resp = await RawClient.connect(h.server.respPort!);
    expect(await resp.call("RPUSH", "resp:feed", "a", "b")).toBe(":2\r\n");
    expect(await resp.call("SET", "resp:k", "v")).toBe("+OK\r\n");
    const got = (await c.until(2)) as KeyEvent[];
    expect(got.map((e) => [e.event, e.key, e.delta])).toEqual([
      ["rpush", "resp:feed", ["a", "b"]],
      ["set", "resp:k", "v"],
    ]);
    resp.close();
  });
});

describe("event names", () => {
  it("follow Redis's keyspace notifications, one event per notification, in order", async () => {
    const w = await h.client();
    const c = collector();
    await w.watch("ev:*", c.handler);
    const k = h.kc;
    await k.set("ev:s", "1");
    await k.set("ev:s", "2", "EX", 100);
    await k.incrby("ev:s", 5);
    await k.incrbyfloat("ev:s", 1.5);
    await k.append("ev:s", "x");
    await k.setrange("ev:s", 0, "9");
    await k.persist("ev:s");
    await k.expire("ev:s", 100);
    await k.rename("ev:s", "ev:t");
    await k.del("ev:t");
    await k.rpush("ev:l", "a", "b", "c");
    await k.lpush("ev:l", "z");
    await k.lset("ev:l", 0, "y");
    await k.linsert("ev:l", "BEFORE", "a", "q");
    await k.lrem("ev:l", 1, "q");
    await k.ltrim("ev:l", 0, 1);
    await k.lpop("ev:l");
    await k.rpop("ev:l");
    await k.sadd("ev:set", "a", "b");
    await k.sadd("ev:set", "a");
    await k.srem("ev:set", "a", "b");
    await k.hset("ev:h", "f", "1");
    await k.hincrby("ev:h", "f", 2);
    await k.hincrbyfloat("ev:h", "f", 0.5);
    await k.hdel("ev:h", "f");
    const expected = [
      "set ev:s",
      "set ev:s",
      "expire ev:s",
      "incrby ev:s",
      "incrbyfloat ev:s",
      "append ev:s",
      "setrange ev:s",
      "persist ev:s",
      "expire ev:s",
      "rename_from ev:s",
      "rename_to ev:t",
      "del ev:t",
      "rpush ev:l",
      "lpush ev:l",
      "lset ev:l",
      "linsert ev:l",
      "lrem ev:l",
      "ltrim ev:l",
      "lpop ev:l",
      "rpop ev:l",
      "del ev:l",
      "sadd ev:set",
      "srem ev:set",
      "del ev:set",
      "hset ev:h",
      "hincrby ev:h",
      "hincrbyfloat ev:h",
      "hdel ev:h",
      "del ev:h",
    ];
    expect(events(await c.until(expected.length))).toEqual(expected);
  });

  it("filters by event name, and includes 'new' only when asked", async () => {
    const w = await h.client();
    const onlyDel = collector();
    const withNew = collector();
    await w.watch("flt:*", onlyDel.handler, { events: ["del"] });
    await w.watch("flt:*", withNew.handler, { events: ["new", "set"] });
    await h.kc.set("flt:a", "1");
    await h.kc.set("flt:a", "2");
    await h.kc.del("flt:a");
    expect(events(await onlyDel.until(1))).toEqual(["del flt:a"]);
    expect(events(await withNew.until(3))).toEqual(["new flt:a", "set flt:a", "set flt:a"]);
  });

  it("gives list deltas: pushed elements, popped elements, trimmed counts", async () => {
    const w = await h.client();
    const c = collector();
    await w.watch("dl:list", c.handler, { value: "delta" });
    await h.kc.rpush("dl:list", "a", "b", "c", "d");
    await h.kc.lpop("dl:list", 2);
    await h.kc.ltrim("dl:list", 0, 0);
    const got = (await c.until(3)) as KeyEvent[];
    expect(got.map((e) => [e.event, e.delta])).toEqual([
      ["rpush", ["a", "b", "c", "d"]],
      ["lpop", ["a", "b"]],
      ["ltrim", [0, 1]],
    ]);
  });

  it("delivers overlapping watches each their own events, with their own sequence numbers, and stops on unwatch", async () => {
    const w = await h.client();
    const a = collector();
    const b = collector();
    const wa = await w.watch("ov:*", a.handler);
    await w.watch("ov:x", b.handler);
    await h.kc.set("ov:x", "1");
    await h.kc.set("ov:y", "1");
    await a.until(2);
    await b.until(1);
    expect((a.items as KeyEvent[]).map((e) => e.seq)).toEqual([1, 2]);
    expect((b.items as KeyEvent[]).map((e) => e.seq)).toEqual([1]);
    await wa.unwatch();
    await h.kc.set("ov:x", "2");
    await b.until(2);
    expect(a.items).toHaveLength(2);
  });

  it("watches in the database it is given", async () => {
    const w = await h.client();
    const c = collector();
    await w.watch("dbw:k", c.handler, { db: 3 });
    await h.kc.set("dbw:k", "db0");
    await h.kc.batch().select(3).set("dbw:k", "db3").select(0).exec();
    const [ev] = (await c.until(1)) as KeyEvent[];
    expect(ev).toMatchObject({ db: 3, key: "dbw:k" });
  });

  it("keeps binary keys and values as bytes in the bytes view", async () => {
    const w = await h.client();
    const c = collector<WatchMessage<Uint8Array>>();
    const key = new Uint8Array([0x62, 0x3a, 0xff, 0x00]);
    await w.bytes.watch(key, c.handler, { value: "full" });
    await h.kc.set(key, new Uint8Array([1, 2, 255]));
    const [ev] = (await c.until(1)) as KeyEvent<Uint8Array>[];
    expect([...ev!.key]).toEqual([...key]);
    expect([...(ev!.value as Uint8Array)]).toEqual([1, 2, 255]);
  });
});

describe("snapshots", () => {
  it("deliver the current value of every matching key first, then only later changes", async () => {
    await h.kc.set("snap:s", "v");
    await h.kc.rpush("snap:l", "a", "b");
    await h.kc.sadd("snap:set", "m");
    await h.kc.hset("snap:h", "f", "1");
    await h.kc.set("snap:ttl", "t", "PX", 60_000);
    await h.kc.set("nosnap", "x");
    const w = await h.client();
    const c = collector();
    await w.watch("snap:*", c.handler, { snapshot: true });
    const snap = c.items.filter((m) => m.type === "snapshot");
    expect(c.items).toHaveLength(5);
    const byKey = Object.fromEntries(snap.map((m) => [m.type === "snapshot" ? m.key : "", m]));
    expect(byKey["snap:s"]).toMatchObject({ keyType: "string", value: "v", pttl: -1 });
    expect(byKey["snap:l"]).toMatchObject({ keyType: "list", value: ["a", "b"] });
    expect(byKey["snap:set"]).toMatchObject({ keyType: "set", value: ["m"] });
    expect(byKey["snap:h"]).toMatchObject({ keyType: "hash", value: { f: "1" } });
    expect((byKey["snap:ttl"] as { pttl: number }).pttl).toBeGreaterThan(50_000);
    await h.kc.set("snap:s", "w");
    expect(events(await c.until(6)).at(-1)).toBe("set snap:s");
  });

  it("is atomic with the start of the watch: no change falls between the snapshot and the first event", async () => {
    await h.kc.set("atom:n", "0");
    const writer = await h.client();
    let stop = false;
    const writing = (async () => {
      while (!stop) await writer.batch().incr("atom:n").incr("atom:n").exec();
    })();
    await sleep(20);
    const w = await h.client();
    const c = collector();
    await w.watch("atom:n", c.handler, { snapshot: true, value: "full" });
    await c.until(50);
    stop = true;
    await writing;
    const [first, ...rest] = c.items;
    expect(first!.type).toBe("snapshot");
    let expected = Number((first as { value: string }).value);
    for (const m of rest) {
      expected++;
      expect((m as KeyEvent).value).toBe(String(expected));
    }
  });

  it("refuses a pattern snapshot over the limit with a clear error", async () => {
    const s = await startServer({ port: 0, maxSnapshotKeys: 5 });
    const kc = await connect(s.url);
    for (let i = 0; i < 6; i++) await kc.set(`big:${i}`, "x");
    await expect(kc.watch("big:*", () => {}, { snapshot: true })).rejects.toThrow(/would hold more than 5 keys/);
    // Without a snapshot, the same watch is fine.
    await kc.watch("big:*", () => {});
    await kc.close();
    await s.close();
  });
});

describe("the recent-messages feed", () => {
  it("a phone that drops mid-stream resumes with every message exactly once, in order", async () => {
    const server = await startServer({ port: 0 });
    const writer = await connect(server.url);
    const phone = await connect(server.url, { reconnect: { minDelayMs: 10, maxDelayMs: 50 } });
    const got: string[] = [];
    await phone.watch(
      "chat:lobby",
      (m) => {
        if (m.type === "event" && m.event === "lpush") got.push(...(m.delta as string[]));
        if (m.type === "resync") got.push("RESYNC");
      },
      { value: "delta" },
    );
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const msg = `msg ${i}`;
      sent.push(msg);
      await writer.batch().lpush("chat:lobby", msg).ltrim("chat:lobby", 0, 49).exec();
      // The phone goes through a tunnel twice; the writer keeps writing meanwhile.
      if (i === 60 || i === 130) {
        // The second tunnel needs the phone back from the first (its reconnect waits 10-50 ms).
        const until = Date.now() + 5000;
        while (!server.state.sessions.has(phone.server.id) && Date.now() < until) await sleep(5);
        server.state.sessions.get(phone.server.id)!.close("tunnel");
      }
    }
    await writer.lpush("chat:lobby", "last");
    sent.push("last");
    const deadline = Date.now() + 5000;
    while (got.length < sent.length && Date.now() < deadline) await sleep(10);
    expect(got).toEqual(sent);
    expect(await writer.llen("chat:lobby")).toBe(51);
    expect(phone.server.id).toBeGreaterThan(2);
    await phone.close();
    await writer.close();
    await server.close();
  });

  it("tells the phone to resync when the gap is older than the history", async () => {
    const server = await startServer({ port: 0, history: { maxEvents: 10 } });
    const writer = await connect(server.url);
    const phone = await connect(server.url, { reconnect: { minDelayMs: 200, maxDelayMs: 200 } });
    const c = collector();
    await writer.rpush("feed2", "old");
    await phone.watch("feed2", c.handler, { value: "delta", snapshot: true });
    expect(c.items[0]).toMatchObject({ type: "snapshot", value: ["old"] });
    server.state.sessions.get(phone.server.id)!.close("tunnel");
    for (let i = 0; i < 30; i++) await writer.rpush("feed2", `m${i}`);
    const after = await c.until(3, 5000);
    expect(after[1]).toMatchObject({ type: "resync" });
    expect(after[2]).toMatchObject({ type: "snapshot", keyType: "list" });
    expect((after[2] as { value: string[] }).value).toHaveLength(31);
    await writer.rpush("feed2", "new");
    const [ev] = (await c.until(4)).slice(3) as KeyEvent[];
    expect(ev).toMatchObject({ event: "rpush", delta: ["new"], seq: 1 });
    await phone.close();
    await writer.close();
    await server.close();
  });
});

describe("presence", () => {
  it("tells a dashboard watching user:*:online that a heartbeat key expired, on time", async () => {
    const w = await h.client();
    const c = collector();
    await w.watch("user:*:online", c.handler, { events: ["expired"] });
    await h.kc.set("user:42:online", "1", "PX", 150);
    const setAt = Date.now();
    const [ev] = (await c.until(1)) as KeyEvent[];
    const late = Date.now() - (setAt + 150);
    expect(ev).toMatchObject({ event: "expired", key: "user:42:online" });
    // Loose bound: the benchmark measures the real lateness.
    expect(late).toBeLessThan(250);
    expect(await h.kc.exists("user:42:online")).toBe(0);
  });

  it("a heartbeat that renews the TTL keeps the key alive", async () => {
    const w = await h.client();
    const c = collector();
    await w.watch("user:7:online", c.handler, { events: ["expired"] });
    for (let i = 0; i < 6; i++) {
      await h.kc.set("user:7:online", "1", "PX", 100);
      await sleep(40);
    }
    expect(c.items).toHaveLength(0);
    await c.until(1);
  });

  it("a write to a key after its deadline is seen as expired, then set", async () => {
    const w = await h.client();
    const c = collector();
    await w.watch("exp:race", c.handler);
    await h.kc.set("exp:race", "1", "PX", 30);
    await sleep(40);
    await h.kc.set("exp:race", "2");
    expect(events(await c.until(4))).toEqual(["set exp:race", "expire exp:race", "expired exp:race", "set exp:race"]);
  });
});

describe("slow readers", () => {
  it("cuts off a connection that does not read its events, and everyone else carries on", async () => {
    const server = await startServer({ port: 0, maxOutputBytes: 256 * 1024 });
    const writer = await connect(server.url);
    const healthy = await connect(server.url);
    const c = collector();
    await healthy.watch("slow:key", c.handler, { value: "full" });
    const slow = new WebSocket(server.url);
    await new Promise((r) => slow.once("open", r));
    slow.send(pack([FrameType.WATCH, 1, 1, "slow:key", { value: "full" }]));
    await sleep(20);
    const closed = new Promise<number>((resolve) => slow.once("close", (code) => resolve(code)));
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = "x".repeat(64 * 1024);
    for (let i = 0; i < 200; i++) await writer.set("slow:key", big + i);
    expect(server.state.sessions.size).toBe(2);
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(1008);
    await c.until(200, 10_000);
    expect((c.items.at(-1) as KeyEvent).value).toBe(big + 199);
    await writer.close();
    await healthy.close();
    await server.close();
  });
});

describe("ordering", () => {
  it("every watcher sees one key's events in commit order, whoever writes", async () => {
    const writers: KeycastClient[] = await Promise.all([h.client(), h.client(), h.client()]);
    const watchers = await Promise.all([h.client(), h.client()]);
    const seen = watchers.map(() => collector());
    await Promise.all(watchers.map((w, i) => w.watch("ord:k", seen[i]!.handler, { value: "full" })));
    await Promise.all(writers.map(async (w) => {
      for (let i = 0; i < 30; i++) await w.incr("ord:k");
    }));
    for (const s of seen) {
      const values = ((await s.until(90)) as KeyEvent[]).map((e) => Number(e.value));
      expect(values).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    }
  });
});
