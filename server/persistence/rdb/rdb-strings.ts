// RDB lengths and strings (rdb.c rdbSaveLen / rdbSaveRawString and their loaders). A string
// that is the canonical form of a 32-bit integer is written as the integer; one longer than
// 20 bytes is LZF-compressed when that saves at least 4 bytes, as Redis does with
// rdbcompression yes.

import { toInt64 } from "../../args.js";
import { ByteWriter } from "./bytes-out.js";
import { bad, ByteReader, latin1Of } from "./bytes-in.js";
import { lzfCompress, lzfDecompress } from "./lzf.js";

const ENCVAL = 0xc0;
const ENC_INT8 = 0;
const ENC_INT16 = 1;
const ENC_INT32 = 2;
const ENC_LZF = 3;

export function writeLen(w: ByteWriter, n: number): void {
  if (n < 64) w.byte(n);
  else if (n < 16384) {
    w.byte(0x40 | (n >> 8));
    w.byte(n & 0xff);
  } else if (n <= 0xffffffff) {
    w.byte(0x80);
    w.uintBE(n, 4);
  } else {
    w.byte(0x81);
    w.uintBE(0, 2);
    w.uintBE(n, 6);
  }
}

/** The integer encodings of a string that reads back as the same bytes, or false. */
function writeIntEncoded(w: ByteWriter, s: string): boolean {
  const v = toInt64(s);
  if (typeof v !== "number") return false;
  if (v >= -128 && v <= 127) {
    w.byte(ENCVAL | ENC_INT8);
    w.byte(v & 0xff);
  } else if (v >= -32768 && v <= 32767) {
    w.byte(ENCVAL | ENC_INT16);
    w.uintLE(v < 0 ? v + 65536 : v, 2);
  } else if (v >= -2147483648 && v <= 2147483647) {
    w.byte(ENCVAL | ENC_INT32);
    w.uintLE(v < 0 ? v + 2 ** 32 : v, 4);
  } else return false;
  return true;
}

let scratch = new Uint8Array(1024);

/** LZF of bytes when it fits in len - 4 bytes: writes the LZF form and returns true. */
function writeCompressed(w: ByteWriter, bytes: Uint8Array): boolean {
  const len = bytes.length;
  if (len <= 4) return false;
  if (scratch.length < len) scratch = new Uint8Array(len);
  const out = scratch.subarray(0, len - 4);
  const n = lzfCompress(bytes, out);
  if (n === 0) return false;
  writeLzfBlob(w, out.subarray(0, n), len);
  return true;
}

/** An already compressed blob (quicklist nodes compressed in memory): RDB_ENC_LZF, sizes, data. */
export function writeLzfBlob(w: ByteWriter, compressed: Uint8Array, originalLength: number): void {
  w.byte(ENCVAL | ENC_LZF);
  writeLen(w, compressed.length);
  writeLen(w, originalLength);
  w.bytes(compressed);
}

/** A byte string, with Redis's integer and LZF encodings. */
export function writeString(w: ByteWriter, s: string, compress: boolean): void {
  const len = s.length;
  if (len <= 11 && writeIntEncoded(w, s)) return;
  if (compress && len > 20) {
    const bytes = Buffer.from(s, "latin1");
    if (writeCompressed(w, bytes)) return;
  }
  writeLen(w, len);
  w.latin1(s);
}

/** A binary blob (an encoded listpack or intset), as rdbSaveRawString writes one. */
export function writeBlob(w: ByteWriter, bytes: Uint8Array, compress: boolean): void {
  const len = bytes.length;
  if (len <= 11 && writeIntEncoded(w, latin1Of(bytes))) return;
  if (compress && len > 20 && writeCompressed(w, bytes)) return;
  writeLen(w, len);
  w.bytes(bytes);
}

/** A plain length (a count); encoded forms are refused. */
export function readLen(r: ByteReader): number {
  const b = r.byte();
  const kind = b >> 6;
  if (kind === 0) return b & 0x3f;
  if (kind === 1) return ((b & 0x3f) << 8) | r.byte();
  if (b === 0x80) return r.uintBE(4);
  if (b === 0x81) {
    const high = r.uintBE(2);
    if (high !== 0) bad("length too large");
    return r.uintBE(6);
  }
  bad("unexpected encoded length");
}

/** A string's bytes, decoding the integer and LZF forms. */
export function readBlob(r: ByteReader): Uint8Array {
  const b = r.buf[r.pos];
  if (b !== undefined && b >> 6 === 3) {
    r.pos++;
    const enc = b & 0x3f;
    if (enc === ENC_LZF) {
      const clen = readLen(r);
      const len = readLen(r);
      // A back reference of 3 bytes expands to at most 264: a longer claim is corrupt (and
      // would make us allocate it).
      if (len === 0 || len > clen * 88 + 32) bad("LZF lengths");
      const out = lzfDecompress(r.take(clen), len);
      if (out === null) bad("invalid LZF data");
      return out;
    }
    if (enc > ENC_INT32) bad("unknown string encoding");
    return Buffer.from(String(r.intLE(1 << enc)), "latin1");
  }
  return r.take(readLen(r));
}

export function readString(r: ByteReader): string {
  const b = r.buf[r.pos];
  if (b !== undefined && b >> 6 === 3 && (b & 0x3f) <= ENC_INT32) {
    r.pos++;
    return String(r.intLE(1 << (b & 0x3f)));
  }
  return latin1Of(readBlob(r));
}
