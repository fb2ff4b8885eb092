// One server's users: the `default` user (on, nopass, every permission, as in Redis, until
// requirepass or the ACL file says otherwise), the users of ACL SETUSER and the ACL file,
// and the ACL log. Sessions hold their User object; changes apply to it in place, so a
// connection sees new rules on its next command.

import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Session } from "../context.js";
import type { ServerState } from "../state.js";
import { AclLog } from "./log.js";
import { AclRuleError } from "./selector.js";
import { User, validUsername } from "./user.js";

/** An ACL SETUSER failure, with Redis's full error text. */
export class AclError extends Error {}

let unauthenticated: User | null = null;

/**
 * The user of a connection that has not authenticated while authentication is required. It
 * allows nothing; the check answers NOAUTH for it. One object, compared by identity.
 */
export function unauthenticatedUser(): User {
  return (unauthenticated ??= new User("default"));
}

/** Splits ACL SETUSER arguments, joining "(...)" selectors given as several words. */
export function mergeSelectorArgs(rules: readonly string[]): string[] {
  const out: string[] = [];
  let open: string | null = null;
  let start = "";
  for (const r of rules) {
    if (open !== null) {
      open += ` ${r}`;
      if (r.endsWith(")")) {
        out.push(open);
        open = null;
      }
    } else if (r.startsWith("(") && !r.endsWith(")")) {
      open = start = r;
    } else out.push(r);
  }
  if (open !== null) throw new AclError(`ERR Unmatched parenthesis in acl selector starting at '${start}'.`);
  return out;
}

export class Acl {
  readonly users = new Map<string, User>();
  readonly defaultUser: User;
  readonly log = new AclLog();
  /** The ACL file (aclfile), for ACL LOAD and ACL SAVE. */
  file: string | null = null;

  constructor(private readonly state: ServerState) {
    this.defaultUser = new User("default");
    Acl.resetDefault(this.defaultUser);
    this.users.set("default", this.defaultUser);
  }

  private static resetDefault(u: User): void {
    for (const r of ["reset", "on", "nopass", "~*", "&*", "+@all"]) u.apply(r);
    u.changed();
  }

  /** True when a new connection must authenticate before running commands. */
  get authRequired(): boolean {
    return !(this.defaultUser.enabled && this.defaultUser.nopass);
  }

  /** Who a new connection is: the default user, or nobody until it authenticates. */
  initialUser(): User {
    return this.authRequired ? unauthenticatedUser() : this.defaultUser;
  }

  /** ACL SETUSER: all rules or none. Throws AclError with Redis's text. */
  setUser(name: string, rules: readonly string[]): void {
    if (!validUsername(name)) throw new AclError("ERR Usernames can't contain spaces or null characters");
    const merged = mergeSelectorArgs(rules);
    const existing = this.users.get(name);
    const draft = existing ? existing.clone() : new User(name);
    for (const op of merged) {
      try {
        draft.apply(op);
      } catch (e) {
        if (e instanceof AclRuleError) throw new AclError(`ERR Error in ACL SETUSER modifier '${op}': ${e.message}`);
        throw e;
      }
    }
    draft.changed();
    if (existing) {
      existing.copyFrom(draft);
      this.revalidate(existing);
    } else this.users.set(name, draft);
  }

  /** ACL DELUSER: removes the users and closes their connections. Returns how many existed. */
  deleteUsers(names: readonly string[]): number {
    if (names.includes("default")) throw new AclError("ERR The 'default' user cannot be removed");
    let n = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined) continue;
      this.users.delete(name);
      n++;
      this.closeSessionsOf(u, `user '${name}' was deleted`);
    }
    return n;
  }

  /** requirepass as last set: applied again after an ACL file is loaded, as Redis does. */
  private requirepass: string | null = null;

  /** requirepass: the default user's password ("#hash" or cleartext), or nopass again for "". */
  setRequirepass(password: string): void {
    this.requirepass = password === "" ? null : password;
    const u = this.defaultUser;
    u.apply("resetpass");
    u.apply(password === "" ? "nopass" : password.startsWith("#") ? password : `>${password}`);
    u.changed();
  }

  /** Parses ACL file text into users; throws AclError listing every bad line. */
  private parseFile(text: string, file: string): Map<string, User> {
    const users = new Map<string, User>();
    const errors: string[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      // Comments are a keycast extension; Redis's own files have none.
      if (line === "" || line.startsWith("#")) continue;
      const words = line.split(/\s+/);
      if (words[0] !== "user" || words.length < 2) {
        errors.push(`${file}:${i + 1} should start with user keyword`);
        continue;
      }
      const name = words[1]!;
      if (users.has(name)) {
        errors.push(`${file}:${i + 1}: Duplicate user '${name}' found`);
        continue;
      }
      const u = new User(name);
      try {
        for (const op of mergeSelectorArgs(words.slice(2))) u.apply(op);
        u.changed();
        users.set(name, u);
      } catch (e) {
        if (!(e instanceof AclRuleError || e instanceof AclError)) throw e;
        errors.push(`${file}:${i + 1}: ${e.message.replace(/^ERR /, "")}`);
      }
    }
    if (errors.length > 0) throw new AclError(`ERR Error loading ACLs: ${errors.join(". ")}.`);
    return users;
  }

  /**
   * Loads the ACL file, replacing every user; nothing changes when a line is wrong. A file
   * without a default user gets Redis's (on, nopass, everything).
   */
  load(file = this.file): void {
    if (file === null) throw new AclError("ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.");
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new AclError(`ERR Error loading ACLs, opening file '${file}': ${(e as Error).message}`);
    }
    const loaded = this.parseFile(text, file);
    for (const [name, old] of this.users) {
      const fresh = loaded.get(name);
      if (fresh === undefined && name !== "default") {
        this.users.delete(name);
        this.closeSessionsOf(old, `user '${name}' was removed by ACL LOAD`);
      }
    }
    for (const [name, fresh] of loaded) {
      const old = this.users.get(name);
      if (old === undefined) this.users.set(name, fresh);
      else {
        old.copyFrom(fresh);
        this.revalidate(old);
      }
    }
    if (!loaded.has("default")) Acl.resetDefault(this.defaultUser);
    if (this.requirepass !== null) this.setRequirepass(this.requirepass);
  }

  /** ACL SAVE: every user as a line, written to a temporary file then renamed over the old one. */
  save(): void {
    if (this.file === null) throw new AclError("ERR There is no ACL file to save to");
    const text = [...this.users.values()].map((u) => u.describe()).join("\n") + "\n";
    const tmp = `${this.file}.tmp-${process.pid}`;
    try {
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (e) {
      throw new AclError(`ERR There was an error trying to save the ACLs. Please check the server logs for more information (${(e as Error).message})`);
    }
  }

  private sessionsOf(u: User): Session[] {
    const out: Session[] = [];
    for (const s of this.state.sessions.values()) if (s.user === u) out.push(s);
    return out;
  }

  private closeSessionsOf(u: User, reason: string): void {
    for (const s of this.sessionsOf(u)) s.close(reason);
  }

  /**
   * After a user's rules change: a connection subscribed to channels it may no longer use is
   * closed, as Redis 7 does; watches re-check their keys through the user's version.
   */
  revalidate(u: User): void {
    for (const s of this.sessionsOf(u)) {
      const subs = s.subscriptions;
      let denied = false;
      if (subs !== undefined) {
        for (const c of subs.channels) if (!u.selectors.some((sel) => sel.canAccessChannel(c, false))) denied = true;
        for (const p of subs.patterns) if (!u.selectors.some((sel) => sel.canAccessChannel(p, true))) denied = true;
      }
      if (denied || s.aclChanged?.() === false) s.close("the user's channel permissions changed");
    }
  }
}

const acls = new WeakMap<ServerState, Acl>();

export function aclOf(state: ServerState): Acl {
  let a = acls.get(state);
  if (a === undefined) acls.set(state, (a = new Acl(state)));
  return a;
}
