// Watch events in gateway mode. Every gateway reads the shared history (a Stream in the
// backend) into its local Watchers; one gateway at a time, the leader, writes it from the
// backend's keyspace notifications and touches keys at their deadlines. See docs/scale-out.md.

import type { StartedWatch, SnapshotEntry, WatchRequest } from "../../events/watch-start.js";
import { completeWatch, recoverFrom, type Recovery } from "../../events/watch-start.js";
import type { EventRecord } from "../../events/history.js";
import { UNRECORDED } from "../../events/values.js";
import type { WatchSink } from "../../events/watchers.js";
import type { Logger } from "../../observability/logger.js";
import type { Subscriber } from "../../pubsub.js";
import type { Reply } from "../../reply.js";
import type { ServerState } from "../../state.js";
import type { Backend } from "../backend.js";
import { errorText } from "./keys.js";
import { Leader } from "./leader.js";
import { Lease } from "./lease.js";
import { PubSubRelay } from "./pubsub.js";
import { StreamReader } from "./reader.js";
import { DELTA_IS_VALUE, readKey, readSnapshot } from "./values.js";

export interface GatewayEventsOptions {
  /** Lease TTL, ms: how long a dead leader's absence lasts at most. Default 3000. */
  leaseTtlMs?: number;
  /** Longest blocking read of the stream before the epoch is checked again, ms. Default 250. */
  blockMs?: number;
}

/** How long a resuming watch waits for this gateway to read up to the position it brings, ms. */
const CATCH_UP_MS = 2000;
/** Snapshot attempts when the history restarts while one is read. */
const SNAPSHOT_ATTEMPTS = 3;

/** Counters of the events part, for INFO and /metrics. */
export interface GatewayEventStats {
  /** This gateway holds the lease and runs the leader's work now. */
  leader: boolean;
  /** Notifications this gateway appended to the shared stream while leader (since it became leader). */
  appended: number;
  /** Keys this gateway touched at their deadline while leader, and touches the backend found early. */
  touched: number;
  early: number;
  /** Events this gateway read from the shared stream and delivered to its watchers. */
  read: number;
  /** Times the history restarted (a new leader's epoch, or a gap in the stream). */
  restarts: number;
}

export class GatewayEvents {
  readonly lease: Lease;
  readonly reader: StreamReader;
  readonly relay: PubSubRelay;
  private leader: Leader | null = null;
  /** Start and stop of the leader's work, one after the other. */
  private leadership: Promise<void> = Promise.resolve();
  private closed = false;
  private leading = false;

  private constructor(
    private readonly state: ServerState,
    private readonly backend: Backend,
    private readonly logger: Logger,
    options: GatewayEventsOptions,
  ) {
    const ownDb = backend.spec.cluster ? 0 : backend.spec.db;
    const own = () => backend.client(ownDb);
    this.lease = new Lease(
      own,
      { ttlMs: options.leaseTtlMs ?? 3000 },
      logger,
      () => this.serially(() => this.lead(ownDb)),
      () => this.serially(() => this.unlead()),
    );
    this.reader = new StreamReader(backend, own, state.watchers, logger, { blockMs: options.blockMs ?? 250 });
    this.relay = new PubSubRelay(backend);
  }

  static async start(state: ServerState, backend: Backend, logger: Logger, options: GatewayEventsOptions = {}): Promise<GatewayEvents> {
    const ev = new GatewayEvents(state, backend, logger, options);
    await ev.lease.start();
    await ev.leadership;
    await ev.reader.start(5000);
    return ev;
  }

  /** True once this gateway's leader work runs (subscribed, in its own epoch). */
  get isLeader(): boolean {
    return this.leader !== null && this.leading;
  }

  /** Notifications appended and keys touched by this gateway while leader. */
  get leaderStats(): { appended: number; touched: number; early: number } {
    return { appended: this.leader?.appended ?? 0, touched: this.leader?.touched ?? 0, early: this.leader?.early ?? 0 };
  }

  /** What INFO's gateway section and /metrics report of the events part. */
  get stats(): GatewayEventStats {
    return { leader: this.isLeader, ...this.leaderStats, read: this.reader.delivered, restarts: this.reader.restarts };
  }

  private serially(step: () => Promise<void>): void {
    this.leadership = this.leadership.then(step, step);
  }

  private async lead(ownDb: number): Promise<void> {
    if (this.closed || !this.lease.held || this.leader !== null) return;
    const leader = new Leader(
      this.backend,
      ownDb,
      { leaseId: this.lease.id, maxEvents: this.state.history.options.maxEvents, knownOffset: () => this.state.history.offset },
      this.logger,
      (reason) => this.leaderFailed(leader, reason),
    );
    this.leader = leader;
    try {
      await leader.start();
      this.leading = this.leader === leader;
    } catch (e) {
      this.logger.warn({ err: errorText(e) }, "gateway: could not start as events leader; another gateway may take over");
      await this.unlead();
      await this.lease.release();
    }
  }

  private async unlead(): Promise<void> {
    const leader = this.leader;
    this.leader = null;
    this.leading = false;
    await leader?.stop();
  }

  /** The leader's work broke off: events may have been missed, so it starts again in a new epoch. */
  private leaderFailed(leader: Leader, reason: string): void {
    if (this.leader !== leader) return;
    this.logger.warn({ reason }, "gateway: events leader restarting with a new history epoch");
    if (reason.includes("NOTLEADER")) this.lease.lose(reason);
    else
      this.serially(async () => {
        if (this.leader !== leader) return;
        await this.unlead();
        await this.lead(this.backend.spec.cluster ? 0 : this.backend.spec.db);
      });
  }

  /**
   * Starts a watch: resumes from its position (waiting briefly for this gateway to read up to
   * it), or reads a snapshot from the backend after noting the current position, then replays
   * what changed since so that nothing falls between the snapshot and the live events.
   */
  async startWatch(sink: WatchSink, req: WatchRequest): Promise<StartedWatch> {
    const history = this.state.history;
    if (req.since) await this.reader.waitFor(req.since.epoch, req.since.offset, CATCH_UP_MS);
    const values = new Map<string, Reply>();
    let from: WatchRequest["since"] = null;
    let snapshot: SnapshotEntry[] | undefined;
    for (let attempt = 1; ; attempt++) {
      const pre = recoverFrom(history, sink, req, Date.now(), req.since, true);
      if (req.snapshot && !pre.recovered) {
        await this.reader.catchUp(CATCH_UP_MS);
        from = { epoch: history.epoch, offset: history.offset, seq: 0 };
        snapshot = await readSnapshot(this.backend, req);
      }
      let rec = recoverFrom(history, sink, req, Date.now(), req.since, true);
      let after = from === null ? null : recoverFrom(history, sink, req, Date.now(), from, true);
      // The history restarted while the snapshot was read: its position means nothing now.
      if (after !== null && after.missed === null && attempt < SNAPSHOT_ATTEMPTS) continue;
      // Replayed events this gateway holds without the value the watch wants: read them now
      // (after the fact); a few rounds, since events keep coming while they are read.
      for (let round = 0; round < 3; round++) {
        const lacking = lackingKeys(req, [rec.missed, after?.missed ?? null], values);
        if (lacking.length === 0) break;
        const reads = await Promise.all(lacking.map((k) => readKey(this.backend, req.db, k)));
        lacking.forEach((k, i) => values.set(k, reads[i]!.value));
        const now = Date.now();
        rec = recoverFrom(history, sink, req, now, req.since, true);
        after = from === null ? null : recoverFrom(history, sink, req, now, from, true);
      }
      return this.complete(sink, req, rec, after, from, snapshot, values);
    }
  }

  private complete(
    sink: WatchSink,
    req: WatchRequest,
    rec: Recovery,
    after: Recovery | null,
    from: WatchRequest["since"],
    snapshot: SnapshotEntry[] | undefined,
    values: Map<string, Reply>,
  ): StartedWatch {
    if (rec.missed) rec.missed = filled(req, rec.missed, values);
    const started = completeWatch(this.state, sink, req, rec, snapshot);
    if (from !== null && after?.missed) {
      // The client learns the snapshot's position, then the changes since, in order.
      started.result.epoch = from.epoch;
      started.result.offset = from.offset;
      started.after = filled(req, after.missed, values).map((r) => this.state.watchers.replayFrame(started.watch, r));
    }
    return started;
  }

  subscribe(sub: Subscriber, kind: "channel" | "pattern", name: string): Promise<void> {
    return this.relay.subscribe(sub, kind, name);
  }

  unsubscribe(sub: Subscriber, kind: "channel" | "pattern", name: string): void {
    this.relay.unsubscribe(sub, kind, name);
  }

  /** Releases the lease (another gateway takes over at once), stops reading. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lease.close();
    this.serially(() => this.unlead());
    await this.leadership;
    await this.reader.close();
    await this.relay.close();
  }
}

/** Does this replayed event lack what the watch wants: its value, or a delta that is the value? */
function lacks(value: WatchRequest["value"], r: EventRecord): boolean {
  if (value === "none") return false;
  return (value === "full" && r.value === UNRECORDED) || (r.delta === undefined && DELTA_IS_VALUE.has(r.event));
}

function lackingKeys(req: WatchRequest, lists: (EventRecord[] | null)[], have: Map<string, Reply>): string[] {
  const out = new Set<string>();
  for (const list of lists) if (list) for (const r of list) if (lacks(req.value, r) && !have.has(r.key)) out.add(r.key);
  return [...out];
}

/** Replayed events with the values read now (after the fact) where the history holds none. */
function filled(req: WatchRequest, list: EventRecord[], values: Map<string, Reply>): EventRecord[] {
  return list.map((r) => {
    if (!lacks(req.value, r) || !values.has(r.key)) return r;
    const v = values.get(r.key)!;
    const delta = r.delta === undefined && DELTA_IS_VALUE.has(r.event) && typeof v === "string" ? v : r.delta;
    return { ...r, value: r.value === UNRECORDED ? v : r.value, delta };
  });
}

export function startGatewayEvents(state: ServerState, backend: Backend, logger: Logger, options?: GatewayEventsOptions): Promise<GatewayEvents> {
  return GatewayEvents.start(state, backend, logger, options);
}
