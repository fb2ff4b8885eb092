// The byte-level encoding shared by snapshots and the append-only log: unsigned LEB128
// varints, byte strings (keycast's latin1 strings) as varint length + raw bytes, and a
// reader that refuses to run past its end. Checksums are CRC-32 (zlib's), computed as the
// bytes go by so a big snapshot is never held whole in memory.

import { crc32 } from "node:zlib";

/** Bytes that do not decode: the message says where and why. */
export class CorruptError extends Error {}

const DEFAULT_CHUNK = 64 * 1024;

/**
 * Appends encoded values to a buffer. With a sink, every full chunk is handed over (and the
 * writer starts a new one), so memory stays bounded; without one the buffer grows and
 * `take()` returns everything written.
 */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(
    private readonly sink: ((chunk: Buffer) => void) | null = null,
    private readonly chunkSize = DEFAULT_CHUNK,
  ) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  /** Bytes written and not yet handed to the sink or taken. */
  get length(): number {
    return this.pos;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.sink !== null) {
      this.emit();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
      return;
    }
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Hands the bytes written so far to the sink. */
  emit(): void {
    if (this.pos === 0 || this.sink === null) return;
    // The sink keeps the chunk (it is queued for a write): give it its own memory.
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(Math.max(this.chunkSize, this.buf.length === this.pos ? this.chunkSize : this.buf.length));
    this.pos = 0;
    this.sink(chunk);
  }

  /** Everything written since the last take (writers without a sink). */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  f64(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** A non-negative integer up to 2^53. */
  varint(n: number): void {
    this.room(8);
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    buf[this.pos++] = n;
  }

  /** A byte string: its length, then its bytes. */
  bytes(s: string): void {
    this.varint(s.length);
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, s.length, "latin1");
  }

  raw(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Overwrites 4 bytes at an absolute position of the current buffer (a length or checksum slot). */
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, at);
  }

  /** The bytes from `from` to the current position, without copying (valid until the next write). */
  view(from: number): Buffer {
    return this.buf.subarray(from, this.pos);
  }
}

/** Reads what ByteWriter wrote; any overrun is a CorruptError. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new CorruptError(`unexpected end of data at byte ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
    }
    throw new CorruptError(`varint too long at byte ${this.pos}`);
  }

  bytes(): string {
    const len = this.varint();
    this.need(len);
    const s = this.buf.toString("latin1", this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

/** CRC-32 of a buffer, continuing from a previous value. */
export function checksum(data: Uint8Array, previous = 0): number {
  return crc32(data, previous);
}
