// HyperLogLog: the hash, the layout and the estimator on their own, then the commands on a
// server (promotion, the cache in the header, events, corrupted values). Values marked
// "Redis:" were read from a real redis-server 7.0.15 (test/differential-hyperloglog.test.ts
// compares the rest byte for byte).
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  countOf,
  countRegisters,
  emptyHll,
  hllEncoding,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  HllWriter,
  mergeInto,
  murmurHash64A,
  patternIndex,
  patternOf,
  selfTest,
} from "../server/keyspace/hyperloglog.js";
import { useServer } from "./helpers.js";
import { RawClient } from "./redis-server.js";

/** MurmurHash64A written the plain way, with BigInt, as the reference for the 32-bit version. */
function referenceHash(s: string): bigint {
  const mask = (1n << 64n) - 1n;
  const m = 0xc6a4a7935bd1e995n;
  const bytes = Buffer.from(s, "latin1");
  const len = bytes.length;
  let h = (0xadc83b19n ^ (BigInt(len) * m)) & mask;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    let k = bytes.readBigUInt64LE(i);
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h ^= k;
    h = (h * m) & mask;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(bytes[blocks + j]!) << BigInt(8 * j);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  h ^= h >> 47n;
  return h;
}

function add(w: HllWriter, element: string, maxBytes = 3000): number {
  const count = patternOf(element);
  return w.set(patternIndex, count, maxBytes);
}

/** Relative error of the estimate after adding n distinct elements with this prefix (dense). */
function relativeError(n: number, prefix: string): number {
  const w = new HllWriter(emptyHll());
  w.toDense();
  for (let i = 0; i < n; i++) add(w, `${prefix}${i}`);
  return (countOf(w.toString()) - n) / n;
}

describe("hash and layout", () => {
  it("MurmurHash64A with Redis's seed agrees with a BigInt reference on random byte strings", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (u) => {
        const s = Buffer.from(u).toString("latin1");
        const [hi, lo] = murmurHash64A(s);
        expect((BigInt(hi) << 32n) | BigInt(lo)).toBe(referenceHash(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("elements land in the registers Redis puts them in", () => {
    // Redis: PFADD h a b c; PFDEBUG DECODE h -> "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603".
    const placed = ["a", "b", "c"].map((e) => {
      const count = patternOf(e);
      return [patternIndex, count];
    });
    expect(placed.sort((x, y) => x[0]! - y[0]!)).toEqual([
      [8436, 1],
      [12711, 2],
      [15780, 1],
    ]);
    // Redis: PFADD h2 x; PFDEBUG DECODE h2 -> "Z:16374 v:2,1 z:9".
    expect([patternOf("x"), patternIndex]).toEqual([2, 16374]);
  });

  it("a new HLL is Redis's 18 bytes: the header, sparse, then one XZERO of 16384", () => {
    const s = emptyHll();
    expect(Buffer.from(s, "latin1").toString("hex")).toBe("48594c4c01" + "00".repeat(11) + "7fff");
    expect(hllEncoding(s)).toBe(1);
    expect(countOf(s)).toBe(0);
  });

  it("hllEncoding refuses what Redis's isHLLObjectOrReply refuses", () => {
    const dense = new HllWriter(emptyHll());
    dense.toDense();
    const d = dense.toString();
    expect(d.length).toBe(HLL_DENSE_SIZE);
    expect(hllEncoding(d)).toBe(0);
    expect(hllEncoding(d.slice(0, -1))).toBe(-1);
    expect(hllEncoding(d + "\0")).toBe(-1);
    expect(hllEncoding("HYLL\x02" + "\0".repeat(13))).toBe(-1);
    expect(hllEncoding("HYLX\x01" + "\0".repeat(13))).toBe(-1);
    expect(hllEncoding("HYLL\x01" + "\0".repeat(10))).toBe(-1);
    expect(hllEncoding("HYLL\x01" + "\0".repeat(11))).toBe(1);
  });
});

describe("estimates", () => {
  it("stay within Redis's standard error (1.04/sqrt(16384) = 0.81%) from 100,000 to 1,000,000 elements", () => {
    const sigma = 1.04 / Math.sqrt(HLL_REGISTERS);
    const errors: number[] = [];
    for (const n of [100_000, 250_000, 500_000, 1_000_000]) {
      for (let run = 0; run < 3; run++) {
        const e = relativeError(n, `n${n}r${run}:`);
        // Each estimate within 3 standard errors; the set's RMS near one standard error.
        expect(Math.abs(e), `n=${n} run=${run}`).toBeLessThan(3 * sigma);
        errors.push(e);
      }
    }
    const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    expect(rms).toBeLessThan(1.5 * sigma);
  }, 60_000);

  it("sparse and dense forms of the same registers give the same count", () => {
    const sparse = new HllWriter(emptyHll());
    const dense = new HllWriter(emptyHll());
    dense.toDense();
    for (let i = 0; i < 500; i++) {
      add(sparse, `e${i}`);
      add(dense, `e${i}`);
      if (i % 50 === 0) expect(countOf(sparse.toString())).toBe(countOf(dense.toString()));
    }
    expect(sparse.encoding).toBe(1);
  });

  it("the union of two HLLs counts as the HLL of both sets", () => {
    const a = new HllWriter(emptyHll());
    const b = new HllWriter(emptyHll());
    const both = new HllWriter(emptyHll());
    for (let i = 0; i < 3000; i++) {
      add(i % 2 ? a : b, `u${i}`);
      add(both, `u${i}`);
    }
    const max = new Uint8Array(HLL_REGISTERS);
    expect(mergeInto(max, a.toString())).toBe(true);
    expect(mergeInto(max, b.toString())).toBe(true);
    expect(countRegisters(max)).toBe(countOf(both.toString()));
  });
});

describe("sparse to dense", () => {
  it("stays sparse up to hll-sparse-max-bytes and turns dense on the add that would pass it", () => {
    const w = new HllWriter(emptyHll());
    let i = 0;
    for (; w.encoding === 1; i++) {
      const before = w.len;
      add(w, `p${i}`, 3000);
      if (w.encoding === 1) expect(w.len).toBeLessThanOrEqual(3000);
      else expect(before).toBeGreaterThan(2990);
    }
    expect(w.len).toBe(HLL_DENSE_SIZE);
    expect(i).toBeGreaterThan(1000);
  });

  it("turns dense at once for a count above 32, which VAL cannot hold", () => {
    const w = new HllWriter(emptyHll());
    expect(w.set(5, 33, 3000)).toBe(1);
    expect(w.encoding).toBe(0);
    expect(w.register(5)).toBe(33);
  });

  it("a corrupted sparse HLL refuses to turn dense and leaves its bytes as they were", () => {
    const bad = emptyHll().slice(0, 16) + "\x7f\xfe"; // covers 16383 registers
    const w = new HllWriter(bad);
    expect(w.toDense()).toBe(false);
    expect(w.toString()).toBe(bad);
    expect(w.set(16383, 40, 3000)).toBe(-1);
    expect(w.set(16383, 3, 3000)).toBe(-1);
    expect(countOf(bad)).toBe(-1);
    expect(mergeInto(new Uint8Array(HLL_REGISTERS), bad)).toBe(false);
  });
});

describe("PFSELFTEST's checks", () => {
  it("pass", () => {
    expect(selfTest(3000, 12345)).toBeNull();
  }, 60_000);
});

describe("commands", () => {
  const h = useServer({ respPort: 0 });
  let c: RawClient;
  let events: [string, string, unknown][] = [];
  beforeAll(async () => {
    c = await RawClient.connect(h.server.respPort!);
    h.server.state.keyspace.onKeyEvent((db, event, key, delta) => {
      if (db === 0 && event !== "new") events.push([event, key, delta]);
    });
  });
  afterAll(() => c.close());
  beforeEach(async () => {
    await c.call("FLUSHALL");
    await c.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000");
    events = [];
  });

  it("PFADD announces pfadd only when a register changed, with a null delta", async () => {
    expect(await c.call("PFADD", "h", "a", "b")).toBe(":1\r\n");
    expect(await c.call("PFADD", "h", "a")).toBe(":0\r\n");
    expect(await c.call("PFADD", "h")).toBe(":0\r\n");
    expect(await c.call("PFADD", "empty")).toBe(":1\r\n");
    expect(events).toEqual([
      ["pfadd", "h", null],
      ["pfadd", "empty", null],
    ]);
  });

  it("PFCOUNT writes the count into the header's cache without an event; PFADD marks it stale", async () => {
    await c.call("PFADD", "h", "a", "b", "c");
    const stale = await c.call("GET", "h");
    expect(stale.charCodeAt(stale.indexOf("\r\n") + 2 + 15)).toBe(0x80);
    events = [];
    expect(await c.call("PFCOUNT", "h")).toBe(":3\r\n");
    const cached = await c.call("GET", "h");
    const body = cached.slice(cached.indexOf("\r\n") + 2);
    expect(Buffer.from(body.slice(8, 16), "latin1").toString("hex")).toBe("0300000000000000");
    expect(events).toEqual([]);
    await c.call("PFADD", "h", "d");
    expect((await c.call("GET", "h")).charCodeAt(cached.indexOf("\r\n") + 2 + 15)).toBe(0x80);
  });

  it("hll-sparse-max-bytes: CONFIG GET/SET with Redis's parsing, and PFADD follows it", async () => {
    expect(await c.call("CONFIG", "GET", "hll-sparse-max-bytes")).toBe("*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n3000\r\n");
    expect(await c.call("CONFIG", "SET", "hll-sparse-max-bytes", "-1")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'hll-sparse-max-bytes') - argument must be a memory value\r\n",
    );
    expect(await c.call("CONFIG", "SET", "hll-sparse-max-bytes", "1k")).toBe("+OK\r\n");
    expect(await c.call("CONFIG", "GET", "hll-sparse-max-bytes")).toBe("*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n1000\r\n");
    await c.call("CONFIG", "SET", "hll-sparse-max-bytes", "30");
    await c.call("PFADD", "h", "a", "b", "c");
    expect(await c.call("PFDEBUG", "ENCODING", "h")).toBe("+sparse\r\n");
    await c.call("PFADD", "h", "d", "e", "f", "g", "h", "i", "j");
    expect(await c.call("PFDEBUG", "ENCODING", "h")).toBe("+dense\r\n");
  });

  it("a copy of an HLL (SET of its bytes) changes on its own: the write cache never crosses keys", async () => {
    await c.call("PFADD", "a", "x");
    const bytes = await c.call("GET", "a");
    const value = bytes.slice(bytes.indexOf("\r\n") + 2, -2);
    await c.call("SET", "b", value);
    await c.call("PFADD", "b", "y", "z");
    await c.call("PFADD", "a", "w");
    expect(await c.call("PFCOUNT", "a")).toBe(":2\r\n");
    expect(await c.call("PFCOUNT", "b")).toBe(":3\r\n");
    const w = new HllWriter(emptyHll());
    for (const e of ["x", "w"]) add(w, e);
    w.invalidateCache();
    expect(countOf(w.toString())).toBe(2);
  });

  it("errors: not a string, not an HLL, missing key for PFDEBUG, unknown subcommand, DECODE of dense", async () => {
    await c.call("RPUSH", "l", "x");
    await c.call("SET", "s", "hello");
    await c.call("PFADD", "h", "a");
    expect(await c.call("PFADD", "l", "a")).toBe("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    expect(await c.call("PFADD", "s", "a")).toBe("-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
    expect(await c.call("PFCOUNT", "h", "s")).toBe("-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
    expect(await c.call("PFMERGE", "h", "s")).toBe("-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n");
    expect(await c.call("PFDEBUG", "GETREG", "nope")).toBe("-ERR The specified key does not exist\r\n");
    expect(await c.call("PFDEBUG", "nosuch", "h")).toBe("-ERR Unknown PFDEBUG subcommand 'nosuch'\r\n");
    expect(await c.call("PFDEBUG", "TODENSE", "h")).toBe(":1\r\n");
    expect(await c.call("PFDEBUG", "DECODE", "h")).toBe("-ERR HLL encoding is not sparse\r\n");
    expect(await c.call("PFDEBUG", "GETREG", "h", "x")).toBe("-ERR wrong number of arguments for 'pfdebug' command\r\n");
  });

  it("corrupted values never crash the server: every PF* command answers, an error or a reply", async () => {
    const valid = new HllWriter(emptyHll());
    for (let i = 0; i < 200; i++) add(valid, `c${i}`);
    const sparse = valid.toString();
    valid.toDense();
    const dense = valid.toString();
    const corrupt = fc
      .tuple(fc.constantFrom(sparse, dense, emptyHll()), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.nat(40))
      .map(([base, edits, cut]) => {
        const b = Buffer.from(base, "latin1");
        for (const [at, v] of edits) b[16 + (at % (b.length - 16))] = v;
        const s = b.toString("latin1");
        return base === dense ? s : s.slice(0, Math.max(16, s.length - (cut % 5)));
      });
    const ok = /^(:\d+|\+OK|\+dense|\+sparse|\*16384|\$\d+|-INVALIDOBJ Corrupted HLL object detected|-ERR HLL encoding is not sparse)\r\n/;
    await fc.assert(
      fc.asyncProperty(corrupt, fc.array(fc.string({ maxLength: 4 }), { maxLength: 5 }), async (value, elements) => {
        await c.call("SET", "k", value);
        await c.call("SET", "k2", value);
        const replies = [
          await c.call("PFCOUNT", "k"),
          await c.call("PFADD", "k", ...elements),
          await c.call("PFCOUNT", "k", "k2"),
          await c.call("PFMERGE", "m", "k2"),
          await c.call("PFDEBUG", "DECODE", "k2"),
          await c.call("PFDEBUG", "GETREG", "k2"),
          await c.call("PFCOUNT", "m"),
        ];
        for (const r of replies) expect(r).toMatch(ok);
      }),
      { numRuns: 300 },
    );
    expect(await c.call("PING")).toBe("+PONG\r\n");
  }, 60_000);

  it("watchers: pfadd with a null delta, the HLL's bytes as the full value; the history keeps no copy of each 12 KB", async () => {
    const state = h.server.state;
    const from = state.history.offset;
    for (let i = 0; i < 20; i++) await c.call("PFADD", "hist", `h${i}`);
    const held = state.history.since(state.history.epoch, from, Date.now())!;
    expect(held.filter((r) => r.event === "pfadd")).toHaveLength(20);
    expect(held.filter((r) => r.event === "pfadd").every((r) => typeof r.value !== "string")).toBe(true);

    const w = await h.client();
    const deltas: unknown[] = [];
    const values: Uint8Array[] = [];
    await w.watch("hw", (m) => void (m.type === "event" && deltas.push(m.delta)), { value: "delta" });
    await w.bytes.watch("hw", (m) => void (m.type === "event" && values.push(m.value as Uint8Array)), { value: "full" });
    await c.call("PFADD", "hw", "a", "b");
    await c.call("PFADD", "hw", "a");
    await c.call("PFADD", "hw", "c");
    const get = await c.call("GET", "hw");
    const bytes = Buffer.from(get.slice(get.indexOf("\r\n") + 2, -2), "latin1");
    for (let i = 0; i < 50 && values.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(deltas).toEqual([null, null]);
    expect(values).toHaveLength(2);
    expect(Buffer.from(values[1]!).equals(bytes)).toBe(true);
  });

  it("PFSELFTEST answers OK", async () => {
    c.send("*1\r\n$10\r\nPFSELFTEST\r\n");
    expect(await c.reply(60_000)).toBe("+OK\r\n");
  }, 60_000);
});
