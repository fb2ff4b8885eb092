// What a data type beyond the four built-in ones tells the rest of the server about its values:
// how a snapshot stores one, what one costs in memory. A type's structure module registers its
// ValueType once at load (`registerValueType`), and persistence and eviction find it by the
// value's `type` name; they import this file, never the type's own module.
//
// Strings, lists, sets and hashes keep the snapshot records they had before (server/persistence/
// format.ts); a registered type's record is its op, the key's header, and a length-prefixed body
// that only the type reads, so a snapshot can be scanned without knowing every type.

import type { Container } from "./database.js";

/** Where a type writes its snapshot body (ByteWriter of server/persistence/codec.ts). */
export interface ValueSink {
  u8(v: number): void;
  u32(v: number): void;
  f64(v: number): void;
  varint(n: number): void;
  bytes(s: string): void;
}

/** What a type reads its snapshot body from (ByteReader); reads past the body's end throw. */
export interface ValueSource {
  u8(): number;
  u32(): number;
  f64(): number;
  varint(): number;
  bytes(): string;
  readonly remaining: number;
}

export interface ValueType<V extends Container = Container> {
  /** TYPE's answer, and the value's `type`. */
  readonly name: V["type"];
  /** Its snapshot record's op code: 0x05-0x0f, unique (format.ts uses 0x01-0x04 and 0x10 up). */
  readonly op: number;
  write(value: V, out: ValueSink): void;
  read(input: ValueSource): V;
  /** Estimated bytes of the value in memory (not its key), for maxmemory and MEMORY USAGE. */
  bytes(value: V): number;
}

const byName = new Map<string, ValueType>();
const byOp = new Map<number, ValueType>();

export function registerValueType<V extends Container>(type: ValueType<V>): ValueType<V> {
  if (type.op < 0x05 || type.op > 0x0f) throw new Error(`keycast: value type '${type.name}' needs an op in 0x05-0x0f, not 0x${type.op.toString(16)}`);
  const taken = byOp.get(type.op) ?? byName.get(type.name);
  if (taken !== undefined && taken !== (type as unknown as ValueType)) throw new Error(`keycast: value type '${type.name}' (op 0x${type.op.toString(16)}) collides with '${taken.name}'`);
  byName.set(type.name, type as unknown as ValueType);
  byOp.set(type.op, type as unknown as ValueType);
  return type;
}

export function valueTypeOf(value: Container): ValueType | undefined {
  return byName.get(value.type);
}

export function valueTypeByOp(op: number): ValueType | undefined {
  return byOp.get(op);
}

/** A V8 sequential one-byte string of n bytes (measured: server/eviction/estimate.ts). */
export function stringBytes(n: number): number {
  return (n + 16 + 7) & ~7;
}

const SAMPLE_ALL = 16;
const SAMPLES = 8;

/**
 * Sum of f(i) over a container's n elements: exact when small, else extrapolated from evenly
 * spaced samples, as Redis's MEMORY USAGE samples.
 */
export function sampledBytes(n: number, f: (i: number) => number): number {
  if (n <= SAMPLE_ALL) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += f(i);
    return sum;
  }
  let sum = 0;
  const step = (n - 1) / (SAMPLES - 1);
  for (let s = 0; s < SAMPLES; s++) sum += f(Math.round(s * step));
  return (sum / SAMPLES) * n;
}
