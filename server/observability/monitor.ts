// MONITOR: every command run, as one line per command, to the RESP connections that asked,
// in Redis's format: `1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`.

import type { Session } from "../context.js";

/** Writes one line to a monitoring connection; false once that connection is gone. */
export type MonitorSink = (line: string) => boolean;

/** Redis's sdscatrepr: printable ASCII as is, the usual escapes, other bytes as \xHH. */
export function quoteArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += "\\\\";
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? s[i] : `\\x${c.toString(16).padStart(2, "0")}`;
    }
  }
  return `${out}"`;
}

export class Monitors {
  private readonly sinks = new Map<Session, MonitorSink>();

  get size(): number {
    return this.sinks.size;
  }

  add(session: Session, sink: MonitorSink): void {
    this.sinks.set(session, sink);
  }

  remove(session: Session): void {
    this.sinks.delete(session);
  }

  has(session: Session): boolean {
    return this.sinks.has(session);
  }

  /** Sends a command that ran (`startedMs`: performance.now() when it started). */
  feed(session: Session, db: number, argv: readonly string[], startedMs: number): void {
    const us = Math.round((performance.timeOrigin + startedMs) * 1000);
    let line = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, "0")} [${db} ${session.addr}]`;
    for (let i = 0; i < argv.length; i++) line += ` ${quoteArg(argv[i]!)}`;
    for (const [s, sink] of this.sinks) if (!sink(line)) this.sinks.delete(s);
  }
}
