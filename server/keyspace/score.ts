// Sorted-set scores and ranges as Redis 7.0 reads them. Redis parses scores with C's
// strtod, which reads more than JS's Number() does ("inf", "infinity", hex floats "0x1p3",
// leading blanks) and less in places (no "0b", "Infinity" only in any case, "" is no number);
// each caller then applies its own checks:
//   - a score (ZADD, ZINCRBY, WEIGHTS): getDoubleFromObject: the whole word, no leading
//     blank, not empty, no NaN, no overflow to infinity nor underflow to zero;
//   - a range bound (ZRANGEBYSCORE, ZCOUNT...): zslParseRange: an optional "(", then strtod
//     up to the word's end or a NUL byte, no NaN; blanks, "" and overflow pass.
// Replies print scores with "%.17g" in 7.0 (server/transports/resp-encoder.ts formatDouble).

import { CommandError, NOT_FLOAT } from "../errors.js";
import type { LexBound, LexRange, ScoreRange } from "./zset.js";

export const NOT_FLOAT_RANGE = "ERR min or max is not a float";
export const NOT_LEX_RANGE = "ERR min or max not valid string range item";
export const NAN_SCORE = "ERR resulting score is not a number (NaN)";

/** What strtod read: the value, where it stopped, and whether it over- or underflowed (ERANGE with inf or 0). */
interface Strtod {
  value: number;
  end: number;
  range: boolean;
}

const result: Strtod = { value: 0, end: 0, range: false };

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** Case-insensitive match of an ASCII lower-case word at s[at]. */
function matchWord(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let i = 0; i < word.length; i++) if ((s.charCodeAt(at + i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

/** C strtod from s[start]; fills and returns the shared result (no allocation). */
function strtod(s: string, start: number): Strtod {
  const r = result;
  r.value = 0;
  r.end = start;
  r.range = false;
  let i = start;
  const n = s.length;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let negative = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    negative = sign === 45;
    i++;
  }
  if (matchWord(s, i, "inf")) {
    r.value = negative ? -Infinity : Infinity;
    r.end = matchWord(s, i, "infinity") ? i + 8 : i + 3;
    return r;
  }
  if (matchWord(s, i, "nan")) {
    let end = i + 3;
    // nan(n-char-sequence)
    if (s.charCodeAt(end) === 40) {
      let j = end + 1;
      while (j < n) {
        const c = s.charCodeAt(j) | 32;
        if (!(isDigit(s.charCodeAt(j)) || (c >= 97 && c <= 122) || s.charCodeAt(j) === 95)) break;
        j++;
      }
      if (s.charCodeAt(j) === 41) end = j + 1;
    }
    r.value = NaN;
    r.end = end;
    return r;
  }
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    const hex = hexFloat(s, i + 2, negative);
    if (hex) return r;
    // "0x" without hex digits: strtod reads the "0" alone.
    r.value = negative ? -0 : 0;
    r.end = i + 1;
    return r;
  }
  const digitsAt = i;
  let nonzero = false;
  let digits = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    if (s.charCodeAt(i) !== 48) nonzero = true;
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (s.charCodeAt(i) !== 48) nonzero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return r;
  if ((s.charCodeAt(i) | 32) === 101) {
    let j = i + 1;
    const es = s.charCodeAt(j);
    if (es === 43 || es === 45) j++;
    if (j < n && isDigit(s.charCodeAt(j))) {
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  // JS reads decimal text with correct rounding, as glibc's strtod does.
  const v = Number(s.slice(digitsAt, i));
  r.value = negative ? -v : v;
  r.end = i;
  r.range = !Number.isFinite(v) || (v === 0 && nonzero);
  return r;
}

/** A hex float after "0x": true when it had digits (result filled). */
function hexFloat(s: string, at: number, negative: boolean): boolean {
  const r = result;
  const n = s.length;
  let i = at;
  let mantissa = 0;
  let exp = 0;
  let digits = 0;
  for (; i < n && hexValue(s.charCodeAt(i)) >= 0; i++, digits++) mantissa = mantissa * 16 + hexValue(s.charCodeAt(i));
  if (s.charCodeAt(i) === 46) {
    i++;
    for (; i < n && hexValue(s.charCodeAt(i)) >= 0; i++, digits++) {
      mantissa = mantissa * 16 + hexValue(s.charCodeAt(i));
      exp -= 4;
    }
  }
  if (digits === 0) return false;
  if ((s.charCodeAt(i) | 32) === 112) {
    let j = i + 1;
    let eneg = false;
    const es = s.charCodeAt(j);
    if (es === 43 || es === 45) {
      eneg = es === 45;
      j++;
    }
    if (j < n && isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (j < n && isDigit(s.charCodeAt(j))) {
        if (e < 100000) e = e * 10 + s.charCodeAt(j) - 48;
        j++;
      }
      exp += eneg ? -e : e;
      i = j;
    }
  }
  const v = mantissa === 0 ? 0 : mantissa * 2 ** exp;
  r.value = negative ? -v : v;
  r.end = i;
  r.range = !Number.isFinite(v) || (v === 0 && mantissa !== 0);
  return true;
}

/** A score argument (getDoubleFromObject); null when Redis would refuse it. */
export function toScore(s: string): number | null {
  if (s.length === 0 || isSpace(s.charCodeAt(0))) return null;
  const r = strtod(s, 0);
  if (r.end !== s.length || r.range || Number.isNaN(r.value)) return null;
  return r.value;
}

/** A score argument, or Redis's "ERR value is not a valid float". */
export function scoreArg(s: string): number {
  const v = toScore(s);
  if (v === null) throw new CommandError(NOT_FLOAT);
  return v;
}

/** One bound of a score range; sets `exclusive` on the out object. Null when invalid. */
function bound(s: string): number | null {
  const ex = s.charCodeAt(0) === 40;
  const r = strtod(s, ex ? 1 : 0);
  if ((r.end !== s.length && s.charCodeAt(r.end) !== 0) || Number.isNaN(r.value)) return null;
  return r.value;
}

/** min and max of ZRANGEBYSCORE, ZCOUNT, ZREMRANGEBYSCORE...: "ERR min or max is not a float". */
export function parseScoreRange(min: string, max: string): ScoreRange {
  const lo = bound(min);
  const hi = bound(max);
  if (lo === null || hi === null) throw new CommandError(NOT_FLOAT_RANGE);
  return { min: lo, minExclusive: min.charCodeAt(0) === 40, max: hi, maxExclusive: max.charCodeAt(0) === 40 };
}

const MIN_BOUND: LexBound = { kind: "-", value: "" };
const MAX_BOUND: LexBound = { kind: "+", value: "" };

/** One lex bound: "-", "+", "[member" or "(member" (the C check stops at a NUL byte, as here). */
function lexBound(s: string): LexBound | null {
  const c = s.charCodeAt(0);
  if (c === 43 || c === 45) {
    if (s.length > 1 && s.charCodeAt(1) !== 0) return null;
    return c === 43 ? MAX_BOUND : MIN_BOUND;
  }
  if (c === 40) return { kind: "(", value: s.slice(1) };
  if (c === 91) return { kind: "[", value: s.slice(1) };
  return null;
}

/** min and max of ZRANGEBYLEX, ZLEXCOUNT...: "ERR min or max not valid string range item". */
export function parseLexRange(min: string, max: string): LexRange {
  const lo = lexBound(min);
  const hi = lexBound(max);
  if (lo === null || hi === null) throw new CommandError(NOT_LEX_RANGE);
  return { min: lo, max: hi };
}

const TWO_62 = 4611686018427387904;

/**
 * A score as a listpack holds it (Redis 7.0's d2string): an integer within +/-2^62 as
 * integer text, anything else as "%.17g". ZSCAN of a listpack shows this text.
 */
export function listpackScoreText(v: number, g17: (v: number) => string): string {
  if (v >= -TWO_62 && v <= TWO_62 && Number.isInteger(v)) return v === 0 ? "0" : Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  return g17(v);
}
