// Loading at start: the keys from a snapshot, or from the append-only log (its base snapshot,
// then its records replayed). Records are replayed with the clock each command originally
// ran with, so keys expire at the same points and the event history is rebuilt with the same
// offsets: watchers resume across the restart as if nothing happened.
//
// A log whose last record was cut short by a crash loads up to the last whole record (and the
// file is truncated there); damage anywhere else refuses the start, with a message saying
// where and how to repair (--repair-aof), unless repair was asked for.

import fs from "node:fs";
import { Context, type Session } from "../context.js";
import { CommandError } from "../errors.js";
import type { EventRecord } from "../events/history.js";
import type { Database, StoredValue } from "../keyspace/database.js";
import type { SetValue } from "../keyspace/set.js";
import type { Logger } from "../observability/logger.js";
import { ErrorReply } from "../reply.js";
import type { ServerState } from "../state.js";
import { ByteReader, CorruptError } from "./codec.js";
import { checkAofHeader, Kind, readRecords, type AofRecord, AOF_HEADER_BYTES } from "./aof-format.js";
import { readSnapshot, type SnapshotMeta, type SnapshotTarget } from "./format.js";

/** A reason not to start: the message says what is wrong and what to do. */
export class RecoveryError extends Error {}

/** What a snapshot (or a log's base) said beyond its keys. */
export interface Loaded {
  meta: SnapshotMeta | null;
  events: EventRecord[] | null;
  keys: number;
}

function keyspaceTarget(state: ServerState, out: Loaded): SnapshotTarget {
  const dbs = state.keyspace.dbs;
  const db = (i: number): Database => {
    const d = dbs[i];
    if (d === undefined) throw new CorruptError(`database ${i} does not exist (keycast has ${dbs.length})`);
    return d;
  };
  return {
    put(i: number, key: string, value: StoredValue, deadline: number) {
      const d = db(i);
      d.data.set(key, value);
      if (deadline !== 0) d.setDeadline(key, deadline);
      else d.clearDeadline(key);
    },
    del(i: number, key: string) {
      const d = db(i);
      d.data.delete(key);
      d.clearDeadline(key);
    },
    clear(i: number) {
      db(i).clear();
    },
    meta(m: SnapshotMeta) {
      out.meta = m;
    },
    history(events: EventRecord[]) {
      out.events = events;
    },
  };
}

function countKeys(state: ServerState): number {
  let n = 0;
  for (const d of state.keyspace.dbs) n += d.size;
  return n;
}

/** Reads a snapshot file into the (empty) keyspace. */
export function loadSnapshot(state: ServerState, file: string): Loaded {
  const out: Loaded = { meta: null, events: null, keys: 0 };
  const buf = fs.readFileSync(file);
  try {
    readSnapshot(new ByteReader(buf), keyspaceTarget(state, out), file);
  } catch (e) {
    if (e instanceof CorruptError) {
      throw new RecoveryError(`${e.message}. keycast does not start from a damaged snapshot: move ${file} away (keycast then starts empty) or restore it from a backup`);
    }
    throw e;
  }
  out.keys = countKeys(state);
  return out;
}

/**
 * Puts the history position back: the same epoch (so watchers' positions stay valid) when
 * `keepEpoch`, the events the snapshot kept, and the offset.
 */
export function restoreHistory(state: ServerState, loaded: Loaded, keepEpoch: boolean): void {
  const meta = loaded.meta;
  if (meta === null || !keepEpoch) return;
  const history = state.history;
  // The epoch is what makes old positions valid; History creates a fresh one per process and
  // offers no setter, since only a restore may reuse one.
  (history as { epoch: string }).epoch = meta.epoch;
  for (const e of loaded.events ?? []) if (e.offset <= meta.offset) history.append(e);
  history.offset = meta.offset;
}

export interface AofLoadOptions {
  /** Load a torn last record with a warning (aof-load-truncated). */
  loadTruncated: boolean;
  /** Truncate at the first damaged record, whatever follows it (--repair-aof). */
  repair: boolean;
  logger: Logger;
}

export interface AofLoaded extends Loaded {
  /** Records replayed. */
  records: number;
  /** Size of the file after any truncation. */
  size: number;
  /** Where the records start (the base snapshot's size with the header). */
  baseSize: number;
  /** False when the replay did not rebuild the history positions the log recorded. */
  historyExact: boolean;
}

/** A session for replayed commands: they run as if sent by the client that sent them. */
function loaderSession(): Session {
  const now = Date.now();
  return {
    id: 0,
    transport: "resp",
    addr: "aof:0",
    db: 0,
    name: "aof-loader",
    resp: 3,
    createdAt: now,
    lastCommand: "NULL",
    lastActiveAt: now,
    close() {},
  };
}

class Replayer {
  private readonly session = loaderSession();
  private readonly ctx: Context;
  failures = 0;
  historyExact = true;

  constructor(
    private readonly state: ServerState,
    private readonly logger: Logger,
  ) {
    this.ctx = new Context(state, this.session);
  }

  apply(rec: AofRecord): void {
    const state = this.state;
    const ks = state.keyspace;
    switch (rec.kind) {
      case Kind.CMD: {
        ks.now = rec.time;
        this.checkOffset(rec.offset);
        this.session.db = rec.db;
        const entry = this.ctx.server.dispatcher.resolve(this.ctx, rec.argv);
        let reply: unknown;
        try {
          reply = entry instanceof ErrorReply ? entry : entry.impl(this.ctx, rec.argv);
        } catch (e) {
          if (!(e instanceof CommandError)) throw e;
          reply = new ErrorReply(e.message);
        }
        if (reply instanceof ErrorReply && this.failures++ < 10) {
          this.logger.warn({ command: rec.argv[0], error: reply.message }, "a logged command failed on replay");
        }
        return;
      }
      case Kind.SPOP: {
        ks.now = rec.time;
        this.checkOffset(rec.offset);
        const db = ks.dbs[rec.db];
        const set = db?.lookup(rec.key) as SetValue | undefined;
        if (db === undefined || set === undefined || set.type !== "set") {
          if (this.failures++ < 10) this.logger.warn({ key: rec.key }, "a logged SPOP found no set on replay");
          return;
        }
        for (const m of rec.members) set.remove(m);
        const emptied = set.size === 0;
        if (emptied) db.delete(rec.key);
        ks.notify(rec.db, "spop", rec.key, rec.members);
        if (emptied) ks.notify(rec.db, "del", rec.key);
        return;
      }
      case Kind.EXPIRED:
      case Kind.EVICTED: {
        ks.now = rec.time;
        const db = ks.dbs[rec.db];
        if (db === undefined || !db.data.has(rec.key)) return;
        if (rec.kind === Kind.EXPIRED) {
          // Applied only if the key is really due: a record logged in the middle of a command
          // that has just been replayed as a whole may name a key that command set again.
          const at = db.deadline(rec.key);
          if (at !== undefined && at <= rec.time) ks.expireNow(db, rec.key);
          return;
        }
        db.data.delete(rec.key);
        db.clearDeadline(rec.key);
        state.stats.evictedKeys++;
        ks.notify(rec.db, "evicted", rec.key);
        return;
      }
      default:
        return;
    }
  }

  private checkOffset(expected: number): void {
    if (this.historyExact && this.state.history.offset !== expected) {
      this.historyExact = false;
      this.logger.warn({ expected, got: this.state.history.offset }, "the replay did not rebuild the event history exactly: watchers will resync");
    }
  }
}

function damaged(file: string, at: number, size: number, reason: string, records: number): RecoveryError {
  return new RecoveryError(
    `${file} is damaged at byte ${at} of ${size}: ${reason}, with ${size - at} bytes after it (${records} records before it are sound). ` +
      `keycast refuses to start from it. To keep what is sound, start once with --repair-aof: the file is cut at byte ${at} ` +
      `(a copy of the damaged file is kept beside it) and the ${size - at} bytes after it are lost.`,
  );
}

/** Loads the append-only log: its base snapshot, then its records replayed. */
export function loadAof(state: ServerState, file: string, options: AofLoadOptions): AofLoaded {
  const buf = fs.readFileSync(file);
  const out: AofLoaded = { meta: null, events: null, keys: 0, records: 0, size: buf.length, baseSize: 0, historyExact: true };
  let start: number;
  try {
    checkAofHeader(buf, file);
    start = readSnapshot(new ByteReader(buf, AOF_HEADER_BYTES), keyspaceTarget(state, out), `the base snapshot of ${file}`);
  } catch (e) {
    if (e instanceof CorruptError) throw new RecoveryError(`${e.message}. keycast cannot start from this log: restore it from a backup, or move it away to start from the snapshot (if any) or empty`);
    throw e;
  }
  out.baseSize = start;
  restoreHistory(state, out, true);

  const replay = new Replayer(state, options.logger);
  let group: AofRecord[] | null = null;
  let groupAt = 0;
  /** End of the last record whose effects are complete (outside a MULTI). */
  let sound = start;
  const problem = readRecords(buf, start, (rec, end) => {
    if (rec.kind === Kind.MULTI) {
      group = [];
      groupAt = sound;
      return;
    }
    if (group !== null) {
      if (rec.kind !== Kind.EXEC) {
        group.push(rec);
        return;
      }
      for (const r of group) replay.apply(r);
      out.records += group.length;
      group = null;
      sound = end;
      return;
    }
    replay.apply(rec);
    out.records++;
    sound = end;
  });
  state.keyspace.tick();
  out.historyExact = replay.historyExact;
  out.keys = countKeys(state);

  let cut: number | null = null;
  if (problem !== null) {
    const { at, reason, torn } = problem;
    if (torn && options.loadTruncated) {
      options.logger.warn({ file, at, size: buf.length, reason }, "the append-only file ends with a record cut short by a crash: loaded up to the last whole record, truncating the rest");
      cut = group !== null ? groupAt : at;
    } else if (options.repair) {
      const copy = `${file}.damaged-${Date.now()}`;
      fs.copyFileSync(file, copy);
      options.logger.warn({ file, at, size: buf.length, reason, copy }, "repairing the append-only file: truncated at the first damaged record");
      cut = group !== null ? groupAt : at;
    } else if (torn) {
      throw new RecoveryError(
        `${file} ends with a record cut short (${reason}) at byte ${at} of ${buf.length}, and aof-load-truncated is no: ` +
          `set aof-load-truncated yes, or start with --repair-aof, to load it up to the last whole record`,
      );
    } else {
      throw damaged(file, at, buf.length, reason, out.records);
    }
  } else if (group !== null) {
    options.logger.warn({ file, at: groupAt }, "the append-only file ends inside a transaction cut short by a crash: the transaction is dropped");
    cut = groupAt;
  }
  if (cut !== null) {
    fs.truncateSync(file, cut);
    out.size = cut;
  }
  return out;
}
