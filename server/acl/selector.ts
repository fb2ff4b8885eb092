// One ACL selector: the commands it allows, and the key and channel patterns they may touch,
// with Redis 7's rule syntax (+cmd -cmd +@cat -@cat ~pat %R~pat %W~pat &chan allkeys ...).
// A user has a root selector and any number of extra "(...)" selectors; a command is allowed
// when one selector allows it with all its keys and channels.

import { compileGlob, globMatch } from "../keyspace/glob.js";
import { isCategory } from "./categories.js";
import { commandByRuleName, commandIndex, type AclCommand } from "./commands.js";

export const READ = 1;
export const WRITE = 2;

/** A rule Redis refuses; the message is the reason ACL SETUSER appends. */
export class AclRuleError extends Error {}

export const UNKNOWN_NAME = "Unknown command or category name in ACL";
export const SYNTAX = "Syntax error";
const AFTER_ALLKEYS =
  "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
const AFTER_ALLCHANNELS =
  "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";

export interface KeyPattern {
  readonly pattern: string;
  perm: number;
  readonly match: (key: string) => boolean;
}

function hasSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 0 || (c >= 9 && c <= 13)) return true;
  }
  return false;
}

function patternText(p: KeyPattern): string {
  if (p.perm === (READ | WRITE)) return `~${p.pattern}`;
  return `%${p.perm & READ ? "R" : ""}${p.perm & WRITE ? "W" : ""}~${p.pattern}`;
}

export class Selector {
  /** One byte per command id: 1 = allowed. */
  private allowed: Uint8Array;
  /** Redis's ALLCOMMANDS flag: +@all applied and no command denied since; the check is skipped. */
  allCommands = false;
  /** Redis's "future commands" bit: set by +@all, cleared only by -@all. ACL LIST starts with it. */
  private future = false;
  allKeys = false;
  allChannels = false;
  readonly keys: KeyPattern[] = [];
  readonly channels: string[] = [];
  /**
   * The command rules as given, each at most once, latest last: what ACL LIST shows after
   * "+@all" or "-@all" (Redis 7.2's form, which keeps the operator's wording and order).
   */
  private rules: string[] = [];

  constructor() {
    this.allowed = new Uint8Array(commandIndex().entries.length);
  }

  clone(): Selector {
    const s = new Selector();
    s.allowed = this.allowed.slice();
    s.allCommands = this.allCommands;
    s.future = this.future;
    s.allKeys = this.allKeys;
    s.allChannels = this.allChannels;
    for (const p of this.keys) s.keys.push({ ...p });
    s.channels.push(...this.channels);
    s.rules = [...this.rules];
    return s;
  }

  canRun(id: number): boolean {
    return this.allCommands || this.allowed[id] === 1;
  }

  /** May this selector touch the key with these permissions (READ, WRITE, both, or neither)? */
  canAccessKey(key: string, perm: number): boolean {
    if (this.allKeys) return true;
    for (const p of this.keys) if ((p.perm & perm) === perm && p.match(key)) return true;
    return false;
  }

  /** A channel name, or for PSUBSCRIBE a pattern, which must be one of the patterns literally. */
  canAccessChannel(name: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    for (const p of this.channels) if (isPattern ? p === name : globMatch(p, name)) return true;
    return false;
  }

  /** Applies one rule; throws AclRuleError with Redis's reason when it is not valid. */
  apply(op: string): void {
    const lower = op.toLowerCase();
    if (lower === "allkeys" || op === "~*") {
      this.allKeys = true;
      this.keys.length = 0;
    } else if (lower === "resetkeys") {
      this.allKeys = false;
      this.keys.length = 0;
    } else if (lower === "allchannels" || op === "&*") {
      this.allChannels = true;
      this.channels.length = 0;
    } else if (lower === "resetchannels") {
      this.allChannels = false;
      this.channels.length = 0;
    } else if (lower === "allcommands" || lower === "+@all") {
      this.allowed.fill(1);
      this.allCommands = true;
      this.future = true;
      this.rules = [];
    } else if (lower === "nocommands" || lower === "-@all") {
      this.allowed.fill(0);
      this.allCommands = false;
      this.future = false;
      this.rules = [];
    } else if (op[0] === "~" || op[0] === "%") {
      this.addKeyPattern(op);
    } else if (op[0] === "&") {
      if (this.allChannels) throw new AclRuleError(AFTER_ALLCHANNELS);
      const pattern = op.slice(1);
      if (hasSpace(pattern)) throw new AclRuleError(SYNTAX);
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
    } else if ((op[0] === "+" || op[0] === "-") && op[1] === "@") {
      const category = lower.slice(2);
      if (!isCategory(category)) throw new AclRuleError(UNKNOWN_NAME);
      const allow = op[0] === "+";
      for (const e of commandIndex().entries) {
        if ((e.spec.acl as readonly string[]).includes(`@${category}`)) this.setCommand(e, allow);
      }
      this.addRule(`@${category}`, allow);
    } else if (op[0] === "+" || op[0] === "-") {
      const name = lower.slice(1);
      const entry = commandByRuleName(name);
      // First-argument rules (+select|0) are not supported: only real subcommands.
      if (entry === undefined || name === "") throw new AclRuleError(UNKNOWN_NAME);
      this.setCommand(entry, op[0] === "+");
      this.addRule(entry.lower, op[0] === "+");
    } else {
      throw new AclRuleError(SYNTAX);
    }
  }

  private setCommand(entry: AclCommand, allow: boolean): void {
    const { ids } = commandIndex();
    const v = allow ? 1 : 0;
    this.allowed[ids.get(entry.spec)!] = v;
    if (entry.subs !== null) for (const sub of entry.subs) this.allowed[ids.get(sub.spec)!] = v;
    if (!allow) this.allCommands = false;
  }

  /** Drops earlier rules for the same name (and, for a command, its subcommands), appends this one. */
  private addRule(name: string, allow: boolean): void {
    this.rules = this.rules.filter((r) => {
      const body = r.slice(1);
      return body !== name && !body.startsWith(`${name}|`);
    });
    this.rules.push(`${allow ? "+" : "-"}${name}`);
  }

  private addKeyPattern(op: string): void {
    if (this.allKeys) throw new AclRuleError(AFTER_ALLKEYS);
    let perm = 0;
    let offset = 1;
    if (op[0] === "%") {
      for (; offset < op.length; offset++) {
        const c = op[offset]!.toUpperCase();
        if (c === "R" && !(perm & READ)) perm |= READ;
        else if (c === "W" && !(perm & WRITE)) perm |= WRITE;
        else if (c === "~") {
          offset++;
          break;
        } else throw new AclRuleError(SYNTAX);
      }
      if (perm === 0 || op[offset - 1] !== "~") throw new AclRuleError(SYNTAX);
    } else perm = READ | WRITE;
    const pattern = op.slice(offset);
    if (pattern === "*" && perm === (READ | WRITE)) {
      this.allKeys = true;
      this.keys.length = 0;
      return;
    }
    if (hasSpace(pattern)) throw new AclRuleError(SYNTAX);
    const existing = this.keys.find((p) => p.pattern === pattern);
    if (existing) existing.perm |= perm;
    else this.keys.push({ pattern, perm, match: compileGlob(pattern) });
  }

  /** "+@all -@dangerous" or "-@all +get": the command part of ACL LIST. */
  commandRules(): string {
    const head = this.future ? "+@all" : "-@all";
    return this.rules.length === 0 ? head : `${head} ${this.rules.join(" ")}`;
  }

  keysText(): string {
    return this.allKeys ? "~*" : this.keys.map(patternText).join(" ");
  }

  channelsText(): string {
    return this.allChannels ? "&*" : this.channels.map((c) => `&${c}`).join(" ");
  }

  /** Keys, channels and commands, as ACL LIST writes a selector. */
  describe(): string {
    const parts: string[] = [];
    const keys = this.keysText();
    if (keys !== "") parts.push(keys);
    if (this.allChannels) parts.push("&*");
    else {
      parts.push("resetchannels");
      for (const c of this.channels) parts.push(`&${c}`);
    }
    parts.push(this.commandRules());
    return parts.join(" ");
  }

  /** Allows everything: no check is needed for this selector. */
  get unrestricted(): boolean {
    return this.allCommands && this.allKeys && this.allChannels;
  }
}
