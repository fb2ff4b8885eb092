// Differential test of the HyperLogLog commands: the same commands to a real redis-server
// 7.0.15 and to keycast, replies byte for byte, then the keyspaces (GET of every HLL key: the
// same bytes, sparse or dense, cached cardinality included), and with a subscriber to every
// keyspace channel, the same events. Hand-written cases first, then HLLs made on Redis alone
// and counted on both, then fast-check sequences of PF* commands mixed with string writes on
// the same keys (which corrupt the HLLs in every way Redis has to cope with).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RawClient } from "./redis-server.js";
import { bytes, cmd, differential, FUZZ_RUNS, FUZZ_SEED, many, one, script } from "./differential/harness.js";

const d = differential();

/** A sparse header with a stale cache, then whatever opcodes follow. */
const SPARSE = String.raw`HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`;
/** The same with a valid cached cardinality of 5. */
const SPARSE_CACHED_5 = String.raw`HYLL\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00`;

const CASES: Record<string, string> = {
  "PFADD and PFCOUNT: new keys, repeats, no elements, the cache in the header": `
    PFADD h a b c
    GET h
    PFADD h a b c
    PFADD h
    PFADD empty
    GET empty
    PFCOUNT empty
    PFCOUNT h
    GET h
    PFCOUNT h
    PFADD h d
    GET h
    PFCOUNT h
    PFCOUNT missing
    PFADD bin "\\x00" "\\xff\\xfe" "" "a\\r\\nb" "12345678" "123456789abcdef01"
    PFCOUNT bin
    STRLEN bin
    TYPE bin
  `,
  "PFCOUNT of several keys: the union, missing keys as empty, the cache left alone": `
    PFADD a 1 2 3 4 5
    PFADD b 4 5 6 7
    PFCOUNT a b
    PFCOUNT a b missing
    PFCOUNT a a a
    PFCOUNT missing other
    GET a
    GET b
  `,
  "PFMERGE: into a new key, an existing one, only the destination, with missing sources": `
    PFADD a 1 2 3
    PFADD b 3 4 5 6
    PFMERGE m a b
    GET m
    PFCOUNT m
    PFMERGE m
    GET m
    PFMERGE a b missing
    GET a
    PFCOUNT a
    PFMERGE new
    GET new
    PFMERGE new2 missing1 missing2
    GET new2
  `,
  "PFDEBUG: ENCODING, DECODE, TODENSE, GETREG (which keeps the dense form)": `
    PFADD h a b c x y z
    PFDEBUG ENCODING h
    PFDEBUG DECODE h
    PFDEBUG encoding h
    PFDEBUG TODENSE h
    PFDEBUG TODENSE h
    PFDEBUG ENCODING h
    PFDEBUG DECODE h
    GET h
    PFCOUNT h
    PFADD g q
    PFDEBUG GETREG g
    PFDEBUG ENCODING g
    GET g
    PFDEBUG GETREG h
    PFDEBUG DECODE missing
    PFDEBUG NOSUCH missing
    PFDEBUG NOSUCH h
    PFDEBUG
    PFDEBUG GETREG
    PFDEBUG GETREG h extra
  `,
  "PFMERGE of a dense source makes the destination dense": `
    PFADD s a b
    PFADD d c
    PFDEBUG TODENSE d
    PFMERGE m s d
    PFDEBUG ENCODING m
    GET m
    PFMERGE s2 s
    PFDEBUG ENCODING s2
    PFMERGE s2 d
    PFDEBUG ENCODING s2
    GET s2
  `,
  "errors: wrong type, strings that are not HLLs, arity": `
    RPUSH l x
    SET s hello
    SET n 12345
    SET almost HYLL
    PFADD l a
    PFCOUNT l
    PFCOUNT s
    PFCOUNT n
    PFCOUNT almost
    PFADD s a
    PFCOUNT l s
    PFCOUNT missing s
    PFMERGE m l
    PFMERGE s missing
    PFMERGE missing s
    EXISTS m missing
    PFDEBUG ENCODING s
    PFDEBUG ENCODING l
    PFADD
    PFCOUNT
    PFMERGE
    PFSELFTEST x
  `,
  "hand-made HLL strings: a cached count is believed, a stale one recomputed": `
    SET c "${SPARSE_CACHED_5}\\x7f\\xff"
    PFCOUNT c
    PFADD c a
    PFCOUNT c
    GET c
    SET big "HYLL\\x01\\x00\\x00\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x7f\\x7f\\xff"
    PFCOUNT big
    SET big2 "HYLL\\x01\\x00\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x20\\x00\\x7f\\xff"
    PFCOUNT big2
    SET ok "${SPARSE}\\x00\\x88\\x7f\\xfd"
    PFCOUNT ok
    PFDEBUG DECODE ok
    PFADD ok a b c
    GET ok
  `,
  "corrupted sparse HLLs: too few registers, too many, truncated XZERO, an empty body": `
    SET few "${SPARSE}\\x7f\\xfe"
    PFCOUNT few
    PFADD few a
    PFADD few a b c d e f g h
    PFMERGE m few
    PFCOUNT few few
    PFDEBUG TODENSE few
    PFDEBUG GETREG few
    PFDEBUG DECODE few
    GET few
    SET many "${SPARSE}\\x7f\\xff\\x00"
    PFCOUNT many
    PFADD many a b c
    GET many
    PFDEBUG DECODE many
    SET cut "${SPARSE}\\x7f"
    PFCOUNT cut
    PFADD cut x
    PFDEBUG DECODE cut
    GET cut
    SET bare "${SPARSE}"
    PFCOUNT bare
    PFADD bare x
    PFADD bare
    PFDEBUG DECODE bare
    PFDEBUG TODENSE bare
    SET tail "${SPARSE}\\x7f\\xff\\x80"
    PFMERGE m2 tail
    PFCOUNT tail tail
    PFDEBUG TODENSE tail
    PFADD tail a
    SET tail2 "${SPARSE}\\x7f\\xfe\\x81"
    PFMERGE m3 tail2
    PFDEBUG GETREG tail2
    SET vals "${SPARSE}\\xff\\xff\\xff\\x7f\\xff"
    PFCOUNT vals
    PFADD vals a
    PFDEBUG DECODE vals
    GET vals
  `,
  "corrupted dense HLLs: the wrong length, a bad encoding byte, registers past 51": `
    PFADD d a
    PFDEBUG TODENSE d
    APPEND d x
    PFCOUNT d
    PFADD e a
    PFDEBUG TODENSE e
    SETRANGE e 4 "\\x02"
    PFCOUNT e
    SETRANGE e 4 "\\x00"
    SETRANGE e 15 "\\x80"
    SETRANGE e 16 "\\xff\\xff\\xff\\xff\\xff\\xff"
    PFCOUNT e
    GET e
    PFADD e zzz
    PFDEBUG GETREG e
  `,
  "string commands on HLL keys: APPEND, SETRANGE, GETRANGE, STRLEN, then PF* again": `
    PFADD h a b c
    STRLEN h
    GETRANGE h 0 3
    APPEND h "\\x00"
    PFCOUNT h
    PFADD h d
    GET h
    SETRANGE h 17 "\\x01"
    PFCOUNT h
    PFDEBUG DECODE h
    SET h "not any more"
    PFADD h a
  `,
  "hll-sparse-max-bytes: a small limit promotes early, 0 promotes on the first split": `
    CONFIG SET hll-sparse-max-bytes 40
    CONFIG GET hll-sparse-max-bytes
    PFADD h 1 2 3 4
    PFDEBUG ENCODING h
    PFADD h 5 6 7 8 9 10 11 12
    PFDEBUG ENCODING h
    GET h
    CONFIG SET hll-sparse-max-bytes 0
    PFADD z a
    PFDEBUG ENCODING z
    PFADD z b
    PFDEBUG ENCODING z
    GET z
    PFADD y
    PFMERGE y z
    PFDEBUG ENCODING y
    CONFIG SET hll-sparse-max-bytes 3000
    PFMERGE w h
    PFDEBUG ENCODING w
    CONFIG SET hll-sparse-max-bytes abc
    CONFIG SET hll-sparse-max-bytes -1
    CONFIG SET hll-sparse-max-bytes 3k
    CONFIG GET hll-sparse-max-bytes
    CONFIG SET hll-sparse-max-bytes 3000
  `,
};

/** Elements e<from>..e<from+n-1>. */
const elements = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `e${from + i}`);

/** PFADD in batches with GET and PFCOUNT between: every sparse size, the promotion, dense. */
function growing(): string[][] {
  const steps: string[][] = [];
  let from = 0;
  for (const n of [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 10000]) {
    steps.push(["PFADD", "g", ...elements(from, n)], ["GET", "g"], ["PFCOUNT", "g"], ["GET", "g"], ["PFDEBUG", "ENCODING", "g"]);
    from += n;
  }
  return steps;
}

/** One element at a time across the promotion: each GET of the sparse string and the first dense one. */
function oneByOne(): string[][] {
  const steps: string[][] = [];
  for (let i = 0; i < 1500; i++) steps.push(["PFADD", "o", `one:${i}`], ...(i % 25 === 0 || (i > 1100 && i < 1300) ? [["GET", "o"]] : []));
  steps.push(["PFDEBUG", "ENCODING", "o"], ["PFCOUNT", "o"], ["PFDEBUG", "GETREG", "o"]);
  return steps;
}

/** Merges of sparse and dense HLLs of several sizes, PFCOUNT of their unions. */
function merges(): string[][] {
  const steps: string[][] = [];
  const sizes = [0, 10, 300, 1500, 20000];
  sizes.forEach((n, i) => {
    if (n > 0) steps.push(["PFADD", `m${i}`, ...elements(i * 100_000, n)]);
  });
  for (let i = 0; i < sizes.length; i++) {
    for (let j = 0; j < sizes.length; j++) {
      steps.push(["PFCOUNT", `m${i}`, `m${j}`], ["PFMERGE", `dst${i}${j}`, `m${i}`, `m${j}`], ["PFCOUNT", `dst${i}${j}`]);
    }
  }
  steps.push(["PFMERGE", "all", ...sizes.map((_, i) => `m${i}`)], ["PFCOUNT", "all"], ["PFDEBUG", "ENCODING", "all"]);
  return steps;
}

// ---------------------------------------------------------------------------------------
// Random sequences: PF* commands and string writes on a few keys, small elements so that
// registers collide, and limits that make promotion happen inside short sequences.

const KEY = one("h", "g", "s", "\x00\xff");
const ELEMENT = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 3000 }).map(String), weight: 6 },
  { arbitrary: bytes, weight: 1 },
);
const HEADER = fc.constantFrom(
  "HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80",
  "HYLL\x01\0\0\0\x07\0\0\0\0\0\0\0",
  "HYLL\x00\0\0\0\0\0\0\0\0\0\0\x80",
  "HYLL\x02\0\0\0\0\0\0\0\0\0\0\x80",
);
const OPCODES = fc.array(
  fc.oneof(fc.constantFrom("\x7f\xff", "\x7f\xfe", "\x40\x00", "\x3f", "\x00", "\x80", "\x83", "\xfc", "\xff"), bytes),
  { maxLength: 6 },
);
/** A string that starts like an HLL: mostly corrupted, sometimes valid (one full XZERO). */
const HLL_LIKE = fc.tuple(HEADER, OPCODES).map(([h, ops]) => h + ops.join(""));

const COMMANDS: fc.Arbitrary<string[]>[] = [
  cmd("PFADD", KEY, many(ELEMENT, 0, 30)),
  cmd("PFADD", KEY, many(ELEMENT, 0, 30)),
  cmd("PFADD", KEY, many(ELEMENT, 200, 600)),
  cmd("PFCOUNT", KEY),
  cmd("PFCOUNT", KEY, many(KEY, 1, 3)),
  cmd("PFMERGE", KEY, many(KEY, 0, 3)),
  cmd("PFDEBUG", one("ENCODING", "DECODE", "TODENSE", "GETREG", "nosuch"), KEY),
  cmd("GET", KEY),
  cmd("SET", KEY, fc.oneof(HLL_LIKE, bytes)),
  cmd("APPEND", KEY, fc.oneof(bytes, OPCODES.map((o) => o.join("")))),
  cmd("SETRANGE", KEY, one("4", "15", "16", "17", "20", "12303"), fc.oneof(bytes, one("\x00", "\x01", "\x80", "\xff"))),
  cmd("STRLEN", KEY),
  cmd("DEL", KEY),
  cmd("CONFIG", "SET", "hll-sparse-max-bytes", one("0", "30", "100", "3000")),
];

const DEFAULT_LIMIT = ["CONFIG", "SET", "hll-sparse-max-bytes", "3000"];

const SEQUENCE = fc
  .array(fc.oneof(...COMMANDS), { minLength: 1, maxLength: 25, size: "max" })
  // Every sequence starts from Redis's default limit and leaves it so for the tests after.
  .map((steps) => [DEFAULT_LIMIT, ...steps, DEFAULT_LIMIT]);

// ---------------------------------------------------------------------------------------

/** An HLL built on the real Redis alone: its bytes, as GET returns them. */
async function madeOnRedis(adds: string[][]): Promise<string> {
  const c = await RawClient.connect(d.redis.port);
  try {
    await c.call("DEL", "tmp");
    for (const a of adds) await c.call("PFADD", "tmp", ...a);
    const r = await c.call("GET", "tmp");
    await c.call("DEL", "tmp");
    return r.slice(r.indexOf("\r\n") + 2, -2);
  } finally {
    c.close();
  }
}

describe("differential: HyperLogLog against redis-server 7.0.15", () => {
  for (const [title, body] of Object.entries(CASES)) {
    for (const resp of [2, 3] as const) {
      it(`${title} (RESP${resp})`, () => d.expectSame(script(body), resp), 30_000);
    }
  }

  it("growing one key in batches: the same bytes at every size, sparse and dense", () => d.expectSame(growing(), 2), 120_000);
  it("one element at a time across the sparse-to-dense promotion", () => d.expectSame(oneByOne(), 3), 120_000);
  it("PFMERGE and PFCOUNT of unions over sparse and dense HLLs of several sizes", () => d.expectSame(merges(), 2), 120_000);

  it("PFSELFTEST: OK from both (seconds of work, so with a longer wait than the scripts')", async () => {
    const replies = await Promise.all(
      [d.redis.port, d.keycast.respPort!].map(async (port) => {
        const c = await RawClient.connect(port);
        try {
          c.send("*1\r\n$10\r\nPFSELFTEST\r\n");
          return await c.reply(120_000);
        } finally {
          c.close();
        }
      }),
    );
    expect(replies).toEqual(["+OK\r\n", "+OK\r\n"]);
  }, 150_000);

  it("HLLs made on Redis, set on both by their bytes, count and grow the same", async () => {
    const small = await madeOnRedis([elements(0, 50)]);
    const dense = await madeOnRedis([elements(0, 5000)]);
    const counted = await madeOnRedis([elements(0, 700)]);
    expect(dense.length).toBe(12304);
    await d.expectSame(
      [
        ["SET", "small", small],
        ["SET", "dense", dense],
        ["SET", "counted", counted],
        ["PFCOUNT", "small"],
        ["PFCOUNT", "dense"],
        ["PFCOUNT", "small", "dense", "counted"],
        ["PFADD", "small", ...elements(50, 100)],
        ["PFADD", "dense", ...elements(5000, 100)],
        ["PFCOUNT", "small"],
        ["PFCOUNT", "dense"],
        ["PFMERGE", "counted", "small"],
        ["PFDEBUG", "DECODE", "counted"],
      ],
      2,
    );
  }, 60_000);

  describe("keyspace notifications (notify-keyspace-events KEA)", () => {
    beforeAll(() => d.notifyKeyspaceEvents("KEA"));
    afterAll(() => d.notifyKeyspaceEvents(""));

    for (const [title, body] of Object.entries(CASES)) {
      it(`${title}: the same events`, () => d.expectSameEvents(script(body), 2), 30_000);
    }
    it("growing one key: the same events", () => d.expectSameEvents(growing(), 3), 120_000);
    it("merges: the same events", () => d.expectSameEvents(merges(), 2), 120_000);
    const runs = Math.ceil(FUZZ_RUNS / 2);
    it(`random PF* and string sequences: the same events (${runs} runs, seed ${FUZZ_SEED})`, () => d.fuzz(SEQUENCE, runs, true), 600_000);
  });

  // Known differences (docs/compatibility.md, HyperLogLog): these pass while they last.
  it.fails("known difference: OBJECT ENCODING of an HLL PFADD made is raw in Redis (created as an sds), embstr here", () =>
    d.expectSame([DEFAULT_LIMIT, ...script("PFADD h a\nOBJECT ENCODING h")], 2),
  );
  it.fails("known difference: a PFCOUNT that refreshes the cache touches WATCHed keys in Redis (EXEC aborts), not here", () =>
    d.expectSame([DEFAULT_LIMIT, ...script("PFADD h a\nWATCH h\nPFCOUNT h\nMULTI\nPING\nEXEC")], 2),
  );

  it.fails("known difference: COMMAND GETKEYS PFMERGE with no source: Redis finds no keys (an error), keycast the destination", () =>
    d.expectSame(script("COMMAND GETKEYS PFMERGE dest"), 2),
  );

  it(`random PF* and string sequences (${FUZZ_RUNS} runs, seed ${FUZZ_SEED})`, () => d.fuzz(SEQUENCE, FUZZ_RUNS, false), 600_000);
});
