// Hash commands against Redis 7.0's replies, errors and keyspace events (expected values
// checked against a real redis-server 7.0.15), plus the HashValue structure itself.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ReplyError } from "../client/index.js";
import { Context, type Session } from "../server/context.js";
import { execute } from "../server/dispatch.js";
import type { Database } from "../server/keyspace/database.js";
import { HashValue } from "../server/keyspace/hash.js";
import { MapReply } from "../server/reply.js";
import { useServer } from "./helpers.js";

const h = useServer();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const SYNTAX = "ERR syntax error";
const NOT_INTEGER = "ERR value is not an integer or out of range";
const NOT_FLOAT = "ERR value is not a valid float";
const OVERFLOW = "ERR increment or decrement would overflow";
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;

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

function context(resp: 2 | 3): Context {
  const session: Session = { id: 0, transport: "resp", addr: "test", db: 0, name: null, resp, createdAt: 0, lastCommand: "", lastActiveAt: 0, close() {} };
  return new Context(h.server.state, session);
}

describe("HashValue", () => {
  it("matches a Map under random sets and deletes", () => {
    const rand = rng(3);
    const hash = new HashValue();
    const model = new Map<string, string>();
    for (let step = 0; step < 20000; step++) {
      const f = `f${Math.floor(rand() * 200)}`;
      if (rand() < 0.6) {
        const v = `v${step}`;
        expect(hash.set(f, v)).toBe(!model.has(f));
        model.set(f, v);
      } else {
        expect(hash.delete(f)).toBe(model.has(f));
        model.delete(f);
      }
      expect(hash.size).toBe(model.size);
      expect(hash.get(f)).toBe(model.get(f));
    }
    for (let i = 0; i < hash.size; i++) expect(model.get(hash.fieldAt(i))).toBe(hash.valueAt(i));
  });

  it("gives its whole value as a map for watch snapshots", () => {
    const hash = new HashValue();
    hash.set("f", "1");
    hash.set("g", "2");
    const reply = hash.toReply();
    hash.set("f", "9");
    expect(reply).toEqual(new MapReply(["f", "1", "g", "2"]));
  });

  it("clones deeply", () => {
    const a = new HashValue();
    a.set("f", "1");
    const b = a.clone();
    b.set("f", "2");
    b.set("g", "3");
    expect(a.get("f")).toBe("1");
    expect(a.has("g")).toBe(false);
    expect(b.get("f")).toBe("2");
  });

  it("scans every field present for the whole scan, whatever changes in between", () => {
    const rand = rng(11);
    const hash = new HashValue();
    // Churned fields first, stable ones last, so removals move stable fields around.
    for (let i = 0; i < 500; i++) hash.set(`c${i}`, "churn");
    for (let i = 0; i < 500; i++) hash.set(`s${i}`, `v${i}`);
    const seen = new Map<string, string>();
    let cursor = 0;
    let steps = 0;
    do {
      const out: string[] = [];
      cursor = hash.scan(cursor, 1 + Math.floor(rand() * 40), null, out);
      for (let i = 0; i < out.length; i += 2) seen.set(out[i]!, out[i + 1]!);
      for (let j = 0; j < 10; j++) {
        const f = `c${Math.floor(rand() * 700)}`;
        if (rand() < 0.6) hash.delete(f);
        else hash.set(f, "new");
      }
      steps++;
    } while (cursor !== 0 && steps < 10000);
    expect(cursor).toBe(0);
    for (let i = 0; i < 500; i++) expect(seen.get(`s${i}`)).toBe(`v${i}`);
  });
});

describe("HSET HMSET HSETNX HGET HMGET HGETALL HLEN HEXISTS HKEYS HVALS HSTRLEN", () => {
  it("sets fields, counting only new ones", async () => {
    expect(await h.kc.hset("h", "a", "1", "b", "2", "a", "3")).toBe(2);
    expect(await h.kc.hget("h", "a")).toBe("3");
    expect(await h.kc.hset("h", "a", "4", "c", "5")).toBe(1);
    expect(await h.kc.hmset("h", "d", "6", "a", "7")).toBe("OK");
    expect(await h.kc.hgetall("h")).toEqual({ a: "7", b: "2", c: "5", d: "6" });
    expect(await h.kc.hlen("h")).toBe(4);
    expect(await h.kc.hexists("h", "a")).toBe(1);
    expect(await h.kc.hexists("h", "zz")).toBe(0);
    expect(sorted(await h.kc.hkeys("h"))).toEqual(["a", "b", "c", "d"]);
    expect(sorted(await h.kc.hvals("h"))).toEqual(["2", "5", "6", "7"]);
    expect(await h.kc.hmget("h", "a", "zz", "b")).toEqual(["7", null, "2"]);
    expect(await h.kc.hget("h", "zz")).toBe(null);
    expect(await h.kc.hstrlen("h", "a")).toBe(1);
    expect(await h.kc.hstrlen("h", "zz")).toBe(0);
  });

  it("sets a field only when it is new with HSETNX", async () => {
    expect(await h.kc.hsetnx("h", "f", "1")).toBe(1);
    expect(await h.kc.hsetnx("h", "f", "2")).toBe(0);
    expect(await h.kc.hget("h", "f")).toBe("1");
    expect(await h.kc.hsetnx("h", "g", "3")).toBe(1);
    expect(await h.kc.hlen("h")).toBe(2);
  });

  it("treats a missing key as an empty hash", async () => {
    expect(await h.kc.hget("none", "f")).toBe(null);
    expect(await h.kc.hmget("none", "a", "b")).toEqual([null, null]);
    expect(await h.kc.hgetall("none")).toEqual({});
    expect(await h.kc.hlen("none")).toBe(0);
    expect(await h.kc.hexists("none", "f")).toBe(0);
    expect(await h.kc.hkeys("none")).toEqual([]);
    expect(await h.kc.hvals("none")).toEqual([]);
    expect(await h.kc.hstrlen("none", "f")).toBe(0);
    expect(await h.kc.hdel("none", "f")).toBe(0);
  });

  it("keeps fields and values binary-safe", async () => {
    const field = new Uint8Array([0x00, 0xff, 0x0a]);
    const value = new Uint8Array([0xff, 0x00, 0xfe, 0x80]);
    expect(await h.kc.hset("h", field, value, "", "", "é", "ü")).toBe(3);
    const got = await h.kc.bytes.hget("h", new Uint8Array([0x00, 0xff, 0x0a]));
    expect(Buffer.from(got!).toString("hex")).toBe("ff00fe80");
    expect(await h.kc.hget("h", "")).toBe("");
    expect(await h.kc.hget("h", "é")).toBe("ü");
    // Lengths are in bytes: "ü" is two bytes of UTF-8.
    expect(await h.kc.hstrlen("h", "é")).toBe(2);
    expect(await h.kc.hstrlen("h", field)).toBe(4);
    const all = await h.kc.bytes.hgetall("h");
    const hex = [...all].map(([f, v]) => [Buffer.from(f).toString("hex"), Buffer.from(v).toString("hex")]).sort();
    expect(hex).toEqual([
      ["", ""],
      ["00ff0a", "ff00fe80"],
      ["c3a9", "c3bc"],
    ]);
  });

  it("replies HGETALL with a map, a record in the client", async () => {
    await h.kc.hset("h", "x", "1");
    expect(execute(context(2), ["HGETALL", "h"])).toEqual(new MapReply(["x", "1"]));
    expect(execute(context(3), ["HGETALL", "none"])).toEqual(new MapReply([]));
    const record: Record<string, string> = await h.kc.hgetall("h");
    expect(record.x).toBe("1");
  });

  it("answers arity errors for an odd number of words before looking at the key", async () => {
    await h.kc.set("str", "v");
    expect(await error(h.kc.call("HSET", "h", "f"))).toBe(arity("hset"));
    expect(await error(h.kc.call("HSET", "h", "f", "v", "g"))).toBe(arity("hset"));
    expect(await error(h.kc.call("HSET", "str", "f", "v", "g"))).toBe(arity("hset"));
    expect(await error(h.kc.call("HMSET", "h", "f", "v", "g"))).toBe(arity("hmset"));
    expect(await error(h.kc.call("hset", "h", "f", "v", "g"))).toBe(arity("hset"));
    expect(await error(h.kc.call("HSETNX", "h", "f"))).toBe(arity("hsetnx"));
    expect(await error(h.kc.call("HGET", "h"))).toBe(arity("hget"));
    expect(await error(h.kc.call("HMGET", "h"))).toBe(arity("hmget"));
    expect(await error(h.kc.call("HGETALL"))).toBe(arity("hgetall"));
    expect(await error(h.kc.call("HDEL", "h"))).toBe(arity("hdel"));
    expect(await error(h.kc.call("HSTRLEN", "h"))).toBe(arity("hstrlen"));
    expect(await h.kc.exists("h")).toBe(0);
  });

  it("answers WRONGTYPE on a key of another type", async () => {
    await h.kc.set("str", "v");
    await h.kc.sadd("set", "m");
    for (const key of ["str", "set"]) {
      for (const p of [
        h.kc.hset(key, "f", "v"),
        h.kc.hmset(key, "f", "v"),
        h.kc.hsetnx(key, "f", "v"),
        h.kc.hget(key, "f"),
        h.kc.hmget(key, "f"),
        h.kc.hgetall(key),
        h.kc.hdel(key, "f"),
        h.kc.hexists(key, "f"),
        h.kc.hlen(key),
        h.kc.hkeys(key),
        h.kc.hvals(key),
        h.kc.hstrlen(key, "f"),
        h.kc.hincrby(key, "f", 1),
        h.kc.hincrbyfloat(key, "f", 1),
        h.kc.hrandfield(key),
        h.kc.hrandfield(key, 0),
        h.kc.hscan(key, 0),
      ]) {
        expect(await error(p)).toBe(WRONGTYPE);
      }
    }
    expect(await h.kc.get("str")).toBe("v");
  });

  it("does not see an expired key, and writes over it", async () => {
    await h.kc.hset("h", "f", "1");
    await h.kc.call("PEXPIRE", "h", "30");
    await h.kc.set("str", "v", "PX", 30);
    await sleep(60);
    expect(await h.kc.hget("h", "f")).toBe(null);
    expect(await h.kc.hlen("h")).toBe(0);
    expect(await h.kc.hset("str", "f", "1")).toBe(1);
    expect(await h.kc.pttl("str")).toBe(-1);
  });

  it("announces hset with the pairs as given, hsetnx only when it sets", async () => {
    await h.kc.hset("h", "a", "1", "b", "2");
    await h.kc.hset("h", "a", "1");
    await h.kc.hmset("h", "c", "3");
    await h.kc.hsetnx("h", "a", "9");
    await h.kc.hsetnx("h", "d", "4");
    expect(events).toEqual([
      ["new", "h", undefined],
      ["hset", "h", ["a", "1", "b", "2"]],
      // Redis announces HSET even when nothing changed.
      ["hset", "h", ["a", "1"]],
      ["hset", "h", ["c", "3"]],
      ["hset", "h", ["d", "4"]],
    ]);
  });
});

describe("HDEL", () => {
  it("deletes fields, counts them, and deletes the emptied key", async () => {
    await h.kc.hset("h", "a", "1", "b", "2", "c", "3");
    expect(await h.kc.hdel("h", "a", "zz", "a")).toBe(1);
    expect(await h.kc.hdel("h", "zz")).toBe(0);
    expect(await h.kc.hgetall("h")).toEqual({ b: "2", c: "3" });
    expect(await h.kc.hdel("h", "b", "c", "d")).toBe(2);
    expect(await h.kc.exists("h")).toBe(0);
  });

  it("announces hdel with the removed fields, then del", async () => {
    await h.kc.hset("h", "a", "1", "b", "2");
    events = [];
    await h.kc.hdel("h", "zz");
    await h.kc.hdel("h", "a", "zz");
    await h.kc.hdel("h", "b");
    expect(events).toEqual([
      ["hdel", "h", ["a"]],
      ["hdel", "h", ["b"]],
      ["del", "h", undefined],
    ]);
  });
});

describe("HINCRBY", () => {
  it("increments, creating the field and the key", async () => {
    expect(await h.kc.hincrby("h", "n", 5)).toBe(5);
    expect(await h.kc.hincrby("h", "n", -7)).toBe(-2);
    expect(await h.kc.hincrby("h", "n", "0")).toBe(-2);
    expect(await h.kc.hget("h", "n")).toBe("-2");
    await h.kc.hset("h", "big", "9223372036854775806");
    await h.kc.hincrby("h", "big", 1);
    expect(await h.kc.hget("h", "big")).toBe("9223372036854775807");
    await h.kc.hincrby("h", "big", "-9223372036854775808");
    expect(await h.kc.hget("h", "big")).toBe("-1");
    await h.kc.hset("h", "s", "9007199254740991");
    await h.kc.hincrby("h", "s", 2);
    expect(await h.kc.hget("h", "s")).toBe("9007199254740993");
  });

  it("answers Redis's errors and changes nothing on error", async () => {
    await h.kc.hset("h", "text", "abc", "max", "9223372036854775807", "min", "-9223372036854775808", "plus", "+1", "space", " 1");
    events = [];
    expect(await error(h.kc.hincrby("h", "text", 1))).toBe("ERR hash value is not an integer");
    expect(await error(h.kc.hincrby("h", "plus", 1))).toBe("ERR hash value is not an integer");
    expect(await error(h.kc.hincrby("h", "space", 1))).toBe("ERR hash value is not an integer");
    expect(await error(h.kc.hincrby("h", "max", 1))).toBe(OVERFLOW);
    expect(await error(h.kc.hincrby("h", "min", -1))).toBe(OVERFLOW);
    expect(await error(h.kc.hincrby("h", "f", "1.5"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.hincrby("h", "f", "9223372036854775808"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.hincrby("none", "f", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("HINCRBY", "h", "f"))).toBe(arity("hincrby"));
    expect(await h.kc.hget("h", "max")).toBe("9223372036854775807");
    expect(await h.kc.exists("none")).toBe(0);
    expect(events).toEqual([]);
  });

  it("announces hincrby with the field and its new value", async () => {
    await h.kc.hincrby("h", "n", 3);
    await h.kc.hincrby("h", "n", 4);
    expect(events).toEqual([
      ["new", "h", undefined],
      ["hincrby", "h", ["n", "3"]],
      ["hincrby", "h", ["n", "7"]],
    ]);
  });
});

describe("HINCRBYFLOAT", () => {
  it("formats like Redis's long double arithmetic", async () => {
    expect(await h.kc.hincrbyfloat("h", "a", "10.5")).toBe("10.5");
    expect(await h.kc.hincrbyfloat("h", "a", "0.1")).toBe("10.6");
    expect(await h.kc.hincrbyfloat("h", "b", "0.1")).toBe("0.1");
    expect(await h.kc.hincrbyfloat("h", "b", "0.2")).toBe("0.3");
    expect(await h.kc.hincrbyfloat("h", "c", "5.0e3")).toBe("5000");
    expect(await h.kc.hincrbyfloat("h", "c", "-5000")).toBe("0");
    expect(await h.kc.hincrbyfloat("h", "d", "1e20")).toBe("100000000000000000000");
    expect(await h.kc.hincrbyfloat("h", "d", "0.1")).toBe("100000000000000000000");
    expect(await h.kc.hincrbyfloat("h", "e", "1e-20")).toBe("0");
    expect(await h.kc.hincrbyfloat("h", "f", "-1e-20")).toBe("0");
    expect(await h.kc.hincrbyfloat("h", "g", "3.0000000000000000001")).toBe("3");
    expect(await h.kc.hincrbyfloat("h", "i", "0x10")).toBe("16");
    expect(await h.kc.hincrbyfloat("h", "j", "+.5")).toBe("0.5");
    expect(await h.kc.hincrbyfloat("h", "j", "5.")).toBe("5.5");
    expect(await h.kc.hincrbyfloat("h", "k", 1.5)).toBe("1.5");
    expect(await h.kc.hincrbyfloat("h", "k", -3)).toBe("-1.5");
    expect(await h.kc.hincrbyfloat("h", "l", "-0.00000000000000001")).toBe("-0.00000000000000001");
    // Beyond double range but within long double's, as in Redis.
    expect(await h.kc.hincrbyfloat("h", "m", "1e400")).toBe(
      "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880",
    );
    expect(await h.kc.hincrbyfloat("h", "m", "-1e400")).toBe("0");
    await h.kc.hset("h", "n", "1.5e300");
    expect(await h.kc.hincrbyfloat("h", "n", 0)).toBe(
      "1500000000000000000049800109861472166362379239118673928551219718248973529929812708792854310575830930686530644566050229406926646739311017606984258288377434143937602778196710661234655944195770838513268846826150205418632995547271874827072936230594920013241190363994471886080567336615911694509046614720512",
    );
    await h.kc.hset("h", "int", "7");
    expect(await h.kc.hincrbyfloat("h", "int", 3)).toBe("10");
  });

  it("answers Redis's errors and changes nothing on error", async () => {
    await h.kc.hset("h", "text", "abc", "inf", "inf", "nan", "nan", "space", " 1");
    events = [];
    expect(await error(h.kc.hincrbyfloat("h", "text", 1))).toBe("ERR hash value is not a float");
    expect(await error(h.kc.hincrbyfloat("h", "nan", 1))).toBe("ERR hash value is not a float");
    expect(await error(h.kc.hincrbyfloat("h", "space", 1))).toBe("ERR hash value is not a float");
    expect(await error(h.kc.hincrbyfloat("h", "inf", 1))).toBe("ERR increment would produce NaN or Infinity");
    expect(await error(h.kc.hincrbyfloat("h", "f", "inf"))).toBe("ERR value is NaN or Infinity");
    expect(await error(h.kc.hincrbyfloat("h", "f", "-Infinity"))).toBe("ERR value is NaN or Infinity");
    for (const bad of ["nan", "x", "", " 1", "1 ", "1e", ".", "0x", "1e5000", "1e-5000", "1\x00", "1_0"]) {
      expect(await error(h.kc.hincrbyfloat("h", "f", bad))).toBe(NOT_FLOAT);
    }
    expect(await error(h.kc.hincrbyfloat("none", "f", "x"))).toBe(NOT_FLOAT);
    await h.kc.hset("h", "huge", "1e4932");
    expect(await error(h.kc.hincrbyfloat("h", "huge", "1e4932"))).toBe("ERR increment would produce NaN or Infinity");
    expect(await error(h.kc.call("HINCRBYFLOAT", "h", "f"))).toBe(arity("hincrbyfloat"));
    expect(await h.kc.hexists("h", "f")).toBe(0);
    expect(await h.kc.exists("none")).toBe(0);
    expect(events).toEqual([["hset", "h", ["huge", "1e4932"]]]);
  });

  it("announces hincrbyfloat with the field and its new value", async () => {
    await h.kc.hincrbyfloat("h", "f", "1.25");
    expect(events).toEqual([
      ["new", "h", undefined],
      ["hincrbyfloat", "h", ["f", "1.25"]],
    ]);
  });
});

describe("HRANDFIELD", () => {
  beforeEach(async () => {
    await h.kc.hset("h", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5");
  });

  it("returns one field, or null on a missing key", async () => {
    expect(["a", "b", "c", "d", "e"]).toContain(await h.kc.hrandfield("h"));
    expect(await h.kc.hrandfield("none")).toBe(null);
    expect(await h.kc.hrandfield("none", 3)).toEqual([]);
    expect(await h.kc.hrandfield("none", -3, "WITHVALUES")).toEqual([]);
  });

  it("returns distinct fields for a positive count, all for a large one", async () => {
    for (const n of [1, 2, 4]) {
      const got = (await h.kc.hrandfield("h", n)) as string[];
      expect(got).toHaveLength(n);
      expect(new Set(got).size).toBe(n);
    }
    expect(sorted(await h.kc.hrandfield("h", 5))).toEqual(["a", "b", "c", "d", "e"]);
    expect(sorted(await h.kc.hrandfield("h", 100))).toEqual(["a", "b", "c", "d", "e"]);
    expect(await h.kc.hrandfield("h", 0)).toEqual([]);
  });

  it("may repeat fields for a negative count", async () => {
    const got = (await h.kc.hrandfield("h", -40)) as string[];
    expect(got).toHaveLength(40);
    for (const f of got) expect(["a", "b", "c", "d", "e"]).toContain(f);
  });

  it("pairs values with WITHVALUES: nested on WebSocket and RESP3, flat on RESP2", async () => {
    const pairs = (await h.kc.hrandfield("h", 3, "WITHVALUES")) as [string, string][];
    expect(pairs).toHaveLength(3);
    for (const [f, v] of pairs) expect(v).toBe(String(f.charCodeAt(0) - 96));
    const repeated = (await h.kc.call("HRANDFIELD", "h", -8, "withvalues")) as [string, string][];
    expect(repeated).toHaveLength(8);
    for (const [f, v] of repeated) expect(v).toBe(String(f.charCodeAt(0) - 96));
    const all = (await h.kc.hrandfield("h", 10, "WITHVALUES")) as [string, string][];
    expect(Object.fromEntries(all)).toEqual({ a: "1", b: "2", c: "3", d: "4", e: "5" });
    const flat = execute(context(2), ["HRANDFIELD", "h", "-2", "WITHVALUES"]) as string[];
    expect(flat).toHaveLength(4);
    expect(flat[1]).toBe(String(flat[0]!.charCodeAt(0) - 96));
    expect(execute(context(3), ["HRANDFIELD", "h", "1", "WITHVALUES"])).toEqual([[expect.any(String), expect.any(String)]]);
  });

  it("eventually returns every field", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 300 && seen.size < 5; i++) seen.add((await h.kc.hrandfield("h")) as string);
    expect([...seen].sort()).toEqual(["a", "b", "c", "d", "e"]);
    const distinct = new Set<string>();
    for (let i = 0; i < 200 && distinct.size < 5; i++) for (const f of (await h.kc.hrandfield("h", 2)) as string[]) distinct.add(f);
    expect([...distinct].sort()).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("answers Redis's errors", async () => {
    await h.kc.set("str", "v");
    expect(await error(h.kc.call("HRANDFIELD", "h", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("HRANDFIELD", "str", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.call("HRANDFIELD", "h", "-9223372036854775808"))).toBe(
      "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
    expect(await error(h.kc.call("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"))).toBe("ERR value is out of range");
    expect(await error(h.kc.call("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"))).toBe("ERR value is out of range");
    expect(await h.kc.call("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES")).toHaveLength(5);
    expect(await error(h.kc.call("HRANDFIELD", "h", "1", "foo"))).toBe(SYNTAX);
    expect(await error(h.kc.call("HRANDFIELD", "h", "1", "WITHVALUES", "x"))).toBe(SYNTAX);
    expect(await error(h.kc.call("HRANDFIELD"))).toBe(arity("hrandfield"));
    // Redis would try to build the reply; keycast refuses counts that would exhaust its heap.
    expect(await error(h.kc.call("HRANDFIELD", "h", "-9223372036854775807"))).toBe("ERR value is out of range");
  });
});

describe("HSCAN", () => {
  it("returns a small hash in one call with cursor 0, fields with values", async () => {
    await h.kc.hset("h", "a", "1", "b", "2", "ab", "3");
    const [cursor, flat] = await h.kc.hscan("h", 0);
    expect(cursor).toBe("0");
    const pairs: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) pairs[flat[i]!] = flat[i + 1]!;
    expect(pairs).toEqual({ a: "1", b: "2", ab: "3" });
    const [, matched] = await h.kc.hscan("h", 0, "MATCH", "a*");
    expect(matched.length).toBe(4);
    expect(await h.kc.hscan("none", 0)).toEqual(["0", []]);
  });

  it("walks a large hash with COUNT, tolerating changes between calls", async () => {
    const args: string[] = [];
    for (let i = 0; i < 600; i++) args.push(`f${i}`, `v${i}`);
    await h.kc.call("HSET", "h", ...args);
    const seen = new Map<string, string>();
    let cursor = "0";
    let calls = 0;
    do {
      const [next, flat] = await h.kc.hscan("h", cursor, "COUNT", 25);
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
      await h.kc.hset("h", `x${calls}`, "1");
      await h.kc.hdel("h", `x${calls}`);
      cursor = next;
      calls++;
    } while (cursor !== "0" && calls < 1000);
    expect(cursor).toBe("0");
    expect(calls).toBeGreaterThan(10);
    for (let i = 0; i < 600; i++) expect(seen.get(`f${i}`)).toBe(`v${i}`);
  });

  it("answers Redis's errors", async () => {
    await h.kc.hset("h", "a", "1");
    expect(await error(h.kc.hscan("h", "x"))).toBe("ERR invalid cursor");
    expect(await error(h.kc.hscan("h", 0, "COUNT", 0))).toBe(SYNTAX);
    expect(await error(h.kc.hscan("h", 0, "COUNT", -1))).toBe(SYNTAX);
    expect(await error(h.kc.hscan("h", 0, "COUNT", "x"))).toBe(NOT_INTEGER);
    expect(await error(h.kc.hscan("h", 0, "NOVALUES"))).toBe(SYNTAX);
    expect(await error(h.kc.call("HSCAN", "h"))).toBe(arity("hscan"));
  });
});

describe("COPY", () => {
  it("copies a hash deeply", async () => {
    await h.kc.hset("h", "a", "1");
    await h.kc.call("COPY", "h", "g");
    await h.kc.hset("g", "a", "2", "b", "3");
    expect(await h.kc.hgetall("h")).toEqual({ a: "1" });
    expect(await h.kc.hgetall("g")).toEqual({ a: "2", b: "3" });
  });
});
