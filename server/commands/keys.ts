// Generic keyspace commands: db.c and expire.c's family. Checks run in Redis's order, so a
// command with several problems fails with the error Redis would give.
import type { keyCommands } from "../../shared/commands/keys.js";
import { intArg, int64Arg, isOption, toInt64 } from "../args.js";
import type { Context } from "../context.js";
import { subcommands, type Implementations } from "../command-impl.js";
import { CommandError, DB_INDEX_OUT_OF_RANGE, INVALID_EXPIRE, NO_SUCH_KEY, syntaxError } from "../errors.js";
import { typeOf, type Container, type Database, type StoredValue } from "../keyspace/database.js";
import { Deque } from "../keyspace/deque.js";
import { HashValue } from "../keyspace/hash.js";
import { compileGlob, isLiteralPattern } from "../keyspace/glob.js";
import type { Keyspace } from "../keyspace/keyspace.js";
import { SetValue } from "../keyspace/set.js";
import { OK, Status, type Reply } from "../reply.js";
import type { KeyMap } from "../keyspace/key-map.js";

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** A count or time that is exact as a number up to 2^53 and a clamped int64 bigint beyond. */
function int64Reply(t: number): number | bigint {
  if (Number.isSafeInteger(t)) return t;
  const b = BigInt(t);
  return b > INT64_MAX ? INT64_MAX : b;
}

// ---------------------------------------------------------------------------------------
// TTLs

/** ttlGenericCommand: -2 missing, -1 no TTL, else the TTL (or the deadline) in ms or s. */
function ttlOf(ctx: Context, key: string, seconds: boolean, absolute: boolean): number | bigint {
  const db = ctx.db;
  if (db.lookup(key) === undefined) return -2;
  const at = db.deadline(key);
  if (at === undefined) return -1;
  let t = absolute ? at : at - ctx.now;
  if (t < 0) t = 0;
  if (Number.isSafeInteger(t)) return seconds ? Math.floor((t + 500) / 1000) : t;
  // Deadlines past 2^53 ms (year 287,396) are kept as doubles; answer as Redis's int64 would.
  const b = BigInt(int64Reply(t));
  return seconds ? (b + 500n) / 1000n : b;
}

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;

/** Redis writes the offending option into the error; a newline would break RESP. */
function unsupportedOption(opt: string): CommandError {
  return new CommandError(`ERR Unsupported option ${opt.replace(/[\r\n]/g, " ")}`);
}

/** getIntFromObjectOrReply: an int64 first, then the range of a C int. */
function int32Arg(raw: string): number {
  const v = int64Arg(raw);
  if (v < -2147483648 || v > 2147483647) {
    throw new CommandError("ERR value is out of range, value must between -2147483648 and 2147483647");
  }
  return Number(v);
}

/** The absolute deadline in ms, with Redis's int64 overflow checks (exact beyond 2^53). */
function deadlineMs(raw: number | bigint, unitMs: number, base: number, cmd: string): number {
  if (typeof raw === "number") {
    const at = raw * unitMs + base;
    // Below 2^53 the arithmetic is exact, and far from int64's limits.
    if (Number.isSafeInteger(at)) return at;
  }
  let when = BigInt(raw);
  if (unitMs === 1000) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw new CommandError(INVALID_EXPIRE(cmd));
    when *= 1000n;
  }
  if (when > INT64_MAX - BigInt(base)) throw new CommandError(INVALID_EXPIRE(cmd));
  return Number(when + BigInt(base));
}

/** expireGenericCommand: options, then the number, then the key, then the conditions. */
function expireGeneric(ctx: Context, argv: string[], unitMs: number, relative: boolean, cmd: string): number {
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    const opt = argv[i]!;
    if (isOption(opt, "NX")) flags |= NX;
    else if (isOption(opt, "XX")) flags |= XX;
    else if (isOption(opt, "GT")) flags |= GT;
    else if (isOption(opt, "LT")) flags |= LT;
    else throw unsupportedOption(opt);
  }
  if (flags & NX && flags & (XX | GT | LT)) {
    throw new CommandError("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (flags & GT && flags & LT) throw new CommandError("ERR GT and LT options at the same time are not compatible");
  const at = deadlineMs(int64Arg(argv[2]!), unitMs, relative ? ctx.now : 0, cmd);
  const db = ctx.db;
  const key = argv[1]!;
  if (db.lookup(key) === undefined) return 0;
  if (flags !== 0) {
    const current = db.deadline(key);
    if (flags & NX && current !== undefined) return 0;
    if (flags & XX && current === undefined) return 0;
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if (flags & GT && (current === undefined || at <= current)) return 0;
    if (flags & LT && current !== undefined && at >= current) return 0;
  }
  if (at <= ctx.now) {
    db.delete(key);
    ctx.notify("del", key);
  } else {
    db.setDeadline(key, at);
    ctx.notify("expire", key);
  }
  return 1;
}

// ---------------------------------------------------------------------------------------
// RENAME and COPY

function renameGeneric(ctx: Context, argv: string[], nx: boolean): Reply {
  const db = ctx.db;
  const from = argv[1]!;
  const to = argv[2]!;
  const value = db.lookup(from);
  if (value === undefined) throw new CommandError(NO_SUCH_KEY);
  if (from === to) return nx ? 0 : OK;
  const at = db.deadline(from);
  if (nx) {
    if (db.exists(to)) return 0;
  } else db.delete(to);
  db.set(to, value);
  if (at !== undefined) db.setDeadline(to, at);
  db.delete(from);
  ctx.notify("rename_from", from);
  ctx.notify("rename_to", to);
  return nx ? 1 : OK;
}

/** A container that can be deep-copied (COPY): every data type's class provides clone(). */
interface Cloneable extends Container {
  clone(): Container;
}

// ---------------------------------------------------------------------------------------
// SCAN
//
// A JS Map has no buckets to walk Redis-style, but its iterators are live: they survive
// inserts, deletes and rehashes, visit every entry that stays in the map exactly once, in
// insertion order, and a key deleted before the iterator reaches it is simply skipped. So a
// cursor names a parked iterator. That gives Redis's guarantees: a key present from the
// first call to the last is returned (exactly once); keys added or removed meanwhile may or
// may not be; the scan ends as long as the database does not grow forever.
//
// Parked iterators are bounded (an abandoned scan costs one slot until it is pushed out).
// A cursor also carries how many entries its scan had passed, so a cursor whose iterator is
// gone (pushed out, reused after a retry, or the database was flushed or swapped) resumes at
// that position instead of failing: then keys deleted meanwhile before that position can
// shift a few keys past it, the one case where the guarantee is approximate.

const TAG_SPAN = 2 ** 20;
/** Positions stored in a cursor stop here, keeping it below 2^53. */
const MAX_POSITION = 2 ** 32;
const MAX_PARKED = 1024;
const DEFAULT_COUNT = 10;

interface ScanState {
  readonly db: number;
  /** The database's key map the iterator walks; when the database holds another, resume by position. */
  readonly map: KeyMap<StoredValue>;
  readonly it: Iterator<string>;
  /** A key taken from the iterator to learn whether the scan was over, not yet visited. */
  pending: string | undefined;
  /** Entries visited so far. */
  passed: number;
}

class ParkedScans {
  private readonly states = new Map<number, ScanState>();
  private tag = 0;

  take(cursor: number): ScanState | undefined {
    const state = this.states.get(cursor);
    if (state !== undefined) this.states.delete(cursor);
    return state;
  }

  park(state: ScanState): number {
    this.tag = (this.tag % (TAG_SPAN - 1)) + 1;
    const cursor = Math.min(state.passed, MAX_POSITION) * TAG_SPAN + this.tag;
    if (this.states.size >= MAX_PARKED) this.states.delete(this.states.keys().next().value!);
    this.states.set(cursor, state);
    return cursor;
  }

  /** Lets go of a flushed database's old map: its scans resume by position on the new one. */
  forget(db: number | "all"): void {
    for (const [cursor, state] of this.states) if (db === "all" || state.db === db) this.states.delete(cursor);
  }
}

/** What SCAN and RANDOMKEY keep per server between calls. */
class KeyWalks {
  readonly scans = new ParkedScans();
  readonly samples: (KeySample | undefined)[] = [];

  constructor(keyspace: Keyspace) {
    // A flush replaces a database's map; holding on to the old one would keep every
    // flushed key in memory until these caches moved on.
    keyspace.onFlush((db) => {
      this.scans.forget(db);
      if (db === "all") this.samples.length = 0;
      else this.samples[db] = undefined;
    });
  }
}

const walks = new WeakMap<Keyspace, KeyWalks>();

function keyWalks(keyspace: Keyspace): KeyWalks {
  let w = walks.get(keyspace);
  if (w === undefined) walks.set(keyspace, (w = new KeyWalks(keyspace)));
  return w;
}

const CURSOR = /^[+-]?[0-9]+$/;
const UINT64 = 2n ** 64n;

/**
 * The cursor as Redis's strtoul reads it (sign allowed, "-n" wraps, "" is 0); null when Redis
 * answers "invalid cursor". Values past 2^53 are never ours and need not be exact.
 */
function parseCursor(s: string): number | null {
  if (s.length === 0) return 0;
  if (!CURSOR.test(s)) return null;
  if (s.length < 16 && s.charCodeAt(0) !== 45) return Number(s);
  let v = BigInt(s);
  const negative = v < 0n;
  if (negative) v = -v;
  if (v >= UINT64) return null;
  if (negative && v !== 0n) v = UINT64 - v;
  return Number(v);
}

function freshScan(db: Database): ScanState {
  return { db: db.index, map: db.data, it: db.data.keys(), pending: undefined, passed: 0 };
}

function resumeScan(db: Database, cursor: number): ScanState {
  const state = freshScan(db);
  const position = Math.floor(cursor / TAG_SPAN);
  const it = state.it;
  while (state.passed < position && it.next().done !== true) state.passed++;
  return state;
}

// ---------------------------------------------------------------------------------------
// RANDOMKEY
//
// A Map cannot be indexed, so picks come from an array of the database's keys taken at some
// point. A pick that is gone or expired is retried; the array is retaken when the database
// is another map, has grown or shrunk by half since, or picks keep missing. Retaking is O(n)
// but happens only after O(n) changes, so a call is O(1) amortized. Keys added since the
// array was taken are not picked until it is retaken: close to uniform, not exactly.

interface KeySample {
  readonly map: KeyMap<StoredValue>;
  readonly keys: string[];
  misses: number;
}

const PICKS = 8;

function sampleKeys(walks: KeyWalks, db: Database): KeySample {
  const sample: KeySample = { map: db.data, keys: Array.from(db.data.keys()), misses: 0 };
  walks.samples[db.index] = sample;
  return sample;
}

function pickFrom(db: Database, sample: KeySample): string | undefined {
  const keys = sample.keys;
  for (let i = 0; i < PICKS && keys.length !== 0; i++) {
    const key = keys[(Math.random() * keys.length) | 0]!;
    if (db.lookup(key) !== undefined) return key;
    sample.misses++;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// OBJECT

const SHARED_REFCOUNT = 2147483647;
/** Redis keeps one shared object for each integer below this, with an "infinite" refcount. */
const SHARED_INTEGERS = 10000;
/** Longest string Redis allocates together with its header (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_MAX = 44;
// Redis 7.2's defaults: set-max-intset-entries, set-max-listpack-entries/-value,
// hash-max-listpack-entries/-value, and list-max-listpack-size -2 (8 KB).
const SET_INTSET_MAX = 512;
const LISTPACK_MAX_ENTRIES = 128;
const LISTPACK_MAX_VALUE = 64;
const HASH_LISTPACK_MAX_ENTRIES = 512;
const LIST_LISTPACK_MAX_BYTES = 8192;

function stringEncoding(s: string): string {
  if (s.length <= 20 && toInt64(s) !== null) return "int";
  return s.length <= EMBSTR_MAX ? "embstr" : "raw";
}

function setEncoding(members: readonly string[]): string {
  const n = members.length;
  if (n <= SET_INTSET_MAX) {
    let ints = true;
    for (let i = 0; i < n && ints; i++) ints = members[i]!.length <= 20 && toInt64(members[i]!) !== null;
    if (ints) return "intset";
  }
  if (n > LISTPACK_MAX_ENTRIES) return "hashtable";
  for (let i = 0; i < n; i++) if (members[i]!.length > LISTPACK_MAX_VALUE) return "hashtable";
  return "listpack";
}

function listEncoding(list: Deque): string {
  // A listpack entry costs its bytes plus a few of header and back-length.
  let bytes = 0;
  for (let i = 0; i < list.size && bytes <= LIST_LISTPACK_MAX_BYTES; i++) bytes += list.at(i).length + 2;
  return bytes <= LIST_LISTPACK_MAX_BYTES ? "listpack" : "quicklist";
}

function hashEncoding(hash: HashValue): string {
  const n = hash.size;
  if (n > HASH_LISTPACK_MAX_ENTRIES) return "hashtable";
  for (let i = 0; i < n; i++) {
    if (hash.fieldAt(i).length > LISTPACK_MAX_VALUE || hash.valueAt(i).length > LISTPACK_MAX_VALUE) return "hashtable";
  }
  return "listpack";
}

/**
 * Redis's name for how the value would be stored, judged from what it holds now (Redis also
 * remembers: a set that once grew to a hashtable stays one). A container may name its own
 * encoding with an `encoding` property.
 */
function encodingOf(v: StoredValue): string {
  if (typeof v === "string") return stringEncoding(v);
  const own = (v as { encoding?: unknown }).encoding;
  if (typeof own === "string") return own;
  if (v instanceof SetValue) return setEncoding(v.view());
  if (v instanceof Deque) return listEncoding(v);
  if (v instanceof HashValue) return hashEncoding(v);
  // A container class this file does not know: judge by size alone.
  if (v.type === "list") return v.size <= LISTPACK_MAX_ENTRIES ? "listpack" : "quicklist";
  return v.size <= LISTPACK_MAX_ENTRIES ? "listpack" : "hashtable";
}

function maxmemoryPolicy(ctx: Context): string {
  return ctx.server.config.get("maxmemory-policy") ?? "noeviction";
}

const POLICY_SWITCH_NOTE = "Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Prints this help.",
];

const TYPE_REPLIES: Record<string, Status> = {
  string: new Status("string"),
  list: new Status("list"),
  set: new Status("set"),
  hash: new Status("hash"),
  zset: new Status("zset"),
  stream: new Status("stream"),
  none: new Status("none"),
};

function deleteKeys(ctx: Context, argv: string[]): number {
  const db = ctx.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (db.delete(argv[i]!)) {
      n++;
      ctx.notify("del", argv[i]!);
    }
  }
  return n;
}

function countExisting(ctx: Context, argv: string[]): number {
  const db = ctx.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.exists(argv[i]!)) n++;
  return n;
}

export const keys: Implementations<typeof keyCommands> = {
  del: deleteKeys,
  // Values are freed by the garbage collector either way: UNLINK is DEL.
  unlink: deleteKeys,
  exists: countExisting,
  // No per-key access time is kept (see OBJECT IDLETIME), so TOUCH only counts.
  touch: countExisting,

  keys(ctx, argv) {
    const pattern = argv[1]!;
    const db = ctx.db;
    // A pattern without special characters names one key: no need to walk them all.
    if (isLiteralPattern(pattern)) return db.exists(pattern) ? [pattern] : [];
    const match = pattern === "*" ? null : compileGlob(pattern);
    const out: string[] = [];
    const now = ctx.now;
    const volatile = db.expires.size !== 0;
    for (const key of db.data.keys()) {
      if (match !== null && !match(key)) continue;
      if (volatile) {
        const at = db.deadline(key);
        if (at !== undefined && at <= now) continue;
      }
      out.push(key);
    }
    return out;
  },

  scan(ctx, argv) {
    const cursor = parseCursor(argv[1]!);
    if (cursor === null) throw new CommandError("ERR invalid cursor");
    let count = DEFAULT_COUNT;
    let pattern: string | null = null;
    let type: string | null = null;
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i]!;
      if (i + 1 === argv.length) syntaxError();
      if (isOption(opt, "COUNT")) {
        count = intArg(argv[i + 1]!);
        if (count < 1) syntaxError();
      } else if (isOption(opt, "MATCH")) pattern = argv[i + 1]!;
      else if (isOption(opt, "TYPE")) type = argv[i + 1]!.toLowerCase();
      else syntaxError();
    }
    const match = pattern === null || pattern === "*" ? null : compileGlob(pattern);
    const db = ctx.db;
    const scans = keyWalks(ctx.server.keyspace).scans;
    let state: ScanState | undefined;
    if (cursor === 0) state = freshScan(db);
    else {
      state = scans.take(cursor);
      if (state === undefined || state.map !== db.data) state = resumeScan(db, cursor);
    }
    const out: string[] = [];
    const it = state.it;
    let done = false;
    for (let visited = 0; visited < count; visited++) {
      let key = state.pending;
      if (key !== undefined) state.pending = undefined;
      else {
        const r = it.next();
        if (r.done === true) {
          done = true;
          break;
        }
        key = r.value;
      }
      state.passed++;
      if (match !== null && !match(key)) continue;
      // Also drops a key that expired (announcing it, as Redis's scan does) or went since it was parked.
      const value = db.lookup(key);
      if (value === undefined || (type !== null && typeOf(value) !== type)) continue;
      out.push(key);
    }
    if (!done) {
      // Look one ahead, so a scan that has seen everything says so now, not one call later.
      const r = it.next();
      if (r.done === true) done = true;
      else state.pending = r.value;
    }
    return [done ? "0" : String(scans.park(state)), out];
  },

  randomkey(ctx) {
    const db = ctx.db;
    const size = db.data.size;
    if (size === 0) return null;
    const w = keyWalks(ctx.server.keyspace);
    let sample = w.samples[db.index];
    if (
      sample === undefined ||
      sample.map !== db.data ||
      size > sample.keys.length * 1.5 ||
      size < sample.keys.length / 2 ||
      sample.misses > sample.keys.length / 4
    ) {
      sample = sampleKeys(w, db);
    }
    const key = pickFrom(db, sample) ?? pickFrom(db, sampleKeys(w, db));
    if (key !== undefined) return key;
    // Nearly every key is expired: take the first live one, expiring the rest on the way.
    for (const k of db.data.keys()) if (db.lookup(k) !== undefined) return k;
    return null;
  },

  type(ctx, argv) {
    const v = ctx.db.lookup(argv[1]!);
    const name = v === undefined ? "none" : typeOf(v);
    return TYPE_REPLIES[name] ?? new Status(name);
  },

  ttl: (ctx, argv) => ttlOf(ctx, argv[1]!, true, false),
  pttl: (ctx, argv) => ttlOf(ctx, argv[1]!, false, false),
  expiretime: (ctx, argv) => ttlOf(ctx, argv[1]!, true, true),
  pexpiretime: (ctx, argv) => ttlOf(ctx, argv[1]!, false, true),

  expire: (ctx, argv) => expireGeneric(ctx, argv, 1000, true, "expire"),
  pexpire: (ctx, argv) => expireGeneric(ctx, argv, 1, true, "pexpire"),
  expireat: (ctx, argv) => expireGeneric(ctx, argv, 1000, false, "expireat"),
  pexpireat: (ctx, argv) => expireGeneric(ctx, argv, 1, false, "pexpireat"),

  persist(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    if (db.lookup(key) === undefined || !db.clearDeadline(key)) return 0;
    ctx.notify("persist", key);
    return 1;
  },

  rename: (ctx, argv) => renameGeneric(ctx, argv, false),
  renamenx: (ctx, argv) => renameGeneric(ctx, argv, true),

  copy(ctx, argv) {
    const src = ctx.db;
    const keyspace = ctx.server.keyspace;
    let dst = src;
    let replace = false;
    for (let i = 3; i < argv.length; i++) {
      const opt = argv[i]!;
      if (isOption(opt, "REPLACE")) replace = true;
      else if (isOption(opt, "DB") && i + 1 < argv.length) {
        const index = int32Arg(argv[++i]!);
        if (index < 0 || index >= keyspace.dbs.length) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
        dst = keyspace.dbs[index]!;
      } else syntaxError();
    }
    const from = argv[1]!;
    const to = argv[2]!;
    if (src === dst && from === to) throw new CommandError("ERR source and destination objects are the same");
    const value = src.lookup(from);
    if (value === undefined) return 0;
    const at = src.deadline(from);
    if (dst.exists(to)) {
      if (!replace) return 0;
      dst.delete(to);
    }
    dst.set(to, typeof value === "string" ? value : (value as Cloneable).clone());
    if (at !== undefined) dst.setDeadline(to, at);
    keyspace.notify(dst.index, "copy_to", to);
    return 1;
  },

  object: subcommands<(typeof keyCommands)["object"]["subcommands"]>({
    encoding(ctx, argv) {
      const v = ctx.db.lookup(argv[2]!);
      return v === undefined ? null : encodingOf(v);
    },

    refcount(ctx, argv) {
      const v = ctx.db.lookup(argv[2]!);
      if (v === undefined) return null;
      if (typeof v === "string" && v.length <= 5) {
        const n = toInt64(v);
        if (typeof n === "number" && n >= 0 && n < SHARED_INTEGERS) return SHARED_REFCOUNT;
      }
      return 1;
    },

    // keycast keeps no per-key access clock or counter (it would cost memory and a write on
    // every read): a key reads as just used, as a key that is still in memory mostly is.
    idletime(ctx, argv) {
      if (ctx.db.lookup(argv[2]!) === undefined) return null;
      if (maxmemoryPolicy(ctx).includes("lfu")) {
        throw new CommandError(`ERR An LFU maxmemory policy is selected, idle time not tracked. ${POLICY_SWITCH_NOTE}`);
      }
      return 0;
    },

    freq(ctx, argv) {
      if (ctx.db.lookup(argv[2]!) === undefined) return null;
      if (!maxmemoryPolicy(ctx).includes("lfu")) {
        throw new CommandError(`ERR An LFU maxmemory policy is not selected, access frequency not tracked. ${POLICY_SWITCH_NOTE}`);
      }
      return 0;
    },

    help: () => OBJECT_HELP,
  }),
};
