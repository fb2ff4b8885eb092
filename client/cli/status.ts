// Which parts of a reply are simple strings (+OK, +PONG, +string, the lines of a HELP). The
// WebSocket protocol sends simple and bulk strings alike (both are msgpack str), but redis-cli
// prints them differently (OK, "OK"), so the CLI knows them from the command that was sent:
// Redis's own replies, listed here from its source (addReplyStatus / addReply(shared.ok)).

import { StatusText, u8ToBytes, type CliReply } from "./format.js";

/** Where the simple strings are in a reply. */
interface Hint {
  /** This value, when a string, is a simple string. */
  status?: true;
  /** Applies to every element of an array. */
  each?: Hint;
  /** Applies to the elements at these positions of an array. */
  at?: Record<number, Hint>;
  /** Applies to the values of these fields of a map. */
  fields?: Record<string, Hint>;
  /** Applies to every value of a map. */
  values?: Hint;
}

const STATUS: Hint = { status: true };
const ALL_STATUS: Hint = { each: STATUS };

/** Commands whose string reply is always a simple string. */
const STATUS_COMMANDS = new Set([
  "AUTH", "BGREWRITEAOF", "BGSAVE", "DISCARD", "FLUSHALL", "FLUSHDB", "HMSET", "LSET", "LTRIM", "MIGRATE", "MSET",
  "MULTI", "PFMERGE", "PSETEX", "QUIT", "READONLY", "READWRITE", "RENAME", "REPLICAOF", "RESET", "RESTORE", "SAVE",
  "SELECT", "SETEX", "SHUTDOWN", "SLAVEOF", "SWAPDB", "TYPE", "UNWATCH", "WATCH",
]);

/** Subcommands ("CONFIG SET") whose string reply is always a simple string. */
const STATUS_SUBCOMMANDS = new Set([
  "ACL LOAD", "ACL SAVE", "ACL SETUSER", "CLIENT CACHING", "CLIENT NO-EVICT", "CLIENT NO-TOUCH", "CLIENT PAUSE",
  "CLIENT REPLY", "CLIENT SETINFO", "CLIENT SETNAME", "CLIENT TRACKING", "CLIENT UNPAUSE", "CONFIG RESETSTAT",
  "CONFIG REWRITE", "CONFIG SET", "FUNCTION DELETE", "FUNCTION FLUSH", "FUNCTION KILL", "FUNCTION RESTORE",
  "MODULE LOAD", "MODULE LOADEX", "MODULE UNLOAD", "SCRIPT FLUSH", "SCRIPT KILL",
]);

/** One entry of COMMAND / COMMAND INFO: [name, arity, flags, first, last, step, acl, tips, key specs, subcommands]. */
const COMMAND_INFO: Hint = {};
COMMAND_INFO.at = {
  2: ALL_STATUS,
  6: ALL_STATUS,
  8: { each: { fields: { flags: ALL_STATUS } } },
  9: { each: COMMAND_INFO },
};

/** One argument in COMMAND DOCS, with its nested arguments. */
const DOC_ARGUMENT: Hint = {};
DOC_ARGUMENT.fields = { flags: ALL_STATUS, arguments: { each: DOC_ARGUMENT } };
/** One command in COMMAND DOCS, with its subcommands. */
const DOC: Hint = {};
DOC.fields = { doc_flags: ALL_STATUS, arguments: { each: DOC_ARGUMENT }, subcommands: { values: DOC } };

function upper(word: string | undefined): string {
  return word === undefined ? "" : word.toUpperCase();
}

/** Where the simple strings are in the reply to `argv` (byte strings), if anywhere. */
function hintFor(argv: readonly string[]): Hint | null {
  const name = upper(argv[0]);
  if (STATUS_COMMANDS.has(name)) return STATUS;
  const sub = upper(argv[1]);
  switch (name) {
    case "SET":
      // With GET the reply is the old value, a bulk string.
      for (let i = 3; i < argv.length; i++) if (upper(argv[i]) === "GET") return null;
      return STATUS;
    case "PING":
      return argv.length === 1 ? STATUS : null;
    case "COMMAND":
      if (argv.length === 1 || sub === "INFO") return { each: COMMAND_INFO };
      if (sub === "DOCS") return { values: DOC };
      break;
    case "CLIENT":
      // The old form, CLIENT KILL ip:port, answers +OK; the filter form counts.
      if (sub === "KILL" && argv.length === 3) return STATUS;
      break;
  }
  if (sub === "HELP" && argv.length === 2) return ALL_STATUS;
  return STATUS_SUBCOMMANDS.has(`${name} ${sub}`) ? STATUS : null;
}

function apply(h: Hint, r: CliReply): CliReply {
  if (r instanceof Uint8Array) return h.status ? new StatusText(u8ToBytes(r)) : r;
  if (Array.isArray(r)) {
    if (h.each) return r.map((x) => apply(h.each!, x));
    if (h.at) {
      const at = h.at;
      return r.map((x, i) => (at[i] ? apply(at[i], x) : x));
    }
    return r;
  }
  if (r instanceof Map && (h.fields || h.values)) {
    const out = new Map<CliReply, CliReply>();
    for (const [k, v] of r) {
      const name = k instanceof Uint8Array ? u8ToBytes(k) : "";
      const vh = h.fields && Object.hasOwn(h.fields, name) ? h.fields[name] : h.values;
      out.set(k, vh ? apply(vh, v) : v);
    }
    return out;
  }
  return r;
}

/** The reply with its simple strings marked as such, for printing. */
export function markStatuses(argv: readonly string[], reply: CliReply): CliReply {
  const h = hintFor(argv);
  return h ? apply(h, reply) : reply;
}
