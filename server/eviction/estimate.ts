// What a key costs in memory, estimated from its sizes. The constants were measured on Node 20
// (x64, V8 without pointer compression) by running SET/RPUSH/SADD/HSET for 5,000 to 100,000
// keys of each shape and reading the heap growth per key after a full GC (docs/operations.md,
// "Memory accounting"):
//   a flat one-byte string        16 bytes of header + its bytes, rounded up to 8
//   a key's slot in the keyspace  ~48 bytes (Map entry at V8's load factor)
//   a list (ring buffer)          ~100 bytes + per element its string + ~20 bytes of slot
//   a set (array + index Map)     ~210 bytes + per member its string + ~60 bytes
//   a hash (2 arrays + index Map) ~245 bytes + per field its two strings + ~76 bytes
//   a TTL (expires entry ~42 bytes of heap, its deadline table slot ~22 bytes of typed arrays)
//                                 ~64 bytes
// Containers bigger than SAMPLE_ALL elements are estimated from evenly spaced samples, as
// Redis's MEMORY USAGE samples 5.

import type { StoredValue } from "../keyspace/database.js";
import { Deque } from "../keyspace/deque.js";
import { HashValue } from "../keyspace/hash.js";
import { SetValue } from "../keyspace/set.js";
import { sampledBytes as sampled, stringBytes, valueTypeOf } from "../keyspace/value-types.js";

export const ENTRY_BYTES = 48;
export const TTL_BYTES = 64;
/** What maxmemory's own bookkeeping costs per key (its KeyTable slot: index entry, size, clock). */
export const GUARD_BYTES = 64;
const LIST_BASE = 100;
const LIST_SLOT = 20;
const SET_BASE = 210;
const SET_SLOT = 60;
const HASH_BASE = 245;
const HASH_SLOT = 76;

export { stringBytes };

/** Estimated bytes of one value (not its key). */
export function valueBytes(v: StoredValue): number {
  if (typeof v === "string") return stringBytes(v.length);
  if (v instanceof Deque) return LIST_BASE + sampled(v.size, (i) => stringBytes(v.at(i).length) + LIST_SLOT);
  if (v instanceof SetValue) return SET_BASE + sampled(v.size, (i) => stringBytes(v.at(i).length) + SET_SLOT);
  if (v instanceof HashValue) return HASH_BASE + sampled(v.size, (i) => stringBytes(v.fieldAt(i).length) + stringBytes(v.valueAt(i).length) + HASH_SLOT);
  const type = valueTypeOf(v);
  if (type !== undefined) return type.bytes(v);
  // A container without a registered ValueType: a rough per-element cost.
  return 300 + v.size * 64;
}

/** Estimated bytes of a key with its value and TTL. */
export function keyBytes(key: string, v: StoredValue, hasTtl: boolean): number {
  return ENTRY_BYTES + stringBytes(key.length) + valueBytes(v) + (hasTtl ? TTL_BYTES : 0);
}
