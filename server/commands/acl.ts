// ACL commands: users and their rules (server/acl), the log, and what a user may run.
import { randomBytes } from "node:crypto";
import type { aclCommands } from "../../shared/commands/acl.js";
import { AclError, aclOf, unauthenticatedUser } from "../acl/acl.js";
import { CATEGORIES, isCategory } from "../acl/categories.js";
import { denialFor, denialMessage } from "../acl/check.js";
import type { User } from "../acl/user.js";
import { toInt64 } from "../args.js";
import { bytesToText } from "../bytes.js";
import type { Context } from "../context.js";
import { subcommands, type Implementations } from "../command-impl.js";
import { ARITY, CommandError, NOT_INTEGER } from "../errors.js";
import { MapReply, OK, Status, type Reply } from "../reply.js";

const ACL_HELP = [
  "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CAT [<category>]",
  "    List all commands that belong to <category>, or all command categories",
  "    when no category is specified.",
  "DELUSER <username> [<username> ...]",
  "    Delete a list of users.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Returns whether the user can execute the given command without executing the command.",
  "GETUSER <username>",
  "    Get the user's details.",
  "GENPASS [<bits>]",
  "    Generate a secure 256-bit user password. The optional `bits` argument can",
  "    be used to specify a different size.",
  "LIST",
  "    Show users details in config file format.",
  "LOAD",
  "    Reload users from the ACL file.",
  "LOG [<count> | RESET]",
  "    Show the ACL log entries.",
  "SAVE",
  "    Save the current config to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create or modify a user with the specified attributes.",
  "USERS",
  "    List all the registered usernames.",
  "WHOAMI",
  "    Return the current connection username.",
  "HELP",
  "    Print this help.",
].map((l) => new Status(l));

/** Runs an ACL registry change, turning its errors into error replies. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AclError) throw new CommandError(e.message);
    throw e;
  }
}

function sortedUsers(ctx: Context): User[] {
  return [...aclOf(ctx.server).users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function userInfo(u: User): Reply {
  const flags: Reply[] = [u.enabled ? "on" : "off"];
  if (u.nopass) flags.push("nopass");
  const root = u.root;
  return new MapReply([
    "flags",
    flags,
    "passwords",
    u.passwords.map((h) => h.text),
    "commands",
    root.commandRules(),
    "keys",
    root.keysText(),
    "channels",
    root.channelsText(),
    "selectors",
    u.selectors.slice(1).map((s) => new MapReply(["commands", s.commandRules(), "keys", s.keysText(), "channels", s.channelsText()])),
  ]);
}

export const acl: Implementations<typeof aclCommands> = {
  acl: subcommands<typeof aclCommands.acl.subcommands>({
    whoami(ctx) {
      const u = ctx.session.user;
      return u === undefined || u === unauthenticatedUser() ? "default" : u.name;
    },

    users(ctx) {
      return sortedUsers(ctx).map((u) => u.name);
    },

    list(ctx) {
      return sortedUsers(ctx).map((u) => u.describe());
    },

    getuser(ctx, argv) {
      const u = aclOf(ctx.server).users.get(argv[2]!);
      return u === undefined ? null : userInfo(u);
    },

    setuser(ctx, argv) {
      guarded(() => aclOf(ctx.server).setUser(argv[2]!, argv.slice(3)));
      return OK;
    },

    deluser(ctx, argv) {
      return guarded(() => aclOf(ctx.server).deleteUsers(argv.slice(2)));
    },

    cat(ctx, argv) {
      if (argv.length === 2) return [...CATEGORIES];
      if (argv.length > 3) throw new CommandError(ARITY("acl|cat"));
      const cat = argv[2]!.toLowerCase();
      if (!isCategory(cat)) throw new CommandError(`ERR Unknown category '${bytesToText(argv[2]!)}'`);
      const out: string[] = [];
      const tag = `@${cat}`;
      for (const e of ctx.server.commands.all()) {
        if ((e.spec.acl as readonly string[]).includes(tag)) out.push(e.lower);
        if (e.subs !== null) for (const sub of e.subs.values()) if ((sub.spec.acl as readonly string[]).includes(tag)) out.push(sub.lower);
      }
      return out;
    },

    genpass(_ctx, argv) {
      let bits = 256;
      if (argv.length > 3) throw new CommandError(ARITY("acl|genpass"));
      if (argv.length === 3) {
        const n = toInt64(argv[2]!);
        if (n === null || typeof n !== "number" || n <= 0 || n > 4096) {
          throw new CommandError("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
        }
        bits = n;
      }
      const chars = Math.ceil(bits / 4);
      return randomBytes(Math.ceil(chars / 2)).toString("hex").slice(0, chars);
    },

    log(ctx, argv) {
      const log = aclOf(ctx.server).log;
      if (argv.length > 3) throw new CommandError(ARITY("acl|log"));
      let count = 10;
      if (argv.length === 3) {
        if (argv[2]!.toLowerCase() === "reset") {
          log.reset();
          return OK;
        }
        const n = toInt64(argv[2]!);
        if (n === null || typeof n !== "number") throw new CommandError(NOT_INTEGER);
        if (n < 0) throw new CommandError("ERR value is out of range, must be positive");
        count = n;
      }
      return log.reply(count, Date.now());
    },

    dryrun(ctx, argv) {
      const user = aclOf(ctx.server).users.get(argv[2]!);
      if (user === undefined) throw new CommandError(`ERR User '${bytesToText(argv[2]!)}' not found`);
      const cmd = argv.slice(3);
      let entry = ctx.server.commands.lookup(cmd[0]!);
      if (entry === undefined) throw new CommandError(`ERR Command '${bytesToText(cmd[0]!)}' not found`);
      if (entry.subs !== null && cmd.length > 1) entry = entry.subs.get(cmd[1]!.toLowerCase()) ?? entry;
      const arity = entry.spec.arity;
      if ((arity > 0 && cmd.length !== arity) || cmd.length < -arity) throw new CommandError(ARITY(entry.lower));
      const d = denialFor(user, entry, cmd);
      return d === null ? OK : denialMessage(user, d, entry).replace(/^NOPERM /, "");
    },

    load(ctx) {
      guarded(() => aclOf(ctx.server).load());
      return OK;
    },

    save(ctx) {
      guarded(() => aclOf(ctx.server).save());
      return OK;
    },

    help() {
      return ACL_HELP;
    },
  }),
};
