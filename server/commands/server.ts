// Server commands: COMMAND (derived from the shared table), INFO, CONFIG, the database-wide
// commands (DBSIZE, FLUSHALL, FLUSHDB, SWAPDB) and TIME.
import { commandGroups, redisGroupNames } from "../../shared/commands/index.js";
import type { serverCommands } from "../../shared/commands/server.js";
import type { CommandSpec, KeySpecDetail } from "../../shared/command.js";
import { int32Arg, isOption, toInt64 } from "../args.js";
import { bytesToText } from "../bytes.js";
import { keysOf } from "../acl/key-specs.js";
import { allSettings, configOf, findSetting, SettingError, type Setting } from "../config.js";
import type { Context } from "../context.js";
import { subcommands, type CommandTable, type Entry, type Implementations } from "../command-impl.js";
import { CommandError, DB_INDEX_OUT_OF_RANGE, SYNTAX } from "../errors.js";
import { infoText } from "../info.js";
import { DATABASES } from "../keyspace/keyspace.js";
import { globMatch } from "../keyspace/glob.js";
import { MapReply, OK, SetReply, Status, VerbatimReply, type Reply } from "../reply.js";
import { touchWatchedForSwap } from "../transactions.js";
import { ConfigError, rewriteConfigFile } from "../config-file.js";
import { observabilityCommands } from "../observability/commands.js";
import { persistenceCommands } from "../persistence/commands.js";

// ---- COMMAND ----

/** Redis's documentation group of each command, from the group it is declared in. */
const GROUP_NAMES: Readonly<Record<string, string>> = redisGroupNames;
const groupOf = new Map<string, string>();
for (const [group, cmds] of Object.entries(commandGroups)) {
  for (const spec of Object.values(cmds) as CommandSpec[]) groupOf.set(spec.name, GROUP_NAMES[group] ?? group);
}

function statuses(words: readonly string[]): SetReply {
  return new SetReply(words.map((w) => new Status(w)));
}

function keySpecs(spec: CommandSpec): Reply[] {
  if (spec.keySpecList) return spec.keySpecList.map(keySpecDetail);
  if (spec.keySpecs !== undefined) {
    return spec.keySpecs.map((ks) =>
      new MapReply([
        "flags",
        statuses(ks.flags),
        "begin_search",
        new MapReply(["type", "index", "spec", new MapReply(["index", ks.begin])]),
        "find_keys",
        ks.keynum !== undefined
          ? new MapReply(["type", "keynum", "spec", new MapReply(["keynumidx", ks.keynum[0], "firstkey", ks.keynum[1], "keystep", ks.keynum[2]])])
          : new MapReply(["type", "range", "spec", new MapReply(["lastkey", ks.range![0], "keystep", ks.range![1], "limit", ks.range![2]])]),
      ]),
    );
  }
  const k = spec.keys;
  const kn = spec.keynum;
  const flags = spec.keySpecFlags ?? (spec.flags.includes("write") ? ["RW", "update"] : ["RO", "access"]);
  const out: Reply[] = [];
  if (k !== null) {
    const lastkey = k.last < 0 ? k.last : k.last - k.first;
    out.push(
      new MapReply([
        "flags",
        statuses(flags),
        "begin_search",
        new MapReply(["type", "index", "spec", new MapReply(["index", k.first])]),
        "find_keys",
        new MapReply(["type", "range", "spec", new MapReply(["lastkey", lastkey, "keystep", k.step, "limit", 0])]),
      ]),
    );
  }
  if (kn !== undefined) {
    out.push(
      new MapReply([
        "flags",
        statuses(flags),
        "begin_search",
        new MapReply(["type", "index", "spec", new MapReply(["index", kn.numkeys])]),
        "find_keys",
        new MapReply(["type", "keynum", "spec", new MapReply(["keynumidx", 0, "firstkey", kn.first - kn.numkeys, "keystep", kn.step])]),
      ]),
    );
  }
  return out;
}

function keySpecDetail(d: KeySpecDetail): Reply {
  return new MapReply([
    ...(d.notes === undefined ? [] : ["notes", d.notes]),
    "flags",
    statuses(d.flags),
    "begin_search",
    new MapReply(["type", "index", "spec", new MapReply(["index", d.index])]),
    "find_keys",
    new MapReply(["type", "range", "spec", new MapReply(["lastkey", d.lastkey, "keystep", d.keystep, "limit", 0])]),
  ]);
}

function commandInfo(e: Entry): Reply {
  const s = e.spec;
  const subs: Reply[] = [];
  if (e.subs !== null) for (const sub of e.subs.values()) subs.push(commandInfo(sub));
  return [
    e.lower,
    s.arity,
    statuses(s.flags),
    s.keys?.first ?? 0,
    s.keys?.last ?? 0,
    s.keys?.step ?? 0,
    statuses(s.acl),
    new SetReply(s.tips ? [...s.tips] : []),
    new SetReply(keySpecs(s)),
    new SetReply(subs),
  ];
}

function commandDocs(e: Entry, group: string): Reply {
  const flat: Reply[] = ["summary", e.spec.summary, "group", group];
  if (e.subs !== null) {
    const subs: Reply[] = [];
    for (const sub of e.subs.values()) subs.push(sub.lower, commandDocs(sub, group));
    flat.push("subcommands", new MapReply(subs));
  }
  return new MapReply(flat);
}

/** Top-level commands and their subcommands, as COMMAND LIST names them. */
function* everyEntry(table: CommandTable): IterableIterator<Entry> {
  for (const e of table.all()) {
    yield e;
    if (e.subs !== null) yield* e.subs.values();
  }
}

const COMMAND_HELP = [
  "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "(no subcommand)",
  "    Return details about all commands.",
  "COUNT",
  "    Return the total number of commands in this server.",
  "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
  "    Return a list of all commands in this server.",
  "INFO [<command-name> ...]",
  "    Return details about the given commands, or all of them.",
  "DOCS [<command-name> ...]",
  "    Return documentation about the given commands, or all of them.",
  "GETKEYS <full-command>",
  "    Return the keys from a full command.",
  "HELP",
  "    Print this help.",
].map((l) => new Status(l));

// ---- CONFIG ----

const CONFIG_HELP = [
  "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
  "HELP",
  "    Prints this help.",
].map((l) => new Status(l));

const GLOB_CHARS = /[*?[\\]/;

function configSetFailed(name: string, reason: string): CommandError {
  return new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`);
}

// ---- databases ----

function flushMode(argv: string[]): void {
  if (argv.length > 2) throw new CommandError(SYNTAX);
  if (argv.length === 2 && !isOption(argv[1]!, "ASYNC") && !isOption(argv[1]!, "SYNC")) throw new CommandError(SYNTAX);
}

/** Both indexes are read as C ints before either is checked against the range, as Redis does. */
function dbIndexes(first: string, second: string): [number, number] {
  const a = int32Arg(first, "ERR invalid first DB index");
  const b = int32Arg(second, "ERR invalid second DB index");
  if (a < 0 || a >= DATABASES || b < 0 || b >= DATABASES) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
  return [a, b];
}

// Flush listeners (WATCH, watchers) are told before the databases change, so they can still
// see what goes away.
function flushDb(ctx: Context, index: number): void {
  ctx.server.keyspace.notifyFlush(index);
  ctx.server.keyspace.dbs[index]!.clear();
}

export const server: Implementations<typeof serverCommands> = {
  command: subcommands<typeof serverCommands.command.subcommands>(
    {
    count(ctx) {
      return ctx.server.commands.all().length;
    },

    info(ctx, argv) {
      const table = ctx.server.commands;
      if (argv.length === 2) return table.all().map(commandInfo);
      const out: Reply[] = [];
      for (let i = 2; i < argv.length; i++) {
        const e = table.lookupFullName(argv[i]!);
        out.push(e === undefined ? null : commandInfo(e));
      }
      return out;
    },

    docs(ctx, argv) {
      const table = ctx.server.commands;
      const flat: Reply[] = [];
      const add = (e: Entry) => flat.push(e.lower, commandDocs(e, groupOf.get(e.spec.name) ?? "server"));
      if (argv.length === 2) for (const e of table.all()) add(e);
      else {
        for (let i = 2; i < argv.length; i++) {
          const e = table.lookupFullName(argv[i]!);
          if (e === undefined) continue;
          const top = table.lookup(e.lower.split("|")[0]!)!;
          flat.push(e.lower, commandDocs(e, groupOf.get(top.spec.name) ?? "server"));
        }
      }
      return new MapReply(flat);
    },

    getkeys(ctx, argv) {
      const args = argv.slice(2);
      let e = ctx.server.commands.lookup(args[0]!);
      if (e === undefined) throw new CommandError("ERR Invalid command specified");
      if (e.subs !== null && args.length > 1) e = e.subs.get(args[1]!.toLowerCase()) ?? e;
      const { arity, keys } = e.spec;
      if ((arity > 0 && args.length !== arity) || args.length < -arity) {
        throw new CommandError("ERR Invalid number of arguments specified for command");
      }
      if (e.spec.flags.includes("movablekeys")) {
        // Keys that depend on the arguments (a numkeys count, SORT's STORE): as ACL reads them.
        const found = keysOf(e, args);
        const movable: string[] = [];
        for (let i = 0; i < found.length; i += 2) movable.push(args[found[i]!]!);
        if (movable.length === 0) throw new CommandError("ERR Invalid arguments specified for command");
        return movable;
      }
      if (keys === null) throw new CommandError("ERR The command has no key arguments");
      const last = keys.last < 0 ? args.length + keys.last : keys.last;
      const out: string[] = [];
      for (let i = keys.first; i <= last && i < args.length; i += keys.step) out.push(args[i]!);
      return out;
    },

    list(ctx, argv) {
      let match: (e: Entry) => boolean = () => true;
      if (argv.length !== 2) {
        if (argv.length !== 5 || !isOption(argv[2]!, "FILTERBY")) throw new CommandError(SYNTAX);
        const by = argv[3]!.toUpperCase();
        const value = argv[4]!;
        if (by === "MODULE") match = () => false;
        else if (by === "ACLCAT") match = (e) => e.spec.acl.some((c) => c.slice(1) === value.toLowerCase());
        else if (by === "PATTERN") match = (e) => globMatch(value.toLowerCase(), e.lower);
        else throw new CommandError(SYNTAX);
      }
      const out: string[] = [];
      for (const e of everyEntry(ctx.server.commands)) if (match(e)) out.push(e.lower);
      return out;
    },

    help() {
      return COMMAND_HELP;
    },
  },
    (ctx) => ctx.server.commands.all().map(commandInfo),
  ),

  info(ctx, argv) {
    return new VerbatimReply(infoText(ctx.server, argv.slice(1), Date.now()));
  },

  config: subcommands<typeof serverCommands.config.subcommands>({
    get(ctx, argv) {
      const config = configOf(ctx.server);
      const seen = new Set<Setting<unknown>>();
      const flat: Reply[] = [];
      for (let i = 2; i < argv.length; i++) {
        const pattern = argv[i]!;
        if (!GLOB_CHARS.test(pattern)) {
          const s = findSetting(pattern);
          // An exact name is echoed as the caller wrote it, as Redis 7 does.
          if (s !== undefined && !seen.has(s)) {
            seen.add(s);
            flat.push(pattern, config.text(s));
          }
          continue;
        }
        const lower = pattern.toLowerCase();
        for (const s of allSettings()) {
          if (seen.has(s) || !globMatch(lower, s.name)) continue;
          seen.add(s);
          flat.push(s.name, config.text(s));
        }
      }
      return new MapReply(flat);
    },

    set(ctx, argv) {
      if (argv.length % 2 !== 0) throw new CommandError(SYNTAX);
      const updates: [Setting<unknown>, unknown][] = [];
      for (let i = 2; i < argv.length; i += 2) {
        const name = bytesToText(argv[i]!);
        const s = findSetting(argv[i]!);
        if (s === undefined) throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
        if (s.immutable) throw configSetFailed(name, "can't set immutable config");
        if (s.protected) throw configSetFailed(name, "can't set protected config");
        if (updates.some(([u]) => u === s)) throw configSetFailed(name, "duplicate parameter");
        try {
          updates.push([s, s.parse(argv[i + 1]!)]);
        } catch (e) {
          if (e instanceof SettingError) throw configSetFailed(name, e.message);
          throw e;
        }
      }
      const config = configOf(ctx.server);
      for (const [s, v] of updates) config.set(s, v);
      return OK;
    },

    rewrite(ctx) {
      try {
        rewriteConfigFile(ctx.server);
      } catch (e) {
        if (e instanceof ConfigError && e.message.startsWith("ERR ")) throw new CommandError(e.message);
        ctx.server.logger.error({ err: e, file: ctx.server.configFile }, "CONFIG REWRITE failed");
        throw new CommandError(`ERR Rewriting config file: ${(e as Error).message}`);
      }
      return OK;
    },

    resetstat(ctx) {
      const s = ctx.server.stats;
      s.evictedKeys = 0;
      s.eventsDropped = 0;
      ctx.server.commandStats.reset();
      s.commands = 0;
      s.connectionsReceived = 0;
      s.rejectedConnections = 0;
      s.errorReplies = 0;
      ctx.server.keyspace.expiredKeys = 0;
      return OK;
    },

    help() {
      return CONFIG_HELP;
    },
  }),

  dbsize(ctx) {
    return ctx.db.size;
  },

  flushall(ctx, argv) {
    flushMode(argv);
    ctx.server.keyspace.notifyFlush("all");
    for (const db of ctx.server.keyspace.dbs) db.clear();
    return OK;
  },

  flushdb(ctx, argv) {
    flushMode(argv);
    flushDb(ctx, ctx.session.db);
    return OK;
  },

  swapdb(ctx, argv) {
    const [a, b] = dbIndexes(argv[1]!, argv[2]!);
    if (a === b) return OK;
    const keyspace = ctx.server.keyspace;
    touchWatchedForSwap(ctx.server, a, b);
    keyspace.notifyFlush(a);
    keyspace.notifyFlush(b);
    keyspace.swap(a, b);
    return OK;
  },

  time() {
    const us = BigInt(Math.round(performance.timeOrigin * 1000 + performance.now() * 1000));
    return [String(us / 1_000_000n), String(us % 1_000_000n)];
  },

  ...persistenceCommands,
  ...observabilityCommands,
};
