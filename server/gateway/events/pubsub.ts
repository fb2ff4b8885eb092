// Pub/sub through a gateway: a WebSocket SUBSCRIBE becomes a SUBSCRIBE on one backend
// connection of this gateway (counted per channel, so a channel is subscribed once however many
// clients want it), and each backend message goes to the local subscribers of that channel or
// pattern only. PUBLISH is an ordinary command, forwarded to the backend. On a cluster,
// PUBLISH reaches every node, so one connection to any master hears every channel.

import { bufferToBytes, bytesToText } from "../../bytes.js";
import type { Subscriber } from "../../pubsub.js";
import type { Backend, NodeClient } from "../backend.js";

type Kind = "channel" | "pattern";

interface Entry {
  readonly subs: Set<Subscriber>;
  /** Resolves once the backend confirmed the subscription. */
  ready: Promise<void>;
  readonly listener: (message: Buffer, channel: Buffer) => void;
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
      const listener = (message: Buffer, channel: Buffer): void => {
        const ch = bufferToBytes(channel);
        const msg = bufferToBytes(message);
        for (const s of subs) s.onMessage(ch, msg, pattern);
      };
      const entry: Entry = { subs, listener, ready: Promise.resolve() };
      map.set(name, entry);
      entry.ready = (async () => {
        const c = await this.connection();
        // node-redis takes names as text: a name that is not valid UTF-8 does not round-trip.
        if (kind === "channel") await c.subscribe(bytesToText(name), listener, true);
        else await c.pSubscribe(bytesToText(name), listener, true);
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
      .then((c) => (kind === "channel" ? c?.unsubscribe(bytesToText(name), e.listener, true) : c?.pUnsubscribe(bytesToText(name), e.listener, true)))
      .catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.conn;
    this.conn = null;
    if (c !== null) await c.then((x) => x.destroy(), () => {});
  }
}
