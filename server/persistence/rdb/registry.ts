// The per-type halves of DUMP and RESTORE. Each data type registers one codec (types/*.ts):
// which values it writes and the RDB type bytes it reads. A new type (sorted sets, streams)
// adds a file in types/ and one import line in types/index.ts; nothing else changes.

import type { StoredValue } from "../../keyspace/database.js";
import type { EncodingLimits } from "../../keyspace/encoding-settings.js";
import type { ByteReader } from "./bytes-in.js";
import type { ByteWriter } from "./bytes-out.js";

/** RDB object types (rdb.h), as Redis 7.0 writes and reads them. */
export const RDB_TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
} as const;

export interface RdbCodec {
  /** TYPE's answer for the values this codec writes. */
  readonly type: string;
  /** The RDB types it loads. */
  readonly loads: readonly number[];
  /** True for the values it writes (the first codec whose accepts() is true writes a value). */
  accepts(value: StoredValue): boolean;
  /** Writes the RDB type byte, then the value's body. */
  write(w: ByteWriter, value: StoredValue, limits: EncodingLimits): void;
  /** Reads the body of a value of RDB type `rdbType`; throws BadData on malformed input (empty containers included). */
  read(r: ByteReader, rdbType: number): StoredValue;
}

const writers: RdbCodec[] = [];
const readers = new Map<number, RdbCodec>();

export function registerCodec(codec: RdbCodec): void {
  writers.push(codec);
  for (const t of codec.loads) readers.set(t, codec);
}

export function writerFor(value: StoredValue): RdbCodec | undefined {
  for (const c of writers) if (c.accepts(value)) return c;
  return undefined;
}

export function readerFor(rdbType: number): RdbCodec | undefined {
  return readers.get(rdbType);
}
