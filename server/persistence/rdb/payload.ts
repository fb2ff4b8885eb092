// DUMP payloads as Redis 7.0 makes them (cluster.c createDumpPayload / verifyDumpPayload): the
// value in RDB encoding, then the RDB version as 2 bytes little-endian (10 for 7.0), then the
// CRC-64 of everything before it, 8 bytes little-endian. RESTORE accepts any version up to
// 10, so payloads from older Redis versions load too.

import type { StoredValue } from "../../keyspace/database.js";
import type { EncodingLimits } from "../../keyspace/encoding-settings.js";
import { bufferToBytes } from "../../bytes.js";
import { BadData, ByteReader } from "./bytes-in.js";
import { ByteWriter } from "./bytes-out.js";
import { crc64Parts } from "./crc64.js";
import { readerFor, writerFor } from "./registry.js";
import "./types/index.js";

export const RDB_VERSION = 10;
const FOOTER = 10;

const out = new ByteWriter(4096);

/** The DUMP payload of a value, as a byte string; null for a type without a codec. */
export function dumpPayload(value: StoredValue, limits: EncodingLimits): string | null {
  const codec = writerFor(value);
  if (codec === undefined) return null;
  out.length = 0;
  codec.write(out, value, limits);
  out.uintLE(RDB_VERSION, 2);
  const [hi, lo] = crc64Parts(out.buf, 0, out.length);
  out.uintLE(lo, 4);
  out.uintLE(hi, 4);
  const s = bufferToBytes(out.view());
  // One large DUMP should not keep its buffer for the life of the server.
  if (out.buf.length > 1 << 20) out.buf = new Uint8Array(4096);
  return s;
}

/** verifyDumpPayload: long enough, a version this server reads, and the checksum right. */
export function verifyPayload(bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (n < FOOTER) return false;
  const version = bytes[n - 10]! | (bytes[n - 9]! << 8);
  if (version > RDB_VERSION) return false;
  const [hi, lo] = crc64Parts(bytes, 0, n - 8);
  const v = new DataView(bytes.buffer, bytes.byteOffset + n - 8, 8);
  return v.getUint32(0, true) === lo && v.getUint32(4, true) === hi;
}

/** The value in a verified payload, or null when it is not a well-formed value ("Bad data format"). */
export function loadPayload(bytes: Uint8Array): StoredValue | null {
  // Redis reads the value from the whole payload: a value cut short runs on into the footer.
  const r = new ByteReader(bytes);
  try {
    const type = r.byte();
    const codec = readerFor(type);
    if (codec === undefined) return null;
    return codec.read(r, type);
  } catch (e) {
    if (e instanceof BadData) return null;
    throw e;
  }
}
