// Every gateway reads the shared stream and feeds each entry to its local Watchers, whose
// History becomes a cache of the stream (same epoch, same offsets): so a client resumes on
// any gateway from the position another one gave it.
//
// The epoch: a new leader appends a marker `<base-1>-2` and sets {keycast}:epoch to
// `<epoch>:<base>` in one script; entries before the marker belong to the previous epoch, and
// every entry names its epoch too. When the backend lost everything (restart without
// persistence, FLUSHALL) the stream starts again below the reader's cursor, where it would
// never look: so when a read times out, or returns an entry of an epoch whose marker it did not
// see, the reader checks the epoch key, and if its cursor is already past the new epoch's
// marker it starts over from that marker. Connections with watches are then closed (1001): the
// clients reconnect and resume, and are told to resync since their positions are gone.

import type { RedisArgument } from "redis";
import { CloseCode } from "../../../shared/protocol.js";
import { bufferToBytes } from "../../bytes.js";
import type { EventRecord } from "../../events/history.js";
import { UNRECORDED } from "../../events/values.js";
import { WITH_DELTA, WITH_VALUE, type Watchers } from "../../events/watchers.js";
import { DATABASES } from "../../keyspace/keyspace.js";
import type { Logger } from "../../observability/logger.js";
import type { Reply } from "../../reply.js";
import { isClusterClient, send, type Backend, type BackendClient, type BackendValue, type NodeClient } from "../backend.js";
import { compareIds, EPOCH_KEY, errorText, EVENTS_KEY, markerId, parseEpoch, sleep, type EpochInfo } from "./keys.js";
import { DELTA_IS_VALUE, readKey } from "./values.js";

/** Events after which the key no longer exists: their value is nil without a read. */
const GONE = new Set(["del", "expired", "evicted", "rename_from", "move_from"]);
/** Entries per read. */
const COUNT = 1000;

type Entry = [id: string, fields: Map<string, Buffer>];

interface Waiter {
  epoch: string;
  offset: number;
  resolve(): void;
}

export interface ReaderOptions {
  /** How long one blocking read waits before the epoch is looked at again, ms. */
  blockMs: number;
}

export class StreamReader {
  private conn: NodeClient | null = null;
  private cursor = "0-0";
  /** Epoch of the entries delivered so far; null before the first. */
  private epoch: string | null = null;
  /** The backend's epoch as last read. */
  current: EpochInfo | null = null;
  private closed = false;
  private waiters: Waiter[] = [];
  private loopDone: Promise<void> | null = null;
  private synced: (() => void) | null = null;
  private failing = false;
  /** Entries delivered, and restarts of the history seen (for tests and INFO). */
  delivered = 0;
  restarts = 0;

  constructor(
    private readonly backend: Backend,
    private readonly own: () => Promise<BackendClient>,
    private readonly watchers: Watchers,
    private readonly logger: Logger,
    private readonly options: ReaderOptions,
  ) {}

  /** Starts reading; resolves once caught up with the stream (or after `waitMs` without an epoch). */
  start(waitMs: number): Promise<void> {
    const synced = new Promise<void>((resolve) => (this.synced = resolve));
    this.loopDone = this.loop();
    return Promise.race([synced, sleep(waitMs)]);
  }

  /** Resolves once this reader has delivered `offset` of `epoch`, or it is clear it never will, or after ms. */
  waitFor(epoch: string, offset: number, ms: number): Promise<void> {
    if (this.settled(epoch, offset)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const w: Waiter = { epoch, offset, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve();
      }, ms).unref();
    });
  }

  /**
   * Waits (at most ms) until this reader has delivered what the stream holds now: a snapshot
   * then starts from a position that already covers the writes acknowledged before it, and
   * does not replay them as events.
   */
  async catchUp(ms: number): Promise<void> {
    const cur = this.current;
    if (cur === null) return;
    const top = (await send(await this.own(), ["XREVRANGE", EVENTS_KEY, "+", "-", "COUNT", "1"], EVENTS_KEY)) as BackendValue[];
    if (top.length === 0) return;
    const lastId = bufferToBytes((top[0] as BackendValue[])[0] as Buffer);
    await this.waitFor(cur.epoch, Number(lastId.slice(0, lastId.indexOf("-"))), ms);
  }

  private settled(epoch: string, offset: number): boolean {
    const history = this.watchers.history;
    if (history.epoch === epoch) return history.offset >= offset;
    // Another epoch than ours: wait only if it is the backend's and we have not reached it yet.
    return this.current === null || this.current.epoch !== epoch || this.epoch === epoch;
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (this.settled(w.epoch, w.offset)) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private async connect(): Promise<NodeClient> {
    const own = await this.own();
    let node: { host: string; port: number };
    if (isClusterClient(own)) {
      const slot = Number(await send(own, ["CLUSTER", "KEYSLOT", EVENTS_KEY]));
      const m = own.getSlotMaster(slot);
      node = { host: m.host, port: m.port };
    } else node = (await this.backend.masters())[0]!;
    const c = await this.backend.connectNode(node, this.backend.spec.cluster ? 0 : this.backend.spec.db);
    c.on("error", () => {});
    return c;
  }

  private async readEpoch(): Promise<EpochInfo | null> {
    const info = parseEpoch(await send(await this.own(), ["GET", EPOCH_KEY], EPOCH_KEY));
    this.current = info;
    return info;
  }

  private async loop(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.conn === null) this.conn = await this.connect();
        if (this.epoch === null) {
          const cur = await this.readEpoch();
          if (cur === null) {
            await sleep(50);
            continue;
          }
          await this.first(cur);
        }
        const args: RedisArgument[] = ["XREAD", "COUNT", String(COUNT), "BLOCK", String(this.options.blockMs), "STREAMS", EVENTS_KEY, this.cursor];
        const entries = parseRead(await this.conn.sendCommand<BackendValue>(args));
        if (this.closed) break;
        // Quiet, or an entry of an epoch whose marker was not seen: has the backend started a
        // new history below the cursor (its data lost)?
        const stoppedAt = entries.length === 0 ? null : await this.process(entries);
        if (entries.length === 0 || stoppedAt !== null) {
          const cur = await this.readEpoch();
          if (cur === null) await sleep(50);
          else if (this.epoch !== cur.epoch && compareIds(this.cursor, markerId(cur.base)) >= 0) this.adopt(cur, "the backend's event history was lost");
          else if (stoppedAt !== null) {
            // An entry of no epoch this reader can place (not a lost history): skip it.
            this.logger.warn({ id: stoppedAt }, "gateway: skipped a history entry of an unknown epoch");
            this.cursor = stoppedAt;
          } else if (this.synced !== null) {
            this.synced();
            this.synced = null;
          }
        }
        this.wake();
        this.failing = false;
      } catch (e) {
        if (this.closed) break;
        // One line per outage, not one per retry.
        if (!this.failing) this.logger.warn({ err: errorText(e) }, "gateway: reading the event history failed; retrying");
        this.failing = true;
        const c = this.conn;
        this.conn = null;
        if (c !== null) c.destroy();
        await sleep(100);
      }
    }
  }

  /** The first epoch seen: load the newest `maxEvents` entries of it, so positions other gateways gave out resume here. */
  private async first(cur: EpochInfo): Promise<void> {
    const top = (await send(await this.own(), ["XREVRANGE", EVENTS_KEY, "+", "-", "COUNT", "1"], EVENTS_KEY)) as BackendValue[];
    const lastId = top.length > 0 ? bufferToBytes((top[0] as BackendValue[])[0] as Buffer) : "0-0";
    const last = Number(lastId.slice(0, lastId.indexOf("-")));
    const from = Math.max(cur.base - 1, last - this.watchers.history.options.maxEvents);
    this.watchers.history.reset(cur.epoch, from);
    this.epoch = cur.epoch;
    this.cursor = from === cur.base - 1 ? markerId(cur.base) : `${from}-1`;
  }

  /** Starts over at the backend's current epoch (its marker was not seen). */
  private adopt(cur: EpochInfo, why: string): void {
    this.restart(cur.epoch, cur.base - 1, why);
    this.epoch = cur.epoch;
    this.cursor = markerId(cur.base);
  }

  /** The local history starts again; watchers' positions are gone, so their connections are told to come back. */
  private restart(epoch: string, offset: number, why: string): void {
    const watchers = this.watchers;
    watchers.history.reset(epoch, offset);
    this.restarts++;
    const sinks = watchers.sinks();
    if (sinks.size === 0) return;
    this.logger.warn({ reason: why, connections: sinks.size }, "gateway: the event history restarted; watching connections must resync");
    for (const sink of sinks) {
      sink.stamp = -1;
      sink.closeWith?.(CloseCode.GOING_AWAY, `event history restarted (${why}): reconnect and resync`);
    }
  }

  /**
   * Delivers the entries in order; returns the ID of the entry it stopped at, one of an epoch
   * whose marker it did not see (the stream was replaced under the cursor?), for the caller to
   * look into; null when it delivered them all.
   */
  private async process(entries: Entry[]): Promise<string | null> {
    const watchers = this.watchers;
    let epoch = this.epoch;
    // First pass, synchronous: what each entry is, and which values to read.
    const items: (EventRecord | { epoch: string; base: number })[] = [];
    const ids: string[] = [];
    const reads: Promise<void>[] = [];
    for (const [id, f] of entries) {
      const ep = f.get("epoch");
      if (ep !== undefined) {
        epoch = ep.toString();
        items.push({ epoch, base: Number(String(f.get("base"))) });
        ids.push(id);
        continue;
      }
      if (f.get("ep")?.toString("latin1") !== epoch) break;
      const db = Number(String(f.get("db")));
      const keyBuf = f.get("key");
      const event = f.get("event")?.toString("latin1");
      if (keyBuf === undefined || event === undefined || !(db >= 0 && db < DATABASES)) {
        ids.push(id);
        items.push({ epoch: "", base: -1 });
        continue;
      }
      const key = bufferToBytes(keyBuf);
      const record: EventRecord = {
        offset: Number(id.slice(0, id.indexOf("-"))),
        db,
        key,
        event,
        time: Number(String(f.get("time"))),
        delta: undefined,
        value: GONE.has(event) ? null : UNRECORDED,
      };
      const needs = watchers.needsFor(db, key, event);
      const valueWanted = needs & WITH_VALUE && record.value === UNRECORDED;
      const deltaWanted = needs & WITH_DELTA && DELTA_IS_VALUE.has(event);
      if (valueWanted || deltaWanted) {
        reads.push(
          readKey(this.backend, db, key).then(
            (r) => {
              // Read after the fact: the value now, which may already be newer than this event.
              if (valueWanted) record.value = r.value;
              if (deltaWanted && typeof r.value === "string") (record as { delta: unknown }).delta = r.value as Reply;
            },
            () => {},
          ),
        );
      }
      items.push(record);
      ids.push(id);
    }
    if (reads.length > 0) await Promise.all(reads);
    if (this.closed) return null;
    const history = watchers.history;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      this.cursor = ids[i]!;
      if ("base" in item) {
        if (item.base < 0) continue;
        this.restart(item.epoch, item.base - 1, "a new events leader took over");
        this.epoch = item.epoch;
        continue;
      }
      if (item.offset !== history.offset + 1) this.restart(history.epoch, item.offset - 1, "events were trimmed from the history before this gateway read them");
      watchers.deliver(item);
      this.delivered++;
    }
    return items.length < entries.length ? entries[items.length]![0] : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn;
    this.conn = null;
    // The blocking read is cut, not waited for.
    if (c !== null) c.destroy();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    await this.loopDone?.catch(() => {});
  }
}

function text(b: BackendValue): string {
  return Buffer.isBuffer(b) ? b.toString("latin1") : String(b);
}

/** XREAD's reply (RESP3 map as a flat array, or RESP2 nested arrays) as entries; [] on a timeout. */
function parseRead(r: BackendValue): Entry[] {
  if (r === null || !Array.isArray(r) || r.length === 0) return [];
  // [name, entries] (map mapped to a flat array) or [[name, entries]] (RESP2).
  const list = (Array.isArray(r[0]) ? (r[0] as BackendValue[])[1] : r[1]) as BackendValue[];
  const out: Entry[] = [];
  for (const e of list) {
    const [id, flat] = e as [BackendValue, BackendValue[]];
    const fields = new Map<string, Buffer>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(text(flat[i]!), flat[i + 1] as Buffer);
    out.push([text(id), fields]);
  }
  return out;
}
