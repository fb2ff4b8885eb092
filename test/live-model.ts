// A model keyspace for the live mirror's tests: each command changes the model as Redis
// does and returns the keyspace events a watch with value: "delta" receives, with their
// deltas (for sorted sets and streams, the shapes their helpers define); and the expected
// view value of each key, computed independently of the code under test.
import fc from "fast-check";

export type MValue =
  | { t: "string"; v: string }
  | { t: "list"; v: string[] }
  | { t: "set"; v: Set<string> }
  | { t: "hash"; v: Map<string, string> }
  | { t: "zset"; v: Map<string, number> }
  | { t: "stream"; v: [string, string[]][]; seq: number };

export interface MKey {
  value: MValue;
  ttl: boolean;
}

export type MEvent = [key: string, event: string, delta: unknown];

const bytewise = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
const zorder = (z: Map<string, number>): [string, number][] => [...z].sort((a, b) => a[1] - b[1] || bytewise(a[0], b[0]));

export class Model {
  readonly keys = new Map<string, MKey>();

  private get<T extends MValue["t"]>(k: string, t: T): Extract<MValue, { t: T }> | undefined | null {
    const e = this.keys.get(k);
    if (e === undefined) return undefined;
    return e.value.t === t ? (e.value as Extract<MValue, { t: T }>) : null;
  }
  private make<T extends MValue>(k: string, v: T): T {
    this.keys.set(k, { value: v, ttl: false });
    return v;
  }
  private emptied(k: string, size: number, out: MEvent[]): MEvent[] {
    if (size === 0) {
      this.keys.delete(k);
      out.push([k, "del", null]);
    }
    return out;
  }

  /** Runs one command; returns its events (none when Redis would answer an error or do nothing). */
  run(cmd: Cmd): MEvent[] {
    const [name, k] = cmd;
    switch (name) {
      case "set": {
        const old = this.keys.get(k);
        this.keys.set(k, { value: { t: "string", v: cmd[2] }, ttl: cmd[3] });
        void old;
        return cmd[3] ? [[k, "set", cmd[2]], [k, "expire", null]] : [[k, "set", cmd[2]]];
      }
      case "incrby": {
        const s = this.get(k, "string");
        if (s === null || (s && !/^-?\d+$/.test(s.v))) return [];
        const v = String(Number(s?.v ?? 0) + cmd[2]);
        if (s) s.v = v;
        else this.make(k, { t: "string", v });
        return [[k, "incrby", v]];
      }
      case "append": {
        const s = this.get(k, "string");
        if (s === null) return [];
        if (s) s.v += cmd[2];
        else this.make(k, { t: "string", v: cmd[2] });
        return [[k, "append", cmd[2]]];
      }
      case "setrange": {
        const s = this.get(k, "string");
        if (!s) return [];
        // On bytes, as Redis does (a split character reads back as U+FFFD).
        const off = cmd[2];
        const patch = Buffer.from(cmd[3]);
        const b = Buffer.alloc(Math.max(Buffer.byteLength(s.v), off + patch.length));
        b.write(s.v);
        patch.copy(b, off);
        s.v = b.toString("utf8");
        return [[k, "setrange", null]];
      }
      case "del":
        return this.keys.delete(k) ? [[k, "del", null]] : [];
      case "expire": {
        const e = this.keys.get(k);
        if (!e) return [];
        e.ttl = true;
        return [[k, "expire", null]];
      }
      case "persist": {
        const e = this.keys.get(k);
        if (!e || !e.ttl) return [];
        e.ttl = false;
        return [[k, "persist", null]];
      }
      case "expired": {
        const e = this.keys.get(k);
        if (!e || !e.ttl) return [];
        this.keys.delete(k);
        return [[k, "expired", null]];
      }
      case "rename": {
        const e = this.keys.get(k);
        const to = cmd[2];
        if (!e || to === k) return [];
        this.keys.delete(k);
        this.keys.set(to, e);
        return [[k, "rename_from", null], [to, "rename_to", null]];
      }
      case "copy": {
        const e = this.keys.get(k);
        const to = cmd[2];
        if (!e || to === k || this.keys.has(to)) return [];
        this.keys.set(to, { value: clone(e.value), ttl: e.ttl });
        return [[to, "copy_to", null]];
      }
      case "lpush":
      case "rpush": {
        const l = this.get(k, "list");
        if (l === null) return [];
        const list = l ?? this.make(k, { t: "list", v: [] });
        for (const x of cmd[2]) if (name === "lpush") list.v.unshift(x);
        else list.v.push(x);
        return [[k, name, cmd[2]]];
      }
      case "lpop":
      case "rpop": {
        const l = this.get(k, "list");
        if (!l) return [];
        const popped = name === "lpop" ? l.v.splice(0, cmd[2]) : l.v.splice(Math.max(0, l.v.length - cmd[2])).reverse();
        return this.emptied(k, l.v.length, [[k, name, popped]]);
      }
      case "ltrim": {
        const l = this.get(k, "list");
        if (!l) return [];
        const len = l.v.length;
        let [start, end] = [cmd[2], cmd[3]];
        if (start < 0) start = Math.max(0, len + start);
        if (end < 0) end += len;
        let front: number;
        let back: number;
        if (start > end || start >= len) [front, back] = [len, 0];
        else {
          if (end >= len) end = len - 1;
          [front, back] = [start, len - end - 1];
        }
        l.v = l.v.slice(front, len - back);
        return this.emptied(k, l.v.length, [[k, "ltrim", [front, back]]]);
      }
      case "lset": {
        const l = this.get(k, "list");
        if (!l) return [];
        let i = cmd[2];
        if (i < 0) i += l.v.length;
        if (i < 0 || i >= l.v.length) return [];
        l.v[i] = cmd[3];
        return [[k, "lset", [i, cmd[3]]]];
      }
      case "linsert": {
        const l = this.get(k, "list");
        if (!l) return [];
        const at = l.v.indexOf(cmd[3]);
        if (at < 0) return [];
        l.v.splice(cmd[2] ? at + 1 : at, 0, cmd[4]);
        return [[k, "linsert", [cmd[4]]]];
      }
      case "lrem": {
        const l = this.get(k, "list");
        if (!l) return [];
        const [count, el] = [cmd[2], cmd[3]];
        let removed = 0;
        if (count >= 0) {
          l.v = l.v.filter((x) => (x === el && (count === 0 || removed < count) ? (removed++, false) : true));
        } else {
          const r = l.v.reverse().filter((x) => (x === el && removed < -count ? (removed++, false) : true));
          l.v = r.reverse();
        }
        if (removed === 0) return [];
        return this.emptied(k, l.v.length, [[k, "lrem", [el, removed]]]);
      }
      case "lmove": {
        const src = this.get(k, "list");
        const dstKey = cmd[2];
        if (!src) return [];
        const dst = this.get(dstKey, "list");
        if (dst === null) return [];
        const v = cmd[3] ? src.v.shift()! : src.v.pop()!;
        const d = dst ?? (dstKey === k ? src : this.make(dstKey, { t: "list", v: [] }));
        if (cmd[4]) d.v.unshift(v);
        else d.v.push(v);
        const out: MEvent[] = [[dstKey, cmd[4] ? "lpush" : "rpush", [v]], [k, cmd[3] ? "lpop" : "rpop", [v]]];
        return this.emptied(k, src.v.length, out);
      }
      case "sadd": {
        const s = this.get(k, "set");
        if (s === null) return [];
        const set = s ?? this.make(k, { t: "set", v: new Set() });
        const added = cmd[2].filter((m, i) => !set.v.has(m) && cmd[2].indexOf(m) === i);
        for (const m of added) set.v.add(m);
        if (set.v.size === 0) this.keys.delete(k);
        return added.length ? [[k, "sadd", added]] : [];
      }
      case "srem":
      case "spop": {
        const s = this.get(k, "set");
        if (!s) return [];
        const gone = name === "spop" ? [...s.v].slice(0, cmd[2].length || 1) : cmd[2].filter((m, i) => s.v.has(m) && cmd[2].indexOf(m) === i);
        for (const m of gone) s.v.delete(m);
        if (gone.length === 0) return [];
        return this.emptied(k, s.v.size, [[k, name, gone]]);
      }
      case "smove": {
        const s = this.get(k, "set");
        const dstKey = cmd[2];
        const m = cmd[3];
        if (!s || !s.v.has(m)) return [];
        const d = this.get(dstKey, "set");
        if (d === null) return [];
        if (dstKey === k) return [];
        s.v.delete(m);
        const out: MEvent[] = [[k, "srem", [m]]];
        this.emptied(k, s.v.size, out);
        const dst = d ?? this.make(dstKey, { t: "set", v: new Set() });
        if (!dst.v.has(m)) {
          dst.v.add(m);
          out.push([dstKey, "sadd", [m]]);
        }
        return out;
      }
      case "sunionstore": {
        const s = this.get(k, "set");
        if (!s) return [];
        const to = cmd[2];
        this.keys.set(to, { value: clone(s), ttl: false });
        return [[to, "sunionstore", null]];
      }
      case "hset": {
        const h = this.get(k, "hash");
        if (h === null) return [];
        const hash = h ?? this.make(k, { t: "hash", v: new Map() });
        const flat: string[] = [];
        for (const [f, v] of cmd[2]) {
          hash.v.set(f, v);
          flat.push(f, v);
        }
        return [[k, "hset", flat]];
      }
      case "hdel": {
        const h = this.get(k, "hash");
        if (!h) return [];
        const gone = cmd[2].filter((f, i) => h.v.has(f) && cmd[2].indexOf(f) === i);
        for (const f of gone) h.v.delete(f);
        if (gone.length === 0) return [];
        return this.emptied(k, h.v.size, [[k, "hdel", gone]]);
      }
      case "hincrby": {
        const h = this.get(k, "hash");
        if (h === null) return [];
        const hash = h ?? this.make(k, { t: "hash", v: new Map() });
        const old = hash.v.get(cmd[2]) ?? "0";
        if (!/^-?\d+$/.test(old)) return [];
        const v = String(Number(old) + cmd[3]);
        hash.v.set(cmd[2], v);
        return [[k, "hincrby", [cmd[2], v]]];
      }
      case "zadd":
      case "zincrby": {
        const z = this.get(k, "zset");
        if (z === null) return [];
        const zs = z ?? this.make(k, { t: "zset", v: new Map() });
        const changed: string[] = [];
        for (const [m, s] of cmd[2]) {
          zs.v.set(m, name === "zincrby" ? (zs.v.get(m) ?? 0) + s : s);
          if (!changed.includes(m)) changed.push(m);
        }
        const order = zorder(zs.v).map(([m]) => m);
        const triples = changed.flatMap((m) => [m, String(zs.v.get(m)), order.indexOf(m)]);
        return [[k, name === "zincrby" ? "zincr" : "zadd", triples]];
      }
      case "zrem":
      case "zpopmin": {
        const z = this.get(k, "zset");
        if (!z) return [];
        const gone = name === "zpopmin" ? zorder(z.v).slice(0, cmd[2].length || 1).map(([m]) => m) : cmd[2].filter((m, i) => z.v.has(m) && cmd[2].indexOf(m) === i);
        for (const m of gone) z.v.delete(m);
        if (gone.length === 0) return [];
        return this.emptied(k, z.v.size, [[k, name, gone]]);
      }
      case "xadd": {
        const s = this.get(k, "stream");
        if (s === null) return [];
        const st = s ?? this.make(k, { t: "stream", v: [], seq: 0 });
        const id = `1-${++st.seq}`;
        st.v.push([id, cmd[2]]);
        return [[k, "xadd", [id, cmd[2]]]];
      }
      case "xtrim": {
        const s = this.get(k, "stream");
        if (!s || s.v.length <= cmd[2]) return [];
        const gone = s.v.splice(0, s.v.length - cmd[2]).map(([id]) => id);
        return [[k, "xtrim", gone]];
      }
      case "xdel": {
        const s = this.get(k, "stream");
        if (!s || s.v.length === 0) return [];
        const e = s.v.splice(cmd[2] % s.v.length, 1);
        return [[k, "xdel", e.map(([id]) => id)]];
      }
    }
  }

  /** The key as a snapshot carries it: [type, value, pttl]; `nested` picks the sorted set's shape. */
  snapshot(k: string, nested: boolean): [string, unknown, number] | undefined {
    const e = this.keys.get(k);
    if (!e) return undefined;
    const v = e.value;
    const pttl = e.ttl ? 100_000 : -1;
    switch (v.t) {
      case "string":
        return ["string", v.v, pttl];
      case "list":
        return ["list", [...v.v], pttl];
      case "set":
        return ["set", [...v.v].reverse(), pttl];
      case "hash":
        return ["hash", Object.fromEntries(v.v), pttl];
      case "zset": {
        const o = zorder(v.v);
        return ["zset", nested ? o.map(([m, s]) => [m, String(s)]) : o.flatMap(([m, s]) => [m, String(s)]), pttl];
      }
      case "stream":
        return ["stream", v.v.map(([id, f]) => [id, [...f]]), pttl];
    }
  }

  /** What a text view should show for the key, shaped independently of the client's code. */
  expected(k: string, streamEntries: number): unknown {
    const e = this.keys.get(k);
    if (!e) return undefined;
    const v = e.value;
    switch (v.t) {
      case "string":
        return v.v;
      case "list":
        return [...v.v];
      case "set":
        return [...v.v].sort(bytewise);
      case "hash":
        return Object.assign(Object.create(null), Object.fromEntries(v.v));
      case "zset":
        return zorder(v.v).map(([member, score]) => ({ member, score }));
      case "stream":
        return v.v.slice(-streamEntries).map(([id, fields]) => ({ id, fields }));
    }
  }
}

function clone(v: MValue): MValue {
  switch (v.t) {
    case "string":
      return { ...v };
    case "list":
      return { t: "list", v: [...v.v] };
    case "set":
      return { t: "set", v: new Set(v.v) };
    case "hash":
      return { t: "hash", v: new Map(v.v) };
    case "zset":
      return { t: "zset", v: new Map(v.v) };
    case "stream":
      return { t: "stream", v: v.v.map(([id, f]) => [id, [...f]]), seq: v.seq };
  }
}

export type Cmd =
  | ["set", string, string, boolean]
  | ["incrby", string, number]
  | ["append", string, string]
  | ["setrange", string, number, string]
  | ["del" | "expire" | "persist" | "expired", string]
  | ["rename" | "copy" | "sunionstore", string, string]
  | ["lpush" | "rpush", string, string[]]
  | ["lpop" | "rpop", string, number]
  | ["ltrim", string, number, number]
  | ["lset", string, number, string]
  | ["linsert", string, boolean, string, string]
  | ["lrem", string, number, string]
  | ["lmove", string, string, boolean, boolean]
  | ["sadd" | "srem" | "spop", string, string[]]
  | ["smove", string, string, string]
  | ["hset", string, [string, string][]]
  | ["hdel", string, string[]]
  | ["hincrby", string, string, number]
  | ["zadd" | "zincrby", string, [string, number][]]
  | ["zrem" | "zpopmin", string, string[]]
  | ["xadd", string, string[]]
  | ["xtrim", string, number]
  | ["xdel", string, number];

/** Few keys and words, so that commands collide: duplicates, wrong types, emptied keys. */
const key = fc.constantFrom("a", "b", "c", "d*", "é");
const word = fc.constantFrom("x", "y", "z", "", "é", "𝄞", "\uffff", "xx");
const words = fc.array(word, { minLength: 1, maxLength: 4 });
const small = fc.integer({ min: -4, max: 4 });
const score = fc.constantFrom(0, 1, -1, 2.5, 1e9);

export const command: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(fc.constant("set" as const), key, word, fc.boolean()),
  fc.tuple(fc.constant("incrby" as const), key, small),
  fc.tuple(fc.constant("append" as const), key, word),
  fc.tuple(fc.constant("setrange" as const), key, fc.integer({ min: 0, max: 4 }), word),
  fc.tuple(fc.constantFrom("del" as const, "expire" as const, "persist" as const, "expired" as const), key),
  fc.tuple(fc.constantFrom("rename" as const, "copy" as const, "sunionstore" as const), key, key),
  fc.tuple(fc.constantFrom("lpush" as const, "rpush" as const), key, words),
  fc.tuple(fc.constantFrom("lpop" as const, "rpop" as const), key, fc.integer({ min: 1, max: 3 })),
  fc.tuple(fc.constant("ltrim" as const), key, small, small),
  fc.tuple(fc.constant("lset" as const), key, small, word),
  fc.tuple(fc.constant("linsert" as const), key, fc.boolean(), word, word),
  fc.tuple(fc.constant("lrem" as const), key, small, word),
  fc.tuple(fc.constant("lmove" as const), key, key, fc.boolean(), fc.boolean()),
  fc.tuple(fc.constantFrom("sadd" as const, "srem" as const, "spop" as const), key, words),
  fc.tuple(fc.constant("smove" as const), key, key, word),
  fc.tuple(fc.constant("hset" as const), key, fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 3 })),
  fc.tuple(fc.constant("hdel" as const), key, words),
  fc.tuple(fc.constant("hincrby" as const), key, word, small),
  fc.tuple(fc.constantFrom("zadd" as const, "zincrby" as const), key, fc.array(fc.tuple(word, score), { minLength: 1, maxLength: 3 })),
  fc.tuple(fc.constantFrom("zrem" as const, "zpopmin" as const), key, words),
  fc.tuple(fc.constant("xadd" as const), key, fc.array(word, { minLength: 2, maxLength: 4 })),
  fc.tuple(fc.constant("xtrim" as const), key, fc.integer({ min: 0, max: 3 })),
  fc.tuple(fc.constant("xdel" as const), key, fc.nat(5)),
);
