// The live mirror: a local, always-current copy of the keys a pattern matches, built on a
// watch with a snapshot and deltas. Deltas are applied in place (client/live-apply.ts);
// where one cannot be applied exactly the key is read again, with events ordered against
// the read by their offsets (docs/live.md says how). Readers get immutable snapshots with
// structural sharing (client/live-value.ts).

import type { Key } from "../shared/command.js";
import { applyEvent, bytesCodec, cellFromSnapshot, CHANGED, latin1Bytes, REREAD, textCodec, type Cell, type Codec } from "./live-apply.js";
import { shape, type LiveEntry, type LiveValue, type ShapeOptions } from "./live-value.js";
import type { Connection } from "./connection.js";
import type { ReplyMode } from "./decode.js";
import { ConnectionError } from "./errors.js";
import type { KeyEvent, SnapshotEntry, Subscriptions, Watch, WatchMessage } from "./watch.js";

export type { LiveEntry, LiveValue, ZMember, StreamEntry, ShapeOptions } from "./live-value.js";

export type LiveStatus = "loading" | "live" | "reconnecting" | "resyncing" | "closed";

export interface LiveOptions extends ShapeOptions {
  /** Database of the keys; default the client's. */
  db?: number;
  /** Most keys the view may hold (default 10,000; also the snapshot's limit on the server). */
  maxKeys?: number;
  /** Most bytes the view may hold, approximately: keys, members and values plus 16 per element (default 64 MiB). */
  maxBytes?: number;
  /** A stream keeps its newest this many entries (default 100). */
  streamEntries?: number;
}

/** A view went past `maxKeys` or `maxBytes`. */
export class LiveLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LiveLimitError";
  }
}

/** An immutable state of a view: a new object exactly when something changed, unchanged keys' entries shared. */
export interface LiveSnapshot<V> {
  readonly status: LiveStatus;
  /** Why the view closed, when it failed. */
  readonly error: Error | null;
  readonly size: number;
  get(key: Key): LiveValue<V> | undefined;
  entry(key: Key): LiveEntry<V> | undefined;
  has(key: Key): boolean;
  keys(): V[];
  entries(): [V, LiveValue<V>][];
}

export interface LiveView<V = string> extends LiveSnapshot<V> {
  /** Resolves once the first snapshot is in; rejects if the view could not start. */
  readonly ready: Promise<LiveView<V>>;
  /** Milliseconds to live: -1 without a TTL, -2 for a key the view does not hold (as PTTL). */
  ttl(key: Key): number;
  /** Calls `listener` after each applied change with the keys that changed (none for a status change). */
  subscribe(listener: (keys: V[]) => void): () => void;
  onStatus(listener: (status: LiveStatus, error: Error | null) => void): () => void;
  getSnapshot(): LiveSnapshot<V>;
  close(): Promise<void>;
}

/** What the view needs from the client. */
export interface LiveHost {
  conn: Connection;
  subs: Subscriptions;
  mode: ReplyMode;
}

const MAX_READS_IN_FLIGHT = 8;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** A pattern matching exactly one key (glob characters escaped). */
export function exactPattern(key: string): string {
  return key.replace(/[*?[\]\\]/g, "\\$&");
}

class Snapshot<V> implements LiveSnapshot<V> {
  constructor(
    readonly status: LiveStatus,
    readonly error: Error | null,
    protected readonly map: ReadonlyMap<string, LiveEntry<V>>,
    protected readonly ik: (k: Key) => string,
    protected readonly ok: (k: string) => V,
  ) {}
  get size(): number {
    return this.map.size;
  }
  get(key: Key): LiveValue<V> | undefined {
    return this.map.get(this.ik(key))?.value;
  }
  entry(key: Key): LiveEntry<V> | undefined {
    return this.map.get(this.ik(key));
  }
  has(key: Key): boolean {
    return this.map.has(this.ik(key));
  }
  keys(): V[] {
    return Array.from(this.map.keys(), this.ok);
  }
  entries(): [V, LiveValue<V>][] {
    return Array.from(this.map, ([k, e]) => [this.ok(k), e.value]);
  }
}

interface Stale {
  /** Events of the key that arrived since it was marked, to apply after the read. */
  buffer: KeyEvent<unknown>[];
}

class View<V> implements LiveView<V> {
  status: LiveStatus = "loading";
  error: Error | null = null;
  readonly ready: Promise<LiveView<V>>;
  private cells = new Map<string, Cell>();
  /** Shaped entries of unchanged keys. */
  private shaped = new Map<string, LiveEntry<V>>();
  private sizes = new Map<string, number>();
  private bytes = 0;
  private snap: Snapshot<V> | null = null;
  private readonly listeners = new Set<(keys: V[]) => void>();
  private readonly statusListeners = new Set<(s: LiveStatus, e: Error | null) => void>();
  private watch: Watch | null = null;
  /** While a resync's snapshot comes in: the state that replaces `cells` at once. */
  private rebuilding: Map<string, Cell> | null = null;
  /** Keys being read again. */
  private stale = new Map<string, Stale>();
  private readQueue: string[] = [];
  private reading = 0;
  /** Per key read again: the offset the read was taken at; its events up to there are in it. */
  private floors = new Map<string, number>();
  /** The cell a `rename_from` just took away, for the `rename_to` that follows it. */
  private renamed: Cell | null = null;
  /** Bumped by a resync or close: reads started before it are ignored. */
  private generation = 0;
  private readonly cx: Codec;
  private readonly bytesMode: boolean;
  private readonly maxKeys: number;
  private readonly maxBytes: number;
  private readonly streamEntries: number;
  private readonly offState: () => void;

  constructor(
    private readonly host: LiveHost,
    readonly pattern: Key,
    private readonly options: LiveOptions,
  ) {
    this.bytesMode = host.mode === "bytes";
    this.cx = this.bytesMode ? bytesCodec : textCodec;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.streamEntries = options.streamEntries ?? 100;
    this.offState = host.conn.onState((s, why) => {
      if (s === "reconnecting" && this.status === "live") this.setStatus("reconnecting");
      else if (s === "open") queueMicrotask(() => this.pump());
      else if (s === "closed" && this.status !== "closed") this.fail(new ConnectionError(`keycast: the live view lost its connection${why ? `: ${why}` : ""}`));
    });
    const db = options.db ?? host.conn.db;
    this.ready = host.subs
      .watch(
        pattern,
        (m) => this.onMessage(m),
        { db, value: "delta", snapshot: true, snapshotLimit: this.maxKeys },
        host.mode,
        { started: () => this.started(), failed: (e) => this.fail(e) },
      )
      .then(
        (w) => {
          this.watch = w;
          if (this.status === "closed") {
            w.unwatch().catch(() => {});
            if (this.error) throw this.error;
          }
          return this as LiveView<V>;
        },
        (e: Error) => {
          this.fail(e);
          throw e;
        },
      );
    this.ready.catch(() => {});
  }

  // -- reading -----------------------------------------------------------------------------

  private ik = (k: Key): string => {
    if (this.bytesMode) return typeof k === "string" ? this.cx.word(utf8.encode(k))! : this.cx.word(k)!;
    return typeof k === "string" ? k : utf8Decoder.decode(k);
  };
  private ok = (k: string): V => (this.bytesMode ? latin1Bytes(k) : k) as V;

  private entryOf(k: string): LiveEntry<V> | undefined {
    let e = this.shaped.get(k);
    if (e !== undefined) return e;
    const c = this.cells.get(k);
    if (c === undefined) return undefined;
    e = shape<V>(c, this.bytesMode, this.options);
    this.shaped.set(k, e);
    return e;
  }

  get size(): number {
    return this.cells.size;
  }
  get(key: Key): LiveValue<V> | undefined {
    return this.entryOf(this.ik(key))?.value;
  }
  entry(key: Key): LiveEntry<V> | undefined {
    return this.entryOf(this.ik(key));
  }
  has(key: Key): boolean {
    return this.cells.has(this.ik(key));
  }
  keys(): V[] {
    return Array.from(this.cells.keys(), this.ok);
  }
  entries(): [V, LiveValue<V>][] {
    return Array.from(this.cells.keys(), (k) => [this.ok(k), this.entryOf(k)!.value]);
  }
  ttl(key: Key): number {
    const c = this.cells.get(this.ik(key));
    if (c === undefined) return -2;
    return c.exp === null ? -1 : Math.max(0, Math.round(c.exp - Date.now()));
  }

  getSnapshot(): LiveSnapshot<V> {
    if (this.snap !== null) return this.snap;
    const map = new Map<string, LiveEntry<V>>();
    for (const k of this.cells.keys()) map.set(k, this.entryOf(k)!);
    this.snap = new Snapshot<V>(this.status, this.error, map, this.ik, this.ok);
    return this.snap;
  }

  subscribe(listener: (keys: V[]) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  onStatus(listener: (status: LiveStatus, error: Error | null) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  close(): Promise<void> {
    if (this.status === "closed") return Promise.resolve();
    this.shutdown(null);
    return this.watch ? this.watch.unwatch().catch(() => {}) : Promise.resolve();
  }

  // -- state changes -------------------------------------------------------------------------

  private emit(keys: string[]): void {
    if (this.listeners.size === 0) return;
    const out = keys.map(this.ok);
    for (const fn of Array.from(this.listeners)) {
      try {
        fn(out);
      } catch (e) {
        // One listener's bug must not stop the others or the view.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  private setStatus(s: LiveStatus): void {
    if (this.status === s) return;
    this.status = s;
    this.snap = null;
    for (const fn of Array.from(this.statusListeners)) fn(s, this.error);
    this.emit([]);
  }

  private shutdown(error: Error | null): void {
    this.generation++;
    this.error = error;
    this.offState();
    this.cells = new Map();
    this.shaped.clear();
    this.sizes.clear();
    this.bytes = 0;
    this.stale.clear();
    this.readQueue = [];
    this.floors.clear();
    this.setStatus("closed");
  }

  private fail(e: Error): void {
    if (this.status === "closed") return;
    this.shutdown(e);
    this.watch?.unwatch().catch(() => {});
  }

  /** Books a key's change: size, shaped entry, snapshot; false when the view went past its bound. */
  private touch(k: string): boolean {
    const c = this.cells.get(k);
    const now = c === undefined ? 0 : c.n + k.length;
    this.bytes += now - (this.sizes.get(k) ?? 0);
    if (c === undefined) this.sizes.delete(k);
    else this.sizes.set(k, now);
    this.shaped.delete(k);
    this.snap = null;
    return this.checkBounds();
  }

  private checkBounds(): boolean {
    if (this.cells.size > this.maxKeys) {
      this.fail(new LiveLimitError(`keycast: the live view of '${String(this.pattern)}' would hold more than ${this.maxKeys} keys (maxKeys): narrow the pattern or raise maxKeys`));
      return false;
    }
    if (this.bytes > this.maxBytes) {
      this.fail(new LiveLimitError(`keycast: the live view of '${String(this.pattern)}' would hold more than ${this.maxBytes} bytes (maxBytes): narrow the pattern or raise maxBytes`));
      return false;
    }
    return true;
  }

  private fromSnapshot(m: SnapshotEntry<unknown>): [string, Cell] {
    const k = this.cx.word(m.key)!;
    const c = cellFromSnapshot(this.cx, m.keyType, m.value, m.pttl, Date.now(), this.streamEntries);
    return [k, c ?? { t: "other", type: m.keyType, v: m.value, exp: m.pttl >= 0 ? Date.now() + m.pttl : null, n: 16 }];
  }

  // -- the watch ---------------------------------------------------------------------------

  private onMessage(m: WatchMessage<unknown>): void {
    if (this.status === "closed") return;
    if (m.type === "resync") {
      // A snapshot follows in the same step (then `started`); build it aside and swap.
      this.rebuilding = new Map();
      this.setStatus("resyncing");
      return;
    }
    if (m.type === "snapshot") {
      const [k, c] = this.fromSnapshot(m);
      if (this.rebuilding) this.rebuilding.set(k, c);
      else {
        this.cells.set(k, c);
        this.touch(k);
      }
      return;
    }
    if (this.rebuilding) this.swap();
    this.onEvent(m);
  }

  private started(): void {
    if (this.status === "closed") return;
    if (this.rebuilding) this.swap();
    else if (this.status !== "live") {
      const first = this.status === "loading";
      this.setStatus("live");
      if (first) this.emit(Array.from(this.cells.keys()));
    }
    this.pump();
  }

  /** Replaces the whole state with the resync's snapshot in one step. */
  private swap(): void {
    const next = this.rebuilding!;
    this.rebuilding = null;
    this.generation++;
    const changed = new Set<string>(this.cells.keys());
    for (const k of next.keys()) changed.add(k);
    const old = this.cells;
    const oldShaped = this.shaped;
    this.cells = next;
    this.shaped = new Map();
    this.sizes.clear();
    this.bytes = 0;
    this.stale.clear();
    this.readQueue = [];
    this.floors.clear();
    this.renamed = null;
    for (const k of next.keys()) {
      this.touch(k);
      // A key the resync left as it was keeps its entry's identity.
      if (this.status === "closed") return;
      const before = old.get(k);
      const e = oldShaped.get(k);
      if (before !== undefined && e !== undefined && sameCell(before, next.get(k)!)) {
        next.set(k, before);
        this.shaped.set(k, e);
        changed.delete(k);
      }
    }
    this.snap = null;
    this.status = "live";
    for (const fn of Array.from(this.statusListeners)) fn("live", null);
    this.emit(Array.from(changed));
  }

  private onEvent(ev: KeyEvent<unknown>): void {
    const k = this.cx.word(ev.key)!;
    const renamed = this.renamed;
    this.renamed = null;
    const st = this.stale.get(k);
    if (st) {
      st.buffer.push(ev);
      return;
    }
    const floor = this.floors.get(k);
    if (floor !== undefined) {
      if (ev.offset <= floor) return;
      this.floors.delete(k);
    }
    this.apply(k, ev, renamed);
  }

  private apply(k: string, ev: KeyEvent<unknown>, renamed: Cell | null): void {
    let r: number;
    if (ev.event === "rename_to" && renamed !== null) {
      this.cells.set(k, renamed);
      r = CHANGED;
    } else {
      if (ev.event === "rename_from") this.renamed = this.cells.get(k) ?? null;
      r = applyEvent(this.cells, k, ev.event, ev.delta, this.cx, this.streamEntries);
    }
    if (r & CHANGED) {
      if (!this.touch(k)) return;
      this.emit([k]);
    }
    if (r & REREAD) this.reread(k);
  }

  // -- reading a key again -----------------------------------------------------------------

  private reread(k: string): void {
    if (this.stale.has(k)) return;
    this.stale.set(k, { buffer: [] });
    this.readQueue.push(k);
    this.pump();
  }

  private pump(): void {
    while (this.reading < MAX_READS_IN_FLIGHT && this.readQueue.length > 0 && this.host.conn.state === "open" && this.status !== "closed") {
      const k = this.readQueue.shift()!;
      const st = this.stale.get(k);
      if (st) this.read(k, st);
    }
  }

  /**
   * Reads one key with a watch of exactly that key that asks for a snapshot and no events:
   * the answer carries the key's value and TTL and the server's offset at that moment.
   */
  private read(k: string, st: Stale): void {
    const gen = this.generation;
    let got: SnapshotEntry<unknown> | null = null;
    this.reading++;
    const pattern = exactPattern(k);
    this.host.subs
      .watch(this.bytesMode ? latin1Bytes(pattern) : pattern, (m) => {
        if (m.type === "snapshot") got = m;
      }, { db: this.options.db ?? this.host.conn.db, snapshot: true, events: [] }, this.host.mode)
      .then(
        (w) => {
          this.reading--;
          w.unwatch().catch(() => {});
          if (gen === this.generation && this.stale.get(k) === st) this.readDone(k, st, got, w.position[1]);
          this.pump();
        },
        (e: Error) => {
          this.reading--;
          if (gen !== this.generation || this.stale.get(k) !== st) return;
          // Dropped: read again once the connection is back. Refused: the view cannot stay exact.
          if (e instanceof ConnectionError) this.readQueue.push(k);
          else this.fail(e);
          this.pump();
        },
      );
  }

  private readDone(k: string, st: Stale, got: SnapshotEntry<unknown> | null, at: number): void {
    this.stale.delete(k);
    if (got) this.cells.set(k, this.fromSnapshot(got)[1]);
    else this.cells.delete(k);
    if (!this.touch(k)) return;
    this.floors.set(k, at);
    this.emit([k]);
    for (const ev of st.buffer) {
      if (ev.offset <= at) continue;
      const again = this.stale.get(k);
      if (again) again.buffer.push(ev);
      else {
        this.apply(k, ev, null);
        this.renamed = null;
        if (this.status === "closed") return;
      }
    }
  }
}

function sameCell(a: Cell, b: Cell): boolean {
  // Deadlines are on the client's clock, from two readings of the TTL: a second apart is the same.
  if (a.t !== b.t || a.n !== b.n || (a.exp === null) !== (b.exp === null) || Math.abs((a.exp ?? 0) - (b.exp ?? 0)) > 1000) return false;
  switch (a.t) {
    case "string":
      return a.v === b.v;
    case "list": {
      const bv = b.v as string[];
      return a.v.length === bv.length && a.v.every((x, i) => x === bv[i]);
    }
    case "set": {
      const bv = b.v as Set<string>;
      if (a.v.size !== bv.size) return false;
      for (const x of a.v) if (!bv.has(x)) return false;
      return true;
    }
    case "hash": {
      const bv = b.v as Map<string, string>;
      if (a.v.size !== bv.size) return false;
      for (const [f, x] of a.v) if (bv.get(f) !== x) return false;
      return true;
    }
    default:
      return false;
  }
}

export function openLive<V>(host: LiveHost, pattern: Key, options: LiveOptions = {}): LiveView<V> {
  return new View<V>(host, pattern, options);
}
