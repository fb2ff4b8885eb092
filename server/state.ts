// Everything one keycast server holds: the keyspace, the connected sessions, watches,
// pub/sub, settings and counters. Transports and commands reach the server only through
// this object.

import type { CommandTable, Dispatcher } from "./command-impl.js";
import type { Session } from "./context.js";
import { History, type HistoryOptions } from "./events/history.js";
import { KeyspaceChannels } from "./events/keyspace-channels.js";
import { Watchers } from "./events/watchers.js";
import { Keyspace } from "./keyspace/keyspace.js";
import type { MemoryGuard } from "./eviction/guard.js";
import type { Gateway } from "./gateway/gateway.js";
import { CommandStats } from "./observability/command-stats.js";
import { silentLogger, type Logger } from "./observability/logger.js";
import { Monitors } from "./observability/monitor.js";
import { SlowLog } from "./observability/slowlog.js";
import type { AppendOnlyLog } from "./persistence/aof.js";
import type { Journal } from "./persistence/journal.js";
import type { Persistence } from "./persistence/manager.js";
import { PubSub } from "./pubsub.js";

export interface Stats {
  commands: number;
  connectionsReceived: number;
  rejectedConnections: number;
  errorReplies: number;
  evictedKeys: number;
  /** Watch events not sent because their connection was over its output limit or closing. */
  eventsDropped: number;
}

export interface StateOptions {
  history?: Partial<HistoryOptions>;
  /** The dispatcher (server/dispatch.ts `dispatcher`), handed in by startServer: EXEC, the log's replay and scripts run commands through it. */
  dispatcher?: Dispatcher;
}

/** A state built without a dispatcher (a test's keyspace alone): running a command through it is a bug, said clearly. */
function noDispatcher(): never {
  throw new Error("keycast: this ServerState was built without a dispatcher; pass { dispatcher } from server/dispatch.ts");
}
const NO_DISPATCHER: Dispatcher = {
  get commands(): CommandTable {
    return noDispatcher();
  },
  resolve: noDispatcher,
  call: noDispatcher,
  execute: noDispatcher,
  executeBatch: noDispatcher,
};

export const HISTORY_DEFAULTS: HistoryOptions = { maxEvents: 10_000, maxAgeMs: 5 * 60_000 };

export class ServerState {
  readonly keyspace = new Keyspace();
  /** Runs commands for the parts below the dispatcher (EXEC, replay, scripts); see StateOptions.dispatcher. */
  readonly dispatcher: Dispatcher;
  readonly sessions = new Map<number, Session>();
  readonly startedAt = Date.now();
  readonly stats: Stats = { commands: 0, connectionsReceived: 0, rejectedConnections: 0, errorReplies: 0, evictedKeys: 0, eventsDropped: 0 };
  /** Run-time settings for CONFIG GET/SET, by lower-case name. */
  readonly config = new Map<string, string>();
  /** Listening addresses, for INFO and the start-up line. */
  readonly listeners: { ws?: string; resp?: string } = {};
  readonly pubsub = new PubSub();
  readonly history: History;
  readonly watchers: Watchers;
  /** Publishes __keyspace@N__ / __keyevent@N__ messages per notify-keyspace-events. */
  readonly keyspaceChannels: KeyspaceChannels;
  readonly commandStats = new CommandStats();
  readonly slowlog = new SlowLog();
  readonly monitors = new Monitors();
  logger: Logger = silentLogger();
  /** Snapshots and the append-only log, once opened (server/persistence). */
  persistence: Persistence | null = null;
  /** The append-only log: transports flush it before writing replies. */
  aof: AppendOnlyLog | null = null;
  /** Records write commands for the log; the dispatcher tells it what runs. */
  journal: Journal | null = null;
  /** maxmemory accounting and eviction, while maxmemory is set (server/eviction). */
  memory: MemoryGuard | null = null;
  /** When set, write commands are refused with this error (MISCONF: the disk is failing). */
  writeRefusal: string | null = null;
  /** True while data is loaded at start and while the server shuts down (/readyz). */
  notReady = false;
  /** Starts the graceful stop (set by startServer); `persisted` when the caller already saved. */
  stop: ((reason: string, persisted?: boolean) => Promise<void>) | null = null;
  /** The config file the server was started with: CONFIG REWRITE writes it back. */
  configFile: string | null = null;
  /** Gateway mode (--backend): commands go to a Redis / Valkey / Cluster backend (server/gateway). */
  gateway: Gateway | null = null;
  private nextId = 1;

  constructor(options: StateOptions = {}) {
    this.dispatcher = options.dispatcher ?? NO_DISPATCHER;
    // First listener: the log records a command before any watcher hears of its effect.
    this.keyspace.onKeyEvent((db, event, key, delta) => {
      const j = this.journal;
      if (j !== null) j.onKeyEvent(db, event, key, delta);
    });
    this.keyspace.onFlush(() => this.journal?.onFlush());
    this.history = new History({
      maxEvents: options.history?.maxEvents ?? HISTORY_DEFAULTS.maxEvents,
      maxAgeMs: options.history?.maxAgeMs ?? HISTORY_DEFAULTS.maxAgeMs,
    });
    this.watchers = new Watchers(this.keyspace, this.history);
    this.keyspaceChannels = new KeyspaceChannels(this.keyspace, this.pubsub);
  }

  /** Writes what the log holds before replies acknowledging it go out. Transports call it. */
  flushBeforeReply(): void {
    const aof = this.aof;
    if (aof !== null && aof.pending) aof.flush();
  }

  /** The command table (COMMAND, COMMAND DOCS, ACL CAT, INFO commandstats read it here). */
  get commands(): CommandTable {
    return this.dispatcher.commands;
  }

  newSessionId(): number {
    return this.nextId++;
  }

  close(): void {
    this.keyspace.close();
  }
}
