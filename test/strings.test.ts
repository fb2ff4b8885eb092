// String commands against Redis 7.0's replies, errors and keyspace events (each expected
// value below was checked against a real redis-server 7.0.15).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ReplyError } from "../client/index.js";
import { configOf, PROTO_MAX_BULK_LEN } from "../server/config.js";
import type { Container, Database } from "../server/keyspace/database.js";
import { useServer } from "./helpers.js";

const h = useServer();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const SYNTAX = "ERR syntax error";
const NOT_INTEGER = "ERR value is not an integer or out of range";
const NOT_FLOAT = "ERR value is not a valid float";
const TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

let events: [event: string, key: string, delta: unknown][] = [];
let db: Database;
beforeAll(() => {
  db = h.server.state.keyspace.dbs[0]!;
  // "new" is announced by the keyspace itself for every created key; these tests look at
  // what the commands announce.
  h.server.state.keyspace.onKeyEvent((index, event, key, delta) => {
    if (index === 0 && event !== "new") events.push([event, key, delta]);
  });
});
beforeEach(() => {
  db.clear();
  events = [];
});

/** A key holding a list, without depending on the list commands. */
function makeList(key: string): void {
  const list: Container = { type: "list", size: 1, clone: () => list, toReply: () => ["x"] };
  db.set(key, list);
  events = [];
}

/** Remaining TTL in ms, or -1 without one. */
function pttl(key: string): number {
  const at = db.deadline(key);
  return at === undefined ? -1 : at - Date.now();
}

const binary = new Uint8Array([0x00, 0xff, 0x41, 0x00, 0xc3, 0x28, 0x0a]);

/** A bytes reply as plain Uint8Arrays (Node's client hands out Buffers), for toEqual. */
async function raw(p: Promise<unknown>): Promise<unknown> {
  const v = await p;
  if (Array.isArray(v)) return v.map((x) => (x instanceof Uint8Array ? new Uint8Array(x) : x));
  return v instanceof Uint8Array ? new Uint8Array(v) : v;
}

describe("GET and SET", () => {
  it("round-trips text, empty and binary values and keys", async () => {
    expect(await h.kc.set("k", "héllo")).toBe("OK");
    expect(await h.kc.get("k")).toBe("héllo");
    expect(await h.kc.set("", "")).toBe("OK");
    expect(await h.kc.get("")).toBe("");
    const key = new Uint8Array([0xff, 0x00, 0xfe]);
    expect(await h.kc.set(key, binary)).toBe("OK");
    expect(await raw(h.kc.bytes.get(key))).toEqual(binary);
    expect(await h.kc.get("missing")).toBe(null);
    expect(events).toEqual([
      ["set", "k", "h\xc3\xa9llo"],
      ["set", "", ""],
      ["set", "\xff\x00\xfe", "\x00\xff\x41\x00\xc3\x28\x0a"],
    ]);
  });

  it("GET on another type is WRONGTYPE; SET overwrites any type", async () => {
    makeList("l");
    expect(await error(h.kc.get("l"))).toBe(WRONGTYPE);
    expect(await h.kc.set("l", "v")).toBe("OK");
    expect(await h.kc.get("l")).toBe("v");
  });

  it("NX and XX", async () => {
    expect(await h.kc.set("k", "1", "XX")).toBe(null);
    expect(await h.kc.get("k")).toBe(null);
    expect(await h.kc.set("k", "1", "NX")).toBe("OK");
    expect(await h.kc.set("k", "2", "NX")).toBe(null);
    expect(await h.kc.call("SET", "k", "3", "xx")).toBe("OK");
    expect(await h.kc.get("k")).toBe("3");
    expect(events).toEqual([
      ["set", "k", "1"],
      ["set", "k", "3"],
    ]);
  });

  it("GET returns the old value, also with NX/XX, and checks the type first", async () => {
    expect(await h.kc.set("k", "a", "GET")).toBe(null);
    expect(await h.kc.set("k", "b", "GET")).toBe("a");
    expect(await h.kc.set("k", "c", "NX", "GET")).toBe("b");
    expect(await h.kc.get("k")).toBe("b");
    expect(await h.kc.set("n", "x", "XX", "GET")).toBe(null);
    expect(await h.kc.get("n")).toBe(null);
    expect(await h.kc.set("n", "x", "NX", "GET")).toBe(null);
    expect(await h.kc.get("n")).toBe("x");
    makeList("l");
    for (const opts of [["GET"], ["NX", "GET"], ["XX", "GET"]] as const) {
      expect(await error(h.kc.set("l", "v", ...opts))).toBe(WRONGTYPE);
    }
    expect(db.lookup("l")).toMatchObject({ type: "list" });
  });

  it("EX, PX, EXAT, PXAT set a deadline and announce set then expire", async () => {
    const now = Date.now();
    await h.kc.set("a", "1", "EX", 100);
    expect(pttl("a")).toBeGreaterThan(99_000);
    expect(pttl("a")).toBeLessThanOrEqual(100_000);
    await h.kc.call("SET", "b", "1", "px", 5000);
    expect(pttl("b")).toBeGreaterThan(4000);
    expect(pttl("b")).toBeLessThanOrEqual(5000);
    await h.kc.set("c", "1", "EXAT", Math.floor(now / 1000) + 1000);
    expect(db.deadline("c")).toBe((Math.floor(now / 1000) + 1000) * 1000);
    await h.kc.set("d", "1", "PXAT", now + 7777);
    expect(db.deadline("d")).toBe(now + 7777);
    expect(events).toEqual([
      ["set", "a", "1"],
      ["expire", "a", undefined],
      ["set", "b", "1"],
      ["expire", "b", undefined],
      ["set", "c", "1"],
      ["expire", "c", undefined],
      ["set", "d", "1"],
      ["expire", "d", undefined],
    ]);
  });

  it("drops the TTL unless KEEPTTL", async () => {
    await h.kc.set("k", "1", "EX", 100);
    await h.kc.set("k", "2", "KEEPTTL");
    expect(pttl("k")).toBeGreaterThan(90_000);
    await h.kc.set("k", "3");
    expect(pttl("k")).toBe(-1);
    expect(await h.kc.get("k")).toBe("3");
  });

  it("repeated options are allowed and the last expire wins, as in Redis", async () => {
    expect(await h.kc.set("k", "v", "NX", "NX")).toBe("OK");
    expect(await h.kc.set("k", "v", "EX", 10, "EX", 200)).toBe("OK");
    expect(pttl("k")).toBeGreaterThan(190_000);
    expect(await h.kc.set("k", "v", "KEEPTTL", "KEEPTTL")).toBe("OK");
    expect(await h.kc.set("k", "w", "GET", "GET")).toBe("v");
  });

  it("rejects conflicting, unknown and incomplete options", async () => {
    const bad: (string | number)[][] = [
      ["NX", "XX"],
      ["XX", "NX"],
      ["EX", 10, "PX", 10],
      ["PXAT", 10, "EXAT", 10],
      ["EX", 10, "KEEPTTL"],
      ["KEEPTTL", "PX", 10],
      ["PERSIST"],
      ["EX"],
      ["FOO"],
      ["EX", "abc", "NX", "XX"],
    ];
    for (const opts of bad) expect(await error(h.kc.call("SET", "k", "v", ...opts))).toBe(SYNTAX);
    expect(await h.kc.get("k")).toBe(null);
    expect(events).toEqual([]);
  });

  it("validates the expire time like Redis", async () => {
    expect(await error(h.kc.call("SET", "k", "v", "EX", "abc"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("SET", "k", "v", "EX", "1.5"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("SET", "k", "v", "EX", "0"))).toBe("ERR invalid expire time in 'set' command");
    expect(await error(h.kc.call("SET", "k", "v", "PX", "-1"))).toBe("ERR invalid expire time in 'set' command");
    // Seconds that overflow int64 once in ms, or a relative time that does with now added.
    expect(await error(h.kc.call("SET", "k", "v", "EX", "9223372036854775"))).toBe("ERR invalid expire time in 'set' command");
    expect(await error(h.kc.call("SET", "k", "v", "PX", "9223372036854775807"))).toBe("ERR invalid expire time in 'set' command");
    expect(await error(h.kc.call("SET", "k", "v", "EX", "9223372036854775808"))).toBe(NOT_INTEGER);
    expect(await h.kc.get("k")).toBe(null);
    // An absolute time at the end of the int64 range is valid.
    expect(await h.kc.call("SET", "k", "v", "PXAT", "9223372036854775807")).toBe("OK");
    expect(pttl("k")).toBeGreaterThan(9e18);
    // A GET on a wrong type is checked after the expire time.
    makeList("l");
    expect(await error(h.kc.call("SET", "l", "v", "GET", "EX", "0"))).toBe("ERR invalid expire time in 'set' command");
  });

  it("a deadline in the past sets the key, which then expires", async () => {
    expect(await h.kc.set("k", "v", "EXAT", 1)).toBe("OK");
    expect(await h.kc.get("k")).toBe(null);
    expect(events).toEqual([
      ["set", "k", "v"],
      ["expire", "k", undefined],
      ["expired", "k", undefined],
    ]);
  });

  it("expired keys are invisible and overwritten as new", async () => {
    await h.kc.set("k", "old", "PX", 30);
    await sleep(60);
    expect(await h.kc.get("k")).toBe(null);
    expect(await h.kc.set("k", "x", "XX")).toBe(null);
    expect(await h.kc.set("k", "new", "NX", "GET")).toBe(null);
    expect(await h.kc.get("k")).toBe("new");
    expect(pttl("k")).toBe(-1);
  });

  it("checks arity", async () => {
    expect(await error(h.kc.call("SET", "k"))).toBe("ERR wrong number of arguments for 'set' command");
    expect(await error(h.kc.call("GET"))).toBe("ERR wrong number of arguments for 'get' command");
    expect(await error(h.kc.call("GET", "a", "b"))).toBe("ERR wrong number of arguments for 'get' command");
  });
});

describe("SETEX and PSETEX", () => {
  it("set the value and the TTL, over any type", async () => {
    makeList("l");
    expect(await h.kc.setex("l", 100, "v")).toBe("OK");
    expect(await h.kc.get("l")).toBe("v");
    expect(pttl("l")).toBeGreaterThan(99_000);
    expect(await h.kc.psetex("p", 1500, binary)).toBe("OK");
    expect(await raw(h.kc.bytes.get("p"))).toEqual(binary);
    expect(pttl("p")).toBeGreaterThan(1000);
    expect(pttl("p")).toBeLessThanOrEqual(1500);
    expect(events).toEqual([
      ["set", "l", "v"],
      ["expire", "l", undefined],
      ["set", "p", "\x00\xff\x41\x00\xc3\x28\x0a"],
      ["expire", "p", undefined],
    ]);
  });

  it("the key expires", async () => {
    await h.kc.psetex("p", 30, "v");
    await sleep(60);
    expect(await h.kc.get("p")).toBe(null);
    expect(events.map((e) => e[0])).toEqual(["set", "expire", "expired"]);
  });

  it("reject invalid expire times with the command's name", async () => {
    expect(await error(h.kc.setex("k", 0, "v"))).toBe("ERR invalid expire time in 'setex' command");
    expect(await error(h.kc.setex("k", -5, "v"))).toBe("ERR invalid expire time in 'setex' command");
    expect(await error(h.kc.setex("k", "9223372036854775", "v"))).toBe("ERR invalid expire time in 'setex' command");
    expect(await error(h.kc.setex("k", "abc", "v"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.psetex("k", 0, "v"))).toBe("ERR invalid expire time in 'psetex' command");
    expect(await error(h.kc.psetex("k", "9223372036854775807", "v"))).toBe("ERR invalid expire time in 'psetex' command");
    expect(await error(h.kc.call("SETEX", "k", "10"))).toBe("ERR wrong number of arguments for 'setex' command");
    expect(await h.kc.get("k")).toBe(null);
    expect(events).toEqual([]);
  });
});

describe("SETNX, GETSET, GETDEL", () => {
  it("SETNX sets only a missing key", async () => {
    makeList("l");
    expect(await h.kc.setnx("k", "1")).toBe(1);
    expect(await h.kc.setnx("k", "2")).toBe(0);
    expect(await h.kc.get("k")).toBe("1");
    expect(await h.kc.setnx("l", "x")).toBe(0);
    await h.kc.set("e", "v", "PX", 30);
    await sleep(60);
    expect(await h.kc.setnx("e", "w")).toBe(1);
    expect(events.filter((e) => e[0] === "set")).toEqual([
      ["set", "k", "1"],
      ["set", "e", "v"],
      ["set", "e", "w"],
    ]);
  });

  it("GETSET returns the old value, drops the TTL, refuses other types", async () => {
    makeList("l");
    expect(await h.kc.getset("k", "a")).toBe(null);
    await h.kc.set("k", "b", "EX", 100);
    expect(await h.kc.getset("k", binary)).toBe("b");
    expect(await raw(h.kc.bytes.getset("k", "c"))).toEqual(binary);
    expect(pttl("k")).toBe(-1);
    expect(await error(h.kc.getset("l", "v"))).toBe(WRONGTYPE);
    expect(events.filter((e) => e[1] === "k").map((e) => e[0])).toEqual(["set", "set", "expire", "set", "set"]);
  });

  it("GETDEL returns the value and deletes the key", async () => {
    makeList("l");
    expect(await h.kc.getdel("k")).toBe(null);
    await h.kc.set("k", binary, "EX", 100);
    expect(await raw(h.kc.bytes.getdel("k"))).toEqual(binary);
    expect(await h.kc.exists("k")).toBe(0);
    expect(db.deadline("k")).toBe(undefined);
    expect(await error(h.kc.getdel("l"))).toBe(WRONGTYPE);
    expect(db.lookup("l")).toBeDefined();
    expect(events.filter((e) => e[0] === "del")).toEqual([["del", "k", undefined]]);
  });
});

describe("GETEX", () => {
  it("without options is GET", async () => {
    await h.kc.set("k", "v", "EX", 100);
    expect(await h.kc.getex("k")).toBe("v");
    expect(pttl("k")).toBeGreaterThan(90_000);
    expect(await h.kc.getex("missing")).toBe(null);
    expect(events.map((e) => e[0])).toEqual(["set", "expire"]);
  });

  it("EX, PX, EXAT, PXAT change the TTL", async () => {
    await h.kc.set("k", "v");
    events = [];
    expect(await h.kc.getex("k", "EX", 100)).toBe("v");
    expect(pttl("k")).toBeGreaterThan(99_000);
    expect(await h.kc.call("GETEX", "k", "px", 2000)).toBe("v");
    expect(pttl("k")).toBeLessThanOrEqual(2000);
    const at = Date.now() + 50_000;
    expect(await h.kc.getex("k", "PXAT", at)).toBe("v");
    expect(db.deadline("k")).toBe(at);
    expect(await h.kc.getex("k", "EXAT", Math.floor(at / 1000))).toBe("v");
    expect(db.deadline("k")).toBe(Math.floor(at / 1000) * 1000);
    expect(await h.kc.getex("k", "EX", 10, "EX", 300)).toBe("v");
    expect(pttl("k")).toBeGreaterThan(290_000);
    expect(events).toEqual(Array.from({ length: 5 }, () => ["expire", "k", undefined]));
  });

  it("PERSIST removes the TTL and announces it only when there was one", async () => {
    await h.kc.set("k", "v", "EX", 100);
    events = [];
    expect(await h.kc.getex("k", "PERSIST")).toBe("v");
    expect(pttl("k")).toBe(-1);
    expect(await h.kc.call("GETEX", "k", "persist", "PERSIST")).toBe("v");
    expect(events).toEqual([["persist", "k", undefined]]);
  });

  it("an absolute time in the past deletes the key and announces del", async () => {
    await h.kc.set("k", binary);
    events = [];
    expect(await raw(h.kc.bytes.getex("k", "EXAT", 1))).toEqual(binary);
    expect(await h.kc.exists("k")).toBe(0);
    await h.kc.set("k", "v");
    expect(await h.kc.getex("k", "PXAT", Date.now() - 1000)).toBe("v");
    expect(await h.kc.get("k")).toBe(null);
    expect(events).toEqual([
      ["del", "k", undefined],
      ["set", "k", "v"],
      ["del", "k", undefined],
    ]);
  });

  it("checks options first, then the key, then the expire time", async () => {
    for (const opts of [["NX"], ["XX"], ["GET"], ["KEEPTTL"], ["FOO"], ["EX"], ["EX", "1", "PX", "1"], ["PERSIST", "EX", "1"], ["PX", "1", "PERSIST"]]) {
      expect(await error(h.kc.call("GETEX", "missing", ...opts))).toBe(SYNTAX);
    }
    // A missing key answers nil even with an invalid time.
    expect(await h.kc.call("GETEX", "missing", "EX", "abc")).toBe(null);
    expect(await h.kc.call("GETEX", "missing", "EX", "0")).toBe(null);
    await h.kc.set("k", "v");
    events = [];
    expect(await error(h.kc.call("GETEX", "k", "EX", "abc"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("GETEX", "k", "EX", "0"))).toBe("ERR invalid expire time in 'getex' command");
    expect(await error(h.kc.call("GETEX", "k", "EX", "9223372036854775"))).toBe("ERR invalid expire time in 'getex' command");
    makeList("l");
    expect(await error(h.kc.call("GETEX", "l", "EX", "0"))).toBe(WRONGTYPE);
    expect(await error(h.kc.call("GETEX", "l", "FOO"))).toBe(SYNTAX);
    expect(await h.kc.get("k")).toBe("v");
    expect(events).toEqual([]);
  });

  it("the new TTL takes effect", async () => {
    await h.kc.set("k", "v");
    expect(await h.kc.getex("k", "PX", 30)).toBe("v");
    await sleep(60);
    expect(await h.kc.getex("k")).toBe(null);
  });
});

describe("MGET, MSET, MSETNX", () => {
  it("MGET returns values in order, nil for missing, wrong-type and expired keys", async () => {
    await h.kc.set("a", "1");
    await h.kc.set("b", binary);
    await h.kc.set("e", "x", "PX", 30);
    makeList("l");
    await sleep(60);
    expect(await h.kc.mget("a", "missing", "l", "e", "a")).toEqual(["1", null, null, null, "1"]);
    const bytes = await raw(h.kc.bytes.mget("b", "a"));
    expect(bytes).toEqual([binary, new Uint8Array([0x31])]);
    expect(await error(h.kc.call("MGET"))).toBe("ERR wrong number of arguments for 'mget' command");
  });

  it("MSET sets every pair in order, over any type, dropping TTLs", async () => {
    makeList("l");
    await h.kc.set("b", "old", "EX", 100);
    events = [];
    expect(await h.kc.mset("a", "1", "b", binary, "l", "3", "a", "4")).toBe("OK");
    expect(await h.kc.mget("a", "l")).toEqual(["4", "3"]);
    expect(await raw(h.kc.bytes.get("b"))).toEqual(binary);
    expect(pttl("b")).toBe(-1);
    expect(events).toEqual([
      ["set", "a", "1"],
      ["set", "b", "\x00\xff\x41\x00\xc3\x28\x0a"],
      ["set", "l", "3"],
      ["set", "a", "4"],
    ]);
  });

  it("MSET and MSETNX refuse an odd number of words", async () => {
    expect(await error(h.kc.call("MSET", "a", "1", "b"))).toBe("ERR wrong number of arguments for 'mset' command");
    expect(await error(h.kc.call("MSET", "a"))).toBe("ERR wrong number of arguments for 'mset' command");
    expect(await error(h.kc.call("MSETNX", "a", "1", "b"))).toBe("ERR wrong number of arguments for 'msetnx' command");
    expect(await error(h.kc.call("MSETNX", "a"))).toBe("ERR wrong number of arguments for 'msetnx' command");
    expect(await h.kc.exists("a")).toBe(0);
  });

  it("MSETNX sets all or nothing", async () => {
    makeList("l");
    expect(await h.kc.msetnx("a", "1", "b", "2")).toBe(1);
    expect(await h.kc.msetnx("c", "3", "a", "x")).toBe(0);
    expect(await h.kc.exists("c")).toBe(0);
    expect(await h.kc.msetnx("l", "1", "z", "2")).toBe(0);
    expect(await h.kc.exists("z")).toBe(0);
    // The same key twice: both writes happen, the last wins.
    expect(await h.kc.msetnx("e", "1", "e", "2")).toBe(1);
    expect(await h.kc.get("e")).toBe("2");
    expect(events).toEqual([
      ["set", "a", "1"],
      ["set", "b", "2"],
      ["set", "e", "1"],
      ["set", "e", "2"],
    ]);
  });

  it("MSETNX treats expired keys as missing", async () => {
    await h.kc.set("a", "1", "PX", 30);
    await sleep(60);
    expect(await h.kc.msetnx("a", "2")).toBe(1);
    expect(await h.kc.get("a")).toBe("2");
  });
});

describe("INCR, INCRBY, DECR, DECRBY", () => {
  it("count from 0 on a missing key and store decimal text", async () => {
    expect(await h.kc.incr("n")).toBe(1);
    expect(await h.kc.incrby("n", 41)).toBe(42);
    expect(await h.kc.decr("n")).toBe(41);
    expect(await h.kc.decrby("n", 50)).toBe(-9);
    expect(await h.kc.incrby("n", -1)).toBe(-10);
    expect(await h.kc.decrby("n", -10)).toBe(0);
    expect(await h.kc.get("n")).toBe("0");
    expect(await h.kc.decr("m")).toBe(-1);
    expect(await h.kc.incrby("z", 0)).toBe(0);
    expect(await h.kc.get("z")).toBe("0");
    expect(events).toEqual([
      ["incrby", "n", "1"],
      ["incrby", "n", "42"],
      ["incrby", "n", "41"],
      ["incrby", "n", "-9"],
      ["incrby", "n", "-10"],
      ["incrby", "n", "0"],
      ["incrby", "m", "-1"],
      ["incrby", "z", "0"],
    ]);
  });

  it("is exact over the whole signed 64-bit range", async () => {
    await h.kc.set("n", "9223372036854775806");
    expect(await h.kc.incrby("n", 1)).toBe(9223372036854775807n);
    expect(await error(h.kc.incr("n"))).toBe("ERR increment or decrement would overflow");
    expect(await h.kc.get("n")).toBe("9223372036854775807");
    await h.kc.set("n", "-9223372036854775808");
    expect(await error(h.kc.decr("n"))).toBe("ERR increment or decrement would overflow");
    expect(await error(h.kc.incrby("n", -1))).toBe("ERR increment or decrement would overflow");
    expect(await h.kc.incrby("n", "9223372036854775807")).toBe(-1);
    await h.kc.set("n", "9007199254740991");
    expect(await h.kc.incr("n")).toBe(9007199254740992n);
    expect(await h.kc.get("n")).toBe("9007199254740992");
    expect(await h.kc.incr("n")).toBe(9007199254740993n);
    expect(await h.kc.get("n")).toBe("9007199254740993");
    expect(await h.kc.decrby("n", "9007199254740993")).toBe(0);
    expect(await h.kc.incrby("lo", "-9223372036854775808")).toBe(-9223372036854775808n);
    expect(await h.kc.decrby("hi", "9223372036854775807")).toBe(-9223372036854775807n);
  });

  it("DECRBY refuses the one decrement whose negation overflows", async () => {
    await h.kc.set("n", "0");
    expect(await error(h.kc.decrby("n", "-9223372036854775808"))).toBe("ERR decrement would overflow");
    makeList("l");
    expect(await error(h.kc.decrby("l", "-9223372036854775808"))).toBe("ERR decrement would overflow");
  });

  it("refuses values that are not int64 text, with Redis's string2ll rules", async () => {
    for (const v of ["abc", "1.5", "+1", " 1", "1 ", "-0", "007", "", "9223372036854775808", "1e3", "0x10"]) {
      await h.kc.set("n", v);
      expect(await error(h.kc.incr("n"))).toBe(NOT_INTEGER);
      expect(await h.kc.get("n")).toBe(v);
    }
    await h.kc.set("n", binary);
    expect(await error(h.kc.decr("n"))).toBe(NOT_INTEGER);
    for (const by of ["abc", "1.0", "+1", "9223372036854775808", ""]) {
      expect(await error(h.kc.incrby("n", by))).toBe(NOT_INTEGER);
      expect(await error(h.kc.decrby("n", by))).toBe(NOT_INTEGER);
    }
    expect(events.every((e) => e[0] === "set")).toBe(true);
  });

  it("checks the increment before the key's type", async () => {
    makeList("l");
    expect(await error(h.kc.incrby("l", "abc"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.incrby("l", 1))).toBe(WRONGTYPE);
    expect(await error(h.kc.incr("l"))).toBe(WRONGTYPE);
    expect(await error(h.kc.decr("l"))).toBe(WRONGTYPE);
    expect(await error(h.kc.decrby("l", 1))).toBe(WRONGTYPE);
  });

  it("keeps the TTL; an expired key counts from 0", async () => {
    await h.kc.set("n", "5", "EX", 100);
    expect(await h.kc.incr("n")).toBe(6);
    expect(pttl("n")).toBeGreaterThan(90_000);
    await h.kc.set("e", "5", "PX", 30);
    await sleep(60);
    expect(await h.kc.incr("e")).toBe(1);
    expect(pttl("e")).toBe(-1);
  });

  it("checks arity", async () => {
    expect(await error(h.kc.call("INCR"))).toBe("ERR wrong number of arguments for 'incr' command");
    expect(await error(h.kc.call("INCRBY", "n"))).toBe("ERR wrong number of arguments for 'incrby' command");
    expect(await error(h.kc.call("DECRBY", "n", "1", "2"))).toBe("ERR wrong number of arguments for 'decrby' command");
  });
});

describe("INCRBYFLOAT", () => {
  it("prints like Redis's long double %.17Lf with trailing zeros trimmed", async () => {
    await h.kc.set("f", "10.50");
    expect(await h.kc.incrbyfloat("f", 0.1)).toBe("10.6");
    await h.kc.set("f", "0.1");
    expect(await h.kc.incrbyfloat("f", "0.2")).toBe("0.3");
    expect(await h.kc.get("f")).toBe("0.3");
    expect(await h.kc.incrbyfloat("g", "5.0e3")).toBe("5000");
    expect(await h.kc.incrbyfloat("g", "2.0e2")).toBe("5200");
    expect(await h.kc.incrbyfloat("g", -5200)).toBe("0");
    expect(await h.kc.incrbyfloat("g", "-0.0")).toBe("0");
    expect(await h.kc.incrbyfloat("g", "-1.25")).toBe("-1.25");
    expect(events).toEqual([
      ["set", "f", "10.50"],
      ["incrbyfloat", "f", "10.6"],
      ["set", "f", "0.1"],
      ["incrbyfloat", "f", "0.3"],
      ["incrbyfloat", "g", "5000"],
      ["incrbyfloat", "g", "5200"],
      ["incrbyfloat", "g", "0"],
      ["incrbyfloat", "g", "0"],
      ["incrbyfloat", "g", "-1.25"],
    ]);
  });

  it("matches Redis where long double and 17 decimals show", async () => {
    const cases: [string, string, string][] = [
      ["0", "1.5e-20", "0"],
      ["0", "1e20", "100000000000000000000"],
      ["12345678901234567.1", "0", "12345678901234567.099609375"],
      // Exactly half way at the 18th decimal: glibc rounds to even.
      ["0.000003814697265625", "0", "0.00000381469726562"],
      ["0.000003814697265635", "0", "0.00000381469726563"],
      ["0.00000381469726563", "1e3", "1000.00000381469726562"],
      ["1", "0x1.8p1", "4"],
      ["1", "+5", "6"],
      ["1", ".5", "1.5"],
      ["1", "5.", "6"],
      ["3", "1E-2", "3.01"],
      ["0", "0e99999999", "0"],
      ["1", "-1", "0"],
      ["5", "1e-4940", "5"],
      ["9223372036854775807", "1", "9223372036854775808"],
      ["1e400", "-1e400", "0"],
      ["-3.7", "1.2", "-2.5"],
    ];
    for (const [start, by, want] of cases) {
      await h.kc.set("f", start);
      expect([start, by, await h.kc.incrbyfloat("f", by)]).toEqual([start, by, want]);
      expect(await h.kc.get("f")).toBe(want);
    }
  });

  it("refuses what strtold would not read completely", async () => {
    await h.kc.set("f", "1");
    for (const by of ["abc", "nan", "NaN", " 1", "1 ", "1e", "1e+", "", ".", "-.e1", "0x", "0x1p", "1..2", "--1", "1e5000", "1e-5000", "infinit", "1,5"]) {
      expect([by, await error(h.kc.incrbyfloat("f", by))]).toEqual([by, NOT_FLOAT]);
    }
    // string2ld reads at most 5119 characters.
    expect(await error(h.kc.incrbyfloat("f", "0".repeat(5119) + "1"))).toBe(NOT_FLOAT);
    await h.kc.set("f", "abc");
    expect(await error(h.kc.incrbyfloat("f", 1))).toBe(NOT_FLOAT);
    await h.kc.set("f", binary);
    expect(await error(h.kc.incrbyfloat("f", 1))).toBe(NOT_FLOAT);
    expect(events.every((e) => e[0] === "set")).toBe(true);
    await h.kc.set("f", "1");
    expect(await h.kc.incrbyfloat("f", "0".repeat(5118) + "1")).toBe("2");
  });

  it("refuses an infinite result or operand", async () => {
    const NAN_OR_INF = "ERR increment would produce NaN or Infinity";
    await h.kc.set("f", "1");
    for (const by of ["inf", "-inf", "INFINITY", "+Inf"]) expect(await error(h.kc.incrbyfloat("f", by))).toBe(NAN_OR_INF);
    await h.kc.set("f", "1.189731495357231765e+4932");
    expect(await error(h.kc.incrbyfloat("f", "1e4913"))).toBe(NAN_OR_INF);
    await h.kc.set("f", "inf");
    expect(await error(h.kc.incrbyfloat("f", "-inf"))).toBe(NAN_OR_INF);
    // The stored value is read before the increment.
    expect(await error(h.kc.incrbyfloat("f", "abc"))).toBe(NOT_FLOAT);
    expect(await h.kc.get("f")).toBe("inf");
  });

  it("checks the key's type first and keeps the TTL", async () => {
    makeList("l");
    expect(await error(h.kc.incrbyfloat("l", "abc"))).toBe(WRONGTYPE);
    await h.kc.set("f", "1", "EX", 100);
    expect(await h.kc.incrbyfloat("f", 1)).toBe("2");
    expect(pttl("f")).toBeGreaterThan(90_000);
    await h.kc.set("e", "7", "PX", 30);
    await sleep(60);
    expect(await h.kc.incrbyfloat("e", "0.5")).toBe("0.5");
  });
});

describe("APPEND and STRLEN", () => {
  it("APPEND creates, extends, keeps the TTL, announces the appended bytes", async () => {
    expect(await h.kc.append("k", "")).toBe(0);
    expect(await h.kc.exists("k")).toBe(1);
    expect(await h.kc.append("k", "abc")).toBe(3);
    await h.kc.set("t", "1", "EX", 100);
    events = [];
    expect(await h.kc.append("t", binary)).toBe(8);
    expect(await raw(h.kc.bytes.get("t"))).toEqual(new Uint8Array([0x31, ...binary]));
    expect(pttl("t")).toBeGreaterThan(90_000);
    expect(events).toEqual([["append", "t", "\x00\xff\x41\x00\xc3\x28\x0a"]]);
    makeList("l");
    expect(await error(h.kc.append("l", "x"))).toBe(WRONGTYPE);
    await h.kc.set("e", "old", "PX", 30);
    await sleep(60);
    expect(await h.kc.append("e", "new")).toBe(3);
    expect(await h.kc.get("e")).toBe("new");
  });

  it("STRLEN counts bytes", async () => {
    expect(await h.kc.strlen("missing")).toBe(0);
    await h.kc.set("k", "héllo");
    expect(await h.kc.strlen("k")).toBe(6);
    await h.kc.set("b", binary);
    expect(await h.kc.strlen("b")).toBe(7);
    await h.kc.set("e", "");
    expect(await h.kc.strlen("e")).toBe(0);
    makeList("l");
    expect(await error(h.kc.strlen("l"))).toBe(WRONGTYPE);
  });
});

describe("GETRANGE", () => {
  it("follows Redis 7.0's index rules", async () => {
    await h.kc.set("s", "Hello");
    const cases: [number | string, number | string, string][] = [
      [0, -1, "Hello"],
      [-3, -1, "llo"],
      [0, -100, "H"],
      [-100, -100, "H"],
      [-1, -5, ""],
      [-100, -200, ""],
      [3, 1, ""],
      [10, 20, ""],
      [2, 100, "llo"],
      [4, 4, "o"],
      ["0", "9223372036854775807", "Hello"],
      ["-9223372036854775808", "2", "Hel"],
    ];
    for (const [start, end, want] of cases) expect([start, end, await h.kc.call("GETRANGE", "s", start, end)]).toEqual([start, end, want]);
  });

  it("empty for a missing key or an empty string; bytes for binary values", async () => {
    expect(await h.kc.getrange("missing", 0, -1)).toBe("");
    await h.kc.set("e", "");
    expect(await h.kc.getrange("e", 0, 0)).toBe("");
    await h.kc.set("b", binary);
    expect(await raw(h.kc.bytes.getrange("b", 1, 3))).toEqual(binary.slice(1, 4));
    await h.kc.set("u", "héllo");
    expect(await raw(h.kc.bytes.getrange("u", 1, 1))).toEqual(new Uint8Array([0xc3]));
  });

  it("checks the indexes, then the type", async () => {
    expect(await error(h.kc.call("GETRANGE", "missing", "a", "1"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("GETRANGE", "missing", "0", "9223372036854775808"))).toBe(NOT_INTEGER);
    makeList("l");
    expect(await error(h.kc.call("GETRANGE", "l", "a", "1"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.getrange("l", 0, 1))).toBe(WRONGTYPE);
    expect(await error(h.kc.call("GETRANGE", "l", "0"))).toBe("ERR wrong number of arguments for 'getrange' command");
  });
});

describe("SETRANGE", () => {
  it("overwrites, extends and zero-pads", async () => {
    await h.kc.set("s", "Hello World", "EX", 100);
    events = [];
    expect(await h.kc.setrange("s", 6, "Redis")).toBe(11);
    expect(await h.kc.get("s")).toBe("Hello Redis");
    expect(await h.kc.setrange("s", 9, "XYZ")).toBe(12);
    expect(await h.kc.get("s")).toBe("Hello RedXYZ");
    expect(await h.kc.setrange("s", 14, "!")).toBe(15);
    expect(await raw(h.kc.bytes.get("s"))).toEqual(new TextEncoder().encode("Hello RedXYZ\0\0!"));
    expect(pttl("s")).toBeGreaterThan(90_000);
    expect(await h.kc.setrange("n", 3, binary)).toBe(10);
    expect(await raw(h.kc.bytes.get("n"))).toEqual(new Uint8Array([0, 0, 0, ...binary]));
    expect(events).toEqual([
      ["setrange", "s", undefined],
      ["setrange", "s", undefined],
      ["setrange", "s", undefined],
      ["setrange", "n", undefined],
    ]);
  });

  it("an empty value changes nothing and creates no key", async () => {
    expect(await h.kc.setrange("m", 5, "")).toBe(0);
    expect(await h.kc.exists("m")).toBe(0);
    expect(await h.kc.call("SETRANGE", "m", "536870912", "")).toBe(0);
    await h.kc.set("s", "abc");
    events = [];
    expect(await h.kc.setrange("s", 10, "")).toBe(3);
    expect(await h.kc.get("s")).toBe("abc");
    expect(events).toEqual([]);
  });

  it("refuses negative and non-integer offsets, other types, strings past the limit", async () => {
    expect(await error(h.kc.setrange("m", -1, "x"))).toBe("ERR offset is out of range");
    expect(await error(h.kc.setrange("m", -1, ""))).toBe("ERR offset is out of range");
    expect(await error(h.kc.call("SETRANGE", "m", "a", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("SETRANGE", "m", "9223372036854775808", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("SETRANGE", "m", "536870912", "x"))).toBe(TOO_LONG);
    expect(await error(h.kc.call("SETRANGE", "m", "9223372036854775807", "x"))).toBe(TOO_LONG);
    await h.kc.set("s", "abc");
    expect(await error(h.kc.call("SETRANGE", "s", "536870911", "xy"))).toBe(TOO_LONG);
    makeList("l");
    expect(await error(h.kc.setrange("l", 0, "x"))).toBe(WRONGTYPE);
    expect(await error(h.kc.setrange("l", 0, ""))).toBe(WRONGTYPE);
    expect(await h.kc.exists("m")).toBe(0);
    expect(await h.kc.get("s")).toBe("abc");
  });
});

describe("proto-max-bulk-len", () => {
  const config = () => configOf(h.server.state);
  afterAll(() => config().set(PROTO_MAX_BULK_LEN, PROTO_MAX_BULK_LEN.defaultValue));

  it("bounds APPEND and SETRANGE as configured", async () => {
    config().set(PROTO_MAX_BULK_LEN, 1024 * 1024);
    const big = "x".repeat(1024 * 1024 - 1);
    expect(await h.kc.set("s", big)).toBe("OK");
    expect(await h.kc.append("s", "y")).toBe(1024 * 1024);
    expect(await error(h.kc.append("s", "z"))).toBe(TOO_LONG);
    expect(await error(h.kc.setrange("s", 1024 * 1024, "z"))).toBe(TOO_LONG);
    expect(await h.kc.setrange("s", 1024 * 1024 - 1, "z")).toBe(1024 * 1024);
    expect(await error(h.kc.setrange("n", 1024 * 1024 - 1, "zz"))).toBe(TOO_LONG);
    expect(await h.kc.strlen("s")).toBe(1024 * 1024);
  });
});

describe("batches", () => {
  it("run string commands in order with per-command errors", async () => {
    makeList("l");
    const r = await h.kc.batch().set("a", "1").incr("a").incrbyfloat("a", "0.5").append("a", "x").get("a").getrange("a", 0, 1).exec().catch((e: Error & { replies?: unknown[] }) => e.replies);
    expect(r).toEqual(["OK", 2, "2.5", 4, "2.5x", "2."]);
    const failed = await h.kc
      .batch()
      .incr("l")
      .mset("b", "2")
      .exec()
      .then(
        () => null,
        (e: Error & { replies?: unknown[] }) => e.replies,
      );
    expect(failed?.[0]).toBeInstanceOf(ReplyError);
    expect((failed?.[0] as Error).message).toBe(WRONGTYPE);
    expect(failed?.[1]).toBe("OK");
  });
});
