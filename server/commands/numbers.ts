// The arithmetic of INCRBY and INCRBYFLOAT, reproducing Redis's results to the byte.
//
// INCRBY is signed 64-bit: exact as a JS number up to 2^53, as a bigint beyond.
//
// INCRBYFLOAT is the hard one. Redis (x86-64) parses both operands with strtold into an
// 80-bit long double (64-bit mantissa), adds them in that precision and prints the sum with
// "%.17Lf" (17 digits after the point, not 17 significant digits) before trimming trailing
// zeros. So `0.1 + 0.2` prints "0.3", `12345678901234567.1 + 0` prints
// "12345678901234567.099609375", `1e20` prints all 21 digits and `1.5e-20` prints "0".
// JS doubles cannot give those answers, so the long double is emulated exactly with
// bigints: value = m * 2^e with |m| < 2^64, rounded half-to-even at every step as the
// FPU and glibc do. Operands are short, so each step costs a few bigint operations.

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * a + b for signed 64-bit integers (a number beyond 2^53 is a bigint), or null when the
 * sum leaves the int64 range, as Redis's "increment or decrement would overflow".
 */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === "number" && typeof b === "number") {
    const sum = a + b;
    // Exact whenever the true sum is safe: beyond 2^53 the rounded sum is unsafe too.
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(a) + BigInt(b);
  if (sum < INT64_MIN || sum > INT64_MAX) return null;
  const n = Number(sum);
  return Number.isSafeInteger(n) ? n : sum;
}

/** The decimal byte string Redis stores for an integer. */
export function formatInt64(n: number | bigint): string {
  return typeof n === "number" ? String(n) : n.toString();
}

// ---- 80-bit long double emulation -------------------------------------------------------

/** A finite long double: m * 2^e, |m| < 2^64 (zero is m = 0n). */
export interface LongDouble {
  readonly m: bigint;
  readonly e: number;
}

/** What string2ld gives: a finite value, an infinity (accepted by Redis), or null (rejected). */
export type ParsedFloat = LongDouble | "inf" | null;

const MANT_BITS = 64;
const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;
/** The exponent of the smallest subnormal: 2^-16445. */
const EMIN = -16445;
/** Largest bit length of m * 2^e that stays finite: LDBL_MAX = (2^64 - 1) * 2^16320. */
const MAX_BITS = 16384;
/** MAX_LONG_DOUBLE_CHARS: string2ld refuses inputs of this length and more. */
const MAX_FLOAT_CHARS = 5 * 1024;
export const LONG_DOUBLE_ZERO: LongDouble = { m: 0n, e: 0 };
const ZERO = LONG_DOUBLE_ZERO;
const TEN17 = 10n ** 17n;

const DECIMAL = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^[+-]?inf(?:inity)?$/i;

function bitLength(n: bigint): number {
  // n > 0. Hex digits, less the leading zero bits of the first one.
  const hex = n.toString(16);
  return hex.length * 4 - (Math.clz32(parseInt(hex[0]!, 16)) - 28);
}

/**
 * n * 2^e (n >= 0) rounded half-to-even to a 64-bit mantissa, subnormals included.
 * "inf" on overflow; zero when it rounds to nothing (the caller decides if that is an error).
 */
function roundBinary(neg: boolean, n: bigint, e: number): LongDouble | "inf" {
  if (n === 0n) return ZERO;
  const bits = bitLength(n);
  const shift = Math.max(bits - MANT_BITS, EMIN - e);
  if (shift > 0) {
    const s = BigInt(shift);
    let q = n >> s;
    const rest = n - (q << s);
    const half = 1n << (s - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q++;
    n = q;
    e += shift;
    if (n === TWO64) {
      n = TWO63;
      e++;
    }
    if (n === 0n) return ZERO;
  }
  if (bitLength(n) + e > MAX_BITS) return "inf";
  return { m: neg ? -n : n, e };
}

/** num / den (both > 0) rounded half-to-even to a long double. */
function roundRatio(neg: boolean, num: bigint, den: bigint): LongDouble | "inf" {
  // Scale so that the quotient has 64 bits (fewer when subnormal): num/den * 2^k.
  let k = Math.min(MANT_BITS - (bitLength(num) - bitLength(den)), -EMIN);
  let q: bigint;
  let r: bigint;
  let d: bigint;
  for (;;) {
    const n = k >= 0 ? num << BigInt(k) : num;
    d = k >= 0 ? den : den << BigInt(-k);
    q = n / d;
    r = n - q * d;
    if (q >= TWO64) k--;
    else if (q < TWO63 && k < -EMIN) k++;
    else break;
  }
  const twice = r * 2n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
  return roundBinary(neg, q, -k);
}

/**
 * A value as Redis's string2ld reads it (strtold, then the whole string must be consumed,
 * no leading space, no NaN, no overflow, no underflow to zero): decimal or hex
 * ("0x1.8p3"), exponents, a leading '+', ".5" and "5." all pass; "inf" and "infinity" are
 * accepted as values (the sum then fails as infinite).
 */
export function parseLongDouble(s: string): ParsedFloat {
  if (s.length === 0 || s.length >= MAX_FLOAT_CHARS) return null;
  let m = DECIMAL.exec(s);
  if (m !== null) {
    const neg = m[1] === "-";
    const int = m[2] ?? "";
    const frac = m[2] !== undefined ? m[3]! : m[4]!;
    const digits = (int + frac).replace(/^0+/, "");
    if (digits.length === 0) return ZERO;
    // Exponents like 1e999999999 must not reach BigInt: decide them by magnitude first.
    const exp = m[5] === undefined ? 0 : Number(m[5]);
    const e10 = exp - frac.length;
    const magnitude = digits.length + e10; // 10^(magnitude-1) <= value < 10^magnitude
    if (magnitude > 4933) return null; // >= 1e4933 > LDBL_MAX
    if (magnitude < -4950) return null; // < 1e-4951, below half the smallest subnormal
    const n = BigInt(digits);
    const r = e10 >= 0 ? roundBinary(neg, n * 10n ** BigInt(e10), 0) : roundRatio(neg, n, 10n ** BigInt(-e10));
    return r === "inf" || r.m === 0n ? null : r;
  }
  m = HEX.exec(s);
  if (m !== null) {
    const neg = m[1] === "-";
    const frac = m[2] !== undefined ? m[3]! : m[4]!;
    const digits = ((m[2] ?? "") + frac).replace(/^0+/, "");
    if (digits.length === 0) return ZERO;
    const e2 = (m[5] === undefined ? 0 : Number(m[5])) - 4 * frac.length;
    const bits = digits.length * 4 + e2; // 2^(bits-4) <= value < 2^bits
    if (bits - 4 >= MAX_BITS) return null;
    if (bits < EMIN - 1) return null;
    const r = roundBinary(neg, BigInt("0x" + digits), e2);
    return r === "inf" || r.m === 0n ? null : r;
  }
  return INFINITY.test(s) ? "inf" : null;
}

/** a + b in long double precision; "inf" when the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | "inf" {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sum = (a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e));
  return sum < 0n ? roundBinary(true, -sum, e) : roundBinary(false, sum, e);
}

/** Redis's human-friendly long double text: "%.17Lf", trailing zeros and point trimmed, "-0" as "0". */
export function formatLongDouble(x: LongDouble): string {
  const neg = x.m < 0n;
  const a = neg ? -x.m : x.m;
  let text: string;
  if (x.e >= 0) text = (a << BigInt(x.e)).toString();
  else {
    // glibc prints the exact binary value rounded half-to-even at the 17th decimal.
    const s = BigInt(-x.e);
    const scaled = a * TEN17;
    let q = scaled >> s;
    const rest = scaled - (q << s);
    const half = 1n << (s - 1n);
    if (rest > half || (rest === half && (q & 1n) === 1n)) q++;
    const digits = q.toString().padStart(18, "0");
    const int = digits.slice(0, -17);
    let end = digits.length;
    while (end > int.length && digits.charCodeAt(end - 1) === 48) end--;
    text = end > int.length ? `${int}.${digits.slice(int.length, end)}` : int;
  }
  return neg && text !== "0" ? `-${text}` : text;
}
