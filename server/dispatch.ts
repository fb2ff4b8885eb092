// The one path every command takes, from any transport: lookup, arity, call, and the
// conversion of thrown CommandErrors into error replies. Transports decode frames into
// argv (byte strings), call execute() or executeBatch(), and encode what comes back.

import type { Context } from "./context.js";
import { ARITY, CommandError, EXECABORT } from "./errors.js";
import { ErrorReply, type Reply } from "./reply.js";
import { bytesToText } from "./bytes.js";
import { checkAccess } from "./acl/check.js";
import { OOM } from "./eviction/guard.js";
import type { Dispatcher, Entry } from "./command-impl.js";
import { commandTable } from "./commands/registry.js";

export type { Entry, Impl, Implementations } from "./command-impl.js";
export { EXECABORT } from "./errors.js";

/** Every command, for COMMAND and docs. */
export function allCommands(): Entry[] {
  return [...commandTable.all()];
}

export function lookupCommand(name: string): Entry | undefined {
  return commandTable.lookup(name);
}

/** A command or subcommand by its full name as COMMAND INFO writes it ("get", "config|get"). */
export function lookupFullName(name: string): Entry | undefined {
  return commandTable.lookupFullName(name);
}

function unknownCommand(argv: string[]): ErrorReply {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${bytesToText(argv[i]!).slice(0, 128 - args.length)}' `;
  return new ErrorReply(`ERR unknown command '${bytesToText(argv[0]!).slice(0, 128)}', with args beginning with: ${args}`);
}

/** Resolves argv to its command, or the error Redis gives for a bad name or arity. */
export function resolve(ctx: Context, argv: string[]): Entry | ErrorReply {
  if (argv.length === 0) return new ErrorReply("ERR empty command");
  let entry = commandTable.lookup(argv[0]!);
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

/** The dispatcher as ServerState hands it to the layers below (EXEC, the log's replay, scripts). */
export const dispatcher: Dispatcher = { commands: commandTable, resolve, call, execute, executeBatch };
