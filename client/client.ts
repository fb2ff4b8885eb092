// The keycast client: one WebSocket, commands as typed methods, automatic batching of
// commands issued in the same tick, explicit batches, and replies as text or bytes.
// Browser-safe: the WebSocket implementation is injected (globalThis.WebSocket by default,
// `ws` in Node through client/node.ts).

import type { Arg, Key } from "../shared/command.js";
import { commands, type CommandName } from "../shared/commands/index.js";
import type { AuthResult, HelloInfo } from "../shared/protocol.js";
import { Connection, type ConnectOptions, type ConnectionState } from "./connection.js";
import type { ReplyMode } from "./decode.js";
import type { BatchBuilder, BytesCommandMethods, CommandMethods } from "./types.js";
import { Subscriptions, type Subscription, type Watch, type WatchMessage, type WatchOptions } from "./watch.js";
import { openLive, type LiveOptions, type LiveView } from "./live.js";

export type { AuthOptions, ConnectOptions, ConnectionState, WebSocketLike, WebSocketConstructor, ReconnectOptions, TokenSource } from "./connection.js";

class Batch {
  private readonly cmds: unknown[][] = [];
  private isAtomic = false;

  constructor(
    private readonly conn: Connection,
    private readonly mode: ReplyMode,
  ) {}

  get length(): number {
    return this.cmds.length;
  }

  add(argv: unknown[]): this {
    this.cmds.push(argv);
    return this;
  }

  atomic(): this {
    this.isAtomic = true;
    return this;
  }

  exec(): Promise<unknown[]> {
    if (this.cmds.length === 0) return Promise.resolve([]);
    return this.conn.batch(this.cmds, this.isAtomic, this.mode);
  }
}

/** The bytes view: the same connection, with keys, values and replies as Uint8Array. */
export type BytesView = BytesCommandMethods & {
  call(...argv: Arg[]): Promise<unknown>;
  watch(pattern: Key, handler: (m: WatchMessage<Uint8Array>) => void, options?: WatchOptions): Promise<Watch>;
  /** Messages and channel names as bytes: for names and payloads that are not UTF-8 text. */
  subscribe(channel: Key, handler: (message: Uint8Array, channel: Uint8Array) => void): Promise<Subscription>;
  psubscribe(pattern: Key, handler: (message: Uint8Array, channel: Uint8Array) => void): Promise<Subscription>;
  /** A live view with keys and values as bytes. */
  live(pattern: Key, options?: LiveOptions): Promise<LiveView<Uint8Array>>;
  view(pattern: Key, options?: LiveOptions): LiveView<Uint8Array>;
};

/** A connected client. Every command of the shared table is a method: `kc.get("k")`. */
export class KeycastClient {
  /** The same connection, with replies as bytes (Uint8Array) instead of text. */
  readonly bytes: BytesView;

  /** @internal */
  constructor(
    private readonly conn: Connection,
    private readonly subs: Subscriptions,
    private readonly mode: ReplyMode = "text",
  ) {
    this.bytes = mode === "bytes" ? (this as unknown as BytesView) : (new KeycastClient(conn, subs, "bytes") as unknown as BytesView);
  }

  /** "connecting", "open", "reconnecting" or "closed". */
  get state(): ConnectionState {
    return this.conn.state;
  }

  /** Calls `listener` on every change of connection state; returns a function that stops it. */
  onState(listener: (state: ConnectionState, reason?: string) => void): () => void {
    return this.conn.onState(listener);
  }

  /**
   * Watches a key or a Redis glob pattern (`metrics:*`): the handler gets every change as it
   * happens, a snapshot first if asked, and `resync` if events were lost beyond recovery.
   * After a reconnect the watch resumes where it left off, replaying what it missed.
   */
  watch(pattern: Key, handler: (m: WatchMessage) => void, options: WatchOptions = {}): Promise<Watch> {
    return this.subs.watch(pattern, handler as (m: WatchMessage<unknown>) => void, options, this.mode);
  }

  /**
   * A live view of a key or a glob pattern: the current value of every matching key, kept
   * current from a watch's deltas (docs/live.md). Resolves once the first snapshot is in.
   */
  live(pattern: Key, options: LiveOptions = {}): Promise<LiveView> {
    return this.view(pattern, options).ready;
  }

  /** The same view, returned at once with status "loading" (`view.ready` resolves when it is live). */
  view(pattern: Key, options: LiveOptions = {}): LiveView {
    return openLive<string>({ conn: this.conn, subs: this.subs, mode: this.mode }, pattern, options);
  }

  /** Subscribes to a pub/sub channel (PUBLISH from any client, either protocol). */
  subscribe(channel: Key, handler: (message: string, channel: string) => void): Promise<Subscription> {
    return this.subs.subscribe("channel", channel, handler as (m: unknown, c: unknown) => void, this.mode);
  }

  /** Subscribes to every channel matching a glob pattern (`__keyevent@0__:*`, `news.*`). */
  psubscribe(pattern: Key, handler: (message: string, channel: string) => void): Promise<Subscription> {
    return this.subs.subscribe("pattern", pattern, handler as (m: unknown, c: unknown) => void, this.mode);
  }

  /**
   * Authenticates the open connection again: as another user, or with a fresh token before the
   * current one expires (a token function in `connect`'s `auth` does this by itself).
   */
  authenticate(credentials: { user?: string; password: string } | { token: string }): Promise<AuthResult> {
    return this.conn.authenticate(credentials);
  }

  /** Server info from the handshake. */
  get server(): HelloInfo {
    return this.conn.info!;
  }

  /** Runs any command by name, e.g. for commands added to the server after this client was built. */
  call(...argv: Arg[]): Promise<unknown> {
    if (argv.length === 2 && typeof argv[0] === "string" && argv[0].toUpperCase() === "SELECT") {
      // Remember the database, so that a reconnect selects it again.
      return this.conn.command(argv, this.mode).then((r) => {
        const db = argv[1]!;
        this.conn.db = Number(db instanceof Uint8Array ? new TextDecoder().decode(db) : db);
        return r;
      });
    }
    return this.conn.command(argv, this.mode);
  }

  /** Starts an explicit batch: `kc.batch().set("a", "1").get("a").exec()`. */
  batch(): BatchBuilder<[]> {
    return new Batch(this.conn, this.mode) as unknown as BatchBuilder<[]>;
  }

  /** Closes the connection cleanly; queued commands are sent first. */
  close(): Promise<void> {
    return this.conn.close();
  }
}

export interface KeycastClient extends CommandMethods {}

for (const key of Object.keys(commands) as CommandName[]) {
  const spec = commands[key];
  // Commands the WebSocket transport refuses (MULTI, SUBSCRIBE, ...) get no method.
  if (spec.transports && !spec.transports.includes("ws")) continue;
  const name = spec.name;
  Object.defineProperty(KeycastClient.prototype, key, {
    value: function (this: KeycastClient, ...args: Arg[]) {
      return this.call.apply(this, ([name] as Arg[]).concat(args));
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(Batch.prototype, key, {
    value: function (this: Batch, ...args: Arg[]) {
      return this.add(([name] as Arg[]).concat(args));
    },
    writable: true,
    configurable: true,
  });
}

/** Connects to a keycast server: `const kc = await connect("ws://127.0.0.1:7379")`. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<KeycastClient> {
  const conn = new Connection(url, options);
  const subs = new Subscriptions(conn);
  await conn.open();
  const kc = new KeycastClient(conn, subs);
  if (options.db) await kc.select(options.db);
  return kc;
}
