// Redis's glob (util.c stringmatchlen), as KEYS, SCAN MATCH and watch patterns use it: a table
// of cases, then many random patterns against a real redis-server's KEYS when one can run.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type RedisServer } from "./redis-server.js";
import { compileGlob, globMatch, isLiteralPattern } from "../server/keyspace/glob.js";
import { useServer } from "./helpers.js";

/** [pattern, subject, matches]; strings are byte strings (one char per byte). */
const CASES: [string, string, boolean][] = [
  // literals
  ["", "", true],
  ["", "a", false],
  ["a", "", false],
  ["abc", "abc", true],
  ["abc", "abd", false],
  ["abc", "ab", false],
  ["ab", "abc", false],
  ["ABC", "abc", false],
  // ?
  ["?", "a", true],
  ["?", "", false],
  ["?", "ab", false],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["??", "\x00\xff", true],
  // *
  ["*", "", false], // stringmatchlen never enters its loop on an empty subject (KEYS * special-cases it)
  ["**", "", false],
  ["*", "anything", true],
  ["a*", "a", true],
  ["a*", "abc", true],
  ["a*", "ba", false],
  ["*a", "a", true],
  ["*a", "bca", true],
  ["*a", "ab", false],
  ["a*c", "ac", true],
  ["a*c", "abbbc", true],
  ["a*c", "abcd", false],
  ["a**c", "abc", true],
  ["*b*", "abc", true],
  ["*b*", "ac", false],
  ["a*b*c", "aXbYc", true],
  ["a*b*c", "aXcYb", false],
  ["*?", "a", true],
  ["*?", "", false],
  ["?*", "a", true],
  ["a*?", "a", false],
  ["a*?", "ab", true],
  ["*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false],
  ["*a*a*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true],
  // [set]
  ["[abc]", "b", true],
  ["[abc]", "d", false],
  ["[abc]", "", false],
  ["[abc]", "ab", false],
  ["x[abc]y", "xby", true],
  ["[a-c]", "b", true],
  ["[a-c]", "c", true],
  ["[a-c]", "d", false],
  ["[c-a]", "b", true], // a reversed range is swapped
  ["[c-a]", "d", false],
  ["[a-]", "-", false], // the "]" is taken as the range's end: "[a-]" is the unclosed set ]..a
  ["[a-]", "_", true],
  ["[a-]", "b", false],
  ["[a-]x]", "_", true], // ... and the set goes on to the next "]": ]..a and x
  ["[a-]x]", "x", true],
  ["[a-]x]", "_x]", false],
  ["[-a]", "-", true], // a leading "-" is itself
  ["[a-b-]", "-", true], // so is one after a range, before the "]"
  ["[]", "a", false],
  ["[]a]", "]", false], // "]" closes at once: "[]" then "a]" literally
  ["[]a]", "a]", false],
  ["[]]", "]", false],
  ["[\\]]", "]", true], // an escaped "]" is a member
  ["[\\]a]", "a", true],
  ["[\\-]", "-", true],
  ["[\\a-c]", "b", false], // "\a" is "a", then "-c" are literals
  ["[\\a-c]", "-", true],
  ["[a\\]", "a", true], // "\]" is "]", so the set runs to the end of the pattern
  ["[a\\]", "]", true],
  ["[^a]", "b", true],
  ["[^a]", "a", false],
  ["[^a]", "", false],
  ["[^a-c]", "b", false],
  ["[^a-c]", "z", true],
  ["[^]", "x", true], // "[^" then "]": an empty negated set matches any one byte
  ["[a^]", "^", true],
  ["[*]", "*", true],
  ["[*]", "a", false],
  ["[?]", "?", true],
  ["[?]", "a", false],
  // an unclosed "[" runs to the end of the pattern
  ["[", "", false],
  ["[", "a", false],
  ["[abc", "b", true],
  ["[abc", "d", false],
  ["a[bc", "ab", true],
  ["[^", "x", true],
  ["[^a", "a", false],
  ["[a-", "a", true],
  ["[a-", "-", true],
  ["[a-c", "b", true],
  // backslash
  ["\\*", "*", true],
  ["\\*", "a", false],
  ["\\?", "?", true],
  ["\\?", "a", false],
  ["\\[a]", "[a]", true],
  ["\\[a]", "a", false],
  ["\\\\", "\\", true],
  ["\\a", "a", true],
  ["a\\", "a\\", true], // a trailing backslash is itself
  ["a\\", "a", false],
  ["\\", "\\", true],
  ["*\\", "ab\\", true],
  // bytes: ranges compare as C's signed char, so bytes >= 0x80 sort below 0x00
  ["\x00", "\x00", true],
  ["a\x00*", "a\x00b", true],
  ["[\x80-\xff]", "\x90", true],
  ["[\x80-\xff]", "a", false],
  ["[a-\xff]", "b", false],
  ["[a-\xff]", "\x00", true],
  ["[a-\xff]", "\xff", true],
  ["[a-\xff]", "\xfe", false],
  ["[\x01-\x90]", "\x00", true],
  ["[\x01-\x90]", "\x80", false],
  ["[\x01-\x90]", "\x91", true],
  ["[\x7f-\x80]", "a", true],
  ["\xe9*", "\xe9t\xe9", true],
];

describe("globMatch", () => {
  it.each(CASES)("%j against %j is %s", (pattern, subject, expected) => {
    expect(globMatch(pattern, subject)).toBe(expected);
  });

  it("gives up on patterns nested deeper than Redis allows, as Redis 7 does", () => {
    expect(globMatch("*a".repeat(999), "a".repeat(1200))).toBe(true);
    expect(globMatch("*a".repeat(1100), "a".repeat(1200))).toBe(false);
  });

  it("stays fast on patterns that are exponential for a naive matcher", () => {
    const started = Date.now();
    expect(globMatch("a*".repeat(30) + "b", "a".repeat(60))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("compileGlob", () => {
  it("agrees with globMatch on every case but the empty subject for '*'", () => {
    for (const [pattern, subject, expected] of CASES) {
      const want = pattern === "*" ? true : expected;
      expect(compileGlob(pattern)(subject), `${JSON.stringify(pattern)} ${JSON.stringify(subject)}`).toBe(want);
    }
  });

  it("tells literal patterns apart", () => {
    expect(isLiteralPattern("user:42")).toBe(true);
    expect(isLiteralPattern("a]b-c^")).toBe(true);
    for (const p of ["a*", "a?", "a[b]", "a\\b"]) expect(isLiteralPattern(p)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// Against a real redis-server: random keys and patterns over an alphabet heavy in special
// characters, the KEYS of both compared. Skipped when redis-server is not installed.

const REDIS_DB = "9";

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed. */
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

type Resp = string | number | null | Error | Resp[];

/** A minimal RESP2 client: pipelined commands of byte strings, replies as byte strings. */
class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiting: ((r: Resp) => void)[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      for (;;) {
        const r = parseResp(this.buf, 0);
        if (r === null) break;
        this.buf = this.buf.subarray(r[1]);
        this.waiting.shift()!(r[0]);
      }
    });
  }

  static connect(port: number): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => resolve(new RespClient(socket)));
      socket.once("error", reject);
    });
  }

  send(...argv: string[]): Promise<Resp> {
    const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
    for (const a of argv) {
      const b = Buffer.from(a, "latin1");
      parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
    }
    this.socket.write(Buffer.concat(parts));
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }
}

function parseResp(b: Buffer, i: number): [Resp, number] | null {
  if (i >= b.length) return null;
  const end = b.indexOf("\r\n", i);
  if (end < 0) return null;
  const line = b.toString("latin1", i + 1, end);
  switch (b[i]) {
    case 0x2b: // +
      return [line, end + 2];
    case 0x2d: // -
      return [new Error(line), end + 2];
    case 0x3a: // :
      return [Number(line), end + 2];
    case 0x24: {
      // $
      const n = Number(line);
      if (n < 0) return [null, end + 2];
      if (b.length < end + 4 + n) return null;
      return [b.toString("latin1", end + 2, end + 2 + n), end + 4 + n];
    }
    default: {
      // *
      const n = Number(line);
      if (n < 0) return [null, end + 2];
      const out: Resp[] = [];
      let j = end + 2;
      for (let k = 0; k < n; k++) {
        const r = parseResp(b, j);
        if (r === null) return null;
        out.push(r[0]);
        j = r[1];
      }
      return [out, j];
    }
  }
}

async function connectWithRetry(port: number, ms: number): Promise<RespClient | null> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await RespClient.connect(port);
    } catch {
      if (Date.now() > until) return null;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** A redis-server to compare with, started for this file on a free loopback port. */
async function startRedis(): Promise<{ client: RespClient; server: RedisServer } | null> {
  let server: RedisServer;
  try {
    server = await startRedisServer();
  } catch {
    return null;
  }
  const client = await connectWithRetry(server.port, 3000);
  if (!client) {
    await server.stop();
    return null;
  }
  return { client, server };
}

const KEY_ALPHABET = ["a", "b", "c", "-", "^", "]", "[", "\\", "*", "?", "\x00", "\x7f", "\x80", "\xe9", "\xff"];
const PATTERN_ALPHABET = [...KEY_ALPHABET, "*", "*", "?", "[", "[", "]", "-", "\\", "[a-c]", "[^a]", "[\xff-a]"];

function randomWord(rand: () => number, alphabet: string[], maxLen: number): string {
  const n = Math.floor(rand() * (maxLen + 1));
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)]!;
  return s;
}

describe("against redis-server's KEYS", () => {
  const h = useServer();
  let redis: { client: RespClient; server: RedisServer } | null = null;
  const rand = rng(20240611);
  const keySet = new Set<string>();
  while (keySet.size < 300) keySet.add(randomWord(rand, KEY_ALPHABET, 5));
  const keys = [...keySet];
  const patterns = Array.from({ length: 3000 }, () => randomWord(rand, PATTERN_ALPHABET, 6));

  beforeAll(async () => {
    redis = await startRedis();
    if (!redis) return;
    const r = redis.client;
    await r.send("SELECT", REDIS_DB);
    await r.send("FLUSHDB");
    await Promise.all(keys.map((k) => r.send("SET", k, "1")));
  });

  afterAll(async () => {
    if (!redis) return;
    redis.client.close();
    await redis.server.stop();
  });

  it("matches the same keys for thousands of random patterns", async (t) => {
    if (!redis) return t.skip("redis-server is not available");
    const replies = await Promise.all(patterns.map((p) => redis!.client.send("KEYS", p)));
    let compared = 0;
    for (let i = 0; i < patterns.length; i++) {
      const p = patterns[i]!;
      const theirs = (replies[i] as string[]).slice().sort();
      // KEYS * is special-cased by Redis (every key, "" included); the matcher is not asked.
      const ours = p === "*" ? keys.slice().sort() : keys.filter((k) => globMatch(p, k)).sort();
      expect(ours, `pattern ${JSON.stringify(p)}`).toEqual(theirs);
      compared++;
    }
    expect(compared).toBe(patterns.length);
  });

  it("gives the same KEYS through the keycast server", async (t) => {
    if (!redis) return t.skip("redis-server is not available");
    const kc = h.kc;
    await kc.select(Number(REDIS_DB));
    const toBytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
    await Promise.all(keys.map((k) => kc.set(toBytes(k), "1")));
    const sample = patterns.slice(0, 400);
    const [ours, theirs] = await Promise.all([
      Promise.all(sample.map((p) => kc.bytes.keys(toBytes(p)))),
      Promise.all(sample.map((p) => redis!.client.send("KEYS", p))),
    ]);
    for (let i = 0; i < sample.length; i++) {
      const got = ours[i]!.map((b) => Buffer.from(b).toString("latin1")).sort();
      expect(got, `pattern ${JSON.stringify(sample[i])}`).toEqual((theirs[i] as string[]).slice().sort());
    }
  });
});
