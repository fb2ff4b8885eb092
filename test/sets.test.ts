// Set commands against Redis 7.0's replies, errors and keyspace events (expected values
// checked against a real redis-server 7.0.15), plus the SetValue structure itself.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ReplyError } from "../client/index.js";
import { Context, type Session } from "../server/context.js";
import { execute } from "../server/dispatch.js";
import type { Database } from "../server/keyspace/database.js";
import { distinctPositions, SetValue } from "../server/keyspace/set.js";
import { ErrorReply, SetReply } from "../server/reply.js";
import { useServer } from "./helpers.js";

const h = useServer();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const SYNTAX = "ERR syntax error";
const NOT_INTEGER = "ERR value is not an integer or out of range";
const NOT_POSITIVE = "ERR value is out of range, must be positive";
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;

/** The error message a command is rejected with, or a marker when it succeeded. */
async function error(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "(no error)";
  } catch (e) {
    expect(e).toBeInstanceOf(ReplyError);
    return (e as Error).message;
  }
}

const sorted = (xs: unknown) => [...(xs as string[])].sort();

/** A small deterministic PRNG (mulberry32), so a failing random run can be replayed. */
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

let events: [event: string, key: string, delta: unknown][] = [];
let db: Database;
beforeAll(() => {
  db = h.server.state.keyspace.dbs[0]!;
  h.server.state.keyspace.onKeyEvent((index, event, key, delta) => {
    if (index === 0) events.push([event, key, delta]);
  });
});
beforeEach(() => {
  db.clear();
  events = [];
});

function session(resp: 2 | 3): Session {
  return { id: 0, transport: "resp", addr: "test", db: 0, name: null, resp, createdAt: 0, lastCommand: "", lastActiveAt: 0, close() {} };
}

describe("SetValue", () => {
  it("matches a model under random adds, removes and pops", () => {
    const rand = rng(7);
    const set = new SetValue();
    const model = new Set<string>();
    for (let step = 0; step < 20000; step++) {
      const m = `m${Math.floor(rand() * 300)}`;
      const r = rand();
      if (r < 0.5) expect(set.add(m)).toBe(!model.has(m));
      else if (r < 0.8) expect(set.remove(m)).toBe(model.has(m));
      else if (model.size > 0) {
        const popped = set.pop();
        expect(model.has(popped)).toBe(true);
        model.delete(popped);
        continue;
      }
      if (r < 0.5) model.add(m);
      else if (r < 0.8) model.delete(m);
      expect(set.size).toBe(model.size);
    }
    expect(sorted(set.toArray())).toEqual(sorted([...model]));
    for (const m of model) expect(set.has(m)).toBe(true);
  });

  it("clones deeply", () => {
    const a = new SetValue();
    a.add("x");
    a.add("y");
    const b = a.clone();
    b.add("z");
    b.remove("x");
    expect(sorted(a.toArray())).toEqual(["x", "y"]);
    expect(sorted(b.toArray())).toEqual(["y", "z"]);
    expect(a.has("x") && !a.has("z") && b.has("z") && !b.has("x")).toBe(true);
  });

  it("gives its whole value as an array copy for watch snapshots", () => {
    const set = new SetValue();
    set.add("a");
    set.add("b");
    const reply = set.toReply() as string[];
    set.add("c");
    expect(sorted(reply)).toEqual(["a", "b"]);
  });

  it("picks distinct positions for every count", () => {
    for (const [size, count] of [[10, 1], [10, 5], [10, 9], [1000, 3], [1000, 999]] as const) {
      const picks = distinctPositions(size, count);
      expect(picks).toHaveLength(count);
      expect(new Set(picks).size).toBe(count);
      for (const p of picks) expect(p >= 0 && p < size).toBe(true);
    }
  });

  it("scans every member present for the whole scan, whatever changes in between", () => {
    const rand = rng(99);
    for (let round = 0; round < 20; round++) {
      const set = new SetValue();
      // Churned members first, stable ones last: removing a churned member moves a stable
      // one from the end into its hole, which is what a scan must survive.
      for (let i = 0; i < 500; i++) set.add(`c${i}`);
      const stable = Array.from({ length: 500 }, (_, i) => `s${i}`);
      for (const m of stable) set.add(m);
      const seen = new Set<string>();
      let cursor = 0;
      let steps = 0;
      do {
        const out: string[] = [];
        cursor = set.scan(cursor, 1 + Math.floor(rand() * 30), null, out);
        for (const m of out) seen.add(m);
        for (let j = 0; j < 10; j++) {
          const m = `c${Math.floor(rand() * 700)}`;
          if (rand() < 0.6) set.remove(m);
          else set.add(m);
        }
        steps++;
      } while (cursor !== 0 && steps < 10000);
      expect(cursor).toBe(0);
      for (const m of stable) expect(seen.has(m)).toBe(true);
    }
  });
});

describe("SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS", () => {
  it("adds, counts only new members, and removes", async () => {
    expect(await h.kc.sadd("s", "a", "b", "a")).toBe(2);
    expect(await h.kc.sadd("s", "b", "c")).toBe(1);
    expect(await h.kc.sadd("s", "a")).toBe(0);
    expect(await h.kc.scard("s")).toBe(3);
    expect(sorted(await h.kc.smembers("s"))).toEqual(["a", "b", "c"]);
    expect(await h.kc.sismember("s", "a")).toBe(1);
    expect(await h.kc.sismember("s", "z")).toBe(0);
    expect(await h.kc.smismember("s", "a", "z", "c")).toEqual([1, 0, 1]);
    expect(await h.kc.srem("s", "a", "z", "a")).toBe(1);
    expect(await h.kc.srem("s", "z")).toBe(0);
    expect(sorted(await h.kc.smembers("s"))).toEqual(["b", "c"]);
  });

  it("treats a missing key as an empty set", async () => {
    expect(await h.kc.scard("none")).toBe(0);
    expect(await h.kc.smembers("none")).toEqual([]);
    expect(await h.kc.sismember("none", "a")).toBe(0);
    expect(await h.kc.smismember("none", "a", "b")).toEqual([0, 0]);
    expect(await h.kc.srem("none", "a")).toBe(0);
    expect(await h.kc.exists("none")).toBe(0);
  });

  it("deletes the key when the last member goes", async () => {
    await h.kc.sadd("s", "a", "b");
    expect(await h.kc.srem("s", "a", "b", "c")).toBe(2);
    expect(await h.kc.exists("s")).toBe(0);
    expect(await h.kc.type("s")).toBe("none");
  });

  it("keeps members binary-safe, with empty members and UTF-8", async () => {
    const bin = new Uint8Array([0x00, 0xff, 0x41, 0x00]);
    expect(await h.kc.sadd("s", bin, "", "é", new Uint8Array([0xe9]))).toBe(4);
    expect(await h.kc.sismember("s", new Uint8Array([0x00, 0xff, 0x41, 0x00]))).toBe(1);
    expect(await h.kc.sismember("s", new Uint8Array([0x00, 0xff, 0x41]))).toBe(0);
    expect(await h.kc.sismember("s", "")).toBe(1);
    // "é" as UTF-8 (c3 a9) and the single byte e9 are different members.
    expect(await h.kc.sismember("s", new Uint8Array([0xc3, 0xa9]))).toBe(1);
    const got = (await h.kc.bytes.smembers("s")).map((b) => Buffer.from(b).toString("hex")).sort();
    expect(got).toEqual(["", "00ff4100", "c3a9", "e9"]);
  });

  it("answers WRONGTYPE on a key of another type, and arity errors", async () => {
    await h.kc.set("str", "v");
    for (const p of [
      h.kc.sadd("str", "a"),
      h.kc.srem("str", "a"),
      h.kc.scard("str"),
      h.kc.sismember("str", "a"),
      h.kc.smismember("str", "a"),
      h.kc.smembers("str"),
    ]) {
      expect(await error(p)).toBe(WRONGTYPE);
    }
    expect(await h.kc.get("str")).toBe("v");
    expect(await error(h.kc.call("SADD", "s"))).toBe(arity("sadd"));
    expect(await error(h.kc.call("SREM", "s"))).toBe(arity("srem"));
    expect(await error(h.kc.call("SMEMBERS", "s", "x"))).toBe(arity("smembers"));
    expect(await error(h.kc.call("SISMEMBER", "s"))).toBe(arity("sismember"));
    expect(await error(h.kc.call("SMISMEMBER", "s"))).toBe(arity("smismember"));
    expect(await error(h.kc.call("SCARD"))).toBe(arity("scard"));
  });

  it("does not see an expired key", async () => {
    await h.kc.set("k", "v", "PX", 30);
    await h.kc.sadd("s", "a");
    await h.kc.call("PEXPIRE", "s", "30");
    await sleep(60);
    expect(await h.kc.sadd("k", "a")).toBe(1);
    expect(await h.kc.scard("s")).toBe(0);
    expect(await h.kc.smembers("s")).toEqual([]);
  });

  it("announces only real changes, with the members as the delta", async () => {
    await h.kc.sadd("s", "a", "b", "a");
    await h.kc.sadd("s", "a");
    await h.kc.sadd("s", "c", "a");
    await h.kc.srem("s", "zz");
    await h.kc.srem("s", "a", "zz", "c");
    await h.kc.srem("s", "b");
    await h.kc.srem("s", "b");
    expect(events).toEqual([
      ["new", "s", undefined],
      ["sadd", "s", ["a", "b"]],
      ["sadd", "s", ["c"]],
      ["srem", "s", ["a", "c"]],
      ["srem", "s", ["b"]],
      ["del", "s", undefined],
    ]);
  });

  it("replies SMEMBERS with a RESP3 set, and copies it from the live set", async () => {
    await h.kc.sadd("s", "a");
    const reply = execute(new Context(h.server.state, session(3)), ["SMEMBERS", "s"]);
    expect(reply).toBeInstanceOf(SetReply);
    const [members] = await h.kc.batch().smembers("s").sadd("s", "b").exec();
    expect(members).toEqual(["a"]);
  });
});

describe("SPOP", () => {
  it("pops one member, or null on a missing key", async () => {
    await h.kc.sadd("s", "a", "b");
    const first = (await h.kc.spop("s")) as string;
    expect(["a", "b"]).toContain(first);
    expect(await h.kc.sismember("s", first)).toBe(0);
    expect(await h.kc.scard("s")).toBe(1);
    await h.kc.spop("s");
    expect(await h.kc.exists("s")).toBe(0);
    expect(await h.kc.spop("s")).toBe(null);
  });

  it("pops COUNT distinct members; all of them (and the key) when COUNT covers the set", async () => {
    await h.kc.sadd("s", "a", "b", "c", "d", "e");
    const two = (await h.kc.spop("s", 2)) as string[];
    expect(two).toHaveLength(2);
    expect(new Set(two).size).toBe(2);
    expect(await h.kc.scard("s")).toBe(3);
    for (const m of two) expect(await h.kc.sismember("s", m)).toBe(0);
    expect(await h.kc.spop("s", 0)).toEqual([]);
    expect(await h.kc.scard("s")).toBe(3);
    const rest = (await h.kc.spop("s", 10)) as string[];
    expect(sorted([...rest, ...two])).toEqual(["a", "b", "c", "d", "e"]);
    expect(await h.kc.exists("s")).toBe(0);
    expect(await h.kc.spop("none", 3)).toEqual([]);
  });

  it("checks the count first, then the type", async () => {
    await h.kc.set("str", "v");
    await h.kc.sadd("s", "a");
    expect(await error(h.kc.call("SPOP", "s", "-1"))).toBe(NOT_POSITIVE);
    expect(await error(h.kc.call("SPOP", "s", "x"))).toBe(NOT_POSITIVE);
    expect(await error(h.kc.call("SPOP", "str", "-1"))).toBe(NOT_POSITIVE);
    expect(await error(h.kc.call("SPOP", "s", "1", "2"))).toBe(SYNTAX);
    expect(await error(h.kc.spop("str"))).toBe(WRONGTYPE);
    expect(await error(h.kc.spop("str", 0))).toBe(WRONGTYPE);
    expect(await error(h.kc.call("SPOP"))).toBe(arity("spop"));
  });

  it("eventually pops every member first", async () => {
    const members = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const seen = new Set<string>();
    for (let i = 0; i < 400 && seen.size < members.length; i++) {
      await h.kc.sadd("s", ...(members as [string, ...string[]]));
      seen.add((await h.kc.spop("s")) as string);
    }
    expect([...seen].sort()).toEqual(members);
  });

  it("announces spop with the popped members, then del when emptied", async () => {
    await h.kc.sadd("s", "a", "b", "c");
    events = [];
    const one = await h.kc.spop("s");
    const two = (await h.kc.spop("s", 1)) as string[];
    const rest = (await h.kc.spop("s", 5)) as string[];
    await h.kc.spop("s", 5);
    await h.kc.spop("s");
    expect(events).toEqual([
      ["spop", "s", [one]],
      ["spop", "s", two],
      ["spop", "s", rest],
      ["del", "s", undefined],
    ]);
  });

  it("replies a RESP3 set with a count", async () => {
    await h.kc.sadd("s", "a", "b");
    const ctx = new Context(h.server.state, session(3));
    expect(execute(ctx, ["SPOP", "s", "1"])).toBeInstanceOf(SetReply);
    expect(execute(ctx, ["SPOP", "none", "1"])).toBeInstanceOf(SetReply);
  });
});

describe("SRANDMEMBER", () => {
  it("returns one member without removing it, or null", async () => {
    await h.kc.sadd("s", "a", "b");
    expect(["a", "b"]).toContain(await h.kc.srandmember("s"));
    expect(await h.kc.scard("s")).toBe(2);
    expect(await h.kc.srandmember("none")).toBe(null);
  });

  it("returns distinct members for a positive count, all for a large one", async () => {
    const members = Array.from({ length: 20 }, (_, i) => `m${i}`);
    await h.kc.sadd("s", ...(members as [string, ...string[]]));
    for (const n of [1, 3, 10, 15, 19]) {
      const got = (await h.kc.srandmember("s", n)) as string[];
      expect(got).toHaveLength(n);
      expect(new Set(got).size).toBe(n);
      for (const m of got) expect(members).toContain(m);
    }
    expect(sorted(await h.kc.srandmember("s", 20))).toEqual(sorted(members));
    expect(sorted(await h.kc.srandmember("s", 1000))).toEqual(sorted(members));
    expect(await h.kc.srandmember("s", 0)).toEqual([]);
    expect(await h.kc.srandmember("none", 5)).toEqual([]);
    expect(await h.kc.srandmember("none", -5)).toEqual([]);
    expect(await h.kc.scard("s")).toBe(20);
  });

  it("may repeat members for a negative count, and returns exactly that many", async () => {
    await h.kc.sadd("s", "a", "b");
    const got = (await h.kc.srandmember("s", -50)) as string[];
    expect(got).toHaveLength(50);
    expect(new Set(got)).toEqual(new Set(["a", "b"]));
    await h.kc.sadd("one", "x");
    expect(await h.kc.srandmember("one", -3)).toEqual(["x", "x", "x"]);
  });

  it("eventually returns every member", async () => {
    const members = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    await h.kc.sadd("s", ...(members as [string, ...string[]]));
    const seen = new Set<string>();
    for (let i = 0; i < 300 && seen.size < members.length; i++) seen.add((await h.kc.srandmember("s")) as string);
    expect([...seen].sort()).toEqual(members);
    const fromCounts = new Set((await h.kc.srandmember("s", -2000)) as string[]);
    expect([...fromCounts].sort()).toEqual(members);
    const distinct = new Set<string>();
    for (let i = 0; i < 200 && distinct.size < members.length; i++) for (const m of (await h.kc.srandmember("s", 3)) as string[]) distinct.add(m);
    expect([...distinct].sort()).toEqual(members);
  });

  it("answers Redis's errors", async () => {
    await h.kc.set("str", "v");
    await h.kc.sadd("s", "a");
    expect(await error(h.kc.call("SRANDMEMBER", "s", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("SRANDMEMBER", "s", "9223372036854775808"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("SRANDMEMBER", "s", "-9223372036854775808"))).toBe(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
    expect(await error(h.kc.call("SRANDMEMBER", "s", "1", "2"))).toBe(SYNTAX);
    expect(await error(h.kc.srandmember("str"))).toBe(WRONGTYPE);
    expect(await error(h.kc.srandmember("str", 0))).toBe(WRONGTYPE);
    // Redis would try to build the reply; keycast refuses counts that would exhaust its heap.
    expect(await error(h.kc.call("SRANDMEMBER", "s", "-9223372036854775807"))).toBe("ERR value is out of range");
    expect(await h.kc.srandmember("s", 9007199254740993)).toEqual(["a"]);
  });

  it("replies an array (not a set) with a count, as Redis 7.0 does", async () => {
    await h.kc.sadd("s", "a", "b");
    const ctx = new Context(h.server.state, session(3));
    expect(Array.isArray(execute(ctx, ["SRANDMEMBER", "s", "5"]))).toBe(true);
    expect(Array.isArray(execute(ctx, ["SRANDMEMBER", "s", "1"]))).toBe(true);
  });
});

describe("SMOVE", () => {
  it("moves a member, creating the destination and deleting an emptied source", async () => {
    await h.kc.sadd("src", "a", "b");
    expect(await h.kc.smove("src", "dst", "a")).toBe(1);
    expect(await h.kc.smembers("src")).toEqual(["b"]);
    expect(await h.kc.smembers("dst")).toEqual(["a"]);
    expect(await h.kc.smove("src", "dst", "zz")).toBe(0);
    expect(await h.kc.smove("src", "dst", "b")).toBe(1);
    expect(await h.kc.exists("src")).toBe(0);
    expect(sorted(await h.kc.smembers("dst"))).toEqual(["a", "b"]);
    expect(await h.kc.smove("none", "dst", "a")).toBe(0);
  });

  it("answers 1 when the member is already in the destination, and removes it from the source", async () => {
    await h.kc.sadd("src", "a", "b");
    await h.kc.sadd("dst", "a");
    expect(await h.kc.smove("src", "dst", "a")).toBe(1);
    expect(await h.kc.smembers("src")).toEqual(["b"]);
    expect(await h.kc.smembers("dst")).toEqual(["a"]);
    expect(events.slice(-1)).toEqual([["srem", "src", ["a"]]]);
  });

  it("is a membership test when source and destination are the same key", async () => {
    await h.kc.sadd("s", "a");
    events = [];
    expect(await h.kc.smove("s", "s", "a")).toBe(1);
    expect(await h.kc.smove("s", "s", "b")).toBe(0);
    expect(await h.kc.smembers("s")).toEqual(["a"]);
    expect(events).toEqual([]);
  });

  it("checks types as Redis does: a missing source wins over a wrong destination", async () => {
    await h.kc.set("str", "v");
    await h.kc.sadd("s", "a");
    expect(await h.kc.smove("none", "str", "a")).toBe(0);
    expect(await error(h.kc.smove("s", "str", "a"))).toBe(WRONGTYPE);
    expect(await error(h.kc.smove("str", "s", "a"))).toBe(WRONGTYPE);
    expect(await h.kc.smembers("s")).toEqual(["a"]);
    expect(await error(h.kc.call("SMOVE", "s", "d"))).toBe(arity("smove"));
  });

  it("announces srem, del, then sadd", async () => {
    await h.kc.sadd("src", "a");
    events = [];
    await h.kc.smove("src", "dst", "a");
    expect(events).toEqual([
      ["srem", "src", ["a"]],
      ["del", "src", undefined],
      ["new", "dst", undefined],
      ["sadd", "dst", ["a"]],
    ]);
  });
});

describe("SINTER SUNION SDIFF", () => {
  beforeEach(async () => {
    await h.kc.sadd("a", "1", "2", "3", "4");
    await h.kc.sadd("b", "2", "3", "5");
    await h.kc.sadd("c", "3", "4", "6");
  });

  it("computes intersections, unions and differences", async () => {
    expect(sorted(await h.kc.sinter("a", "b"))).toEqual(["2", "3"]);
    expect(sorted(await h.kc.sinter("a", "b", "c"))).toEqual(["3"]);
    expect(sorted(await h.kc.sinter("a"))).toEqual(["1", "2", "3", "4"]);
    expect(sorted(await h.kc.sinter("a", "a"))).toEqual(["1", "2", "3", "4"]);
    expect(sorted(await h.kc.sunion("a", "b", "c"))).toEqual(["1", "2", "3", "4", "5", "6"]);
    expect(sorted(await h.kc.sdiff("a", "b"))).toEqual(["1", "4"]);
    expect(sorted(await h.kc.sdiff("a", "b", "c"))).toEqual(["1"]);
    expect(sorted(await h.kc.sdiff("b", "a"))).toEqual(["5"]);
    expect(await h.kc.sdiff("a", "a")).toEqual([]);
  });

  it("treats missing keys as empty sets", async () => {
    expect(await h.kc.sinter("a", "none")).toEqual([]);
    expect(sorted(await h.kc.sunion("a", "none"))).toEqual(["1", "2", "3", "4"]);
    expect(sorted(await h.kc.sdiff("a", "none"))).toEqual(["1", "2", "3", "4"]);
    expect(await h.kc.sdiff("none", "a")).toEqual([]);
    expect(await h.kc.sunion("none")).toEqual([]);
  });

  it("checks every key's type, even after a missing one", async () => {
    await h.kc.set("str", "v");
    expect(await error(h.kc.sinter("none", "str"))).toBe(WRONGTYPE);
    expect(await error(h.kc.sunion("a", "str"))).toBe(WRONGTYPE);
    expect(await error(h.kc.sdiff("none", "str"))).toBe(WRONGTYPE);
    expect(await error(h.kc.sinterstore("d", "none", "str"))).toBe(WRONGTYPE);
    expect(await error(h.kc.call("SINTER"))).toBe(arity("sinter"));
    expect(await error(h.kc.call("SUNIONSTORE", "d"))).toBe(arity("sunionstore"));
  });

  it("replies with RESP3 sets", () => {
    const ctx = new Context(h.server.state, session(3));
    for (const cmd of ["SINTER", "SUNION", "SDIFF"]) {
      expect(execute(ctx, [cmd, "a", "b"])).toBeInstanceOf(SetReply);
      expect(execute(ctx, [cmd, "none"])).toBeInstanceOf(SetReply);
    }
  });
});

describe("SINTERSTORE SUNIONSTORE SDIFFSTORE", () => {
  beforeEach(async () => {
    await h.kc.sadd("a", "1", "2", "3");
    await h.kc.sadd("b", "2", "3", "4");
    events = [];
  });

  it("stores the result and replies with its size", async () => {
    expect(await h.kc.sinterstore("d", "a", "b")).toBe(2);
    expect(sorted(await h.kc.smembers("d"))).toEqual(["2", "3"]);
    expect(await h.kc.sunionstore("d", "a", "b")).toBe(4);
    expect(sorted(await h.kc.smembers("d"))).toEqual(["1", "2", "3", "4"]);
    expect(await h.kc.sdiffstore("d", "a", "b")).toBe(1);
    expect(await h.kc.smembers("d")).toEqual(["1"]);
    // The stored set is a copy: changing a source later leaves it alone.
    expect(await h.kc.sunionstore("d", "a")).toBe(3);
    await h.kc.sadd("a", "9");
    expect(await h.kc.scard("d")).toBe(3);
  });

  it("may use the destination as a source", async () => {
    expect(await h.kc.sunionstore("a", "a", "b")).toBe(4);
    expect(sorted(await h.kc.smembers("a"))).toEqual(["1", "2", "3", "4"]);
    expect(await h.kc.sinterstore("b", "b", "a")).toBe(3);
    expect(await h.kc.sdiffstore("a", "a", "b")).toBe(1);
    expect(await h.kc.smembers("a")).toEqual(["1"]);
  });

  it("overwrites a key of another type and drops its TTL", async () => {
    await h.kc.set("d", "v", "PX", 100000);
    expect(await h.kc.sinterstore("d", "a", "b")).toBe(2);
    expect(await h.kc.type("d")).toBe("set");
    expect(await h.kc.pttl("d")).toBe(-1);
    await h.kc.hset("h", "f", "v");
    expect(await h.kc.sunionstore("h", "a")).toBe(3);
    expect(await h.kc.type("h")).toBe("set");
  });

  it("deletes the destination when the result is empty", async () => {
    await h.kc.set("d", "v");
    expect(await h.kc.sinterstore("d", "a", "none")).toBe(0);
    expect(await h.kc.exists("d")).toBe(0);
    await h.kc.sadd("d", "x");
    expect(await h.kc.sdiffstore("d", "a", "a")).toBe(0);
    expect(await h.kc.exists("d")).toBe(0);
    expect(await h.kc.sunionstore("d", "none")).toBe(0);
    expect(await h.kc.exists("d")).toBe(0);
  });

  it("announces the store, or del for an empty result over an existing key", async () => {
    await h.kc.sinterstore("d", "a", "b");
    await h.kc.sunionstore("d", "a", "b");
    await h.kc.sdiffstore("d", "a", "b");
    await h.kc.sinterstore("d", "a", "none");
    await h.kc.sinterstore("d", "a", "none");
    expect(events).toEqual([
      ["new", "d", undefined],
      ["sinterstore", "d", undefined],
      ["sunionstore", "d", undefined],
      ["sdiffstore", "d", undefined],
      ["del", "d", undefined],
    ]);
  });
});

describe("SINTERCARD", () => {
  beforeEach(async () => {
    await h.kc.sadd("a", "1", "2", "3", "4", "5");
    await h.kc.sadd("b", "2", "3", "4", "5", "6");
  });

  it("counts the intersection, up to LIMIT", async () => {
    expect(await h.kc.sintercard(2, "a", "b")).toBe(4);
    expect(await h.kc.sintercard(1, "a")).toBe(5);
    expect(await h.kc.sintercard(2, "a", "b", "LIMIT", 2)).toBe(2);
    expect(await h.kc.sintercard(2, "a", "b", "limit", 0)).toBe(4);
    expect(await h.kc.sintercard(2, "a", "b", "LIMIT", 100)).toBe(4);
    expect(await h.kc.sintercard(2, "a", "b", "LIMIT", 1, "LIMIT", 3)).toBe(3);
    expect(await h.kc.sintercard(2, "a", "none")).toBe(0);
  });

  it("answers Redis's errors", async () => {
    await h.kc.set("str", "v");
    expect(await error(h.kc.sintercard(0, "a"))).toBe("ERR numkeys should be greater than 0");
    expect(await error(h.kc.sintercard(-1, "a"))).toBe("ERR numkeys should be greater than 0");
    expect(await error(h.kc.call("SINTERCARD", "x", "a"))).toBe("ERR numkeys should be greater than 0");
    expect(await error(h.kc.sintercard(3, "a", "b"))).toBe("ERR Number of keys can't be greater than number of args");
    expect(await error(h.kc.sintercard(1, "a", "LIMIT", -1))).toBe("ERR LIMIT can't be negative");
    expect(await error(h.kc.sintercard(1, "a", "LIMIT", "x"))).toBe("ERR LIMIT can't be negative");
    expect(await error(h.kc.sintercard(1, "a", "LIMIT"))).toBe(SYNTAX);
    expect(await error(h.kc.sintercard(1, "a", "b"))).toBe(SYNTAX);
    expect(await error(h.kc.sintercard(2, "none", "str"))).toBe(WRONGTYPE);
    expect(await error(h.kc.call("SINTERCARD", "1"))).toBe(arity("sintercard"));
  });
});

describe("SSCAN", () => {
  it("returns a small set in one call with cursor 0", async () => {
    await h.kc.sadd("s", "a", "b", "c");
    const [cursor, members] = await h.kc.sscan("s", 0);
    expect(cursor).toBe("0");
    expect(sorted(members)).toEqual(["a", "b", "c"]);
    expect(await h.kc.sscan("none", 0)).toEqual(["0", []]);
    const [, matched] = await h.kc.sscan("s", "0", "MATCH", "[ab]");
    expect(sorted(matched)).toEqual(["a", "b"]);
  });

  it("walks a large set with COUNT and MATCH, tolerating changes between calls", async () => {
    const members = Array.from({ length: 1000 }, (_, i) => `m${i}`);
    await h.kc.sadd("s", ...(members as [string, ...string[]]));
    const seen = new Set<string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, got] = await h.kc.sscan("s", cursor, "COUNT", 50);
      expect(got.length).toBeLessThanOrEqual(50);
      for (const m of got) seen.add(m);
      // Churn that must not hide any member that stays: add new ones, drop some of them.
      await h.kc.sadd("s", `x${calls}`, `y${calls}`);
      await h.kc.srem("s", `x${calls}`);
      cursor = next;
      calls++;
    } while (cursor !== "0" && calls < 1000);
    expect(cursor).toBe("0");
    expect(calls).toBeGreaterThan(10);
    for (const m of members) expect(seen.has(m)).toBe(true);

    const matched: string[] = [];
    cursor = "0";
    do {
      const [next, got] = await h.kc.sscan("s", cursor, "MATCH", "m1?", "COUNT", 100);
      matched.push(...got);
      cursor = next;
    } while (cursor !== "0");
    expect(sorted(matched)).toEqual(sorted(Array.from({ length: 10 }, (_, i) => `m1${i}`)));
  });

  it("answers Redis's errors", async () => {
    await h.kc.set("str", "v");
    await h.kc.sadd("s", "a");
    expect(await error(h.kc.sscan("s", "x"))).toBe("ERR invalid cursor");
    expect(await error(h.kc.sscan("s", " 1"))).toBe("ERR invalid cursor");
    expect(await error(h.kc.sscan("s", "18446744073709551616"))).toBe("ERR invalid cursor");
    expect(await error(h.kc.sscan("none", "x"))).toBe("ERR invalid cursor");
    expect(await error(h.kc.sscan("s", 0, "COUNT", 0))).toBe(SYNTAX);
    expect(await error(h.kc.sscan("s", 0, "COUNT", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.sscan("s", 0, "MATCH"))).toBe(SYNTAX);
    expect(await error(h.kc.sscan("s", 0, "TYPE", "string"))).toBe(SYNTAX);
    expect(await error(h.kc.sscan("str", 0))).toBe(WRONGTYPE);
    // Options are only read once the key is found, as in Redis.
    expect(await h.kc.sscan("none", 0, "BOGUS")).toEqual(["0", []]);
    // strtoul's rules: a sign, leading zeros and the empty string are accepted.
    expect((await h.kc.sscan("s", ""))[1]).toEqual(["a"]);
    expect((await h.kc.sscan("s", "+0"))[1]).toEqual(["a"]);
    expect(await error(h.kc.call("SSCAN", "s"))).toBe(arity("sscan"));
  });
});

describe("COPY", () => {
  it("copies a set deeply", async () => {
    await h.kc.sadd("s", "a", "b");
    await h.kc.call("COPY", "s", "t");
    await h.kc.sadd("t", "c");
    await h.kc.srem("s", "a");
    expect(sorted(await h.kc.smembers("s"))).toEqual(["b"]);
    expect(sorted(await h.kc.smembers("t"))).toEqual(["a", "b", "c"]);
  });
});

describe("wrong-type errors through the dispatcher", () => {
  it("returns an ErrorReply, never throws", () => {
    const ctx = new Context(h.server.state, session(2));
    execute(ctx, ["SET", "str", "v"]);
    for (const argv of [["SADD", "str", "a"], ["SPOP", "str"], ["SINTERCARD", "1", "str"], ["SSCAN", "str", "0"]]) {
      const r = execute(ctx, argv);
      expect(r).toBeInstanceOf(ErrorReply);
      expect((r as ErrorReply).message).toBe(WRONGTYPE);
    }
  });
});
