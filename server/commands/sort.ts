// SORT and SORT_RO (sort.c). Elements are sorted by their value as a double (strtod, ties
// broken bytewise), or bytewise with ALPHA; BY takes the weight from another key (a `*` in
// the pattern is replaced by the element, `->field` reads a hash field), and a BY pattern
// without `*` means no sorting. GET projects each element through patterns (`#` is the
// element itself). The server runs in the C locale, so ALPHA's strcoll is a byte compare.
import type { sortCommands } from "../../shared/commands/sort.js";
import { isOption, toInt64 } from "../args.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { CommandError, NOT_INTEGER, syntaxError, WRONGTYPE } from "../errors.js";
import type { Database, StoredValue } from "../keyspace/database.js";
import { Deque } from "../keyspace/deque.js";
import { HashValue } from "../keyspace/hash.js";
import { SetValue } from "../keyspace/set.js";
import type { Reply } from "../reply.js";

/** The elements of a sortable value: ordered (lists, sorted sets: "no sort" keeps that order) or not. */
export interface Sortable {
  readonly ordered: boolean;
  readonly elements: string[];
}

/**
 * How each sortable type gives up its elements. Lists and sets are here; the sorted-set
 * module adds itself with registerSortable (elements in rank order, ordered: true).
 */
const sortables: ((v: StoredValue) => Sortable | null)[] = [
  (v) => (v instanceof Deque ? { ordered: true, elements: v.toArray() } : null),
  (v) => (v instanceof SetValue ? { ordered: false, elements: v.toArray() } : null),
];

export function registerSortable(read: (v: StoredValue) => Sortable | null): void {
  sortables.push(read);
}

function sortableOf(v: StoredValue): Sortable {
  if (typeof v !== "string") {
    for (const read of sortables) {
      const s = read(v);
      if (s !== null) return s;
    }
  }
  throw new CommandError(WRONGTYPE);
}

/** A byte string as C sees it: up to the first NUL. */
function cString(s: string): string {
  const z = s.indexOf("\0");
  return z < 0 ? s : s.slice(0, z);
}

/** lookupKeyByPattern: `#` is the element; else the string at the substituted key, or the hash field after `->`. */
function lookupByPattern(db: Database, pattern: string, element: string): string | null {
  const spat = cString(pattern);
  if (spat === "#") return element;
  const star = spat.indexOf("*");
  if (star < 0) return null;
  const arrow = spat.indexOf("->", star + 1);
  const field = arrow >= 0 && arrow + 2 < spat.length ? pattern.slice(arrow + 2) : null;
  const postfixEnd = field !== null ? arrow : pattern.length;
  const key = pattern.slice(0, star) + element + pattern.slice(star + 1, postfixEnd);
  const v = db.lookup(key);
  if (v === undefined) return null;
  if (field !== null) return v instanceof HashValue ? (v.get(field) ?? null) : null;
  return typeof v === "string" ? v : null;
}

const STRTOD = /^[ \t\n\v\f\r]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan(?:\([0-9a-z_]*\))?|0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?)$/i;
const MIN_NORMAL = 2.2250738585072014e-308;

/** strtod over the whole (C) string, with Redis's checks: NaN and ERANGE are errors. null = error. */
function sortScore(raw: string): number | null {
  const s = cString(raw);
  if (!STRTOD.test(s)) return null;
  const t = s.trim().toLowerCase();
  const neg = t.startsWith("-");
  const body = t.replace(/^[+-]/, "");
  if (body.startsWith("nan")) return null;
  if (body.startsWith("inf")) return neg ? -Infinity : Infinity;
  let v: number;
  if (body.startsWith("0x")) v = parseHexFloat(body.slice(2));
  else v = Number(body);
  if (!Number.isFinite(v)) return null;
  // Underflow to zero or to a denormal sets ERANGE too.
  if (v !== 0 && Math.abs(v) < MIN_NORMAL) return null;
  if (v === 0 && /[1-9a-f]/.test(body.replace(/^0x/, "").replace(/[ep][+-]?[0-9]+$/, ""))) return null;
  return neg ? -v : v;
}

function parseHexFloat(h: string): number {
  const m = /^([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?[0-9]+))?$/.exec(h)!;
  const digits = m[1]! + m[2]!;
  let v = 0;
  for (const d of digits) v = v * 16 + parseInt(d, 16);
  return v * 2 ** (Number(m[3] ?? 0) - 4 * m[2]!.length);
}

function bytewise(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcmp in the C locale: bytes up to the first NUL. */
function strcoll(a: string, b: string): number {
  return bytewise(cString(a), cString(b));
}

interface Item {
  element: string;
  score: number;
  /** The BY value for ALPHA, null when the BY key is missing. */
  by: string | null;
}

function sortGeneric(ctx: Context, argv: string[], readonly: boolean): Reply {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let store: string | null = null;
  let by: string | null = null;
  let dontsort = false;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j]!;
    const left = argv.length - j - 1;
    if (isOption(opt, "ASC")) desc = false;
    else if (isOption(opt, "DESC")) desc = true;
    else if (isOption(opt, "ALPHA")) alpha = true;
    else if (isOption(opt, "LIMIT") && left >= 2) {
      const a = toInt64(argv[j + 1]!);
      const b = toInt64(argv[j + 2]!);
      if (a === null || b === null) throw new CommandError(NOT_INTEGER);
      limitStart = Number(a);
      limitCount = Number(b);
      j += 2;
    } else if (!readonly && isOption(opt, "STORE") && left >= 1) store = argv[++j]!;
    else if (isOption(opt, "BY") && left >= 1) {
      by = argv[++j]!;
      if (!cString(by).includes("*")) dontsort = true;
    } else if (isOption(opt, "GET") && left >= 1) gets.push(argv[++j]!);
    else syntaxError();
  }
  const db = ctx.db;
  const value = db.lookup(argv[1]!);
  const source: Sortable = value === undefined ? { ordered: true, elements: [] } : sortableOf(value);
  // A set has no order of its own: stored or scripted results must be reproducible, so sort.
  if (dontsort && !source.ordered && store !== null) {
    dontsort = false;
    alpha = true;
    by = null;
  }
  const n = source.elements.length;
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? n - 1 : start + limitCount - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  let out: string[];
  if (dontsort) {
    const els = source.ordered && desc ? source.elements.reverse() : source.elements;
    out = end >= start ? els.slice(start, end + 1) : [];
  } else {
    const items: Item[] = new Array(n);
    let conversionError = false;
    for (let i = 0; i < n; i++) {
      const element = source.elements[i]!;
      const item: Item = { element, score: 0, by: null };
      const weight = by !== null ? lookupByPattern(db, by, element) : element;
      if (weight !== null) {
        if (alpha) item.by = weight;
        else {
          const s = sortScore(weight);
          if (s === null) conversionError = true;
          else item.score = s;
        }
      }
      items[i] = item;
    }
    if (conversionError) throw new CommandError("ERR One or more scores can't be converted into double");
    const sign = desc ? -1 : 1;
    const byPattern = by !== null;
    const stored = store !== null;
    items.sort((a, b) => {
      let cmp: number;
      if (!alpha) cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : bytewise(a.element, b.element);
      else if (byPattern) {
        if (a.by === null || b.by === null) cmp = a.by === b.by ? 0 : a.by === null ? -1 : 1;
        else cmp = stored ? bytewise(a.by, b.by) : strcoll(a.by, b.by);
      } else cmp = stored ? bytewise(a.element, b.element) : strcoll(a.element, b.element);
      return sign * cmp;
    });
    out = [];
    for (let i = start; i <= end; i++) out.push(items[i]!.element);
  }
  if (store === null) {
    if (gets.length === 0) return out;
    const reply: (string | null)[] = [];
    for (const e of out) for (const g of gets) reply.push(lookupByPattern(db, g, e));
    return reply;
  }
  const list = new Deque(out.length * Math.max(1, gets.length));
  for (const e of out) {
    if (gets.length === 0) list.pushBack(e);
    else for (const g of gets) list.pushBack(lookupByPattern(db, g, e) ?? "");
  }
  if (list.size !== 0) {
    db.set(store, list);
    ctx.notify("sortstore", store);
  } else if (db.delete(store)) ctx.notify("del", store);
  return list.size;
}

export const sort: Implementations<typeof sortCommands> = {
  sort: (ctx, argv) => sortGeneric(ctx, argv, false),
  sort_ro: (ctx, argv) => sortGeneric(ctx, argv, true),
};
