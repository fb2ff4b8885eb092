// zset-max-listpack-entries / zset-max-listpack-value and their Redis 6 names
// (zset-max-ziplist-*): when Redis 7.0 would keep a sorted set as a listpack. keycast stores
// every sorted set the same way; the settings decide what OBJECT ENCODING says, ZSCAN's
// paging (a listpack answers whole) and that a listpack stores -0 as 0, as Redis's does.

import { configOf, defineSetting, integerSetting, memorySetting, type Setting } from "../config.js";
import type { ServerState } from "../state.js";

export const ZSET_MAX_LISTPACK_ENTRIES = integerSetting(
  "zset-max-listpack-entries",
  128,
  0,
  Number.MAX_SAFE_INTEGER,
  "sorted sets up to this many members report the listpack encoding (Redis's threshold)",
);
export const ZSET_MAX_LISTPACK_VALUE = memorySetting("zset-max-listpack-value", 64, 0, "sorted sets whose members are all at most this many bytes report the listpack encoding");

/** An old name of a setting: reads and writes go to the setting itself. */
function alias(name: string, of: Setting<number>): Setting<number> {
  return defineSetting<number>({
    name,
    defaultValue: of.defaultValue,
    help: `alias of ${of.name}`,
    parse: of.parse,
    format: of.format,
    read: (state) => configOf(state).get(of),
    apply: (state, v) => configOf(state).set(of, v),
  });
}
alias("zset-max-ziplist-entries", ZSET_MAX_LISTPACK_ENTRIES);
alias("zset-max-ziplist-value", ZSET_MAX_LISTPACK_VALUE);

export function listpackEntries(state: ServerState): number {
  return configOf(state).get(ZSET_MAX_LISTPACK_ENTRIES);
}

export function listpackValue(state: ServerState): number {
  return configOf(state).get(ZSET_MAX_LISTPACK_VALUE);
}
