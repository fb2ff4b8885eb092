// Redis's keyspace notifications as pub/sub messages: with notify-keyspace-events set
// (e.g. "KEA"), every change is published to __keyspace@<db>__:<key> (message: the event)
// and/or __keyevent@<db>__:<event> (message: the key), as Redis does.

import type { Keyspace } from "../keyspace/keyspace.js";
import type { PubSub } from "../pubsub.js";

import { CLASSES, E, EVENT_CLASS, K } from "../notify-flags.js";

export { formatNotifyFlags, INVALID_CLASS, parseNotifyFlags } from "../notify-flags.js";

export class KeyspaceChannels {
  flags = 0;

  constructor(keyspace: Keyspace, private readonly pubsub: PubSub) {
    keyspace.onKeyEvent((db, event, key) => this.onEvent(db, event, key));
  }

  private onEvent(db: number, event: string, key: string): void {
    const flags = this.flags;
    if ((flags & (K | E)) === 0) return;
    if ((flags & (EVENT_CLASS[event] ?? CLASSES.g!)) === 0) return;
    if (!this.pubsub.hasReceivers()) return;
    if (flags & K) this.pubsub.publish(`__keyspace@${db}__:${key}`, event);
    if (flags & E) this.pubsub.publish(`__keyevent@${db}__:${event}`, key);
  }
}
