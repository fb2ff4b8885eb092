// The list type's value: a ring buffer of byte strings with a power-of-two capacity, so that
// pushes and pops at either end are O(1) amortized and any index is one masked load away.
// Indexes in this API are logical (0 = head) and already validated by the caller.

import type { Container } from "./database.js";

/** Smallest buffer: most lists are short, and each one pays for its buffer up front. */
const MIN_CAPACITY = 4;
/** 2^30: keeps head + index within a 31-bit integer, so `& mask` never sees a wrapped value. */
const MAX_CAPACITY = 2 ** 30;

function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < n) cap *= 2;
  if (cap > MAX_CAPACITY) throw new RangeError("list too long");
  return cap;
}

export class Deque implements Container {
  readonly type = "list" as const;
  private buf: (string | undefined)[];
  private mask: number;
  private head = 0;
  private len = 0;

  constructor(capacity = MIN_CAPACITY) {
    const cap = capacityFor(capacity);
    this.buf = new Array<string | undefined>(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.len;
  }

  /** Slots allocated (for memory estimates, and to check that the buffer shrinks). */
  get capacity(): number {
    return this.buf.length;
  }

  /** The element at a logical index in [0, size). */
  at(i: number): string {
    return this.buf[(this.head + i) & this.mask] as string;
  }

  /** Replaces the element at a logical index in [0, size). */
  set(i: number, value: string): void {
    this.buf[(this.head + i) & this.mask] = value;
  }

  pushFront(value: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = value;
    this.len++;
  }

  pushBack(value: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = value;
    this.len++;
  }

  /** Makes room for n more elements at once, so a big push grows the buffer once. */
  reserve(n: number): void {
    if (this.len + n > this.buf.length) this.resize(capacityFor(this.len + n));
  }

  popFront(): string | undefined {
    if (this.len === 0) return undefined;
    const value = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return value;
  }

  popBack(): string | undefined {
    if (this.len === 0) return undefined;
    const slot = (this.head + this.len - 1) & this.mask;
    const value = this.buf[slot];
    this.buf[slot] = undefined;
    this.len--;
    this.maybeShrink();
    return value;
  }

  /** Removes up to n elements from the head; returns them in pop order. */
  popFrontMany(n: number): string[] {
    const count = Math.min(n, this.len);
    const out = this.range(0, count);
    this.trim(count, 0);
    return out;
  }

  /** Removes up to n elements from the tail; returns them in pop order (last first). */
  popBackMany(n: number): string[] {
    const count = Math.min(n, this.len);
    const out = new Array<string>(count);
    const last = this.head + this.len - 1;
    for (let i = 0; i < count; i++) out[i] = this.buf[(last - i) & this.mask] as string;
    this.trim(0, count);
    return out;
  }

  /** `count` elements from logical index `start`, as a new array. */
  range(start: number, count: number): string[] {
    const out = new Array<string>(count);
    const buf = this.buf;
    const mask = this.mask;
    const from = this.head + start;
    for (let i = 0; i < count; i++) out[i] = buf[(from + i) & mask] as string;
    return out;
  }

  /** Every element, head first. */
  toReply(): string[] {
    return this.toArray();
  }

  toArray(): string[] {
    return this.range(0, this.len);
  }

  /** Drops `front` elements from the head and `back` from the tail: O(dropped), or O(kept) when that is smaller. */
  trim(front: number, back: number): void {
    const kept = this.len - front - back;
    if (kept <= 0) {
      this.buf = new Array<string | undefined>(MIN_CAPACITY);
      this.mask = MIN_CAPACITY - 1;
      this.head = 0;
      this.len = 0;
      return;
    }
    const cap = this.buf.length;
    if (cap > MIN_CAPACITY && kept <= cap >>> 2) {
      // The old buffer goes away whole, so the dropped slots need no clearing.
      this.head = (this.head + front) & this.mask;
      this.len = kept;
      this.resize(capacityFor(kept * 2));
      return;
    }
    const buf = this.buf;
    const mask = this.mask;
    for (let i = 0; i < front; i++) buf[(this.head + i) & mask] = undefined;
    const tailStart = this.head + this.len - back;
    for (let i = 0; i < back; i++) buf[(tailStart + i) & mask] = undefined;
    this.head = (this.head + front) & mask;
    this.len = kept;
  }

  /** Inserts before logical index i (i = size appends), moving whichever side is shorter. */
  insert(i: number, value: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    if (i < this.len >>> 1) {
      this.head = (this.head - 1) & this.mask;
      for (let j = 0; j < i; j++) this.set(j, this.at(j + 1));
    } else {
      for (let j = this.len; j > i; j--) this.set(j, this.at(j - 1));
    }
    this.set(i, value);
    this.len++;
  }

  /** Logical index of the first element equal to value, or -1. */
  indexOf(value: string): number {
    for (let i = 0; i < this.len; i++) if (this.at(i) === value) return i;
    return -1;
  }

  /**
   * Removes elements equal to value: the first `limit` from the head (limit > 0), the last
   * -limit from the tail (limit < 0), or all (limit = 0). Returns how many were removed.
   */
  remove(value: string, limit: number): number {
    // The removed elements are exactly the matches within [lo, hi]; only the shorter side
    // of the list outside that span has to move.
    let lo = -1;
    let hi = -1;
    let removed = 0;
    const max = limit === 0 ? Infinity : Math.abs(limit);
    if (limit >= 0) {
      for (let i = 0; i < this.len && removed < max; i++) {
        if (this.at(i) === value) {
          if (lo < 0) lo = i;
          hi = i;
          removed++;
        }
      }
    } else {
      for (let i = this.len - 1; i >= 0 && removed < max; i--) {
        if (this.at(i) === value) {
          if (hi < 0) hi = i;
          lo = i;
          removed++;
        }
      }
    }
    if (removed === 0) return 0;
    if (removed === this.len) {
      this.trim(this.len, 0);
      return removed;
    }
    if (lo < this.len - 1 - hi) {
      // Close the gaps by moving the head side towards the tail.
      let w = hi;
      for (let r = hi; r >= 0; r--) {
        const x = this.at(r);
        if (r >= lo && x === value) continue;
        if (w !== r) this.set(w, x);
        w--;
      }
      this.trim(removed, 0);
    } else {
      let w = lo;
      for (let r = lo; r < this.len; r++) {
        const x = this.at(r);
        if (r <= hi && x === value) continue;
        if (w !== r) this.set(w, x);
        w++;
      }
      this.trim(0, removed);
    }
    return removed;
  }

  /** A deep copy (elements are immutable strings, so copying the slots suffices). */
  clone(): Deque {
    const copy = new Deque(this.len);
    const buf = copy.buf;
    for (let i = 0; i < this.len; i++) buf[i] = this.at(i);
    copy.len = this.len;
    return copy;
  }

  private maybeShrink(): void {
    const cap = this.buf.length;
    // Halve at a quarter full: with growth at full, a push/pop pair never resizes twice.
    if (cap > MIN_CAPACITY && this.len <= cap >>> 2) this.resize(cap >>> 1);
  }

  /** Moves the elements into a new buffer of the given capacity, head at slot 0. */
  private resize(cap: number): void {
    if (cap > MAX_CAPACITY) throw new RangeError("list too long");
    const next = new Array<string | undefined>(cap);
    const buf = this.buf;
    const mask = this.mask;
    for (let i = 0; i < this.len; i++) next[i] = buf[(this.head + i) & mask];
    this.buf = next;
    this.mask = cap - 1;
    this.head = 0;
  }
}
