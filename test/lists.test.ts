import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BatchBuilder } from "../client/types.js";
import { Context, type Session } from "../server/context.js";
import { execute } from "../server/dispatch.js";
import { Deque } from "../server/keyspace/deque.js";
import { NULL_ARRAY } from "../server/reply.js";
import { useServer } from "./helpers.js";

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_INTEGER = "ERR value is not an integer or out of range";
const NOT_POSITIVE = "ERR value is out of range, must be positive";
const SYNTAX = "ERR syntax error";
const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const arity = (cmd: string) => `ERR wrong number of arguments for '${cmd}' command`;

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

describe("Deque", () => {
  it("matches a plain array under thousands of random operations at both ends", () => {
    const rand = rng(12345);
    const d = new Deque();
    const model: string[] = [];
    let next = 0;
    for (let step = 0; step < 20000; step++) {
      const r = rand();
      // Biased towards pushes in phases so the buffer grows, wraps and shrinks repeatedly.
      const pushBias = Math.floor(step / 2000) % 2 === 0 ? 0.6 : 0.35;
      if (r < pushBias / 2) {
        const v = `v${next++}`;
        d.pushFront(v);
        model.unshift(v);
      } else if (r < pushBias) {
        const v = `v${next++}`;
        d.pushBack(v);
        model.push(v);
      } else if (r < pushBias + (1 - pushBias) * 0.4) {
        expect(d.popFront()).toBe(model.shift());
      } else if (r < pushBias + (1 - pushBias) * 0.8) {
        expect(d.popBack()).toBe(model.pop());
      } else if (r < pushBias + (1 - pushBias) * 0.85 && model.length > 0) {
        const i = Math.floor(rand() * model.length);
        d.set(i, `s${step}`);
        model[i] = `s${step}`;
      } else if (r < pushBias + (1 - pushBias) * 0.9) {
        const i = Math.floor(rand() * (model.length + 1));
        d.insert(i, `i${step}`);
        model.splice(i, 0, `i${step}`);
      } else if (r < pushBias + (1 - pushBias) * 0.95) {
        const front = Math.floor(rand() * 3);
        const back = Math.floor(rand() * 3);
        d.trim(front, back);
        model.splice(0, front);
        model.splice(Math.max(0, model.length - back), back);
      } else {
        const n = 1 + Math.floor(rand() * 3);
        const fromBack = rand() < 0.5;
        const got = fromBack ? d.popBackMany(n) : d.popFrontMany(n);
        const want = fromBack ? model.splice(Math.max(0, model.length - n)).reverse() : model.splice(0, n);
        expect(got).toEqual(want);
      }
      expect(d.size).toBe(model.length);
      if (step % 7 === 0) expect(d.toArray()).toEqual(model);
      if (model.length > 0) {
        expect(d.at(0)).toBe(model[0]);
        expect(d.at(model.length - 1)).toBe(model[model.length - 1]);
      }
    }
    expect(d.toArray()).toEqual(model);
  });

  it("removes matches from either end like LREM, moving whichever side is shorter", () => {
    const rand = rng(777);
    for (let round = 0; round < 2000; round++) {
      const d = new Deque();
      const model: string[] = [];
      const n = Math.floor(rand() * 40);
      // Rotate the head first; pushes at the front then wrap, so compaction crosses the seam.
      for (let i = Math.floor(rand() * 4); i > 0; i--) {
        d.pushBack("pad");
        d.popFront();
      }
      for (let i = 0; i < n; i++) {
        const v = rand() < 0.3 ? "x" : `e${i}`;
        if (rand() < 0.5) {
          d.pushFront(v);
          model.unshift(v);
        } else {
          d.pushBack(v);
          model.push(v);
        }
      }
      expect(d.toArray()).toEqual(model);
      const limit = Math.floor(rand() * 7) - 3;
      const want = [...model];
      let removed = 0;
      if (limit >= 0) {
        for (let i = 0; i < want.length && (limit === 0 || removed < limit); i++) {
          if (want[i] === "x") {
            want.splice(i--, 1);
            removed++;
          }
        }
      } else {
        for (let i = want.length - 1; i >= 0 && removed < -limit; i--) {
          if (want[i] === "x") {
            want.splice(i, 1);
            removed++;
          }
        }
      }
      expect(d.remove("x", limit)).toBe(removed);
      expect(d.toArray()).toEqual(want);
      expect(d.size).toBe(want.length);
    }
  });

  it("shrinks its buffer when mostly empty and clones deeply", () => {
    const d = new Deque();
    for (let i = 0; i < 100000; i++) d.pushBack(String(i));
    // Pushing and popping across a full buffer's boundary grows it once, then never resizes.
    const full = new Deque();
    for (let i = 0; i < 64; i++) full.pushBack(String(i));
    expect(full.capacity).toBe(64);
    let resizes = 0;
    for (let i = 0; i < 1000; i++) {
      const before = full.capacity;
      full.pushFront("t");
      full.popBack();
      if (full.capacity !== before) resizes++;
    }
    expect(resizes).toBe(1);
    const copy = d.clone();
    expect(d.capacity).toBe(131072);
    d.trim(10, 99980);
    expect(d.toArray()).toEqual(["10", "11", "12", "13", "14", "15", "16", "17", "18", "19"]);
    expect(d.capacity).toBe(32);
    for (let i = 0; i < 20; i++) d.popBack();
    expect(d.capacity).toBe(4);
    for (let i = 19; i >= 10; i--) d.pushFront(String(i));
    for (let i = 0; i < 100; i++) d.pushFront(`f${i}`);
    expect(d.at(0)).toBe("f99");
    expect(d.at(109)).toBe("19");
    expect(d.size).toBe(110);
    expect(copy.size).toBe(100000);
    expect(copy.at(99999)).toBe("99999");
    copy.set(0, "changed");
    expect(d.at(100)).toBe("10");
  });
});

describe("list commands", () => {
  const h = useServer();
  const events: [string, string, unknown][] = [];
  let off: () => void;
  beforeAll(() => {
    off = h.server.state.keyspace.onKeyEvent((_db, event, key, delta) => events.push([event, key, delta]));
  });
  afterAll(() => off());
  beforeEach(async () => {
    const db = h.server.state.keyspace.dbs[0]!;
    for (const k of [...db.keys()]) db.delete(k);
    events.length = 0;
  });

  it("LPUSH/RPUSH create, grow and report the length", async () => {
    expect(await h.kc.lpush("l", "a")).toBe(1);
    expect(await h.kc.lpush("l", "b", "c")).toBe(3);
    expect(await h.kc.rpush("l", "x", "y")).toBe(5);
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["c", "b", "a", "x", "y"]);
    expect(events).toEqual([
      ["new", "l", undefined],
      ["lpush", "l", ["a"]],
      ["lpush", "l", ["b", "c"]],
      ["rpush", "l", ["x", "y"]],
    ]);
    await h.kc.set("s", "v");
    await expect(h.kc.lpush("s", "a")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.rpush("s", "a")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LPUSH", "l")).rejects.toThrow(arity("lpush"));
    await expect(h.kc.call("RPUSH", "l")).rejects.toThrow(arity("rpush"));
  });

  it("LPUSHX/RPUSHX only push onto an existing list", async () => {
    expect(await h.kc.lpushx("l", "a")).toBe(0);
    expect(await h.kc.rpushx("l", "a", "b")).toBe(0);
    expect(await h.kc.exists("l")).toBe(0);
    expect(events).toEqual([]);
    await h.kc.rpush("l", "m");
    expect(await h.kc.lpushx("l", "a", "b")).toBe(3);
    expect(await h.kc.rpushx("l", "y", "z")).toBe(5);
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["b", "a", "m", "y", "z"]);
    await h.kc.set("s", "v");
    await expect(h.kc.lpushx("s", "a")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.rpushx("s", "a")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("RPUSHX", "l")).rejects.toThrow(arity("rpushx"));
  });

  it("LPOP/RPOP single elements, and remove the emptied list", async () => {
    await h.kc.rpush("l", "a", "b", "c");
    events.length = 0;
    expect(await h.kc.lpop("l")).toBe("a");
    expect(await h.kc.rpop("l")).toBe("c");
    expect(await h.kc.lpop("l")).toBe("b");
    expect(await h.kc.exists("l")).toBe(0);
    expect(await h.kc.lpop("l")).toBe(null);
    expect(await h.kc.rpop("l")).toBe(null);
    expect(events).toEqual([
      ["lpop", "l", ["a"]],
      ["rpop", "l", ["c"]],
      ["lpop", "l", ["b"]],
      ["del", "l", undefined],
    ]);
  });

  it("LPOP/RPOP with a count", async () => {
    await h.kc.rpush("l", "a", "b", "c", "d", "e");
    events.length = 0;
    expect(await h.kc.lpop("l", 2)).toEqual(["a", "b"]);
    expect(await h.kc.rpop("l", 2)).toEqual(["e", "d"]);
    expect(await h.kc.lpop("l", 0)).toEqual([]);
    expect(await h.kc.rpop("l", 0)).toEqual([]);
    expect(await h.kc.rpop("l", 10)).toEqual(["c"]);
    expect(await h.kc.exists("l")).toBe(0);
    expect(events).toEqual([
      ["lpop", "l", ["a", "b"]],
      ["rpop", "l", ["e", "d"]],
      ["rpop", "l", ["c"]],
      ["del", "l", undefined],
    ]);
    // A missing key with a count is a null array (RESP2 *-1), without a count a null bulk.
    expect(await h.kc.lpop("missing", 2)).toBe(null);
    expect(await h.kc.rpop("missing", 0)).toBe(null);
    await h.kc.rpush("big", "a", "b");
    expect(await h.kc.call("LPOP", "big", "9223372036854775807")).toEqual(["a", "b"]);
  });

  it("LPOP/RPOP errors, in Redis's order", async () => {
    await h.kc.rpush("l", "a");
    await h.kc.set("s", "v");
    await expect(h.kc.lpop("l", -1)).rejects.toThrow(NOT_POSITIVE);
    await expect(h.kc.call("RPOP", "l", "abc")).rejects.toThrow(NOT_POSITIVE);
    // The count is checked before the key.
    await expect(h.kc.call("LPOP", "missing", "x")).rejects.toThrow(NOT_POSITIVE);
    await expect(h.kc.call("LPOP", "s", "-1")).rejects.toThrow(NOT_POSITIVE);
    await expect(h.kc.lpop("s")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.rpop("s", 0)).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LPOP", "l", "1", "2")).rejects.toThrow(arity("lpop"));
    await expect(h.kc.call("RPOP", "l", "1", "2")).rejects.toThrow(arity("rpop"));
    await expect(h.kc.call("LPOP")).rejects.toThrow(arity("lpop"));
    expect(await h.kc.llen("l")).toBe(1);
  });

  it("replies a RESP2 null array for LPOP/RPOP with a count on a missing key", () => {
    const session: Session = {
      id: 0,
      transport: "resp",
      addr: "test",
      db: 0,
      name: null,
      resp: 2,
      createdAt: 0,
      lastCommand: "",
      lastActiveAt: 0,
      close() {},
    };
    const ctx = new Context(h.server.state, session);
    expect(execute(ctx, ["LPOP", "nope", "1"])).toBe(NULL_ARRAY);
    expect(execute(ctx, ["RPOP", "nope", "0"])).toBe(NULL_ARRAY);
    expect(execute(ctx, ["LPOP", "nope"])).toBe(null);
  });

  it("LRANGE with negative and out-of-range indexes", async () => {
    await h.kc.rpush("l", "a", "b", "c", "d", "e");
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "b", "c", "d", "e"]);
    expect(await h.kc.lrange("l", 1, 2)).toEqual(["b", "c"]);
    expect(await h.kc.lrange("l", -2, -1)).toEqual(["d", "e"]);
    expect(await h.kc.lrange("l", -100, 1)).toEqual(["a", "b"]);
    expect(await h.kc.lrange("l", 3, 100)).toEqual(["d", "e"]);
    expect(await h.kc.lrange("l", 5, 10)).toEqual([]);
    expect(await h.kc.lrange("l", 3, 1)).toEqual([]);
    expect(await h.kc.lrange("l", -1, -2)).toEqual([]);
    expect(await h.kc.lrange("l", 0, -6)).toEqual([]);
    expect(await h.kc.call("LRANGE", "l", "-9223372036854775808", "9223372036854775807")).toEqual(["a", "b", "c", "d", "e"]);
    expect(await h.kc.lrange("missing", 0, -1)).toEqual([]);
    await expect(h.kc.call("LRANGE", "l", "x", "1")).rejects.toThrow(NOT_INTEGER);
    await expect(h.kc.call("LRANGE", "missing", "0", "1.5")).rejects.toThrow(NOT_INTEGER);
    await expect(h.kc.call("LRANGE", "l", "+1", "2")).rejects.toThrow(NOT_INTEGER);
    await expect(h.kc.call("LRANGE", "l", "9223372036854775808", "2")).rejects.toThrow(NOT_INTEGER);
    await h.kc.set("s", "v");
    await expect(h.kc.lrange("s", 0, -1)).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LRANGE", "l", "0")).rejects.toThrow(arity("lrange"));
  });

  it("LTRIM keeps a range and deletes an emptied list", async () => {
    await h.kc.rpush("l", "a", "b", "c", "d", "e");
    events.length = 0;
    expect(await h.kc.ltrim("l", 1, -2)).toBe("OK");
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["b", "c", "d"]);
    expect(await h.kc.ltrim("l", -2, 100)).toBe("OK");
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["c", "d"]);
    // Nothing to cut: Redis still announces "ltrim"; the delta says nothing was removed.
    expect(await h.kc.ltrim("l", 0, -1)).toBe("OK");
    expect(await h.kc.ltrim("l", 2, 1)).toBe("OK");
    expect(await h.kc.exists("l")).toBe(0);
    expect(events).toEqual([
      ["ltrim", "l", [1, 1]],
      ["ltrim", "l", [1, 0]],
      ["ltrim", "l", [0, 0]],
      ["ltrim", "l", [2, 0]],
      ["del", "l", undefined],
    ]);
    await h.kc.rpush("l", "a", "b");
    expect(await h.kc.ltrim("l", 5, 10)).toBe("OK");
    expect(await h.kc.exists("l")).toBe(0);
    expect(await h.kc.ltrim("missing", 0, 1)).toBe("OK");
    await expect(h.kc.call("LTRIM", "missing", "x", "1")).rejects.toThrow(NOT_INTEGER);
    await h.kc.set("s", "v");
    await expect(h.kc.ltrim("s", 0, 1)).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LTRIM", "s", "0")).rejects.toThrow(arity("ltrim"));
  });

  it("LLEN", async () => {
    expect(await h.kc.llen("l")).toBe(0);
    await h.kc.rpush("l", "a", "b");
    expect(await h.kc.llen("l")).toBe(2);
    await h.kc.set("s", "v");
    await expect(h.kc.llen("s")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LLEN")).rejects.toThrow(arity("llen"));
  });

  it("LINDEX with negative and out-of-range indexes", async () => {
    await h.kc.rpush("l", "a", "b", "c");
    expect(await h.kc.lindex("l", 0)).toBe("a");
    expect(await h.kc.lindex("l", 2)).toBe("c");
    expect(await h.kc.lindex("l", -1)).toBe("c");
    expect(await h.kc.lindex("l", -3)).toBe("a");
    expect(await h.kc.lindex("l", 3)).toBe(null);
    expect(await h.kc.lindex("l", -4)).toBe(null);
    // The key is looked up before the index is parsed.
    expect(await h.kc.call("LINDEX", "missing", "x")).toBe(null);
    await expect(h.kc.call("LINDEX", "l", "x")).rejects.toThrow(NOT_INTEGER);
    await h.kc.set("s", "v");
    await expect(h.kc.call("LINDEX", "s", "x")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LINDEX", "l")).rejects.toThrow(arity("lindex"));
  });

  it("LSET", async () => {
    await h.kc.rpush("l", "a", "b", "c");
    events.length = 0;
    expect(await h.kc.lset("l", 1, "B")).toBe("OK");
    expect(await h.kc.lset("l", -1, "C")).toBe("OK");
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "B", "C"]);
    expect(events).toEqual([
      ["lset", "l", [1, "B"]],
      ["lset", "l", [2, "C"]],
    ]);
    await expect(h.kc.lset("l", 3, "x")).rejects.toThrow("ERR index out of range");
    await expect(h.kc.lset("l", -4, "x")).rejects.toThrow("ERR index out of range");
    await expect(h.kc.lset("missing", 0, "x")).rejects.toThrow("ERR no such key");
    await expect(h.kc.call("LSET", "missing", "x", "x")).rejects.toThrow("ERR no such key");
    await expect(h.kc.call("LSET", "l", "x", "x")).rejects.toThrow(NOT_INTEGER);
    await h.kc.set("s", "v");
    await expect(h.kc.lset("s", 0, "x")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LSET", "l", "0")).rejects.toThrow(arity("lset"));
  });

  it("LREM from the head, from the tail, and all", async () => {
    await h.kc.rpush("l", "x", "a", "x", "b", "x", "c", "x");
    events.length = 0;
    expect(await h.kc.lrem("l", 2, "x")).toBe(2);
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "b", "x", "c", "x"]);
    expect(await h.kc.lrem("l", -1, "x")).toBe(1);
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "b", "x", "c"]);
    expect(await h.kc.lrem("l", 0, "x")).toBe(1);
    expect(await h.kc.lrem("l", 0, "nope")).toBe(0);
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "b", "c"]);
    expect(await h.kc.call("LREM", "l", "-9223372036854775808", "b")).toBe(1);
    expect(events).toEqual([
      ["lrem", "l", ["x", 2]],
      ["lrem", "l", ["x", 1]],
      ["lrem", "l", ["x", 1]],
      ["lrem", "l", ["b", 1]],
    ]);
    events.length = 0;
    await h.kc.del("l");
    await h.kc.rpush("l", "y", "y");
    expect(await h.kc.lrem("l", 0, "y")).toBe(2);
    expect(await h.kc.exists("l")).toBe(0);
    expect(events.slice(-2)).toEqual([
      ["lrem", "l", ["y", 2]],
      ["del", "l", undefined],
    ]);
    expect(await h.kc.lrem("missing", 0, "y")).toBe(0);
    // The count is parsed before the key is looked up.
    await expect(h.kc.call("LREM", "missing", "x", "a")).rejects.toThrow(NOT_INTEGER);
    await h.kc.set("s", "v");
    await expect(h.kc.lrem("s", 0, "a")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LREM", "s", "0")).rejects.toThrow(arity("lrem"));
  });

  it("LINSERT before and after the first pivot", async () => {
    await h.kc.rpush("l", "a", "p", "b", "p");
    events.length = 0;
    expect(await h.kc.linsert("l", "BEFORE", "p", "x")).toBe(5);
    expect(await h.kc.call("LINSERT", "l", "after", "p", "y")).toBe(6);
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "x", "p", "y", "b", "p"]);
    expect(await h.kc.linsert("l", "AFTER", "nope", "z")).toBe(-1);
    expect(await h.kc.linsert("missing", "AFTER", "p", "z")).toBe(0);
    expect(await h.kc.exists("missing")).toBe(0);
    expect(events).toEqual([
      ["linsert", "l", ["x"]],
      ["linsert", "l", ["y"]],
    ]);
    await expect(h.kc.call("LINSERT", "l", "middle", "p", "z")).rejects.toThrow(SYNTAX);
    // The position word is checked before the key.
    await expect(h.kc.call("LINSERT", "missing", "middle", "p", "z")).rejects.toThrow(SYNTAX);
    await h.kc.set("s", "v");
    await expect(h.kc.linsert("s", "BEFORE", "p", "z")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("LINSERT", "l", "BEFORE", "p")).rejects.toThrow(arity("linsert"));
  });

  it("LPOS with RANK, COUNT and MAXLEN", async () => {
    await h.kc.rpush("l", "a", "b", "c", "1", "2", "3", "c", "c");
    expect(await h.kc.lpos("l", "c")).toBe(2);
    expect(await h.kc.lpos("l", "nope")).toBe(null);
    expect(await h.kc.lpos("l", "c", "RANK", 2)).toBe(6);
    expect(await h.kc.lpos("l", "c", "RANK", -1)).toBe(7);
    expect(await h.kc.lpos("l", "c", "RANK", -3)).toBe(2);
    expect(await h.kc.lpos("l", "c", "RANK", 4)).toBe(null);
    expect(await h.kc.lpos("l", "c", "COUNT", 2)).toEqual([2, 6]);
    expect(await h.kc.lpos("l", "c", "COUNT", 0)).toEqual([2, 6, 7]);
    expect(await h.kc.lpos("l", "c", "RANK", -1, "COUNT", 2)).toEqual([7, 6]);
    expect(await h.kc.lpos("l", "c", "RANK", 2, "COUNT", 0)).toEqual([6, 7]);
    expect(await h.kc.lpos("l", "nope", "COUNT", 1)).toEqual([]);
    expect(await h.kc.lpos("l", "c", "MAXLEN", 2)).toBe(null);
    expect(await h.kc.lpos("l", "c", "MAXLEN", 3)).toBe(2);
    expect(await h.kc.lpos("l", "c", "COUNT", 0, "MAXLEN", 7)).toEqual([2, 6]);
    expect(await h.kc.lpos("l", "c", "RANK", -1, "MAXLEN", 1)).toBe(7);
    expect(await h.kc.call("lpos", "l", "c", "rank", "2", "count", "1", "maxlen", "0")).toEqual([6]);
    expect(await h.kc.lpos("missing", "c")).toBe(null);
    expect(await h.kc.lpos("missing", "c", "COUNT", 1)).toEqual([]);
    await expect(h.kc.lpos("l", "c", "RANK", 0)).rejects.toThrow(RANK_ZERO);
    await expect(h.kc.call("LPOS", "l", "c", "RANK", "x")).rejects.toThrow(NOT_INTEGER);
    await expect(h.kc.lpos("l", "c", "COUNT", -1)).rejects.toThrow("ERR COUNT can't be negative");
    await expect(h.kc.call("LPOS", "l", "c", "COUNT", "x")).rejects.toThrow("ERR COUNT can't be negative");
    await expect(h.kc.lpos("l", "c", "MAXLEN", -1)).rejects.toThrow("ERR MAXLEN can't be negative");
    await expect(h.kc.call("LPOS", "l", "c", "FOO")).rejects.toThrow(SYNTAX);
    await expect(h.kc.call("LPOS", "l", "c", "RANK")).rejects.toThrow(SYNTAX);
    await h.kc.set("s", "v");
    await expect(h.kc.lpos("s", "c")).rejects.toThrow(WRONGTYPE);
    // Options are parsed before the key is looked up.
    await expect(h.kc.lpos("s", "c", "RANK", 0)).rejects.toThrow(RANK_ZERO);
    await expect(h.kc.call("LPOS", "l")).rejects.toThrow(arity("lpos"));
  });

  it("LMOVE between lists, announcing the push before the pop", async () => {
    await h.kc.rpush("src", "a", "b", "c");
    events.length = 0;
    expect(await h.kc.lmove("src", "dst", "LEFT", "RIGHT")).toBe("a");
    expect(await h.kc.call("LMOVE", "src", "dst", "right", "left")).toBe("c");
    expect(await h.kc.lmove("src", "dst", "RIGHT", "RIGHT")).toBe("b");
    expect(await h.kc.lrange("dst", 0, -1)).toEqual(["c", "a", "b"]);
    expect(await h.kc.exists("src")).toBe(0);
    expect(events).toEqual([
      ["new", "dst", undefined],
      ["rpush", "dst", ["a"]],
      ["lpop", "src", ["a"]],
      ["lpush", "dst", ["c"]],
      ["rpop", "src", ["c"]],
      ["rpush", "dst", ["b"]],
      ["rpop", "src", ["b"]],
      ["del", "src", undefined],
    ]);
    expect(await h.kc.lmove("src", "dst", "LEFT", "LEFT")).toBe(null);
    await expect(h.kc.call("LMOVE", "dst", "x", "UP", "LEFT")).rejects.toThrow(SYNTAX);
    await expect(h.kc.call("LMOVE", "dst", "x", "LEFT", "DOWN")).rejects.toThrow(SYNTAX);
    await h.kc.set("s", "v");
    await expect(h.kc.lmove("s", "dst", "LEFT", "LEFT")).rejects.toThrow(WRONGTYPE);
    // A wrong-typed destination fails before anything is popped.
    await expect(h.kc.lmove("dst", "s", "LEFT", "LEFT")).rejects.toThrow(WRONGTYPE);
    expect(await h.kc.llen("dst")).toBe(3);
    // A missing source wins over a wrong-typed destination.
    expect(await h.kc.lmove("missing", "s", "LEFT", "LEFT")).toBe(null);
    await expect(h.kc.call("LMOVE", "dst", "x", "LEFT")).rejects.toThrow(arity("lmove"));
  });

  it("LMOVE and RPOPLPUSH rotate a list onto itself", async () => {
    await h.kc.rpush("l", "a", "b", "c");
    expect(await h.kc.rpoplpush("l", "l")).toBe("c");
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["c", "a", "b"]);
    expect(await h.kc.lmove("l", "l", "LEFT", "RIGHT")).toBe("c");
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "b", "c"]);
    expect(await h.kc.lmove("l", "l", "LEFT", "LEFT")).toBe("a");
    expect(await h.kc.lrange("l", 0, -1)).toEqual(["a", "b", "c"]);
    await h.kc.rpush("one", "x");
    events.length = 0;
    expect(await h.kc.lmove("one", "one", "LEFT", "RIGHT")).toBe("x");
    expect(await h.kc.lrange("one", 0, -1)).toEqual(["x"]);
    expect(events).toEqual([
      ["rpush", "one", ["x"]],
      ["lpop", "one", ["x"]],
    ]);
  });

  it("RPOPLPUSH", async () => {
    await h.kc.rpush("src", "a", "b");
    events.length = 0;
    expect(await h.kc.rpoplpush("src", "dst")).toBe("b");
    expect(await h.kc.rpoplpush("src", "dst")).toBe("a");
    expect(await h.kc.rpoplpush("src", "dst")).toBe(null);
    expect(await h.kc.lrange("dst", 0, -1)).toEqual(["a", "b"]);
    expect(await h.kc.exists("src")).toBe(0);
    expect(events).toEqual([
      ["new", "dst", undefined],
      ["lpush", "dst", ["b"]],
      ["rpop", "src", ["b"]],
      ["lpush", "dst", ["a"]],
      ["rpop", "src", ["a"]],
      ["del", "src", undefined],
    ]);
    await h.kc.set("s", "v");
    await expect(h.kc.rpoplpush("s", "dst")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.rpoplpush("dst", "s")).rejects.toThrow(WRONGTYPE);
    await expect(h.kc.call("RPOPLPUSH", "dst")).rejects.toThrow(arity("rpoplpush"));
  });

  it("keeps binary elements and keys byte for byte", async () => {
    const key = new Uint8Array([0x6b, 0x00, 0xff]);
    const e1 = new Uint8Array([0x00, 0xff, 0x80, 0x0a]);
    const e2 = new Uint8Array([0xc3, 0x28]); // invalid UTF-8
    const e3 = new Uint8Array([]);
    expect(await h.kc.rpush(key, e1, e2, e3, "é")).toBe(4);
    const got = await h.kc.bytes.lrange(key, 0, -1);
    expect(got.map((b) => [...b])).toEqual([[0x00, 0xff, 0x80, 0x0a], [0xc3, 0x28], [], [0xc3, 0xa9]]);
    expect(await h.kc.lrange(key, 3, 3)).toEqual(["é"]);
    expect(await h.kc.lpos(key, e2)).toBe(1);
    expect(await h.kc.lrem(key, 0, e1)).toBe(1);
    const popped = await h.kc.bytes.lpop(key);
    expect([...(popped as Uint8Array)]).toEqual([0xc3, 0x28]);
    const idx = await h.kc.bytes.lindex(key, 0);
    expect([...(idx as Uint8Array)]).toEqual([]);
    expect(await h.kc.llen(new Uint8Array([0x6b, 0x00]))).toBe(0);
  });

  it("works with the empty key name", async () => {
    expect(await h.kc.rpush("", "a", "b")).toBe(2);
    expect(await h.kc.lrange("", 0, -1)).toEqual(["a", "b"]);
    expect(await h.kc.lmove("", "", "RIGHT", "LEFT")).toBe("b");
    expect(await h.kc.lpop("", 5)).toEqual(["b", "a"]);
    expect(await h.kc.exists("")).toBe(0);
  });

  it("treats expired keys as missing", async () => {
    await h.kc.set("s", "v", "PX", 30);
    await h.kc.rpush("l", "a", "b");
    h.server.state.keyspace.dbs[0]!.setDeadline("l", Date.now() + 30);
    await new Promise((r) => setTimeout(r, 60));
    expect(await h.kc.llen("l")).toBe(0);
    expect(await h.kc.lrange("l", 0, -1)).toEqual([]);
    expect(await h.kc.lpop("l", 1)).toBe(null);
    expect(await h.kc.rpushx("l", "x")).toBe(0);
    await expect(h.kc.lset("l", 0, "x")).rejects.toThrow("ERR no such key");
    // An expired string no longer blocks a list from being created there.
    expect(await h.kc.rpush("s", "x")).toBe(1);
    expect(await h.kc.lrange("s", 0, -1)).toEqual(["x"]);
  });

  it("runs in atomic batches, each command seeing the previous one's change", async () => {
    const r = await h.kc.batch().atomic().rpush("l", "a", "b").lpop("l").llen("l").exec();
    expect(r).toEqual([2, "a", 1]);
  });

  it("matches a plain array model through the server under random pushes and pops", async () => {
    const rand = rng(4242);
    const model: string[] = [];
    let b: BatchBuilder<unknown[]> = h.kc.batch();
    const expected: unknown[] = [];
    for (let i = 0; i < 4000; i++) {
      const r = rand();
      const v = `e${i}`;
      if (r < 0.3) {
        model.unshift(v);
        b = b.lpush("m", v);
        expected.push(model.length);
      } else if (r < 0.6) {
        model.push(v);
        b = b.rpush("m", v);
        expected.push(model.length);
      } else if (r < 0.75) {
        b = b.lpop("m");
        expected.push(model.shift() ?? null);
      } else if (r < 0.9) {
        b = b.rpop("m");
        expected.push(model.pop() ?? null);
      } else {
        const i2 = Math.floor(rand() * (model.length + 2)) - 1;
        b = b.lindex("m", i2);
        expected.push(model.at(i2) ?? null);
      }
    }
    b = b.lrange("m", 0, -1);
    expected.push(model);
    expect(await b.exec()).toEqual(expected);
  });

  it("builds a 1,000,000-element list and trims it to a feed quickly", async () => {
    // 10 frames of 10 RPUSHes of 10,000 elements each (an argument list much longer than
    // that would overflow the stack in the client's spread calls, not in the server).
    const chunk = 10_000;
    let n = 0;
    for (let f = 0; f < 10; f++) {
      let b: BatchBuilder<unknown[]> = h.kc.batch();
      const want: number[] = [];
      for (let c = 0; c < 10; c++) {
        const elements = Array.from({ length: chunk }, () => `m${n++}`);
        b = b.rpush("feed", ...(elements as [string, ...string[]]));
        want.push(n);
      }
      expect(await b.exec()).toEqual(want);
    }
    expect(await h.kc.llen("feed")).toBe(1_000_000);
    expect(await h.kc.lindex("feed", 500_000)).toBe("m500000");
    expect(await h.kc.lrange("feed", -2, -1)).toEqual(["m999998", "m999999"]);
    const t0 = performance.now();
    expect(await h.kc.ltrim("feed", 0, 49)).toBe("OK");
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(1000);
    expect(await h.kc.llen("feed")).toBe(50);
    expect(await h.kc.lrange("feed", 0, -1)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    // The feed pattern: push the newest, keep 50.
    for (let i = 0; i < 200; i++) await h.kc.batch().lpush("feed", `n${i}`).ltrim("feed", 0, 49).exec();
    expect(await h.kc.llen("feed")).toBe(50);
    expect(await h.kc.lindex("feed", 0)).toBe("n199");
    expect(await h.kc.lindex("feed", -1)).toBe("n150");
  }, 30_000);
});
