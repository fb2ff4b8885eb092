// Redis 7.0's encoding thresholds (list-max-listpack-size, hash-max-listpack-*, ...), with
// their 6.x "ziplist" aliases. keycast's containers have one layout whatever their size, but
// what a client can see follows these settings as in Redis: OBJECT ENCODING, and the shape of
// a DUMP payload (listpack or hashtable, how a list is cut into quicklist nodes).

import { aliasSetting, configOf, integerSetting, memorySetting, yesNoSetting } from "../config.js";
import type { ServerState } from "../state.js";

const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** Per quicklist node: a positive count of entries, or -1..-5 for 4..64 KB. */
export const LIST_MAX_LISTPACK_SIZE = integerSetting("list-max-listpack-size", -2, -INT_MAX - 1, INT_MAX, "quicklist node size: entries (> 0) or -1..-5 for 4 KB..64 KB");
aliasSetting("list-max-ziplist-size", LIST_MAX_LISTPACK_SIZE);
/** Quicklist nodes left uncompressed at each end (0: none compressed). */
export const LIST_COMPRESS_DEPTH = integerSetting("list-compress-depth", 0, 0, INT_MAX, "quicklist nodes kept uncompressed at each end of a list (0: no compression)");
export const HASH_MAX_LISTPACK_ENTRIES = integerSetting("hash-max-listpack-entries", 512, 0, LONG_MAX, "hashes up to this many fields are listpacks");
aliasSetting("hash-max-ziplist-entries", HASH_MAX_LISTPACK_ENTRIES);
export const HASH_MAX_LISTPACK_VALUE = memorySetting("hash-max-listpack-value", 64, 0, "hashes whose fields and values are all this short are listpacks");
aliasSetting("hash-max-ziplist-value", HASH_MAX_LISTPACK_VALUE);
export const SET_MAX_INTSET_ENTRIES = integerSetting("set-max-intset-entries", 512, 0, LONG_MAX, "sets of integers up to this size are intsets");
/** RDB and DUMP compress strings longer than 20 bytes with LZF. */
export const RDBCOMPRESSION = yesNoSetting("rdbcompression", true, "LZF-compress strings longer than 20 bytes in DUMP payloads");

/** The thresholds a DUMP or OBJECT ENCODING reads, in one object per call. */
export interface EncodingLimits {
  listFill: number;
  listCompressDepth: number;
  hashEntries: number;
  hashValue: number;
  intsetEntries: number;
  compress: boolean;
}

export const DEFAULT_LIMITS: EncodingLimits = {
  listFill: -2,
  listCompressDepth: 0,
  hashEntries: 512,
  hashValue: 64,
  intsetEntries: 512,
  compress: true,
};

export function encodingLimits(state: ServerState): EncodingLimits {
  const c = configOf(state);
  return {
    listFill: c.get(LIST_MAX_LISTPACK_SIZE),
    listCompressDepth: c.get(LIST_COMPRESS_DEPTH),
    hashEntries: c.get(HASH_MAX_LISTPACK_ENTRIES),
    hashValue: c.get(HASH_MAX_LISTPACK_VALUE),
    intsetEntries: c.get(SET_MAX_INTSET_ENTRIES),
    compress: c.get(RDBCOMPRESSION),
  };
}
