// MULTI/EXEC/DISCARD/WATCH/UNWATCH, with Redis 7's semantics (multi.c): commands queue after
// MULTI; a command refused while queueing (unknown, wrong arity) makes EXEC abort with
// EXECABORT; run-time errors are per command in EXEC's reply; a WATCHed key changed by anyone,
// over any transport, or expired, makes EXEC reply with a null array.
//
// WATCH learns of changes from the keyspace's event stream (every write announces itself
// there) and of FLUSHDB/FLUSHALL/SWAPDB from its flush stream, so no command needs to know
// about it.

import type { Context, Session } from "./context.js";
import type { Entry } from "./command-impl.js";
import { CommandError, EXECABORT } from "./errors.js";
import type { Database } from "./keyspace/database.js";
import type { Keyspace } from "./keyspace/keyspace.js";
import { ErrorReply, NO_REPLY, NULL_ARRAY, OK, QUEUED, type Reply } from "./reply.js";
import type { ServerState } from "./state.js";

/** Commands that run at once inside MULTI instead of queueing, as in Redis. */
const IMMEDIATE = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);

interface Queued {
  readonly entry: Entry;
  readonly argv: string[];
}

interface Watched {
  readonly db: number;
  readonly key: string;
}

/** One connection's transaction state. */
export class Transaction {
  /** Commands queued since MULTI; null outside MULTI. */
  queue: Queued[] | null = null;
  /** A command was refused while queueing: EXEC aborts. */
  flagged = false;
  /** A watched key changed: EXEC replies with a null array. */
  dirty = false;
  readonly watched: Watched[] = [];

  constructor(private readonly registry: WatchRegistry) {}

  get inMulti(): boolean {
    return this.queue !== null;
  }

  /** Called by the registry when a watched key changes. */
  touch(): void {
    this.dirty = true;
    // Nothing can make the transaction clean again but UNWATCH/EXEC/DISCARD: stop listening.
    this.unwatchAll();
  }

  watch(db: Database, key: string): void {
    for (const w of this.watched) if (w.db === db.index && w.key === key) return;
    // A key already past its deadline is removed now, so its expiry is not taken for a change later.
    db.lookup(key);
    this.watched.push({ db: db.index, key });
    this.registry.add(db.index, key, this);
  }

  unwatchAll(): void {
    for (const w of this.watched) this.registry.remove(w.db, w.key, this);
    this.watched.length = 0;
  }

  /** Ends MULTI and forgets the watched keys (EXEC, DISCARD, RESET, disconnect). */
  discard(): void {
    this.queue = null;
    this.flagged = false;
    this.dirty = false;
    this.unwatchAll();
  }

  /** Removes deadline-passed watched keys now, so an expiry since WATCH counts as a change. */
  expireWatched(keyspace: Keyspace): void {
    for (let i = this.watched.length - 1; i >= 0 && !this.dirty; i--) {
      const w = this.watched[i]!;
      keyspace.dbs[w.db]!.lookup(w.key);
    }
  }
}

/** Which transactions watch which keys, for one server. */
class WatchRegistry {
  private readonly byDb: Map<string, Set<Transaction>>[];
  private count = 0;

  constructor(private readonly keyspace: Keyspace) {
    this.byDb = keyspace.dbs.map(() => new Map());
    keyspace.onKeyEvent((db, event, key) => {
      if (this.count === 0 || event === "keymiss") return;
      const watchers = this.byDb[db]!.get(key);
      if (watchers !== undefined) for (const tx of [...watchers]) tx.touch();
    });
    keyspace.onFlush((db) => {
      if (this.count === 0) return;
      if (db === "all") for (let i = 0; i < this.byDb.length; i++) this.touchExisting(i, i);
      else this.touchExisting(db, db);
    });
  }

  add(db: number, key: string, tx: Transaction): void {
    const m = this.byDb[db]!;
    let set = m.get(key);
    if (set === undefined) m.set(key, (set = new Set()));
    if (!set.has(tx)) {
      set.add(tx);
      this.count++;
    }
  }

  remove(db: number, key: string, tx: Transaction): void {
    const m = this.byDb[db]!;
    const set = m.get(key);
    if (set === undefined || !set.delete(tx)) return;
    this.count--;
    if (set.size === 0) m.delete(key);
  }

  private live(db: number, key: string): boolean {
    const d = this.keyspace.dbs[db]!;
    if (!d.data.has(key)) return false;
    const at = d.deadline(key);
    return at === undefined || at > this.keyspace.now;
  }

  /**
   * Touches the watchers of db whose key is live in db or in `other`: a flush (other = db)
   * changes only keys that existed, a swap those that exist on either side (Redis's
   * touchAllWatchedKeysInDb). Must run before the flush or swap.
   */
  touchExisting(db: number, other: number): void {
    const m = this.byDb[db]!;
    if (m.size === 0) return;
    for (const [key, watchers] of [...m]) {
      if (this.live(db, key) || (other !== db && this.live(other, key))) for (const tx of [...watchers]) tx.touch();
    }
  }
}

const registries = new WeakMap<ServerState, WatchRegistry>();
const transactions = new WeakMap<Session, Transaction>();

function registryOf(server: ServerState): WatchRegistry {
  let r = registries.get(server);
  if (r === undefined) registries.set(server, (r = new WatchRegistry(server.keyspace)));
  return r;
}

/** Creates the transaction state of a connection that may use MULTI (a RESP connection). */
export function openTransaction(server: ServerState, session: Session): Transaction {
  const tx = new Transaction(registryOf(server));
  transactions.set(session, tx);
  return tx;
}

export function transactionOf(session: Session): Transaction | undefined {
  return transactions.get(session);
}

function required(ctx: Context): Transaction {
  const tx = transactions.get(ctx.session);
  if (tx === undefined) throw new CommandError("ERR transactions are not available on this connection");
  return tx;
}

/** SWAPDB's effect on WATCH; call before swapping (the flush stream cannot tell a swap's pair). */
export function touchWatchedForSwap(server: ServerState, a: number, b: number): void {
  const r = registries.get(server);
  if (r === undefined) return;
  r.touchExisting(a, b);
  r.touchExisting(b, a);
}

/**
 * Runs or queues one command for a connection with transaction state: the transport's
 * entry point in place of execute().
 */
export function runCommand(ctx: Context, tx: Transaction, argv: string[]): Reply {
  const dispatcher = ctx.server.dispatcher;
  if (tx.queue === null) return dispatcher.execute(ctx, argv);
  const entry = dispatcher.resolve(ctx, argv);
  if (entry instanceof ErrorReply) {
    tx.flagged = true;
    ctx.server.stats.errorReplies++;
    return entry;
  }
  const name = entry.lower.includes("|") ? entry.lower.slice(0, entry.lower.indexOf("|")) : entry.lower;
  if (IMMEDIATE.has(name)) return dispatcher.call(ctx, entry, argv);
  if (entry.spec.flags.includes("no_multi")) {
    tx.flagged = true;
    ctx.server.stats.errorReplies++;
    return new ErrorReply("ERR Command not allowed inside a transaction");
  }
  tx.queue.push({ entry, argv });
  return QUEUED;
}

export function multi(ctx: Context): Reply {
  const tx = required(ctx);
  if (tx.queue !== null) throw new CommandError("ERR MULTI calls can not be nested");
  tx.queue = [];
  return OK;
}

export function discard(ctx: Context): Reply {
  const tx = required(ctx);
  if (tx.queue === null) throw new CommandError("ERR DISCARD without MULTI");
  tx.discard();
  return OK;
}

export function exec(ctx: Context): Reply {
  const tx = required(ctx);
  const queue = tx.queue;
  if (queue === null) throw new CommandError("ERR EXEC without MULTI");
  if (tx.flagged) {
    tx.discard();
    return new ErrorReply(EXECABORT);
  }
  tx.expireWatched(ctx.server.keyspace);
  if (tx.dirty) {
    tx.discard();
    return NULL_ARRAY;
  }
  tx.discard();
  const replies: Reply[] = new Array(queue.length);
  const session = ctx.session;
  const push = session.push;
  // Pushes made while EXEC runs (SUBSCRIBE's confirmations) cannot go out before EXEC's own
  // array: a command that answers only by pushes gets them as its element, as in Redis; any
  // other push (a message to itself) follows the EXEC reply.
  let captured: Reply[][] = [];
  const later: Reply[][] = [];
  if (push) session.push = (items) => void captured.push(items);
  try {
    for (let i = 0; i < queue.length; i++) {
      const r = ctx.server.dispatcher.call(ctx, queue[i]!.entry, queue[i]!.argv);
      if (r === NO_REPLY) replies[i] = captured.length === 1 ? captured[0]! : captured;
      else {
        replies[i] = r;
        later.push(...captured);
      }
      captured = [];
    }
  } finally {
    if (push) session.push = push;
  }
  session.lastCommand = "exec";
  if (push && later.length > 0) queueMicrotask(() => later.forEach((items) => push(items)));
  return replies;
}

export function watch(ctx: Context, argv: string[]): Reply {
  const tx = required(ctx);
  if (tx.queue !== null) throw new CommandError("ERR WATCH inside MULTI is not allowed");
  // Already doomed: watching more changes nothing (as Redis does).
  if (tx.dirty) return OK;
  const db = ctx.db;
  for (let i = 1; i < argv.length; i++) tx.watch(db, argv[i]!);
  return OK;
}

export function unwatch(ctx: Context): Reply {
  const tx = transactions.get(ctx.session);
  if (tx !== undefined) {
    tx.unwatchAll();
    tx.dirty = false;
  }
  return OK;
}
