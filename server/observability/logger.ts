// Structured logs with pino: one JSON object per line (time, level, msg, fields), for log
// shippers; on a terminal the same records as readable lines. Levels take Redis's loglevel
// names (debug, verbose, notice, warning, nothing) as well as pino's.

import fs from "node:fs";
import pino, { type DestinationStream, type Level, type Logger } from "pino";

export type { Logger };

export type LogFormat = "auto" | "json" | "pretty";

/** Redis's loglevel words, and pino's, to pino's levels. */
const LEVELS: Record<string, Level | "silent"> = {
  debug: "debug",
  verbose: "debug",
  notice: "info",
  warning: "warn",
  nothing: "silent",
  trace: "trace",
  info: "info",
  warn: "warn",
  error: "error",
  fatal: "fatal",
  silent: "silent",
};

export const LOG_LEVEL_NAMES = Object.keys(LEVELS);

export function pinoLevel(name: string): Level | "silent" | undefined {
  return LEVELS[name.toLowerCase()];
}

export interface LoggerOptions {
  /** Redis or pino level name. Default notice (pino's info). */
  level?: string;
  format?: LogFormat;
  /** A file to append to; empty or undefined for stdout. */
  file?: string;
  /** Where to write instead of stdout or a file (tests). */
  stream?: DestinationStream;
  /** Write to stderr instead of stdout (an embedded server leaves stdout to its host). */
  stderr?: boolean;
}

const LABELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const COLORS: Record<number, string> = { 10: "\x1b[90m", 20: "\x1b[36m", 30: "\x1b[32m", 40: "\x1b[33m", 50: "\x1b[31m", 60: "\x1b[35m" };

/** Turns pino's JSON lines into `HH:MM:SS.mmm LEVEL message key=value ...` for people. */
function prettyStream(out: { write(s: string): unknown }, color: boolean): DestinationStream {
  return {
    write(line: string) {
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const { level, time, msg, pid: _pid, hostname: _host, ...rest } = rec;
      const n = typeof level === "number" ? level : 30;
      const t = new Date(typeof time === "number" ? time : Date.now()).toISOString().slice(11, 23);
      const label = (LABELS[n] ?? String(level)).padEnd(5);
      let extra = "";
      for (const [k, v] of Object.entries(rest)) {
        if (k === "err" && v && typeof v === "object" && "stack" in v) extra += `\n${String((v as { stack: unknown }).stack)}`;
        else extra += ` ${k}=${typeof v === "string" ? v : JSON.stringify(v)}`;
      }
      const head = color ? `${COLORS[n] ?? ""}${label}\x1b[0m` : label;
      out.write(`${t} ${head} ${String(msg ?? "")}${extra}\n`);
    },
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = pinoLevel(options.level ?? "notice") ?? "info";
  let dest: DestinationStream;
  if (options.stream) dest = options.format === "pretty" ? prettyStream(options.stream, false) : options.stream;
  else if (options.file) {
    // Synchronous appends: a fatal message written just before exit must reach the file.
    const fd = fs.openSync(options.file, "a");
    const file = { write: (s: string) => void fs.writeSync(fd, s) };
    dest = options.format === "pretty" ? prettyStream(file, false) : file;
  } else {
    const out = options.stderr ? process.stderr : process.stdout;
    const tty = out.isTTY === true;
    const pretty = options.format === "pretty" || (options.format !== "json" && tty);
    dest = pretty ? prettyStream(out, tty) : { write: (s: string) => void out.write(s) };
  }
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.epochTime }, dest);
}

/** A logger that drops everything (embedded servers that did not ask for logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
