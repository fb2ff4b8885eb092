// Where settings come from, lowest precedence first: built-in defaults, a config file in
// Redis's `directive value` format (`keycast --config keycast.conf`, or the first argument as
// redis-server takes it), environment variables (KEYCAST_MAXMEMORY_POLICY=allkeys-lru) and
// command-line flags (--maxmemory-policy allkeys-lru). Every setting in the registry
// (server/config.ts) is reachable all three ways under the same name. A bad value stops the
// start with a message naming the setting, the value and where it came from.
//
// CONFIG REWRITE writes the run-time settings back into the file the server started with,
// keeping its comments and order.

import fs from "node:fs";
import path from "node:path";
import { allSettings, configOf, findSetting, SettingError, type Setting } from "./config.js";
import type { ServerState } from "./state.js";
import { tempPathFor, fsyncDir } from "./persistence/files.js";
// Settings defined beside the modules that use them: imported so the registry holds them all.
import "./persistence/settings.js";
import "./eviction/settings.js";
import "./observability/settings.js";
import "./observability/slowlog.js";
// The gateway's settings (backend, backend-cluster) register when server/index.ts loads the
// gateway: it sits above this file.
import { splitArgs } from "../shared/splitargs.js";

/** A setting that cannot be used; the message names it, its value and its source. */
export class ConfigError extends Error {}

export interface RawSetting {
  value: string;
  /** "file keycast.conf:12", "environment KEYCAST_PORT", "flag --port". */
  source: string;
}

export interface LoadedConfig {
  settings: Map<string, RawSetting>;
  configFile: string | null;
  repairAof: boolean;
  help: boolean;
  version: boolean;
}

export const ENV_PREFIX = "KEYCAST_";

export function envName(setting: string): string {
  return ENV_PREFIX + setting.toUpperCase().replace(/-/g, "_");
}

/**
 * Flags whose names differ from their setting's. On the command line `--port` is the
 * WebSocket port and `--resp-port` the Redis protocol port (keycast's interface since the
 * first release); in a config file and the environment, `port` keeps redis.conf's meaning
 * (the Redis protocol port) so that a redis.conf reads as expected, and `ws-port` is the
 * WebSocket port.
 */
const ALIASES: Record<string, string> = { host: "bind", port: "ws-port", "resp-port": "port" };

// ---- the file format ----


/** A value as the file format writes it: bare when it can be, else double-quoted. */
export function quoteValue(v: string): string {
  if (v !== "" && /^[^\s"'\\]+$/.test(v) && /^[\x21-\x7e]+$/.test(v)) return v;
  let out = '"';
  for (const ch of v) {
    const c = ch.charCodeAt(0);
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

interface Directive {
  name: string;
  value: string;
  /** 0-based line index in its file. */
  line: number;
}

/** The directives of one file's text (without following includes). */
function parseDirectives(text: string, file: string): Directive[] {
  const out: Directive[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const args = splitArgs(trimmed);
    if (args === null) throw new ConfigError(`${file}:${i + 1}: unbalanced quotes in '${trimmed}'`);
    if (args.length === 0) continue;
    const name = args[0]!.toLowerCase();
    if (args.length < 2) throw new ConfigError(`${file}:${i + 1}: '${args[0]}' needs a value (write ${args[0]} "" for an empty one)`);
    out.push({ name, value: args.slice(1).join(" "), line: i });
  }
  return out;
}

function readFileSettings(file: string, into: Map<string, RawSetting>, depth = 0): void {
  if (depth > 8) throw new ConfigError(`${file}: include nested too deeply`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read the config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const d of parseDirectives(text, file)) {
    const where = `${file}:${d.line + 1}`;
    if (d.name === "include") {
      readFileSettings(path.resolve(path.dirname(file), d.value), into, depth + 1);
      continue;
    }
    const s = findSetting(d.name);
    if (s === undefined) throw new ConfigError(`${where}: unknown setting '${d.name}' (keycast --help lists them)`);
    const prev = into.get(s.name);
    // As in Redis, save lines add rules (save "" clears them); any other directive: the last wins.
    const value = s.name === "save" && prev?.source.startsWith("file ") && d.value !== "" ? `${prev.value} ${d.value}`.trim() : d.value;
    into.set(s.name, { value, source: `file ${where}` });
  }
}

// ---- flags and environment ----

/** Reads the command line and the environment into raw settings (not yet checked). */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const out: LoadedConfig = { settings: new Map(), configFile: null, repairAof: false, help: false, version: false };
  const flags: [string, RawSetting][] = [];
  let i = 0;
  if (argv[0] !== undefined && !argv[0].startsWith("-")) out.configFile = argv[i++]!;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") {
      out.help = true;
      continue;
    }
    if (arg === "-v" || arg === "--version") {
      out.version = true;
      continue;
    }
    if (arg === "--repair-aof") {
      out.repairAof = true;
      continue;
    }
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument '${arg}' (see keycast --help)`);
    const eq = arg.indexOf("=");
    const flag = (eq < 0 ? arg.slice(2) : arg.slice(2, eq)).toLowerCase();
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      // Redis's way: every word up to the next --flag is the value (--save 60 1000).
      const words: string[] = [];
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith("--")) words.push(argv[++i]!);
      if (words.length === 0) throw new ConfigError(`--${flag} needs a value`);
      value = words.join(" ");
    }
    if (flag === "config") {
      out.configFile = value;
      continue;
    }
    const name = ALIASES[flag] ?? flag;
    const s = findSetting(name);
    if (s === undefined) throw new ConfigError(`unknown option '--${flag}' (see keycast --help)`);
    flags.push([s.name, { value, source: `flag --${flag}` }]);
  }
  out.configFile ??= env[`${ENV_PREFIX}CONFIG`] || null;
  if (out.configFile !== null) {
    out.configFile = path.resolve(out.configFile);
    readFileSettings(out.configFile, out.settings);
  }
  for (const s of allSettings()) {
    const v = env[envName(s.name)];
    if (v !== undefined) out.settings.set(s.name, { value: v, source: `environment ${envName(s.name)}` });
  }
  for (const [name, raw] of flags) out.settings.set(name, raw);
  return out;
}

/** Parses one raw value; a ConfigError names the setting, the value and its source. */
export function parseSetting(setting: Setting<unknown>, raw: RawSetting): unknown {
  try {
    return setting.parse(raw.value);
  } catch (e) {
    if (e instanceof SettingError) throw new ConfigError(`invalid value '${raw.value}' for ${setting.name} (${raw.source}): ${e.message}`);
    throw e;
  }
}

/** Checks every raw setting; throws the first error. */
export function checkSettings(settings: ReadonlyMap<string, RawSetting>): void {
  for (const [name, raw] of settings) {
    const s = findSetting(name);
    if (s === undefined) throw new ConfigError(`unknown setting '${name}' (${raw.source})`);
    parseSetting(s, raw);
  }
}

/** Puts raw settings into a server's configuration (at start: immutable ones included). */
export function applySettings(state: ServerState, settings: ReadonlyMap<string, RawSetting> | Readonly<Record<string, string>>): void {
  const config = configOf(state);
  const entries: [string, RawSetting][] =
    settings instanceof Map ? [...settings] : Object.entries(settings).map(([k, v]) => [k, { value: v, source: "startServer settings" }]);
  const parsed: [Setting<unknown>, unknown][] = [];
  for (const [name, raw] of entries) {
    const s = findSetting(name);
    if (s === undefined) throw new ConfigError(`unknown setting '${name}' (${raw.source})`);
    parsed.push([s, parseSetting(s, raw)]);
  }
  for (const [s, v] of parsed) config.set(s, v);
}

// ---- --help ----

export function settingsHelp(): string {
  const rows = [...allSettings()].sort((a, b) => a.name.localeCompare(b.name));
  let out = "";
  for (const s of rows) {
    const def = s.format(s.defaultValue);
    const notes = [s.immutable ? "start-up only" : "", s.protected ? "not by CONFIG SET" : ""].filter(Boolean).join(", ");
    out += `  --${s.name} <value>\n      ${s.help ?? "(no description)"}\n      default: ${def === "" ? '""' : def}; env ${envName(s.name)}${notes ? `; ${notes}` : ""}\n`;
  }
  return out;
}

// ---- CONFIG REWRITE ----

function directiveLine(s: Setting<unknown>, value: string): string {
  // save's rules are words, as people write them: save 3600 1 300 100
  if (s.name === "save" && /^\d+( \d+)*$/.test(value)) return `save ${value}`;
  return `${s.name} ${quoteValue(value)}`;
}

/**
 * Writes the current run-time settings into the config file: a directive already there is
 * updated in place (later repeats of it are dropped), a changed one not there is appended;
 * comments, order and start-up-only settings are left as they were. Written to a temporary
 * file and renamed, so a crash leaves either the old file or the new one.
 */
export function rewriteConfigFile(state: ServerState): void {
  const file = state.configFile;
  if (file === null) throw new ConfigError("ERR The server is running without a config file");
  const config = configOf(state);
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const lines = text === "" ? [] : text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const seen = new Set<string>();
  const drop = new Set<number>();
  for (const d of parseDirectives(lines.join("\n"), file)) {
    const s = findSetting(d.name);
    if (s === undefined || s.immutable || s.protected) continue;
    if (seen.has(s.name)) {
      drop.add(d.line);
      continue;
    }
    seen.add(s.name);
    lines[d.line] = directiveLine(s, config.text(s));
  }
  const added: string[] = [];
  for (const s of allSettings()) {
    if (s.immutable || s.protected || seen.has(s.name)) continue;
    const current = config.text(s);
    if (current === s.format(s.defaultValue)) continue;
    added.push(directiveLine(s, current));
  }
  let out = lines.filter((_, i) => !drop.has(i));
  if (added.length > 0) out = [...out, "# Generated by CONFIG REWRITE", ...added];
  const temp = tempPathFor(file);
  fs.writeFileSync(temp, `${out.join("\n")}\n`);
  const fd = fs.openSync(temp, "r+");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  fsyncDir(path.dirname(file));
}
