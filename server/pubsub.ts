// Pub/sub channels and patterns, shared by both transports: PUBLISH from anywhere reaches
// RESP subscribers and WebSocket subscriptions alike.

import { compileGlob } from "./keyspace/glob.js";

/** One receiver: a RESP connection, or one WebSocket subscription. */
export interface Subscriber {
  onMessage(channel: string, message: string, pattern: string | null): void;
}

interface PatternEntry {
  readonly match: (channel: string) => boolean;
  readonly subs: Set<Subscriber>;
}

export class PubSub {
  private readonly channels = new Map<string, Set<Subscriber>>();
  private readonly patterns = new Map<string, PatternEntry>();

  /** True when the subscriber was not subscribed to the channel yet. */
  subscribe(sub: Subscriber, channel: string): boolean {
    let subs = this.channels.get(channel);
    if (!subs) this.channels.set(channel, (subs = new Set()));
    const before = subs.size;
    subs.add(sub);
    return subs.size !== before;
  }

  unsubscribe(sub: Subscriber, channel: string): boolean {
    const subs = this.channels.get(channel);
    if (!subs || !subs.delete(sub)) return false;
    if (subs.size === 0) this.channels.delete(channel);
    return true;
  }

  psubscribe(sub: Subscriber, pattern: string): boolean {
    let entry = this.patterns.get(pattern);
    if (!entry) this.patterns.set(pattern, (entry = { match: compileGlob(pattern), subs: new Set() }));
    const before = entry.subs.size;
    entry.subs.add(sub);
    return entry.subs.size !== before;
  }

  punsubscribe(sub: Subscriber, pattern: string): boolean {
    const entry = this.patterns.get(pattern);
    if (!entry || !entry.subs.delete(sub)) return false;
    if (entry.subs.size === 0) this.patterns.delete(pattern);
    return true;
  }

  /** Delivers a message; returns how many receivers got it (PUBLISH's reply). */
  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs) {
      for (const s of subs) s.onMessage(channel, message, null);
      n += subs.size;
    }
    if (this.patterns.size !== 0) {
      for (const [pattern, entry] of this.patterns) {
        if (!entry.match(channel)) continue;
        for (const s of entry.subs) s.onMessage(channel, message, pattern);
        n += entry.subs.size;
      }
    }
    return n;
  }

  /** True when someone would receive a message on this channel (skips building it otherwise). */
  hasReceivers(): boolean {
    return this.channels.size !== 0 || this.patterns.size !== 0;
  }

  /** Active channels, optionally matching a pattern (PUBSUB CHANNELS). */
  activeChannels(pattern?: string): string[] {
    const match = pattern === undefined ? null : compileGlob(pattern);
    return [...this.channels.keys()].filter((c) => match === null || match(c));
  }

  numsub(channel: string): number {
    return this.channels.get(channel)?.size ?? 0;
  }

  /** Number of patterns with subscribers (PUBSUB NUMPAT). */
  numpat(): number {
    return this.patterns.size;
  }
}
