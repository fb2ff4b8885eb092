// The live mirror: every delta applied against a model (fast-check, reads and resyncs
// interleaved at random), then end to end against a real keycast server.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyEvent, cellFromSnapshot, compareWords, textCodec } from "../client/live-apply.js";
import { LiveLimitError, type LiveView } from "../client/live.js";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer } from "../server/index.js";
import { command, type Cmd } from "./live-model.js";
import { asText, FakeServer } from "./live-fake.js";
import { useServer } from "./helpers.js";

const STREAM = 3;

type Action = { cmd: Cmd } | { serve: number } | { tick: true } | { resync: true };

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 8, arbitrary: command.map((cmd) => ({ cmd })) },
  { weight: 2, arbitrary: fc.nat(7).map((serve) => ({ serve })) },
  { weight: 2, arbitrary: fc.constant({ tick: true as const }) },
  { weight: 1, arbitrary: fc.constant({ resync: true as const }) },
);

function expectSame(view: LiveView<unknown>, fake: FakeServer): void {
  const keys = new Set([...fake.model.keys.keys(), ...view.keys().map((k) => asText(k) as string)]);
  for (const k of keys) {
    expect([k, asText(view.get(k))]).toEqual([k, fake.model.expected(k, STREAM)]);
    expect([k, view.ttl(k) >= 0]).toEqual([k, fake.model.keys.get(k)?.ttl ?? false]);
  }
  expect(view.size).toBe(fake.model.keys.size);
}

describe("live view: deltas against a model", () => {
  it("equals the model after any interleaving of commands, key reads and resyncs (text and bytes, both sorted-set snapshot shapes)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 60 }), fc.boolean(), fc.boolean(), async (actions, bytes, nested) => {
        const fake = new FakeServer(bytes, nested);
        const view = fake.view({ streamEntries: STREAM });
        await view.ready;
        for (const a of actions) {
          if ("cmd" in a) fake.run(a.cmd);
          else if ("serve" in a) fake.serve(a.serve);
          else if ("tick" in a) await new Promise((r) => setTimeout(r, 0));
          else fake.resync();
        }
        await fake.settle();
        expect(view.status).toBe("live");
        expectSame(view, fake);
      }),
      { numRuns: Number(process.env.LIVE_RUNS ?? 400) },
    );
  });

  it("applies exact deltas without reading any key again", async () => {
    const exact = new Set(["lpush", "rpush", "lpop", "rpop", "ltrim", "lset", "lmove", "sadd", "srem", "spop", "smove", "hset", "hdel", "hincrby", "zadd", "zincrby", "zrem", "zpopmin", "xadd", "xtrim", "append", "incrby", "del", "rename"]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(command.filter((c) => exact.has(c[0]) || (c[0] === "set" && !c[3])), { maxLength: 60 }),
        fc.boolean(),
        async (cmds, bytes) => {
          const fake = new FakeServer(bytes);
          const view = fake.view({ streamEntries: STREAM });
          await view.ready;
          for (const c of cmds) fake.run(c);
          expect(fake.reads).toBe(0);
          expectSame(view, fake);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads a key again where the delta is ambiguous: LINSERT, LREM of some duplicates, SETRANGE, EXPIRE, copies", async () => {
    const fake = new FakeServer(false);
    fake.run(["rpush", "a", ["x", "y", "x"]]);
    fake.run(["set", "b", "hello", false]);
    const view = fake.view();
    await view.ready;
    const cases: Cmd[] = [["linsert", "a", true, "y", "z"], ["lrem", "a", 1, "x"], ["setrange", "b", 1, "E"], ["expire", "b"], ["copy", "a", "c"]];
    for (const c of cases) {
      const before = fake.reads;
      fake.run(c);
      expect([c[0], fake.reads]).toEqual([c[0], before + 1]);
      await fake.settle();
      expectSame(view, fake);
    }
    // LREM that removes every copy is exact.
    fake.run(["lrem", "a", 0, "z"]);
    expect(fake.probes.length).toBe(0);
    expectSame(view, fake);
  });

  it("coalesces reads: one per key however many ambiguous events, and applies later events on top exactly once", async () => {
    const fake = new FakeServer(false);
    fake.run(["rpush", "a", ["p"]]);
    const view = fake.view();
    await view.ready;
    fake.run(["linsert", "a", true, "p", "q"]);
    fake.run(["linsert", "a", true, "q", "r"]);
    expect(fake.reads).toBe(1);
    fake.run(["rpush", "a", ["s"]]);
    // The read is answered now: it already holds r and s, which must not be applied again...
    fake.serve(0);
    // ...while an event after the read is.
    fake.run(["rpush", "a", ["t"]]);
    await fake.settle();
    expect(view.get("a")).toEqual(["p", "q", "r", "s", "t"]);
    expect(fake.reads).toBe(1);
  });

  it("keeps identities: the snapshot changes exactly when something changed, unchanged keys keep theirs", async () => {
    const fake = new FakeServer(false);
    fake.run(["rpush", "l", ["a"]]);
    fake.run(["hset", "h", [["f", "1"]]]);
    const view = fake.view();
    await view.ready;
    const s1 = view.getSnapshot();
    expect(view.getSnapshot()).toBe(s1);
    fake.run(["hset", "h", [["f", "2"]]]);
    const s2 = view.getSnapshot();
    expect(s2).not.toBe(s1);
    expect(s2.get("l")).toBe(s1.get("l"));
    expect(s2.get("h")).not.toBe(s1.get("h"));
    expect(s1.get("h")).toEqual({ f: "1" });
    expect(Object.isFrozen(s2.get("h"))).toBe(true);
    // A resync that finds a key as it was keeps its identity too.
    fake.resync();
    const s3 = view.getSnapshot();
    expect(s3.get("l")).toBe(s2.get("l"));
    expect(s3.entry("h")).toBe(s2.entry("h"));
    // An event that changes nothing (LTRIM keeping everything) changes no identity.
    fake.run(["ltrim", "l", 0, -1]);
    expect(view.getSnapshot()).toBe(s3);
  });

  it("swaps a resync's snapshot in one step: listeners never see a half-built state", async () => {
    const fake = new FakeServer(false);
    for (const k of ["a", "b", "c"]) fake.run(["rpush", k, ["1"]]);
    const view = fake.view();
    await view.ready;
    const seen: string[][] = [];
    view.subscribe(() => seen.push((view.getSnapshot().keys() as string[]).sort()));
    const statuses: string[] = [];
    view.onStatus((s) => statuses.push(s));
    // The server lost the events that deleted b and c and created d: the resync snapshot says so.
    fake.model.keys.delete("b");
    fake.model.keys.delete("c");
    fake.model.run(["rpush", "d", ["1"]]);
    fake.resync();
    // Status changes (resyncing, live) and the swap: every reader sees the old state or the new one.
    expect(seen.every((k) => k.join() === "a,b,c" || k.join() === "a,d")).toBe(true);
    expect(seen.at(-1)).toEqual(["a", "d"]);
    expect(statuses).toEqual(["resyncing", "live"]);
    expect(view.keys().sort()).toEqual(["a", "d"]);
  });

  it("fails past its bounds with a clear error and holds nothing", async () => {
    const fake = new FakeServer(false);
    const view = fake.view({ maxKeys: 2, maxBytes: 200 });
    await view.ready;
    fake.run(["set", "a", "1", false]);
    fake.run(["set", "b", "1", false]);
    expect(view.status).toBe("live");
    fake.run(["set", "c", "1", false]);
    expect(view.status).toBe("closed");
    expect(view.error).toBeInstanceOf(LiveLimitError);
    expect(view.error!.message).toMatch(/more than 2 keys \(maxKeys\)/);
    expect(view.size).toBe(0);
    const v2 = new FakeServer(false);
    const big = v2.view({ maxBytes: 200 });
    await big.ready;
    v2.run(["rpush", "l", ["x".repeat(150)]]);
    expect(big.status).toBe("live");
    v2.run(["rpush", "l", ["x".repeat(150)]]);
    expect(big.error!.message).toMatch(/more than 200 bytes \(maxBytes\)/);
  });

  it("shapes: hashes as Map and sets as Set on request, sorted-set rank ranges, streams' newest N", async () => {
    const fake = new FakeServer(false);
    fake.run(["hset", "h", [["__proto__", "1"], ["toString", "2"]]]);
    fake.run(["sadd", "s", ["b", "a"]]);
    fake.run(["zadd", "z", [["a", 3], ["b", 1], ["c", 2], ["d", 2]]]);
    for (let i = 0; i < 5; i++) fake.run(["xadd", "x", ["n", String(i)]]);
    const plain = fake.view();
    await plain.ready;
    const h = plain.get("h") as Record<string, string>;
    expect(Object.keys(h)).toEqual(["__proto__", "toString"]);
    expect(h.toString).toBe("2");
    const view = fake.view({ hashes: "map", sets: "set", zrange: [-2, -1], streamEntries: 2 });
    await view.ready;
    expect(view.get("h")).toEqual(new Map([["__proto__", "1"], ["toString", "2"]]));
    expect(view.get("s")).toEqual(new Set(["a", "b"]));
    expect(plain.get("z")).toEqual([{ member: "b", score: 1 }, { member: "c", score: 2 }, { member: "d", score: 2 }, { member: "a", score: 3 }]);
    expect(view.get("z")).toEqual([{ member: "d", score: 2 }, { member: "a", score: 3 }]);
    expect(view.get("x")).toEqual([{ id: "1-4", fields: ["n", "3"] }, { id: "1-5", fields: ["n", "4"] }]);
    // XDEL of a held entry of a cut stream lets an older one in: read again.
    fake.run(["xdel", "x", 4]);
    await fake.settle();
    expect(view.get("x")).toEqual([{ id: "1-3", fields: ["n", "2"] }, { id: "1-4", fields: ["n", "3"] }]);
  });

  it("sorted sets: members placed by score then bytes, checked against the delta's ranks; a wrong rank means a read", () => {
    const cells = new Map();
    expect(applyEvent(cells, "z", "zadd", ["b", "1", 0, "a", "1", 0], textCodec, 10)).toBe(2);
    const fresh = cellFromSnapshot(textCodec, "zset", ["a", "1", "b", "1"], -1, 0, 10)!;
    cells.set("z", fresh);
    expect(applyEvent(cells, "z", "zincr", ["a", "5", 1], textCodec, 10)).toBe(1);
    expect(applyEvent(cells, "z", "zadd", ["c", "-inf", 0, "d", "+inf", 3], textCodec, 10)).toBe(1);
    expect(applyEvent(cells, "z", "zpopmin", ["c"], textCodec, 10)).toBe(1);
    expect(applyEvent(cells, "z", "zrem", ["nope"], textCodec, 10)).toBe(2);
    expect(compareWords("\uffff", "𝄞")).toBeLessThan(0);
    expect(compareWords("a", "ab")).toBeLessThan(0);
  });
});

// -------------------------------------------------------------------------------------------
// End to end: a real server

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** What the server holds, read with ordinary commands, in a view's shapes. */
async function fresh(kc: KeycastClient, key: string): Promise<unknown> {
  const type = await kc.type(key);
  switch (type) {
    case "string":
      return kc.get(key);
    case "list":
      return kc.lrange(key, 0, -1);
    case "set":
      return ((await kc.smembers(key)) as string[]).sort(compareWords);
    case "hash":
      return Object.assign(Object.create(null), await kc.hgetall(key));
    case "none":
      return undefined;
    default:
      throw new Error(`no fresh read for ${type}`);
  }
}

export async function expectMirrors(view: LiveView, kc: KeycastClient, pattern: string): Promise<void> {
  const keys = new Set([...((await kc.keys(pattern)) as string[]), ...view.keys()]);
  for (const k of keys) expect([k, view.get(k)]).toEqual([k, await fresh(kc, k)]);
}

describe("live view: end to end", () => {
  const h = useServer({ respPort: 0 });

  it("snapshot, then deltas of strings, lists, sets and hashes; renames, expiry, TTLs", async () => {
    const kc = h.kc;
    await kc.flushall();
    await kc.set("e:s", "v");
    await kc.rpush("e:l", "a", "b", "c");
    await kc.sadd("e:set", "m2", "m1");
    await kc.hset("e:h", "f", "1");
    await kc.set("e:ttl", "t", "PX", 60_000);
    const view = await kc.live("e:*");
    expect(view.status).toBe("live");
    expect(view.get("e:l")).toEqual(["a", "b", "c"]);
    expect(view.get("e:set")).toEqual(["m1", "m2"]);
    expect(view.ttl("e:ttl")).toBeGreaterThan(59_000);
    expect(view.ttl("e:s")).toBe(-1);
    expect(view.ttl("e:none")).toBe(-2);
    const changed: string[][] = [];
    view.subscribe((keys) => changed.push(keys));
    await kc.append("e:s", "w");
    await kc.lpush("e:l", "x", "y");
    await kc.rpop("e:l");
    await kc.lset("e:l", -1, "B");
    await kc.linsert("e:l", "BEFORE", "x", "w");
    await kc.ltrim("e:l", 0, 2);
    await kc.srem("e:set", "m1");
    await kc.sadd("e:set", "m0");
    await kc.hincrbyfloat("e:h", "g", 1.5);
    await kc.hdel("e:h", "f");
    await kc.rename("e:s", "e:s2");
    await kc.expire("e:s2", 100);
    await kc.persist("e:ttl");
    await kc.set("e:gone", "x", "PX", 30);
    await until(() => view.get("e:l") !== undefined && view.ttl("e:ttl") === -1 && view.ttl("e:s2") > 0);
    await new Promise((r) => setTimeout(r, 80));
    await expectMirrors(view, kc, "e:*");
    expect(view.has("e:gone")).toBe(false);
    expect(view.ttl("e:s2")).toBeGreaterThan(99_000);
    expect(changed.flat()).toContain("e:gone");
    await view.close();
    expect(view.status).toBe("closed");
  });

  it("writes from the Redis port show up as well (one keyspace)", async () => {
    const server = h.server;
    const { RawClient } = await import("./redis-server.js");
    const raw = await RawClient.connect(server.respPort!);
    const view = await h.kc.live("r:*");
    await raw.call("RPUSH", "r:l", "a", "b");
    await raw.call("HSET", "r:h", "f", "v");
    await until(() => view.size === 2);
    await expectMirrors(view, h.kc, "r:*");
    raw.socket.destroy();
    await view.close();
  });

  it("bytes views hold keys and values as bytes", async () => {
    const kc = h.kc;
    await kc.bytes.set(new Uint8Array([0x62, 0xff]), new Uint8Array([0, 1, 0xfe]));
    const view = await kc.bytes.live(new Uint8Array([0x62, 0x2a]));
    expect(view.get(new Uint8Array([0x62, 0xff]))).toEqual(new Uint8Array([0, 1, 0xfe]));
    await kc.bytes.append(new Uint8Array([0x62, 0xff]), new Uint8Array([0x80]));
    await until(() => (view.get(new Uint8Array([0x62, 0xff])) as Uint8Array).length === 4);
    expect(view.keys()).toEqual([new Uint8Array([0x62, 0xff])]);
    await view.close();
  });

  it("rejects at start past its key bound, and closes past its byte bound", async () => {
    const kc = h.kc;
    for (let i = 0; i < 5; i++) await kc.set(`b:${i}`, "x");
    await expect(kc.live("b:*", { maxKeys: 3 })).rejects.toThrow(/more than 3 keys/);
    await expect(kc.live("b:*", { maxBytes: 40 })).rejects.toThrow(LiveLimitError);
    const view = await kc.live("b:*", { maxKeys: 6 });
    await kc.set("b:5", "x");
    await until(() => view.size === 6);
    await kc.set("b:6", "x");
    await until(() => view.status === "closed");
    expect(view.error).toBeInstanceOf(LiveLimitError);
  });

  it("resumes after a reconnect, and resyncs (a fresh snapshot swapped in) when the history overflowed", async () => {
    const server = await startServer({ port: 0, respPort: "off", history: { maxEvents: 20, maxAgeMs: 60_000 } });
    // Reconnects after 300 ms or more: the writes below happen while it is away.
    const kc = await connect(server.url, { reconnect: { minDelayMs: 300, maxDelayMs: 600 } });
    const writer = await connect(server.url);
    await writer.rpush("q:l", "a");
    const view = await kc.live("q:*");
    const statuses: string[] = [];
    view.onStatus((s) => statuses.push(s));
    const drop = () => {
      for (const s of server.state.sessions.values()) s.close("test drop");
    };
    // A short drop: resumed from the history, no resync.
    drop();
    await until(() => kc.state === "reconnecting", 1000);
    const w2 = await connect(server.url);
    await w2.rpush("q:l", "b");
    await w2.hset("q:h", "f", "1");
    await until(() => view.status === "live" && view.size === 2, 3000);
    expect(statuses).toContain("reconnecting");
    expect(statuses).not.toContain("resyncing");
    await expectMirrors(view, w2, "q:*");
    // A long drop: more events than the history holds, so a resync.
    const before = view.getSnapshot();
    drop();
    await until(() => kc.state === "reconnecting", 1000);
    const w3 = await connect(server.url);
    for (let i = 0; i < 30; i++) await w3.rpush("q:l", String(i));
    await w3.del("q:h");
    await until(() => statuses.includes("resyncing") && view.status === "live" && !view.has("q:h"), 3000);
    expect(view.getSnapshot()).not.toBe(before);
    await expectMirrors(view, w3, "q:*");
    await Promise.all([view.close(), kc.close(), writer.close(), w2.close(), w3.close()]);
    await server.close();
  });
});
