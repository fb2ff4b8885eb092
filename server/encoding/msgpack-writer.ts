// A msgpack writer for the two hot frames the server sends, batch replies and events, into
// one reused scratch buffer. It writes exactly the bytes msgpackr writes for the same values
// (test/msgpack-writer.test.ts compares them over random replies), so clients decode with
// their usual unpacker; a value it has no fast path for goes through msgpackr itself.
//
// Why by hand: a reply's byte strings are latin1 JS strings that go out as msgpack str when
// ASCII and bin otherwise. Through msgpackr each one is tested with a regex, turned into a
// Buffer when not ASCII, walked as a generic value and encoded as UTF-8; here one loop checks
// and copies it.

import { Packr } from "msgpackr";
import { ErrorReply, NULL_ARRAY, Status, type Reply } from "../reply.js";
import { replyToWire } from "./msgpack-replies.js";

const packr = new Packr({ useRecords: false, variableMapSize: true });
/** Strings shorter than this are checked and copied in JS; longer ones by the engine. */
const SHORT = 64;
const NON_ASCII = /[^\x00-\x7f]/;

const SCRATCH = 64 * 1024;
/** A scratch buffer grown past this by one large reply is not kept for the next. */
const SCRATCH_KEPT = 1024 * 1024;

let buf = Buffer.allocUnsafe(SCRATCH);
/** Write position in the scratch buffer. */
let at = 0;

/** Starts a new value at the beginning of the scratch buffer. */
export function begin(): void {
  at = 0;
  if (buf.length > SCRATCH_KEPT) buf = Buffer.allocUnsafe(SCRATCH);
}

/** Room for `n` more bytes (the scratch buffer may be replaced by a larger one). */
function room(n: number): void {
  if (at + n <= buf.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + n));
  buf.copy(bigger, 0, 0, at);
  buf = bigger;
}

export function byte(b: number): void {
  room(1);
  buf[at++] = b;
}

/** An array header for n elements. */
export function arrayHeader(n: number): void {
  room(5);
  if (n < 16) buf[at++] = 0x90 | n;
  else if (n < 65536) {
    buf[at++] = 0xdc;
    buf.writeUInt16BE(n, at);
    at += 2;
  } else {
    buf[at++] = 0xdd;
    buf.writeUInt32BE(n, at);
    at += 4;
  }
}

/** A number as msgpackr writes it: the smallest integer form up to 32 bits, else float64. */
export function number(n: number): void {
  room(9);
  const b = buf;
  if (Number.isInteger(n) && n >= -2147483648 && n < 4294967296) {
    if (n >= 0) {
      if (n < 128) b[at++] = n;
      else if (n < 256) {
        b[at++] = 0xcc;
        b[at++] = n;
      } else if (n < 65536) {
        b[at++] = 0xcd;
        b.writeUInt16BE(n, at);
        at += 2;
      } else {
        b[at++] = 0xce;
        b.writeUInt32BE(n, at);
        at += 4;
      }
    } else if (n >= -32) b[at++] = 0x100 + n;
    else if (n >= -128) {
      b[at++] = 0xd0;
      b.writeInt8(n, at);
      at += 1;
    } else if (n >= -32768) {
      b[at++] = 0xd1;
      b.writeInt16BE(n, at);
      at += 2;
    } else {
      b[at++] = 0xd2;
      b.writeInt32BE(n, at);
      at += 4;
    }
    return;
  }
  b[at++] = 0xcb;
  b.writeDoubleBE(n, at);
  at += 8;
}

/** A byte string: msgpack str when every byte is ASCII (the text as is), bin otherwise. */
export function bytes(s: string): void {
  const n = s.length;
  room(n + 5);
  const b = buf;
  let ascii = true;
  if (n < SHORT) {
    for (let i = 0; i < n; i++) {
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
  } else ascii = !NON_ASCII.test(s);
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
  if (n < SHORT) {
    for (let i = 0; i < n; i++) b[at + i] = s.charCodeAt(i);
    at += n;
  } else at += b.write(s, at, n, "latin1");
}

/** Any value through msgpackr (the values this writer has no fast path for). */
function generic(v: unknown): void {
  const packed = packr.pack(v);
  room(packed.length);
  packed.copy(buf, at);
  at += packed.length;
}

/** A reply as the WebSocket protocol sends it (the same bytes as msgpackr on replyToWire). */
export function reply(r: Reply): void {
  if (typeof r === "string") return bytes(r);
  if (typeof r === "number") return number(r);
  if (r === null || r === NULL_ARRAY) return byte(0xc0);
  if (Array.isArray(r)) {
    arrayHeader(r.length);
    for (let i = 0; i < r.length; i++) reply(r[i]!);
    return;
  }
  // Status and error texts are text: ASCII ones are their own bytes, others go the long way.
  if (r instanceof Status && !NON_ASCII.test(r.value)) return bytes(r.value);
  if (r instanceof ErrorReply && !NON_ASCII.test(r.message)) return bytes(r.message);
  generic(replyToWire(r));
}

/** A reply that is not a keycast Reply (a frame's plain fields): through msgpackr. */
export function value(v: unknown): void {
  generic(v);
}

/** Bytes already encoded. */
export function raw(b: Buffer): void {
  room(b.length);
  b.copy(buf, at);
  at += b.length;
}

/** What was written since begin(), as a Buffer of its own. */
export function take(): Buffer {
  const out = Buffer.allocUnsafe(at);
  buf.copy(out, 0, 0, at);
  return out;
}

/** Copies up to this many bytes of part of a buffer one by one (see copyBytes). */
const COPY_BY_BYTE = 256;

/**
 * Copies n bytes. Buffer.prototype.copy of part of a buffer makes a Uint8Array view of it on
 * every call, an object per event and connection on the fan-out's path: a whole buffer is
 * copied without one, and a short part byte by byte.
 */
export function copyBytes(src: Uint8Array, srcStart: number, dst: Uint8Array, dstStart: number, n: number): void {
  if (srcStart === 0 && n === src.length) dst.set(src, dstStart);
  else if (n <= COPY_BY_BYTE) for (let i = 0; i < n; i++) dst[dstStart + i] = src[srcStart + i]!;
  else dst.set(src.subarray(srcStart, srcStart + n), dstStart);
}

/** How many bytes were written since begin(). */
export function written(): number {
  return at;
}

/**
 * The scratch buffer itself: what was written since begin() is its first written() bytes,
 * valid until the next begin(). For callers that copy them at once and want no view object.
 */
export function scratch(): Buffer {
  return buf;
}
