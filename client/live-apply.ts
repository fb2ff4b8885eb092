// The live mirror's per-key state and how each keyspace event's delta changes it. Pure: no
// connection, no timers, so that every delta can be tested against a model. Inside, every
// word is a JS string: the text itself for a text view, one char per byte (latin1) for a
// bytes view, so sets, hashes and sorted sets compare and dedupe by content in both.

/** A result of applying an event: bit 1 the key changed, bit 2 it must be read again. */
export const CHANGED = 1;
export const REREAD = 2;

export type ZsetState = { order: string[]; score: Map<string, number> };
export type StreamState = { entries: [id: string, fields: string[]][]; cut: boolean };

/** One key as the mirror holds it. `exp`: its deadline (client clock, ms) or null. */
export type Cell = (
  | { t: "string"; v: string }
  | { t: "list"; v: string[] }
  | { t: "set"; v: Set<string> }
  | { t: "hash"; v: Map<string, string> }
  | { t: "zset"; v: ZsetState }
  | { t: "stream"; v: StreamState }
  | { t: "other"; v: unknown; type: string }
) & { exp: number | null };

/** A word of a delta or snapshot as an internal string; null when it is not a word. */
export type Codec = (x: unknown) => string | null;

/** Per-element overhead counted towards a view's byte bound. */
const OVERHEAD = 16;

export const textCodec: Codec = (x) => (typeof x === "string" ? x : typeof x === "number" ? String(x) : null);

export const bytesCodec: Codec = (x) => {
  if (!(x instanceof Uint8Array)) return textCodec(x);
  let s = "";
  for (let i = 0; i < x.length; i += 8192) s += String.fromCharCode.apply(null, x.subarray(i, i + 8192) as unknown as number[]);
  return s;
};

export function latin1Bytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/**
 * Redis's order for members: bytewise. For text that is code point order (UTF-8 keeps it),
 * which differs from JS's `<` (UTF-16 units) only past U+FFFF; for latin1 strings it is `<`.
 */
export function compareWords(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (U+10000 and up) sort after U+E000..U+FFFF in code point order.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** A score as Redis writes it ("1.5", "inf", "-inf") or as a number; NaN when neither. */
export function parseScore(x: unknown): number {
  if (typeof x === "number") return x;
  if (typeof x !== "string") return NaN;
  const l = x.toLowerCase();
  if (l === "inf" || l === "+inf") return Infinity;
  if (l === "-inf") return -Infinity;
  return x.trim() === "" ? NaN : Number(x);
}

/** Thrown where a delta does not fit the cell: the key is read again. */
const DRIFT = 0;

function words(cx: Codec, x: unknown): string[] {
  if (!Array.isArray(x)) throw DRIFT;
  return x.map((e) => cx(e) ?? fail());
}

function fail(): never {
  throw DRIFT;
}

/** Bytes a cell holds, approximately: its words plus a fixed overhead per element. */
export function weigh(c: Cell): number {
  let n = OVERHEAD;
  const add = (w: string) => (n += w.length + OVERHEAD);
  switch (c.t) {
    case "string":
      add(c.v);
      break;
    case "list":
    case "set":
      c.v.forEach(add);
      break;
    case "hash":
      c.v.forEach((v, f) => add(f + v));
      break;
    case "zset":
      c.v.order.forEach(add);
      break;
    case "stream":
      for (const [id, f] of c.v.entries) add(id), f.forEach(add);
  }
  return n;
}

/** Position of (score, member) in a sorted set's order: the first index not before it. */
function zpos(z: ZsetState, score: number, member: string): number {
  let lo = 0;
  let hi = z.order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = z.order[mid]!;
    const s = z.score.get(m)!;
    if (s < score || (s === score && compareWords(m, member) < 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function zremove(z: ZsetState, member: string): boolean {
  const s = z.score.get(member);
  if (s === undefined) return false;
  const i = zpos(z, s, member);
  if (z.order[i] !== member) return false;
  z.order.splice(i, 1);
  z.score.delete(member);
  return true;
}

/**
 * Builds a cell from a snapshot entry by applying it as the events that would create it
 * (one code path for both); null when the value is not of the shape its type has.
 */
export function cellFromSnapshot(cx: Codec, keyType: string, value: unknown, pttl: number, now: number, limit: number): Cell | null {
  const one = new Map<string, Cell>();
  const exp = pttl >= 0 ? now + pttl : null;
  let ok = true;
  const add = (event: string, delta: unknown) => (ok = ok && applyEvent(one, "", event, delta, cx, limit) === CHANGED);
  const list = Array.isArray(value) ? value : [];
  if (keyType === "string") add("set", value);
  else if (keyType === "list") add("rpush", value);
  else if (keyType === "set") add("sadd", value);
  else if (keyType === "hash") {
    const flat: unknown[] = [];
    for (const [f, v] of value instanceof Map ? value : Object.entries(value ?? 0)) flat.push(f, v);
    add("hset", flat);
  } else if (keyType === "zset") {
    // Members with scores in rank order: [[member, score], ...] or flat [member, score, ...].
    const nested = Array.isArray(list[0]);
    const triples: unknown[] = [];
    for (let i = 0; i < list.length; i += nested ? 1 : 2) {
      const p = nested ? (list[i] as unknown[]) : list.slice(i, i + 2);
      triples.push(p[0], p[1], triples.length / 3);
    }
    add("zadd", triples);
  } else if (keyType === "stream") for (const e of list) add("xadd", e);
  else return { t: "other", v: value, type: keyType, exp };
  const c = one.get("") ?? (keyType === "stream" && list.length === 0 ? { t: "stream", v: { entries: [], cut: false }, exp: null } : undefined);
  if (!ok || c === undefined) return null;
  c.exp = exp;
  return c;
}

/** Events that change nothing a view shows (consumer groups live beside a stream's entries). */
const NO_CHANGE = new Set(["new", "xgroup-create", "xgroup-createconsumer", "xgroup-delconsumer", "xgroup-destroy", "xgroup-setid", "xsetid", "xclaim", "xautoclaim"]);

/**
 * Applies one event's delta to `cells`. Returns CHANGED and/or REREAD (0: nothing to do).
 * REREAD means the delta cannot be applied exactly; the cell may have been left as is or
 * changed in part, and the caller replaces it with a fresh read.
 */
export function applyEvent(cells: Map<string, Cell>, key: string, event: string, delta: unknown, cx: Codec, limit: number): number {
  try {
    return apply(cells, key, event, delta, cx, limit);
  } catch {
    return REREAD;
  }
}

/** The cell of `key` if it has type `t`; a new one if there is none and `create`; else drift. */
function cellOf<T extends Cell["t"]>(cells: Map<string, Cell>, key: string, t: T, create?: Extract<Cell, { t: T }>["v"]): Extract<Cell, { t: T }> {
  let c = cells.get(key);
  if (c === undefined && create !== undefined) cells.set(key, (c = { t, v: create, exp: null } as Cell));
  return c?.t === t ? (c as Extract<Cell, { t: T }>) : fail();
}

function apply(cells: Map<string, Cell>, key: string, event: string, delta: unknown, cx: Codec, limit: number): number {
  const c = cells.get(key);
  const d = Array.isArray(delta) ? delta : [];
  switch (event) {
    case "del":
    case "expired":
    case "evicted":
    case "rename_from":
    case "move_from":
      return cells.delete(key) ? CHANGED : 0;
    case "persist":
      if (c!.exp === null) return 0;
      c!.exp = null;
      return CHANGED;
    case "set":
    case "incrby":
    case "incrbyfloat": {
      // INCRBY keeps a TTL. SET drops it unless KEEPTTL, which the event does not tell: read the TTL again.
      if (event !== "set" && c !== undefined) cellOf(cells, key, "string");
      const exp = c?.exp ?? null;
      cells.set(key, { t: "string", v: cx(delta) ?? fail(), exp });
      return event === "set" && exp !== null ? CHANGED | REREAD : CHANGED;
    }
    case "append":
      cellOf(cells, key, "string", "").v += cx(delta) ?? fail();
      return CHANGED;
    case "lpush":
    case "rpush": {
      const l = cellOf(cells, key, "list", []);
      const ws = words(cx, delta);
      // LPUSH k a b c leaves c b a at the head.
      l.v = event === "lpush" ? ws.reverse().concat(l.v) : l.v.concat(ws);
      return CHANGED;
    }
    case "lpop":
    case "rpop": {
      const l = cellOf(cells, key, "list");
      const ws = words(cx, delta);
      const head = event === "lpop";
      ws.forEach((w, i) => l.v[head ? i : l.v.length - 1 - i] !== w && fail());
      if (head) l.v.splice(0, ws.length);
      else l.v.length -= ws.length;
      return CHANGED;
    }
    case "ltrim": {
      const l = cellOf(cells, key, "list");
      const [front, back] = d as number[];
      if (!(front! >= 0 && back! >= 0 && front! + back! <= l.v.length)) fail();
      if (front! + back! === 0) return 0;
      l.v = l.v.slice(front, l.v.length - back!);
      return CHANGED;
    }
    case "lset": {
      const l = cellOf(cells, key, "list");
      const i = d[0] as number;
      if (!(i >= 0 && i < l.v.length)) fail();
      l.v[i] = cx(d[1]) ?? fail();
      return CHANGED;
    }
    case "lrem": {
      // [element, removed]: exact only when every copy went (the delta has no direction).
      const l = cellOf(cells, key, "list");
      const w = cx(d[0]);
      const rest = l.v.filter((x) => x !== w);
      if (l.v.length - rest.length !== d[1]) fail();
      l.v = rest;
      return CHANGED;
    }
    case "sadd":
    case "srem":
    case "spop": {
      const set = cellOf(cells, key, "set", event === "sadd" ? new Set() : undefined);
      // Deltas hold only the members that changed: one that changes nothing means we drifted.
      for (const w of words(cx, delta)) if (set.v.has(w) === (event === "sadd")) fail();
      else if (event === "sadd") set.v.add(w);
      else set.v.delete(w);
      return CHANGED;
    }
    case "hset":
    case "hincrby":
    case "hincrbyfloat": {
      const h = cellOf(cells, key, "hash", new Map());
      const ws = words(cx, delta);
      if (ws.length % 2) fail();
      for (let i = 0; i < ws.length; i += 2) h.v.set(ws[i]!, ws[i + 1]!);
      return CHANGED;
    }
    case "hdel": {
      const h = cellOf(cells, key, "hash");
      for (const f of words(cx, delta)) h.v.delete(f) || fail();
      return CHANGED;
    }
    case "zadd":
    case "zincr":
    case "geoadd": {
      // [member, score, rank, ...]: placed by (score, member), then checked against the ranks.
      const z = cellOf(cells, key, "zset", { order: [], score: new Map() }).v;
      if (d.length % 3) fail();
      for (let i = 0; i < d.length; i += 3) {
        const m = cx(d[i]) ?? fail();
        const s = parseScore(cx(d[i + 1]));
        if (Number.isNaN(s)) fail();
        zremove(z, m);
        z.order.splice(zpos(z, s, m), 0, m);
        z.score.set(m, s);
      }
      for (let i = 0; i < d.length; i += 3) if (z.order[d[i + 2] as number] !== cx(d[i])) fail();
      return CHANGED;
    }
    case "zrem":
    case "zpopmin":
    case "zpopmax":
    case "zrembyscore":
    case "zrembyrank":
    case "zrembylex": {
      const z = cellOf(cells, key, "zset").v;
      for (const m of words(cx, delta)) zremove(z, m) || fail();
      return CHANGED;
    }
    case "xadd": {
      const s = cellOf(cells, key, "stream", { entries: [], cut: false }).v;
      s.entries.push([cx(d[0]) ?? fail(), words(cx, d[1])]);
      if (s.entries.length > limit) {
        s.entries.splice(0, s.entries.length - limit);
        s.cut = true;
      }
      return CHANGED;
    }
    case "xtrim":
    case "xdel": {
      const s = cellOf(cells, key, "stream").v;
      const gone = new Set(words(cx, delta));
      const kept = s.entries.filter(([id]) => !gone.has(id));
      if (kept.length === s.entries.length) return 0;
      s.entries = kept;
      // XTRIM cuts the oldest: what is left is all there is. XDEL of a held entry of a cut
      // stream lets an older entry we do not hold into the newest N.
      if (event === "xtrim") s.cut = false;
      return event === "xdel" && s.cut ? CHANGED | REREAD : CHANGED;
    }
  }
  // linsert (no position in the delta), setrange (no delta), expire (no deadline), rename_to,
  // copy_to, move_to, restore, *store and anything unknown: read the key again.
  return NO_CHANGE.has(event) ? 0 : REREAD;
}
