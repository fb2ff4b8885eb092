// Settings of authentication and ACLs, with Redis's names: requirepass, aclfile, acllog-max-len.

import { defineSetting, SettingError } from "../config.js";
import { hashPassword, parseHash } from "../auth/passwords.js";
import { aclOf } from "./acl.js";

/**
 * requirepass: the default user's password. keycast keeps no cleartext: the value is hashed as
 * it is parsed, and CONFIG GET shows the stored hash ("" while the default user needs no password).
 */
export const REQUIREPASS = defineSetting<string>({
  name: "requirepass",
  defaultValue: "",
  help: "password of the default user (stored hashed); empty = none",
  // A hash (what CONFIG GET shows, and CONFIG REWRITE writes back) is taken as it is.
  parse: (raw) => (raw === "" ? "" : raw.startsWith("#") && parseHash(raw.slice(1)) !== null ? raw : `#${hashPassword(raw).text}`),
  format: (v) => v,
  read(state) {
    const u = aclOf(state).defaultUser;
    return u.nopass || u.passwords.length === 0 ? "" : `#${u.passwords[0]!.text}`;
  },
  apply(state, value) {
    aclOf(state).setRequirepass(value);
  },
});

/** aclfile: where users are loaded from at start and by ACL LOAD, and saved by ACL SAVE. */
export const ACLFILE = defineSetting<string>({
  name: "aclfile",
  defaultValue: "",
  help: "file of ACL users in Redis's format, loaded at start and by ACL LOAD, written by ACL SAVE",
  parse: (raw) => raw,
  format: (v) => v,
  immutable: true,
  read: (state) => aclOf(state).file ?? "",
  // Loaded by startServer once every setting is in (server/auth/setup.ts).
  apply(state, file) {
    aclOf(state).file = file === "" ? null : file;
  },
});

export const ACLLOG_MAX_LEN = defineSetting<number>({
  name: "acllog-max-len",
  defaultValue: 128,
  help: "entries kept by ACL LOG",
  parse(raw) {
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new SettingError("argument couldn't be parsed into an integer");
    if (n > 2147483647) throw new SettingError("argument must be between 0 and 2147483647 inclusive");
    return n;
  },
  format: String,
  read: (state) => aclOf(state).log.maxLen,
  apply(state, n) {
    aclOf(state).log.maxLen = n;
  },
});
