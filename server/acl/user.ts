// An ACL user: enabled or not, its password hashes (or nopass), a root selector and extra
// selectors. Rules are applied to a copy and committed only when all of them are valid, as
// ACL SETUSER does.

import { BAD_HASH, hashPassword, parseHash, verifyPasswordSync, type PasswordHash } from "../auth/passwords.js";
import { AclRuleError, Selector, SYNTAX } from "./selector.js";

const NO_SUCH_PASSWORD = "The password you are trying to remove from the user does not exist";

export class User {
  enabled = false;
  nopass = false;
  passwords: PasswordHash[] = [];
  /** selectors[0] is the root selector, the one ACL GETUSER shows as commands/keys/channels. */
  selectors: Selector[] = [new Selector()];
  /**
   * True when some selector allows every command on every key and channel: the dispatcher then
   * skips the check entirely. Recomputed on every change.
   */
  unrestricted = false;
  /** Bumped on every change, so caches of what this user may see (watch filters) can tell. */
  version = 0;

  constructor(readonly name: string) {}

  get root(): Selector {
    return this.selectors[0]!;
  }

  /** Applies one rule (or one "(...)" selector); throws AclRuleError with Redis's reason. */
  apply(op: string): void {
    const lower = op.toLowerCase();
    if (lower === "on") this.enabled = true;
    else if (lower === "off") this.enabled = false;
    else if (lower === "nopass") {
      this.nopass = true;
      this.passwords = [];
    } else if (lower === "resetpass") {
      this.nopass = false;
      this.passwords = [];
    } else if (lower === "sanitize-payload" || lower === "skip-sanitize-payload") {
      // keycast has no RESTORE: there is no payload to sanitize. Accepted for Redis ACL files.
    } else if (op[0] === ">") {
      const pw = op.slice(1);
      // Salted hashes cannot be compared: a password given twice is found by checking it.
      if (!this.passwords.some((h) => verifyPasswordSync(h, pw))) this.passwords.push(hashPassword(pw));
      this.nopass = false;
    } else if (op[0] === "#") {
      const h = parseHash(op.slice(1));
      if (h === null) throw new AclRuleError(BAD_HASH);
      if (!this.passwords.some((p) => p.text === h.text)) this.passwords.push(h);
      this.nopass = false;
    } else if (op[0] === "<") {
      const pw = op.slice(1);
      const i = this.passwords.findIndex((h) => verifyPasswordSync(h, pw));
      if (i < 0) throw new AclRuleError(NO_SUCH_PASSWORD);
      this.passwords.splice(i, 1);
    } else if (op[0] === "!") {
      const h = parseHash(op.slice(1));
      if (h === null) throw new AclRuleError(BAD_HASH);
      const i = this.passwords.findIndex((p) => p.text === h.text);
      if (i < 0) throw new AclRuleError(NO_SUCH_PASSWORD);
      this.passwords.splice(i, 1);
    } else if (op[0] === "(" && op[op.length - 1] === ")") {
      const s = new Selector();
      for (const rule of op.slice(1, -1).split(" ")) if (rule !== "") s.apply(rule);
      this.selectors.push(s);
    } else if (lower === "clearselectors") {
      this.selectors.length = 1;
    } else if (lower === "reset") {
      this.passwords = [];
      this.nopass = false;
      this.enabled = false;
      this.selectors = [new Selector()];
    } else if (op[0] === "(") {
      throw new AclRuleError(SYNTAX);
    } else {
      this.root.apply(op);
    }
  }

  /** Recomputes what depends on the rules; call after applying them. */
  changed(): void {
    this.unrestricted = this.selectors.some((s) => s.unrestricted);
    this.version++;
  }

  /** A copy to apply rules to, so that a failing rule leaves the user as it was. */
  clone(): User {
    const u = new User(this.name);
    u.copyFrom(this);
    return u;
  }

  copyFrom(other: User): void {
    this.enabled = other.enabled;
    this.nopass = other.nopass;
    this.passwords = [...other.passwords];
    this.selectors = other.selectors.map((s) => s.clone());
    this.changed();
  }

  /** The user as an ACL file line: `user alice on #... ~cache:* resetchannels -@all +get`. */
  describe(): string {
    const parts = [`user ${this.name}`, this.enabled ? "on" : "off"];
    if (this.nopass) parts.push("nopass");
    for (const h of this.passwords) parts.push(`#${h.text}`);
    parts.push(this.root.describe());
    for (let i = 1; i < this.selectors.length; i++) parts.push(`(${this.selectors[i]!.describe()})`);
    return parts.join(" ");
  }
}

/** Usernames are single words (Redis: no spaces, no null characters). */
export function validUsername(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 32 || c === 0 || (c >= 9 && c <= 13)) return false;
  }
  return true;
}
