// The one path every command takes, from any transport: lookup, arity, call, and the
// conversion of thrown CommandErrors into error replies. Transports decode frames into
// argv (byte strings), call execute() or executeBatch(), and encode what comes back.

import { commands, type Commands } from "../shared/commands/index.js";
import type { CommandSpec } from "../shared/command.js";
import type { Context } from "./context.js";
import { ARITY, CommandError } from "./errors.js";
import { ErrorReply, type Reply } from "./reply.js";
import { implementations } from "./types/index.js";
import { bytesToText } from "./bytes.js";

/** A command implementation: argv[0] is the command name, all words are byte strings. */
export type Impl = (ctx: Context, argv: string[]) => Reply;

/** The implementations of a group of declared commands, keyed like the declarations. */
export type Implementations<T> = { readonly [K in keyof T]: Impl };

export interface Entry {
  readonly spec: CommandSpec;
  readonly impl: Impl;
  /** Lower-case name, as Redis 7 writes it in error messages. */
  readonly lower: string;
}

const table = new Map<string, Entry>();
for (const key of Object.keys(commands) as (keyof Commands)[]) {
  const spec = commands[key];
  const entry: Entry = { spec, impl: implementations[key], lower: key };
  table.set(key, entry);
  table.set(spec.name, entry);
}

/** Every command, for COMMAND and docs. */
export function allCommands(): Entry[] {
  return [...new Set(table.values())];
}

export function lookupCommand(name: string): Entry | undefined {
  return table.get(name) ?? table.get(name.toLowerCase());
}

function unknownCommand(argv: string[]): ErrorReply {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${bytesToText(argv[i]!).slice(0, 128 - args.length)}' `;
  return new ErrorReply(`ERR unknown command '${bytesToText(argv[0]!).slice(0, 128)}', with args beginning with: ${args}`);
}

/** Resolves argv to its command, or the error Redis gives for a bad name or arity. */
export function resolve(ctx: Context, argv: string[]): Entry | ErrorReply {
  if (argv.length === 0) return new ErrorReply("ERR empty command");
  const entry = lookupCommand(argv[0]!);
  if (entry === undefined) return unknownCommand(argv);
  const { arity, transports } = entry.spec;
  if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return new ErrorReply(ARITY(entry.lower));
  if (transports !== undefined && !transports.includes(ctx.session.transport)) {
    return new ErrorReply(
      ctx.session.transport === "ws"
        ? `ERR '${entry.lower}' is not available over WebSocket: use an atomic batch or a watch frame instead`
        : `ERR '${entry.lower}' is only available over WebSocket`,
    );
  }
  return entry;
}

/** Runs a resolved command. */
export function call(ctx: Context, entry: Entry, argv: string[]): Reply {
  const server = ctx.server;
  server.keyspace.tick();
  server.stats.commands++;
  ctx.session.lastCommand = entry.lower;
  try {
    return entry.impl(ctx, argv);
  } catch (e) {
    server.stats.errorReplies++;
    if (e instanceof CommandError) return new ErrorReply(e.message);
    // A bug or an engine limit (e.g. a Map past 2^24 entries) fails this command only.
    console.error(`keycast: internal error in '${entry.lower}':`, e);
    return new ErrorReply(`ERR internal error in '${entry.lower}': ${(e as Error).message ?? String(e)}`);
  }
}

/** Resolves and runs one command. */
export function execute(ctx: Context, argv: string[]): Reply {
  const entry = resolve(ctx, argv);
  if (entry instanceof ErrorReply) {
    ctx.server.stats.errorReplies++;
    return entry;
  }
  return call(ctx, entry, argv);
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
  for (let i = 0; i < cmds.length; i++) replies[i] = call(ctx, entries[i] as Entry, cmds[i]!);
  return replies;
}
