// Sets: Redis 7.0 keeps a set of integers up to set-max-intset-entries as an intset
// (RDB_TYPE_SET_INTSET, members sorted) and any other set as a hashtable (RDB_TYPE_SET, in
// the table's order, which differs between two servers anyway). 7.0 has no set listpack.

import { toInt64 } from "../../../args.js";
import type { StoredValue } from "../../../keyspace/database.js";
import { SetValue } from "../../../keyspace/set.js";
import { bad, type ByteReader } from "../bytes-in.js";
import { ByteWriter } from "../bytes-out.js";
import { readIntset, writeIntset } from "../intset.js";
import { readBlob, readLen, readString, writeBlob, writeLen, writeString } from "../rdb-strings.js";
import { registerCodec, RDB_TYPE } from "../registry.js";

/** The members as integers when the set is an intset in Redis 7.0, else null. */
export function intsetMembers(members: readonly string[], maxEntries: number): (number | bigint)[] | null {
  if (members.length > maxEntries) return null;
  const out: (number | bigint)[] = [];
  for (const m of members) {
    const v = toInt64(m);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

const blob = new ByteWriter(1024);

function fromMembers(members: string[]): SetValue {
  if (members.length === 0) bad("empty set");
  const set = new SetValue();
  for (const m of members) if (!set.add(m)) bad("duplicate set members");
  return set;
}

registerCodec({
  type: "set",
  loads: [RDB_TYPE.SET, RDB_TYPE.SET_INTSET],
  accepts: (v) => v instanceof SetValue,
  write(w, v, limits) {
    const members = (v as SetValue).view();
    const ints = intsetMembers(members, limits.intsetEntries);
    if (ints !== null) {
      w.byte(RDB_TYPE.SET_INTSET);
      blob.length = 0;
      writeIntset(blob, ints);
      writeBlob(w, blob.view(), limits.compress);
      return;
    }
    w.byte(RDB_TYPE.SET);
    writeLen(w, members.length);
    for (const m of members) writeString(w, m, limits.compress);
  },
  read(r: ByteReader, rdbType: number): StoredValue {
    if (rdbType === RDB_TYPE.SET_INTSET) return fromMembers(readIntset(readBlob(r)));
    const n = readLen(r);
    const members: string[] = [];
    for (let i = 0; i < n; i++) members.push(readString(r));
    return fromMembers(members);
  },
});
