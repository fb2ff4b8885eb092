// Listpacks (Redis's listpack.c format), the flat encoding inside 7.0's quicklist nodes, small
// hashes and sorted sets: a 4-byte total length and 2-byte count, the entries, and 0xFF. An
// entry is its encoding (a string that reads as an int64 is stored as the smallest integer
// that holds it), then its own length, backwards, so the list can be walked from the tail.

import { toInt64 } from "../../args.js";
import { ByteWriter } from "./bytes-out.js";
import { bad, ByteReader, latin1Of } from "./bytes-in.js";

const HEADER = 6;
const EOF_BYTE = 0xff;
/** The count field saturates here; past it the count is found by walking. */
const COUNT_UNKNOWN = 65535;

function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

function intSize(v: number | bigint): number {
  if (typeof v === "bigint") return 9;
  if (v >= 0 && v <= 127) return 1;
  if (v >= -4096 && v <= 4095) return 2;
  if (v >= -32768 && v <= 32767) return 3;
  if (v >= -8388608 && v <= 8388607) return 4;
  if (v >= -2147483648 && v <= 2147483647) return 5;
  return 9;
}

function stringHeaderSize(n: number): number {
  return n < 64 ? 1 : n < 4096 ? 2 : 5;
}

/** The bytes one element takes in a listpack: encoding, data and back-length. */
export function entrySize(s: string): number {
  const v = s.length <= 20 ? toInt64(s) : null;
  const l = v !== null ? intSize(v) : stringHeaderSize(s.length) + s.length;
  return l + backlenSize(l);
}

/** The size of an empty listpack (header and terminator). */
export const EMPTY_SIZE = HEADER + 1;

function writeBacklen(w: ByteWriter, l: number): void {
  const n = backlenSize(l);
  // Most significant group first; every byte but the first has the high bit set.
  for (let i = n - 1; i >= 0; i--) {
    const group = Math.floor(l / 2 ** (7 * i)) & 127;
    w.byte(i === n - 1 ? group : group | 128);
  }
}

function writeEntry(w: ByteWriter, s: string): void {
  const v = s.length <= 20 ? toInt64(s) : null;
  const start = w.length;
  if (v !== null) {
    const size = intSize(v);
    if (size === 1) w.byte(v as number);
    else if (size === 2) {
      const u = (v as number) < 0 ? (1 << 13) + (v as number) : (v as number);
      w.byte(0xc0 | (u >> 8));
      w.byte(u & 0xff);
    } else if (size === 9) {
      w.byte(0xf4);
      w.int64LE(v);
    } else {
      const n = size - 1;
      w.byte(0xf0 + n - 1); // 0xf1: 16 bits, 0xf2: 24, 0xf3: 32
      const num = v as number;
      w.uintLE(num < 0 ? num + 2 ** (8 * n) : num, n);
    }
  } else {
    const n = s.length;
    if (n < 64) w.byte(0x80 | n);
    else if (n < 4096) {
      w.byte(0xe0 | (n >> 8));
      w.byte(n & 0xff);
    } else {
      w.byte(0xf0);
      w.uintLE(n, 4);
    }
    w.latin1(s);
  }
  writeBacklen(w, w.length - start);
}

/** A listpack of the given elements, in order, written into w. */
export function writeListpack(w: ByteWriter, elements: ArrayLike<string>, from = 0, to = elements.length): void {
  const start = w.length;
  w.uintLE(0, 4);
  w.uintLE(Math.min(to - from, COUNT_UNKNOWN), 2);
  for (let i = from; i < to; i++) writeEntry(w, elements[i]!);
  w.byte(EOF_BYTE);
  const total = w.length - start;
  const buf = w.buf;
  buf[start] = total & 0xff;
  buf[start + 1] = (total >>> 8) & 0xff;
  buf[start + 2] = (total >>> 16) & 0xff;
  buf[start + 3] = (total >>> 24) & 0xff;
}

/** The elements of a listpack, validated entry by entry; throws BadData when it is malformed. */
export function readListpack(bytes: Uint8Array): string[] {
  if (bytes.length < EMPTY_SIZE) bad("listpack too short");
  const r = new ByteReader(bytes);
  const total = r.uintLE(4);
  const count = r.uintLE(2);
  if (total !== bytes.length || bytes[total - 1] !== EOF_BYTE) bad("listpack length");
  const end = total - 1;
  const out: string[] = [];
  while (r.pos < end) {
    const start = r.pos;
    const b = r.byte();
    let value: string;
    if (b < 0x80) value = String(b);
    else if (b < 0xc0) value = latin1Of(r.take(b & 0x3f));
    else if (b < 0xe0) {
      const u = ((b & 0x1f) << 8) | r.byte();
      value = String(u >= 4096 ? u - 8192 : u);
    } else if (b < 0xf0) value = latin1Of(r.take(((b & 0x0f) << 8) | r.byte()));
    else if (b === 0xf0) value = latin1Of(r.take(r.uintLE(4)));
    else if (b >= 0xf1 && b <= 0xf3) value = String(r.intLE(b - 0xef));
    else if (b === 0xf4) value = String(r.intLE(8));
    else bad("listpack entry encoding");
    const l = r.pos - start;
    const n = backlenSize(l);
    if (r.pos + n > end) bad("listpack backlen");
    let back = 0;
    for (let i = 0; i < n; i++) back = back * 128 + (r.byte() & 127);
    if (back !== l) bad("listpack backlen");
    out.push(value);
  }
  if (r.pos !== end) bad("listpack end");
  if (count !== COUNT_UNKNOWN && count !== out.length) bad("listpack count");
  return out;
}
