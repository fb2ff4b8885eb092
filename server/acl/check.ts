// The permission check of one command, for a session whose user is not unrestricted (the
// dispatcher tests that single boolean first, so a server without ACLs never comes here).
// Redis 7's order: NOAUTH for a connection that has not authenticated, then each selector in
// turn; the command is allowed when one selector allows the command, all its keys and all its
// channels. Denials get Redis 7.2's NOPERM texts and an ACL LOG entry.

import type { Context } from "../context.js";
import type { Entry } from "../command-impl.js";
import { clientLine } from "../info.js";
import { ErrorReply } from "../reply.js";
import { aclOf, unauthenticatedUser } from "./acl.js";
import { commandId } from "./commands.js";
import { channelsOf, keysOf } from "./key-specs.js";
import type { DenialReason } from "./log.js";
import { READ } from "./selector.js";
import type { User } from "./user.js";

export const NOAUTH = "NOAUTH Authentication required.";
export const NOPERM_KEY = "NOPERM No permissions to access a key";
export const NOPERM_CHANNEL = "NOPERM No permissions to access a channel";
export const noPermCommand = (user: string, command: string) => `NOPERM User ${user} has no permissions to run the '${command}' command`;

// Redis ranks denials so the most specific one is reported when several selectors fail.
const DENIED_COMMAND = 1;
const DENIED_KEY = 2;
const DENIED_CHANNEL = 4;

export interface Denial {
  readonly reason: DenialReason;
  /** The command's full name, or the key or channel denied. */
  readonly object: string;
}

/** Why the user may not run argv, or null when it may. */
export function denialFor(user: User, entry: Entry, argv: readonly string[]): Denial | null {
  if (user.unrestricted) return null;
  const noAuth = entry.spec.flags.includes("no_auth");
  const id = commandId(entry);
  let worst = 0;
  let object = "";
  let keys: number[] | null = null;
  selectors: for (const s of user.selectors) {
    if (!noAuth && !s.canRun(id)) {
      if (worst < DENIED_COMMAND) {
        worst = DENIED_COMMAND;
        object = entry.lower;
      }
      continue;
    }
    if (!s.allKeys) {
      keys ??= keysOf(entry, argv);
      for (let i = 0; i < keys.length; i += 2) {
        const key = argv[keys[i]!]!;
        if (!s.canAccessKey(key, keys[i + 1]!)) {
          if (worst < DENIED_KEY) {
            worst = DENIED_KEY;
            object = key;
          }
          continue selectors;
        }
      }
    }
    if (!s.allChannels) {
      const ch = channelsOf(entry, argv);
      if (ch !== null) {
        for (let i = ch.from; i <= ch.to; i++) {
          if (!s.canAccessChannel(argv[i]!, ch.pattern)) {
            if (worst < DENIED_CHANNEL) {
              worst = DENIED_CHANNEL;
              object = argv[i]!;
            }
            continue selectors;
          }
        }
      }
    }
    return null;
  }
  const reason: DenialReason = worst === DENIED_CHANNEL ? "channel" : worst === DENIED_KEY ? "key" : "command";
  return { reason, object };
}

export function denialMessage(user: User, d: Denial, entry: Entry): string {
  return d.reason === "key" ? NOPERM_KEY : d.reason === "channel" ? NOPERM_CHANNEL : noPermCommand(user.name, entry.lower);
}

/** The dispatcher's check: an error reply when the session may not run this, else null. */
export function checkAccess(ctx: Context, entry: Entry, argv: readonly string[], user: User): ErrorReply | null {
  const session = ctx.session;
  if (user === unauthenticatedUser()) {
    if (entry.spec.flags.includes("no_auth")) return null;
    const acl = aclOf(ctx.server);
    // requirepass was cleared (or the default user made nopass) since the connection opened.
    if (acl.authRequired) return new ErrorReply(NOAUTH);
    user = session.user = acl.defaultUser;
    if (user.unrestricted) return null;
  }
  const d = denialFor(user, entry, argv);
  if (d === null) return null;
  aclOf(ctx.server).log.add(d.reason, "toplevel", d.object, user.name, clientLine(session, Date.now()), Date.now());
  return new ErrorReply(denialMessage(user, d, entry));
}

/** May the user read this key (watching it, or seeing it in a snapshot)? */
export function canReadKey(user: User | undefined, key: string): boolean {
  if (user === undefined || user.unrestricted) return true;
  for (const s of user.selectors) if (s.canAccessKey(key, READ)) return true;
  return false;
}

/** May the user subscribe to this channel (or, literally, this pattern)? */
export function canUseChannel(user: User | undefined, name: string, isPattern: boolean): boolean {
  if (user === undefined || user.unrestricted) return true;
  for (const s of user.selectors) if (s.canAccessChannel(name, isPattern)) return true;
  return false;
}
