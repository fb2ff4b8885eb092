// `keycast` on the command line: settings from a config file, the environment and flags
// (server/config-file.ts), structured logs, and a graceful stop on SIGTERM/SIGINT or SHUTDOWN:
// stop accepting, 1001 to WebSocket clients, finish what is in flight, persist, exit 0.

import { configOf, findSetting } from "./config.js";
import { checkSettings, ConfigError, loadConfig, settingsHelp, type LoadedConfig, type RawSetting } from "./config-file.js";
import { DEFAULTS, ListenError, startServer, type ServerOptions } from "./index.js";
import { createLogger, type LogFormat } from "./observability/logger.js";
import { RecoveryError } from "./persistence/manager.js";
import { SHUTDOWN_TIMEOUT } from "./persistence/settings.js";
import { SERVER_VERSION } from "./version.js";

const HELP = `keycast: a Redis-compatible in-memory server that pushes key changes over WebSocket

Usage: keycast [config-file] [options]

Every setting below can be given in a config file (redis.conf's "name value" format),
as an environment variable, or as a flag; flags win over the environment, which wins
over the file. Values with spaces: --save "60 1000" or --save 60 1000.

  --config <file>     read settings from this file (also: the first argument, or KEYCAST_CONFIG)
  --host <addr>       same as --bind
  --port <n>          WebSocket and HTTP port (the ws-port setting; default ${DEFAULTS.port})
  --resp-port <n|off> Redis protocol port (the port setting, as in redis.conf; default ${DEFAULTS.respPort})
  --no-dashboard      do not serve the live dashboard at /dashboard/
  --repair-aof        cut a damaged append-only file at its first bad record and start
  -v, --version       print the version
  -h, --help          show this help

Settings (defaults: WebSocket on ${DEFAULTS.port}, Redis protocol on ${DEFAULTS.respPort}, loopback only, no persistence):
`;

/** Flags that are not settings: they set ServerOptions directly. */
const OPTION_FLAGS: Record<string, (o: ServerOptions) => void> = {
  "--no-dashboard": (o) => void (o.dashboard = false),
};

const PORT_SETTINGS = new Set(["port", "ws-port", "http-port"]);

/** The port a port setting names ("off" for none). */
function portValue(raw: RawSetting, name: string): number | "off" {
  const setting = findSetting(name)!;
  try {
    setting.parse(raw.value);
  } catch {
    const flag = raw.source.startsWith("flag ") ? raw.source.slice(5) : name;
    throw new ConfigError(`${flag} needs a port number from 0 to 65535, got '${raw.value}' (${raw.source})`);
  }
  return raw.value === "off" ? "off" : Number(raw.value);
}

/** Server options from a loaded configuration: listeners as options, the rest as settings. */
export function toServerOptions(loaded: LoadedConfig, extra: ServerOptions = {}): ServerOptions {
  const options: ServerOptions = { ...extra };
  const settings = new Map(loaded.settings);
  for (const name of PORT_SETTINGS) {
    const raw = settings.get(name);
    if (raw !== undefined) portValue(raw, name);
  }
  checkSettings(settings);
  const bind = settings.get("bind");
  if (bind !== undefined) options.host = bind.value.trim();
  const ws = settings.get("ws-port");
  if (ws !== undefined) options.port = Number(ws.value);
  const resp = settings.get("port");
  if (resp !== undefined) options.respPort = resp.value === "off" ? "off" : Number(resp.value);
  for (const name of ["bind", "ws-port", "port"]) settings.delete(name);
  if (settings.size > 0) options.settings = settings;
  if (loaded.configFile !== null) options.configFile = loaded.configFile;
  if (loaded.repairAof) options.repairAof = true;
  return options;
}

/** The command line (and environment) as server options; "help" or "version" when asked for. */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = {}): ServerOptions | "help" | "version" {
  const extra: ServerOptions = {};
  const rest: string[] = [];
  for (const a of argv) {
    const f = OPTION_FLAGS[a];
    if (f) f(extra);
    else rest.push(a);
  }
  const loaded = loadConfig(rest, env);
  if (loaded.help) return "help";
  if (loaded.version) return "version";
  return toServerOptions(loaded, extra);
}

function settingText(options: ServerOptions, name: string): string | undefined {
  const s = options.settings;
  if (s instanceof Map) return (s as Map<string, RawSetting>).get(name)?.value;
  return (s as Readonly<Record<string, string>> | undefined)?.[name];
}

export async function main(argv: string[]): Promise<void> {
  let options: ServerOptions | "help" | "version";
  try {
    options = parseArgs(argv, process.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`keycast: ${e.message}\n`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(HELP + settingsHelp());
    return;
  }
  if (options === "version") {
    process.stdout.write(`keycast ${SERVER_VERSION}\n`);
    return;
  }
  const logger = createLogger({
    level: settingText(options, "loglevel") ?? "notice",
    format: (settingText(options, "log-format") ?? "auto") as LogFormat,
    file: settingText(options, "logfile") || undefined,
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({ ...options, logger });
  } catch (e) {
    if (e instanceof ListenError || e instanceof ConfigError || e instanceof RecoveryError) {
      logger.fatal(e.message);
      process.stderr.write(`keycast: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const resp = server.state.listeners.resp;
  logger.info(
    { ws: server.url, resp: resp ?? null, http: server.httpPort, pid: process.pid, version: SERVER_VERSION, config: options.configFile ?? null },
    `keycast listening ${server.url}${resp ? ` ${resp}` : ""}`,
  );
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    // The stop is bounded by shutdown-timeout; past it (and a margin for the final save), exit anyway.
    setTimeout(() => {
      logger.error("the shutdown took too long: exiting");
      process.exit(1);
    }, configOf(server.state).get(SHUTDOWN_TIMEOUT) * 1000 + 30_000).unref();
    void server.state.stop?.(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  await server.closed;
  process.exit(0);
}
