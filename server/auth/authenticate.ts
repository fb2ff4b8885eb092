// Password authentication (AUTH, HELLO AUTH, the WebSocket AUTH frame). A scrypt check takes
// ~50 ms, too long to block the event loop for, while commands run synchronously. So the
// transports check the credentials a command carries first, on libuv's thread pool, before
// running it (precheck), and AUTH then finds the verdict waiting. Only a command the
// transport could not look into falls back to a blocking check.

import { aclOf } from "../acl/acl.js";
import type { User } from "../acl/user.js";
import type { Context, Session } from "../context.js";
import { CommandError } from "../errors.js";
import { clientLine } from "../info.js";
import type { ServerState } from "../state.js";
import { verifyPassword, verifyPasswordSync } from "./passwords.js";

export const WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

/** Verdicts of prechecked credentials, per session, keyed by user and password; cleared after the command. */
const verdicts = new WeakMap<Session, Map<string, boolean>>();

function verdictKey(username: string, password: string): string {
  return `${username}\u0000${password}`;
}

/** The credentials an AUTH or HELLO command carries: [username, password], or null. */
export function credentialsOf(argv: readonly string[]): [string, string] | null {
  if (argv.length < 2) return null;
  const name = argv[0]!.toLowerCase();
  if (name === "auth") {
    if (argv.length === 2) return ["default", argv[1]!];
    if (argv.length === 3) return [argv[1]!, argv[2]!];
    return null;
  }
  if (name === "hello") {
    for (let i = 2; i + 2 < argv.length; i++) if (argv[i]!.toLowerCase() === "auth") return [argv[i + 1]!, argv[i + 2]!];
  }
  return null;
}

/** Does the user exist, is it enabled, and is the password one of its own? On the thread pool. */
export async function checkPassword(state: ServerState, username: string, password: string): Promise<User | null> {
  const user = aclOf(state).users.get(username);
  if (user === undefined || !user.enabled) return null;
  if (user.nopass) return user;
  const results = await Promise.all(user.passwords.map((h) => verifyPassword(h, password)));
  // The user may have changed while the hashes were checked: only its current state counts.
  if (!user.enabled) return null;
  return results.some(Boolean) || user.nopass ? user : null;
}

/**
 * Checks the credentials of these commands ahead of running them. Returns null when there is
 * nothing to check (the common case: no promise, no delay).
 */
export function precheck(state: ServerState, session: Session, commands: readonly (readonly string[])[]): Promise<void> | null {
  let pending: Promise<void>[] | null = null;
  for (const argv of commands) {
    const cred = credentialsOf(argv);
    if (cred === null) continue;
    const user = aclOf(state).users.get(cred[0]);
    if (user === undefined || !user.enabled || user.nopass) continue;
    let map = verdicts.get(session);
    if (map === undefined) verdicts.set(session, (map = new Map()));
    const key = verdictKey(cred[0], cred[1]);
    if (map.has(key)) continue;
    const m = map;
    (pending ??= []).push(checkPassword(state, cred[0], cred[1]).then((u) => void m.set(key, u !== null)));
  }
  return pending === null ? null : Promise.all(pending).then(() => undefined);
}

/** Forgets the verdicts once the commands they were checked for have run. */
export function clearPrechecked(session: Session): void {
  verdicts.delete(session);
}

/**
 * AUTH's check, synchronous: makes the session the user's, or throws WRONGPASS (and logs it).
 * `command` is how the client spelled AUTH or HELLO, for ACL LOG.
 */
export function authenticate(ctx: Context, username: string, password: string, command: string): void {
  const acl = aclOf(ctx.server);
  const user = acl.users.get(username);
  let ok = false;
  if (user !== undefined && user.enabled) {
    if (user.nopass) ok = true;
    else {
      const known = verdicts.get(ctx.session)?.get(verdictKey(username, password));
      ok = known ?? user.passwords.some((h) => verifyPasswordSync(h, password));
    }
  }
  if (!ok || user === undefined) {
    acl.log.add("auth", "toplevel", command, username, clientLine(ctx.session, Date.now()), Date.now());
    throw new CommandError(WRONGPASS);
  }
  ctx.session.user = user;
  ctx.session.tokenExpiresAt = undefined;
}
