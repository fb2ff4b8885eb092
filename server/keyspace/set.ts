// The set type. Members live in a dense array (so a random member is one index away, as
// SPOP and SRANDMEMBER need) and a Map from member to its position (so SADD, SREM and
// SISMEMBER are O(1)). Removal moves the last member into the hole.
//
// SSCAN walks positions from the end of the array down to 0. A swap-remove only ever moves
// a member to a lower position, so a member that is there for the whole scan is never
// carried from the unvisited part (below the cursor) into the visited part: SCAN's
// guarantee holds however the set changes between calls.

import type { Reply } from "../reply.js";
import type { Container } from "./database.js";
import { globMatch } from "./glob.js";

/** Containers up to this size answer a scan in one reply with cursor 0, as Redis's small encodings do. */
export const SMALL_SCAN_MAX = 128;

export class SetValue implements Container {
  private members: string[];
  private index: Map<string, number>;

  constructor(members: string[] = [], index: Map<string, number> = new Map()) {
    this.members = members;
    this.index = index;
  }

  /** A set of members known to be distinct, taking ownership of the array. */
  static fromDistinct(members: string[]): SetValue {
    const index = new Map<string, number>();
    for (let i = 0; i < members.length; i++) index.set(members[i]!, i);
    return new SetValue(members, index);
  }

  get type(): "set" {
    return "set";
  }

  get size(): number {
    return this.members.length;
  }

  has(member: string): boolean {
    return this.index.has(member);
  }

  /** True when the member was not there yet. */
  add(member: string): boolean {
    if (this.index.has(member)) return false;
    this.index.set(member, this.members.length);
    this.members.push(member);
    return true;
  }

  /** True when the member was there. */
  remove(member: string): boolean {
    const i = this.index.get(member);
    if (i === undefined) return false;
    this.index.delete(member);
    this.removeAt(i);
    return true;
  }

  /** A uniformly random member; the set must not be empty. */
  random(): string {
    return this.members[(Math.random() * this.members.length) | 0]!;
  }

  /** Removes and returns a uniformly random member; the set must not be empty. */
  pop(): string {
    const i = (Math.random() * this.members.length) | 0;
    const member = this.members[i]!;
    this.index.delete(member);
    this.removeAt(i);
    return member;
  }

  /** The member at a position (0 <= i < size), for sampling. */
  at(i: number): string {
    return this.members[i]!;
  }

  /** The members, in no particular order: the set's own storage, to read right away (no copy). */
  view(): readonly string[] {
    return this.members;
  }

  /** A copy of the members, in no particular order. */
  toArray(): string[] {
    return this.members.slice();
  }

  /** Takes every member out at once and leaves the set empty: for a set about to be dropped. */
  drain(): string[] {
    const members = this.members;
    this.members = [];
    this.index = new Map();
    return members;
  }

  /** The whole value for watch snapshots and full-value events (server/events/values.ts): an array. */
  toReply(): Reply {
    return this.members.slice();
  }

  clone(): SetValue {
    return new SetValue(this.members.slice(), new Map(this.index));
  }

  /**
   * One SSCAN step: visits up to `count` positions below the cursor (0 = start) and
   * pushes the members that match. Returns the next cursor; 0 when the scan is complete.
   */
  scan(cursor: number, count: number, pattern: string | null, out: string[]): number {
    const members = this.members;
    let i = members.length;
    let stop = 0;
    if (i > SMALL_SCAN_MAX) {
      if (cursor !== 0 && cursor < i) i = cursor;
      stop = Math.max(0, i - count);
    }
    while (i > stop) {
      const m = members[--i]!;
      if (pattern === null || globMatch(pattern, m)) out.push(m);
    }
    return i;
  }

  private removeAt(i: number): void {
    const members = this.members;
    const last = members.pop()!;
    if (i < members.length) {
      members[i] = last;
      this.index.set(last, i);
    }
  }
}

/**
 * `count` distinct positions out of `size` (count < size), uniformly: rejection sampling
 * while that stays cheap, otherwise a partial shuffle of all positions.
 */
export function distinctPositions(size: number, count: number): number[] {
  const out: number[] = new Array(count);
  if (count * 2 <= size) {
    const seen = new Set<number>();
    let n = 0;
    while (n < count) {
      const i = (Math.random() * size) | 0;
      if (seen.has(i)) continue;
      seen.add(i);
      out[n++] = i;
    }
    return out;
  }
  const all: number[] = new Array(size);
  for (let i = 0; i < size; i++) all[i] = i;
  for (let n = 0; n < count; n++) {
    const j = n + ((Math.random() * (size - n)) | 0);
    const pick = all[j]!;
    all[j] = all[n]!;
    out[n] = pick;
  }
  return out;
}
