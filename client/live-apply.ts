// The live mirror's per-key state and how each keyspace event's delta changes it. Pure: no
// connection, no timers, so that every delta can be tested against a model. Inside, every
// word is a JS string: the text itself for a text view, one char per byte (latin1) for a
// bytes view, so sets, hashes and sorted sets compare and dedupe by content in both.

/** A result of applying an event: bit 1 the key changed, bit 2 it must be read again. */
export const CHANGED = 1;
export const REREAD = 2;

export type ZsetState = { order: string[]; score: Map<string, number> };
export type StreamState = { entries: [id: string, fields: string[]][]; cut: boolean };

/** One key as the mirror holds it. `exp`: deadline (client clock, ms) or null; `n`: bytes, approximately. */
export type Cell = (
  | { t: "string"; v: string }
  | { t: "list"; v: string[] }
  | { t: "set"; v: Set<string> }
  | { t: "hash"; v: Map<string, string> }
  | { t: "zset"; v: ZsetState }
  | { t: "stream"; v: StreamState }
  | { t: "other"; v: unknown; type: string }
) & { exp: number | null; n: number };

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

function words(cx: Codec, x: unknown): string[] | null {
  if (!Array.isArray(x)) return null;
  const out: string[] = new Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const w = cx(x[i]);
    if (w === null) return null;
    out[i] = w;
  }
  return out;
}

function sum(ws: Iterable<string>): number {
  let n = 0;
  for (const w of ws) n += w.length + OVERHEAD;
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
  else return { t: "other", v: value, type: keyType, exp, n: OVERHEAD };
  const c = one.get("") ?? (keyType === "stream" && list.length === 0 ? { t: "stream", v: { entries: [], cut: false }, exp: null, n: 0 } : undefined);
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
  const c = cells.get(key);
  switch (event) {
    case "del":
    case "expired":
    case "evicted":
    case "rename_from":
    case "move_from":
      return c !== undefined && cells.delete(key) ? CHANGED : 0;
    case "persist":
      if (c === undefined) return REREAD;
      if (c.exp === null) return 0;
      c.exp = null;
      return CHANGED;
    case "set":
    case "incrby":
    case "incrbyfloat": {
      const v = cx(delta);
      if (v === null) return REREAD;
      // INCRBY keeps a TTL. SET drops it unless KEEPTTL, which the event does not tell: read the TTL again.
      const exp = c?.exp ?? null;
      if (event !== "set" && c !== undefined && c.t !== "string") return REREAD;
      cells.set(key, { t: "string", v, exp, n: v.length + OVERHEAD });
      return event === "set" && exp !== null ? CHANGED | REREAD : CHANGED;
    }
    case "append": {
      const v = cx(delta);
      if (v === null) return REREAD;
      if (c === undefined) {
        cells.set(key, { t: "string", v, exp: null, n: v.length + OVERHEAD });
        return CHANGED;
      }
      if (c.t !== "string") return REREAD;
      c.v += v;
      c.n += v.length;
      return CHANGED;
    }
    case "setrange": {
      // Today's servers send no delta; [offset, patch] is applied when one does.
      if (c === undefined || c.t !== "string" || !Array.isArray(delta) || typeof delta[0] !== "number") return REREAD;
      const patch = cx(delta[1]);
      if (patch === null) return REREAD;
      const off = delta[0];
      const base = c.v.length < off ? c.v + "\0".repeat(off - c.v.length) : c.v;
      c.v = base.slice(0, off) + patch + base.slice(off + patch.length);
      c.n = c.v.length + OVERHEAD;
      return CHANGED;
    }
  }
  if (NO_CHANGE.has(event)) return 0;
  const fresh = c === undefined;
  switch (event) {
    case "lpush":
    case "rpush": {
      const ws = words(cx, delta);
      if (ws === null || (c !== undefined && c.t !== "list")) return REREAD;
      const cell = c ?? { t: "list" as const, v: [] as string[], exp: null, n: 0 };
      if (event === "lpush") {
        // LPUSH k a b c leaves c b a at the head.
        ws.reverse();
        cell.v.unshift(...ws);
      } else for (const w of ws) cell.v.push(w);
      cell.n += sum(ws);
      if (fresh) cells.set(key, cell);
      return CHANGED;
    }
    case "lpop":
    case "rpop": {
      const ws = words(cx, delta);
      if (ws === null || c === undefined || c.t !== "list" || ws.length > c.v.length) return REREAD;
      const head = event === "lpop";
      for (let i = 0; i < ws.length; i++) {
        if (c.v[head ? i : c.v.length - 1 - i] !== ws[i]) return REREAD;
      }
      if (head) c.v.splice(0, ws.length);
      else c.v.length -= ws.length;
      c.n -= sum(ws);
      return CHANGED;
    }
    case "ltrim": {
      if (c === undefined || c.t !== "list" || !Array.isArray(delta)) return REREAD;
      const front = delta[0];
      const back = delta[1];
      if (typeof front !== "number" || typeof back !== "number" || front < 0 || back < 0 || front + back > c.v.length) return REREAD;
      if (front === 0 && back === 0) return 0;
      const removed = c.v.splice(0, front);
      if (back > 0) for (const w of c.v.splice(c.v.length - back, back)) removed.push(w);
      c.n -= sum(removed);
      return CHANGED;
    }
    case "lset": {
      if (c === undefined || c.t !== "list" || !Array.isArray(delta)) return REREAD;
      const i = delta[0];
      const w = cx(delta[1]);
      if (typeof i !== "number" || w === null || i < 0 || i >= c.v.length) return REREAD;
      c.n += w.length - c.v[i]!.length;
      c.v[i] = w;
      return CHANGED;
    }
    case "lrem": {
      // [element, removed]: exact only when every copy went (the direction is not in the delta).
      if (c === undefined || c.t !== "list" || !Array.isArray(delta)) return REREAD;
      const w = cx(delta[0]);
      const removed = delta[1];
      if (w === null || typeof removed !== "number") return REREAD;
      let copies = 0;
      for (const x of c.v) if (x === w) copies++;
      if (copies !== removed) return REREAD;
      c.v = c.v.filter((x) => x !== w);
      c.n -= removed * (w.length + OVERHEAD);
      return CHANGED;
    }
    case "sadd": {
      const ws = words(cx, delta);
      if (ws === null || (c !== undefined && c.t !== "set")) return REREAD;
      const cell = c ?? { t: "set" as const, v: new Set<string>(), exp: null, n: 0 };
      if (fresh) cells.set(key, cell);
      // The delta holds only members that were new: one already here means we drifted.
      for (const w of ws) {
        if (cell.v.has(w)) return REREAD;
        cell.v.add(w);
        cell.n += w.length + OVERHEAD;
      }
      return CHANGED;
    }
    case "srem":
    case "spop": {
      const ws = words(cx, delta);
      if (ws === null || c === undefined || c.t !== "set") return REREAD;
      for (const w of ws) {
        if (!c.v.delete(w)) return REREAD;
        c.n -= w.length + OVERHEAD;
      }
      return CHANGED;
    }
    case "hset":
    case "hincrby":
    case "hincrbyfloat": {
      const ws = words(cx, delta);
      if (ws === null || ws.length % 2 !== 0 || (c !== undefined && c.t !== "hash")) return REREAD;
      const cell = c ?? { t: "hash" as const, v: new Map<string, string>(), exp: null, n: 0 };
      for (let i = 0; i < ws.length; i += 2) {
        const f = ws[i]!;
        const old = cell.v.get(f);
        cell.n += old === undefined ? f.length + ws[i + 1]!.length + OVERHEAD : ws[i + 1]!.length - old.length;
        cell.v.set(f, ws[i + 1]!);
      }
      if (fresh) cells.set(key, cell);
      return CHANGED;
    }
    case "hdel": {
      const ws = words(cx, delta);
      if (ws === null || c === undefined || c.t !== "hash") return REREAD;
      for (const f of ws) {
        const old = c.v.get(f);
        if (old === undefined) return REREAD;
        c.v.delete(f);
        c.n -= f.length + old.length + OVERHEAD;
      }
      return CHANGED;
    }
    case "zadd":
    case "zincr":
    case "geoadd": {
      // [member, score, rank, ...]: placed by (score, member), then checked against the ranks.
      if (!Array.isArray(delta) || delta.length % 3 !== 0 || (c !== undefined && c.t !== "zset")) return REREAD;
      const cell = c ?? { t: "zset" as const, v: { order: [], score: new Map() } as ZsetState, exp: null, n: 0 };
      if (fresh) cells.set(key, cell);
      const z = cell.v;
      for (let i = 0; i < delta.length; i += 3) {
        const m = cx(delta[i]);
        const s = parseScore(cx(delta[i + 1]));
        if (m === null || Number.isNaN(s)) return REREAD;
        if (zremove(z, m)) cell.n -= m.length + OVERHEAD + 8;
        z.order.splice(zpos(z, s, m), 0, m);
        z.score.set(m, s);
        cell.n += m.length + OVERHEAD + 8;
      }
      for (let i = 0; i < delta.length; i += 3) {
        if (z.order[delta[i + 2] as number] !== cx(delta[i])) return REREAD;
      }
      return CHANGED;
    }
    case "zrem":
    case "zpopmin":
    case "zpopmax":
    case "zrembyscore":
    case "zrembyrank":
    case "zrembylex": {
      const ws = words(cx, delta);
      if (ws === null || c === undefined || c.t !== "zset") return REREAD;
      for (const m of ws) {
        if (!zremove(c.v, m)) return REREAD;
        c.n -= m.length + OVERHEAD + 8;
      }
      return CHANGED;
    }
    case "xadd": {
      if (!Array.isArray(delta) || (c !== undefined && c.t !== "stream")) return REREAD;
      const id = cx(delta[0]);
      const fields = words(cx, delta[1]);
      if (id === null || fields === null) return REREAD;
      const cell = c ?? { t: "stream" as const, v: { entries: [], cut: false } as StreamState, exp: null, n: 0 };
      if (fresh) cells.set(key, cell);
      const s = cell.v;
      s.entries.push([id, fields]);
      cell.n += id.length + sum(fields) + OVERHEAD;
      while (s.entries.length > limit) {
        const [oid, of] = s.entries.shift()!;
        cell.n -= oid.length + sum(of) + OVERHEAD;
        s.cut = true;
      }
      return CHANGED;
    }
    case "xtrim":
    case "xdel": {
      const ids = words(cx, delta);
      if (ids === null || c === undefined || c.t !== "stream") return REREAD;
      const s = c.v;
      const gone = new Set(ids);
      const before = s.entries.length;
      s.entries = s.entries.filter(([id, f]) => {
        if (!gone.has(id)) return true;
        c.n -= id.length + sum(f) + OVERHEAD;
        return false;
      });
      if (s.entries.length === before) return 0;
      // XTRIM cuts the oldest: what is left is all we hold. XDEL of a held entry of a cut
      // stream lets an older entry we do not have into the newest N.
      if (event === "xdel" && s.cut) return CHANGED | REREAD;
      if (event === "xtrim") s.cut = false;
      return CHANGED;
    }
  }
  // linsert (the delta has no position), rename_to, copy_to, move_to, restore, *store,
  // sortstore, expire (no deadline in the event) and anything unknown: read the key again.
  return REREAD;
}
