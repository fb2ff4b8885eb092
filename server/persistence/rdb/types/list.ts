// Lists: Redis 7.0 dumps its quicklist as RDB_TYPE_LIST_QUICKLIST_2, one listpack per node.
// keycast keeps a list in one deque, so the nodes are cut here the way Redis fills them when
// the list is built by appending (quicklist.c _quicklistNodeAllowInsert with
// list-max-listpack-size); a list Redis built by pushing at the head, or by inserting, has
// other node boundaries, the same elements. With list-compress-depth > 0 the inner nodes are
// LZF-compressed as Redis keeps them. Older payloads (quicklists of ziplists, 6.x and before)
// load too.

import { Deque } from "../../../keyspace/deque.js";
import type { StoredValue } from "../../../keyspace/database.js";
import type { EncodingLimits } from "../../../keyspace/encoding-settings.js";
import { bad, type ByteReader, latin1Of } from "../bytes-in.js";
import { ByteWriter } from "../bytes-out.js";
import { EMPTY_SIZE, entrySize, readListpack, writeListpack } from "../listpack.js";
import { lzfCompress } from "../lzf.js";
import { readBlob, readLen, readString, writeBlob, writeLen, writeLzfBlob, writeString } from "../rdb-strings.js";
import { registerCodec, RDB_TYPE } from "../registry.js";
import { readZiplist } from "../ziplist.js";

const NODE_PLAIN = 1;
const NODE_PACKED = 2;
/** quicklist.c optimization_level: the byte limits of fill -1..-5. */
const SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
/** Elements this long get a node of their own, stored plain (packed_threshold). */
const PACKED_THRESHOLD = 2 ** 30;
const FILL_MAX = 32767;
const MIN_COMPRESS_BYTES = 48;
const MIN_COMPRESS_IMPROVE = 8;

/** Redis's estimate of what one more entry adds to a node: the element's length plus this. */
const SIZE_ESTIMATE_OVERHEAD = 8;

/** _quicklistNodeAllowInsert: may a node of `bytes` bytes and `count` entries take an element of `len` bytes? */
function allowInsert(bytes: number, count: number, len: number, fill: number): boolean {
  const newSize = bytes + len + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) return newSize <= SIZE_LEVELS[-fill - 1]!;
  if (newSize > SIZE_SAFETY_LIMIT) return false;
  return count + 1 <= (fill === 0 ? 1 : fill);
}

interface Node {
  from: number;
  to: number;
  plain: boolean;
}

/** The node boundaries of a list appended element by element. */
function cutNodes(list: Deque, limits: EncodingLimits): Node[] {
  const fill = Math.max(-5, Math.min(FILL_MAX, limits.listFill));
  const nodes: Node[] = [];
  let node: Node | null = null;
  let bytes = 0;
  for (let i = 0; i < list.size; i++) {
    const s = list.at(i);
    if (s.length >= PACKED_THRESHOLD) {
      nodes.push({ from: i, to: i + 1, plain: true });
      node = null;
      continue;
    }
    if (node !== null && allowInsert(bytes, node.to - node.from, s.length, fill)) {
      node.to++;
      bytes += entrySize(s);
    } else {
      node = { from: i, to: i + 1, plain: false };
      nodes.push(node);
      bytes = EMPTY_SIZE + entrySize(s);
    }
  }
  return nodes;
}

const packed = new ByteWriter(8192);

function writeList(w: ByteWriter, list: Deque, limits: EncodingLimits): void {
  w.byte(RDB_TYPE.LIST_QUICKLIST_2);
  const nodes = cutNodes(list, limits);
  writeLen(w, nodes.length);
  const depth = limits.listCompressDepth;
  const compressInner = depth > 0 && nodes.length > depth * 2;
  for (let n = 0; n < nodes.length; n++) {
    const node = nodes[n]!;
    if (node.plain) {
      writeLen(w, NODE_PLAIN);
      writeString(w, list.at(node.from), limits.compress);
      continue;
    }
    writeLen(w, NODE_PACKED);
    packed.length = 0;
    writeListpack(packed, list.range(node.from, node.to - node.from));
    const lp = packed.view();
    if (compressInner && n >= depth && n < nodes.length - depth && lp.length >= MIN_COMPRESS_BYTES) {
      // __quicklistCompressNode: kept compressed only when it saves more than 8 bytes.
      const out = new Uint8Array(lp.length);
      const size = lzfCompress(lp, out);
      if (size !== 0 && size + MIN_COMPRESS_IMPROVE < lp.length) {
        writeLzfBlob(w, out.subarray(0, size), lp.length);
        continue;
      }
    }
    writeBlob(w, lp, limits.compress);
  }
}

function fromElements(parts: string[][]): Deque {
  let total = 0;
  for (const p of parts) total += p.length;
  if (total === 0) bad("empty list");
  const list = new Deque(total);
  for (const p of parts) for (const s of p) list.pushBack(s);
  return list;
}

function readList(r: ByteReader, rdbType: number): StoredValue {
  if (rdbType === RDB_TYPE.LIST) {
    const n = readLen(r);
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(readString(r));
    return fromElements([items]);
  }
  if (rdbType === RDB_TYPE.LIST_ZIPLIST) return fromElements([readZiplist(readBlob(r))]);
  const nodes = readLen(r);
  const parts: string[][] = [];
  for (let i = 0; i < nodes; i++) {
    if (rdbType === RDB_TYPE.LIST_QUICKLIST) {
      parts.push(readZiplist(readBlob(r)));
      continue;
    }
    const container = readLen(r);
    if (container === NODE_PLAIN) parts.push([latin1Of(readBlob(r))]);
    else if (container === NODE_PACKED) parts.push(readListpack(readBlob(r)));
    else bad("quicklist container");
  }
  return fromElements(parts);
}

registerCodec({
  type: "list",
  loads: [RDB_TYPE.LIST, RDB_TYPE.LIST_ZIPLIST, RDB_TYPE.LIST_QUICKLIST, RDB_TYPE.LIST_QUICKLIST_2],
  accepts: (v) => v instanceof Deque,
  write: (w, v, limits) => writeList(w, v as Deque, limits),
  read: readList,
});
