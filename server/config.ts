// The settings registry behind CONFIG GET / CONFIG SET: each setting keycast honours, with
// Redis's name, default, parsing rules and error texts. Parsed values live per server (so
// two embedded servers do not share them) and are mirrored as text in ServerState.config.
// Another module adds a setting with defineSetting() and reads it with configOf(state).get().

import { formatNotifyFlags, INVALID_CLASS, parseNotifyFlags } from "./notify-flags.js";
import type { ServerState } from "./state.js";

export interface Setting<T> {
  /** Lower-case name, as Redis spells it. */
  readonly name: string;
  readonly defaultValue: T;
  /** Parses a CONFIG SET argument; throws a SettingError with Redis's reason text. */
  parse(raw: string): T;
  format(value: T): string;
  /** Set only at start-up (databases, port): CONFIG SET refuses it. */
  readonly immutable?: boolean;
  /** Redis's "protected config" (dir, dbfilename): a config file may set it, CONFIG SET refuses it. */
  readonly protected?: boolean;
  /** One line for `keycast --help` and docs/operations.md. */
  readonly help?: string;
  /** Where the value really lives, when another module owns it. */
  read?(state: ServerState): T;
  /** Hands a new value to the module that uses it. */
  apply?(state: ServerState, value: T): void;
}

/** A rejected value; the message is the reason Redis appends after " - ". */
export class SettingError extends Error {}

const registry = new Map<string, Setting<unknown>>();

export function defineSetting<T>(setting: Setting<T>): Setting<T> {
  registry.set(setting.name, setting as Setting<unknown>);
  return setting;
}

/** Every setting, for CONFIG GET patterns. */
export function allSettings(): IterableIterator<Setting<unknown>> {
  return registry.values();
}

export function findSetting(name: string): Setting<unknown> | undefined {
  return registry.get(name.toLowerCase());
}

const LLONG_MAX = "9223372036854775807";
const MEMORY = /^(\d+)(b|k|kb|m|mb|g|gb)?$/i;
const UNITS: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };

/** Redis's memtoull: a byte count with an optional unit (k = 1000, kb = 1024, ...). */
export function parseMemory(raw: string): number | null {
  const m = MEMORY.exec(raw);
  if (!m) return null;
  const n = Number(m[1]) * UNITS[(m[2] ?? "b").toLowerCase()]!;
  return Number.isSafeInteger(n) ? n : null;
}

export function memorySetting(name: string, defaultValue: number, min: number, help?: string, more: Partial<Setting<number>> = {}): Setting<number> {
  return defineSetting({
    name,
    defaultValue,
    help,
    parse(raw) {
      const n = parseMemory(raw);
      if (n === null) throw new SettingError("argument must be a memory value");
      if (n < min) throw new SettingError(`argument must be between ${min} and ${LLONG_MAX} inclusive`);
      return n;
    },
    format: String,
    ...more,
  });
}

/** An integer setting with Redis's range message. */
export function integerSetting(name: string, defaultValue: number, min: number, max: number, help: string, more: Partial<Setting<number>> = {}): Setting<number> {
  return defineSetting({
    name,
    defaultValue,
    help,
    parse(raw) {
      const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) throw new SettingError("argument couldn't be parsed into an integer");
      if (n < min || n > max) throw new SettingError(`argument must be between ${min} and ${max === Number.MAX_SAFE_INTEGER ? LLONG_MAX : max} inclusive`);
      return n;
    },
    format: String,
    ...more,
  });
}

/** One of a fixed list of words, with Redis's message listing them. */
export function choiceSetting<T extends string>(name: string, defaultValue: T, choices: readonly T[], help: string, more: Partial<Setting<T>> = {}): Setting<T> {
  return defineSetting({
    name,
    defaultValue,
    help,
    parse(raw) {
      const v = raw.toLowerCase() as T;
      if (!choices.includes(v)) throw new SettingError(`argument(s) must be one of the following: ${choices.join(", ")}`);
      return v;
    },
    format: (v) => v,
    ...more,
  });
}

/** yes/no, as Redis spells booleans. */
/** An older name of a setting (Redis 6's "ziplist" names, lua-time-limit) that reads and writes the setting itself. */
export function aliasSetting<T>(name: string, of: Setting<T>): Setting<T> {
  return defineSetting<T>({
    name,
    defaultValue: of.defaultValue,
    parse: (raw) => of.parse(raw),
    format: (v) => of.format(v),
    read: (state) => configOf(state).get(of),
    apply: (state, v) => configOf(state).set(of, v),
    help: `alias of ${of.name}`,
  });
}

export function yesNoSetting(name: string, defaultValue: boolean, help: string, more: Partial<Setting<boolean>> = {}): Setting<boolean> {
  return defineSetting({
    name,
    defaultValue,
    help,
    parse(raw) {
      const v = raw.toLowerCase();
      if (v === "yes") return true;
      if (v === "no") return false;
      throw new SettingError("argument must be 'yes' or 'no'");
    },
    format: (v) => (v ? "yes" : "no"),
    ...more,
  });
}

/** The largest bulk string a client may send (a longer one is a protocol error). */
export const PROTO_MAX_BULK_LEN = memorySetting("proto-max-bulk-len", 512 * 1024 * 1024, 1024 * 1024, "largest bulk string a RESP client may send");
/** The most bytes of unparsed input kept for one client before it is disconnected. */
export const CLIENT_QUERY_BUFFER_LIMIT = memorySetting("client-query-buffer-limit", 1024 * 1024 * 1024, 1024 * 1024, "unparsed input kept for one RESP client before it is disconnected");

/**
 * notify-keyspace-events: the flags live in the keyspace-channels publisher, which reads them
 * on every event; the setting only parses, shows and hands them over.
 */
export const NOTIFY_KEYSPACE_EVENTS = defineSetting<number>({
  name: "notify-keyspace-events",
  defaultValue: 0,
  help: "keyspace notifications published on __keyspace@N__/__keyevent@N__ channels (Redis's flags, e.g. KEA)",
  parse(raw) {
    const flags = parseNotifyFlags(raw);
    if (flags === null) throw new SettingError(INVALID_CLASS);
    return flags;
  },
  format: formatNotifyFlags,
  read: (state) => state.keyspaceChannels.flags,
  apply(state, flags) {
    state.keyspaceChannels.flags = flags;
  },
});

function immutable(name: string, defaultValue: string, help: string): Setting<string> {
  return defineSetting({ name, defaultValue, parse: (v) => v, format: (v) => v, immutable: true, help });
}
export const DATABASES_SETTING = immutable("databases", "16", "number of databases (fixed at 16)");

function portSetting(name: string, defaultValue: string, help: string, extra: readonly string[] = []): Setting<string> {
  return defineSetting({
    name,
    defaultValue,
    immutable: true,
    help,
    parse(raw) {
      if (extra.includes(raw) || (/^\d{1,5}$/.test(raw) && Number(raw) <= 65535)) return raw;
      throw new SettingError(`argument must be a port number from 0 to 65535${extra.map((e) => ` or '${e}'`).join("")}`);
    },
    format: (v) => v,
  });
}

/** The RESP port (Redis's name); startServer shows the port actually bound. "off" disables it. */
export const PORT = portSetting("port", "6380", "Redis protocol (RESP2/RESP3) port; 0 picks a free port, off disables it", ["off"]);
/** The WebSocket (and HTTP) port. */
export const WS_PORT = portSetting("ws-port", "7379", "WebSocket port, also serving HTTP (/healthz, /readyz, /metrics); 0 picks a free port");
/** A separate port for /healthz, /readyz and /metrics; empty serves them on ws-port. */
export const HTTP_PORT = portSetting("http-port", "", "separate port for /healthz, /readyz and /metrics; empty serves them on ws-port", [""]);
export const BIND = defineSetting<string>({
  name: "bind",
  defaultValue: "127.0.0.1",
  immutable: true,
  help: "address both listeners bind (one address; 0.0.0.0 or :: for every interface)",
  parse(raw) {
    const v = raw.trim();
    if (v === "" || /\s/.test(v)) throw new SettingError("keycast binds exactly one address");
    return v;
  },
  format: (v) => v,
});

/** One server's values. */
export class Config {
  private readonly values = new Map<Setting<unknown>, unknown>();

  constructor(private readonly state: ServerState) {}

  get<T>(setting: Setting<T>): T {
    if (setting.read) return setting.read(this.state);
    const v = this.values.get(setting as Setting<unknown>);
    return v === undefined ? setting.defaultValue : (v as T);
  }

  /** Sets a value without CONFIG SET's checks (start-up settings such as the port). */
  set<T>(setting: Setting<T>, value: T): void {
    this.values.set(setting as Setting<unknown>, value);
    this.state.config.set(setting.name, setting.format(value));
    setting.apply?.(this.state, value);
  }

  /** The value as CONFIG GET shows it. */
  text(setting: Setting<unknown>): string {
    return setting.format(this.get(setting));
  }
}

const configs = new WeakMap<ServerState, Config>();

export function configOf(state: ServerState): Config {
  let c = configs.get(state);
  if (c === undefined) configs.set(state, (c = new Config(state)));
  return c;
}
