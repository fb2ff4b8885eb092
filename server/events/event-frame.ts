// The bytes of an EVENT frame: [3, [watchId, seq, ...], db, key, event, offset, time, delta,
// value] (docs/protocol.md). An expiry burst or a fan-out encodes one event per change, so the
// generic msgpack encoder's walk over a 9-element array showed up in profiles: the fixed shape
// is written with the transport's msgpack writer instead (the same bytes as msgpackr).

import { FrameType } from "../../shared/protocol.js";
import type { Reply } from "../reply.js";
import * as w from "../transports/msgpack-writer.js";

/**
 * Everything of an event frame after the watch ids: db, key, event, offset, time, delta and
 * value (null where absent), shared by every connection that gets the event.
 */
export function encodeEventTail(db: number, key: string, event: string, offset: number, time: number, delta: Reply | undefined, value: Reply | undefined): Buffer {
  w.begin();
  w.number(db);
  w.bytes(key);
  w.bytes(event);
  w.number(offset);
  w.number(time);
  w.reply(delta === undefined ? null : delta);
  w.reply(value === undefined ? null : value);
  return w.take();
}

/**
 * The start of an EVENT frame for one connection: the 9-element array header, the type and
 * [watchId, seq, ...]; the tail follows. A view of the writer's scratch buffer, valid until
 * the next encoding: the fan-out copies it straight into the connection's output.
 */
export function eventHead(ids: readonly number[]): Buffer {
  w.begin();
  w.byte(0x99);
  w.byte(FrameType.EVENT);
  w.arrayHeader(ids.length);
  for (let i = 0; i < ids.length; i++) w.number(ids[i]!);
  return w.view();
}

/** A whole EVENT frame (replays, which are kept before they are sent). */
export function eventFrame(ids: readonly number[], tail: Buffer): Buffer {
  w.begin();
  w.byte(0x99);
  w.byte(FrameType.EVENT);
  w.arrayHeader(ids.length);
  for (let i = 0; i < ids.length; i++) w.number(ids[i]!);
  w.raw(tail);
  return w.take();
}
