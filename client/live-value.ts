// What a live view hands out: a key's cell turned into an immutable value, per type, in the
// shapes docs/live.md lists. Built once per change of the key, then shared.

import { compareWords, latin1Bytes, type Cell } from "./live-apply.js";

/** A sorted set's member, in rank order. */
export interface ZMember<V> {
  readonly member: V;
  readonly score: number;
}

/** A stream entry: its id and its fields as [field, value, field, value, ...]. */
export interface StreamEntry<V> {
  readonly id: V;
  readonly fields: readonly V[];
}

/** One key: its type, its value, and its deadline (ms since 1970, client clock) or null. */
export type LiveEntry<V> = { readonly expiresAt: number | null } & (
  | { readonly type: "string"; readonly value: V }
  | { readonly type: "list"; readonly value: readonly V[] }
  | { readonly type: "set"; readonly value: readonly V[] | ReadonlySet<V> }
  | { readonly type: "hash"; readonly value: Readonly<Record<string, V>> | ReadonlyMap<V, V> }
  | { readonly type: "zset"; readonly value: readonly ZMember<V>[] }
  | { readonly type: "stream"; readonly value: readonly StreamEntry<V>[] }
  | { readonly type: "other"; readonly keyType: string; readonly value: unknown }
);

export type LiveValue<V> = LiveEntry<V>["value"];

export interface ShapeOptions {
  /** A hash as a plain object (default; text views) or a Map. Bytes views always use a Map. */
  hashes?: "object" | "map";
  /** A set as an array sorted bytewise (default) or a Set. */
  sets?: "array" | "set";
  /** Only these ranks of each sorted set (inclusive, negative from the end, as ZRANGE), e.g. [-10, -1]. */
  zrange?: readonly [start: number, stop: number];
}

const freeze = Object.freeze;

export function shape<V>(c: Cell, bytes: boolean, o: ShapeOptions): LiveEntry<V> {
  const out = (bytes ? latin1Bytes : (s: string) => s) as (s: string) => V;
  const expiresAt = c.exp;
  switch (c.t) {
    case "string":
      return freeze({ type: "string", value: out(c.v), expiresAt });
    case "list":
      return freeze({ type: "list", value: freeze(c.v.map(out)), expiresAt });
    case "set": {
      const sorted = Array.from(c.v).sort(compareWords).map(out);
      return freeze({ type: "set", value: o.sets === "set" ? new Set(sorted) : freeze(sorted), expiresAt });
    }
    case "hash": {
      if (bytes || o.hashes === "map") {
        const m = new Map<V, V>();
        for (const [f, v] of c.v) m.set(out(f), out(v));
        return freeze({ type: "hash", value: m, expiresAt });
      }
      // No prototype: a field named "__proto__" or "toString" is just a field.
      const obj = Object.create(null) as Record<string, V>;
      for (const [f, v] of c.v) obj[f] = out(v);
      return freeze({ type: "hash", value: freeze(obj), expiresAt });
    }
    case "zset": {
      let members = c.v.order;
      if (o.zrange) {
        const n = members.length;
        let [start, stop] = o.zrange;
        if (start < 0) start = Math.max(0, n + start);
        if (stop < 0) stop += n;
        members = members.slice(start, stop + 1);
      }
      const score = c.v.score;
      return freeze({ type: "zset", value: freeze(members.map((m) => freeze({ member: out(m), score: score.get(m)! }))), expiresAt });
    }
    case "stream":
      return freeze({ type: "stream", value: freeze(c.v.entries.map(([id, f]) => freeze({ id: out(id), fields: freeze(f.map(out)) }))), expiresAt });
    default:
      return freeze({ type: "other", keyType: c.type, value: c.v, expiresAt });
  }
}
