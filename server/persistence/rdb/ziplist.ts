// Ziplists (Redis's ziplist.c), read only: Redis 6.2 and older dump small lists, hashes and
// sorted sets in this format, and 7.0 still loads them, so RESTORE of an older payload works.
// Layout: 4-byte total, 4-byte tail offset, 2-byte count, entries, 0xFF; an entry is the
// previous entry's length (1 byte, or 0xFE and 4 bytes), its encoding, its data.

import { bad, ByteReader, latin1Of } from "./bytes-in.js";

export function readZiplist(bytes: Uint8Array): string[] {
  if (bytes.length < 11) bad("ziplist too short");
  const r = new ByteReader(bytes);
  const total = r.uintLE(4);
  r.uintLE(4);
  const count = r.uintLE(2);
  if (total !== bytes.length || bytes[total - 1] !== 0xff) bad("ziplist length");
  const end = total - 1;
  const out: string[] = [];
  let prevLen = 0;
  while (r.pos < end) {
    const start = r.pos;
    let p = r.byte();
    if (p === 0xfe) p = r.uintLE(4);
    else if (p === 0xff) bad("ziplist prevlen");
    if (p !== prevLen) bad("ziplist prevlen");
    const e = r.byte();
    let value: string;
    const kind = e >> 6;
    if (kind === 0) value = latin1Of(r.take(e & 0x3f));
    else if (kind === 1) value = latin1Of(r.take(((e & 0x3f) << 8) | r.byte()));
    else if (kind === 2) {
      if (e !== 0x80) bad("ziplist encoding");
      value = latin1Of(r.take(r.uintBE(4)));
    } else if (e === 0xc0) value = String(r.intLE(2));
    else if (e === 0xd0) value = String(r.intLE(4));
    else if (e === 0xe0) value = String(r.intLE(8));
    else if (e === 0xf0) value = String(r.intLE(3));
    else if (e === 0xfe) value = String(r.intLE(1));
    else if (e >= 0xf1 && e <= 0xfd) value = String((e & 0x0f) - 1);
    else bad("ziplist encoding");
    prevLen = r.pos - start;
    out.push(value);
  }
  if (count !== 65535 && count !== out.length) bad("ziplist count");
  return out;
}
