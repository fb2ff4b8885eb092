// A growable byte buffer for building RDB encodings, written to in place (no array per value).

export class ByteWriter {
  buf: Uint8Array;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  /** Little-endian unsigned integer of `n` bytes (n <= 6; numbers stay exact). */
  uintLE(v: number, n: number): void {
    this.ensure(n);
    for (let i = 0; i < n; i++) {
      this.buf[this.length++] = v & 0xff;
      v = Math.floor(v / 256);
    }
  }

  /** Big-endian unsigned integer of `n` bytes (n <= 6). */
  uintBE(v: number, n: number): void {
    this.ensure(n);
    for (let i = n - 1; i >= 0; i--) {
      this.buf[this.length + i] = v & 0xff;
      v = Math.floor(v / 256);
    }
    this.length += n;
  }

  /** A signed 64-bit integer, little-endian. */
  int64LE(v: number | bigint): void {
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.length, 8).setBigInt64(0, BigInt(v), true);
    this.length += 8;
  }

  /** A byte string (one char per byte). */
  latin1(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let at = this.length;
    if (n > 64) {
      Buffer.from(buf.buffer, buf.byteOffset, buf.length).write(s, at, n, "latin1");
    } else for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
    this.length += n;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** The bytes written so far (a view: copy before writing more). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
