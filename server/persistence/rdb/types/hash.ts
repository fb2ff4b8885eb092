// Hashes: up to hash-max-listpack-entries fields, each field and value at most
// hash-max-listpack-value bytes, Redis 7.0 keeps a listpack (RDB_TYPE_HASH_LISTPACK: field,
// value, ... in insertion order); past that a hashtable (RDB_TYPE_HASH). keycast's hash keeps
// insertion order until a field is deleted (the last field takes its place), so the listpack
// of a hash that lost fields lists them in another order than Redis's.

import type { StoredValue } from "../../../keyspace/database.js";
import type { EncodingLimits } from "../../../keyspace/encoding-settings.js";
import { HashValue } from "../../../keyspace/hash.js";
import { bad, type ByteReader } from "../bytes-in.js";
import { ByteWriter } from "../bytes-out.js";
import { readListpack, writeListpack } from "../listpack.js";
import { readBlob, readLen, readString, writeBlob, writeLen, writeString } from "../rdb-strings.js";
import { registerCodec, RDB_TYPE } from "../registry.js";
import { readZiplist } from "../ziplist.js";

/** True when Redis 7.0 keeps this hash as a listpack. */
export function hashIsListpack(hash: HashValue, limits: EncodingLimits): boolean {
  const n = hash.size;
  if (n > limits.hashEntries) return false;
  const max = limits.hashValue;
  for (let i = 0; i < n; i++) if (hash.fieldAt(i).length > max || hash.valueAt(i).length > max) return false;
  return true;
}

const blob = new ByteWriter(1024);

function fromPairs(flat: string[]): HashValue {
  if (flat.length === 0) bad("empty hash");
  if (flat.length % 2 !== 0) bad("odd hash listpack");
  const hash = new HashValue();
  for (let i = 0; i < flat.length; i += 2) if (!hash.set(flat[i]!, flat[i + 1]!)) bad("duplicate hash field");
  return hash;
}

registerCodec({
  type: "hash",
  loads: [RDB_TYPE.HASH, RDB_TYPE.HASH_ZIPLIST, RDB_TYPE.HASH_LISTPACK],
  accepts: (v) => v instanceof HashValue,
  write(w, v, limits) {
    const hash = v as HashValue;
    const n = hash.size;
    if (hashIsListpack(hash, limits)) {
      w.byte(RDB_TYPE.HASH_LISTPACK);
      const flat: string[] = new Array(n * 2);
      for (let i = 0; i < n; i++) {
        flat[2 * i] = hash.fieldAt(i);
        flat[2 * i + 1] = hash.valueAt(i);
      }
      blob.length = 0;
      writeListpack(blob, flat);
      writeBlob(w, blob.view(), limits.compress);
      return;
    }
    w.byte(RDB_TYPE.HASH);
    writeLen(w, n);
    for (let i = 0; i < n; i++) {
      writeString(w, hash.fieldAt(i), limits.compress);
      writeString(w, hash.valueAt(i), limits.compress);
    }
  },
  read(r: ByteReader, rdbType: number): StoredValue {
    if (rdbType === RDB_TYPE.HASH_LISTPACK) return fromPairs(readListpack(readBlob(r)));
    if (rdbType === RDB_TYPE.HASH_ZIPLIST) return fromPairs(readZiplist(readBlob(r)));
    const n = readLen(r);
    const flat: string[] = [];
    for (let i = 0; i < n; i++) flat.push(readString(r), readString(r));
    return fromPairs(flat);
  },
});
