// Turns what the dispatcher runs into append-only log records, as Redis's AOF does: the
// commands, not their events. A command is recorded at its first effect (the first keyspace
// event it causes), so a command that changes nothing (SADD of members already there, a
// WRONGTYPE, any read) is never logged, and its record is encoded before any watcher hears of
// the change. Relative TTLs become absolute (PXAT / PEXPIREAT) and SPOP becomes the members it
// popped, so a replay does exactly what the original did.

import { isOption } from "../args.js";
import type { ServerState } from "../state.js";
import { Kind, type RecordWriter } from "./aof-format.js";

/** What the dispatcher tells the journal: the command running now, and groups that must apply together. */
export interface CommandFeed {
  enter(db: number, argv: string[] | null): void;
  leave(): void;
  /** An atomic batch (WebSocket) begins or ends: its commands are logged as one transaction. */
  groupBegin(): void;
  groupEnd(): void;
}

interface Frame {
  argv: string[] | null;
  db: number;
  logged: boolean;
}

/** Where records go, and whether they must reach the file before the event goes out. */
export interface RecordSink {
  readonly records: RecordWriter;
  /** A record was added; `urgent` asks for it to be written now (someone will see its event). */
  added(urgent: boolean): void;
}

export class Journal implements CommandFeed {
  private readonly frames: Frame[] = [];
  private depth = 0;
  private multiOpen = false;

  constructor(
    private readonly state: ServerState,
    private readonly sink: RecordSink,
  ) {}

  enter(db: number, argv: string[] | null): void {
    let f = this.frames[this.depth];
    if (f === undefined) this.frames[this.depth] = f = { argv, db, logged: false };
    else {
      f.argv = argv;
      f.db = db;
      f.logged = false;
    }
    this.depth++;
  }

  leave(): void {
    const f = this.frames[--this.depth]!;
    f.argv = null;
    if (this.depth === 0 && this.multiOpen) {
      this.multiOpen = false;
      this.sink.records.marker(Kind.EXEC);
      this.sink.added(false);
    }
  }

  groupBegin(): void {
    this.enter(-1, null);
  }

  groupEnd(): void {
    this.leave();
  }

  /** Every keyspace event, before anyone else hears of it. */
  onKeyEvent(db: number, event: string, key: string, delta: unknown): void {
    const rec = this.sink.records;
    const now = this.state.keyspace.now;
    if (event === "expired" || event === "evicted") {
      rec.removal(event === "expired" ? Kind.EXPIRED : Kind.EVICTED, db, now, key);
      this.sink.added(this.state.watchers.size > 0);
      return;
    }
    this.effect(event === "spop" ? key : null, delta);
  }

  /** FLUSHDB, FLUSHALL, SWAPDB: an effect of the running command. */
  onFlush(): void {
    this.effect(null, undefined);
  }

  private effect(spopKey: string | null, delta: unknown): void {
    if (this.depth === 0) return;
    const f = this.frames[this.depth - 1]!;
    if (f.logged || f.argv === null) return;
    f.logged = true;
    const rec = this.sink.records;
    if (this.depth > 1 && !this.multiOpen) {
      this.multiOpen = true;
      rec.marker(Kind.MULTI);
    }
    const now = this.state.keyspace.now;
    const offset = this.state.history.offset;
    if (spopKey !== null && Array.isArray(delta)) rec.spop(f.db, now, offset, spopKey, delta as string[]);
    else rec.command(f.db, now, offset, absoluteTtl(f.argv, now));
    this.sink.added(this.state.watchers.size > 0);
  }
}

/** now + n units, exactly (n may be beyond 2^53 / 1000). */
function plus(now: number, n: string, unitMs: bigint): string {
  return (BigInt(now) + BigInt(n) * unitMs).toString();
}

/**
 * The command with its relative expiry made absolute: SET EX/PX -> PXAT, SETEX/PSETEX ->
 * SET PXAT, GETEX EX/PX -> PXAT, EXPIRE/PEXPIRE -> PEXPIREAT. The command already succeeded,
 * so its arguments are known to be well-formed.
 */
export function absoluteTtl(argv: string[], now: number): string[] {
  const name = argv[0]!.toLowerCase();
  switch (name) {
    case "set":
    case "getex": {
      for (let i = name === "set" ? 3 : 2; i < argv.length - 1; i++) {
        const a = argv[i]!;
        const unit = isOption(a, "EX") ? 1000n : isOption(a, "PX") ? 1n : 0n;
        if (unit === 0n) continue;
        const out = argv.slice();
        out[i] = "PXAT";
        out[i + 1] = plus(now, argv[i + 1]!, unit);
        return out;
      }
      return argv;
    }
    case "setex":
    case "psetex":
      return ["SET", argv[1]!, argv[3]!, "PXAT", plus(now, argv[2]!, name === "setex" ? 1000n : 1n)];
    case "expire":
    case "pexpire":
      return ["PEXPIREAT", argv[1]!, plus(now, argv[2]!, name === "expire" ? 1000n : 1n), ...argv.slice(3)];
    default:
      return argv;
  }
}
