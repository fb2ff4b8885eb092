// `keycast` on the command line: parse flags, start the server, print where it listens,
// stop cleanly on SIGINT/SIGTERM.

import { DEFAULTS, ListenError, startServer, type ServerOptions } from "./index.js";

const HELP = `keycast: a Redis-compatible in-memory server that pushes key changes over WebSocket

Usage: keycast [options]

  --host <addr>       address to bind (default ${DEFAULTS.host})
  --port <n>          WebSocket and HTTP port (default ${DEFAULTS.port}; 0 picks a free port)
  --resp-port <n|off> Redis protocol port (default ${DEFAULTS.respPort}; 0 picks a free port; off disables)
  -h, --help          show this help
`;

function parsePort(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !/^\d+$/.test(value) || n > 65535) throw new Error(`${flag} needs a port number from 0 to 65535, got '${value ?? ""}'`);
  return n;
}

export function parseArgs(argv: string[]): ServerOptions | "help" {
  const options: ServerOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "-h":
      case "--help":
        return "help";
      case "--host": {
        const v = value();
        if (!v) throw new Error("--host needs an address");
        options.host = v;
        break;
      }
      case "--port":
        options.port = parsePort("--port", value());
        break;
      case "--resp-port": {
        const v = value();
        options.respPort = v === "off" ? "off" : parsePort("--resp-port", v);
        break;
      }
      default:
        throw new Error(`unknown option '${arg}' (see keycast --help)`);
    }
  }
  return options;
}

export async function main(argv: string[]): Promise<void> {
  let options: ServerOptions | "help";
  try {
    options = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`keycast: ${(e as Error).message}\n`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(HELP);
    return;
  }
  try {
    const server = await startServer(options);
    const resp = server.state.listeners.resp;
    process.stdout.write(`keycast listening ${server.url}${resp ? ` ${resp}` : ""}\n`);
    const stop = () => {
      server.close().then(() => process.exit(0));
      setTimeout(() => process.exit(0), 5000).unref();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  } catch (e) {
    if (e instanceof ListenError) {
      process.stderr.write(`keycast: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
