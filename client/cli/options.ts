// keycast-cli's command line: redis-cli's options where they make sense over WebSocket, plus
// --watch. As in redis-cli, options come first and the first word that is not an option starts
// the command, so `keycast-cli SET k -1` passes "-1" to SET.

import type { ValueMode } from "../../shared/protocol.js";

export const DEFAULT_URL = "ws://127.0.0.1:7379";

export interface CliOptions {
  url: string;
  db: number;
  /** "standard" (redis-cli on a terminal), "raw"; null: decided by whether stdout is a terminal. */
  output: "standard" | "raw" | null;
  /** -e: a failed command makes a one-shot run exit with 1. */
  errorExit: boolean;
  /** -r: times to run a one-shot command (negative: forever). */
  repeat: number;
  /** -i: seconds between repeats. */
  intervalMs: number;
  /** -d: between the elements of an array in raw output. */
  itemDelimiter: string;
  /** -D: after each reply in raw output. */
  replyDelimiter: string;
  watch: string | null;
  value: ValueMode;
  events: string[] | null;
  snapshot: boolean;
  /** The command words, as given. */
  command: string[];
  action: "run" | "help" | "version";
}

export const USAGE = `keycast-cli: a redis-cli for keycast, over WebSocket

Usage: keycast-cli [OPTIONS] [cmd [arg [arg ...]]]
  -u <url>           Server URL (default: ${DEFAULT_URL}); ws:// or wss://.
  -h <hostname>      Server hostname, for ws://<hostname>:<port> (default: 127.0.0.1).
  -p <port>          Server port (default: 7379).
  -n <db>            Database number.
  -r <repeat>        Execute specified command N times (-1: forever).
  -i <interval>      When -r is used, waits <interval> seconds per command.
                     It is possible to specify sub-second times like -i 0.1.
  -d <delimiter>     Delimiter between response bulks for raw formatting (default: \\n).
  -D <delimiter>     Delimiter between responses for raw formatting (default: \\n).
  -e                 Return exit error code when command execution fails.
  --raw              Use raw formatting for replies (default when STDOUT is
                     not a tty).
  --no-raw           Force formatted output even when STDOUT is not a tty.
  --watch <pattern>  Stream the changes to keys matching <pattern> (a key or a
                     Redis glob pattern), one line per event, until interrupted.
  --value <mode>     With --watch: none (default), delta (what changed) or full
                     (the key's new value).
  --events <list>    With --watch: only these events, comma-separated (set,del,...).
  --snapshot         With --watch: print the matching keys' current values first.
  --help             Output this help and exit.
  -v, --version      Output version and exit.

Examples:
  keycast-cli                               (interactive prompt)
  keycast-cli -u ws://10.0.0.5:7379 INCR counter
  keycast-cli -n 2 GET mykey
  echo 'SET "a key" "a value"' | keycast-cli
  keycast-cli --watch 'metrics:*' --value full

When no command is given, keycast-cli starts in interactive mode (or, when stdin is
not a terminal, runs the commands it reads from stdin, one per line, quoted like
redis-cli's). Type "help <command>" in interactive mode for a command's summary.
`;

export class UsageError extends Error {}

export function defaultOptions(): CliOptions {
  return {
    url: DEFAULT_URL,
    db: 0,
    output: null,
    errorExit: false,
    repeat: 1,
    intervalMs: 0,
    itemDelimiter: "\n",
    replyDelimiter: "\n",
    watch: null,
    value: "none",
    events: null,
    snapshot: false,
    command: [],
    action: "run",
  };
}

function integer(flag: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`${flag} needs an integer, got '${v}'`);
  return Number(v);
}

export function parseOptions(args: readonly string[]): CliOptions {
  const o = defaultOptions();
  let host: string | null = null;
  let port: string | null = null;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    const hasValue = i + 1 < args.length;
    const next = (): string => args[++i]!;
    if (a === "--help") {
      o.action = "help";
    } else if (a === "-v" || a === "--version") {
      o.action = "version";
    } else if (a === "-u" && hasValue) {
      o.url = next();
    } else if (a === "-h" && hasValue) {
      host = next();
    } else if (a === "-p" && hasValue) {
      port = next();
      if (!/^\d+$/.test(port) || Number(port) > 65535) throw new UsageError(`-p needs a port number, got '${port}'`);
    } else if (a === "-n" && hasValue) {
      o.db = integer("-n", next());
    } else if (a === "-r" && hasValue) {
      o.repeat = integer("-r", next());
    } else if (a === "-i" && hasValue) {
      const s = Number(next());
      if (!Number.isFinite(s) || s < 0) throw new UsageError(`-i needs a number of seconds, got '${args[i]}'`);
      o.intervalMs = s * 1000;
    } else if (a === "-d" && hasValue) {
      o.itemDelimiter = next();
    } else if (a === "-D" && hasValue) {
      o.replyDelimiter = next();
    } else if (a === "-e") {
      o.errorExit = true;
    } else if (a === "--raw") {
      o.output = "raw";
    } else if (a === "--no-raw") {
      o.output = "standard";
    } else if (a === "--watch" && hasValue) {
      o.watch = next();
    } else if (a === "--value" && hasValue) {
      const v = next();
      if (v !== "none" && v !== "delta" && v !== "full") throw new UsageError(`--value is none, delta or full, got '${v}'`);
      o.value = v;
    } else if (a === "--events" && hasValue) {
      o.events = next().split(",").filter((e) => e !== "");
    } else if (a === "--snapshot") {
      o.snapshot = true;
    } else if (a.startsWith("-")) {
      throw new UsageError(`Unrecognized option or bad number of args for: '${a}'`);
    } else {
      break;
    }
  }
  o.command = args.slice(i);
  if (host !== null || port !== null) o.url = `ws://${hostForUrl(host ?? "127.0.0.1")}:${port ?? "7379"}`;
  if (!/^wss?:\/\//i.test(o.url)) throw new UsageError(`-u needs a ws:// or wss:// URL, got '${o.url}'`);
  if (o.watch !== null && o.command.length > 0) throw new UsageError("--watch takes no command");
  return o;
}

function hostForUrl(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
