// SLOWLOG: the commands that took longer than slowlog-log-slower-than microseconds, newest
// first, at most slowlog-max-len of them, with Redis's truncation of long argument lists.

import { integerSetting } from "../config.js";
import type { Session } from "../context.js";

export const SLOWLOG_LOG_SLOWER_THAN = integerSetting(
  "slowlog-log-slower-than",
  10000,
  -1,
  Number.MAX_SAFE_INTEGER,
  "log commands slower than this many microseconds in SLOWLOG (0 logs all, -1 none)",
  { read: (state) => state.slowlog.threshold, apply: (state, v) => void (state.slowlog.threshold = v) },
);
export const SLOWLOG_MAX_LEN = integerSetting("slowlog-max-len", 128, 0, Number.MAX_SAFE_INTEGER, "entries SLOWLOG keeps", {
  read: (state) => state.slowlog.maxLen,
  apply: (state, v) => state.slowlog.trim(v),
});

/** Redis keeps this many arguments of a command, the last one saying how many more there were. */
const MAX_ARGC = 32;
/** ...and this many bytes of each argument. */
const MAX_STRING = 128;

export interface SlowEntry {
  readonly id: number;
  /** Unix time in seconds when the command ran. */
  readonly time: number;
  readonly durationUs: number;
  readonly argv: readonly string[];
  readonly addr: string;
  readonly name: string;
}

function trimArgs(argv: readonly string[]): string[] {
  const n = Math.min(argv.length, MAX_ARGC);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (i === MAX_ARGC - 1 && argv.length > MAX_ARGC) {
      out[i] = `... (${argv.length - MAX_ARGC + 1} more arguments)`;
      break;
    }
    const a = argv[i]!;
    out[i] = a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a;
  }
  return out;
}

export class SlowLog {
  private entries: SlowEntry[] = [];
  private nextId = 0;
  /** Microseconds; the dispatcher reads it on every command, so it lives here, not in the config map. */
  threshold = 10000;
  maxLen = 128;

  get length(): number {
    return this.entries.length;
  }

  push(argv: readonly string[], durationUs: number, session: Session): void {
    const maxLen = this.maxLen;
    if (maxLen === 0) return;
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      durationUs: Math.round(durationUs),
      argv: trimArgs(argv),
      addr: session.addr,
      name: session.name ?? "",
    });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  /** The newest `count` entries (all for -1). */
  get(count: number): readonly SlowEntry[] {
    return count < 0 ? this.entries : this.entries.slice(0, count);
  }

  /** Trims to a new maximum (CONFIG SET slowlog-max-len). */
  trim(maxLen: number): void {
    this.maxLen = maxLen;
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
