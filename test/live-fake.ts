// A fake host for live views: a model keyspace behind a watch that delivers its events, and
// key reads (probe watches) that the test answers when it chooses, so that events, reads and
// resyncs interleave in every order a real connection can produce.
import type { Connection } from "../client/connection.js";
import { decodeReply } from "../client/decode.js";
import { openLive, type LiveOptions, type LiveView } from "../client/live.js";
import type { Subscriptions, Watch, WatchHooks, WatchMessage, WatchOptions } from "../client/watch.js";
import { Model } from "./live-model.js";

interface Probe {
  key: string;
  handler: (m: WatchMessage<unknown>) => void;
  resolve(w: Watch): void;
}

const unescapeGlob = (p: string): string => p.replace(/\\(.)/g, "$1");

export class FakeServer {
  readonly model = new Model();
  offset = 0;
  probes: Probe[] = [];
  reads = 0;
  private main: { handler: (m: WatchMessage<unknown>) => void; hooks?: WatchHooks } | null = null;

  constructor(
    readonly bytes: boolean,
    /** Sorted sets in snapshots as [[member, score], ...] instead of flat. */
    readonly nested = false,
  ) {}

  private wire(v: unknown): unknown {
    if (!this.bytes) return v;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) v = new Map(Object.entries(v));
    return decodeReply(v, "bytes");
  }

  private snapshotOf(key: string, handler: (m: WatchMessage<unknown>) => void): void {
    const s = this.model.snapshot(key, this.nested);
    if (s) handler({ type: "snapshot", key: this.wire(key), db: 0, keyType: s[0], value: this.wire(s[1]), pttl: s[2] });
  }

  private watchObj(pattern: string): Watch {
    const offset = this.offset;
    return { pattern, position: ["epoch", offset], unwatch: async () => {} };
  }

  readonly subs = {
    watch: (pattern: unknown, handler: (m: WatchMessage<unknown>) => void, options: WatchOptions, _mode: unknown, hooks?: WatchHooks): Promise<Watch> => {
      const p = this.bytes ? Buffer.from(pattern as Uint8Array).toString("latin1") : (pattern as string);
      if (options.value === "delta") {
        this.main = { handler, hooks };
        for (const k of this.model.keys.keys()) this.snapshotOf(k, handler);
        hooks?.started?.();
        return Promise.resolve(this.watchObj(p));
      }
      this.reads++;
      const key = this.bytes ? Buffer.from(unescapeGlob(p), "latin1").toString("utf8") : unescapeGlob(p);
      return new Promise<Watch>((resolve) => this.probes.push({ key, handler, resolve }));
    },
  } as unknown as Subscriptions;

  readonly conn = { state: "open", db: 0, onState: () => () => {} } as unknown as Connection;

  view(options: LiveOptions = {}): LiveView<unknown> {
    return openLive<unknown>({ conn: this.conn, subs: this.subs, mode: this.bytes ? "bytes" : "text" }, "*", options);
  }

  run(cmd: Parameters<Model["run"]>[0]): void {
    for (const [key, event, delta] of this.model.run(cmd)) {
      this.offset++;
      this.main?.handler({ type: "event", key: this.wire(key), db: 0, event, offset: this.offset, seq: this.offset, time: 0, delta: this.wire(delta) });
    }
  }

  /** Answers one pending read with the key's state now. */
  serve(i: number): void {
    const [p] = this.probes.splice(i % this.probes.length, 1);
    if (!p) return;
    this.snapshotOf(p.key, p.handler);
    p.resolve(this.watchObj(p.key));
  }

  /** Events were lost: a resync and a fresh snapshot, as the client's watch delivers them. */
  resync(): void {
    const m = this.main!;
    m.handler({ type: "resync", reason: "test" });
    for (const k of this.model.keys.keys()) this.snapshotOf(k, m.handler);
    m.hooks?.started?.();
  }

  /** Serves every read, including those the answers cause, until none is left. */
  async settle(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 0));
      if (this.probes.length === 0) return;
      while (this.probes.length) this.serve(0);
    }
  }
}

/** A view's value in text form, for comparing a bytes view with the model. */
export function asText(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString("utf8");
  if (Array.isArray(v)) return v.map(asText);
  if (v instanceof Map) {
    const o = Object.create(null) as Record<string, unknown>;
    for (const [k, x] of v) o[asText(k) as string] = asText(x);
    return o;
  }
  if (v !== null && typeof v === "object") {
    const o = Object.getPrototypeOf(v) === null ? (Object.create(null) as Record<string, unknown>) : ({} as Record<string, unknown>);
    for (const [k, x] of Object.entries(v)) o[k] = asText(x);
    return o;
  }
  return v;
}
