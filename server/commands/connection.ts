// Connection commands: the session's own state (protocol, name, database) and CLIENT.
import type { connectionCommands } from "../../shared/commands/connection.js";
import { int32Arg, isOption, toInt64 } from "../args.js";
import { bytesToText } from "../bytes.js";
import type { Session } from "../context.js";
import { subcommands, type Implementations } from "../command-impl.js";
import { ARITY, CommandError, DB_INDEX_OUT_OF_RANGE, NOT_INTEGER, SYNTAX } from "../errors.js";
import { clientExtras, clientLine, REDIS_VERSION } from "../info.js";
import { DATABASES } from "../keyspace/keyspace.js";
import { MapReply, OK, PONG, Status, VerbatimReply, type Reply } from "../reply.js";
import { transactionOf } from "../transactions.js";
import { aclOf, unauthenticatedUser } from "../acl/acl.js";
import { authenticate } from "../auth/authenticate.js";
import type { Context } from "../context.js";

const RESET = new Status("RESET");
const NO_SUCH_CLIENT = "ERR No such client";
const HELLO_NOAUTH =
  "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";

/** Redis's rule for names (CLIENT SETNAME, LIB-NAME): printable ASCII without spaces. */
function validName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function setName(session: Session, name: string): void {
  if (!validName(name)) throw new CommandError("ERR Client names cannot contain spaces, newlines or special characters.");
  session.name = name === "" ? null : name;
}

/** Text that RESP3 sends as a verbatim string and RESP2 as a bulk string. */
function text(s: string): Reply {
  return new VerbatimReply(s);
}

function clientId(raw: string, message: string): number {
  const id = toInt64(raw);
  if (id === null || typeof id !== "number" || id <= 0) throw new CommandError(message);
  return id;
}

/** CLIENT KILL's filters; every given filter must match. */
interface KillFilter {
  id?: number;
  addr?: string;
  laddr?: string;
  type?: string;
  user?: string;
  skipMe: boolean;
}

function parseKillFilter(ctx: Context, argv: string[]): KillFilter {
  const f: KillFilter = { skipMe: true };
  if ((argv.length - 2) % 2 !== 0) throw new CommandError(SYNTAX);
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!.toUpperCase();
    const v = argv[i + 1]!;
    if (opt === "ID") f.id = clientId(v, "ERR client-id should be greater than 0");
    else if (opt === "ADDR") f.addr = v;
    else if (opt === "LADDR") f.laddr = v;
    else if (opt === "USER") {
      if (!aclOf(ctx.server).users.has(v)) throw new CommandError(`ERR No such user '${bytesToText(v)}'`);
      f.user = v;
    } else if (opt === "TYPE") {
      const t = v.toLowerCase();
      if (!["normal", "master", "replica", "slave", "pubsub"].includes(t)) throw new CommandError(`ERR Unknown client type '${bytesToText(v)}'`);
      f.type = t;
    } else if (opt === "SKIPME") {
      if (isOption(v, "YES")) f.skipMe = true;
      else if (isOption(v, "NO")) f.skipMe = false;
      else throw new CommandError(SYNTAX);
    } else throw new CommandError(SYNTAX);
  }
  return f;
}

function killMatches(f: KillFilter, s: Session): boolean {
  if (f.id !== undefined && s.id !== f.id) return false;
  if (f.addr !== undefined && s.addr !== f.addr) return false;
  if (f.laddr !== undefined && clientExtras(s).laddr !== f.laddr) return false;
  if (f.user !== undefined && (s.user?.name ?? "default") !== f.user) return false;
  // Every keycast client is a normal one; none is a master or replica.
  if (f.type !== undefined && f.type !== "normal") return false;
  return true;
}

const CLIENT_HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are: ID <client-id>, ADDR <ip:port>, LADDR <ip:port>,",
  "    TYPE normal|master|replica|pubsub, USER <username>, SKIPME yes|no.",
  "LIST [TYPE normal|master|replica|pubsub] [ID <client-id> [<client-id> ...]]",
  "    Return information about client connections.",
  "NO-EVICT on|off",
  "    Protect the current client connection from eviction.",
  "SETINFO LIB-NAME|LIB-VER <value>",
  "    Name the client library and its version.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "HELP",
  "    Print this help.",
].map((l) => new Status(l));

export const connection: Implementations<typeof connectionCommands> = {
  ping(ctx, argv) {
    if (argv.length > 2) throw new CommandError(ARITY("ping"));
    // A subscribed RESP2 connection reads replies as pushes: Redis answers ["pong", message].
    if (ctx.session.resp === 2 && ctx.session.subscriptions?.count) return ["pong", argv[1] ?? ""];
    return argv.length > 1 ? argv[1]! : PONG;
  },

  echo(_ctx, argv) {
    return argv[1]!;
  },

  select(ctx, argv) {
    const index = int32Arg(argv[1]!);
    if (index < 0 || index >= DATABASES) throw new CommandError(DB_INDEX_OUT_OF_RANGE);
    ctx.session.db = index;
    return OK;
  },

  hello(ctx, argv) {
    let version = ctx.session.resp;
    if (argv.length > 1) {
      const v = toInt64(argv[1]!);
      if (v === null) throw new CommandError("ERR Protocol version is not an integer or out of range");
      if (v !== 2 && v !== 3) throw new CommandError("NOPROTO unsupported protocol version");
      version = v;
    }
    let auth: [string, string] | null = null;
    let name: string | null = null;
    for (let i = 2; i < argv.length; i++) {
      const more = argv.length - 1 - i;
      if (isOption(argv[i]!, "AUTH") && more >= 2) {
        auth = [argv[i + 1]!, argv[i + 2]!];
        i += 2;
      } else if (isOption(argv[i]!, "SETNAME") && more >= 1) name = argv[++i]!;
      else throw new CommandError(`ERR Syntax error in HELLO option '${bytesToText(argv[i]!)}'`);
    }
    if (auth) authenticate(ctx, auth[0], auth[1], argv[0]!);
    if (ctx.session.user === unauthenticatedUser() && aclOf(ctx.server).authRequired) throw new CommandError(HELLO_NOAUTH);
    if (name !== null) setName(ctx.session, name);
    ctx.session.resp = version;
    return new MapReply([
      "server",
      "redis",
      "version",
      REDIS_VERSION,
      "proto",
      version,
      "id",
      ctx.session.id,
      "mode",
      "standalone",
      "role",
      "master",
      "modules",
      [],
    ]);
  },

  auth(ctx, argv) {
    if (argv.length > 3) throw new CommandError(SYNTAX);
    if (argv.length === 2) {
      if (aclOf(ctx.server).defaultUser.nopass) {
        throw new CommandError(
          "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
        );
      }
      authenticate(ctx, "default", argv[1]!, argv[0]!);
    } else authenticate(ctx, argv[1]!, argv[2]!, argv[0]!);
    return OK;
  },

  quit(ctx) {
    // The transport writes this reply, then closes.
    ctx.session.close("quit");
    return OK;
  },

  reset(ctx) {
    transactionOf(ctx.session)?.discard();
    ctx.session.subscriptions?.clear();
    const s = ctx.session;
    s.resp = 2;
    s.db = 0;
    s.name = null;
    clientExtras(s).noEvict = false;
    // As Redis: back to the default user, authenticated only if it needs no password.
    s.user = aclOf(ctx.server).initialUser();
    s.tokenExpiresAt = undefined;
    return RESET;
  },

  client: subcommands<typeof connectionCommands.client.subcommands>({
    id(ctx) {
      return ctx.session.id;
    },

    setname(ctx, argv) {
      setName(ctx.session, argv[2]!);
      return OK;
    },

    getname(ctx) {
      return ctx.session.name;
    },

    info(ctx) {
      return text(`${clientLine(ctx.session, Date.now())}\n`);
    },

    list(ctx, argv) {
      let ids: Set<number> | null = null;
      let type: string | null = null;
      for (let i = 2; i < argv.length; i++) {
        const opt = argv[i]!.toUpperCase();
        if (opt === "TYPE" && i + 1 < argv.length) {
          type = argv[++i]!.toLowerCase();
          if (!["normal", "master", "replica", "slave", "pubsub"].includes(type)) {
            throw new CommandError(`ERR Unknown client type '${bytesToText(argv[i]!)}'`);
          }
        } else if (opt === "ID" && i + 1 < argv.length) {
          ids = new Set();
          for (i++; i < argv.length; i++) ids.add(clientId(argv[i]!, "ERR Invalid client ID"));
        } else throw new CommandError(SYNTAX);
      }
      const now = Date.now();
      let out = "";
      for (const s of ctx.server.sessions.values()) {
        if (ids !== null && !ids.has(s.id)) continue;
        if (type !== null && type !== "normal") continue;
        out += `${clientLine(s, now)}\n`;
      }
      return text(out);
    },

    kill(ctx, argv) {
      const sessions = ctx.server.sessions;
      if (argv.length === 3) {
        // The old form: CLIENT KILL ip:port, which may kill the caller itself.
        for (const s of sessions.values()) {
          if (s.addr === argv[2]) {
            s.close("killed by CLIENT KILL");
            return OK;
          }
        }
        throw new CommandError(NO_SUCH_CLIENT);
      }
      const f = parseKillFilter(ctx, argv);
      let killed = 0;
      for (const s of [...sessions.values()]) {
        if (f.skipMe && s === ctx.session) continue;
        if (!killMatches(f, s)) continue;
        s.close("killed by CLIENT KILL");
        killed++;
      }
      return killed;
    },

    "no-evict"(ctx, argv) {
      const v = argv[2]!;
      if (isOption(v, "ON")) clientExtras(ctx.session).noEvict = true;
      else if (isOption(v, "OFF")) clientExtras(ctx.session).noEvict = false;
      else throw new CommandError(SYNTAX);
      return OK;
    },

    setinfo(ctx, argv) {
      const attr = argv[2]!;
      const value = argv[3]!;
      const e = clientExtras(ctx.session);
      if (isOption(attr, "LIB-NAME")) {
        if (!validName(value)) throw new CommandError("ERR lib-name cannot contain spaces, newlines or special characters.");
        e.libName = value;
      } else if (isOption(attr, "LIB-VER")) {
        if (!validName(value)) throw new CommandError("ERR lib-ver cannot contain spaces, newlines or special characters.");
        e.libVer = value;
      } else throw new CommandError(`ERR Unrecognized option '${bytesToText(attr)}'`);
      return OK;
    },

    help() {
      return CLIENT_HELP;
    },
  }),
};

