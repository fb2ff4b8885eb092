// A RESP connection's subscriptions: SUBSCRIBE and friends answer with one push per
// channel, messages arrive as pushes, and in RESP2 a subscribed connection may only run
// the pub/sub commands, PING, QUIT and RESET, exactly as in Redis.

import type { Session } from "./context.js";
import type { PubSub, Subscriber } from "./pubsub.js";
import { ErrorReply, type Reply } from "./reply.js";

/** What a RESP2 connection may run while subscribed. */
const ALLOWED_WHILE_SUBSCRIBED: ReadonlySet<string> = new Set([
  "subscribe",
  "psubscribe",
  "unsubscribe",
  "punsubscribe",
  "ssubscribe",
  "sunsubscribe",
  "ping",
  "quit",
  "reset",
]);

export class SessionSubscriptions implements Subscriber {
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();

  constructor(
    private readonly pubsub: PubSub,
    private readonly session: Session,
  ) {}

  /** Through the session, read at each call: EXEC captures pushes while it runs. */
  private push(items: Reply[]): void {
    this.session.push?.(items);
  }

  /** Channels plus patterns: the count Redis reports after each (un)subscribe. */
  get count(): number {
    return this.channels.size + this.patterns.size;
  }

  onMessage(channel: string, message: string, pattern: string | null): void {
    if (pattern === null) this.push(["message", channel, message]);
    else this.push(["pmessage", pattern, channel, message]);
  }

  subscribe(names: readonly string[], pattern: boolean): void {
    const set = pattern ? this.patterns : this.channels;
    for (const name of names) {
      if (!set.has(name)) {
        set.add(name);
        if (pattern) this.pubsub.psubscribe(this, name);
        else this.pubsub.subscribe(this, name);
      }
      this.push([pattern ? "psubscribe" : "subscribe", name, this.count]);
    }
  }

  /** With no names: every channel (or pattern) of the connection. */
  unsubscribe(names: readonly string[], pattern: boolean): void {
    const set = pattern ? this.patterns : this.channels;
    const kind = pattern ? "punsubscribe" : "unsubscribe";
    const targets = names.length > 0 ? names : [...set];
    if (targets.length === 0) {
      this.push([kind, null, this.count]);
      return;
    }
    for (const name of targets) {
      if (set.delete(name)) {
        if (pattern) this.pubsub.punsubscribe(this, name);
        else this.pubsub.unsubscribe(this, name);
      }
      this.push([kind, name, this.count]);
    }
  }

  /** Drops every subscription without a reply (RESET, a closed connection). */
  clear(): void {
    for (const c of this.channels) this.pubsub.unsubscribe(this, c);
    for (const p of this.patterns) this.pubsub.punsubscribe(this, p);
    this.channels.clear();
    this.patterns.clear();
  }
}

/** The error Redis gives a RESP2 subscriber for any other command, or null when it may run. */
export function subscribedModeError(session: Session, lowerName: string): ErrorReply | null {
  if (session.resp !== 2 || !session.subscriptions || session.subscriptions.count === 0) return null;
  if (ALLOWED_WHILE_SUBSCRIBED.has(lowerName)) return null;
  return new ErrorReply(
    `ERR Can't execute '${lowerName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  );
}
