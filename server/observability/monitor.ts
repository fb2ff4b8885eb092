// MONITOR: every command run, as one line per command, to the RESP connections that asked,
// in Redis's format: `1339518083.107412 [0 127.0.0.1:60866] "keys" "*"`.

import { repr } from "../../shared/repr.js";
import type { Session } from "../context.js";

/** Writes one line to a monitoring connection; false once that connection is gone. */
export type MonitorSink = (line: string) => boolean;

/** Redis's sdscatrepr, as MONITOR quotes each argument. */
export const quoteArg = repr;

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
