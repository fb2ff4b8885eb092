// Clients waiting on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK ...), as Redis's blocked.c:
// each key keeps its waiters first come, first served; a write to a key with waiters marks it
// ready; once the command that wrote (with its transaction or script) has finished, ready keys
// are served in the order they became ready, each to its waiters in order, for as long as there
// is something to take. A served pop that pushes (BLMOVE) makes its destination ready in turn.
//
// Idle waiters cost a map entry per key and an object each, and no CPU: no polling; a timer
// only for a waiter with a deadline.

import type { Context, Session } from "../context.js";
import type { Keyspace } from "../keyspace/keyspace.js";
import type { BlockReply, Reply } from "../reply.js";

/** How a transport answers a waiter: with its pop's reply, or the timeout's, or an error. */
export type Deliver = (reply: Reply) => void;

export class Waiter {
  /** Still waiting (not served, timed out, unblocked or cancelled). */
  active = true;
  timer: NodeJS.Timeout | null = null;

  constructor(
    readonly ctx: Context,
    readonly block: BlockReply,
    readonly deliver: Deliver,
  ) {}

  get session(): Session {
    return this.ctx.session;
  }
}

const UNBLOCKED = "UNBLOCKED client unblocked via CLIENT UNBLOCK";
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Blocking {
  /** "db\0key" -> its waiters, oldest first (entries of finished waiters are dropped lazily). */
  private readonly byKey = new Map<string, Waiter[]>();
  private readonly bySession = new Map<Session, Set<Waiter>>();
  private ready: string[] = [];
  private readonly readySet = new Set<string>();
  private serving = false;
  /** Waiters blocked now. */
  count = 0;
  /** Called after a served attempt, before its reply goes out (the AOF's flush). */
  beforeReply: (() => void) | null = null;

  constructor(private readonly keyspace: Keyspace) {
    keyspace.onKeyEvent((db, _event, key) => {
      if (this.count === 0) return;
      const id = keyId(db, key);
      if (!this.readySet.has(id) && this.byKey.has(id)) {
        this.readySet.add(id);
        this.ready.push(id);
      }
    });
  }

  /** Something to serve once the running command is done. */
  get pending(): boolean {
    return this.ready.length !== 0;
  }

  /** Sessions with at least one waiter (INFO's blocked_clients). */
  get blockedClients(): number {
    return this.bySession.size;
  }

  isBlocked(session: Session): boolean {
    return this.bySession.has(session);
  }

  /** Starts waiting. The transport has not answered the command; `deliver` will. */
  block(ctx: Context, block: BlockReply, deliver: Deliver): Waiter {
    const w = new Waiter(ctx, block, deliver);
    for (const key of block.keys) {
      const id = keyId(block.db, key);
      const list = this.byKey.get(id);
      if (list === undefined) this.byKey.set(id, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
    let mine = this.bySession.get(ctx.session);
    if (mine === undefined) this.bySession.set(ctx.session, (mine = new Set()));
    mine.add(w);
    this.count++;
    // setTimeout's range ends at 24.8 days: a longer wait is re-armed when that fires.
    if (block.deadline !== Infinity) w.timer = setTimeout(() => this.rearm(w), Math.min(Math.max(0, block.deadline - Date.now()), MAX_TIMER_MS));
    return w;
  }

  private rearm(w: Waiter): void {
    if (!w.active) return;
    const ms = w.block.deadline - Date.now();
    if (ms <= 0) this.finish(w, w.block.timeoutReply);
    else w.timer = setTimeout(() => this.rearm(w), Math.min(ms, MAX_TIMER_MS));
  }

  /**
   * Serves ready keys: called by the dispatcher when a top-level command has finished. Each
   * ready key's waiters get their attempt in order; what they take may make other keys ready,
   * which are served in the same call.
   */
  serve(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.length !== 0) {
        const batch = this.ready;
        this.ready = [];
        for (const id of batch) {
          this.readySet.delete(id);
          this.serveKey(id);
        }
      }
    } finally {
      this.serving = false;
    }
  }

  private serveKey(id: string): void {
    const list = this.byKey.get(id);
    if (list === undefined) return;
    const sep = id.indexOf("\0");
    const key = id.slice(sep + 1);
    // Waiters added while serving (a served client cannot block again synchronously) are not in
    // the copy; finished ones are skipped.
    for (const w of list.slice()) {
      if (!w.active) continue;
      const reply = this.tryServe(w, key);
      if (reply === undefined) continue;
      this.finish(w, reply);
    }
    this.compact(id);
  }

  private tryServe(w: Waiter, key: string): Reply | undefined {
    const ctx = w.ctx;
    const session = ctx.session;
    const saved = session.db;
    // A WebSocket client may have SELECTed another database since it blocked.
    session.db = w.block.db;
    // The append-only log records a served attempt as its non-blocking command (LPOP for BLPOP).
    const journal = ctx.server.journal;
    if (journal !== null) journal.enter(w.block.db, w.block.logged(key));
    try {
      this.keyspace.tick();
      return w.block.attempt(ctx, key);
    } finally {
      if (journal !== null) journal.leave();
      session.db = saved;
    }
  }

  /** Ends a wait with `reply` (its pop, its timeout, an error) and answers the client. */
  private finish(w: Waiter, reply: Reply): void {
    if (!this.end(w)) return;
    this.beforeReply?.();
    w.deliver(reply);
  }

  /** Takes a waiter off its keys, its session and its timer; false when it had already ended. */
  private end(w: Waiter): boolean {
    if (!w.active) return false;
    w.active = false;
    this.count--;
    if (w.timer !== null) clearTimeout(w.timer);
    const mine = this.bySession.get(w.session);
    if (mine !== undefined) {
      mine.delete(w);
      if (mine.size === 0) this.bySession.delete(w.session);
    }
    for (const key of w.block.keys) this.compact(keyId(w.block.db, key));
    return true;
  }

  private compact(id: string): void {
    const list = this.byKey.get(id);
    if (list === undefined) return;
    let j = 0;
    for (let i = 0; i < list.length; i++) if (list[i]!.active) list[j++] = list[i]!;
    list.length = j;
    if (j === 0) this.byKey.delete(id);
  }

  /**
   * CLIENT UNBLOCK: ends every wait of the session, with the timeout's reply or Redis's
   * UNBLOCKED error. False when it was not blocked.
   */
  unblock(session: Session, error: boolean, errorReply: (message: string) => Reply): boolean {
    const mine = this.bySession.get(session);
    if (mine === undefined) return false;
    for (const w of [...mine]) this.finish(w, error ? errorReply(UNBLOCKED) : w.block.timeoutReply);
    return true;
  }

  /** The connection went away: its waits end without an answer, so nothing is taken for it. */
  cancel(session: Session): void {
    const mine = this.bySession.get(session);
    if (mine === undefined) return;
    for (const w of [...mine]) this.end(w);
  }

  /** Ends every wait without an answer (the server is stopping). */
  close(): void {
    for (const mine of this.bySession.values()) for (const w of mine) if (w.timer !== null) clearTimeout(w.timer);
    this.bySession.clear();
    this.byKey.clear();
    this.count = 0;
  }
}

function keyId(db: number, key: string): string {
  return `${db}\0${key}`;
}

/**
 * May this command block? Only a transport's own top-level command (not one inside EXEC, an
 * atomic batch or a script, where Redis's blocking commands answer as at their timeout).
 */
export function mayBlock(ctx: Context): boolean {
  return ctx.blockable && ctx.server.callDepth === 1;
}
