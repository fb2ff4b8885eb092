// What a command implementation is, and the narrow views of the command table and the
// dispatcher that commands and services are handed (ServerState.dispatcher). Nothing here
// imports a command family or the dispatcher: families import this file, the dispatcher
// builds on it, and the table reaches COMMAND, ACL and INFO through these interfaces.

import type { CommandSpec } from "../shared/command.js";
import type { Context } from "./context.js";
import { ErrorReply, type Reply } from "./reply.js";

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
export type ContainerImpl = Impl & { readonly subcommands?: Readonly<Record<string, Impl>> };

/** A container run without a subcommand where it has no bare form: its arity already refuses that. */
export function noBareForm(): Reply {
  return new ErrorReply("ERR a subcommand is required");
}

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

/** One command or subcommand of the table: its declaration, its implementation, and the flags read on every call. */
export interface Entry {
  readonly spec: CommandSpec;
  readonly impl: Impl;
  /** Lower-case name, as Redis 7 writes it in error messages ("config|get" for a subcommand). */
  readonly lower: string;
  /** Subcommands by lower-case name, for a container (CONFIG, CLIENT, COMMAND). */
  readonly subs: Map<string, Entry> | null;
  /** Index of this command's counters (server/observability/command-stats.ts). */
  readonly id: number;
  readonly write: boolean;
  readonly denyoom: boolean;
  /** Reads or writes keys: refused to a connection in MONITOR mode, as Redis refuses replicas. */
  readonly keyspace: boolean;
  /** Shown to MONITOR (not admin, not skip_monitor), logged by SLOWLOG (not skip_slowlog). */
  readonly monitored: boolean;
  readonly slowlogged: boolean;
}

/** The command table as COMMAND, COMMAND DOCS, ACL CAT and the transports read it. */
export interface CommandTable {
  /** A command by name, any case. */
  lookup(name: string): Entry | undefined;
  /** A command or subcommand by its full name as COMMAND INFO writes it ("get", "config|get"). */
  lookupFullName(name: string): Entry | undefined;
  /** Every top-level command, once each. */
  all(): readonly Entry[];
}

/**
 * The dispatcher as the parts below it use it: EXEC runs its queue through it, the append-only
 * log replays through it, scripts run redis.call through it. Handed in at start
 * (ServerState.dispatcher), never imported, so that no command family imports the module that
 * imports every family.
 */
export interface Dispatcher {
  readonly commands: CommandTable;
  /** Resolves argv to its command, or the error Redis gives for a bad name, arity, ACL or state. */
  resolve(ctx: Context, argv: string[]): Entry | ErrorReply;
  /** Runs a resolved command with its accounting (stats, SLOWLOG, MONITOR, log, eviction clocks). */
  call(ctx: Context, entry: Entry, argv: string[], started?: number): Reply;
  /** resolve() then call(). */
  execute(ctx: Context, argv: string[], started?: number): Reply;
  /** A batch: each command in order, or atomically with MULTI/EXEC semantics. */
  executeBatch(ctx: Context, cmds: string[][], atomic: boolean): Reply[];
}
