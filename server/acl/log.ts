// ACL LOG: recent denials and failed authentications, newest first, with repeated ones
// grouped (same reason, context, object and user within a minute) as Redis does.

import { DoubleReply, MapReply, type Reply } from "../reply.js";

const GROUPING_MS = 60_000;

export type DenialReason = "command" | "key" | "channel" | "auth";

interface LogEntry {
  count: number;
  readonly reason: DenialReason;
  readonly context: string;
  readonly object: string;
  readonly username: string;
  readonly createdAt: number;
  updatedAt: number;
  clientInfo: string;
  readonly id: number;
}

export class AclLog {
  private entries: LogEntry[] = [];
  private nextId = 0;
  maxLen = 128;

  add(reason: DenialReason, context: string, object: string, username: string, clientInfo: string, now: number): void {
    if (this.maxLen === 0) return;
    const i = this.entries.findIndex(
      (e) => e.reason === reason && e.context === context && e.object === object && e.username === username && now - e.updatedAt < GROUPING_MS,
    );
    if (i >= 0) {
      const e = this.entries[i]!;
      e.count++;
      e.updatedAt = now;
      e.clientInfo = clientInfo;
      this.entries.splice(i, 1);
      this.entries.unshift(e);
      return;
    }
    this.entries.unshift({ count: 1, reason, context, object, username, createdAt: now, updatedAt: now, clientInfo, id: this.nextId++ });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }

  /** ACL LOG [count]: Redis 7.2's fields. */
  reply(count: number, now: number): Reply[] {
    return this.entries.slice(0, count).map(
      (e) =>
        new MapReply([
          "count",
          e.count,
          "reason",
          e.reason,
          "context",
          e.context,
          "object",
          e.object,
          "username",
          e.username,
          "age-seconds",
          new DoubleReply((now - e.createdAt) / 1000),
          "client-info",
          e.clientInfo,
          "entry-id",
          e.id,
          "timestamp-created",
          e.createdAt,
          "timestamp-last-updated",
          e.updatedAt,
        ]),
    );
  }
}
