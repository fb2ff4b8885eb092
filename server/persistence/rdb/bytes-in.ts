// Reading an RDB encoding with bounds checks: anything out of place throws BadData, which
// RESTORE answers with Redis's "Bad data format". Corrupt input never reads past the end.

export class BadData extends Error {}

export function bad(why: string): never {
  throw new BadData(why);
}

export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  byte(): number {
    if (this.pos >= this.end) bad("truncated");
    return this.buf[this.pos++]!;
  }

  take(n: number): Uint8Array {
    if (n < 0 || n > this.end - this.pos) bad("truncated");
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  uintLE(n: number): number {
    const b = this.take(n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
    return v;
  }

  uintBE(n: number): number {
    const b = this.take(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[i]!;
    return v;
  }

  /** A signed little-endian integer of n bytes (1, 2, 3, 4 or 8), exact as a string. */
  intLE(n: number): number | bigint {
    const b = this.take(n);
    if (n === 8) {
      const v = new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
      return v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : v;
    }
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
    const half = 2 ** (8 * n - 1);
    return v >= half ? v - half * 2 : v;
  }
}

/** Bytes to a byte string (one char per byte). */
export function latin1Of(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("latin1");
}
