// The one path every command takes, from any transport: lookup, arity, call, and the
// conversion of thrown CommandErrors into error replies. Transports decode frames into
// argv (byte strings), call execute() or executeBatch(), and encode what comes back.

import { commands, type Commands } from "../shared/commands/index.js";
import type { CommandSpec } from "../shared/command.js";
import type { Context } from "./context.js";
import { ARITY, CommandError } from "./errors.js";
import { ErrorReply, type Reply } from "./reply.js";
import { implementations } from "./commands/index.js";
import { bytesToText } from "./bytes.js";
import { checkAccess } from "./acl/check.js";
import { OOM } from "./eviction/guard.js";

/** A command implementation: argv[0] is the command name, all words are byte strings. */
export type Impl = (ctx: Context, argv: string[]) => Reply;

/**
 * The implementations of a group of declared commands, keyed like the declarations. A command
 * with subcommands (declared with `container()`) is implemented with `subcommands({...})`, or
 * as a plain object of subcommand implementations (plus `bare`, its form without one).
 */
export type Implementations<T> = {
  readonly [K in keyof T]: T[K] extends { readonly subcommands: infer S } ? Impl | (Implementations<S> & { readonly bare?: Impl }) : Impl;
};

/** A command with subcommands: its implementation also carries one per subcommand. */
type ContainerImpl = Impl & { readonly subcommands?: Readonly<Record<string, Impl>> };

/**
 * Implements a command declared with `container()` (CONFIG, CLIENT): one function per
 * subcommand, checked against the declaration, and the bare form if it has one (COMMAND).
 * The dispatcher calls the subcommand's function directly, after checking its arity.
 */
export function subcommands<S>(impls: Implementations<S>, bare?: Impl): Impl {
  const byName = impls as Readonly<Record<string, Impl>>;
  const run: Impl = (ctx, argv) => (argv.length < 2 ? (bare ?? noBareForm)(ctx, argv) : byName[argv[1]!.toLowerCase()]!(ctx, argv));
  return Object.assign(run, { subcommands: byName });
}

export interface Entry {
  readonly spec: CommandSpec;
  readonly impl: Impl;
  /** Lower-case name, as Redis 7 writes it in error messages ("config|get" for a subcommand). */
  readonly lower: string;
  /** Subcommands by lower-case name, for a container (CONFIG, CLIENT, COMMAND). */
  readonly subs: Map<string, Entry> | null;
  /** Index of this command's counters (server/observability/command-stats.ts). */
  readonly id: number;
  /** Flags read on every call, kept as booleans. */
  readonly write: boolean;
  readonly denyoom: boolean;
  /** Reads or writes keys: refused to a connection in MONITOR mode, as Redis refuses replicas. */
  readonly keyspace: boolean;
  /** Shown to MONITOR (not admin, not skip_monitor), logged by SLOWLOG (not skip_slowlog). */
  readonly monitored: boolean;
  readonly slowlogged: boolean;
}

let nextEntryId = 0;

function flagFields(spec: CommandSpec): Pick<Entry, "id" | "write" | "denyoom" | "keyspace" | "monitored" | "slowlogged"> {
  const f = spec.flags;
  return {
    id: nextEntryId++,
    write: f.includes("write"),
    denyoom: f.includes("denyoom"),
    keyspace: f.includes("write") || f.includes("readonly"),
    monitored: !f.includes("admin") && !f.includes("skip_monitor"),
    slowlogged: !f.includes("skip_slowlog"),
  };
}

/** A container run without a subcommand where it has no bare form: its arity already refuses that. */
function noBareForm(): Reply {
  return new ErrorReply("ERR a subcommand is required");
}

function entryFor(lower: string, spec: CommandSpec, impl: ContainerImpl | Readonly<Record<string, Impl>>): Entry {
  if (spec.subcommands === undefined) return { spec, impl: impl as Impl, lower, subs: null, ...flagFields(spec) };
  const byName = typeof impl === "function" ? impl.subcommands : impl;
  const subs = new Map<string, Entry>();
  for (const [name, sub] of Object.entries(spec.subcommands)) {
    const subImpl = byName?.[name];
    if (subImpl === undefined) throw new Error(`keycast: '${lower}' is declared with subcommand '${name}' but not implemented with subcommands()`);
    subs.set(name, entryFor(`${lower}|${name}`, sub, subImpl));
  }
  return { spec, impl: typeof impl === "function" ? impl : (byName?.bare ?? noBareForm), lower, subs, ...flagFields(spec) };
}

// Built on first use, not at import: command implementations import this module (COMMAND,
// transactions), so the table cannot be read while the modules are still loading.
let table: Map<string, Entry> | null = null;

function buildTable(): Map<string, Entry> {
  const t = new Map<string, Entry>();
  for (const key of Object.keys(commands) as (keyof Commands)[]) {
    const spec: CommandSpec = commands[key];
    const entry = entryFor(key, spec, implementations[key] as ContainerImpl | Readonly<Record<string, Impl>>);
    t.set(key, entry);
    t.set(spec.name, entry);
  }
  return t;
}

/** Every command, for COMMAND and docs. */
export function allCommands(): Entry[] {
  return [...new Set((table ??= buildTable()).values())];
}

export function lookupCommand(name: string): Entry | undefined {
  const t = (table ??= buildTable());
  return t.get(name) ?? t.get(name.toLowerCase());
}

/** A command or subcommand by its full name as COMMAND INFO writes it ("get", "config|get"). */
export function lookupFullName(name: string): Entry | undefined {
  const bar = name.indexOf("|");
  if (bar < 0) return lookupCommand(name);
  return lookupCommand(name.slice(0, bar))?.subs?.get(name.slice(bar + 1).toLowerCase());
}

function unknownCommand(argv: string[]): ErrorReply {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${bytesToText(argv[i]!).slice(0, 128 - args.length)}' `;
  return new ErrorReply(`ERR unknown command '${bytesToText(argv[0]!).slice(0, 128)}', with args beginning with: ${args}`);
}

/** Resolves argv to its command, or the error Redis gives for a bad name or arity. */
export function resolve(ctx: Context, argv: string[]): Entry | ErrorReply {
  if (argv.length === 0) return new ErrorReply("ERR empty command");
  let entry = lookupCommand(argv[0]!);
  if (entry === undefined) return unknownCommand(argv);
  const { transports } = entry.spec;
  let arity = entry.spec.arity;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return rejected(ctx, entry, new ErrorReply(ARITY(entry.lower)));
  if (entry.subs !== null && argv.length > 1) {
    const sub = entry.subs.get(argv[1]!.toLowerCase());
    if (sub === undefined) {
      return new ErrorReply(`ERR unknown subcommand '${bytesToText(argv[1]!).slice(0, 128)}'. Try ${entry.spec.name} HELP.`);
    }
    entry = sub;
    arity = sub.spec.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return rejected(ctx, entry, new ErrorReply(ARITY(entry.lower)));
  }
  if (transports !== undefined && !transports.includes(ctx.session.transport)) {
    return new ErrorReply(
      ctx.session.transport === "ws"
        ? `ERR '${entry.lower}' is not available over WebSocket: use an atomic batch or a watch frame instead`
        : `ERR '${entry.lower}' is only available over WebSocket`,
    );
  }
  // The one test a server without ACLs pays: the default user is unrestricted.
  const user = ctx.session.user;
  if (user !== undefined && !user.unrestricted) {
    const denied = checkAccess(ctx, entry, argv, user);
    if (denied !== null) return rejected(ctx, entry, denied);
  }
  const server = ctx.server;
  if (server.monitors.size !== 0 && entry.keyspace && server.monitors.has(ctx.session)) {
    return rejected(ctx, entry, new ErrorReply("ERR Replica can't interact with the keyspace"));
  }
  // MISCONF while the disk fails; Redis refuses PING too, so health checks notice.
  if (server.writeRefusal !== null && (entry.write || entry.lower === "ping")) return rejected(ctx, entry, new ErrorReply(server.writeRefusal));
  const memory = server.memory;
  if (memory !== null && !memory.admit(entry.denyoom)) return rejected(ctx, entry, new ErrorReply(OOM));
  return entry;
}

/** A known command refused before it ran: counted as Redis's rejected_calls. */
function rejected(ctx: Context, entry: Entry, reply: ErrorReply): ErrorReply {
  ctx.server.commandStats.of(entry.id, entry.lower).rejected++;
  return reply;
}

/**
 * Runs a resolved command, and accounts for it: counters and latency, SLOWLOG, MONITOR, the
 * append-only log (told which command runs, so it records the command at its first effect)
 * and the access clocks of LRU/LFU eviction. Each costs a null or threshold test when unused.
 *
 * `started`: a performance.now() reading taken after the keyspace's last tick(), by a caller
 * running commands in a loop (the end of the previous command, `ctx.ended`): the command's
 * clock and its latency then come from it, not from two more clock reads.
 */
export function call(ctx: Context, entry: Entry, argv: string[], started?: number): Reply {
  const server = ctx.server;
  const session = ctx.session;
  if (started === undefined) {
    server.keyspace.tick();
    started = server.keyspace.tickedAt;
  } else server.keyspace.advance(started);
  server.stats.commands++;
  session.lastCommand = entry.lower;
  const journal = server.journal;
  if (journal !== null) journal.enter(session.db, argv);
  let reply: Reply;
  try {
    reply = entry.impl(ctx, argv);
  } catch (e) {
    server.stats.errorReplies++;
    if (e instanceof CommandError) reply = new ErrorReply(e.message);
    else {
      // A bug or an engine limit (e.g. a Map past 2^24 entries) fails this command only.
      server.logger.error({ command: entry.lower, err: e }, "internal error");
      reply = new ErrorReply(`ERR internal error in '${entry.lower}': ${(e as Error).message ?? String(e)}`);
    }
  } finally {
    if (journal !== null) journal.leave();
  }
  const ended = performance.now();
  ctx.ended = ended;
  const us = (ended - started) * 1000;
  const stat = server.commandStats.of(entry.id, entry.lower);
  stat.record(us);
  if (reply instanceof ErrorReply) {
    stat.failed++;
    server.commandStats.countError(reply.message);
  }
  const slowlog = server.slowlog;
  if (us >= slowlog.threshold && slowlog.threshold >= 0 && entry.slowlogged) slowlog.push(argv, us, session);
  const latency = server.latency;
  if (latency.thresholdUs !== 0 && us >= latency.thresholdUs) latency.add(entry.spec.flags.includes("fast") ? "fast-command" : "command", us);
  const monitors = server.monitors;
  if (monitors.size !== 0) {
    // RESET ends MONITOR mode (before its own line, which only the others see).
    if (entry.lower === "reset") monitors.remove(session);
    if (entry.monitored) monitors.feed(session, session.db, argv, started);
  }
  const memory = server.memory;
  if (memory !== null && memory.tracksAccess) memory.touch(session.db, entry.spec.keys, argv);
  return reply;
}

/** Resolves and runs one command (`started`: as for call()). */
export function execute(ctx: Context, argv: string[], started?: number): Reply {
  const entry = resolve(ctx, argv);
  if (entry instanceof ErrorReply) {
    ctx.server.stats.errorReplies++;
    ctx.server.commandStats.countError(entry.message);
    return entry;
  }
  return call(ctx, entry, argv, started);
}

export const EXECABORT = "EXECABORT Transaction discarded because of previous errors.";

/**
 * Runs a batch. Non-atomic: each command runs in order and gets its own reply.
 * Atomic (MULTI/EXEC semantics): every command is resolved first; if any name or arity
 * is wrong, nothing runs and the others get EXECABORT. Otherwise all run back to back,
 * and a command that fails at run time (WRONGTYPE) gets its error while the rest still
 * run: no rollback, as in Redis.
 */
export function executeBatch(ctx: Context, cmds: string[][], atomic: boolean): Reply[] {
  const replies: Reply[] = new Array(cmds.length);
  if (!atomic) {
    for (let i = 0; i < cmds.length; i++) replies[i] = execute(ctx, cmds[i]!);
    return replies;
  }
  const entries: (Entry | ErrorReply)[] = cmds.map((argv) => resolve(ctx, argv));
  if (entries.some((e) => e instanceof ErrorReply)) {
    const abort = new ErrorReply(EXECABORT);
    return entries.map((e) => (e instanceof ErrorReply ? e : abort));
  }
  // The log records the batch as one transaction: after a crash it is replayed whole or not at all.
  const journal = ctx.server.journal;
  if (journal !== null) journal.groupBegin();
  try {
    for (let i = 0; i < cmds.length; i++) replies[i] = call(ctx, entries[i] as Entry, cmds[i]!);
  } finally {
    if (journal !== null) journal.groupEnd();
  }
  return replies;
}
