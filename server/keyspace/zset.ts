// The sorted set type: members ordered by (score, member bytes), as Redis orders them.
//
// Two structures side by side: a Map from member to score (ZSCORE, membership, the score to
// find a member by), and an order-statistic B+ tree over (score, member) pairs. Leaves hold
// up to LEAF_MAX pairs in two parallel arrays (member strings and unboxed doubles) and link
// to their neighbours; inner nodes hold each child's element count, so a rank is found by
// summing counts on the way down. Every operation is O(log n) with a large base: depth is
// about 4 for a million members. The tree was chosen over a skip list with spans (Redis's
// structure) for memory: a pair costs two array slots here against a node object with two
// per-level arrays there (figures in the commit that introduced this file and in
// docs/performance.md).
//
// Scores never are NaN (callers refuse it). -0 and 0 compare equal, as in C, and both are
// kept as given. Members compare by bytes: they are latin1 byte strings (server/bytes.ts),
// for which JS's < is memcmp's order.

import type { Reply } from "../reply.js";
import type { Container } from "./database.js";
import { globMatch } from "./glob.js";

const LEAF_MAX = 64;
const INNER_MAX = 64;
/** Below this a node is merged with or refilled from a sibling. */
const LEAF_MIN = LEAF_MAX >> 2;
const INNER_MIN = INNER_MAX >> 2;
/** Sets up to this size find lex ranges by a linear walk, as Redis's listpack does (see lexRun). */
const LINEAR_LEX_MAX = 128;

class Leaf {
  members: string[] = [];
  scores: number[] = [];
  next: Leaf | null = null;
  prev: Leaf | null = null;
}

class Inner {
  children: Node[] = [];
  /** Elements under each child. */
  counts: number[] = [];
  /** sepScores[i], sepMembers[i]: a key <= every key of children[i] and > every key of children[i-1] (index 0 unused). */
  sepScores: number[] = [];
  sepMembers: string[] = [];
}

type Node = Leaf | Inner;

function cmp(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

/** First index in a leaf whose pair is >= (score, member). */
function leafLowerBound(leaf: Leaf, score: number, member: string): number {
  const scores = leaf.scores;
  const members = leaf.members;
  let lo = 0;
  let hi = scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(scores[mid]!, members[mid]!, score, member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of an inner node where (score, member) belongs. */
function childFor(node: Inner, score: number, member: string): number {
  const ss = node.sepScores;
  const sm = node.sepMembers;
  let lo = 1;
  let hi = node.children.length;
  // Last i >= 1 whose separator is <= the key; 0 when none.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmp(ss[mid]!, sm[mid]!, score, member) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function sizeOf(node: Node): number {
  if (node instanceof Leaf) return node.scores.length;
  let n = 0;
  const counts = node.counts;
  for (let i = 0; i < counts.length; i++) n += counts[i]!;
  return n;
}

/** A bound on scores: the value and whether it is excluded (`(` in ZRANGEBYSCORE). */
export interface ScoreRange {
  min: number;
  minExclusive: boolean;
  max: number;
  maxExclusive: boolean;
}

/**
 * A bound on members for lex ranges: a byte string with inclusive `[` or exclusive `(`, or
 * `-` (below everything) / `+` (above everything), as Redis's zrangeGenericCommand parses them.
 */
export interface LexBound {
  readonly kind: "-" | "+" | "[" | "(";
  readonly value: string;
}

export interface LexRange {
  min: LexBound;
  max: LexBound;
}

export function lexGteMin(member: string, min: LexBound): boolean {
  switch (min.kind) {
    case "-":
      return true;
    case "+":
      return false;
    case "[":
      return member >= min.value;
    default:
      return member > min.value;
  }
}

export function lexLteMax(member: string, max: LexBound): boolean {
  switch (max.kind) {
    case "+":
      return true;
    case "-":
      return false;
    case "[":
      return member <= max.value;
    default:
      return member < max.value;
  }
}

/** Whether a lex range can hold anything at all (Redis's zslIsInLexRange's first test). */
export function lexRangeEmpty(r: LexRange): boolean {
  if (r.min.kind === "+" || r.max.kind === "-") return true;
  if (r.min.kind === "-" || r.max.kind === "+") return false;
  const c = r.min.value < r.max.value ? -1 : r.min.value > r.max.value ? 1 : 0;
  return c > 0 || (c === 0 && (r.min.kind === "(" || r.max.kind === "("));
}

/** Whether a score range can hold anything at all. */
export function scoreRangeEmpty(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minExclusive || r.maxExclusive));
}

/**
 * A position in rank order, for walking members one at a time (GEO's score windows, ranges
 * with a LIMIT): `valid`, then `member` and `score`, then `next()` or `prev()`.
 */
export class ZCursor {
  /** @internal */
  constructor(
    private leaf: Leaf | null,
    private i: number,
  ) {}

  get valid(): boolean {
    return this.leaf !== null;
  }

  get member(): string {
    return this.leaf!.members[this.i]!;
  }

  get score(): number {
    return this.leaf!.scores[this.i]!;
  }

  next(): void {
    const leaf = this.leaf!;
    if (++this.i < leaf.scores.length) return;
    this.leaf = leaf.next;
    this.i = 0;
  }

  prev(): void {
    if (--this.i >= 0) return;
    this.leaf = this.leaf!.prev;
    this.i = this.leaf === null ? 0 : this.leaf.scores.length - 1;
  }
}

export type ZSetEncoding = "listpack" | "skiplist";

export class ZSetValue implements Container {
  private readonly scores: Map<string, number>;
  private root: Node;
  /**
   * What OBJECT ENCODING says: Redis keeps a small sorted set as a listpack until it passes
   * zset-max-listpack-entries or -value (commands call fit()), and never converts back.
   */
  encoding: ZSetEncoding;

  constructor(encoding: ZSetEncoding = "listpack") {
    this.scores = new Map();
    this.root = new Leaf();
    this.encoding = encoding;
  }

  get type(): "zset" {
    return "zset";
  }

  get size(): number {
    return this.scores.size;
  }

  /** The member's score, or undefined. */
  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  has(member: string): boolean {
    return this.scores.has(member);
  }

  /**
   * Sets a member's score, adding it if needed. True when the member is new. A score change
   * that keeps the member between its neighbours is made in place.
   */
  add(member: string, score: number): boolean {
    // A listpack holds scores as text that reads back as an integer where it can: -0 becomes 0.
    if (score === 0 && this.encoding === "listpack") score = 0;
    const old = this.scores.get(member);
    if (old === undefined) {
      this.scores.set(member, score);
      this.insert(score, member);
      return true;
    }
    if (Object.is(old, score)) return false;
    this.scores.set(member, score);
    if (!this.updateInPlace(old, member, score)) {
      this.delete(old, member);
      this.insert(score, member);
    }
    return false;
  }

  /** True when the member was there. */
  remove(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.scores.delete(member);
    this.delete(score, member);
    return true;
  }

  /** 0-based rank in ascending order (ZRANK), or -1 for a member not in the set. */
  rank(member: string): number {
    const score = this.scores.get(member);
    if (score === undefined) return -1;
    return this.countBelow(score, member, false);
  }

  /** The member at a rank (0 <= rank < size). */
  memberAt(rank: number): string {
    const c = this.cursorAt(rank);
    return c.member;
  }

  /** The score at a rank (0 <= rank < size). */
  scoreAt(rank: number): number {
    const c = this.cursorAt(rank);
    return c.score;
  }

  /** A cursor on the member at a rank; not valid when rank is outside 0..size-1. */
  cursorAt(rank: number): ZCursor {
    if (rank < 0 || rank >= this.scores.size) return new ZCursor(null, 0);
    let node = this.root;
    while (node instanceof Inner) {
      const counts = node.counts;
      let i = 0;
      while (rank >= counts[i]!) rank -= counts[i++]!;
      node = node.children[i]!;
    }
    return new ZCursor(node, rank);
  }

  /**
   * Pushes the members ranked start..stop (inclusive, 0 <= start <= stop < size), in
   * descending rank order when reverse, and their scores into `scores` when given.
   */
  collect(start: number, stop: number, reverse: boolean, members: string[], scores: number[] | null): void {
    const c = this.cursorAt(reverse ? stop : start);
    for (let n = stop - start + 1; n > 0; n--) {
      members.push(c.member);
      if (scores !== null) scores.push(c.score);
      if (reverse) c.prev();
      else c.next();
    }
  }

  /** Rank of the first member whose score is >= min (> min when exclusive); size when none. */
  firstScoreRank(min: number, exclusive: boolean): number {
    return this.countScoreBelow(min, exclusive);
  }

  /** Rank of the last member whose score is <= max (< max when exclusive); -1 when none. */
  lastScoreRank(max: number, exclusive: boolean): number {
    return this.countScoreBelow(max, !exclusive) - 1;
  }

  /** The ranks [first, last] of the members in a score range; last < first when none. */
  scoreRanks(r: ScoreRange): [first: number, last: number] {
    if (scoreRangeEmpty(r)) return [0, -1];
    return [this.firstScoreRank(r.min, r.minExclusive), this.lastScoreRank(r.max, r.maxExclusive)];
  }

  /** Members with a score in the range (ZCOUNT). */
  countInScore(r: ScoreRange): number {
    if (scoreRangeEmpty(r)) return 0;
    const first = this.firstScoreRank(r.min, r.minExclusive);
    const last = this.lastScoreRank(r.max, r.maxExclusive);
    return last >= first ? last - first + 1 : 0;
  }

  /**
   * The ranks [first, last] of a lex range, as Redis finds them: the first member from the
   * lowest rank that is >= min, then every following member while it is <= max (or, with
   * reverse, the first from the top that is <= max, then down while >= min). On a set whose
   * members do not all share one score the two directions can disagree, as they do in Redis.
   * Returns last < first when the range is empty.
   */
  lexRun(r: LexRange, reverse: boolean): [first: number, last: number] {
    const size = this.scores.size;
    if (size === 0 || lexRangeEmpty(r)) return [0, -1];
    // Redis first tests the two ends (zslIsInLexRange): the top member must pass min and the
    // bottom one max, or the range is empty even where members in between would pass.
    if (!lexGteMin(this.memberAt(size - 1), r.min) || !lexLteMax(this.memberAt(0), r.max)) return [0, -1];
    if (size <= LINEAR_LEX_MAX) return reverse ? this.lexRunDown(r) : this.lexRunUp(r);
    const first = this.countLexBelow(r.min, true);
    const last = this.countLexBelow(r.max, false) - 1;
    if (first >= size || last < first) return [0, -1];
    return [first, last];
  }

  private lexRunUp(r: LexRange): [number, number] {
    const c = this.cursorAt(0);
    let i = 0;
    while (c.valid && !lexGteMin(c.member, r.min)) {
      c.next();
      i++;
    }
    const first = i;
    while (c.valid && lexLteMax(c.member, r.max)) {
      c.next();
      i++;
    }
    return [first, i - 1];
  }

  private lexRunDown(r: LexRange): [number, number] {
    let i = this.scores.size - 1;
    const c = this.cursorAt(i);
    while (c.valid && !lexLteMax(c.member, r.max)) {
      c.prev();
      i--;
    }
    const last = i;
    while (c.valid && lexGteMin(c.member, r.min)) {
      c.prev();
      i--;
    }
    return [i + 1, last];
  }

  /** Every member and its score, in no particular order. */
  entries(): IterableIterator<[string, number]> {
    return this.scores.entries();
  }

  /** The members, in no particular order. */
  memberKeys(): IterableIterator<string> {
    return this.scores.keys();
  }

  /** The whole value for watch snapshots and full-value events: flat [member, score, ...] in rank order. */
  toReply(): Reply {
    return this.flatRange(0, this.scores.size - 1);
  }

  /** Flat [member, score, ...] for ranks start..stop (clamped), scores as numbers. */
  flatRange(start: number, stop: number): Reply[] {
    const size = this.scores.size;
    if (start < 0) start = 0;
    if (stop >= size) stop = size - 1;
    const out: Reply[] = [];
    if (stop < start) return out;
    const c = this.cursorAt(start);
    for (let n = stop - start + 1; n > 0; n--) {
      out.push(c.member, c.score);
      c.next();
    }
    return out;
  }

  clone(): ZSetValue {
    const z = new ZSetValue(this.encoding);
    z.loadSorted(this);
    return z;
  }

  /**
   * Call before adding a member that is not in the set yet: a listpack becomes a skiplist
   * when the member would take it past maxEntries or is longer than maxValue bytes, as
   * Redis's zsetAdd converts before inserting.
   */
  beforeAdd(member: string, maxEntries: number, maxValue: number): void {
    if (this.encoding === "listpack" && (this.scores.size + 1 > maxEntries || member.length > maxValue)) this.encoding = "skiplist";
  }

  /**
   * Brings the encoding up to date after adding members: a listpack becomes a skiplist past
   * maxEntries members or when a member longer than maxValue bytes was added (longest).
   */
  fit(maxEntries: number, maxValue: number, longest: number): void {
    if (this.encoding === "listpack" && (this.scores.size > maxEntries || longest > maxValue)) this.encoding = "skiplist";
  }

  /**
   * Makes a freshly built set a listpack when it fits (Redis converts the results of the
   * STORE commands): at most maxEntries members, none longer than maxValue bytes.
   */
  compact(maxEntries: number, maxValue: number): void {
    if (this.encoding === "listpack" || this.scores.size > maxEntries) return;
    for (const m of this.scores.keys()) if (m.length > maxValue) return;
    this.encoding = "listpack";
    const c = this.cursorAt(0);
    const negZero: string[] = [];
    while (c.valid) {
      if (Object.is(c.score, -0)) negZero.push(c.member);
      c.next();
    }
    for (const m of negZero) this.add(m, 0);
  }

  /**
   * One ZSCAN step. A listpack answers whole with cursor 0, as Redis's does. Otherwise members
   * are walked in the member map's order, which score changes do not disturb; the cursor is
   * the position reached. The live iterator behind the cursor last handed out is kept, so a
   * scan that goes on meets every member that was there throughout exactly once; any other
   * cursor restarts from the map's start and skips that many members.
   * Pushes member, score for each match; returns the next cursor (0 when complete).
   */
  scan(cursor: number, count: number, pattern: string | null, out: Reply[]): number {
    if (this.encoding === "listpack") {
      const c = this.cursorAt(0);
      while (c.valid) {
        if (pattern === null || globMatch(pattern, c.member)) out.push(c.member, c.score);
        c.next();
      }
      return 0;
    }
    let it: Iterator<[string, number]>;
    let pending: string | null = null;
    if (cursor !== 0 && this.scanIterator !== null && this.scanCursor === cursor) {
      it = this.scanIterator;
      pending = this.scanPending;
    } else {
      it = this.scores.entries();
      for (let i = 0; i < cursor; i++) if (it.next().done) break;
    }
    this.scanIterator = null;
    let pos = cursor;
    for (let n = 0; n < count; n++) {
      let m: string;
      if (pending !== null) {
        m = pending;
        pending = null;
        if (!this.scores.has(m)) {
          n--;
          continue;
        }
      } else {
        const r = it.next();
        if (r.done) return 0;
        m = r.value[0];
      }
      pos++;
      if (pattern === null || globMatch(pattern, m)) out.push(m, this.scores.get(m)!);
    }
    // One step ahead, so that the last page says 0 rather than leading to an empty one.
    if (pending === null) {
      const r = it.next();
      if (r.done) return 0;
      pending = r.value[0];
    }
    this.scanIterator = it;
    this.scanPending = pending;
    this.scanCursor = pos;
    return pos;
  }

  private scanIterator: Iterator<[string, number]> | null = null;
  private scanPending: string | null = null;
  private scanCursor = 0;

  /** Fills an empty set from another set's pairs, in order (clone, snapshots). */
  private loadSorted(from: ZSetValue): void {
    const c = from.cursorAt(0);
    const members: string[] = [];
    const scores: number[] = [];
    while (c.valid) {
      members.push(c.member);
      scores.push(c.score);
      c.next();
    }
    this.buildFrom(members, scores);
  }

  /**
   * Builds the tree bottom-up from pairs already in (score, member) order and distinct:
   * full nodes but the last ones, in O(n). The set must be empty.
   */
  buildFrom(members: string[], scores: number[]): void {
    const n = members.length;
    for (let i = 0; i < n; i++) this.scores.set(members[i]!, scores[i]!);
    if (n <= LEAF_MAX) {
      const leaf = new Leaf();
      leaf.members = members.slice();
      leaf.scores = scores.slice();
      this.root = leaf;
      return;
    }
    // Leaves 3/4 full, so that the next inserts do not split at once.
    const per = (LEAF_MAX * 3) >> 2;
    let level: Node[] = [];
    let prev: Leaf | null = null;
    for (let i = 0; i < n; i += per) {
      const leaf = new Leaf();
      let end = Math.min(n, i + per);
      // A short last leaf takes from the one before it rather than staying under LEAF_MIN.
      if (n - end > 0 && n - end < LEAF_MIN) end = n;
      leaf.members = members.slice(i, end);
      leaf.scores = scores.slice(i, end);
      leaf.prev = prev;
      if (prev !== null) prev.next = leaf;
      prev = leaf;
      level.push(leaf);
      if (end === n) break;
    }
    const fan = (INNER_MAX * 3) >> 2;
    while (level.length > 1) {
      const up: Node[] = [];
      for (let i = 0; i < level.length; i += fan) {
        let end = Math.min(level.length, i + fan);
        if (level.length - end > 0 && level.length - end < INNER_MIN) end = level.length;
        const node = new Inner();
        for (let j = i; j < end; j++) {
          const child = level[j]!;
          node.children.push(child);
          node.counts.push(sizeOf(child));
          const [s, m] = firstKey(child);
          node.sepScores.push(s);
          node.sepMembers.push(m);
        }
        up.push(node);
        if (end === level.length) break;
      }
      level = up;
    }
    this.root = level[0]!;
  }

  // --- the tree -------------------------------------------------------------------------

  /** Members whose pair is < (score, member), or <= it when inclusive. */
  private countBelow(score: number, member: string, inclusive: boolean): number {
    let node = this.root;
    let rank = 0;
    while (node instanceof Inner) {
      const i = childFor(node, score, member);
      const counts = node.counts;
      for (let j = 0; j < i; j++) rank += counts[j]!;
      node = node.children[i]!;
    }
    let i = leafLowerBound(node, score, member);
    if (inclusive && i < node.scores.length && cmp(node.scores[i]!, node.members[i]!, score, member) === 0) i++;
    return rank + i;
  }

  /** Members whose score is < s (<= s when inclusive). */
  private countScoreBelow(s: number, inclusive: boolean): number {
    let node = this.root;
    let rank = 0;
    while (node instanceof Inner) {
      const ss = node.sepScores;
      let i = node.children.length - 1;
      while (i > 0 && (inclusive ? ss[i]! > s : ss[i]! >= s)) i--;
      const counts = node.counts;
      for (let j = 0; j < i; j++) rank += counts[j]!;
      node = node.children[i]!;
    }
    const scores = node.scores;
    let lo = 0;
    let hi = scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inclusive ? scores[mid]! <= s : scores[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return rank + lo;
  }

  /**
   * Members below a lex bound, treating the members as sorted (true when they share a score):
   * for a min bound, those that fail it; for a max bound, those that pass it.
   */
  private countLexBelow(b: LexBound, isMin: boolean): number {
    if (b.kind === "-") return 0;
    if (b.kind === "+") return this.scores.size;
    const below = (m: string): boolean => (isMin ? !lexGteMin(m, b) : lexLteMax(m, b));
    let node = this.root;
    let rank = 0;
    while (node instanceof Inner) {
      const sm = node.sepMembers;
      let i = node.children.length - 1;
      while (i > 0 && !below(sm[i]!)) i--;
      const counts = node.counts;
      for (let j = 0; j < i; j++) rank += counts[j]!;
      node = node.children[i]!;
    }
    const members = node.members;
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (below(members[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return rank + lo;
  }

  /**
   * A new score that keeps the member strictly between its neighbours in the same leaf:
   * changed in place. The leaf's first and last keys stay, so every separator stays valid.
   */
  private updateInPlace(old: number, member: string, score: number): boolean {
    let node = this.root;
    while (node instanceof Inner) node = node.children[childFor(node, old, member)]!;
    const i = leafLowerBound(node, old, member);
    const scores = node.scores;
    const members = node.members;
    if (i === 0 || i + 1 >= scores.length) return false;
    if (cmp(scores[i - 1]!, members[i - 1]!, score, member) >= 0) return false;
    if (cmp(scores[i + 1]!, members[i + 1]!, score, member) <= 0) return false;
    scores[i] = score;
    return true;
  }

  private insert(score: number, member: string): void {
    const split = this.insertInto(this.root, score, member);
    if (split !== null) {
      const root = new Inner();
      root.children.push(this.root, split);
      root.counts.push(sizeOf(this.root), sizeOf(split));
      const [s, m] = firstKey(split);
      root.sepScores.push(0, s);
      root.sepMembers.push("", m);
      this.root = root;
    }
  }

  /** Inserts under node; returns the new right sibling when node split. */
  private insertInto(node: Node, score: number, member: string): Node | null {
    if (node instanceof Leaf) {
      const i = leafLowerBound(node, score, member);
      node.members.splice(i, 0, member);
      node.scores.splice(i, 0, score);
      if (node.scores.length <= LEAF_MAX) return null;
      const right = new Leaf();
      const half = node.scores.length >> 1;
      right.members = node.members.splice(half);
      right.scores = node.scores.splice(half);
      right.next = node.next;
      if (right.next !== null) right.next.prev = right;
      right.prev = node;
      node.next = right;
      return right;
    }
    const i = childFor(node, score, member);
    const child = node.children[i]!;
    const split = this.insertInto(child, score, member);
    node.counts[i]!++;
    if (split === null) return null;
    const moved = sizeOf(split);
    node.counts[i] = node.counts[i]! - moved;
    const [s, m] = firstKey(split);
    node.children.splice(i + 1, 0, split);
    node.counts.splice(i + 1, 0, moved);
    node.sepScores.splice(i + 1, 0, s);
    node.sepMembers.splice(i + 1, 0, m);
    if (node.children.length <= INNER_MAX) return null;
    const right = new Inner();
    const half = node.children.length >> 1;
    right.children = node.children.splice(half);
    right.counts = node.counts.splice(half);
    right.sepScores = node.sepScores.splice(half);
    right.sepMembers = node.sepMembers.splice(half);
    return right;
  }

  private delete(score: number, member: string): void {
    this.deleteFrom(this.root, score, member);
    const root = this.root;
    if (root instanceof Inner && root.children.length === 1) this.root = root.children[0]!;
  }

  private deleteFrom(node: Node, score: number, member: string): void {
    if (node instanceof Leaf) {
      const i = leafLowerBound(node, score, member);
      node.members.splice(i, 1);
      node.scores.splice(i, 1);
      return;
    }
    const i = childFor(node, score, member);
    const child = node.children[i]!;
    this.deleteFrom(child, score, member);
    node.counts[i]!--;
    const small = child instanceof Leaf ? child.scores.length < LEAF_MIN : child.children.length < INNER_MIN;
    if (small && node.children.length > 1) this.rebalance(node, i === 0 ? 0 : i - 1);
  }

  /** Children j and j+1 of node: merged into one when they fit, else shared out evenly. */
  private rebalance(node: Inner, j: number): void {
    const a = node.children[j]!;
    const b = node.children[j + 1]!;
    if (a instanceof Leaf) {
      const lb = b as Leaf;
      const total = a.scores.length + lb.scores.length;
      if (total <= LEAF_MAX) {
        for (let k = 0; k < lb.scores.length; k++) {
          a.members.push(lb.members[k]!);
          a.scores.push(lb.scores[k]!);
        }
        a.next = lb.next;
        if (a.next !== null) a.next.prev = a;
        this.dropChild(node, j, total);
        return;
      }
      const members = a.members.concat(lb.members);
      const scores = a.scores.concat(lb.scores);
      const half = total >> 1;
      a.members = members.slice(0, half);
      a.scores = scores.slice(0, half);
      lb.members = members.slice(half);
      lb.scores = scores.slice(half);
      node.counts[j] = half;
      node.counts[j + 1] = total - half;
      node.sepScores[j + 1] = lb.scores[0]!;
      node.sepMembers[j + 1] = lb.members[0]!;
      return;
    }
    const ib = b as Inner;
    // b's first separator slot is unused; in the combined node it takes the separator between a and b.
    ib.sepScores[0] = node.sepScores[j + 1]!;
    ib.sepMembers[0] = node.sepMembers[j + 1]!;
    const children = a.children.concat(ib.children);
    const counts = a.counts.concat(ib.counts);
    const sepScores = a.sepScores.concat(ib.sepScores);
    const sepMembers = a.sepMembers.concat(ib.sepMembers);
    const total = node.counts[j]! + node.counts[j + 1]!;
    if (children.length <= INNER_MAX) {
      a.children = children;
      a.counts = counts;
      a.sepScores = sepScores;
      a.sepMembers = sepMembers;
      this.dropChild(node, j, total);
      return;
    }
    const half = children.length >> 1;
    a.children = children.slice(0, half);
    a.counts = counts.slice(0, half);
    a.sepScores = sepScores.slice(0, half);
    a.sepMembers = sepMembers.slice(0, half);
    ib.children = children.slice(half);
    ib.counts = counts.slice(half);
    ib.sepScores = sepScores.slice(half);
    ib.sepMembers = sepMembers.slice(half);
    let left = 0;
    for (const c of a.counts) left += c;
    node.counts[j] = left;
    node.counts[j + 1] = total - left;
    node.sepScores[j + 1] = ib.sepScores[0]!;
    node.sepMembers[j + 1] = ib.sepMembers[0]!;
  }

  /** Child j+1 of node was merged into child j, which now holds `total`. */
  private dropChild(node: Inner, j: number, total: number): void {
    node.children.splice(j + 1, 1);
    node.counts.splice(j + 1, 1);
    node.sepScores.splice(j + 1, 1);
    node.sepMembers.splice(j + 1, 1);
    node.counts[j] = total;
  }

  /** Checks the tree's invariants; throws on a violation (tests). */
  check(): void {
    let n = 0;
    let prevLeaf: Leaf | null = null;
    let last: [number, string] | null = null;
    const walk = (node: Node, lo: [number, string] | null, depth: number): [number, number] => {
      if (node instanceof Leaf) {
        if (node.prev !== prevLeaf) throw new Error("leaf prev link");
        if (prevLeaf !== null && prevLeaf.next !== node) throw new Error("leaf next link");
        prevLeaf = node;
        for (let i = 0; i < node.scores.length; i++) {
          const s = node.scores[i]!;
          const m = node.members[i]!;
          if (last !== null && cmp(last[0], last[1], s, m) >= 0) throw new Error("order");
          if (lo !== null && cmp(lo[0], lo[1], s, m) > 0) throw new Error("separator above a key");
          if (!Object.is(this.scores.get(m), s)) throw new Error(`map score of ${m}`);
          last = [s, m];
          n++;
        }
        return [node.scores.length, depth];
      }
      let total = 0;
      let d = -1;
      for (let i = 0; i < node.children.length; i++) {
        const bound: [number, string] | null = i === 0 ? lo : [node.sepScores[i]!, node.sepMembers[i]!];
        if (i > 0 && last !== null && cmp(last[0], last[1], bound![0], bound![1]) >= 0) throw new Error("separator not above the left child");
        const [size, cd] = walk(node.children[i]!, bound, depth + 1);
        if (size !== node.counts[i]) throw new Error("count");
        if (d !== -1 && cd !== d) throw new Error("depth");
        d = cd;
        total += size;
      }
      return [total, d];
    };
    walk(this.root, null, 0);
    if (prevLeaf !== null && (prevLeaf as Leaf).next !== null) throw new Error("last leaf next link");
    if (n !== this.scores.size) throw new Error("size");
  }
}

function firstKey(node: Node): [number, string] {
  while (node instanceof Inner) node = node.children[0]!;
  return [node.scores[0]!, node.members[0]!];
}
