// The settings registry behind CONFIG GET / CONFIG SET: each setting keycast honours, with
// Redis's name, default, parsing rules and error texts. Parsed values live per server (so
// two embedded servers do not share them) and are mirrored as text in ServerState.config.
// Another module adds a setting with defineSetting() and reads it with configOf(state).get().

import { formatNotifyFlags, INVALID_CLASS, parseNotifyFlags } from "./events/keyspace-channels.js";
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

function memorySetting(name: string, defaultValue: number, min: number): Setting<number> {
  return defineSetting({
    name,
    defaultValue,
    parse(raw) {
      const n = parseMemory(raw);
      if (n === null) throw new SettingError("argument must be a memory value");
      if (n < min) throw new SettingError(`argument must be between ${min} and ${LLONG_MAX} inclusive`);
      return n;
    },
    format: String,
  });
}

function fixedSetting(name: string, value: string, reason: string): Setting<string> {
  return defineSetting({
    name,
    defaultValue: value,
    parse(raw) {
      if (raw !== value) throw new SettingError(reason);
      return raw;
    },
    format: (v) => v,
  });
}

/** The largest bulk string a client may send (a longer one is a protocol error). */
export const PROTO_MAX_BULK_LEN = memorySetting("proto-max-bulk-len", 512 * 1024 * 1024, 1024 * 1024);
/** The most bytes of unparsed input kept for one client before it is disconnected. */
export const CLIENT_QUERY_BUFFER_LIMIT = memorySetting("client-query-buffer-limit", 1024 * 1024 * 1024, 1024 * 1024);

/**
 * notify-keyspace-events: the flags live in the keyspace-channels publisher, which reads them
 * on every event; the setting only parses, shows and hands them over.
 */
export const NOTIFY_KEYSPACE_EVENTS = defineSetting<number>({
  name: "notify-keyspace-events",
  defaultValue: 0,
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

// Read by redis-benchmark and other tools at start-up. keycast has no persistence yet, so
// only the values that say so are accepted.
fixedSetting("save", "", "keycast has no persistence yet: only an empty save is accepted");
fixedSetting("appendonly", "no", "keycast has no persistence yet: only 'no' is accepted");

function immutable(name: string, defaultValue: string): Setting<string> {
  return defineSetting({ name, defaultValue, parse: (v) => v, format: (v) => v, immutable: true });
}
export const DATABASES_SETTING = immutable("databases", "16");
/** The RESP port and bind address, filled in by startServer. */
export const PORT = immutable("port", "0");
export const BIND = immutable("bind", "127.0.0.1");

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
