// Pub/sub through a gateway: a WebSocket SUBSCRIBE becomes a SUBSCRIBE on one backend
// connection of this gateway (counted per channel, so a channel is subscribed once however many
// clients want it), and each backend message goes to the local subscribers of that channel or
// pattern only. PUBLISH is an ordinary command, forwarded to the backend. On a cluster,
// PUBLISH reaches every node, so one connection to any master hears every channel; when that
// node goes away (a failover, a node stopped), the relay moves to another master that answers
// and subscribes everything again there.
//
// node-redis takes channel and pattern names as text (and files its listeners under the
// message's name decoded as UTF-8), so a name whose bytes are not valid UTF-8 would not
// round-trip. Such a name is subscribed as an ASCII pattern that covers it (a channel: its
// bytes, glob characters escaped and each non-ASCII byte a `?`; a pattern: `*`), and only the
// messages whose channel is exactly that name, or matches that pattern, are delivered.

import { bufferToBytes, bytesToText, textToBytes } from "../../bytes.js";
import { compileGlob } from "../../keyspace/glob.js";
import type { Subscriber } from "../../pubsub.js";
import type { Backend, NodeClient } from "../backend.js";

type Kind = "channel" | "pattern";

interface Entry {
  readonly subs: Set<Subscriber>;
  /** Resolves once the backend confirmed the subscription. */
  ready: Promise<void>;
  readonly listener: (message: Buffer, channel: Buffer) => void;
  /** What is subscribed on the backend (see above): the name itself, or an ASCII pattern covering it. */
  readonly backend: { kind: Kind; name: string };
}

/** A channel name's bytes as a glob that matches exactly them, in ASCII: specials escaped, other bytes `?`. */
function asciiCover(channel: string): string {
  let out = "";
  for (let i = 0; i < channel.length; i++) {
    const c = channel.charCodeAt(i);
    if (c > 0x7f) out += "?";
    else out += c === 0x2a || c === 0x3f || c === 0x5b || c === 0x5d || c === 0x5c ? `\\${channel[i]}` : channel[i];
  }
  return out;
}

/** How a name is subscribed on the backend, and which of the messages that brings are its own. */
function backendName(kind: Kind, name: string): { kind: Kind; name: string; accepts: ((channel: string) => boolean) | null } {
  const text = bytesToText(name);
  if (textToBytes(text) === name) return { kind, name: text, accepts: null };
  if (kind === "channel") return { kind: "pattern", name: asciiCover(name), accepts: (ch) => ch === name };
  const match = compileGlob(name);
  return { kind: "pattern", name: "*", accepts: match };
}

/** How long the relay's cluster node may stay unreachable before the relay moves to another, ms. */
const MOVE_AFTER_MS = 1000;

export class PubSubRelay {
  private conn: Promise<NodeClient> | null = null;
  /** The node the relay listens on now (cluster), and the one it left last. */
  private node: { host: string; port: number } | null = null;
  private moveTimer: NodeJS.Timeout | null = null;
  /** Times the relay moved to another node (for tests and logs). */
  moves = 0;
  private readonly entries = { channel: new Map<string, Entry>(), pattern: new Map<string, Entry>() };
  private closed = false;

  constructor(private readonly backend: Backend) {}

  private connection(): Promise<NodeClient> {
    this.conn ??= (async () => {
      const masters = await this.backend.masters();
      // The first master that answers, the one just left last.
      const left = this.node;
      const order = left === null ? masters : [...masters.filter((m) => m.host !== left.host || m.port !== left.port), ...masters.filter((m) => m.host === left.host && m.port === left.port)];
      let lastError: unknown = new Error("no backend node to subscribe on");
      for (const node of order) {
        try {
          const c = await this.backend.connectNode(node, 0);
          this.node = node;
          c.on("error", () => this.watchNode(c));
          return c;
        } catch (e) {
          lastError = e;
        }
      }
      throw lastError;
    })();
    this.conn.catch(() => (this.conn = null));
    return this.conn;
  }

  /**
   * On a cluster, a node the relay cannot reach for MOVE_AFTER_MS is left for another master,
   * where every subscription is made again. A standalone backend has no other node: node-redis
   * reconnects to it and subscribes again by itself.
   */
  private watchNode(c: NodeClient): void {
    if (!this.backend.spec.cluster || this.moveTimer !== null || this.closed) return;
    this.moveTimer = setTimeout(() => {
      this.moveTimer = null;
      if (c.isReady || this.closed) return;
      void this.move(c);
    }, MOVE_AFTER_MS);
    this.moveTimer.unref();
  }

  private async move(from: NodeClient): Promise<void> {
    const current = this.conn;
    if (current === null || (await current.catch(() => null)) !== from) return;
    this.conn = null;
    this.moves++;
    from.destroy();
    try {
      const c = await this.connection();
      for (const kind of ["channel", "pattern"] as const) {
        for (const e of this.entries[kind].values()) {
          if (e.backend.kind === "channel") await c.subscribe(e.backend.name, e.listener, true);
          else await c.pSubscribe(e.backend.name, e.listener, true);
        }
      }
    } catch {
      // No master answers now: the next subscription, or the next failure, tries again.
    }
  }

  /** `name` is a byte string; resolves once the backend delivers its messages. */
  async subscribe(sub: Subscriber, kind: Kind, name: string): Promise<void> {
    const map = this.entries[kind];
    let e = map.get(name);
    if (e === undefined) {
      const subs = new Set<Subscriber>();
      const pattern = kind === "pattern" ? name : null;
      const { accepts, ...backend } = backendName(kind, name);
      const listener = (message: Buffer, channel: Buffer): void => {
        const ch = bufferToBytes(channel);
        if (accepts !== null && !accepts(ch)) return;
        const msg = bufferToBytes(message);
        for (const s of subs) s.onMessage(ch, msg, pattern);
      };
      const entry: Entry = { subs, listener, backend, ready: Promise.resolve() };
      map.set(name, entry);
      entry.ready = (async () => {
        const c = await this.connection();
        if (backend.kind === "channel") await c.subscribe(backend.name, listener, true);
        else await c.pSubscribe(backend.name, listener, true);
      })();
      entry.ready.catch(() => {
        if (map.get(name) === entry) map.delete(name);
      });
      e = entry;
    }
    e.subs.add(sub);
    await e.ready;
  }

  unsubscribe(sub: Subscriber, kind: Kind, name: string): void {
    const map = this.entries[kind];
    const e = map.get(name);
    if (e === undefined || !e.subs.delete(sub) || e.subs.size > 0) return;
    map.delete(name);
    if (this.closed || this.conn === null) return;
    void e.ready
      .then(() => this.conn)
      .then((c) => (e.backend.kind === "channel" ? c?.unsubscribe(e.backend.name, e.listener, true) : c?.pUnsubscribe(e.backend.name, e.listener, true)))
      .catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.moveTimer !== null) clearTimeout(this.moveTimer);
    const c = this.conn;
    this.conn = null;
    if (c !== null) await c.then((x) => x.destroy(), () => {});
  }
}
