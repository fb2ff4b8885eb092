// Runs a client's batch in gateway mode. Every command first takes the standalone path's
// checks (server/dispatch.ts resolve: unknown command, arity, transport, ACL), so errors are
// the same. Commands about the connection or keycast itself (PING, ECHO, SELECT, CLIENT, ACL,
// CONFIG, COMMAND, INFO, SLOWLOG, ...) run locally; the rest are pipelined to the backend in
// order, and their replies are converted back to keycast replies in the batch's order.
// Atomic batches become MULTI/EXEC on one backend connection; on a cluster, only when every
// key hashes to one slot.

import {
  ClientClosedError,
  ClientOfflineError,
  ErrorReply as BackendErrorReply,
  RESP_TYPES,
  SocketClosedUnexpectedlyError,
  VerbatimString,
  type RedisArgument,
} from "redis";
import { bytesToBuffer, bufferToBytes, isAscii } from "../bytes.js";
import type { Context } from "../context.js";
import { call, EXECABORT, resolve, type Entry } from "../dispatch.js";
import { ErrorReply, MapReply, OK, SetReply, Status, DoubleReply, VerbatimReply, type Reply } from "../reply.js";
import { isClusterClient, TYPE_MAPPING, type Backend, type BackendClient, type ClusterClient, type NodeClient } from "./backend.js";
import { keySlot } from "./slot.js";

/**
 * The mapping forwarded commands are decoded with: integers as text, so values past 2^53 stay
 * exact; simple strings are text too but never look like integers; a JS number can then only
 * be a RESP3 double. Bulk strings and map keys as Buffers (binary-safe).
 */
const FORWARD_MAPPING = { ...TYPE_MAPPING, [RESP_TYPES.NUMBER]: String } as const;
// No per-command timer (node-redis arms an AbortSignal.timeout per command by default, a
// large share of the gateway's CPU): a dead backend fails the commands in flight through
// the socket closing instead.
const FORWARD_OPTIONS = { typeMapping: FORWARD_MAPPING, timeout: 0 };

export const CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";
const SELECT_IN_CLUSTER = "ERR SELECT is not allowed in cluster mode";

const enum Route {
  Forward,
  Local,
  Select,
}

/**
 * Commands answered by the gateway itself: they act on the connection (PING, ECHO, AUTH,
 * CLIENT ...) or on keycast (ACL, CONFIG, COMMAND, INFO, SLOWLOG, MEMORY STATS, SHUTDOWN).
 * The RESP-only ones (MULTI, WATCH, SUBSCRIBE, HELLO, ...) never get here over WebSocket.
 */
const LOCAL = new Set([
  "ping",
  "echo",
  "auth",
  "hello",
  "quit",
  "reset",
  "client",
  "acl",
  "config",
  "command",
  "slowlog",
  "info",
  "monitor",
  "shutdown",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "subscribe",
  "psubscribe",
  "unsubscribe",
  "punsubscribe",
  "memory|stats",
  "memory|doctor",
  "memory|purge",
  "memory|help",
]);

/** Commands whose reply is a RESP3 map (a flat array from the backend): HGETALL. */
const MAP_REPLY = new Set(["hgetall"]);

const routes = new Map<Entry, Route>();

function routeOf(entry: Entry): Route {
  let r = routes.get(entry);
  if (r === undefined) {
    const bar = entry.lower.indexOf("|");
    const top = bar < 0 ? entry.lower : entry.lower.slice(0, bar);
    r = entry.lower === "select" ? Route.Select : LOCAL.has(entry.lower) || LOCAL.has(top) ? Route.Local : Route.Forward;
    routes.set(entry, r);
  }
  return r;
}

/** A word for node-redis: ASCII as is (its UTF-8 is the same bytes), anything else as raw bytes. */
function wire(s: string): RedisArgument {
  return isAscii(s) ? s : bytesToBuffer(s);
}

function wireArgs(argv: readonly string[]): RedisArgument[] {
  const out: RedisArgument[] = new Array(argv.length);
  for (let i = 0; i < argv.length; i++) out[i] = wire(argv[i]!);
  return out;
}

/** The first key of a command (routing on a cluster), or undefined for keyless commands. */
function firstKey(entry: Entry, argv: readonly string[]): string | undefined {
  const k = entry.spec.keys;
  if (k === null || k.first <= 0 || k.first >= argv.length) return undefined;
  return argv[k.first];
}

/** The slot all of a command's keys hash to, -1 for none, -2 when they differ. */
function commandSlot(entry: Entry, argv: readonly string[]): number {
  const k = entry.spec.keys;
  if (k === null || k.first <= 0 || k.first >= argv.length) return -1;
  const last = k.last < 0 ? argv.length + k.last : k.last;
  const step = k.step > 0 ? k.step : 1;
  let slot = -1;
  for (let i = k.first; i <= last && i < argv.length; i += step) {
    const s = keySlot(argv[i]!);
    if (slot === -1) slot = s;
    else if (s !== slot) return -2;
  }
  return slot;
}

/** A reply from the backend (decoded with FORWARD_MAPPING) as a keycast reply. */
export function fromBackend(v: unknown): Reply {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return bufferToBytes(v);
  switch (typeof v) {
    case "string":
      return textReply(v);
    case "number":
      return new DoubleReply(v);
    case "bigint":
      return v;
    case "boolean":
      return v ? 1 : 0;
  }
  if (Array.isArray(v)) {
    const out: Reply[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = fromBackend(v[i]);
    return out;
  }
  if (v instanceof Set) {
    const items: Reply[] = [];
    for (const x of v) items.push(fromBackend(x));
    return new SetReply(items);
  }
  if (v instanceof BackendErrorReply) return new ErrorReply(v.message);
  if (v instanceof VerbatimString) return new VerbatimReply(String(v), v.format);
  if (v instanceof Error) return new ErrorReply(`ERR ${v.message}`);
  return new ErrorReply(`ERR unexpected reply from the backend`);
}

/** A text reply: an integer (RESP3 `:`) or a simple string. */
function textReply(s: string): Reply {
  if (s === "OK") return OK;
  const c = s.charCodeAt(0);
  if ((c >= 0x30 && c <= 0x39) || (c === 0x2d && s.length > 1)) {
    const n = Number(s);
    if (Number.isSafeInteger(n)) return n;
    if (/^-?\d+$/.test(s)) return BigInt(s);
  }
  return new Status(s);
}

/** Why a command got no reply from the backend, as an error reply. */
export function backendFailure(e: unknown): ErrorReply {
  if (e instanceof BackendErrorReply) return new ErrorReply(e.message);
  if (e instanceof ClientOfflineError || e instanceof ClientClosedError) return new ErrorReply("ERR backend unavailable: keycast cannot reach its backend; retry later");
  if (e instanceof SocketClosedUnexpectedlyError) {
    return new ErrorReply("ERR backend connection lost while the command was in flight: it may or may not have run");
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ErrorReply(`ERR backend error: ${message}`);
}

/** A command sent and not answered yet. */
class Sent {
  constructor(
    readonly entry: Entry,
    readonly argv: string[],
    readonly started: number,
    readonly reply: Promise<unknown>,
  ) {}
}

function failed(e: unknown): ErrorReply {
  return backendFailure(e);
}

/**
 * Counts a forwarded command as dispatch.call counts a local one: calls, latency, errors,
 * MONITOR. The latency is the backend round trip (queueing included), not execution time, so
 * SLOWLOG is left to the backend's own.
 */
function begin(ctx: Context, entry: Entry, argv: string[]): number {
  const server = ctx.server;
  server.stats.commands++;
  ctx.session.lastCommand = entry.lower;
  const started = performance.now();
  const monitors = server.monitors;
  if (monitors.size !== 0 && entry.monitored) monitors.feed(ctx.session, ctx.session.db, argv, started);
  return started;
}

function finish(ctx: Context, sent: Sent, raw: unknown): Reply {
  const entry = sent.entry;
  const reply = raw instanceof ErrorReply ? raw : MAP_REPLY.has(entry.lower) && Array.isArray(raw) ? new MapReply(fromBackend(raw) as Reply[]) : fromBackend(raw);
  const server = ctx.server;
  const us = (performance.now() - sent.started) * 1000;
  const stat = server.commandStats.of(entry.id, entry.lower);
  stat.record(us);
  if (reply instanceof ErrorReply) {
    server.stats.errorReplies++;
    stat.failed++;
    server.commandStats.countError(reply.message);
  }
  return reply;
}

function refused(ctx: Context, reply: ErrorReply): ErrorReply {
  ctx.server.stats.errorReplies++;
  ctx.server.commandStats.countError(reply.message);
  return reply;
}

function send(client: BackendClient, entry: Entry, argv: string[]): Promise<unknown> {
  const args = wireArgs(argv);
  if (isClusterClient(client)) {
    const key = firstKey(entry, argv);
    return client.sendCommand(key === undefined ? undefined : wire(key), entry.spec.flags.includes("readonly"), args, FORWARD_OPTIONS);
  }
  return client.sendCommand(args, FORWARD_OPTIONS);
}

/** SELECT in gateway mode: local (the session's db picks the backend connection); a cluster has db 0 only. */
function select(ctx: Context, backend: Backend, entry: Entry, argv: string[]): Reply {
  if (backend.spec.cluster && argv[1] !== "0") return refused(ctx, new ErrorReply(SELECT_IN_CLUSTER));
  return call(ctx, entry, argv);
}

/** Runs a command the gateway answers itself (connection and keycast commands, SELECT); null for one to forward. */
function runHere(ctx: Context, backend: Backend, entry: Entry, argv: string[]): Reply | null {
  const route = routeOf(entry);
  if (route === Route.Local) return call(ctx, entry, argv);
  if (route === Route.Select) return select(ctx, backend, entry, argv);
  return null;
}

/**
 * A plain batch: each command in order; forwarded ones are pipelined. When SELECT moves the
 * session to another database mid-batch, the commands sent so far are awaited before any goes
 * to the other connection, so the batch's order holds across databases.
 */
export async function forwardBatch(backend: Backend, ctx: Context, cmds: readonly (string[] | ErrorReply)[]): Promise<Reply[]> {
  const n = cmds.length;
  const replies: Reply[] = new Array(n);
  const sent: (Sent | undefined)[] = new Array(n);
  let client: BackendClient | null = null;
  let clientDb = -1;
  let waitFrom = 0;
  const cluster = backend.spec.cluster;
  for (let i = 0; i < n; i++) {
    const argv = cmds[i]!;
    if (argv instanceof ErrorReply) {
      replies[i] = argv;
      continue;
    }
    const entry = resolve(ctx, argv);
    if (entry instanceof ErrorReply) {
      replies[i] = refused(ctx, entry);
      continue;
    }
    const here = runHere(ctx, backend, entry, argv);
    if (here !== null) {
      replies[i] = here;
      continue;
    }
    const db = ctx.session.db;
    if (client === null || db !== clientDb) {
      if (client !== null) {
        await settle(ctx, sent, replies, waitFrom, i);
        waitFrom = i;
      }
      client = backend.clientNow(db);
      if (client === null) {
        try {
          client = await backend.client(db);
        } catch (e) {
          replies[i] = refused(ctx, backendFailure(e));
          continue;
        }
      }
      clientDb = db;
    }
    // On a cluster, node-redis sends a command whose keys span slots (split per node) or that
    // has none (all masters, or any node) through more asynchronous steps than a one-slot
    // command: it could overtake or be overtaken. Such a command waits for those before it,
    // and the ones after it wait for it.
    const barrier = cluster && commandSlot(entry, argv) < 0;
    if (barrier) {
      await settle(ctx, sent, replies, waitFrom, i);
      waitFrom = i;
    }
    const started = begin(ctx, entry, argv);
    let p: Promise<unknown>;
    try {
      p = send(client, entry, argv).catch(failed);
    } catch (e) {
      p = Promise.resolve(failed(e));
    }
    sent[i] = new Sent(entry, argv, started, p);
    if (barrier) {
      await settle(ctx, sent, replies, i, i + 1);
      waitFrom = i + 1;
    }
  }
  await settle(ctx, sent, replies, waitFrom, n);
  return replies;
}

async function settle(ctx: Context, sent: (Sent | undefined)[], replies: Reply[], from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const s = sent[i];
    if (s === undefined) continue;
    const raw = await s.reply;
    replies[i] = finish(ctx, s, raw);
    sent[i] = undefined;
  }
}

/**
 * An atomic batch: MULTI/EXEC semantics. Every command is checked first (a refusal aborts
 * all, EXECABORT, as in standalone mode). Forwarded commands run in one MULTI/EXEC on one
 * connection (a SELECT in the batch is sent inside it, and the connection's database is set
 * back at its end); local commands run at their place and their replies are spliced in.
 */
export async function forwardAtomic(backend: Backend, ctx: Context, cmds: readonly (string[] | ErrorReply)[]): Promise<Reply[]> {
  const n = cmds.length;
  if (cmds.some((c) => c instanceof ErrorReply)) {
    const abort = new ErrorReply(EXECABORT);
    return cmds.map((c) => (c instanceof ErrorReply ? c : abort));
  }
  const argvs = cmds as readonly string[][];
  const entries = argvs.map((argv) => resolve(ctx, argv));
  if (entries.some((e) => e instanceof ErrorReply)) {
    const abort = new ErrorReply(EXECABORT);
    return entries.map((e) => (e instanceof ErrorReply ? refused(ctx, e) : abort));
  }
  const cluster = backend.spec.cluster;
  // A cluster runs a transaction on one node: every key must be in one slot.
  let slot = -1;
  let routeKey: string | undefined;
  if (cluster) {
    for (let i = 0; i < n; i++) {
      const entry = entries[i] as Entry;
      if (routeOf(entry) !== Route.Forward) continue;
      const s = commandSlot(entry, argvs[i]!);
      if (s === -1) continue;
      if (s === -2 || (slot !== -1 && s !== slot)) return entries.map(() => refused(ctx, new ErrorReply(CROSSSLOT)));
      slot = s;
      routeKey ??= firstKey(entry, argvs[i]!);
    }
  }
  const replies: Reply[] = new Array(n);
  const startDb = ctx.session.db;
  // What goes inside MULTI: [index in the batch or -1 for an added SELECT, args].
  const queued: { index: number; args: RedisArgument[]; started: number }[] = [];
  let connDb = startDb;
  for (let i = 0; i < n; i++) {
    const entry = entries[i] as Entry;
    const argv = argvs[i]!;
    const here = runHere(ctx, backend, entry, argv);
    if (here !== null) {
      replies[i] = here;
      continue;
    }
    const db = ctx.session.db;
    if (db !== connDb) {
      queued.push({ index: -1, args: ["SELECT", String(db)], started: 0 });
      connDb = db;
    }
    queued.push({ index: i, args: wireArgs(argv), started: begin(ctx, entry, argv) });
  }
  if (queued.length === 0) return replies;
  if (connDb !== startDb) queued.push({ index: -1, args: ["SELECT", String(startDb)], started: 0 });

  let outcome: unknown[] | ErrorReply;
  try {
    const client = await nodeFor(backend, startDb, slot, routeKey);
    outcome = await multiExec(client, queued.map((q) => q.args));
  } catch (e) {
    outcome = backendFailure(e);
  }
  for (let q = 0; q < queued.length; q++) {
    const { index, started } = queued[q]!;
    if (index < 0) continue;
    const raw = outcome instanceof ErrorReply ? outcome : outcome[q];
    replies[index] = finish(ctx, new Sent(entries[index] as Entry, argvs[index]!, started, Promise.resolve()), raw instanceof BackendErrorReply ? new ErrorReply(raw.message) : raw);
  }
  return replies;
}

/** The node connection a transaction runs on: the db's client, or the slot's master on a cluster. */
async function nodeFor(backend: Backend, db: number, slot: number, routeKey: string | undefined): Promise<NodeClient> {
  const client = backend.clientNow(db) ?? (await backend.client(db));
  if (!isClusterClient(client)) return client;
  const c = client as ClusterClient;
  if (routeKey !== undefined) return c.getNodeClientForKey(wire(routeKey)) as Promise<NodeClient>;
  return c.nodeClient(slot >= 0 ? c.getSlotMaster(slot) : c.getRandomNode()) as Promise<NodeClient>;
}

/**
 * MULTI, the commands, EXEC, queued back to back on one connection (one chain: nothing else
 * is written between them). node-redis's own multi() decodes EXEC's reply without the type
 * mapping (bulk strings as UTF-8 text), so the chain is sent by hand. Resolves to EXEC's
 * replies (errors inside as node-redis ErrorReply), or an error reply for all: EXECABORT
 * when a command was refused while queueing (that command gets its own error).
 */
async function multiExec(client: NodeClient, commands: RedisArgument[][]): Promise<unknown[] | ErrorReply> {
  const options = { ...FORWARD_OPTIONS, chainId: Symbol("keycast atomic batch") };
  const queuedReplies: Promise<unknown>[] = [client.sendCommand(["MULTI"], options)];
  for (const args of commands) queuedReplies.push(client.sendCommand(args, options));
  const exec = client.sendCommand(["EXEC"], options);
  const settled = await Promise.allSettled(queuedReplies);
  let execReply: unknown;
  try {
    execReply = await exec;
  } catch (e) {
    const first = settled[0]!;
    if (first.status === "rejected") throw first.reason;
    // Refused while queueing: that command gets its error, the others EXECABORT.
    if (e instanceof BackendErrorReply && e.message.startsWith("EXECABORT")) {
      return settled.slice(1).map((s) => (s.status === "rejected" ? s.reason : new BackendErrorReply(EXECABORT)));
    }
    throw e;
  }
  if (!Array.isArray(execReply)) return new ErrorReply("ERR unexpected EXEC reply from the backend");
  return execReply;
}
