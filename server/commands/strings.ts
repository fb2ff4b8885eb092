// String commands: t_string.c's family. Values are byte strings (see server/bytes.ts), so
// lengths and offsets below count bytes.
import { constants as bufferConstants } from "node:buffer";
import type { stringCommands } from "../../shared/commands/strings.js";
import { int64Arg, intArg, toInt64 } from "../args.js";
import { configOf, PROTO_MAX_BULK_LEN } from "../config.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { ARITY, CommandError, INVALID_EXPIRE, NOT_FLOAT, NOT_INTEGER, OVERFLOW, SYNTAX } from "../errors.js";
import { OK } from "../reply.js";
import { addInt64, addLongDouble, formatInt64, formatLongDouble, LONG_DOUBLE_ZERO, parseLongDouble } from "./numbers.js";

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
export const EX = 32;
export const PX = 64;
export const EXAT = 128;
export const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;
const IN_SECONDS = EX | EXAT;
const RELATIVE = EX | PX;

const NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity";
const DECREMENT_OVERFLOW = "ERR decrement would overflow";
const OFFSET_OUT_OF_RANGE = "ERR offset is out of range";
const TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

/**
 * The longest string V8 can hold, a little under Redis's default proto-max-bulk-len (512 MiB):
 * past it a value cannot exist here, so it gets Redis's limit error rather than an engine failure.
 */
const ENGINE_MAX_STRING = bufferConstants.MAX_STRING_LENGTH;

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const THOUSAND = 1000n;
/**
 * Deadlines past 2^53 ms (year 287,396) lose their last digits as JS numbers; clamping to the
 * largest double below 2^63 keeps them valid int64s wherever they are reported.
 */
const MAX_DEADLINE = 2 ** 63 - 1024;

/**
 * Turns the argument of EX/PX/EXAT/PXAT into an absolute deadline in ms, with Redis's checks:
 * not an integer; not positive, or past the int64 range once in ms and added to now, is an
 * "invalid expire time in '<cmd>'".
 */
export function deadlineFrom(ctx: Context, unit: number, raw: string, cmd: string): number {
  const n = int64Arg(raw);
  if (n <= 0) throw new CommandError(INVALID_EXPIRE(cmd));
  if (typeof n === "number") {
    let at = unit & IN_SECONDS ? n * 1000 : n;
    if (unit & RELATIVE) at += ctx.now;
    if (at <= Number.MAX_SAFE_INTEGER) return at;
  }
  let at = BigInt(n);
  if (unit & IN_SECONDS) {
    if (at > INT64_MAX / THOUSAND) throw new CommandError(INVALID_EXPIRE(cmd));
    at *= THOUSAND;
  }
  if (unit & RELATIVE) at += BigInt(ctx.now);
  if (at > INT64_MAX) throw new CommandError(INVALID_EXPIRE(cmd));
  return Math.min(Number(at), MAX_DEADLINE);
}

/** The argument of the expire option parseOptions last saw (one command runs at a time). */
let expireArg = "";

/**
 * SET's and GETEX's options as Redis's parseExtendedStringArgumentsOrReply reads them:
 * repeating an option is allowed (the last expire wins), conflicting ones are a syntax error.
 */
function parseOptions(argv: string[], start: number, forSet: boolean): number {
  let flags = 0;
  for (let i = start; i < argv.length; i++) {
    const hasNext = i + 1 < argv.length;
    let expire = 0;
    switch (argv[i]!.toUpperCase()) {
      case "NX":
        if (!forSet || flags & XX) throw new CommandError(SYNTAX);
        flags |= NX;
        continue;
      case "XX":
        if (!forSet || flags & NX) throw new CommandError(SYNTAX);
        flags |= XX;
        continue;
      case "GET":
        if (!forSet) throw new CommandError(SYNTAX);
        flags |= GET;
        continue;
      case "KEEPTTL":
        if (!forSet || flags & ANY_EXPIRE) throw new CommandError(SYNTAX);
        flags |= KEEPTTL;
        continue;
      case "PERSIST":
        if (forSet || flags & ANY_EXPIRE) throw new CommandError(SYNTAX);
        flags |= PERSIST;
        continue;
      case "EX":
        expire = EX;
        break;
      case "PX":
        expire = PX;
        break;
      case "EXAT":
        expire = EXAT;
        break;
      case "PXAT":
        expire = PXAT;
        break;
      default:
        throw new CommandError(SYNTAX);
    }
    if (!hasNext || flags & (KEEPTTL | PERSIST | (ANY_EXPIRE & ~expire))) throw new CommandError(SYNTAX);
    flags |= expire;
    expireArg = argv[++i]!;
  }
  return flags;
}

/** A string value may grow to proto-max-bulk-len bytes, as in Redis's checkStringLength. */
function checkLength(ctx: Context, length: number): void {
  if (length > ENGINE_MAX_STRING || length > configOf(ctx.server).get(PROTO_MAX_BULK_LEN)) throw new CommandError(TOO_LONG);
}

/** INCRBY and its three siblings: the stored integer plus `by`, written back keeping the TTL. */
function incrBy(ctx: Context, key: string, by: number | bigint): number | bigint {
  const db = ctx.db;
  const old = db.lookupString(key);
  let value: number | bigint = 0;
  if (old !== undefined) {
    const parsed = toInt64(old);
    if (parsed === null) throw new CommandError(NOT_INTEGER);
    value = parsed;
  }
  const sum = addInt64(value, by);
  if (sum === null) throw new CommandError(OVERFLOW);
  const text = formatInt64(sum);
  db.set(key, text, true);
  ctx.notify("incrby", key, text);
  return sum;
}

/** SETEX and PSETEX. */
function setWithExpire(ctx: Context, argv: string[], unit: number, cmd: string) {
  const key = argv[1]!;
  const value = argv[3]!;
  const at = deadlineFrom(ctx, unit, argv[2]!, cmd);
  ctx.db.set(key, value);
  ctx.notify("set", key, value);
  ctx.db.setDeadline(key, at);
  ctx.notify("expire", key);
  return OK;
}

/** MSET and MSETNX (which has checked that no key exists). */
function setPairs(ctx: Context, argv: string[]): void {
  const db = ctx.db;
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i]!;
    const value = argv[i + 1]!;
    db.set(key, value);
    ctx.notify("set", key, value);
  }
}

export const strings: Implementations<typeof stringCommands> = {
  get(ctx, argv) {
    return ctx.db.lookupString(argv[1]!) ?? null;
  },

  set(ctx, argv) {
    const key = argv[1]!;
    const value = argv[2]!;
    const flags = argv.length > 3 ? parseOptions(argv, 3, true) : 0;
    const db = ctx.db;
    const at = flags & ANY_EXPIRE ? deadlineFrom(ctx, flags & ANY_EXPIRE, expireArg, "set") : 0;
    const old = flags & GET ? db.lookupString(key) : undefined;
    if (flags & (NX | XX)) {
      const found = flags & GET ? old !== undefined : db.exists(key);
      if ((flags & NX && found) || (flags & XX && !found)) return flags & GET ? (old ?? null) : null;
    }
    db.set(key, value, (flags & KEEPTTL) !== 0);
    ctx.notify("set", key, value);
    if (at) {
      db.setDeadline(key, at);
      ctx.notify("expire", key);
    }
    return flags & GET ? (old ?? null) : OK;
  },

  setex(ctx, argv) {
    return setWithExpire(ctx, argv, EX, "setex");
  },

  psetex(ctx, argv) {
    return setWithExpire(ctx, argv, PX, "psetex");
  },

  setnx(ctx, argv) {
    const key = argv[1]!;
    const value = argv[2]!;
    if (ctx.db.exists(key)) return 0;
    ctx.db.set(key, value);
    ctx.notify("set", key, value);
    return 1;
  },

  getset(ctx, argv) {
    const key = argv[1]!;
    const value = argv[2]!;
    const old = ctx.db.lookupString(key);
    ctx.db.set(key, value);
    ctx.notify("set", key, value);
    return old ?? null;
  },

  getdel(ctx, argv) {
    const key = argv[1]!;
    const value = ctx.db.lookupString(key);
    if (value === undefined) return null;
    ctx.db.delete(key);
    ctx.notify("del", key);
    return value;
  },

  getex(ctx, argv) {
    const key = argv[1]!;
    const flags = argv.length > 2 ? parseOptions(argv, 2, false) : 0;
    const db = ctx.db;
    const value = db.lookupString(key);
    // A missing key answers nil before the expire time is even looked at, as in Redis.
    if (value === undefined) return null;
    if (flags & ANY_EXPIRE) {
      const at = deadlineFrom(ctx, flags & ANY_EXPIRE, expireArg, "getex");
      if (flags & (EXAT | PXAT) && at <= ctx.now) {
        db.delete(key);
        ctx.notify("del", key);
      } else {
        db.setDeadline(key, at);
        ctx.notify("expire", key);
      }
    } else if (flags & PERSIST && db.clearDeadline(key)) ctx.notify("persist", key);
    return value;
  },

  mget(ctx, argv) {
    const db = ctx.db;
    const out: (string | null)[] = new Array(argv.length - 1);
    for (let i = 1; i < argv.length; i++) {
      const v = db.lookup(argv[i]!);
      out[i - 1] = typeof v === "string" ? v : null;
    }
    return out;
  },

  mset(ctx, argv) {
    if (argv.length % 2 === 0) throw new CommandError(ARITY("mset"));
    setPairs(ctx, argv);
    return OK;
  },

  msetnx(ctx, argv) {
    if (argv.length % 2 === 0) throw new CommandError(ARITY("msetnx"));
    const db = ctx.db;
    for (let i = 1; i < argv.length; i += 2) if (db.exists(argv[i]!)) return 0;
    setPairs(ctx, argv);
    return 1;
  },

  incr(ctx, argv) {
    return incrBy(ctx, argv[1]!, 1);
  },

  incrby(ctx, argv) {
    return incrBy(ctx, argv[1]!, int64Arg(argv[2]!));
  },

  decr(ctx, argv) {
    return incrBy(ctx, argv[1]!, -1);
  },

  decrby(ctx, argv) {
    const by = int64Arg(argv[2]!);
    // -INT64_MIN does not fit: Redis refuses it before looking at the key.
    if (by === INT64_MIN) throw new CommandError(DECREMENT_OVERFLOW);
    return incrBy(ctx, argv[1]!, typeof by === "number" ? 0 - by : -by);
  },

  incrbyfloat(ctx, argv) {
    const key = argv[1]!;
    const db = ctx.db;
    const old = db.lookupString(key);
    const value = old === undefined ? LONG_DOUBLE_ZERO : parseLongDouble(old);
    if (value === null) throw new CommandError(NOT_FLOAT);
    const by = parseLongDouble(argv[2]!);
    if (by === null) throw new CommandError(NOT_FLOAT);
    if (value === "inf" || by === "inf") throw new CommandError(NAN_OR_INFINITY);
    const sum = addLongDouble(value, by);
    if (sum === "inf") throw new CommandError(NAN_OR_INFINITY);
    const text = formatLongDouble(sum);
    db.set(key, text, true);
    ctx.notify("incrbyfloat", key, text);
    return text;
  },

  append(ctx, argv) {
    const key = argv[1]!;
    const tail = argv[2]!;
    const db = ctx.db;
    const old = db.lookupString(key);
    let value = tail;
    if (old !== undefined) {
      checkLength(ctx, old.length + tail.length);
      value = old + tail;
    }
    db.set(key, value, true);
    ctx.notify("append", key, tail);
    return value.length;
  },

  strlen(ctx, argv) {
    return ctx.db.lookupString(argv[1]!)?.length ?? 0;
  },

  getrange(ctx, argv) {
    let start = intArg(argv[2]!);
    let end = intArg(argv[3]!);
    const s = ctx.db.lookupString(argv[1]!);
    if (s === undefined) return "";
    const len = s.length;
    if (start < 0 && end < 0 && start > end) return "";
    if (start < 0) start = Math.max(len + start, 0);
    if (end < 0) end = Math.max(len + end, 0);
    if (end >= len) end = len - 1;
    return start > end || len === 0 ? "" : s.slice(start, end + 1);
  },

  setrange(ctx, argv) {
    const key = argv[1]!;
    const offset = intArg(argv[2]!);
    const patch = argv[3]!;
    if (offset < 0) throw new CommandError(OFFSET_OUT_OF_RANGE);
    const db = ctx.db;
    const old = db.lookupString(key);
    // Writing nothing changes nothing: no key is created and no event is sent.
    if (patch.length === 0) return old?.length ?? 0;
    checkLength(ctx, offset + patch.length);
    const base = old ?? "";
    const value =
      offset > base.length
        ? base + "\0".repeat(offset - base.length) + patch
        : base.slice(0, offset) + patch + base.slice(offset + patch.length);
    db.set(key, value, true);
    ctx.notify("setrange", key);
    return value.length;
  },
};
