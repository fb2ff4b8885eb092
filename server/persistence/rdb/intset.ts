// Intsets (Redis's intset.c): a set of integers as one sorted array of 16, 32 or 64-bit
// little-endian values, the width the largest magnitude needs. Sets of integers up to
// set-max-intset-entries are stored so.

import { ByteWriter } from "./bytes-out.js";
import { bad, ByteReader } from "./bytes-in.js";

function widthOf(v: number | bigint): number {
  if (typeof v === "bigint") return 8;
  if (v >= -32768 && v <= 32767) return 2;
  if (v >= -2147483648 && v <= 2147483647) return 4;
  return 8;
}

function compare(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The intset of the given integers (distinct), written into w. */
export function writeIntset(w: ByteWriter, values: (number | bigint)[]): void {
  values.sort(compare);
  let width = 2;
  for (const v of values) width = Math.max(width, widthOf(v));
  w.uintLE(width, 4);
  w.uintLE(values.length, 4);
  for (const v of values) {
    if (width === 8) w.int64LE(v);
    else {
      const n = v as number;
      w.uintLE(n < 0 ? n + 2 ** (8 * width) : n, width);
    }
  }
}

/** The members of an intset, checked sorted and distinct. */
export function readIntset(bytes: Uint8Array): string[] {
  const r = new ByteReader(bytes);
  const width = r.uintLE(4);
  const count = r.uintLE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || count * width !== r.remaining) bad("intset header");
  const out: string[] = [];
  let prev: number | bigint | undefined;
  for (let i = 0; i < count; i++) {
    const v = r.intLE(width);
    if (prev !== undefined && !(prev < v)) bad("intset order");
    prev = v;
    out.push(String(v));
  }
  return out;
}
