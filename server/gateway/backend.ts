// The backend a gateway keeps its data in: one Redis / Valkey server, or a Redis Cluster,
// reached with node-redis (which follows MOVED/ASK, rediscovers slots and reconnects).
// Every connection speaks RESP3 and maps bulk strings to Buffers, so binary keys and values
// survive, while simple strings (+OK) stay JS strings and remain distinguishable.

import {
  RedisClient,
  RedisCluster,
  RESP_TYPES,
  type RedisArgument,
  type RedisClientOptions,
  type RedisClientType,
  type RedisClusterType,
} from "redis";
import type { Logger } from "../observability/logger.js";

export { describeBackend, parseBackend, type BackendSpec } from "./spec.js";
import { describeBackend, type BackendSpec } from "./spec.js";

// RESP3 with bulk strings as Buffers (binary-safe); maps as flat arrays with Buffer keys (the
// object and Map mappings decode keys as UTF-8 text, losing bytes); sets as Set, so that a
// RESP3 set stays distinguishable from an array.
export const TYPE_MAPPING = {
  [RESP_TYPES.BLOB_STRING]: Buffer,
  [RESP_TYPES.MAP]: Array,
  [RESP_TYPES.SET]: Set,
} as const;
export type BackendTypeMapping = typeof TYPE_MAPPING;

/** A connection to one node. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type NodeClient = RedisClientType<{}, {}, {}, 3, BackendTypeMapping>;
/** The cluster client: routes each command by its key's slot. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type ClusterClient = RedisClusterType<{}, {}, {}, 3, BackendTypeMapping>;
export type BackendClient = NodeClient | ClusterClient;

/**
 * A decoded backend reply: Buffer (bulk string), string (simple string), number, bigint,
 * boolean, null, arrays (maps arrive as flat arrays), Set, or an error (node-redis's
 * ErrorReply, an Error whose message is the backend's text) inside an array.
 */
export type BackendValue = Buffer | string | number | bigint | boolean | null | Error | BackendValue[] | Set<BackendValue>;

export function isClusterClient(c: BackendClient): c is ClusterClient {
  return c instanceof RedisCluster;
}

/**
 * Sends one command on either kind of client. On a cluster, `key` picks the node (undefined:
 * any node); `readonly` lets node-redis use a replica when configured to. Errors reject with
 * node-redis's ErrorReply (message = the backend's error text) or a connection error.
 */
export function send(c: BackendClient, args: readonly RedisArgument[], key?: RedisArgument, readonly = false): Promise<BackendValue> {
  if (c instanceof RedisCluster) return (c as ClusterClient).sendCommand<BackendValue>(key, readonly, args as RedisArgument[]);
  return (c as NodeClient).sendCommand<BackendValue>(args);
}

/** How long the first connection may take before start-up (or a first command) gives up. */
const CONNECT_TIMEOUT_MS = 5000;

/** Reconnect quickly at first, then once a second, forever: the gateway outlives outages. */
function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 5), 1000);
}

/**
 * A connection that was never up gives up after its first retry (a wrong address fails the
 * start at once, and a database first used during an outage fails that batch now); one that
 * was up retries forever.
 */
function reconnectStrategy(link: { everReady: boolean }) {
  return (retries: number, cause: Error): number | Error => (link.everReady || retries < 1 ? reconnectDelay(retries) : cause);
}

export class Backend {
  private readonly clients = new Map<number, NodeClient>();
  private readonly pending = new Map<number, Promise<NodeClient>>();
  private cluster: ClusterClient | null = null;
  private readonly dedicated = new Set<NodeClient>();
  private closed = false;
  /** Whether the last thing logged about the link was an outage (one line per outage, not per retry). */
  private down = false;

  private constructor(
    readonly spec: BackendSpec,
    private readonly logger: Logger,
  ) {}

  /** Connects (the cluster client, or the client of spec.db) and checks the backend answers. */
  static async connect(spec: BackendSpec, logger: Logger): Promise<Backend> {
    const b = new Backend(spec, logger);
    try {
      if (spec.cluster) {
        const c = RedisCluster.create({
          rootNodes: spec.urls.map((url) => ({ url })),
          defaults: b.nodeOptions(),
          RESP: 3,
        }).withTypeMapping(TYPE_MAPPING) as unknown as ClusterClient;
        b.watchErrors(c);
        await withTimeout(c.connect(), `cannot reach Redis Cluster ${describeBackend(spec)}`);
        b.cluster = c;
      } else {
        await b.client(spec.db);
      }
      await send(await b.client(spec.cluster ? 0 : spec.db), ["PING"]);
    } catch (e) {
      await b.close();
      throw new Error(`backend ${describeBackend(spec)}: ${(e as Error).message}`);
    }
    logger.info({ backend: describeBackend(spec) }, "gateway backend connected");
    return b;
  }

  private nodeOptions(db?: number, link = { everReady: true }): RedisClientOptions<{}, {}, {}, 3> {
    const opts: RedisClientOptions<{}, {}, {}, 3> = {
      RESP: 3,
      // Commands fail at once while the link is down instead of waiting in a queue: a client
      // gets a clear error now and retries, rather than a batch stuck for the outage.
      disableOfflineQueue: true,
      socket: { reconnectStrategy: reconnectStrategy(link), connectTimeout: CONNECT_TIMEOUT_MS, ...(this.spec.tls ? { tls: true as const } : {}) },
    };
    if (this.spec.username !== undefined) opts.username = this.spec.username;
    if (this.spec.password !== undefined) opts.password = this.spec.password;
    if (db !== undefined && db !== 0) opts.database = db;
    return opts;
  }

  private watchErrors(c: { on(event: string, fn: (...args: unknown[]) => void): unknown }): void {
    c.on("error", (err) => {
      if (this.closed || this.down) return;
      this.down = true;
      this.logger.warn({ err: String((err as Error)?.message ?? err) }, "gateway backend connection lost; retrying");
    });
    c.on("ready", () => {
      if (!this.down) return;
      this.down = false;
      this.logger.info("gateway backend connection restored");
    });
  }

  /** The client for commands on database db (cluster: db 0 only), RESP3, bulk strings as Buffers. */
  async client(db: number): Promise<BackendClient> {
    if (this.cluster !== null) {
      if (db !== 0) throw new Error("ERR SELECT is not allowed in cluster mode");
      return this.cluster;
    }
    const ready = this.clients.get(db);
    if (ready !== undefined) return ready;
    let p = this.pending.get(db);
    if (p === undefined) {
      p = this.openNode(this.spec.urls[0]!, db);
      this.pending.set(db, p);
      p.then(
        (c) => {
          this.pending.delete(db);
          this.clients.set(db, c);
        },
        () => this.pending.delete(db),
      );
    }
    return p;
  }

  /** A client already connected for db, or null (the synchronous fast path of forwarding). */
  clientNow(db: number): BackendClient | null {
    return this.cluster ?? this.clients.get(db) ?? null;
  }

  private async openNode(url: string, db: number | undefined, watch = true): Promise<NodeClient> {
    if (this.closed) throw new Error("backend closed");
    const link = { everReady: false };
    const c = RedisClient.create({ url, ...this.nodeOptions(db, link) }).withTypeMapping(TYPE_MAPPING) as NodeClient;
    c.on("ready", () => void (link.everReady = true));
    if (watch) this.watchErrors(c);
    else c.on("error", () => {});
    try {
      await withTimeout(c.connect(), `cannot reach ${url}`);
    } catch (e) {
      c.destroy();
      throw e;
    }
    return c;
  }

  /** host:port of each master now (one entry for standalone). */
  async masters(): Promise<{ host: string; port: number }[]> {
    if (this.cluster !== null) return this.cluster.masters.map((m) => ({ host: m.host, port: m.port }));
    const u = new URL(this.spec.urls[0]!);
    return [{ host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port) }];
  }

  /**
   * A new dedicated connection to one node (subscribers, blocking XREAD). Caller closes it
   * (close() of the Backend closes those still open). Errors on it are the caller's to watch:
   * it gets an 'error' listener that ignores them, so add your own.
   */
  async connectNode(node: { host: string; port: number }, db?: number): Promise<NodeClient> {
    const host = node.host.includes(":") ? `[${node.host}]` : node.host;
    const c = await this.openNode(`${this.spec.tls ? "rediss" : "redis"}://${host}:${node.port}`, db ?? (this.spec.cluster ? 0 : this.spec.db), false);
    this.dedicated.add(c);
    const forget = (): void => void this.dedicated.delete(c);
    c.on("end", forget);
    return c;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all: BackendClient[] = [...this.clients.values(), ...this.dedicated];
    if (this.cluster !== null) all.push(this.cluster);
    this.clients.clear();
    this.dedicated.clear();
    this.cluster = null;
    await Promise.all(
      all.map(async (c) => {
        try {
          if (c.isOpen) await c.close();
        } catch {
          c.destroy();
        }
      }),
    );
    // Connections still being opened: wait for them, then drop them.
    await Promise.all([...this.pending.values()].map((p) => p.then((c) => c.destroy(), () => {})));
  }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
