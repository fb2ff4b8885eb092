// Watches and pub/sub subscriptions on the client side: starting them, routing pushed
// frames to handlers, and re-establishing them after a reconnect, resuming each watch from
// the last position it saw.

import { FrameType, type ValueMode, type WatchOptions as WireWatchOptions, type WatchResult } from "../shared/protocol.js";
import type { Key } from "../shared/command.js";
import type { Connection } from "./connection.js";
import { decodeReply, type ReplyMode } from "./decode.js";
import { ConnectionError } from "./errors.js";

/** A change to a watched key. */
export interface KeyEvent<S = string> {
  type: "event";
  key: S;
  db: number;
  /** Redis's keyspace event name: "set", "lpush", "expired", "del", ... */
  event: string;
  /** Position in the server's event sequence (with `epoch`, what resume uses). */
  offset: number;
  /** This watch's own sequence number: 1, 2, 3, ... without gaps, also across resumes. */
  seq: number;
  /** Server time of the change, ms since the epoch. */
  time: number;
  /** What changed (value: "delta" or "full"): pushed elements, changed fields, ... */
  delta?: unknown;
  /** The key's value after the change (value: "full"); null when the key is gone. */
  value?: unknown;
}

/** One key's current value, delivered first by a watch with `snapshot: true` (and after a resync). */
export interface SnapshotEntry<S = string> {
  type: "snapshot";
  key: S;
  db: number;
  /** "string", "list", "set" or "hash". */
  keyType: string;
  value: unknown;
  /** Milliseconds to live, or -1 for a key without a TTL. */
  pttl: number;
}

/** Events were missed and cannot be replayed: rebuild your view (a snapshot follows if the watch asked for one). */
export interface Resync {
  type: "resync";
  reason: string;
}

export type WatchMessage<S = string> = KeyEvent<S> | SnapshotEntry<S> | Resync;

export interface WatchOptions {
  /** Database of the keys; default the client's. */
  db?: number;
  /** Only these event names; default every event but "new". */
  events?: string[];
  /** "none" (default): name only; "delta": what changed; "full": the key's new value. */
  value?: ValueMode;
  /** Deliver the current value of every matching key first, atomically with the start of the watch. */
  snapshot?: boolean;
  /** Most keys a pattern snapshot may hold (capped by the server's limit). */
  snapshotLimit?: number;
}

export interface Watch {
  readonly pattern: Key;
  /** Position of the last event seen: [epoch, offset]. */
  readonly position: readonly [string, number];
  /** Stops the watch. */
  unwatch(): Promise<void>;
}

export interface Subscription {
  readonly channel: Key;
  unsubscribe(): Promise<void>;
}

const textDecoder = new TextDecoder();

function decodeKey(k: unknown, mode: ReplyMode): unknown {
  if (mode === "bytes") return decodeReply(k, "bytes");
  return k instanceof Uint8Array ? textDecoder.decode(k) : k;
}

class WatchHandle implements Watch {
  epoch = "";
  offset = 0;
  seq = 0;
  active = true;

  constructor(
    readonly registry: Subscriptions,
    readonly id: number,
    readonly pattern: Key,
    readonly options: WatchOptions,
    readonly handler: (m: WatchMessage<unknown>) => void,
    readonly mode: ReplyMode,
    readonly hooks?: WatchHooks,
  ) {}

  get position(): readonly [string, number] {
    return [this.epoch, this.offset];
  }

  unwatch(): Promise<void> {
    return this.registry.unwatch(this);
  }
}

class SubscriptionHandle implements Subscription {
  active = true;
  constructor(
    readonly registry: Subscriptions,
    readonly id: number,
    readonly kind: "channel" | "pattern",
    readonly channel: Key,
    readonly handler: (message: unknown, channel: unknown) => void,
    readonly mode: ReplyMode,
  ) {}

  unsubscribe(): Promise<void> {
    return this.registry.unsubscribe(this);
  }
}

/** For the client's own users of a watch (the live mirror): when it (re)started, when a restart failed. */
export interface WatchHooks {
  /** After the server's answer was handled (the resync and snapshot, if any, delivered). */
  started?(): void;
  /** A restart after a reconnect was refused (not a drop): the watch is no longer on the server. */
  failed?(e: Error): void;
}

export class Subscriptions {
  private nextId = 1;
  private readonly watches = new Map<number, WatchHandle>();
  private readonly subs = new Map<number, SubscriptionHandle>();

  constructor(private readonly conn: Connection) {
    conn.hooks = {
      restore: () => this.restore(),
      onPush: (frame) => this.onPush(frame),
    };
  }

  async watch(pattern: Key, handler: (m: WatchMessage<unknown>) => void, options: WatchOptions, mode: ReplyMode, hooks?: WatchHooks): Promise<Watch> {
    const h = new WatchHandle(this, this.nextId++, pattern, { ...options, db: options.db ?? this.conn.db }, handler, mode, hooks);
    this.watches.set(h.id, h);
    try {
      await this.start(h, false);
    } catch (e) {
      this.watches.delete(h.id);
      throw e;
    }
    return h;
  }

  private async start(h: WatchHandle, resume: boolean): Promise<void> {
    const o = h.options;
    const wire: WireWatchOptions = { db: o.db ?? 0 };
    if (o.events) wire.events = o.events;
    if (o.value) wire.value = o.value;
    if (o.snapshot) wire.snapshot = true;
    if (o.snapshotLimit !== undefined) wire.snapshotLimit = o.snapshotLimit;
    if (resume && h.epoch) wire.since = [h.epoch, h.offset, h.seq];
    await this.conn.request(FrameType.WATCH, [h.id, h.pattern, wire], (result) => this.started(h, result as Map<string, unknown>));
  }

  /** The server's answer to a WATCH, handled before any event frame that follows it. */
  private started(h: WatchHandle, result: Map<string, unknown>): void {
    const o = h.options;
    const r = Object.fromEntries(result) as unknown as WatchResult;
    if (!h.active) return;
    if (r.recovered === false) {
      h.seq = 0;
      h.handler({ type: "resync", reason: h.epoch !== r.epoch ? "the server restarted: its event history is new" : "missed events are no longer in the server's history" });
    }
    h.epoch = r.epoch;
    if (r.offset > h.offset || r.recovered === false) h.offset = r.offset;
    for (const [key, keyType, value, pttl] of r.snapshot ?? []) {
      h.handler({ type: "snapshot", key: decodeKey(key, h.mode), db: o.db ?? 0, keyType, value: decodeReply(value, h.mode), pttl });
    }
    h.hooks?.started?.();
  }

  unwatch(h: WatchHandle): Promise<void> {
    if (!h.active) return Promise.resolve();
    h.active = false;
    this.watches.delete(h.id);
    if (this.conn.state !== "open") return Promise.resolve();
    return this.conn.request(FrameType.UNWATCH, [h.id]).then(() => undefined);
  }

  async subscribe(kind: "channel" | "pattern", channel: Key, handler: (message: unknown, channel: unknown) => void, mode: ReplyMode): Promise<Subscription> {
    const s = new SubscriptionHandle(this, this.nextId++, kind, channel, handler, mode);
    this.subs.set(s.id, s);
    try {
      await this.conn.request(FrameType.SUBSCRIBE, [s.id, kind, channel]);
    } catch (e) {
      this.subs.delete(s.id);
      throw e;
    }
    return s;
  }

  unsubscribe(s: SubscriptionHandle): Promise<void> {
    if (!s.active) return Promise.resolve();
    s.active = false;
    this.subs.delete(s.id);
    if (this.conn.state !== "open") return Promise.resolve();
    return this.conn.request(FrameType.UNSUBSCRIBE, [s.id]).then(() => undefined);
  }

  private restore(): void {
    for (const h of this.watches.values()) {
      this.start(h, true).catch((e: Error) => {
        // Dropped again before the server answered: the next reconnect resumes from the same
        // position, so nothing is lost yet and a resync here would be a false alarm.
        if (e instanceof ConnectionError) return;
        if (h.hooks?.failed) return h.hooks.failed(e);
        h.handler({ type: "resync", reason: `the watch could not be restored: ${e.message}` });
      });
    }
    for (const s of this.subs.values()) {
      this.conn.request(FrameType.SUBSCRIBE, [s.id, s.kind, s.channel]).catch(() => {});
    }
  }

  private onPush(frame: unknown[]): void {
    if (frame[0] === FrameType.MESSAGE) {
      const ids = frame[1] as number[];
      for (const id of ids) {
        const s = this.subs.get(id);
        if (s) s.handler(decodeReply(frame[3], s.mode), decodeKey(frame[2], s.mode));
      }
      return;
    }
    // [3, [watchId, seq, ...], db, key, event, offset, time, delta, value]
    const ids = frame[1] as number[];
    const offset = frame[5] as number;
    for (let i = 0; i < ids.length; i += 2) {
      const h = this.watches.get(ids[i]!);
      if (!h || !h.active) continue;
      h.seq = ids[i + 1]!;
      if (offset > h.offset) h.offset = offset;
      const ev: KeyEvent<unknown> = {
        type: "event",
        key: decodeKey(frame[3], h.mode),
        db: frame[2] as number,
        event: frame[4] as string,
        offset,
        seq: h.seq,
        time: frame[6] as number,
      };
      const mode = h.options.value ?? "none";
      if (mode !== "none") ev.delta = decodeReply(frame[7], h.mode);
      if (mode === "full") ev.value = decodeReply(frame[8], h.mode);
      h.handler(ev);
    }
  }
}
