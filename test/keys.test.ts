// The generic keyspace commands, against Redis 7's replies, errors and keyspace events.
import { beforeEach, describe, expect, it } from "vitest";
import type { KeycastClient } from "../client/node.js";
import { useServer } from "./helpers.js";

const SYNTAX = "ERR syntax error";
const NOT_INTEGER = "ERR value is not an integer or out of range";
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const bytes = (...b: number[]) => new Uint8Array(b);
const latin1 = (u: Uint8Array) => Buffer.from(u).toString("latin1");

const h = useServer();
let kc: KeycastClient;

/** Keyspace events as [db, event, key], recorded from the server while `fn` runs. */
async function eventsOf(fn: () => Promise<unknown>): Promise<[number, string, string][]> {
  const seen: [number, string, string][] = [];
  const off = h.server.state.keyspace.onKeyEvent((db, event, key) => void seen.push([db, event, key]));
  try {
    await fn();
  } finally {
    off();
  }
  return seen;
}

/** Events with their deltas, for the commands that attach one. */
async function deltasOf(fn: () => Promise<unknown>): Promise<[string, string, unknown][]> {
  const seen: [string, string, unknown][] = [];
  const off = h.server.state.keyspace.onKeyEvent((_db, event, key, delta) => void seen.push([event, key, delta]));
  try {
    await fn();
  } finally {
    off();
  }
  return seen;
}

/** One key of every type. */
async function makeAllTypes(prefix = ""): Promise<void> {
  await kc.set(`${prefix}str`, "v");
  await kc.call("RPUSH", `${prefix}list`, "a", "b", "c");
  await kc.call("SADD", `${prefix}set`, "x", "y");
  await kc.call("HSET", `${prefix}hash`, "f", "v", "g", "w");
}

/** Runs SCAN to the end; every key of every reply, in order (duplicates kept). */
async function scanAll(...options: (string | number)[]): Promise<string[]> {
  const seen: string[] = [];
  let cursor = "0";
  for (let calls = 0; ; calls++) {
    expect(calls).toBeLessThan(100_000);
    const [next, keys] = await kc.scan(cursor, ...options);
    seen.push(...keys);
    cursor = next;
    if (cursor === "0") return seen;
  }
}

beforeEach(async () => {
  kc = h.kc;
  await kc.select(0);
  await kc.flushall();
});

describe("DEL, UNLINK, EXISTS, TOUCH", () => {
  it("count the keys that existed, each key once per mention", async () => {
    await kc.set("a", "1");
    await kc.set("b", "2");
    expect(await kc.exists("a", "b", "a", "nope")).toBe(3);
    expect(await kc.touch("a", "b", "a", "nope")).toBe(3);
    expect(await kc.del("a", "nope", "a")).toBe(1);
    expect(await kc.unlink("b", "b")).toBe(1);
    expect(await kc.exists("a", "b")).toBe(0);
    expect(await kc.unlink("nope")).toBe(0);
  });

  it("delete containers of every type", async () => {
    await makeAllTypes();
    expect(await kc.unlink("str", "list", "set", "hash")).toBe(4);
    expect(await kc.keys("*")).toEqual([]);
  });

  it("announce del for each removed key and nothing for a missing one", async () => {
    await kc.set("a", "1");
    await kc.set("b", "2");
    expect(await eventsOf(() => kc.unlink("a", "zz", "b"))).toEqual([
      [0, "del", "a"],
      [0, "del", "b"],
    ]);
    expect(await eventsOf(() => kc.del("a"))).toEqual([]);
  });

  it("take binary keys and the empty key", async () => {
    const key = bytes(0, 0xff, 0x80, 0x0d, 0x0a);
    await kc.set(key, "v");
    await kc.set("", "empty");
    expect(await kc.exists(key, "")).toBe(2);
    expect(await kc.exists(bytes(0, 0xff, 0x80, 0x0d))).toBe(0);
    expect(await kc.del(key, "")).toBe(2);
  });

  it("do not count expired keys", async () => {
    await kc.set("gone", "1", "PX", 30);
    await kc.set("kept", "1");
    await sleep(60);
    expect(await kc.exists("gone", "kept")).toBe(1);
    expect(await kc.touch("gone", "kept")).toBe(1);
    expect(await kc.del("gone")).toBe(0);
    expect(await kc.unlink("gone")).toBe(0);
  });

  it("check arity", async () => {
    await expect(kc.call("UNLINK")).rejects.toThrow(arity("unlink"));
    await expect(kc.call("TOUCH")).rejects.toThrow(arity("touch"));
    await expect(kc.call("EXISTS")).rejects.toThrow(arity("exists"));
  });
});

describe("TYPE", () => {
  it("names each type, and none for a missing key", async () => {
    await makeAllTypes();
    expect(await kc.type("str")).toBe("string");
    expect(await kc.type("list")).toBe("list");
    expect(await kc.type("set")).toBe("set");
    expect(await kc.type("hash")).toBe("hash");
    expect(await kc.type("nope")).toBe("none");
  });

  it("sees binary and empty keys, not expired ones", async () => {
    await kc.set(bytes(0xff, 0), "v");
    await kc.set("", "v");
    await kc.set("gone", "v", "PX", 30);
    expect(await kc.type(bytes(0xff, 0))).toBe("string");
    expect(await kc.type("")).toBe("string");
    await sleep(60);
    expect(await kc.type("gone")).toBe("none");
    await expect(kc.call("TYPE")).rejects.toThrow(arity("type"));
    await expect(kc.call("TYPE", "a", "b")).rejects.toThrow(arity("type"));
  });
});

describe("KEYS", () => {
  it("returns the keys that match a glob", async () => {
    for (const k of ["user:1", "user:2", "user:10", "session:1", "u", ""]) await kc.set(k, "v");
    expect((await kc.keys("*")).sort()).toEqual(["", "session:1", "u", "user:1", "user:10", "user:2"]);
    expect((await kc.keys("user:?")).sort()).toEqual(["user:1", "user:2"]);
    expect((await kc.keys("user:*")).sort()).toEqual(["user:1", "user:10", "user:2"]);
    expect((await kc.keys("*:1")).sort()).toEqual(["session:1", "user:1"]);
    expect((await kc.keys("user:[^2]*")).sort()).toEqual(["user:1", "user:10"]);
    expect(await kc.keys("u")).toEqual(["u"]);
    expect(await kc.keys("user")).toEqual([]);
    expect(await kc.keys("nomatch*")).toEqual([]);
    // Only "*" itself is special-cased to every key; the matcher never matches "" with a star.
    expect((await kc.keys("**")).sort()).toEqual(["session:1", "u", "user:1", "user:10", "user:2"]);
    expect(await kc.keys("")).toEqual([""]);
  });

  it("matches bytes, escapes and literal special characters", async () => {
    await kc.set(bytes(0x61, 0x00, 0xff), "v");
    await kc.set("a*b", "v");
    await kc.set("axb", "v");
    expect((await kc.bytes.keys(bytes(0x61, 0x00, 0x2a))).map(latin1)).toEqual(["a\x00\xff"]);
    expect((await kc.bytes.keys(bytes(0x61, 0x3f, 0xff))).map(latin1)).toEqual(["a\x00\xff"]);
    expect(await kc.keys("a\\*b")).toEqual(["a*b"]);
    expect((await kc.keys("a*b")).sort()).toEqual(["a*b", "axb"]);
  });

  it("skips expired keys", async () => {
    await kc.set("live", "v");
    await kc.set("dying", "v", "PX", 30);
    await sleep(60);
    expect(await kc.keys("*")).toEqual(["live"]);
    expect(await kc.keys("dying")).toEqual([]);
    expect(await kc.keys("d*")).toEqual([]);
  });

  it("only sees the selected database", async () => {
    await kc.set("zero", "v");
    await kc.select(3);
    await kc.set("three", "v");
    expect(await kc.keys("*")).toEqual(["three"]);
    await kc.select(0);
    expect(await kc.keys("*")).toEqual(["zero"]);
  });

  it("checks arity", async () => {
    await expect(kc.call("KEYS")).rejects.toThrow(arity("keys"));
    await expect(kc.call("KEYS", "a", "b")).rejects.toThrow(arity("keys"));
  });
});

describe("SCAN", () => {
  it("walks every key once when nothing changes", async () => {
    const all = Array.from({ length: 250 }, (_, i) => `k${i}`);
    await kc.call("MSET", ...all.flatMap((k) => [k, "v"]));
    const seen = await scanAll();
    expect(seen.sort()).toEqual(all.slice().sort());
    expect((await scanAll("COUNT", 1)).sort()).toEqual(all.slice().sort());
    expect((await scanAll("COUNT", 1000)).sort()).toEqual(all.slice().sort());
  });

  it("does about COUNT keys of work per call (default 10)", async () => {
    await kc.call("MSET", ...Array.from({ length: 100 }, (_, i) => [`k${i}`, "v"]).flat());
    const [cursor, keys] = await kc.scan(0);
    expect(cursor).not.toBe("0");
    expect(keys.length).toBe(10);
    const [c2, more] = await kc.scan(cursor, "COUNT", 25);
    expect(c2).not.toBe("0");
    expect(more.length).toBe(25);
    expect(new Set([...keys, ...more]).size).toBe(35);
  });

  it("ends in one call on a small database, and answers 0 on an empty one", async () => {
    expect(await kc.scan(0)).toEqual(["0", []]);
    await kc.set("a", "1");
    await kc.set("b", "1");
    const [cursor, keys] = await kc.scan(0);
    expect(cursor).toBe("0");
    expect(keys.sort()).toEqual(["a", "b"]);
  });

  it("filters with MATCH, applied after COUNT as in Redis", async () => {
    for (let i = 0; i < 50; i++) await kc.set(`user:${i}`, "v");
    for (let i = 0; i < 50; i++) await kc.set(`other:${i}`, "v");
    const seen = await scanAll("MATCH", "user:*", "COUNT", 7);
    expect(seen.length).toBe(50);
    expect(seen.every((k) => k.startsWith("user:"))).toBe(true);
    expect(await scanAll("MATCH", "nothing*")).toEqual([]);
    expect((await scanAll("MATCH", "*")).length).toBe(100);
    // The last MATCH wins.
    expect((await scanAll("MATCH", "user:*", "MATCH", "other:1")).sort()).toEqual(["other:1"]);
  });

  it("filters with TYPE, case-insensitively; an unknown type matches nothing", async () => {
    await makeAllTypes();
    await makeAllTypes("b:");
    expect((await scanAll("TYPE", "string")).sort()).toEqual(["b:str", "str"]);
    expect((await scanAll("TYPE", "LIST")).sort()).toEqual(["b:list", "list"]);
    expect((await scanAll("type", "Set")).sort()).toEqual(["b:set", "set"]);
    expect((await scanAll("TYPE", "hash", "MATCH", "b:*")).sort()).toEqual(["b:hash"]);
    expect(await scanAll("TYPE", "zset")).toEqual([]);
    expect(await scanAll("TYPE", "none")).toEqual([]);
  });

  it("returns binary and empty keys as they are", async () => {
    await kc.set(bytes(0, 0xff, 0x0a), "v");
    await kc.set("", "v");
    const [cursor, keys] = await kc.bytes.scan(0);
    expect(latin1(cursor)).toBe("0");
    expect(keys.map(latin1).sort()).toEqual(["", "\x00\xff\x0a"]);
    const [, matched] = await kc.bytes.scan(0, "MATCH", bytes(0, 0x2a));
    expect(matched.map(latin1)).toEqual(["\x00\xff\x0a"]);
  });

  it("never returns expired keys", async () => {
    for (let i = 0; i < 30; i++) await kc.set(`live${i}`, "v");
    for (let i = 0; i < 30; i++) await kc.set(`dying${i}`, "v", "PX", 30);
    await sleep(60);
    const seen = await scanAll("COUNT", 5);
    expect(seen.length).toBe(30);
    expect(seen.every((k) => k.startsWith("live"))).toBe(true);
  });

  it("returns every key present for the whole scan while keys are added and removed", async () => {
    const stable = Array.from({ length: 300 }, (_, i) => `stable:${i}`);
    const churn = Array.from({ length: 300 }, (_, i) => `churn:${i}`);
    // Interleaved, so deletions happen before, at and after the cursor's position.
    await kc.call("MSET", ...stable.flatMap((k, i) => [k, "v", churn[i]!, "v"]));
    const seen = new Set<string>();
    let cursor = "0";
    let round = 0;
    do {
      const [next, keys] = await kc.scan(cursor, "COUNT", 7);
      for (const k of keys) seen.add(k);
      cursor = next;
      // Between calls: drop some churn keys, add new ones, recreate a few dropped ones.
      const batch = kc.batch();
      for (let j = 0; j < 5; j++) batch.del(churn[(round * 5 + j) % churn.length]!);
      for (let j = 0; j < 4; j++) batch.set(`new:${round}:${j}`, "v");
      batch.set(churn[(round * 3) % churn.length]!, "again");
      await batch.exec();
      round++;
    } while (cursor !== "0");
    for (const k of stable) expect(seen.has(k), k).toBe(true);
    expect(round).toBeLessThan(1000);
  });

  it("still finishes with every key when a cursor has been pushed out by many other scans", async () => {
    const all = Array.from({ length: 60 }, (_, i) => `k${i}`);
    await kc.call("MSET", ...all.flatMap((k) => [k, "v"]));
    const [cursor, first] = await kc.scan(0, "COUNT", 20);
    const others = kc.batch();
    for (let i = 0; i < 1500; i++) others.scan(0, "COUNT", 1);
    await others.exec();
    const seen = new Set(first);
    let c = cursor;
    while (c !== "0") {
      const [next, keys] = await kc.scan(c, "COUNT", 20);
      for (const k of keys) seen.add(k);
      c = next;
    }
    expect([...seen].sort()).toEqual(all.slice().sort());
  });

  it("can resume the same cursor twice (a retried call)", async () => {
    const all = Array.from({ length: 40 }, (_, i) => `k${i}`);
    await kc.call("MSET", ...all.flatMap((k) => [k, "v"]));
    const [cursor] = await kc.scan(0, "COUNT", 10);
    const [, a] = await kc.scan(cursor, "COUNT", 10);
    const [, b] = await kc.scan(cursor, "COUNT", 10);
    expect(b.sort()).toEqual(a.sort());
  });

  it("ends cleanly when the database is flushed mid-scan", async () => {
    await kc.call("MSET", ...Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]).flat());
    const [cursor] = await kc.scan(0);
    await kc.flushdb();
    await kc.set("after", "v");
    let c = cursor;
    for (let i = 0; i < 100 && c !== "0"; i++) [c] = await kc.scan(c);
    expect(c).toBe("0");
  });

  it("reads cursors as Redis's strtoul does", async () => {
    await kc.set("a", "1");
    expect(await kc.scan("")).toEqual(["0", ["a"]]);
    expect(await kc.scan("+0")).toEqual(["0", ["a"]]);
    expect(await kc.scan("00")).toEqual(["0", ["a"]]);
    expect(await kc.scan("-0")).toEqual(["0", ["a"]]);
    // Valid numbers that are not a cursor this server gave out: a reply, not an error.
    expect((await kc.scan("18446744073709551615"))[0]).toBe("0");
    expect((await kc.scan("-1"))[0]).toBe("0");
    for (const bad of [" 0", "0 ", "\t0", "+", "-", "0x1", "1.0", "abc", "18446744073709551616", "-18446744073709551616"]) {
      await expect(kc.scan(bad), JSON.stringify(bad)).rejects.toThrow("ERR invalid cursor");
    }
  });

  it("rejects bad options with Redis's errors", async () => {
    await expect(kc.scan(0, "COUNT", 0)).rejects.toThrow(SYNTAX);
    await expect(kc.scan(0, "COUNT", -1)).rejects.toThrow(SYNTAX);
    await expect(kc.scan(0, "COUNT", "abc")).rejects.toThrow(NOT_INTEGER);
    await expect(kc.scan(0, "COUNT", "9223372036854775808")).rejects.toThrow(NOT_INTEGER);
    await expect(kc.scan(0, "COUNT")).rejects.toThrow(SYNTAX);
    await expect(kc.scan(0, "MATCH")).rejects.toThrow(SYNTAX);
    await expect(kc.scan(0, "TYPE")).rejects.toThrow(SYNTAX);
    await expect(kc.scan(0, "FOO", "bar")).rejects.toThrow(SYNTAX);
    await expect(kc.scan(0, "FOO")).rejects.toThrow(SYNTAX);
    await expect(kc.call("SCAN", "abc", "FOO")).rejects.toThrow("ERR invalid cursor");
    await expect(kc.call("SCAN")).rejects.toThrow(arity("scan"));
  });
});

describe("RANDOMKEY", () => {
  it("answers null on an empty database", async () => {
    expect(await kc.randomkey()).toBe(null);
  });

  it("returns existing keys, eventually each of a few", async () => {
    const all = ["a", "b", "c", "", "d"];
    for (const k of all) await kc.set(k, "v");
    const seen = new Set<string>();
    for (let i = 0; i < 300 && seen.size < all.length; i++) seen.add((await kc.randomkey())!);
    expect([...seen].sort()).toEqual(all.slice().sort());
  });

  it("keeps up with keys deleted and added after earlier calls", async () => {
    for (let i = 0; i < 100; i++) await kc.set(`old${i}`, "v");
    expect((await kc.randomkey())!.startsWith("old")).toBe(true);
    await kc.call("DEL", ...Array.from({ length: 100 }, (_, i) => `old${i}`));
    await kc.set("new1", "v");
    await kc.set("new2", "v");
    for (let i = 0; i < 20; i++) expect(["new1", "new2"]).toContain(await kc.randomkey());
  });

  it("never returns an expired key", async () => {
    for (let i = 0; i < 50; i++) await kc.set(`dying${i}`, "v", "PX", 30);
    await kc.set("live", "v");
    await sleep(60);
    for (let i = 0; i < 20; i++) expect(await kc.randomkey()).toBe("live");
    await kc.del("live");
    expect(await kc.randomkey()).toBe(null);
  });

  it("returns binary keys as they are", async () => {
    await kc.set(bytes(0xff, 0, 0x80), "v");
    expect(latin1((await kc.bytes.randomkey())!)).toBe("\xff\x00\x80");
    await expect(kc.call("RANDOMKEY", "x")).rejects.toThrow(arity("randomkey"));
  });
});

describe("TTL, PTTL, EXPIRETIME, PEXPIRETIME", () => {
  it("answer -2 for a missing key and -1 for a key without a TTL", async () => {
    await kc.set("k", "v");
    for (const cmd of ["ttl", "pttl", "expiretime", "pexpiretime"] as const) {
      expect(await kc[cmd]("nope")).toBe(-2);
      expect(await kc[cmd]("k")).toBe(-1);
    }
  });

  it("report the remaining time and the deadline, rounding seconds like Redis", async () => {
    await kc.set("k", "v");
    const before = Date.now();
    expect(await kc.pexpire("k", 100_000)).toBe(1);
    const after = Date.now();
    const pttl = await kc.pttl("k");
    expect(pttl).toBeGreaterThan(99_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    expect(await kc.ttl("k")).toBe(100);
    const at = await kc.pexpiretime("k");
    expect(at).toBeGreaterThanOrEqual(before + 100_000);
    expect(at).toBeLessThanOrEqual(after + 100_000);
    expect(await kc.expiretime("k")).toBe(Math.floor((at + 500) / 1000));
    // 1.4 s rounds down, 1.6 s up.
    await kc.pexpire("k", 1400);
    expect(await kc.ttl("k")).toBe(1);
    await kc.pexpire("k", 1600);
    expect(await kc.ttl("k")).toBe(2);
  });

  it("answer -2 once the key expired", async () => {
    await kc.set("k", "v", "PX", 30);
    await sleep(60);
    expect(await kc.ttl("k")).toBe(-2);
    expect(await kc.pttl("k")).toBe(-2);
    expect(await kc.expiretime("k")).toBe(-2);
    expect(await kc.pexpiretime("k")).toBe(-2);
  });

  it("work on binary and empty keys", async () => {
    await kc.set(bytes(0, 0xff), "v", "EX", 100);
    await kc.set("", "v", "EX", 100);
    expect(await kc.ttl(bytes(0, 0xff))).toBe(100);
    expect(await kc.ttl("")).toBe(100);
    await expect(kc.call("TTL")).rejects.toThrow(arity("ttl"));
    await expect(kc.call("PEXPIRETIME", "a", "b")).rejects.toThrow(arity("pexpiretime"));
  });
});

describe("EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT", () => {
  it("set a TTL and announce expire; 0 for a missing key", async () => {
    await kc.set("k", "v");
    expect(await eventsOf(() => kc.expire("k", 100))).toEqual([[0, "expire", "k"]]);
    expect(await kc.ttl("k")).toBe(100);
    expect(await kc.pexpire("k", 5000)).toBe(1);
    expect(await kc.ttl("k")).toBe(5);
    const now = Math.floor(Date.now() / 1000);
    expect(await kc.expireat("k", now + 200)).toBe(1);
    expect(await kc.expiretime("k")).toBe(now + 200);
    expect(await kc.pexpireat("k", (now + 300) * 1000 + 123)).toBe(1);
    expect(await kc.pexpiretime("k")).toBe((now + 300) * 1000 + 123);
    expect(await eventsOf(() => kc.expire("nope", 100))).toEqual([]);
    expect(await kc.expire("nope", 100)).toBe(0);
    expect(await kc.exists("nope")).toBe(0);
  });

  it("delete the key at once for a TTL of 0, a negative one or a past time, announcing del", async () => {
    const cases: [string, () => Promise<number>][] = [
      ["EXPIRE 0", () => kc.expire("k", 0)],
      ["EXPIRE -5", () => kc.expire("k", -5)],
      ["PEXPIRE -1", () => kc.pexpire("k", -1)],
      ["EXPIREAT 0", () => kc.expireat("k", 0)],
      ["EXPIREAT past", () => kc.expireat("k", Math.floor(Date.now() / 1000) - 10)],
      ["PEXPIREAT -5", () => kc.pexpireat("k", -5)],
      ["EXPIRE huge negative", () => kc.expire("k", "-9223372036854775")],
    ];
    for (const [name, run] of cases) {
      await kc.set("k", "v");
      let reply = -1;
      expect(await eventsOf(async () => void (reply = await run())), name).toEqual([[0, "del", "k"]]);
      expect(reply, name).toBe(1);
      expect(await kc.exists("k"), name).toBe(0);
    }
  });

  it("make the key expire on time, with an expired event", async () => {
    await kc.set("k", "v");
    const events = await eventsOf(async () => {
      await kc.pexpire("k", 30);
      await sleep(80);
    });
    expect(events).toEqual([
      [0, "expire", "k"],
      [0, "expired", "k"],
    ]);
    expect(await kc.get("k")).toBe(null);
  });

  it("work on keys of every type", async () => {
    await makeAllTypes();
    for (const k of ["str", "list", "set", "hash"]) expect(await kc.pexpire(k, 30), k).toBe(1);
    for (const k of ["str", "list", "set", "hash"]) expect(await kc.pttl(k), k).toBeGreaterThan(0);
    await sleep(70);
    expect(await kc.exists("str", "list", "set", "hash")).toBe(0);
    await makeAllTypes();
    for (const k of ["str", "list", "set", "hash"]) expect(await kc.expire(k, 0), k).toBe(1);
    expect(await kc.exists("str", "list", "set", "hash")).toBe(0);
  });

  it("follow NX, XX, GT and LT, treating no TTL as an infinite one", async () => {
    // Absolute times, so that the comparisons do not depend on the clock moving.
    const t = Date.now() + 1_000_000;
    await kc.set("k", "v");
    // No TTL yet.
    expect(await kc.pexpireat("k", t, "XX")).toBe(0);
    expect(await kc.pexpireat("k", t, "GT")).toBe(0);
    expect(await kc.pexpireat("k", t, "XX", "GT")).toBe(0);
    expect(await kc.pttl("k")).toBe(-1);
    expect(await kc.pexpireat("k", t, "LT")).toBe(1);
    expect(await kc.pexpiretime("k")).toBe(t);
    await kc.persist("k");
    expect(await kc.pexpireat("k", t, "NX")).toBe(1);
    // Deadline t now.
    expect(await kc.pexpireat("k", t + 1, "NX")).toBe(0);
    expect(await kc.pexpireat("k", t - 1, "GT")).toBe(0);
    expect(await kc.pexpireat("k", t, "GT")).toBe(0);
    expect(await kc.pexpireat("k", t + 10, "GT")).toBe(1);
    expect(await kc.pexpiretime("k")).toBe(t + 10);
    expect(await kc.pexpireat("k", t + 11, "LT")).toBe(0);
    expect(await kc.pexpireat("k", t + 10, "LT")).toBe(0);
    expect(await kc.call("PEXPIREAT", "k", t + 5, "lt")).toBe(1);
    expect(await kc.pexpiretime("k")).toBe(t + 5);
    expect(await kc.pexpireat("k", t + 4, "XX", "LT")).toBe(1);
    expect(await kc.pexpireat("k", t + 6, "XX", "LT")).toBe(0);
    expect(await kc.call("PEXPIREAT", "k", t + 7, "xx")).toBe(1);
    expect(await kc.pexpiretime("k")).toBe(t + 7);
    expect(await kc.pexpireat("k", t, "NX", "NX")).toBe(0);
    expect(await kc.pexpiretime("k")).toBe(t + 7);
    // The relative forms compare the same way.
    expect(await kc.expire("k", 10, "GT")).toBe(0);
    expect(await kc.expire("k", 10, "LT")).toBe(1);
    expect(await kc.ttl("k")).toBe(10);
    // LT with a negative TTL deletes.
    expect(await kc.expire("k", -1, "LT")).toBe(1);
    expect(await kc.exists("k")).toBe(0);
    // A failed condition changes nothing and announces nothing.
    await kc.set("k", "v", "EX", 100);
    expect(await eventsOf(() => kc.expire("k", 10, "GT"))).toEqual([]);
    expect(await kc.ttl("k")).toBe(100);
  });

  it("reject incompatible and unknown options before reading the time", async () => {
    await kc.set("k", "v");
    const nxErr = "ERR NX and XX, GT or LT options at the same time are not compatible";
    const gtltErr = "ERR GT and LT options at the same time are not compatible";
    await expect(kc.expire("k", 10, "NX", "XX")).rejects.toThrow(nxErr);
    await expect(kc.expire("k", 10, "NX", "GT")).rejects.toThrow(nxErr);
    await expect(kc.pexpire("k", 10, "LT", "NX")).rejects.toThrow(nxErr);
    await expect(kc.expire("k", 10, "GT", "LT")).rejects.toThrow(gtltErr);
    await expect(kc.call("EXPIRE", "k", "10", "foo")).rejects.toThrow("ERR Unsupported option foo");
    await expect(kc.call("EXPIRE", "k", "10", "")).rejects.toThrow("ERR Unsupported option ");
    await expect(kc.call("EXPIRE", "k", "abc", "foo")).rejects.toThrow("ERR Unsupported option foo");
    await expect(kc.call("EXPIRE", "k", "abc", "NX", "XX")).rejects.toThrow(nxErr);
    await expect(kc.call("EXPIRE", "nope", "10", "foo")).rejects.toThrow("ERR Unsupported option foo");
    expect(await kc.ttl("k")).toBe(-1);
  });

  it("read the time as a strict 64-bit integer", async () => {
    await kc.set("k", "v");
    for (const bad of ["abc", "1.5", " 5", "+5", "05", "", "9223372036854775808"]) {
      await expect(kc.call("EXPIRE", "k", bad), JSON.stringify(bad)).rejects.toThrow(NOT_INTEGER);
    }
    expect(await kc.ttl("k")).toBe(-1);
  });

  it("refuse times that overflow, naming the command", async () => {
    await kc.set("k", "v");
    await expect(kc.expire("k", "9223372036854775807")).rejects.toThrow("ERR invalid expire time in 'expire' command");
    await expect(kc.expire("k", "9223372036854775")).rejects.toThrow("ERR invalid expire time in 'expire' command");
    await expect(kc.expire("k", "-9223372036854775808")).rejects.toThrow("ERR invalid expire time in 'expire' command");
    await expect(kc.pexpire("k", "9223372036854775807")).rejects.toThrow("ERR invalid expire time in 'pexpire' command");
    await expect(kc.expireat("k", "9223372036854775807")).rejects.toThrow("ERR invalid expire time in 'expireat' command");
    await expect(kc.call("EXPIRE", "nope", "9223372036854775807")).rejects.toThrow("ERR invalid expire time in 'expire' command");
    expect(await kc.ttl("k")).toBe(-1);
  });

  it("accept deadlines far in the future without spinning the expiry timer", async () => {
    // Node runs a timer of more than 2^31-1 ms after 1 ms, with this warning.
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on("warning", onWarning);
    await kc.set("k", "v");
    expect(await kc.pexpireat("k", "9223372036854775807")).toBe(1);
    expect(String(await kc.pexpiretime("k"))).toBe("9223372036854775807");
    await kc.set("k2", "v");
    expect(await kc.expire("k2", 60 * 86400)).toBe(1);
    expect(await kc.ttl("k2")).toBe(60 * 86400);
    await kc.set("k3", "v");
    expect(await kc.expireat("k3", "9223372036854775")).toBe(1);
    expect(await kc.exists("k", "k2", "k3")).toBe(3);
    await sleep(20);
    process.off("warning", onWarning);
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });

  it("check arity", async () => {
    await expect(kc.call("EXPIRE", "k")).rejects.toThrow(arity("expire"));
    await expect(kc.call("PEXPIREAT", "k")).rejects.toThrow(arity("pexpireat"));
  });
});

describe("PERSIST", () => {
  it("removes a TTL, announcing persist, and answers 0 when there was none", async () => {
    await kc.set("k", "v", "EX", 100);
    expect(await eventsOf(() => kc.persist("k"))).toEqual([[0, "persist", "k"]]);
    expect(await kc.ttl("k")).toBe(-1);
    expect(await eventsOf(() => kc.persist("k"))).toEqual([]);
    expect(await kc.persist("k")).toBe(0);
    expect(await kc.persist("nope")).toBe(0);
    await kc.set("gone", "v", "PX", 30);
    await sleep(60);
    expect(await kc.persist("gone")).toBe(0);
    expect(await kc.exists("gone")).toBe(0);
  });

  it("keeps the key alive past its old deadline", async () => {
    await kc.call("RPUSH", "l", "a");
    await kc.pexpire("l", 40);
    expect(await kc.persist("l")).toBe(1);
    await sleep(70);
    expect(await kc.type("l")).toBe("list");
  });
});

describe("RENAME, RENAMENX", () => {
  it("move the value and its TTL, announcing rename_from then rename_to", async () => {
    await kc.set("a", "1", "EX", 100);
    const events = await eventsOf(() => kc.rename("a", "b"));
    expect(events).toEqual([
      [0, "new", "b"],
      [0, "rename_from", "a"],
      [0, "rename_to", "b"],
    ]);
    expect(await kc.get("a")).toBe(null);
    expect(await kc.get("b")).toBe("1");
    expect(await kc.ttl("b")).toBe(100);
    expect(await kc.ttl("a")).toBe(-2);
  });

  it("overwrite the destination, dropping its TTL and its type", async () => {
    await kc.set("src", "v");
    await kc.call("RPUSH", "dst", "x");
    await kc.expire("dst", 100);
    expect(await kc.rename("src", "dst")).toBe("OK");
    expect(await kc.type("dst")).toBe("string");
    expect(await kc.ttl("dst")).toBe(-1);
  });

  it("rename containers, which keep their contents", async () => {
    await makeAllTypes();
    await kc.rename("list", "list2");
    await kc.rename("set", "set2");
    await kc.rename("hash", "hash2");
    expect(await kc.call("LRANGE", "list2", 0, -1)).toEqual(["a", "b", "c"]);
    expect(((await kc.call("SMEMBERS", "set2")) as string[]).sort()).toEqual(["x", "y"]);
    expect(await kc.call("HGET", "hash2", "g")).toBe("w");
    expect(await kc.exists("list", "set", "hash")).toBe(0);
  });

  it("RENAMENX refuses an existing destination", async () => {
    await kc.set("a", "1");
    await kc.set("b", "2");
    expect(await eventsOf(() => kc.renamenx("a", "b"))).toEqual([]);
    expect(await kc.renamenx("a", "b")).toBe(0);
    expect(await kc.get("b")).toBe("2");
    expect(await kc.renamenx("a", "c")).toBe(1);
    expect(await kc.get("c")).toBe("1");
    expect(await kc.exists("a")).toBe(0);
  });

  it("RENAMENX treats an expired destination as missing", async () => {
    await kc.set("a", "1");
    await kc.set("b", "2", "PX", 30);
    await sleep(60);
    expect(await kc.renamenx("a", "b")).toBe(1);
    expect(await kc.get("b")).toBe("1");
    expect(await kc.ttl("b")).toBe(-1);
  });

  it("onto itself: OK (RENAME) or 0 (RENAMENX) and no change; missing: no such key", async () => {
    await kc.set("a", "1", "EX", 100);
    expect(await eventsOf(() => kc.rename("a", "a"))).toEqual([]);
    expect(await kc.rename("a", "a")).toBe("OK");
    expect(await kc.renamenx("a", "a")).toBe(0);
    expect(await kc.get("a")).toBe("1");
    expect(await kc.ttl("a")).toBe(100);
    await expect(kc.rename("nope", "nope")).rejects.toThrow("ERR no such key");
    await expect(kc.rename("nope", "x")).rejects.toThrow("ERR no such key");
    await expect(kc.renamenx("nope", "x")).rejects.toThrow("ERR no such key");
    await kc.set("gone", "1", "PX", 30);
    await sleep(60);
    await expect(kc.rename("gone", "x")).rejects.toThrow("ERR no such key");
  });

  it("rename binary and empty keys", async () => {
    await kc.set(bytes(0, 0xff), "v");
    expect(await kc.rename(bytes(0, 0xff), "")).toBe("OK");
    expect(await kc.get("")).toBe("v");
    expect(await kc.renamenx("", bytes(0x80))).toBe(1);
    expect(await kc.get(bytes(0x80))).toBe("v");
    await expect(kc.call("RENAME", "a")).rejects.toThrow(arity("rename"));
    await expect(kc.call("RENAMENX", "a", "b", "c")).rejects.toThrow(arity("renamenx"));
  });
});

describe("COPY", () => {
  it("copies a string with its TTL and announces copy_to", async () => {
    await kc.set("a", "1", "EX", 100);
    const events = await eventsOf(() => kc.copy("a", "b"));
    expect(events).toEqual([
      [0, "new", "b"],
      [0, "copy_to", "b"],
    ]);
    expect(await kc.get("b")).toBe("1");
    expect(await kc.get("a")).toBe("1");
    expect(await kc.ttl("b")).toBe(100);
    await kc.set("c", "1");
    await kc.copy("c", "d");
    expect(await kc.ttl("d")).toBe(-1);
  });

  it("refuses an existing destination unless REPLACE", async () => {
    await kc.set("a", "1");
    await kc.set("b", "2", "EX", 100);
    expect(await eventsOf(() => kc.copy("a", "b"))).toEqual([]);
    expect(await kc.get("b")).toBe("2");
    expect(await eventsOf(() => kc.copy("a", "b", "REPLACE"))).toEqual([
      [0, "new", "b"],
      [0, "copy_to", "b"],
    ]);
    expect(await kc.get("b")).toBe("1");
    expect(await kc.ttl("b")).toBe(-1);
    expect(await kc.copy("nope", "b", "REPLACE")).toBe(0);
    expect(await kc.get("b")).toBe("1");
  });

  it("copies to another database, announcing there", async () => {
    await kc.set("a", "1", "EX", 100);
    const events = await eventsOf(() => kc.copy("a", "a", "DB", 5));
    expect(events).toEqual([
      [5, "new", "a"],
      [5, "copy_to", "a"],
    ]);
    expect(await kc.copy("a", "a", "DB", 5)).toBe(0);
    expect(await kc.call("COPY", "a", "a", "db", 5, "replace")).toBe(1);
    await kc.select(5);
    expect(await kc.get("a")).toBe("1");
    expect(await kc.ttl("a")).toBe(100);
    await kc.select(0);
    expect(await kc.copy("a", "b", "DB", 0)).toBe(1);
  });

  it("deep-copies containers: changing the copy leaves the source alone", async () => {
    await makeAllTypes();
    expect(await kc.copy("list", "list2")).toBe(1);
    expect(await kc.copy("set", "set2")).toBe(1);
    expect(await kc.copy("hash", "hash2", "DB", 1)).toBe(1);
    await kc.call("RPUSH", "list2", "d");
    await kc.call("LSET", "list2", 0, "z");
    await kc.call("SADD", "set2", "w");
    await kc.call("SREM", "set2", "x");
    expect(await kc.call("LRANGE", "list", 0, -1)).toEqual(["a", "b", "c"]);
    expect(await kc.call("LRANGE", "list2", 0, -1)).toEqual(["z", "b", "c", "d"]);
    expect(((await kc.call("SMEMBERS", "set")) as string[]).sort()).toEqual(["x", "y"]);
    expect(((await kc.call("SMEMBERS", "set2")) as string[]).sort()).toEqual(["w", "y"]);
    await kc.select(1);
    await kc.call("HSET", "hash", "f", "changed", "h", "new");
    await kc.select(0);
    expect(await kc.call("HGETALL", "hash")).toEqual({ f: "v", g: "w" });
  });

  it("treats an expired source as missing and an expired destination as free", async () => {
    await kc.set("gone", "1", "PX", 30);
    await kc.set("src", "2");
    await kc.set("dst", "3", "PX", 30);
    await sleep(60);
    expect(await kc.copy("gone", "x")).toBe(0);
    expect(await kc.exists("x")).toBe(0);
    expect(await kc.copy("src", "dst")).toBe(1);
    expect(await kc.get("dst")).toBe("2");
  });

  it("copies binary keys and values", async () => {
    await kc.set(bytes(0, 0xff), bytes(0xff, 0, 0x80));
    expect(await kc.copy(bytes(0, 0xff), "")).toBe(1);
    expect(latin1((await kc.bytes.get(""))!)).toBe("\xff\x00\x80");
  });

  it("rejects bad arguments with Redis's errors", async () => {
    await kc.set("a", "1");
    const same = "ERR source and destination objects are the same";
    await expect(kc.copy("a", "a")).rejects.toThrow(same);
    await expect(kc.copy("nope", "nope")).rejects.toThrow(same);
    await expect(kc.copy("a", "a", "DB", 0)).rejects.toThrow(same);
    await expect(kc.copy("a", "b", "DB", 16)).rejects.toThrow("ERR DB index is out of range");
    await expect(kc.copy("a", "b", "DB", -1)).rejects.toThrow("ERR DB index is out of range");
    await expect(kc.call("COPY", "a", "b", "DB", "x")).rejects.toThrow(NOT_INTEGER);
    await expect(kc.call("COPY", "a", "b", "DB", "01")).rejects.toThrow(NOT_INTEGER);
    await expect(kc.call("COPY", "a", "b", "DB", "99999999999999999999")).rejects.toThrow(NOT_INTEGER);
    await expect(kc.call("COPY", "a", "b", "DB", "2147483648")).rejects.toThrow(
      "ERR value is out of range, value must between -2147483648 and 2147483647",
    );
    await expect(kc.call("COPY", "a", "b", "DB", "2147483647")).rejects.toThrow("ERR DB index is out of range");
    await expect(kc.copy("a", "b", "DB")).rejects.toThrow(SYNTAX);
    await expect(kc.call("COPY", "a", "b", "REPLACE", "foo")).rejects.toThrow(SYNTAX);
    await expect(kc.call("COPY", "a")).rejects.toThrow(arity("copy"));
    expect(await kc.exists("b")).toBe(0);
  });
});

describe("OBJECT", () => {
  it("names string encodings like Redis", async () => {
    const cases: [string, string][] = [
      ["1", "int"],
      ["-9223372036854775808", "int"],
      ["12345678901234567890", "embstr"],
      ["01", "embstr"],
      ["-0", "embstr"],
      ["", "embstr"],
      ["x".repeat(44), "embstr"],
      ["x".repeat(45), "raw"],
    ];
    for (const [value, encoding] of cases) {
      await kc.set("k", value);
      expect(await kc.object("ENCODING", "k"), value).toBe(encoding);
    }
  });

  it("names container encodings like Redis 7.0, following the encoding settings", async () => {
    await kc.call("RPUSH", "list", "a", "b");
    expect(await kc.object("ENCODING", "list")).toBe("quicklist");
    await kc.call("RPUSH", "biglist", ...Array.from({ length: 200 }, () => "x".repeat(100)));
    expect(await kc.object("ENCODING", "biglist")).toBe("quicklist");
    await kc.call("SADD", "ints", "1", "2", "-3");
    expect(await kc.object("ENCODING", "ints")).toBe("intset");
    await kc.call("SADD", "words", "a", "b");
    expect(await kc.object("ENCODING", "words")).toBe("hashtable");
    await kc.call("SADD", "longword", "x".repeat(65));
    expect(await kc.object("ENCODING", "longword")).toBe("hashtable");
    await kc.call("SADD", "manywords", ...Array.from({ length: 200 }, (_, i) => `m${i}`));
    expect(await kc.object("ENCODING", "manywords")).toBe("hashtable");
    await kc.call("HSET", "hash", "f", "v");
    expect(await kc.object("ENCODING", "hash")).toBe("listpack");
    await kc.call("HSET", "bighash", "f", "x".repeat(65));
    expect(await kc.object("ENCODING", "bighash")).toBe("hashtable");
    await kc.call("CONFIG", "SET", "hash-max-listpack-entries", "0", "set-max-intset-entries", "2");
    try {
      expect(await kc.object("ENCODING", "hash")).toBe("hashtable");
      expect(await kc.object("ENCODING", "ints")).toBe("hashtable");
    } finally {
      await kc.call("CONFIG", "SET", "hash-max-listpack-entries", "512", "set-max-intset-entries", "512");
    }
  });

  it("reports REFCOUNT, IDLETIME and FREQ like an untracked, just-used key", async () => {
    await kc.set("shared", "42");
    await kc.set("big", "10000");
    await kc.set("text", "hello");
    await kc.call("RPUSH", "list", "a");
    expect(await kc.object("REFCOUNT", "shared")).toBe(2147483647);
    expect(await kc.object("REFCOUNT", "big")).toBe(1);
    expect(await kc.object("REFCOUNT", "text")).toBe(1);
    expect(await kc.object("REFCOUNT", "list")).toBe(1);
    expect(await kc.object("IDLETIME", "text")).toBe(0);
    await expect(kc.object("FREQ", "text")).rejects.toThrow(
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
  });

  it("answers null for a missing or expired key", async () => {
    await kc.set("gone", "v", "PX", 30);
    await sleep(60);
    for (const sub of ["ENCODING", "REFCOUNT", "IDLETIME", "FREQ"] as const) {
      expect(await kc.object(sub, "nope"), sub).toBe(null);
      expect(await kc.object(sub, "gone"), sub).toBe(null);
    }
  });

  it("works on binary keys", async () => {
    await kc.set(bytes(0, 0xff), "123");
    expect(await kc.object("ENCODING", bytes(0, 0xff))).toBe("int");
  });

  it("has HELP, and Redis's errors for unknown subcommands and arity", async () => {
    const help = (await kc.object("HELP")) as string[];
    expect(help[0]).toBe("OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    expect(help).toContain("ENCODING <key>");
    expect(help.at(-1)).toBe("    Prints this help.");
    await expect(kc.call("OBJECT", "foo")).rejects.toThrow("ERR unknown subcommand 'foo'. Try OBJECT HELP.");
    await expect(kc.call("OBJECT", "FOO", "k")).rejects.toThrow("ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
    await expect(kc.call("OBJECT", "ENCODING")).rejects.toThrow(arity("object|encoding"));
    await expect(kc.call("OBJECT", "encoding", "a", "b")).rejects.toThrow(arity("object|encoding"));
    await expect(kc.call("OBJECT", "HELP", "x")).rejects.toThrow(arity("object|help"));
    await expect(kc.call("OBJECT")).rejects.toThrow(arity("object"));
  });
});

describe("deltas", () => {
  it("keyspace commands attach none", async () => {
    await kc.set("a", "1");
    const seen = await deltasOf(async () => {
      await kc.expire("a", 100);
      await kc.persist("a");
      await kc.rename("a", "b");
      await kc.copy("b", "c");
      await kc.del("b", "c");
    });
    expect(seen.map(([e]) => e)).toEqual(["expire", "persist", "new", "rename_from", "rename_to", "new", "copy_to", "del", "del"]);
    expect(seen.every(([, , d]) => d === undefined)).toBe(true);
  });
});
