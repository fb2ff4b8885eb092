// Pub/sub through a gateway: a WebSocket SUBSCRIBE becomes a SUBSCRIBE on one backend
// connection of this gateway (counted per channel, so a channel is subscribed once however many
// clients want it), and each backend message goes to the local subscribers of that channel or
// pattern only. PUBLISH is an ordinary command, forwarded to the backend. On a cluster,
// PUBLISH reaches every node, so one connection to any master hears every channel.
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

export class PubSubRelay {
  private conn: Promise<NodeClient> | null = null;
  private readonly entries = { channel: new Map<string, Entry>(), pattern: new Map<string, Entry>() };
  private closed = false;

  constructor(private readonly backend: Backend) {}

  private connection(): Promise<NodeClient> {
    this.conn ??= (async () => {
      const node = (await this.backend.masters())[0]!;
      const c = await this.backend.connectNode(node, 0);
      c.on("error", () => {});
      return c;
    })();
    this.conn.catch(() => (this.conn = null));
    return this.conn;
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
    const c = this.conn;
    this.conn = null;
    if (c !== null) await c.then((x) => x.destroy(), () => {});
  }
}
