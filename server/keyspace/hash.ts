// The hash type. Laid out like the set (server/keyspace/set.ts): fields and values in two
// dense parallel arrays and a Map from field to position. That costs two array slots per
// field over a plain Map<field, value>, and buys O(1) HRANDFIELD and an HSCAN cursor that
// survives changes between calls (same descending walk and argument as SSCAN).

import { MapReply, type Reply } from "../reply.js";
import type { Container } from "./database.js";
import { globMatch } from "./glob.js";
import { SMALL_SCAN_MAX } from "./set.js";

export class HashValue implements Container {
  private readonly fields: string[];
  private readonly values: string[];
  private readonly index: Map<string, number>;

  constructor(fields: string[] = [], values: string[] = [], index: Map<string, number> = new Map()) {
    this.fields = fields;
    this.values = values;
    this.index = index;
  }

  get type(): "hash" {
    return "hash";
  }

  get size(): number {
    return this.fields.length;
  }

  has(field: string): boolean {
    return this.index.has(field);
  }

  get(field: string): string | undefined {
    const i = this.index.get(field);
    return i === undefined ? undefined : this.values[i];
  }

  /** Sets a field; true when the field is new. */
  set(field: string, value: string): boolean {
    const i = this.index.get(field);
    if (i !== undefined) {
      this.values[i] = value;
      return false;
    }
    this.index.set(field, this.fields.length);
    this.fields.push(field);
    this.values.push(value);
    return true;
  }

  /** True when the field was there. */
  delete(field: string): boolean {
    const i = this.index.get(field);
    if (i === undefined) return false;
    this.index.delete(field);
    const fields = this.fields;
    const values = this.values;
    const lastField = fields.pop()!;
    const lastValue = values.pop()!;
    if (i < fields.length) {
      fields[i] = lastField;
      values[i] = lastValue;
      this.index.set(lastField, i);
    }
    return true;
  }

  /** The field at a position (0 <= i < size), for sampling. */
  fieldAt(i: number): string {
    return this.fields[i]!;
  }

  valueAt(i: number): string {
    return this.values[i]!;
  }

  /** The whole value for watch snapshots and full-value events (server/events/values.ts): a map. */
  toReply(): Reply {
    const fields = this.fields;
    const flat: string[] = new Array(fields.length * 2);
    for (let i = 0; i < fields.length; i++) {
      flat[2 * i] = fields[i]!;
      flat[2 * i + 1] = this.values[i]!;
    }
    return new MapReply(flat);
  }

  clone(): HashValue {
    return new HashValue(this.fields.slice(), this.values.slice(), new Map(this.index));
  }

  /**
   * One HSCAN step: visits up to `count` positions below the cursor (0 = start) and pushes
   * field, value for each field that matches. Returns the next cursor; 0 when complete.
   */
  scan(cursor: number, count: number, pattern: string | null, out: string[]): number {
    const fields = this.fields;
    let i = fields.length;
    let stop = 0;
    if (i > SMALL_SCAN_MAX) {
      if (cursor !== 0 && cursor < i) i = cursor;
      stop = Math.max(0, i - count);
    }
    while (i > stop) {
      const f = fields[--i]!;
      if (pattern === null || globMatch(pattern, f)) out.push(f, this.values[i]!);
    }
    return i;
  }
}
