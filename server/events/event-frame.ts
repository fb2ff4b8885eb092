// The bytes of an EVENT frame: [3, [watchId, seq, ...], db, key, event, offset, time, delta,
// value] (docs/protocol.md). An expiry burst or a fan-out encodes one event per change, so the
// generic msgpack encoder's walk over a 9-element array showed up in profiles: the fixed shape
// is written with the transport's msgpack writer instead (the same bytes as msgpackr).

import { FrameType } from "../../shared/protocol.js";
import type { Reply } from "../reply.js";
import * as w from "../encoding/msgpack-writer.js";

/**
 * Everything of an event frame after the watch ids: db, key, event, offset, time, delta and
 * value (null where absent), shared by every connection that gets the event. A Buffer of its
 * own (replays, which are kept before they are sent).
 */
export function encodeEventTail(db: number, key: string, event: string, offset: number, time: number, delta: Reply | undefined, value: Reply | undefined): Buffer {
  writeTail(db, key, event, offset, time, delta, value);
  return w.take();
}

function writeTail(db: number, key: string, event: string, offset: number, time: number, delta: Reply | undefined, value: Reply | undefined): void {
  w.begin();
  w.number(db);
  w.bytes(key);
  w.bytes(event);
  w.number(offset);
  w.number(time);
  w.reply(delta === undefined ? null : delta);
  w.reply(value === undefined ? null : value);
}

// A fan-out encodes each event's tail (one per variant of what it carries, at most four) and
// then one head per connection, all copied into the connections' output at once. Short tails
// live in scratch buffers kept from event to event, and heads in the writer's own: an expiry
// burst of 100,000 events a second allocated two Buffer objects per event for them, and the
// young-generation collections they caused made events late.
/**
 * Tails up to this long are kept in scratch buffers; a longer one gets a Buffer of its own
 * (copied whole into each connection's output, with no view of part of it: see copyBytes).
 */
const SCRATCH_TAIL = 256;
const scratchTails: Buffer[] = [];
/** The tail of each slot for the event being sent: a scratch buffer, or a large tail of its own. */
const tails: (Buffer | undefined)[] = [];

/**
 * Encodes an event's tail into variant slot `slot` (0-3) and returns its length; its bytes
 * are the first that many of tailBytes(slot), valid until the slot's next use. A tail longer
 * than SCRATCH_TAIL gets a Buffer of exactly its length, which the transport may keep.
 */
export function writeEventTail(slot: number, db: number, key: string, event: string, offset: number, time: number, delta: Reply | undefined, value: Reply | undefined): number {
  writeTail(db, key, event, offset, time, delta, value);
  const n = w.written();
  if (n > SCRATCH_TAIL) {
    tails[slot] = w.take();
    return n;
  }
  // One byte more than any short tail: a scratch buffer is never exactly a tail's length.
  const into = (scratchTails[slot] ??= Buffer.allocUnsafe(SCRATCH_TAIL + 1));
  w.copyBytes(w.scratch(), 0, into, 0, n);
  tails[slot] = into;
  return n;
}

export function tailBytes(slot: number): Buffer {
  return tails[slot]!;
}

/** After a fan-out: a large tail is not kept alive until its slot's next use. */
export function releaseTails(): void {
  for (let i = 0; i < tails.length; i++) if (tails[i] !== scratchTails[i]) tails[i] = scratchTails[i];
}

/**
 * Encodes the start of an EVENT frame for one connection (the 9-element array header, the
 * type and [watchId, seq, ...]; the tail follows) and returns its length. Its bytes are the
 * first that many of headBytes(), valid until the next encoding.
 */
export function writeEventHead(ids: readonly number[], count: number): number {
  w.begin();
  w.byte(0x99);
  w.byte(FrameType.EVENT);
  w.arrayHeader(count);
  for (let i = 0; i < count; i++) w.number(ids[i]!);
  return w.written();
}

export function headBytes(): Buffer {
  return w.scratch();
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
