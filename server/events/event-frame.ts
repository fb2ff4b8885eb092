// The bytes of an EVENT frame, written by hand: [3, [watchId, seq, ...], db, key, event,
// offset, time, delta, value] (docs/protocol.md). An expiry burst or a fan-out encodes one
// event per change, so the generic msgpack encoder's walk over a 7-element array showed up in
// profiles; the fixed shape is a few header bytes and two string copies. The bytes are the
// ones msgpackr writes for the same array (test/event-frame.test.ts compares them), so the
// client decodes them with its usual unpacker. Delta and value keep going through msgpackr.

import { Packr } from "msgpackr";
import { FrameType } from "../../shared/protocol.js";
import type { Reply } from "../reply.js";
import { replyToWire } from "../transports/msgpack-replies.js";

const packr = new Packr({ useRecords: false, variableMapSize: true });

let scratch = Buffer.allocUnsafe(64 * 1024);

/** Room for `n` more bytes after `at` in the scratch buffer (which may be replaced). */
function room(at: number, n: number): void {
  if (at + n <= scratch.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + n));
  scratch.copy(bigger, 0, 0, at);
  scratch = bigger;
}

/** A non-negative integer as msgpackr writes it (float64 past 32 bits). */
function writeUint(n: number, at: number): number {
  const b = scratch;
  if (n < 128) b[at++] = n;
  else if (n < 256) {
    b[at++] = 0xcc;
    b[at++] = n;
  } else if (n < 65536) {
    b[at++] = 0xcd;
    b.writeUInt16BE(n, at);
    at += 2;
  } else if (n < 2 ** 32) {
    b[at++] = 0xce;
    b.writeUInt32BE(n, at);
    at += 4;
  } else {
    b[at++] = 0xcb;
    b.writeDoubleBE(n, at);
    at += 8;
  }
  return at;
}

/** A byte string: msgpack str when it is ASCII (text as is), bin otherwise, as replyToWire decides. */
function writeBytes(s: string, at: number): number {
  const n = s.length;
  room(at, n + 5);
  let ascii = true;
  for (let i = 0; i < n; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  const b = scratch;
  if (ascii) {
    if (n < 32) b[at++] = 0xa0 | n;
    else if (n < 256) {
      b[at++] = 0xd9;
      b[at++] = n;
    } else if (n < 65536) {
      b[at++] = 0xda;
      b.writeUInt16BE(n, at);
      at += 2;
    } else {
      b[at++] = 0xdb;
      b.writeUInt32BE(n, at);
      at += 4;
    }
  } else if (n < 256) {
    b[at++] = 0xc4;
    b[at++] = n;
  } else if (n < 65536) {
    b[at++] = 0xc5;
    b.writeUInt16BE(n, at);
    at += 2;
  } else {
    b[at++] = 0xc6;
    b.writeUInt32BE(n, at);
    at += 4;
  }
  return at + b.write(s, at, n, "latin1");
}

function writeReply(r: Reply | undefined, at: number): number {
  if (r === undefined || r === null) {
    scratch[at] = 0xc0;
    return at + 1;
  }
  const packed = packr.pack(replyToWire(r));
  room(at, packed.length);
  packed.copy(scratch, at);
  return at + packed.length;
}

/**
 * Everything of an event frame after the watch ids: db, key, event, offset, time, delta and
 * value (null where absent), shared by every connection that gets the event.
 */
export function encodeEventTail(db: number, key: string, event: string, offset: number, time: number, delta: Reply | undefined, value: Reply | undefined): Buffer {
  room(0, 32);
  let at = writeUint(db, 0);
  at = writeBytes(key, at);
  at = writeBytes(event, at);
  room(at, 18);
  at = writeUint(offset, at);
  scratch[at++] = 0xcb;
  scratch.writeDoubleBE(time, at);
  at += 8;
  at = writeReply(delta, at);
  at = writeReply(value, at);
  return Buffer.from(scratch.subarray(0, at));
}

/** A whole EVENT frame: the 9-element array header, the type, [watchId, seq, ...] and the tail. */
export function eventFrame(ids: readonly number[], tail: Buffer): Buffer {
  const n = ids.length;
  room(0, 3 + n * 9);
  let at = 0;
  const b = scratch;
  b[at++] = 0x99;
  b[at++] = FrameType.EVENT;
  if (n < 16) b[at++] = 0x90 | n;
  else {
    b[at++] = 0xdc;
    b.writeUInt16BE(n, at);
    at += 2;
  }
  for (let i = 0; i < n; i++) at = writeUint(ids[i]!, at);
  const frame = Buffer.allocUnsafe(at + tail.length);
  scratch.copy(frame, 0, 0, at);
  tail.copy(frame, at);
  return frame;
}
