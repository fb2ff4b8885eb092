// One numbered database: the key -> value map and the keys' deadlines.
// Values are byte strings for the string type, or a container (list, set, hash).
// An expired key is never returned, whether or not the deadline timer has removed it yet.

import { CommandError, WRONGTYPE } from "../errors.js";
import type { Reply } from "../reply.js";
import type { Keyspace } from "./keyspace.js";
import { KeyMap } from "./key-map.js";

/** TYPE's answers. A type beyond the first four also registers a ValueType (value-types.ts). */
export type TypeName = "string" | "list" | "set" | "hash" | "zset" | "stream";

/** A non-string value. Each data type's class says which type it is. */
export interface Container {
  readonly type: Exclude<TypeName, "string">;
  /** Number of elements; a container that reaches 0 is removed from the keyspace. */
  readonly size: number;
  /** A deep copy (COPY). */
  clone(): Container;
  /** The whole value as a reply: an array for lists and sets, a map for hashes (snapshots, full-value events). */
  toReply(): Reply;
}

export type StoredValue = string | Container;

export function typeOf(value: StoredValue): TypeName {
  return typeof value === "string" ? "string" : value.type;
}

export class Database {
  data = new KeyMap<StoredValue>();
  /** Each key with a TTL, to its slot in the keyspace's DeadlineTable. */
  expires = new KeyMap<number>();

  constructor(
    public index: number,
    private readonly keyspace: Keyspace,
  ) {}

  /** Number of keys, counting expired keys the timer has not removed yet (as Redis does). */
  get size(): number {
    return this.data.size;
  }

  /** The value of a live key, or undefined. An expired key is removed on the way. */
  lookup(key: string): StoredValue | undefined {
    const value = this.data.get(key);
    if (value === undefined) return undefined;
    if (this.expires.size !== 0) {
      const slot = this.expires.get(key);
      if (slot !== undefined && this.keyspace.deadlines.atOf(slot) <= this.keyspace.now) {
        this.keyspace.expireNow(this, key);
        return undefined;
      }
    }
    return value;
  }

  /** The string at key, or undefined; WRONGTYPE for another type. */
  lookupString(key: string): string | undefined {
    const v = this.lookup(key);
    if (v === undefined || typeof v === "string") return v;
    throw new CommandError(WRONGTYPE);
  }

  /** The container of the given type at key, or undefined; WRONGTYPE for another type. */
  lookupContainer<T extends Container>(key: string, type: T["type"]): T | undefined {
    const v = this.lookup(key);
    if (v === undefined) return undefined;
    if (typeof v !== "string" && v.type === type) return v as T;
    throw new CommandError(WRONGTYPE);
  }

  exists(key: string): boolean {
    return this.lookup(key) !== undefined;
  }

  /**
   * Stores a value. The key's TTL is dropped unless keepTtl (SET's KEEPTTL).
   * A key that expired but was not removed yet is expired first (its "expired" event comes
   * before this write's), and a key that did not exist is announced with "new", as Redis does.
   */
  set(key: string, value: StoredValue, keepTtl = false): void {
    if (this.expires.size !== 0) {
      const slot = this.expires.get(key);
      if (slot !== undefined && this.keyspace.deadlines.atOf(slot) <= this.keyspace.now) this.keyspace.expireNow(this, key);
    }
    const before = this.data.size;
    this.data.set(key, value);
    if (this.data.size !== before) this.keyspace.notify(this.index, "new", key);
    else if (!keepTtl && this.expires.size !== 0) this.clearDeadline(key);
  }

  /** Removes a key and its TTL. True when it existed (and was live). */
  delete(key: string): boolean {
    if (this.lookup(key) === undefined) return false;
    this.data.delete(key);
    this.clearDeadline(key);
    return true;
  }

  /** Deadline in ms since the epoch, or undefined for a key without a TTL. */
  deadline(key: string): number | undefined {
    const slot = this.expires.get(key);
    return slot === undefined ? undefined : this.keyspace.deadlines.atOf(slot);
  }

  /** Sets the key's deadline (the key must exist). */
  setDeadline(key: string, at: number): void {
    const slot = this.expires.get(key);
    if (slot !== undefined) this.keyspace.deadlines.update(slot, at);
    else this.expires.set(key, this.keyspace.deadlines.add(this.index, key, at));
    this.keyspace.scheduleExpiry();
  }

  /** Removes the key's TTL. True when it had one. */
  clearDeadline(key: string): boolean {
    const slot = this.expires.get(key);
    if (slot === undefined) return false;
    this.expires.delete(key);
    this.keyspace.deadlines.remove(slot);
    return true;
  }

  /** Live keys, in insertion order. */
  *keys(): IterableIterator<string> {
    const now = this.keyspace.now;
    for (const key of this.data.keys()) {
      if (this.expires.size !== 0) {
        const slot = this.expires.get(key);
        if (slot !== undefined && this.keyspace.deadlines.atOf(slot) <= now) continue;
      }
      yield key;
    }
  }

  /**
   * Removes a key whose deadline passed, as delete() does but without making V8 rehash the
   * map now (KeyMap.bury): the Keyspace sweeps later, when no deadline is due soon.
   */
  removeExpired(key: string): void {
    this.data.bury(key);
    const slot = this.expires.get(key);
    if (slot === undefined) return;
    this.expires.bury(key);
    this.keyspace.deadlines.remove(slot);
  }

  /** Entries buried by expiry and not yet swept. */
  get buried(): number {
    return this.data.buriedSize + this.expires.buriedSize;
  }

  /** Buried entries piled up past the live ones: they are swept even while deadlines are due. */
  get sweepDue(): boolean {
    return this.data.sweepDue || this.expires.sweepDue;
  }

  /** Sweeps each map for buried entries, looking at up to `max` of its entries; returns how many are left. */
  sweep(max: number): number {
    return this.data.sweep(max) + this.expires.sweep(max);
  }

  /** Removes every key. */
  clear(): void {
    if (this.expires.size !== 0) this.keyspace.deadlines.clear(this.index);
    this.data = new KeyMap();
    this.expires = new KeyMap();
  }
}
