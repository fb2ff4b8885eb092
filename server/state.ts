// Everything one keycast server holds: the keyspace, the connected sessions, settings
// and counters. Transports and commands reach the server only through this object.

import type { Session } from "./context.js";
import { Keyspace } from "./keyspace/keyspace.js";

export interface Stats {
  commands: number;
  connectionsReceived: number;
  rejectedConnections: number;
  errorReplies: number;
}

export class ServerState {
  readonly keyspace = new Keyspace();
  readonly sessions = new Map<number, Session>();
  readonly startedAt = Date.now();
  readonly stats: Stats = { commands: 0, connectionsReceived: 0, rejectedConnections: 0, errorReplies: 0 };
  /** Run-time settings for CONFIG GET/SET, by lower-case name. */
  readonly config = new Map<string, string>();
  /** Listening addresses, for INFO and the start-up line. */
  readonly listeners: { ws?: string; resp?: string } = {};
  private nextId = 1;

  newSessionId(): number {
    return this.nextId++;
  }

  close(): void {
    this.keyspace.close();
  }
}
