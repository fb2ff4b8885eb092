// Expiry on time through a gateway. Redis expires keys lazily (on access) and by sampling,
// so its "expired" event can come seconds late. The leader keeps every deadline in a sorted
// set of the backend and, just after each deadline, touches the key (PEXPIRETIME): Redis then
// finds it expired, deletes it and emits "expired" at once. The sorted set holds the
// deadlines, so a new leader continues where the last one stopped; the leader keeps the
// earliest of them in a local heap as well, so that a deadline costs one round trip (the
// touch), not two. Stale entries (keys persisted, deleted or given a new TTL since) are
// re-checked and dropped or moved; a member is removed only if its score is still the one
// acted on.

import { performance } from "node:perf_hooks";
import type { Logger } from "../../observability/logger.js";
import { DeadlineHeap, type Deadline } from "../../keyspace/expiry.js";
import { send, type Backend, type BackendClient, type BackendValue } from "../backend.js";
import { DEADLINES_KEY, errorText, Script, sleep } from "./keys.js";

/** Removes a member only if its score is still the one that was acted on. */
const REMOVE_IF = new Script(
  `if tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1])) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end return 0`,
);

/** Keys touched per round; the next round follows at once when there were more due. */
const BATCH = 1000;
/** Deadlines loaded into the local heap at a time. */
const PREFETCH = 1000;
/** Past this many, the local heap is dropped and loaded again from the sorted set. */
const MAX_LOCAL = 100_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long after the deadline (by the backend's clock, as estimated) a key is touched, ms. */
const MARGIN_MS = 1.5;

function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export class Deadlines {
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private running = false;
  private again = false;
  private stopped = false;
  /** Backend clock minus local clock, ms. */
  private skew = 0;
  /** The earliest deadlines; `key` is the member `<db>:<key>` as a byte string. */
  private readonly heap = new DeadlineHeap();
  private readonly local = new Map<string, Deadline>();
  /** Every member of the sorted set with a score up to this is in the local heap. */
  private horizon = -Infinity;
  /** Keys touched by this leader, and touches that came before the backend's clock reached the deadline. */
  touched = 0;
  early = 0;

  constructor(
    private readonly backend: Backend,
    private readonly own: BackendClient,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.measureSkew();
    await this.refill();
    this.armNext();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** TIME against the local clock (sub-millisecond), taking the middle of the round trip. */
  private async measureSkew(): Promise<void> {
    const t0 = preciseNow();
    const r = (await send(this.own, ["TIME"])) as BackendValue[];
    const t1 = preciseNow();
    const server = Number(String(r[0])) * 1000 + Number(String(r[1])) / 1000;
    this.skew = server - (t0 + t1) / 2;
  }

  /** Loads the earliest deadlines of the sorted set into the local heap. */
  private async refill(): Promise<void> {
    const r = (await send(this.own, ["ZRANGE", DEADLINES_KEY, "0", String(PREFETCH - 1), "WITHSCORES"], DEADLINES_KEY)) as BackendValue[];
    const got = pairs(r);
    this.heap.clear();
    this.local.clear();
    for (const [m, at] of got) this.remember(m.toString("latin1"), at);
    this.horizon = got.length < PREFETCH ? Infinity : got[got.length - 1]![1];
  }

  private remember(member: string, at: number): void {
    const d = this.local.get(member);
    if (d !== undefined) {
      if (d.index >= 0) this.heap.update(d, at);
      else {
        d.at = at;
        this.heap.push(d);
      }
      return;
    }
    if (this.local.size >= MAX_LOCAL) {
      // Too many to keep here: the sorted set has them; load the earliest again when needed.
      this.heap.clear();
      this.local.clear();
      this.horizon = -Infinity;
      return;
    }
    const entry: Deadline = { at, db: 0, key: member, index: -1 };
    this.local.set(member, entry);
    this.heap.push(entry);
  }

  /** An "expire" event: record the key's deadline and wake up for it. */
  async onExpire(db: number, key: Buffer): Promise<void> {
    if (this.stopped) return;
    try {
      const at = Number(await send(await this.backend.client(db), ["PEXPIRETIME", key], key));
      if (!(at > 0) || this.stopped) return;
      const m = member(db, key);
      await send(this.own, ["ZADD", DEADLINES_KEY, String(at), m], DEADLINES_KEY);
      if (at <= this.horizon) this.remember(m.toString("latin1"), at);
      this.arm(at);
    } catch (e) {
      this.logger.warn({ err: errorText(e) }, "gateway: could not record a key's deadline");
    }
  }

  private arm(at: number): void {
    if (this.stopped) return;
    // Redis expires a key once its clock is past the deadline: touch just after that.
    const local = at - this.skew + MARGIN_MS;
    if (local >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = local;
    this.timer = setTimeout(() => void this.run(), Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(local - preciseNow()))));
  }

  private armNext(): void {
    const top = this.heap.peek();
    if (top !== undefined) this.arm(top.at);
    // Nothing known below the horizon: look again when the horizon's deadline comes.
    else if (this.horizon !== Infinity && this.horizon !== -Infinity) this.arm(this.horizon);
  }

  private async run(): Promise<void> {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    let more = false;
    try {
      const now = preciseNow() + this.skew;
      if (this.heap.size === 0 && this.horizon < now) await this.refill();
      const due: Deadline[] = [];
      while (due.length < BATCH) {
        const top = this.heap.peek();
        if (top === undefined || top.at > now) break;
        this.heap.pop();
        this.local.delete(top.key);
        due.push(top);
      }
      more = due.length === BATCH || (this.heap.size === 0 && this.horizon !== Infinity && this.horizon <= now);
      let early = false;
      await Promise.all(
        due.map(async (d) => {
          const m = Buffer.from(d.key, "latin1");
          const colon = m.indexOf(0x3a);
          const db = Number(m.subarray(0, colon).toString());
          const key = m.subarray(colon + 1);
          const at = Number(await send(await this.backend.client(db), ["PEXPIRETIME", key], key));
          this.touched++;
          if (at === d.at) {
            early = true;
            this.early++;
            this.remember(d.key, at);
          } else if (at > 0) {
            await send(this.own, ["ZADD", DEADLINES_KEY, String(at), m], DEADLINES_KEY);
            if (at <= this.horizon) this.remember(d.key, at);
          } else await REMOVE_IF.run(this.own, [DEADLINES_KEY], [m, String(d.at)]);
        }),
      );
      // The backend still had a key alive at its deadline (its clock is a little behind the
      // estimate): look again in a millisecond.
      if (early) await sleep(1);
    } catch (e) {
      if (!this.stopped) this.logger.warn({ err: errorText(e) }, "gateway: expiring keys on time failed; retrying");
      this.horizon = -Infinity;
      await sleep(100);
      more = true;
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (more || this.again) {
      this.again = false;
      setImmediate(() => void this.run());
      return;
    }
    this.armNext();
  }
}

function member(db: number, key: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${db}:`), key]);
}

/** ZRANGE ... WITHSCORES as [member, score] pairs: RESP3 nests them, RESP2 flattens them. */
function pairs(r: BackendValue[]): [Buffer, number][] {
  const out: [Buffer, number][] = [];
  if (r.length > 0 && Array.isArray(r[0])) {
    for (const p of r as BackendValue[][]) out.push([p[0] as Buffer, Number(p[1])]);
  } else {
    for (let i = 0; i + 1 < r.length; i += 2) out.push([r[i] as Buffer, Number(String(r[i + 1]))]);
  }
  return out;
}
