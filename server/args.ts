// Argument parsing with Redis's rules (util.c string2ll / string2ld): the same inputs are
// accepted and rejected, with the same error texts, whichever transport they came from.

import { CommandError, NOT_INTEGER, SYNTAX } from "./errors.js";

const INT64 = /^(?:-?[1-9][0-9]{0,18}|0)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A signed 64-bit integer as a number, or a bigint beyond 2^53; null when not one. */
export function toInt64(s: string): number | bigint | null {
  if (!INT64.test(s)) return null;
  if (s.length <= 15) return Number(s);
  const b = BigInt(s);
  if (b < INT64_MIN || b > INT64_MAX) return null;
  return Number.isSafeInteger(Number(b)) ? Number(b) : b;
}

/** An integer argument that must fit in a JS number (counts, indexes, timeouts). */
export function intArg(s: string, message = NOT_INTEGER): number {
  const v = toInt64(s);
  if (v === null) throw new CommandError(message);
  // Indexes and counts beyond 2^53 behave like +/- infinity for every in-memory structure.
  return typeof v === "bigint" ? (v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : v;
}

/** A signed 64-bit integer argument, exact. */
export function int64Arg(s: string, message = NOT_INTEGER): number | bigint {
  const v = toInt64(s);
  if (v === null) throw new CommandError(message);
  return v;
}

/** Case-insensitive comparison of an option word against its upper-case spelling. */
export function isOption(arg: string, upper: string): boolean {
  return arg.length === upper.length && arg.toUpperCase() === upper;
}

/** Throws Redis's syntax error unless the condition holds. */
export function expectSyntax(ok: boolean): void {
  if (!ok) throw new CommandError(SYNTAX);
}

const INT32_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";

/** A C int argument, as Redis's getIntFromObjectOrReply reads it: `message` replaces both errors when given. */
export function int32Arg(s: string, message?: string): number {
  const v = toInt64(s);
  if (v === null) throw new CommandError(message ?? NOT_INTEGER);
  if (typeof v !== "number" || v < -2147483648 || v > 2147483647) throw new CommandError(message ?? INT32_RANGE);
  return v;
}
