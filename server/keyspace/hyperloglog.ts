// HyperLogLog in Redis 7.0's own byte layout, so that the string GET returns here is the one
// Redis would hold after the same commands (and a string made by Redis counts the same here).
//
// Layout: a 16-byte header ("HYLL", encoding byte 0 = dense / 1 = sparse, 3 unused bytes, the
// cached cardinality as 8 bytes little-endian whose top bit set means "stale"), then either
// 16384 registers of 6 bits packed low bit first (dense, 12288 bytes), or run-length opcodes
// (sparse): ZERO 00xxxxxx = 1..64 zero registers, XZERO 01xxxxxx yyyyyyyy = 1..16384 zero
// registers, VAL 1vvvvvxx = 1..4 registers of value 1..32.
//
// Stored values are latin1 strings. Reads (the common PFADD that changes nothing, a cached
// PFCOUNT) look at the string's chars directly; a write copies the string into an HllWriter
// once per command, edits bytes there and makes one new string at the end.

export const HLL_HEADER = 16;
export const HLL_REGISTERS = 16384;
const INDEX_MASK = HLL_REGISTERS - 1;
/** Hash bits left once the 14 index bits are taken: counts run from 1 to Q + 1. */
const Q = 50;
export const HLL_DENSE_SIZE = HLL_HEADER + (HLL_REGISTERS * 6) / 8;
export const DENSE = 0;
export const SPARSE = 1;
const SPARSE_VAL_MAX = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** Byte 15 is the top byte of the cached cardinality; its high bit marks it stale. */
const CARD_TOP = 15;
const STALE = 0x80;

export const NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
export const CORRUPTED_HLL = "INVALIDOBJ Corrupted HLL object detected";

// ---------------------------------------------------------------------------------------
// MurmurHash64A (the 64-bit MurmurHash2), as Redis seeds it, in 32-bit halves: BigInt
// arithmetic would cost far more than the rest of PFADD.

const SEED = 0xadc83b19;
const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO0 = M_LO & 0xffff;
const M_LO1 = M_LO >>> 16;

/** Result of mulM: the low 64 bits of the product. */
let mulHi = 0;
let mulLo = 0;

/** (hi:lo) * M mod 2^64, into mulHi:mulLo. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p01 = a0 * M_LO1;
  const p10 = a1 * M_LO0;
  const carry = ((a0 * M_LO0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const top = a1 * M_LO1 + (p01 >>> 16) + (p10 >>> 16) + (carry >>> 16);
  mulLo = Math.imul(lo, M_LO) >>> 0;
  mulHi = (top + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
}

/** Result of a hash: its two halves. */
let hashHi = 0;
let hashLo = 0;

/** The 8-byte block k mixed into h (h ^= mix(k); h *= M). */
function mixBlock(kh: number, kl: number): void {
  mulM(kh, kl);
  const ml = (mulLo ^ (mulHi >>> 15)) >>> 0;
  mulM(mulHi, ml);
  mulM((hashHi ^ mulHi) >>> 0, (hashLo ^ mulLo) >>> 0);
  hashHi = mulHi;
  hashLo = mulLo;
}

/** The tail (len & 7 bytes, already xored into th:tl) and the final avalanche. */
function finish(rest: number, th: number, tl: number): void {
  if (rest !== 0) {
    mulM((hashHi ^ th) >>> 0, (hashLo ^ tl) >>> 0);
    hashHi = mulHi;
    hashLo = mulLo;
  }
  mulM(hashHi, (hashLo ^ (hashHi >>> 15)) >>> 0);
  hashHi = mulHi;
  hashLo = (mulLo ^ (mulHi >>> 15)) >>> 0;
}

function start(len: number): void {
  mulM(0, len >>> 0);
  hashHi = mulHi;
  hashLo = (mulLo ^ SEED) >>> 0;
}

/** MurmurHash64A of a latin1 byte string, into hashHi:hashLo. */
function hashString(s: string): void {
  const len = s.length;
  start(len);
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kl = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    const kh = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24);
    mixBlock(kh >>> 0, kl >>> 0);
  }
  let th = 0;
  let tl = 0;
  const rest = len & 7;
  for (let j = rest - 1; j >= 0; j--) {
    const c = s.charCodeAt(blocks + j);
    if (j >= 4) th |= c << ((j - 4) * 8);
    else tl |= c << (j * 8);
  }
  finish(rest, th >>> 0, tl >>> 0);
}

start(8);
/** The hash state before the first block of an 8-byte input: the same for every element. */
const START8_HI = hashHi;
const START8_LO = hashLo;

/** MurmurHash64A of 8 bytes given as two little-endian words (PFSELFTEST's elements). */
function hashWords(hi: number, lo: number): void {
  hashHi = START8_HI;
  hashLo = START8_LO;
  mixBlock(hi >>> 0, lo >>> 0);
  finish(0, 0, 0);
}

/** Register index of the last hashed element (set by patternOf). */
export let patternIndex = 0;

/**
 * The register an element goes to (patternIndex) and its count: 1 + the number of zero bits
 * above the 14 index bits before the first one, at most Q + 1.
 */
function patternOfHash(): number {
  patternIndex = hashLo & INDEX_MASK;
  const lo = ((hashLo >>> 14) | (hashHi << 18)) >>> 0;
  if (lo !== 0) return 32 - Math.clz32(lo & -lo);
  const hi = (hashHi >>> 14) | (1 << (Q - 32));
  return 64 - Math.clz32(hi & -hi);
}

export function patternOf(element: string): number {
  hashString(element);
  return patternOfHash();
}

/** The raw 64-bit hash of a byte string, as [hi, lo] (tests compare it with known values). */
export function murmurHash64A(element: string): [number, number] {
  hashString(element);
  return [hashHi, hashLo];
}

// ---------------------------------------------------------------------------------------
// Dense registers: register i's 6 bits start at bit 6i of the register bytes, low bit first.

function denseGet(b: Uint8Array, i: number): number {
  const bit = i * 6;
  const at = HLL_HEADER + (bit >>> 3);
  const fb = bit & 7;
  return ((b[at]! >>> fb) | ((b[at + 1] ?? 0) << (8 - fb))) & 63;
}

function denseSet(b: Uint8Array, i: number, v: number): void {
  const bit = i * 6;
  const at = HLL_HEADER + (bit >>> 3);
  const fb = bit & 7;
  b[at] = (b[at]! & ~(63 << fb)) | (v << fb);
  // The last register ends inside its byte: there is no next byte to write (nor anything to put there).
  if (at + 1 < b.length) b[at + 1] = (b[at + 1]! & ~(63 >>> (8 - fb))) | (v >>> (8 - fb));
}

/** Register i of a dense HLL held in a stored string. */
function denseGetString(s: string, i: number): number {
  const bit = i * 6;
  const at = HLL_HEADER + (bit >>> 3);
  const fb = bit & 7;
  // Past the end charCodeAt is NaN, which the shift turns into 0.
  return ((s.charCodeAt(at) >>> fb) | (s.charCodeAt(at + 1) << (8 - fb))) & 63;
}

/**
 * Register `index` of a sparse HLL held in a stored string, found the way Redis's update walks
 * the opcodes; -1 when the walk runs off the end (the write path then reports the corruption).
 */
function sparseGetString(s: string, index: number): number {
  const end = s.length;
  let p = HLL_HEADER;
  let first = 0;
  while (p < end) {
    const op = s.charCodeAt(p);
    let span: number;
    let oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if (op & 0x80) span = (op & 3) + 1;
    else {
      span = (((op & 0x3f) << 8) | (p + 1 < end ? s.charCodeAt(p + 1) : 0)) + 1;
      oplen = 2;
    }
    if (index < first + span) return op & 0x80 ? ((op >>> 2) & 0x1f) + 1 : 0;
    p += oplen;
    first += span;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------
// Validation and the header

/** The encoding of a valid HLL string (DENSE or SPARSE), or -1 when the string is not one. */
export function hllEncoding(s: string): number {
  if (s.length < HLL_HEADER) return -1;
  if (s.charCodeAt(0) !== 0x48 || s.charCodeAt(1) !== 0x59 || s.charCodeAt(2) !== 0x4c || s.charCodeAt(3) !== 0x4c) return -1;
  const enc = s.charCodeAt(4);
  if (enc > SPARSE) return -1;
  if (enc === DENSE && s.length !== HLL_DENSE_SIZE) return -1;
  return enc;
}

/** The cached cardinality of a valid HLL string, or -1 when it is stale. */
export function cachedCardinality(s: string): number | bigint {
  const top = s.charCodeAt(CARD_TOP);
  if (top & STALE) return -1;
  const lo = (s.charCodeAt(8) | (s.charCodeAt(9) << 8) | (s.charCodeAt(10) << 16) | (s.charCodeAt(11) << 24)) >>> 0;
  const hi = (s.charCodeAt(12) | (s.charCodeAt(13) << 8) | (s.charCodeAt(14) << 16) | (top << 24)) >>> 0;
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The string with its cached cardinality set to `card` (valid). */
export function withCachedCardinality(s: string, card: number): string {
  let bytes = "";
  let n = card;
  for (let i = 0; i < 8; i++) {
    bytes += String.fromCharCode(n % 256);
    n = Math.floor(n / 256);
  }
  return s.slice(0, 8) + bytes + s.slice(HLL_HEADER);
}

// ---------------------------------------------------------------------------------------
// The estimator: Otmar Ertl's improved raw estimator ("New cardinality estimation algorithms
// for HyperLogLog sketches", arXiv:1702.01284) over the histogram of register values, with
// Redis's order of floating-point operations so that the rounding, and the answer, agree.

const ALPHA_INF = 0.72134752044448170368; // 0.5 / ln(2)

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let before: number;
  do {
    x *= x;
    before = z;
    z += x * y;
    y += y;
  } while (before !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let before: number;
  do {
    x = Math.sqrt(x);
    before = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (before !== z);
  return z / 3;
}

/** The histogram of register values (64 slots: crafted dense strings can hold up to 63). */
const histogram = new Float64Array(64);

function estimate(): number {
  const h = histogram;
  const m = HLL_REGISTERS;
  let z = m * tau((m - h[Q + 1]!) / m);
  for (let j = Q; j >= 1; j--) {
    z += h[j]!;
    z *= 0.5;
  }
  z += m * sigma(h[0]! / m);
  return Math.round((ALPHA_INF * m * m) / z);
}

function denseHistogram(b: Uint8Array): void {
  const h = histogram;
  for (let at = HLL_HEADER; at < HLL_DENSE_SIZE; at += 3) {
    const b0 = b[at]!;
    const b1 = b[at + 1]!;
    const b2 = b[at + 2]!;
    h[b0 & 63]!++;
    h[((b0 >>> 6) | (b1 << 2)) & 63]!++;
    h[((b1 >>> 4) | (b2 << 4)) & 63]!++;
    h[b2 >>> 2]!++;
  }
}

/** False when the opcodes do not cover exactly the 16384 registers. */
function sparseHistogram(b: Uint8Array, end: number): boolean {
  const h = histogram;
  let idx = 0;
  let p = HLL_HEADER;
  while (p < end) {
    const op = b[p]!;
    if ((op & 0xc0) === 0) {
      const run = (op & 0x3f) + 1;
      idx += run;
      h[0]! += run;
      p++;
    } else if ((op & 0x80) === 0) {
      const run = (((op & 0x3f) << 8) | (b[p + 1] ?? 0)) + 1;
      idx += run;
      h[0]! += run;
      p += 2;
    } else {
      const run = (op & 3) + 1;
      idx += run;
      h[((op >>> 2) & 0x1f) + 1]! += run;
      p++;
    }
  }
  return idx === HLL_REGISTERS;
}

/** The estimated cardinality of a valid HLL string; -1 when its sparse opcodes are corrupted. */
export function countOf(s: string): number {
  histogram.fill(0);
  const b = Buffer.from(s, "latin1");
  if (b[4] === DENSE) denseHistogram(b);
  else if (!sparseHistogram(b, b.length)) return -1;
  return estimate();
}

// ---------------------------------------------------------------------------------------
// Union (PFCOUNT of several keys, PFMERGE): the largest value of each register, one byte each.

export const unionRegisters = new Uint8Array(HLL_REGISTERS);

/** Folds a valid HLL string into unionRegisters; false when its sparse opcodes are corrupted. */
export function mergeInto(max: Uint8Array, s: string): boolean {
  if (s.charCodeAt(4) === DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGetString(s, i);
      if (v > max[i]!) max[i] = v;
    }
    return true;
  }
  const end = s.length;
  let i = 0;
  let p = HLL_HEADER;
  while (p < end) {
    const op = s.charCodeAt(p);
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0x80) === 0) {
      i += (((op & 0x3f) << 8) | (p + 1 < end ? s.charCodeAt(p + 1) : 0)) + 1;
      p += 2;
    } else {
      let run = (op & 3) + 1;
      const v = ((op >>> 2) & 0x1f) + 1;
      // A VAL running past the last register is corruption, even after a complete run (7.0.15).
      if (run + i > HLL_REGISTERS) return false;
      while (run-- > 0) {
        if (v > max[i]!) max[i] = v;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** The estimate of one byte per register (the union). */
export function countRegisters(max: Uint8Array): number {
  const h = histogram;
  h.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) h[max[i]!]!++;
  return estimate();
}

// ---------------------------------------------------------------------------------------
// Reads and writes of single registers

/**
 * Would adding an element of this count to register `index` change nothing? Read from the
 * stored string, without copying it: true only when the register already holds count or more
 * (and a sparse value that large could be kept sparse).
 */
export function unchangedBy(s: string, encoding: number, index: number, count: number): boolean {
  if (encoding === DENSE) return denseGetString(s, index) >= count;
  if (count > SPARSE_VAL_MAX) return false;
  return sparseGetString(s, index) >= count;
}

/** The sparse HLL Redis creates for a new key: one XZERO covering every register. */
export function emptyHll(): string {
  return "HYLL\x01\0\0\0\0\0\0\0\0\0\0\0" + String.fromCharCode(0x40 | ((SPARSE_XZERO_MAX_LEN - 1) >>> 8), (SPARSE_XZERO_MAX_LEN - 1) & 0xff);
}

/** Set by a write that ran: "updated" (1), "no change" (0) or "corrupted" (-1). */
export type SetResult = 1 | 0 | -1;

const seq = new Uint8Array(5);

/**
 * The last string a writer committed and the bytes it was made from. Strings cannot change,
 * so when a stored value is this very string its bytes are these, whichever key holds it.
 */
let lastString: string | null = null;
let lastBytes: Buffer | null = null;

const valOp = (value: number, len: number): number => 0x80 | ((value - 1) << 2) | (len - 1);

/**
 * One HLL being changed: its bytes (with room to grow), as Redis's sds string would be. The
 * byte just past `len` is kept 0, as sds's terminator, because Redis's decoders read it for a
 * truncated XZERO opcode.
 */
export class HllWriter {
  bytes: Buffer;
  len: number;

  /** The bytes of the string `s` (the one-entry cache's, when it holds them). */
  constructor(s: string) {
    this.len = s.length;
    if (s === lastString && lastBytes !== null) {
      // Taken, not shared: this writer may change the bytes, so the cache lets them go.
      this.bytes = lastBytes;
      lastString = null;
      lastBytes = null;
      return;
    }
    this.bytes = Buffer.allocUnsafe(s.length + 16);
    this.bytes.write(s, 0, "latin1");
    this.bytes[s.length] = 0;
  }

  get encoding(): number {
    return this.bytes[4]!;
  }

  /** The bytes as a string, the writer left unchanged after (PFSELFTEST's checkpoints). */
  toString(): string {
    return this.bytes.toString("latin1", 0, this.len);
  }

  /**
   * The bytes as the string to store; the writer is done. Its bytes stay cached beside the
   * string, so the next write of the same value (a hot key's next PFADD) skips copying 12 KB in.
   */
  commit(): string {
    const s = this.bytes.toString("latin1", 0, this.len);
    lastString = s;
    lastBytes = this.bytes;
    return s;
  }

  invalidateCache(): void {
    this.bytes[CARD_TOP]! |= STALE;
  }

  /** Raises register `index` to `count` if it is lower; sparse HLLs may turn dense. */
  set(index: number, count: number, sparseMaxBytes: number): SetResult {
    if (this.bytes[4] === DENSE) return this.denseSet(index, count);
    return this.sparseSet(index, count, sparseMaxBytes);
  }

  /** Register `index` of a dense HLL (PFDEBUG GETREG converts first). */
  register(index: number): number {
    return denseGet(this.bytes, index);
  }

  private denseSet(index: number, count: number): SetResult {
    if (denseGet(this.bytes, index) >= count) return 0;
    denseSet(this.bytes, index, count);
    return 1;
  }

  private room(extra: number): void {
    if (this.len + extra + 1 <= this.bytes.length) return;
    const bigger = Buffer.alloc((this.len + extra + 1) * 2);
    bigger.set(this.bytes.subarray(0, this.len));
    this.bytes = bigger;
  }

  private resize(len: number): void {
    this.len = len;
    this.bytes[len] = 0;
  }

  /** Rewrites a sparse HLL as dense; false (and nothing changed) when its opcodes are corrupted. */
  toDense(): boolean {
    if (this.bytes[4] === DENSE) return true;
    const src = this.bytes;
    const end = this.len;
    const dense = Buffer.alloc(HLL_DENSE_SIZE);
    dense.set(src.subarray(0, HLL_HEADER));
    dense[4] = DENSE;
    let idx = 0;
    let p = HLL_HEADER;
    while (p < end) {
      const op = src[p]!;
      if ((op & 0xc0) === 0) {
        idx += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0x80) === 0) {
        idx += (((op & 0x3f) << 8) | src[p + 1]!) + 1;
        p += 2;
      } else {
        let run = (op & 3) + 1;
        const v = ((op >>> 2) & 0x1f) + 1;
        if (run + idx > HLL_REGISTERS) return false;
        while (run-- > 0) denseSet(dense, idx++, v);
        p++;
      }
    }
    if (idx !== HLL_REGISTERS) return false;
    this.bytes = dense;
    this.len = HLL_DENSE_SIZE;
    return true;
  }

  private promote(index: number, count: number): SetResult {
    if (!this.toDense()) return -1;
    denseSet(this.bytes, index, count);
    return 1;
  }

  /**
   * Redis's in-place sparse update: find the opcode covering the register, replace it by at
   * most three (XZERO-VAL-XZERO is the worst), then join equal VAL neighbours.
   */
  private sparseSet(index: number, count: number, sparseMaxBytes: number): SetResult {
    if (count > SPARSE_VAL_MAX) return this.promote(index, count);
    this.room(3);
    const b = this.bytes;
    let end = this.len;
    let p = HLL_HEADER;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p]!;
      let oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = (op & 3) + 1;
      else {
        span = (((op & 0x3f) << 8) | b[p + 1]!) + 1;
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = b[p]!;
    const isXzero = (op & 0xc0) === 0x40;
    const isVal = (op & 0x80) !== 0;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const run = span;
    let merge = false;

    if (isVal) {
      const old = ((op >>> 2) & 0x1f) + 1;
      if (old >= count) return 0;
      if (run === 1) {
        b[p] = valOp(count, 1);
        merge = true;
      }
    } else if (!isXzero && run === 1) {
      b[p] = valOp(count, 1);
      merge = true;
    }

    if (!merge) {
      const last = first + span - 1;
      let n = 0;
      if (!isVal) {
        if (index !== first) n = zeros(index - first, n);
        seq[n++] = valOp(count, 1);
        if (index !== last) n = zeros(last - index, n);
      } else {
        const v = ((op >>> 2) & 0x1f) + 1;
        if (index !== first) seq[n++] = valOp(v, index - first);
        seq[n++] = valOp(count, 1);
        if (index !== last) seq[n++] = valOp(v, last - index);
      }
      const delta = n - (isXzero ? 2 : 1);
      if (delta > 0 && this.len + delta > sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
      this.resize(this.len + delta);
      b.set(seq.subarray(0, n), p);
      end += delta;
    }

    // Join adjacent VAL opcodes of the same value, looking at up to five opcodes from prev.
    p = prev >= 0 ? prev : HLL_HEADER;
    for (let scan = 5; p < end && scan > 0; scan--) {
      const o = b[p]!;
      if ((o & 0xc0) === 0x40) {
        p += 2;
        continue;
      }
      if ((o & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && b[p + 1]! & 0x80) {
        const o2 = b[p + 1]!;
        const v = ((o >>> 2) & 0x1f) + 1;
        if (v === ((o2 >>> 2) & 0x1f) + 1) {
          const len = (o & 3) + (o2 & 3) + 2;
          if (len <= SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valOp(v, len);
            b.copyWithin(p, p + 1, end + 1);
            this.resize(this.len - 1);
            end--;
            continue;
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  /** Redis's PFDEBUG DECODE text of a sparse HLL. */
  decode(): string {
    const b = this.bytes;
    const end = this.len;
    const parts: string[] = [];
    let p = HLL_HEADER;
    while (p < end) {
      const op = b[p]!;
      if ((op & 0xc0) === 0) {
        parts.push(`z:${(op & 0x3f) + 1}`);
        p++;
      } else if ((op & 0x80) === 0) {
        parts.push(`Z:${(((op & 0x3f) << 8) | b[p + 1]!) + 1}`);
        p += 2;
      } else {
        parts.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
        p++;
      }
    }
    return parts.join(" ");
  }
}

/** Writes a ZERO or XZERO opcode for `len` zero registers into seq at n; the next free slot. */
function zeros(len: number, n: number): number {
  if (len > SPARSE_ZERO_MAX_LEN) {
    seq[n++] = 0x40 | ((len - 1) >>> 8);
    seq[n++] = (len - 1) & 0xff;
  } else seq[n++] = len - 1;
  return n;
}

// ---------------------------------------------------------------------------------------
// PFSELFTEST

/** A small xorshift generator: the self-test needs arbitrary values, not good ones. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * Redis's PFSELFTEST: dense registers keep the values written without touching their
 * neighbours, and 10,000,000 elements added to a dense and a sparse HLL side by side give the
 * same estimate at each power of ten, within six standard errors. The error text, or null.
 */
export function selfTest(sparseMaxBytes: number, seed = Date.now()): string | null {
  const rand = xorshift(seed);
  const dense = new Uint8Array(HLL_DENSE_SIZE);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = rand() & 63;
      expected[i] = r;
      denseSet(dense, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(dense, i);
      if (v !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${v}`;
    }
  }

  dense.fill(0, HLL_HEADER);
  dense[4] = DENSE;
  const sparse = new HllWriter(emptyHll());
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedLo = rand();
  const seedHi = rand();
  let checkpoint = 1;
  for (let j = 1; j <= 10_000_000; j++) {
    hashWords(seedHi, (j ^ seedLo) >>> 0);
    const count = patternOfHash();
    const index = patternIndex;
    if (denseGet(dense, index) < count) denseSet(dense, index, count);
    sparse.set(index, count, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.encoding !== SPARSE) return "TESTFAILED sparse encoding not used";
    histogram.fill(0);
    denseHistogram(dense);
    const card = estimate();
    if (card !== countOf(sparse.toString())) return "TESTFAILED dense/sparse disagree";
    const abserr = Math.abs(checkpoint - card);
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
