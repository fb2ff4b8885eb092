// The live mirror: a local, always-current copy of the keys a pattern matches, built on a
// watch with a snapshot and deltas. Deltas are applied in place (client/live-apply.ts);
// where one cannot be applied exactly the key is read again, with events ordered against
// the read by their offsets (docs/live.md says how). Readers get immutable snapshots with
// structural sharing (client/live-value.ts).

import type { Key } from "../shared/command.js";
import { applyEvent, bytesCodec, cellFromSnapshot, CHANGED, latin1Bytes, REREAD, textCodec, weigh, type Cell, type Codec } from "./live-apply.js";
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

/** Events of a key being read again, kept to apply after the read. */
type Stale = KeyEvent<unknown>[];

export function openLive<V>(host: LiveHost, pattern: Key, options: LiveOptions = {}): LiveView<V> {
  const { conn, subs, mode } = host;
  const bytesMode = mode === "bytes";
  const cx: Codec = bytesMode ? bytesCodec : textCodec;
  const maxKeys = options.maxKeys ?? 10_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const streamEntries = options.streamEntries ?? 100;
  const db = options.db ?? conn.db;
  const ik = (k: Key): string => (bytesMode ? cx(typeof k === "string" ? utf8.encode(k) : k)! : typeof k === "string" ? k : utf8Decoder.decode(k));
  const ok = (k: string): V => (bytesMode ? latin1Bytes(k) : k) as V;

  let status: LiveStatus = "loading";
  let error: Error | null = null;
  let cells = new Map<string, Cell>();
  /** Shaped entries of keys unchanged since they were shaped. */
  let shaped = new Map<string, LiveEntry<V>>();
  let sizes = new Map<string, number>();
  let bytes = 0;
  let snap: LiveSnapshot<V> | null = null;
  const listeners = new Set<(keys: V[]) => void>();
  const statusListeners = new Set<(s: LiveStatus, e: Error | null) => void>();
  let watch: Watch | null = null;
  /** While a resync's snapshot comes in: the state that replaces `cells` in one step. */
  let rebuilding: Map<string, Cell> | null = null;
  /** Keys being read again, with the events that arrived meanwhile. */
  let stale = new Map<string, Stale>();
  let readQueue: string[] = [];
  let reading = 0;
  /** Per key read again: the offset the read was taken at; its events up to there are in it. */
  let floors = new Map<string, number>();
  /** The cell a `rename_from` just took away, for the `rename_to` right after it. */
  let renamed: Cell | null = null;
  /** Bumped by a resync or close: reads started before it are ignored. */
  let generation = 0;

  const entryOf = (k: string): LiveEntry<V> | undefined => {
    let e = shaped.get(k);
    if (e !== undefined) return e;
    const c = cells.get(k);
    if (c === undefined) return undefined;
    e = shape<V>(c, bytesMode, options);
    shaped.set(k, e);
    return e;
  };

  const emit = (keys: string[]): void => {
    if (listeners.size === 0) return;
    const out = keys.map(ok);
    for (const fn of Array.from(listeners)) {
      try {
        fn(out);
      } catch (e) {
        // One listener's bug must not stop the others or the view.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  };

  const setStatus = (s: LiveStatus): void => {
    if (status === s) return;
    status = s;
    snap = null;
    for (const fn of Array.from(statusListeners)) fn(s, error);
    emit([]);
  };

  const reset = (): void => {
    generation++;
    sizes = new Map();
    bytes = 0;
    stale = new Map();
    readQueue = [];
    floors = new Map();
    renamed = null;
  };

  const fail = (e: Error | null): void => {
    if (status === "closed") return;
    reset();
    error = e;
    offState();
    cells = new Map();
    shaped = new Map();
    setStatus("closed");
    watch?.unwatch().catch(() => {});
  };

  /** Books a key's change (size, shaped entry, snapshot); false when the view went past its bound. */
  const touch = (k: string): boolean => {
    const c = cells.get(k);
    const now = c === undefined ? 0 : weigh(c) + k.length;
    bytes += now - (sizes.get(k) ?? 0);
    if (c === undefined) sizes.delete(k);
    else sizes.set(k, now);
    shaped.delete(k);
    snap = null;
    const over = cells.size > maxKeys ? `${maxKeys} keys (maxKeys)` : bytes > maxBytes ? `${maxBytes} bytes (maxBytes)` : null;
    if (over) fail(new LiveLimitError(`keycast: the live view of '${String(pattern)}' would hold more than ${over}`));
    return !over;
  };

  const fromSnapshot = (m: SnapshotEntry<unknown>): Cell =>
    cellFromSnapshot(cx, m.keyType, m.value, m.pttl, Date.now(), streamEntries) ?? { t: "other", type: m.keyType, v: m.value, exp: m.pttl >= 0 ? Date.now() + m.pttl : null };

  /** Replaces the whole state with a resync's snapshot in one step. */
  const swap = (): void => {
    const next = rebuilding!;
    rebuilding = null;
    const changed = new Set<string>(cells.keys());
    const old = cells;
    const oldShaped = shaped;
    reset();
    cells = next;
    shaped = new Map();
    for (const [k, c] of next) {
      changed.add(k);
      if (!touch(k)) return;
      // A key the resync found as it was keeps its entry's identity.
      const before = old.get(k);
      const e = oldShaped.get(k);
      if (before !== undefined && e !== undefined && sameCell(before, c)) {
        next.set(k, before);
        shaped.set(k, e);
        changed.delete(k);
      }
    }
    snap = null;
    status = "live";
    for (const fn of Array.from(statusListeners)) fn(status, null);
    emit(Array.from(changed));
  };

  const apply = (k: string, ev: KeyEvent<unknown>, from: Cell | null): void => {
    let r: number;
    if (ev.event === "rename_to" && from !== null) {
      cells.set(k, from);
      r = CHANGED;
    } else {
      if (ev.event === "rename_from") renamed = cells.get(k) ?? null;
      r = applyEvent(cells, k, ev.event, ev.delta, cx, streamEntries);
    }
    if (r & CHANGED) {
      if (!touch(k)) return;
      emit([k]);
    }
    if (r & REREAD && !stale.has(k)) {
      stale.set(k, []);
      readQueue.push(k);
      pump();
    }
  };

  const onEvent = (ev: KeyEvent<unknown>): void => {
    const k = cx(ev.key)!;
    const from = renamed;
    renamed = null;
    const st = stale.get(k);
    if (st) return void st.push(ev);
    const floor = floors.get(k);
    if (floor !== undefined) {
      if (ev.offset <= floor) return;
      floors.delete(k);
    }
    apply(k, ev, from);
  };

  const readDone = (k: string, st: Stale, got: SnapshotEntry<unknown> | null, at: number): void => {
    stale.delete(k);
    if (got) cells.set(k, fromSnapshot(got));
    else cells.delete(k);
    if (!touch(k)) return;
    floors.set(k, at);
    emit([k]);
    for (const ev of st) {
      if (ev.offset <= at) continue;
      const again = stale.get(k);
      if (again) again.push(ev);
      else {
        apply(k, ev, null);
        renamed = null;
        if (status === "closed") return;
      }
    }
  };

  /**
   * Reads one key with a watch of exactly that key that asks for a snapshot and no events:
   * its answer carries the key's value and TTL and the server's offset at that moment.
   */
  const read = (k: string, st: Stale): void => {
    const gen = generation;
    let got: SnapshotEntry<unknown> | null = null;
    const p = exactPattern(k);
    reading++;
    const settle = (): boolean => (reading--, gen === generation && stale.get(k) === st);
    subs.watch(bytesMode ? latin1Bytes(p) : p, (m) => void (m.type === "snapshot" && (got = m)), { db, snapshot: true, events: [] }, mode).then(
      (w) => {
        w.unwatch().catch(() => {});
        if (settle()) readDone(k, st, got, w.position[1]);
        pump();
      },
      (e: Error) => {
        if (!settle()) return;
        // Dropped: read again once the connection is back. Refused: the view cannot stay exact.
        if (e instanceof ConnectionError) readQueue.push(k);
        else fail(e);
        pump();
      },
    );
  };

  function pump(): void {
    while (reading < MAX_READS_IN_FLIGHT && readQueue.length > 0 && conn.state === "open" && status !== "closed") {
      const k = readQueue.shift()!;
      const st = stale.get(k);
      if (st) read(k, st);
    }
  }

  const onMessage = (m: WatchMessage<unknown>): void => {
    if (status === "closed") return;
    if (m.type === "resync") {
      // A snapshot follows in the same step (then `started`): build it aside, then swap.
      rebuilding = new Map();
      return setStatus("resyncing");
    }
    if (m.type === "snapshot") {
      const k = cx(m.key)!;
      if (rebuilding) rebuilding.set(k, fromSnapshot(m));
      else {
        cells.set(k, fromSnapshot(m));
        touch(k);
      }
      return;
    }
    if (rebuilding) swap();
    onEvent(m);
  };

  const started = (): void => {
    if (status === "closed") return;
    if (rebuilding) swap();
    else if (status !== "live") {
      const first = status === "loading";
      setStatus("live");
      if (first) emit(Array.from(cells.keys()));
    }
    pump();
  };

  const offState = conn.onState((s, why) => {
    if (s === "reconnecting" && status === "live") setStatus("reconnecting");
    else if (s === "open") queueMicrotask(pump);
    else if (s === "closed") fail(new ConnectionError(`keycast: the live view lost its connection${why ? `: ${why}` : ""}`));
  });

  const getSnapshot = (): LiveSnapshot<V> => {
    if (snap !== null) return snap;
    const map = new Map<string, LiveEntry<V>>();
    for (const k of cells.keys()) map.set(k, entryOf(k)!);
    const e = (key: Key) => map.get(ik(key));
    return (snap = Object.freeze({
      status,
      error,
      size: map.size,
      get: (key: Key) => e(key)?.value,
      entry: e,
      has: (key: Key) => e(key) !== undefined,
      keys: () => Array.from(map.keys(), ok),
      entries: () => Array.from(map, ([k, x]): [V, LiveValue<V>] => [ok(k), x.value]),
    }));
  };

  // The view reads through its current snapshot: built once per change, then shared.
  const view: LiveView<V> = {
    get status() {
      return status;
    },
    get error() {
      return error;
    },
    get size() {
      return cells.size;
    },
    get: (key) => getSnapshot().get(key),
    entry: (key) => getSnapshot().entry(key),
    has: (key) => cells.has(ik(key)),
    keys: () => getSnapshot().keys(),
    entries: () => getSnapshot().entries(),
    getSnapshot,
    ready: null as unknown as Promise<LiveView<V>>,
    ttl(key) {
      const c = cells.get(ik(key));
      return c === undefined ? -2 : c.exp === null ? -1 : Math.max(0, Math.round(c.exp - Date.now()));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => void statusListeners.delete(listener);
    },
    close() {
      if (status === "closed") return Promise.resolve();
      const w = watch;
      watch = null;
      fail(null);
      return w ? w.unwatch().catch(() => {}) : Promise.resolve();
    },
  };

  const ready = subs.watch(pattern, onMessage, { db, value: "delta", snapshot: true, snapshotLimit: maxKeys }, mode, { started, failed: fail }).then(
    (w) => {
      watch = w;
      if (status === "closed") {
        w.unwatch().catch(() => {});
        if (error) throw error;
      }
      return view;
    },
    (e: Error) => {
      fail(e);
      throw e;
    },
  );
  ready.catch(() => {});
  (view as { ready: Promise<LiveView<V>> }).ready = ready;
  return view;
}

/** Whether a resync found a key as the view had it (its entry then keeps its identity). */
function sameCell(a: Cell, b: Cell): boolean {
  const sig = (c: Cell) => JSON.stringify([c.t, c.exp === null, c.v], (_, x: unknown) => (x instanceof Set || x instanceof Map ? [...x] : x));
  // Deadlines are on the client's clock, from two readings of the TTL: a second apart is the same.
  return sig(a) === sig(b) && Math.abs((a.exp ?? 0) - (b.exp ?? 0)) <= 1000;
}
