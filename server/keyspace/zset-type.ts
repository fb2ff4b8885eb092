// How a snapshot stores a sorted set and what one costs in memory (keyspace/value-types.ts).
// The body: the encoding OBJECT ENCODING shows (0 listpack, 1 skiplist: Redis never converts
// back, so it is kept), the count, then each member and its score as a double, in rank order,
// so that loading builds the tree bottom-up in O(n).

import { registerValueType, sampledBytes, stringBytes } from "./value-types.js";
import { ZSetValue } from "./zset.js";

/** Per member beyond its string: its map entry and its slot in a tree leaf (a rough figure, not yet measured). */
const MEMBER_BYTES = 72;
const BASE_BYTES = 200;

export const zsetType = registerValueType<ZSetValue>({
  name: "zset",
  op: 0x06,
  write(z, out) {
    const n = z.size;
    out.u8(z.encoding === "skiplist" ? 1 : 0);
    out.varint(n);
    const cursor = z.cursorAt(0);
    for (let i = 0; i < n; i++, cursor.next()) {
      out.bytes(cursor.member);
      out.f64(cursor.score);
    }
  },
  read(input) {
    const encoding = input.u8();
    if (encoding > 1) throw new Error(`unknown sorted set encoding ${encoding}`);
    const n = input.varint();
    if (n > input.remaining) throw new Error(`a count of ${n} members runs past the end`);
    const members: string[] = new Array(n);
    const scores: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      members[i] = input.bytes();
      scores[i] = input.f64();
      if (i > 0 && !(scores[i - 1]! < scores[i]! || (scores[i - 1] === scores[i] && members[i - 1]! < members[i]!))) {
        throw new Error("members are not in rank order");
      }
    }
    const z = new ZSetValue(encoding === 1 ? "skiplist" : "listpack");
    z.buildFrom(members, scores);
    return z;
  },
  bytes(z) {
    return BASE_BYTES + sampledBytes(z.size, (i) => stringBytes(z.memberAt(i).length) + MEMBER_BYTES);
  },
});
