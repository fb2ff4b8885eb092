// How a command is declared. Every command lives once, as data, in shared/commands/*.ts;
// the server's dispatcher, the client's methods and reply types, COMMAND output and
// (later) ACL checks are all derived from these declarations.

/** A key or value argument: text (sent as UTF-8) or raw bytes. */
export type Key = string | Uint8Array;
/** A value argument. Numbers are sent as their decimal text, as redis clients do. */
export type Value = string | Uint8Array | number;
/** Any argument. */
export type Arg = Value;

/** Command flags, with Redis's meanings (see COMMAND INFO). */
export type Flag =
  | "write"
  | "readonly"
  | "denyoom"
  | "admin"
  | "pubsub"
  | "noscript"
  | "blocking"
  | "loading"
  | "stale"
  | "skip_monitor"
  | "skip_slowlog"
  | "fast"
  | "no_auth"
  | "allow_busy"
  | "no_multi"
  | "no_async_loading"
  | "movablekeys";

/** ACL categories, with Redis's names. */
export type AclCategory =
  | "@keyspace"
  | "@read"
  | "@write"
  | "@set"
  | "@sortedset"
  | "@list"
  | "@hash"
  | "@string"
  | "@bitmap"
  | "@hyperloglog"
  | "@geo"
  | "@stream"
  | "@pubsub"
  | "@admin"
  | "@fast"
  | "@slow"
  | "@blocking"
  | "@dangerous"
  | "@connection"
  | "@transaction"
  | "@scripting";

/** Where keys sit in argv (argv[0] is the command name): Redis's first/last/step. */
export interface KeySpec {
  readonly first: number;
  /** -1 = last argument, -2 = the one before, ... */
  readonly last: number;
  readonly step: number;
}

/**
 * Keys counted by an argument (LMPOP's, ZUNIONSTORE's numkeys): Redis's "keynum" key spec.
 * Indexes are absolute in argv: the count sits at argv[numkeys], the keys start at argv[first].
 */
export interface KeyNumSpec {
  readonly numkeys: number;
  readonly first: number;
  readonly step: number;
}

/** One key spec as COMMAND INFO shows it: begin_search by index, find_keys by range. */
export interface KeySpecDetail {
  readonly notes?: string;
  readonly flags: readonly string[];
  /** begin_search's index. */
  readonly index: number;
  /** find_keys' lastkey (relative to index; -1 = the last argument) and keystep. */
  readonly lastkey: number;
  readonly keystep: number;
}

/**
 * One of Redis 7's key specs, as COMMAND INFO shows it, for commands that first/last/step
 * cannot describe: keys after a count (ZUNION's numkeys) or several specs (a destination and
 * its sources). `begin` is the begin_search index; then either a range (lastkey, keystep,
 * limit) or a keynum (keynumidx, firstkey, keystep), both relative to `begin`.
 */
export interface KeySpecInfo {
  readonly flags: readonly string[];
  readonly begin: number;
  readonly range?: readonly [lastkey: number, keystep: number, limit: number];
  readonly keynum?: readonly [keynumidx: number, firstkey: number, keystep: number];
}

export interface CommandSpec {
  /** Upper-case name, as Redis writes it. */
  readonly name: string;
  /** Redis's convention: N = exactly N words including the name, -N = at least N. */
  readonly arity: number;
  readonly flags: readonly Flag[];
  readonly acl: readonly AclCategory[];
  readonly keys: KeySpec | null;
  /** Keys after a count (movablekeys commands); with `keys` too, those come first (ZUNIONSTORE's destination). */
  readonly keynum?: KeyNumSpec;
  /** One line, for COMMAND DOCS and docs/commands.md. */
  readonly summary: string;
  /** Where the command may run. Defaults to both. */
  readonly transports?: readonly Transport[];
  /** Redis's command tips, as COMMAND INFO lists them (e.g. "nondeterministic_output"). */
  readonly tips?: readonly string[];
  /**
   * The key spec flags COMMAND INFO reports (Redis's "RW", "access", "update", ...). When absent
   * they are derived from the command flags: readonly gives RO+access, write gives RW+update.
   */
  readonly keySpecFlags?: readonly string[];
  /** The full key specs, where they are more than one range (see KeySpecInfo); replaces `keys` and `keySpecFlags` in COMMAND INFO's specs. */
  readonly keySpecs?: readonly KeySpecInfo[];
  /**
   * Redis's key specs in full, for a command COMMAND INFO shows with several (PFMERGE's
   * destination and sources) or with notes; when present it replaces the one derived from keys.
   */
  readonly keySpecList?: readonly KeySpecDetail[];
  /**
   * Subcommands (CONFIG GET, CLIENT ID), keyed by lower-case name; declared with `container()`.
   * Each has its own arity, flags and ACL categories, as Redis 7 has; COMMAND INFO shows them as
   * "config|get".
   */
  readonly subcommands?: Readonly<Record<string, CommandSpec>>;
}

/** The transports a command can arrive on. */
export type Transport = "ws" | "resp";

/** A command's declared transports, kept in its type so the client can leave RESP-only ones out. */
type TransportsOf<T> = T extends readonly Transport[] ? { readonly transports: T } : unknown;

/** True for a command declared for RESP only (MULTI, WATCH, HELLO...). */
export type RespOnly<C> = C extends { readonly transports: readonly "resp"[] } ? true : false;

/** A declared command: its spec plus phantom argument and reply types. */
export interface Command<A extends readonly unknown[] = readonly Arg[], R = unknown> extends CommandSpec {
  /** Type-level only: never present at run time. */
  readonly __args?: A;
  /** Type-level only: never present at run time. */
  readonly __reply?: R;
}

type SpecInput = Omit<CommandSpec, "name" | "keys" | "subcommands" | "keynum"> & {
  keys?: readonly [number, number, number];
  /** [numkeys index, first key index, step]: see KeyNumSpec. */
  keynum?: readonly [number, number, number];
};

function specOf(name: string, spec: SpecInput): CommandSpec {
  const { keys, keynum, ...rest } = spec;
  return {
    ...rest,
    name,
    keys: keys ? { first: keys[0], last: keys[1], step: keys[2] } : null,
    ...(keynum ? { keynum: { numkeys: keynum[0], first: keynum[1], step: keynum[2] } } : {}),
  };
}

/**
 * Declares a command:
 * `command("LPUSH", { arity: -3, ... }).args<[key: Key, ...elements: Value[]]>().reply<number>()`.
 */
export function command<const T extends readonly Transport[] | undefined = undefined>(name: string, spec: SpecInput & { transports?: T }) {
  const base: CommandSpec = specOf(name, spec);
  return {
    args<A extends readonly unknown[]>() {
      return {
        reply<R>(): Command<A, R> & TransportsOf<T> {
          return base as Command<A, R> & TransportsOf<T>;
        },
      };
    },
  };
}

/**
 * Declares a command with subcommands, like Redis 7's CONFIG and CLIENT. The container's own
 * spec is what COMMAND INFO shows for it (Redis gives CONFIG arity -2, no flags, @slow); a
 * subcommand is declared with `command("GET", ...)`, its name as the second word.
 */
export function container<S extends Readonly<Record<string, CommandSpec>>>(name: string, spec: SpecInput, subcommands: S) {
  const base: CommandSpec = { ...specOf(name, spec), subcommands };
  return {
    args<A extends readonly unknown[]>() {
      return {
        reply<R>(): Command<A, R> & { readonly subcommands: S } {
          return base as Command<A, R> & { readonly subcommands: S };
        },
      };
    },
  };
}

/**
 * A reply type that depends on an option word among the arguments after the key (ZRANGE's
 * WITHSCORES): `Without` when no argument is that word (in any case), `With` when one is, and
 * either when an argument is a string not known at compile time. The client resolves it per call.
 */
export interface ByOption<W extends string, Without, With> {
  /** Type-level only: no value of this type exists at run time. */
  readonly __byOption: [W, Without, With];
}

/** The argument tuple of a declared command. */
export type ArgsOf<C> = C extends Command<infer A, unknown> ? A : never;
/** The reply type of a declared command (as the client decodes it, with text as strings). */
export type ReplyOf<C> = C extends Command<readonly unknown[], infer R> ? R : never;
