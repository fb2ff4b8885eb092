// A WebSocket connection's session. A class rather than an object literal with closures: an
// idle connection is mostly this and ws's own objects, and at 10,000 connections every
// closure and out-of-object property shows (docs/performance.md, memory per connection).

import type { User } from "../acl/user.js";
import type { Session } from "../context.js";

/** What the session asks of its connection. */
export interface SessionOwner {
  closeFromSession(reason: string): void;
  /** Holds watches or subscriptions (exempt from the idle timeout). */
  hasSubscriptions(): boolean;
  /** False when a subscription is no longer allowed after an ACL change. */
  subscriptionsStillAllowed(): boolean;
  /** Bytes written but not yet taken by the client. */
  outputBytes(): number;
}

export class WsSession implements Session {
  readonly transport = "ws" as const;
  db = 0;
  name: string | null = null;
  resp: 2 | 3 = 3;
  lastCommand = "NULL";
  lastActiveAt: number;
  tokenExpiresAt: number | undefined = undefined;
  owner: SessionOwner | null = null;

  constructor(
    readonly id: number,
    readonly addr: string,
    readonly createdAt: number,
    public user: User | undefined,
  ) {
    this.lastActiveAt = createdAt;
  }

  close(reason: string): void {
    this.owner?.closeFromSession(reason);
  }

  isSubscriber(): boolean {
    return this.owner !== null && this.owner.hasSubscriptions();
  }

  aclChanged(): boolean {
    return this.owner === null || this.owner.subscriptionsStillAllowed();
  }

  outputBytes(): number {
    return this.owner === null ? 0 : this.owner.outputBytes();
  }
}
