// The sorted set's structure, measured in-process on N members (default 1,000,000; short
// members "m:<i>", integer scores): the order-statistic B+ tree keycast uses
// (server/keyspace/zset.ts, from dist/) against a skip list with spans written the way Redis
// lays one out (one node per member, forward pointer and span per level, p = 1/4), both
// beside the same member -> score Map. Memory is the heap after a full GC, per member.
//
//   npm run build && node --expose-gc bench/zset-structure.mjs [N]

import { ZSetValue } from "../dist/server/keyspace/zset.js";

const N = Number(process.argv[2] ?? 1_000_000);
const MAX_LEVEL = 32;

class SkipNode {
  constructor(member, score, level) {
    this.member = member;
    this.score = score;
    this.backward = null;
    // forward[i] and span[i] interleaved in one array: [next0, span0, next1, span1, ...].
    this.levels = new Array(level * 2);
  }
}

class SkipList {
  constructor() {
    this.head = new SkipNode("", 0, MAX_LEVEL);
    for (let i = 0; i < MAX_LEVEL; i++) {
      this.head.levels[2 * i] = null;
      this.head.levels[2 * i + 1] = 0;
    }
    this.level = 1;
    this.length = 0;
    this.scores = new Map();
    this.update = new Array(MAX_LEVEL);
    this.rankAt = new Array(MAX_LEVEL);
  }
  static less(a, score, member) {
    return a.score < score || (a.score === score && a.member < member);
  }
  add(member, score) {
    this.scores.set(member, score);
    const update = this.update;
    const rank = this.rankAt;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1];
      let next = x.levels[2 * i];
      while (next !== null && SkipList.less(next, score, member)) {
        rank[i] += x.levels[2 * i + 1];
        x = next;
        next = x.levels[2 * i];
      }
      update[i] = x;
    }
    let level = 1;
    while (level < MAX_LEVEL && Math.random() < 0.25) level++;
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.levels[2 * i + 1] = this.length;
      }
      this.level = level;
    }
    const node = new SkipNode(member, score, level);
    for (let i = 0; i < level; i++) {
      const u = update[i];
      node.levels[2 * i] = u.levels[2 * i];
      u.levels[2 * i] = node;
      node.levels[2 * i + 1] = u.levels[2 * i + 1] - (rank[0] - rank[i]);
      u.levels[2 * i + 1] = rank[0] - rank[i] + 1;
    }
    for (let i = level; i < this.level; i++) update[i].levels[2 * i + 1]++;
    node.backward = update[0] === this.head ? null : update[0];
    this.length++;
  }
  rank(member) {
    const score = this.scores.get(member);
    if (score === undefined) return -1;
    let x = this.head;
    let rank = 0;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.levels[2 * i];
      while (next !== null && (SkipList.less(next, score, member) || (next.score === score && next.member === member))) {
        rank += x.levels[2 * i + 1];
        x = next;
        next = x.levels[2 * i];
      }
      if (x.member === member && x !== this.head) return rank - 1;
    }
    return -1;
  }
}

function heap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

function measure(name, make) {
  // Members made beforehand, so that both structures pay for the same strings; their cost is
  // counted once, separately.
  const before = heap();
  const members = new Array(N);
  for (let i = 0; i < N; i++) members[i] = `m:${i}`;
  const strings = heap() - before;
  const order = new Uint32Array(N);
  for (let i = 0; i < N; i++) order[i] = i;
  for (let i = N - 1; i > 0; i--) {
    const j = (Math.random() * (i + 1)) | 0;
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  const base = heap();
  const z = make();
  let t = performance.now();
  for (let i = 0; i < N; i++) {
    const k = order[i];
    z.add(members[k], k % 100_000);
  }
  const insertMs = performance.now() - t;
  const bytes = heap() - base;
  t = performance.now();
  let sum = 0;
  const R = Math.min(N, 1_000_000);
  for (let i = 0; i < R; i++) sum += z.rank(members[order[i]]);
  const rankMs = performance.now() - t;
  if (sum < 0) throw new Error("rank");
  console.log(
    `${name.padEnd(10)} insert ${((insertMs * 1e6) / N).toFixed(0)} ns/member, rank ${((rankMs * 1e6) / R).toFixed(0)} ns, ` +
      `structure + map ${(bytes / N).toFixed(1)} B/member, member strings ${(strings / N).toFixed(1)} B/member`,
  );
  return z;
}

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const which = process.argv[3] ?? "both";
if (which !== "skiplist") measure("btree", () => new ZSetValue("skiplist"));
if (which !== "btree") measure("skiplist", () => new SkipList());
