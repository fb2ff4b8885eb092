// `keycast-cli --watch <pattern>`: one line per change, as it happens, until interrupted.
// A dropped connection is retried with backoff and the watch resumes where it left off (or
// says "(resync)" when the server cannot replay what was missed); stderr tells of the drop.

import type { WatchMessage } from "../watch.js";
import { formatInline, repr, u8ToBytes } from "./format.js";
import type { CliOptions } from "./options.js";
import { write, type Streams } from "./repl.js";
import { Failure, open } from "./session.js";
import { ReplyError } from "../errors.js";
import type { KeycastClient } from "../client.js";

type Message = WatchMessage<Uint8Array>;

/** `set "metrics:cpu" "73"`: the event, the key, then what the watch asked for (the change or the new value). */
export function formatWatchMessage(m: Message, value: CliOptions["value"]): string {
  if (m.type === "resync") return `(resync) ${m.reason}\n`;
  if (m.type === "snapshot") {
    return `snapshot ${repr(u8ToBytes(m.key))} ${m.keyType} ${formatInline(m.value)}${m.pttl >= 0 ? ` (ttl ${m.pttl} ms)` : ""}\n`;
  }
  let line = `${m.event} ${repr(u8ToBytes(m.key))}`;
  // A full watch shows the value after the change (nil once the key is gone); a delta watch
  // shows the change when the event has one (del, expire and the like carry none).
  if (value === "full") line += ` ${formatInline(m.value)}`;
  else if (value === "delta" && m.delta !== null && m.delta !== undefined) line += ` ${formatInline(m.delta)}`;
  return `${line}\n`;
}

export async function runWatch(io: Streams, options: CliOptions, pattern: string, signal: AbortSignal): Promise<number> {
  let kc: KeycastClient;
  try {
    kc = await open(options.url, { db: options.db, reconnect: { minDelayMs: 100, maxDelayMs: 5000 } });
  } catch (e) {
    await write(io.stderr, `${e instanceof Failure ? e.message : `(error) ${(e as Error).message}`}\n`);
    return 1;
  }
  kc.onState((state, reason) => {
    if (state === "reconnecting") void write(io.stderr, `Connection lost (${reason ?? "closed"}); reconnecting...\n`);
    else if (state === "open") void write(io.stderr, "Reconnected.\n");
  });
  const closed = new Promise<void>((resolve) => kc.onState((s) => s === "closed" && resolve()));
  try {
    await kc.bytes.watch(
      new Uint8Array(Buffer.from(pattern, "utf8")),
      (m) => {
        void write(io.stdout, formatWatchMessage(m, options.value));
      },
      { db: options.db, value: options.value, snapshot: options.snapshot, ...(options.events ? { events: options.events } : {}) },
    );
  } catch (e) {
    await write(io.stderr, `(error) ${e instanceof ReplyError ? e.message : (e as Error).message}\n`);
    await kc.close();
    return 1;
  }
  const interrupted = new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  await Promise.race([interrupted, closed]);
  const wasInterrupted = signal.aborted;
  await kc.close();
  return wasInterrupted ? 0 : 1;
}
