// ZSetValue (server/keyspace/zset.ts) against a naive model: a sorted array of (score, member)
// pairs re-sorted after every change. Sequences of adds, score changes and removes, large
// enough to grow and shrink the B+ tree through splits, merges and refills, with the tree's
// invariants checked along the way and every query compared.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLexRange, parseScoreRange, scoreArg, toScore } from "../server/keyspace/score.js";
import { ZSetValue, type LexRange, type ScoreRange } from "../server/keyspace/zset.js";

type Pair = [member: string, score: number];

function byRank(a: Pair, b: Pair): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

class Model {
  map = new Map<string, number>();
  sorted(): Pair[] {
    return [...this.map].sort(byRank);
  }
}

function inScore(s: number, r: ScoreRange): boolean {
  return (r.minExclusive ? s > r.min : s >= r.min) && (r.maxExclusive ? s < r.max : s <= r.max);
}

const member = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((n) => `m${n}`),
  fc.uint8Array({ maxLength: 3 }).map((u) => Buffer.from(u).toString("latin1")),
);
const score = fc.oneof(
  fc.integer({ min: -20, max: 20 }),
  fc.constantFrom(Infinity, -Infinity, 0.5, -0.5, 1e300),
);
type Op = { op: "add"; m: string; s: number } | { op: "rem"; m: string } | { op: "bulk"; base: number; n: number; s: number } | { op: "drop"; n: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant("add" as const), m: member, s: score }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("rem" as const), m: member }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("bulk" as const), base: fc.integer({ min: 0, max: 400 }), n: fc.integer({ min: 1, max: 300 }), s: score }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("drop" as const), n: fc.integer({ min: 1, max: 300 }) }) },
);

function compare(z: ZSetValue, model: Model): void {
  z.check();
  const sorted = model.sorted();
  expect(z.size).toBe(sorted.length);
  const members: string[] = [];
  const scores: number[] = [];
  if (sorted.length > 0) z.collect(0, sorted.length - 1, false, members, scores);
  expect(members).toEqual(sorted.map((p) => p[0]));
  expect(scores).toEqual(sorted.map((p) => p[1]));
  for (let i = 0; i < sorted.length; i += 7) {
    expect(z.rank(sorted[i]![0])).toBe(i);
    expect(z.memberAt(i)).toBe(sorted[i]![0]);
  }
  expect(z.rank("absent member")).toBe(-1);
}

describe("ZSetValue against a sorted array", () => {
  it("keeps order, ranks and scores through adds, updates and removes", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.array(fc.tuple(score, score, fc.boolean(), fc.boolean()), { minLength: 3, maxLength: 3 }), (ops, ranges) => {
        const z = new ZSetValue("skiplist");
        const model = new Model();
        for (const o of ops) {
          if (o.op === "add") {
            expect(z.add(o.m, o.s)).toBe(!model.map.has(o.m));
            model.map.set(o.m, o.s);
          } else if (o.op === "rem") {
            expect(z.remove(o.m)).toBe(model.map.delete(o.m));
          } else if (o.op === "bulk") {
            for (let i = 0; i < o.n; i++) {
              z.add(`m${o.base + i}`, o.s + (i % 3));
              model.map.set(`m${o.base + i}`, o.s + (i % 3));
            }
          } else {
            const victims = model.sorted().slice(0, o.n);
            for (const [m] of victims) {
              expect(z.remove(m)).toBe(true);
              model.map.delete(m);
            }
          }
        }
        compare(z, model);
        const sorted = model.sorted();
        for (const [a, b, ax, bx] of ranges) {
          const r: ScoreRange = { min: Math.min(a, b), max: Math.max(a, b), minExclusive: ax, maxExclusive: bx };
          const want = sorted.filter((p) => inScore(p[1], r));
          expect(z.countInScore(r)).toBe(want.length);
          if (want.length > 0) {
            expect(z.firstScoreRank(r.min, r.minExclusive)).toBe(sorted.indexOf(want[0]!));
            expect(z.lastScoreRank(r.max, r.maxExclusive)).toBe(sorted.indexOf(want[want.length - 1]!));
          }
        }
        const copy = z.clone();
        copy.check();
        expect(copy.flatRange(0, -1 + copy.size)).toEqual(z.toReply());
      }),
      { numRuns: 300 },
    );
  });

  it("keeps a tree three levels deep consistent through growth and shrinking", () => {
    const z = new ZSetValue("skiplist");
    const model = new Model();
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (const [phase, steps, keys] of [["grow", 60000, 20000], ["churn", 40000, 20000], ["shrink", 60000, 20000]] as const) {
      for (let i = 0; i < steps; i++) {
        const m = `k${rnd(keys)}`;
        if (phase === "shrink" ? rnd(10) < 8 : rnd(10) < 2) {
          expect(z.remove(m)).toBe(model.map.delete(m));
        } else {
          const s = rnd(50) - 25;
          z.add(m, s);
          model.map.set(m, s);
        }
      }
      compare(z, model);
    }
  });

  it("finds lex ranges on members of one score, by bytes, small and large", () => {
    const bound = fc.oneof(
      fc.constantFrom("-", "+"),
      fc.tuple(fc.constantFrom("[", "("), fc.uint8Array({ maxLength: 2 }).map((u) => Buffer.from(u).toString("latin1"))).map(([k, v]) => k + v),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ maxLength: 2 }).map((u) => Buffer.from(u).toString("latin1")), { maxLength: 400 }), bound, bound, (ms, lo, hi) => {
        const z = new ZSetValue("skiplist");
        for (const m of ms) z.add(m, 7);
        const sorted = [...ms].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const r: LexRange = parseLexRange(lo, hi);
        const ok = (m: string) =>
          (r.min.kind === "-" || (r.min.kind === "[" ? m >= r.min.value : r.min.kind === "(" ? m > r.min.value : false)) &&
          (r.max.kind === "+" || (r.max.kind === "[" ? m <= r.max.value : r.max.kind === "(" ? m < r.max.value : false));
        const want = sorted.filter(ok);
        for (const reverse of [false, true]) {
          const [first, last] = z.lexRun(r, reverse);
          const got: string[] = [];
          if (last >= first) z.collect(first, last, false, got, null);
          expect(got).toEqual(want);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("scans every member present throughout exactly once while the set changes", () => {
    const z = new ZSetValue("skiplist");
    for (let i = 0; i < 1000; i++) z.add(`m${i}`, i);
    const seen = new Map<string, number>();
    let cursor = 0;
    let step = 0;
    do {
      const out: unknown[] = [];
      cursor = z.scan(cursor, 10, null, out as never);
      for (let i = 0; i < out.length; i += 2) seen.set(out[i] as string, (seen.get(out[i] as string) ?? 0) + 1);
      // Changes between calls: new members, removed ones (never m0..m499), score changes.
      z.add(`new${step}`, -step);
      z.remove(`m${999 - step}`);
      z.add(`m${step % 500}`, 5000 + step);
      step++;
    } while (cursor !== 0);
    for (let i = 0; i < 500; i++) expect(seen.get(`m${i}`), `m${i}`).toBe(1);
  });

  it("stores -0 as 0 while a listpack, as Redis's listpack does, and keeps it in a skiplist", () => {
    const small = new ZSetValue("listpack");
    small.add("a", -0);
    expect(Object.is(small.score("a"), 0)).toBe(true);
    const big = new ZSetValue("skiplist");
    big.add("a", -0);
    expect(Object.is(big.score("a"), -0)).toBe(true);
    big.compact(128, 64);
    expect(big.encoding).toBe("listpack");
    expect(Object.is(big.score("a"), 0)).toBe(true);
    expect(big.toReply()).toEqual(["a", 0]);
  });
});

describe("score parsing", () => {
  it("reads scores as Redis's getDoubleFromObject does", () => {
    expect(toScore("1")).toBe(1);
    expect(toScore("-0")).toBe(-0);
    expect(toScore("inf")).toBe(Infinity);
    expect(toScore("+INF")).toBe(Infinity);
    expect(toScore("-Infinity")).toBe(-Infinity);
    expect(toScore("0x10")).toBe(16);
    expect(toScore("0x1p-2")).toBe(0.25);
    expect(toScore("1e-310")).toBe(1e-310);
    expect(toScore(".5")).toBe(0.5);
    expect(toScore("5.")).toBe(5);
    expect(toScore("1e5")).toBe(1e5);
    for (const bad of ["", " 1", "1 ", "nan", "NaN", "-nan", "1e400", "1e-400", "abc", "1e", "0b1", "Infinityx", "1\0"]) expect(toScore(bad), JSON.stringify(bad)).toBeNull();
    expect(() => scoreArg("x")).toThrow("ERR value is not a valid float");
  });

  it("reads range bounds as zslParseRange does", () => {
    expect(parseScoreRange("(1", "+inf")).toEqual({ min: 1, minExclusive: true, max: Infinity, maxExclusive: false });
    expect(parseScoreRange("", "(")).toEqual({ min: 0, minExclusive: false, max: 0, maxExclusive: true });
    expect(parseScoreRange(" 2", "1e400").max).toBe(Infinity);
    expect(parseScoreRange("3\0junk", "4").min).toBe(3);
    expect(() => parseScoreRange("nan", "1")).toThrow("ERR min or max is not a float");
    expect(() => parseScoreRange("1", "x")).toThrow("ERR min or max is not a float");
  });

  it("reads lex bounds", () => {
    expect(parseLexRange("-", "+")).toEqual({ min: { kind: "-", value: "" }, max: { kind: "+", value: "" } });
    expect(parseLexRange("[a", "(b")).toEqual({ min: { kind: "[", value: "a" }, max: { kind: "(", value: "b" } });
    for (const bad of ["", "a", "+a", "--"]) expect(() => parseLexRange(bad, "+")).toThrow("ERR min or max not valid string range item");
  });
});
