// The differential harness: one connection to a real redis-server and one to keycast, the same
// commands to both, replies compared byte for byte (or by the mode a command's reply needs),
// keyspace notifications and whole keyspaces compared after. Each family's differential test
// (test/differential*.test.ts) builds on it: its hand-written scripts, its generators, and the
// modes and reads its commands need (registerModes, registerReads).
import fc from "fast-check";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect } from "vitest";
import { startServer, type RunningServer } from "../../server/index.js";
import { RawClient, startRedisServer, type RedisServer } from "../redis-server.js";

export const FUZZ_RUNS = Number(process.env.KEYCAST_FUZZ_RUNS ?? 200);
export const FUZZ_SEED = Number(process.env.KEYCAST_FUZZ_SEED ?? 20240611);
/** KEYCAST_DIFF_ALL=1: a script reports every difference, not only the first (later ones may follow from it). */
export const ALL_DIFFERENCES = process.env.KEYCAST_DIFF_ALL === "1";

// ---------------------------------------------------------------------------------------
// Replies

export interface Node {
  /** The RESP type byte: + - : $ * % ~ _ , # ( = > ! */
  readonly type: string;
  /** The text between the type byte and the first CRLF. */
  readonly head: string;
  /** The whole encoding. */
  readonly raw: string;
  readonly items?: Node[];
}

export function parse(raw: string, pos = 0): { node: Node; end: number } {
  const cr = raw.indexOf("\r\n", pos);
  const type = raw[pos]!;
  const head = raw.slice(pos + 1, cr);
  let end = cr + 2;
  let items: Node[] | undefined;
  const n = Number(head);
  if ((type === "$" || type === "=" || type === "!") && n >= 0) end += n + 2;
  if ((type === "*" || type === "~" || type === ">" || type === "%") && n >= 0) {
    items = [];
    for (let i = 0; i < (type === "%" ? 2 * n : n); i++) {
      const r = parse(raw, end);
      items.push(r.node);
      end = r.end;
    }
  }
  return { node: { type, head, raw: raw.slice(pos, end), items }, end };
}

export const replyOf = (raw: string): Node => parse(raw).node;

/** A bulk or simple string's text. */
export function text(n: Node): string {
  return n.type === "$" ? n.raw.slice(n.head.length + 3, n.raw.length - 2) : n.head;
}

/**
 * How two replies are compared: byte for byte; as unordered elements (or field/value pairs);
 * by shape only (type and element count: random replies); integers within a tolerance (TTLs);
 * or, for one SCAN page, only as "a cursor and a page"; COMMAND INFO with each command's
 * subcommands in any order (Redis lists them in its hash table's order).
 */
export type Mode = "exact" | "unordered" | "pairs" | "shape" | "scanpage" | "commandinfo" | { readonly tolerance: number };

function shape(n: Node): string {
  if (n.items) return `${n.type}${n.items.length}`;
  if (n.type === "_" || (n.type === "$" && n.head === "-1")) return "nil";
  return n.type === "-" ? n.raw : n.type;
}

function sortedChunks(items: Node[], size: number): string {
  const chunks: string[] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size).map((x) => x.raw).join(""));
  return chunks.sort().join("");
}

export function same(a: Node, b: Node, mode: Mode): boolean {
  if (a.raw === b.raw) return true;
  if (mode === "exact" || a.type === "-" || b.type === "-") return false;
  if (mode === "shape") return shape(a) === shape(b);
  if (mode === "scanpage") return a.type === b.type && a.items?.length === 2 && b.items?.length === 2;
  if (mode === "commandinfo") {
    if (!a.items || !b.items || a.type !== b.type || a.items.length !== b.items.length) return false;
    return a.items.every((x, i) => {
      const y = b.items![i]!;
      if (x.items?.length !== 10 || y.items?.length !== 10) return x.raw === y.raw;
      return x.items.slice(0, 9).every((f, j) => f.raw === y.items![j]!.raw) && same(x.items[9]!, y.items[9]!, "unordered");
    });
  }
  if (mode === "unordered" || mode === "pairs") {
    if (!a.items || !b.items || a.type !== b.type || a.items.length !== b.items.length) return false;
    const size = mode === "pairs" || a.type === "%" ? 2 : 1;
    return sortedChunks(a.items, size) === sortedChunks(b.items, size);
  }
  if (a.type !== ":" || b.type !== ":") return false;
  const x = Number(a.head);
  const y = Number(b.head);
  // -1 (no TTL) and -2 (no key) are answers, not times.
  return x >= 0 && y >= 0 && Math.abs(x - y) <= mode.tolerance;
}

export const SCANS = new Set(["SCAN", "SSCAN", "HSCAN", "ZSCAN"]);

/** Reply modes a family's commands need (ZSCAN's pages, XINFO's times...), by upper-case name. */
const EXTRA_MODES = new Map<string, (argv: readonly string[]) => Mode>();

/** Adds reply modes for a family's commands; its test file calls it at load. */
export function registerModes(modes: Record<string, Mode | ((argv: readonly string[]) => Mode)>): void {
  for (const [name, m] of Object.entries(modes)) EXTRA_MODES.set(name, typeof m === "function" ? m : () => m);
}

/** How compareKeyspaces() reads a key of each type: a family adds its own (zset: ZRANGE 0 -1 WITHSCORES). */
const READS = new Map<string, (key: string) => string[]>([
  ["string", (k) => ["GET", k]],
  ["list", (k) => ["LRANGE", k, "0", "-1"]],
  ["set", (k) => ["SMEMBERS", k]],
  ["hash", (k) => ["HGETALL", k]],
]);

export function registerReads(reads: Record<string, (key: string) => string[]>): void {
  for (const [type, r] of Object.entries(reads)) READS.set(type, r);
}

export function modeOf(argv: readonly string[]): Mode {
  const extra = EXTRA_MODES.get(argv[0]!.toUpperCase());
  if (extra !== undefined) return extra(argv);
  switch (argv[0]!.toUpperCase()) {
    case "SMEMBERS":
    case "SINTER":
    case "SUNION":
    case "SDIFF":
    case "KEYS":
    case "HKEYS":
    case "HVALS":
      return "unordered";
    case "HGETALL":
      return "pairs";
    case "SPOP":
      // With a count, only counts that take the whole set are generated.
      return argv.length > 2 ? "unordered" : "shape";
    case "SRANDMEMBER":
    case "HRANDFIELD":
    case "RANDOMKEY":
      return "shape";
    case "TTL":
    case "EXPIRETIME":
      return { tolerance: 1 };
    case "PTTL":
    case "PEXPIRETIME":
      return { tolerance: 1000 };
    case "SCAN":
    case "SSCAN":
    case "HSCAN":
      return "scanpage";
    case "COMMAND":
      return argv[1]?.toUpperCase() === "INFO" ? "commandinfo" : "exact";
    default:
      return "exact";
  }
}

// ---------------------------------------------------------------------------------------
// Running commands on both servers

export const show = (argv: readonly string[]): string => argv.map((a) => (/^[!-~]+$/.test(a) && !a.includes('"') ? a : JSON.stringify(a))).join(" ");

/** One connection to each server, stepping through the same commands. */
export class Twin {
  private inMulti = false;
  private queued: Mode[] = [];
  /** Databases the script may have written to besides 0 (SELECT, SWAPDB, COPY ... DB n). */
  private readonly dbs = new Set<number>();
  readonly history: string[] = [];
  redis!: RawClient;
  keycast!: RawClient;
  /** A subscriber on each server to every keyspace notification channel, after listen(). */
  private listeners: [RawClient, RawClient] | null = null;
  /** What Redis's subscriber heard, at the last compareNotifications(). */
  heard: string[] = [];

  constructor(
    private readonly redisPort: number,
    private readonly keycastPort: number,
  ) {}

  close(): void {
    this.redis?.close();
    this.keycast?.close();
    this.listeners?.[0].close();
    this.listeners?.[1].close();
    this.listeners = null;
  }

  async listen(resp: 2 | 3): Promise<void> {
    const pair = await Promise.all([RawClient.connect(this.redisPort), RawClient.connect(this.keycastPort)]);
    this.listeners = pair;
    for (const c of pair) {
      if (resp === 3) await c.call("HELLO", "3");
      const r = await c.call("PSUBSCRIBE", "__key*__:*");
      if (!r.includes("psubscribe")) throw new Error(`PSUBSCRIBE failed: ${JSON.stringify(r)}`);
    }
  }

  /** Compares what the subscribers heard since listen(): the same messages, in the same order. */
  async compareNotifications(): Promise<string | null> {
    const heard = await Promise.all(
      this.listeners!.map(async (c) => {
        // PING is answered after every message already published to this connection.
        c.send("*1\r\n$4\r\nPING\r\n");
        const messages: string[] = [];
        for (;;) {
          const r = await c.reply();
          if (r.includes("$4\r\npong\r\n") || r === "+PONG\r\n") return messages;
          messages.push(r);
        }
      }),
    );
    const [a, b] = heard as [string[], string[]];
    this.heard = a;
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) {
        return [
          `notification ${i + 1} after: ${this.history.slice(-12).join(" | ")}`,
          `  redis:   ${JSON.stringify(a[i] ?? "(none)")}`,
          `  keycast: ${JSON.stringify(b[i] ?? "(none)")}`,
          `  before:  ${JSON.stringify(a.slice(Math.max(0, i - 3), i))}`,
        ].join("\n");
      }
    }
    return null;
  }

  /**
   * New connections (nothing left over from a script that failed half-way), RESP2 or 3,
   * database 0, every database empty.
   */
  async reset(resp: 2 | 3): Promise<void> {
    this.close();
    [this.redis, this.keycast] = await Promise.all([RawClient.connect(this.redisPort), RawClient.connect(this.keycastPort)]);
    this.inMulti = false;
    this.history.length = 0;
    this.dbs.clear();
    for (const argv of [["FLUSHALL"], ...(resp === 3 ? [["HELLO", "3"]] : [])]) {
      const [a, b] = await Promise.all([this.redis.call(...argv), this.keycast.call(...argv)]);
      if (a.startsWith("-") || b.startsWith("-")) throw new Error(`${argv[0]} failed: redis ${JSON.stringify(a)}, keycast ${JSON.stringify(b)}`);
    }
  }

  /** Runs one command on both; returns a description of the difference, or null. */
  async step(argv: readonly string[]): Promise<string | null> {
    this.history.push(show(argv));
    if (argv[0] === "#sleep") {
      await sleep(Number(argv[1]));
      return null;
    }
    const name = argv[0]!.toUpperCase();
    if (name === "SELECT" || name === "SWAPDB" || name === "COPY") {
      for (const w of argv) if (/^\d\d?$/.test(w) && Number(w) < 16) this.dbs.add(Number(w));
    }
    const cursorAt = name === "SCAN" ? 1 : 2;
    if (!this.inMulti && SCANS.has(name) && argv[cursorAt] === "0") {
      const [a, b] = await Promise.all([fullScan(this.redis, argv, cursorAt), fullScan(this.keycast, argv, cursorAt)]);
      return a === b ? null : this.describe(argv, `(whole scan) ${a}`, `(whole scan) ${b}`);
    }
    const [ra, rb] = await Promise.all([this.redis.call(...argv), this.keycast.call(...argv)]);
    const a = replyOf(ra);
    const b = replyOf(rb);
    let ok: boolean;
    if (this.inMulti && name === "EXEC" && argv.length === 1 && a.items && b.items && a.items.length === this.queued.length) {
      ok = a.type === b.type && b.items.length === a.items.length && a.items.every((x, i) => same(x, b.items![i]!, this.queued[i]!));
    } else {
      ok = same(a, b, modeOf(argv));
      if (this.inMulti && ra === "+QUEUED\r\n") this.queued.push(modeOf(argv));
    }
    if (name === "MULTI" && ra === "+OK\r\n") {
      this.inMulti = true;
      this.queued = [];
    } else if (name === "EXEC" || (name === "DISCARD" && argv.length === 1)) {
      // EXEC ends the transaction whatever its words (with the wrong number it aborts it);
      // DISCARD with the wrong number is an error queued against the transaction.
      this.inMulti = false;
    }
    return ok ? null : this.describe(argv, ra, rb);
  }

  private describe(argv: readonly string[], redis: string, keycast: string): string {
    const before = this.history.slice(0, -1);
    return [
      `${show(argv)}`,
      `  redis:   ${JSON.stringify(redis)}`,
      `  keycast: ${JSON.stringify(keycast)}`,
      `  after:   ${before.length ? before.slice(-12).join(" | ") : "(nothing)"}`,
    ].join("\n");
  }

  /** Steps through a script; the first difference, or null. */
  async run(script: readonly (readonly string[])[]): Promise<string | null> {
    const all: string[] = [];
    for (const argv of script) {
      const diff = await this.step(argv);
      if (diff && !ALL_DIFFERENCES) return diff;
      if (diff) all.push(diff);
    }
    return all.length ? all.join("\n") : null;
  }

  /** Compares the keyspaces: every key's type, value and TTL, in every database the script reached. */
  async compareKeyspaces(): Promise<string | null> {
    if (this.inMulti) await this.step(["DISCARD"]);
    for (const db of [0, ...[...this.dbs].filter((n) => n !== 0)]) {
      const diff = (await this.step(["SELECT", String(db)])) ?? (await this.step(["DBSIZE"]));
      if (diff) return `keyspace: ${diff}`;
      if ((await this.redis.call("DBSIZE")) === ":0\r\n") continue;
      const keysDiff = await this.step(["KEYS", "*"]);
      if (keysDiff) return `keyspace: ${keysDiff}`;
      const keys = replyOf(await this.redis.call("KEYS", "*")).items!.map(text);
      for (const key of keys) {
        const type = text(replyOf(await this.redis.call("TYPE", key)));
        const read = READS.get(type)?.(key);
        const d = (await this.step(["TYPE", key])) ?? (await this.step(["PTTL", key])) ?? (read ? await this.step(read) : null);
        if (d) return `keyspace of db ${db}: ${d}`;
      }
    }
    return null;
  }
}

/** A whole SCAN/SSCAN/HSCAN/ZSCAN iteration from cursor 0: its elements (pairs for HSCAN and ZSCAN), deduplicated, sorted. */
async function fullScan(c: RawClient, argv: readonly string[], cursorAt: number): Promise<string> {
  const seen = new Set<string>();
  const name = argv[0]!.toUpperCase();
  const pairs = name === "HSCAN" || name === "ZSCAN";
  let cursor = "0";
  for (let page = 0; page < 100_000; page++) {
    const words = [...argv];
    words[cursorAt] = cursor;
    const raw = await c.call(...words);
    const r = replyOf(raw);
    const elements = r.items?.[1]?.items;
    if (!elements || r.items!.length !== 2) return page === 0 ? raw : `page ${page}: ${raw}`;
    for (let i = 0; i < elements.length; i += pairs ? 2 : 1) seen.add(pairs ? elements[i]!.raw + elements[i + 1]!.raw : elements[i]!.raw);
    cursor = text(r.items![0]!);
    if (cursor === "0") return [...seen].sort().join("");
  }
  return "scan did not end";
}

// ---------------------------------------------------------------------------------------
// Hand-written scripts: one command a line, words split like redis-cli's (double quotes,
// \xHH, \r, \n, \t, \\ and \" inside them).

export function words(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    let w = "";
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\") {
          const c = line[i + 1]!;
          if (c === "x") {
            w += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          w += c === "r" ? "\r" : c === "n" ? "\n" : c === "t" ? "\t" : c;
          i += 2;
          continue;
        }
        w += line[i++];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== " ") w += line[i++];
    }
    out.push(w);
  }
  return out;
}

export function script(s: string): string[][] {
  return s
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("//"))
    .map(words);
}

// ---------------------------------------------------------------------------------------
// Random sequences

export type Part = string | fc.Arbitrary<string> | fc.Arbitrary<string[]>;

/** A command from constant words, word arbitraries and word-list arbitraries, flattened. */
export function cmd(...parts: Part[]): fc.Arbitrary<string[]> {
  const arbs = parts.map((p) => (typeof p === "string" ? fc.constant(p) : p) as fc.Arbitrary<string | string[]>);
  return fc.tuple(...arbs).map((xs) => xs.flat());
}
export function many(arb: fc.Arbitrary<string | string[]>, minLength: number, maxLength: number): fc.Arbitrary<string[]> {
  return fc.array(arb, { minLength, maxLength }).map((xs) => xs.flat());
}
export const opt = (...parts: Part[]): fc.Arbitrary<string[]> => fc.option(cmd(...parts), { nil: undefined }).map((x) => x ?? []);
export const one = (...words: string[]): fc.Arbitrary<string> => fc.constantFrom(...words);
export const bytes = fc.uint8Array({ maxLength: 6 }).map((u) => Buffer.from(u).toString("latin1"));


/**
 * A differential suite's servers: a keycast and a redis-server started before the file's tests
 * and stopped after, and the ways to compare through them. Call at the top of a test file.
 */
export interface Differential {
  readonly twin: Twin;
  readonly redis: RedisServer;
  readonly keycast: RunningServer;
  /** Runs a script from empty servers; replies and then the keyspaces must be the same. */
  expectSame(steps: readonly (readonly string[])[], resp: 2 | 3): Promise<void>;
  /** expectSame with a subscriber to every keyspace channel on each: the same events too. */
  expectSameEvents(steps: readonly (readonly string[])[], resp: 2 | 3): Promise<void>;
  /** Random sequences from `sequence`, each from empty servers; replies, then the keyspaces or the events. */
  fuzz(sequence: fc.Arbitrary<string[][]>, numRuns: number, events: boolean): Promise<void>;
  /** Sets notify-keyspace-events on both servers. */
  notifyKeyspaceEvents(flags: string): Promise<void>;
}

export function differential(): Differential {
  const d = {} as { -readonly [K in keyof Differential]: Differential[K] };
  beforeAll(async () => {
    const [keycast, redis] = await Promise.all([startServer({ port: 0, respPort: 0 }), startRedisServer()]);
    d.keycast = keycast;
    d.redis = redis;
    d.twin = new Twin(redis.port, keycast.respPort!);
    await d.twin.reset(2);
  });
  afterAll(async () => {
    d.twin?.close();
    await Promise.all([d.keycast?.close(), d.redis?.stop()]);
  });
  d.expectSame = async (steps, resp) => {
    await d.twin.reset(resp);
    const diff = (await d.twin.run(steps)) ?? (await d.twin.compareKeyspaces());
    expect(diff, diff ?? "").toBeNull();
  };
  d.expectSameEvents = async (steps, resp) => {
    await d.twin.reset(resp);
    await d.twin.listen(resp);
    const diff = (await d.twin.run(steps)) ?? (await d.twin.compareNotifications()) ?? (await d.twin.compareKeyspaces());
    expect(diff, diff ?? "").toBeNull();
  };
  d.fuzz = async (sequence, numRuns, events) => {
    const property = fc.asyncProperty(fc.constantFrom(2 as const, 3 as const), sequence, async (resp, steps) => {
      await d.twin.reset(resp);
      if (events) await d.twin.listen(resp);
      const diff = (await d.twin.run(steps)) ?? (events ? await d.twin.compareNotifications() : await d.twin.compareKeyspaces());
      if (diff) throw new Error(`RESP${resp}: ${diff}`);
    });
    try {
      await fc.assert(property, { numRuns, seed: FUZZ_SEED });
    } catch (e) {
      (e as Error).message = `replay with KEYCAST_FUZZ_SEED=${FUZZ_SEED}\n${(e as Error).message}`;
      throw e;
    }
  };
  d.notifyKeyspaceEvents = async (flags) => {
    for (const port of [d.redis.port, d.keycast.respPort!]) {
      const c = await RawClient.connect(port);
      const r = await c.call("CONFIG", "SET", "notify-keyspace-events", flags);
      c.close();
      if (r !== "+OK\r\n") throw new Error(`CONFIG SET notify-keyspace-events ${flags}: ${JSON.stringify(r)}`);
    }
  };
  return d;
}
