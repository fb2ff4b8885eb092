// Hash commands: t_hash.c's family. Fields and values are byte strings (see server/bytes.ts).
import type { hashCommands } from "../../shared/commands/hashes.js";
import { int64Arg, isOption, toInt64 } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { ARITY, CommandError, OVERFLOW, SYNTAX } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import { HashValue } from "../keyspace/hash.js";
import { distinctPositions } from "../keyspace/set.js";
import { MapReply, OK, type Reply } from "../reply.js";
import { parseCursor, parseScanOptions, repeatCount, signedCount } from "./sets.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** HRANDFIELD WITHVALUES doubles the reply, so Redis bounds its count by LONG_MAX / 2. */
const HALF_LONG_MAX = 2n ** 62n - 1n;

function lookupHash(db: Database, key: string): HashValue | undefined {
  return db.lookupContainer<HashValue>(key, "hash");
}

/** HSET and HMSET: the same write, different replies. */
function setFields(ctx: Context, argv: string[], name: string): number {
  // Checked here, not by the arity in the table: pairs can only be counted once seen.
  if (argv.length % 2 === 1) throw new CommandError(ARITY(name));
  const db = ctx.db;
  const key = argv[1]!;
  let hash = lookupHash(db, key);
  const created = hash === undefined;
  if (hash === undefined) hash = new HashValue();
  let added = 0;
  for (let i = 2; i < argv.length; i += 2) if (hash.set(argv[i]!, argv[i + 1]!)) added++;
  if (created) db.set(key, hash);
  ctx.notify("hset", key, argv.slice(2));
  return added;
}

/** Stores a field's new value, creating the hash when it did not exist. */
function storeField(db: Database, key: string, hash: HashValue | undefined, field: string, value: string): void {
  if (hash !== undefined) hash.set(field, value);
  else {
    const created = new HashValue();
    created.set(field, value);
    db.set(key, created);
  }
}

/** Reply shapes for a hash entry: the field alone, field then value (RESP2), or a [field, value] pair (RESP3). */
const FIELD = 0;
const FLAT = 1;
const PAIR = 2;

function pushEntry(out: Reply[], hash: HashValue, i: number, shape: number): void {
  if (shape === FIELD) out.push(hash.fieldAt(i));
  else if (shape === FLAT) out.push(hash.fieldAt(i), hash.valueAt(i));
  else out.push([hash.fieldAt(i), hash.valueAt(i)]);
}

export const hashes: Implementations<typeof hashCommands> = {
  hset(ctx, argv) {
    return setFields(ctx, argv, "hset");
  },

  hmset(ctx, argv) {
    setFields(ctx, argv, "hmset");
    return OK;
  },

  hsetnx(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    const field = argv[2]!;
    const value = argv[3]!;
    const hash = lookupHash(db, key);
    if (hash?.has(field)) return 0;
    storeField(db, key, hash, field, value);
    ctx.notify("hset", key, [field, value]);
    return 1;
  },

  hget(ctx, argv) {
    return lookupHash(ctx.db, argv[1]!)?.get(argv[2]!) ?? null;
  },

  hmget(ctx, argv) {
    const hash = lookupHash(ctx.db, argv[1]!);
    const out: (string | null)[] = new Array(argv.length - 2);
    for (let i = 2; i < argv.length; i++) out[i - 2] = hash?.get(argv[i]!) ?? null;
    return out;
  },

  hgetall(ctx, argv) {
    const hash = lookupHash(ctx.db, argv[1]!);
    return hash === undefined ? new MapReply([]) : hash.toReply();
  },

  hdel(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    const hash = lookupHash(db, key);
    if (hash === undefined) return 0;
    let removed: string[] | null = null;
    for (let i = 2; i < argv.length; i++) {
      if (hash.delete(argv[i]!)) {
        (removed ??= []).push(argv[i]!);
        if (hash.size === 0) break;
      }
    }
    if (removed === null) return 0;
    const emptied = hash.size === 0;
    if (emptied) db.delete(key);
    ctx.notify("hdel", key, removed);
    if (emptied) ctx.notify("del", key);
    return removed.length;
  },

  hexists(ctx, argv) {
    return lookupHash(ctx.db, argv[1]!)?.has(argv[2]!) ? 1 : 0;
  },

  hlen(ctx, argv) {
    return lookupHash(ctx.db, argv[1]!)?.size ?? 0;
  },

  hkeys(ctx, argv) {
    const hash = lookupHash(ctx.db, argv[1]!);
    if (hash === undefined) return [];
    const out: string[] = new Array(hash.size);
    for (let i = 0; i < out.length; i++) out[i] = hash.fieldAt(i);
    return out;
  },

  hvals(ctx, argv) {
    const hash = lookupHash(ctx.db, argv[1]!);
    if (hash === undefined) return [];
    const out: string[] = new Array(hash.size);
    for (let i = 0; i < out.length; i++) out[i] = hash.valueAt(i);
    return out;
  },

  hstrlen(ctx, argv) {
    // Byte strings: one char per byte, so the length is the byte count.
    return lookupHash(ctx.db, argv[1]!)?.get(argv[2]!)?.length ?? 0;
  },

  hincrby(ctx, argv) {
    const incr = int64Arg(argv[3]!);
    const db = ctx.db;
    const key = argv[1]!;
    const field = argv[2]!;
    const hash = lookupHash(db, key);
    const old = hash?.get(field);
    const current = old === undefined ? 0 : toInt64(old);
    if (current === null) throw new CommandError("ERR hash value is not an integer");
    let sum: number | bigint;
    if (typeof current === "number" && typeof incr === "number" && Number.isSafeInteger(current + incr)) {
      sum = current + incr;
    } else {
      const exact = BigInt(current) + BigInt(incr);
      if (exact < INT64_MIN || exact > INT64_MAX) throw new CommandError(OVERFLOW);
      sum = Number.isSafeInteger(Number(exact)) ? Number(exact) : exact;
    }
    const value = String(sum);
    storeField(db, key, hash, field, value);
    ctx.notify("hincrby", key, [field, value]);
    return sum;
  },

  hincrbyfloat(ctx, argv) {
    const incr = parseLongDouble(argv[3]!);
    if (incr === null) throw new CommandError("ERR value is not a valid float");
    if (incr === INFINITE) throw new CommandError("ERR value is NaN or Infinity");
    const db = ctx.db;
    const key = argv[1]!;
    const field = argv[2]!;
    const hash = lookupHash(db, key);
    const old = hash?.get(field);
    const value = old === undefined ? incrementText("0", incr, argv[3]!) : incrementText(old, incr, argv[3]!);
    storeField(db, key, hash, field, value);
    ctx.notify("hincrbyfloat", key, [field, value]);
    return value;
  },

  hrandfield(ctx, argv) {
    const db = ctx.db;
    const key = argv[1]!;
    if (argv.length === 2) {
      const hash = lookupHash(db, key);
      return hash === undefined ? null : hash.fieldAt((Math.random() * hash.size) | 0);
    }
    const n = signedCount(argv[2]!);
    if (argv.length > 4 || (argv.length === 4 && !isOption(argv[3]!, "WITHVALUES"))) throw new CommandError(SYNTAX);
    const withValues = argv.length === 4;
    if (withValues && (n < -HALF_LONG_MAX || n > HALF_LONG_MAX)) throw new CommandError("ERR value is out of range");
    const hash = lookupHash(db, key);
    if (hash === undefined || n === 0) return [];
    const shape = !withValues ? FIELD : ctx.session.resp === 3 ? PAIR : FLAT;
    const size = hash.size;
    const out: Reply[] = [];
    if (n < 0) {
      const count = repeatCount(-n);
      for (let i = 0; i < count; i++) pushEntry(out, hash, (Math.random() * size) | 0, shape);
    } else if (n >= size) {
      for (let i = 0; i < size; i++) pushEntry(out, hash, i, shape);
    } else {
      const picks = distinctPositions(size, Number(n));
      for (let i = 0; i < picks.length; i++) pushEntry(out, hash, picks[i]!, shape);
    }
    return out;
  },

  hscan(ctx, argv) {
    const cursor = parseCursor(argv[2]!);
    const hash = lookupHash(ctx.db, argv[1]!);
    if (hash === undefined) return ["0", []];
    const args = parseScanOptions(argv, cursor);
    const out: string[] = [];
    const next = hash.scan(args.cursor, args.count, args.pattern, out);
    return [String(next), out];
  },
};

// ---------------------------------------------------------------------------------------
// HINCRBYFLOAT's arithmetic. Redis adds in C's long double (x87 80-bit extended: a 64-bit
// significand) and prints with "%.17Lf" minus trailing zeros, so "10.5" + "0.1" gives
// "10.6" where JS doubles would give 10.600000000000001. This emulates that type exactly
// with BigInt: strtold's correctly rounded parse, one correctly rounded addition, and the
// exact decimal expansion printf makes. INCRBYFLOAT (server/commands/numbers.ts) needs the
// same; the two should end up as one shared module.

/** A finite long double: (-1)^neg * m * 2^e, with m < 2^64 (m = 0 for zero). */
interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
}

/** An infinite parse ("inf", "-infinity"), which strtold accepts and Redis then refuses. */
const INFINITE: unique symbol = Symbol("infinite");

const SIGNIFICAND_BITS = 64;
/** Exponent of the least significant bit of the smallest subnormal (2^-16445). */
const MIN_EXP = -16445;
/** Values at or above 2^16384 overflow. */
const MAX_BITS = 16384;
/** Redis copies the text to a buffer of this size first; longer text is refused. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;
/** Decimal exponents past these are certain overflow / underflow (1.19e4932, 3.6e-4951). */
const MAX_DEC_EXP = 4933;
const MIN_DEC_EXP = -4952;

const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/;
const INFINITY = /^[+-]?inf(?:inity)?$/i;
const ZERO: LongDouble = { neg: false, m: 0n, e: 0 };

function bitLength(q: bigint): number {
  const hex = q.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** An exponent written in the text, clamped far outside any representable range. */
function exponentOf(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  return n > 1e7 ? 1e7 : n < -1e7 ? -1e7 : n;
}

/**
 * Rounds q * 2^s (plus a nonzero remainder below q's last bit when `sticky`) to nearest,
 * ties to even, at 64 significant bits or the subnormal limit. Null on overflow.
 */
function round(neg: boolean, q: bigint, s: number, sticky: boolean): LongDouble | null {
  if (q === 0n) return ZERO;
  const bits = bitLength(q);
  const drop = Math.max(bits - SIGNIFICAND_BITS, MIN_EXP - s);
  let m = q;
  let e = s;
  if (drop > bits) return ZERO;
  if (drop > 0) {
    const d = BigInt(drop);
    m = q >> d;
    const low = q & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    if (low > half || (low === half && (sticky || (m & 1n) === 1n))) m++;
    e = s + drop;
    if (m >> 64n !== 0n) {
      m >>= 1n;
      e++;
    }
  }
  if (m === 0n) return ZERO;
  if (bitLength(m) + e > MAX_BITS) return null;
  return { neg, m, e };
}

/** strtold as Redis's string2ld uses it: the whole text must be one number; NaN is refused. */
function parseLongDouble(text: string): LongDouble | typeof INFINITE | null {
  if (text.length === 0 || text.length >= MAX_LONG_DOUBLE_CHARS) return null;
  let match = DECIMAL.exec(text);
  if (match !== null) {
    const int = match[2]!;
    const frac = match[3] ?? "";
    if (int.length === 0 && frac.length === 0) return null;
    const digits = (int + frac).replace(/^0+/, "");
    if (digits.length === 0) return ZERO;
    const exp10 = exponentOf(match[4]) - frac.length;
    // Out of range either way: strtold reports ERANGE and string2ld refuses the text.
    if (exp10 + digits.length - 1 > MAX_DEC_EXP || exp10 + digits.length < MIN_DEC_EXP) return null;
    const neg = match[1] === "-";
    const d = BigInt(digits);
    if (exp10 >= 0) return round(neg, d * 10n ** BigInt(exp10), 0, false);
    const p = 10n ** BigInt(-exp10);
    // Enough quotient bits that rounding never looks at bits the division did not produce.
    const k = Math.max(0, 68 + bitLength(p) - bitLength(d));
    const scaled = d << BigInt(k);
    const result = round(neg, scaled / p, -k, scaled % p !== 0n);
    return result === ZERO ? null : result;
  }
  match = HEX.exec(text);
  if (match !== null) {
    const int = match[2]!;
    const frac = match[3] ?? "";
    if (int.length === 0 && frac.length === 0) return null;
    const h = BigInt(`0x${int}${frac}`);
    if (h === 0n) return ZERO;
    const result = round(match[1] === "-", h, exponentOf(match[4]) - 4 * frac.length, false);
    return result === ZERO ? null : result;
  }
  return INFINITY.test(text) ? INFINITE : null;
}

function add(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const am = a.m << BigInt(a.e - e);
  const bm = b.m << BigInt(b.e - e);
  let sum = (a.neg ? -am : am) + (b.neg ? -bm : bm);
  const neg = sum < 0n;
  if (neg) sum = -sum;
  return round(neg, sum, e, false);
}

const SCALE = 10n ** 17n;

/** printf("%.17Lf") with trailing zeros (and a bare ".") removed, and "-0" as "0". */
function formatLongDouble(x: LongDouble): string {
  if (x.m === 0n) return "0";
  const sign = x.neg ? "-" : "";
  if (x.e >= 0) return sign + (x.m << BigInt(x.e)).toString();
  const scaled = x.m * SCALE;
  const d = BigInt(-x.e);
  let q = scaled >> d;
  const low = scaled & ((1n << d) - 1n);
  const half = 1n << (d - 1n);
  if (low > half || (low === half && (q & 1n) === 1n)) q++;
  if (q === 0n) return "0";
  const digits = q.toString().padStart(18, "0");
  const int = digits.slice(0, -17);
  const frac = digits.slice(-17).replace(/0+$/, "");
  return frac.length === 0 ? sign + int : `${sign}${int}.${frac}`;
}

/** The text of old + incr as HINCRBYFLOAT stores and replies it. */
function incrementText(old: string, incr: LongDouble, incrText: string): string {
  // Integers that stay exact in a double come out the same through long double: skip BigInt.
  const a = toInt64(old);
  const b = toInt64(incrText);
  if (typeof a === "number" && typeof b === "number" && Number.isSafeInteger(a + b)) return String(a + b);
  const current = parseLongDouble(old);
  if (current === null) throw new CommandError("ERR hash value is not a float");
  const sum = current === INFINITE ? null : add(current, incr);
  if (sum === null) throw new CommandError("ERR increment would produce NaN or Infinity");
  return formatLongDouble(sum);
}
