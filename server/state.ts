// Everything one keycast server holds: the keyspace, the connected sessions, watches,
// pub/sub, settings and counters. Transports and commands reach the server only through
// this object.

import type { Session } from "./context.js";
import { History, type HistoryOptions } from "./events/history.js";
import { KeyspaceChannels } from "./events/keyspace-channels.js";
import { Watchers } from "./events/watchers.js";
import { Keyspace } from "./keyspace/keyspace.js";
import { PubSub } from "./pubsub.js";

export interface Stats {
  commands: number;
  connectionsReceived: number;
  rejectedConnections: number;
  errorReplies: number;
}

export interface StateOptions {
  history?: Partial<HistoryOptions>;
}

export const HISTORY_DEFAULTS: HistoryOptions = { maxEvents: 10_000, maxAgeMs: 5 * 60_000 };

export class ServerState {
  readonly keyspace = new Keyspace();
  readonly sessions = new Map<number, Session>();
  readonly startedAt = Date.now();
  readonly stats: Stats = { commands: 0, connectionsReceived: 0, rejectedConnections: 0, errorReplies: 0 };
  /** Run-time settings for CONFIG GET/SET, by lower-case name. */
  readonly config = new Map<string, string>();
  /** Listening addresses, for INFO and the start-up line. */
  readonly listeners: { ws?: string; resp?: string } = {};
  readonly pubsub = new PubSub();
  readonly history: History;
  readonly watchers: Watchers;
  /** Publishes __keyspace@N__ / __keyevent@N__ messages per notify-keyspace-events. */
  readonly keyspaceChannels: KeyspaceChannels;
  private nextId = 1;

  constructor(options: StateOptions = {}) {
    this.history = new History({
      maxEvents: options.history?.maxEvents ?? HISTORY_DEFAULTS.maxEvents,
      maxAgeMs: options.history?.maxAgeMs ?? HISTORY_DEFAULTS.maxAgeMs,
    });
    this.watchers = new Watchers(this.keyspace, this.history);
    this.keyspaceChannels = new KeyspaceChannels(this.keyspace, this.pubsub);
  }

  newSessionId(): number {
    return this.nextId++;
  }

  close(): void {
    this.keyspace.close();
  }
}
