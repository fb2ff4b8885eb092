// Outgoing WebSocket messages of one connection, framed here and written once per tick.
//
// ws writes each message as two chunks (header, payload) through the socket's Writable
// machinery; with hundreds of events per tick for one socket (an expiry burst, a busy feed)
// that per-chunk bookkeeping and the iovecs of writev cost more than the bytes themselves.
// Server frames are never masked, so framing is a few header bytes: messages are copied into
// one buffer per tick and written with one call. Used with permessage-deflate off only, where
// ws itself writes synchronously and nothing of its own can sit between our frames.
//
// The queue lives on the socket object itself (a WebSocket subclass the server is given):
// an idle connection pays a few fields for it, not another object and closure.

import type { Socket } from "node:net";
import { WebSocket } from "ws";
import { copyBytes } from "../encoding/msgpack-writer.js";

/** Payloads at least this large are written as they are, not copied. */
const COPY_LIMIT = 16 * 1024;
const FIRST_CHUNK = 512;
const MAX_CHUNK = 64 * 1024;

const dirty: QueuedWebSocket[] = [];
let scheduled = false;

/**
 * Writes what every socket has queued now, instead of at the end of the tick: for a long
 * task (an expiry run) whose first messages should not wait for its last.
 */
export function flushQueuedOutput(): void {
  if (dirty.length !== 0) flushAll();
}

function flushAll(): void {
  scheduled = false;
  // A flush can make a socket emit events synchronously (errors), which may queue more
  // output: those go in the next round, so iterate over what is here now.
  const n = dirty.length;
  for (let i = 0; i < n; i++) dirty[i]!.flushQueued();
  dirty.splice(0, n);
}

/**
 * The server's WebSocket: messages queued per tick, and a close frame (ours, or ws's answer to
 * the client's) that goes out after the messages already queued, as when each was written at once.
 */
export class QueuedWebSocket extends WebSocket {
  /** The chunk being filled this tick, and how much of it is used. */
  private chunk: Buffer | null = null;
  private used = 0;
  /** Chunks filled (or large payloads) earlier this tick, in order. */
  private sealed: Buffer[] | null = null;
  /** Size of the next chunk: grows while one tick has much to send. */
  private nextSize = FIRST_CHUNK;
  private inDirty = false;
  /** Bytes waiting for the end of the tick (counted against the output limit with bufferedAmount). */
  queuedBytes = 0;

  /** Queues one binary message. */
  enqueue(payload: Buffer): void {
    const n = payload.length;
    const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
    if (n >= COPY_LIMIT) {
      this.reserve(head);
      this.writeHeader(n, head);
      this.seal();
      (this.sealed ??= []).push(payload);
    } else {
      this.reserve(head + n);
      this.writeHeader(n, head);
      payload.copy(this.chunk!, this.used);
      this.used += n;
    }
    this.queuedBytes += head + n;
    this.markDirty();
  }

  /**
   * Queues one binary message made of two parts, the first `headLength` bytes of `head` and
   * the first `tailLength` of `tail`. Both are copied at once (the caller may reuse their
   * memory), except a large tail whose buffer is exactly `tailLength` long: it is kept as it is.
   */
  enqueueParts(head: Buffer, headLength: number, tail: Buffer, tailLength: number): void {
    const n = headLength + tailLength;
    const hdr = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const keepTail = tailLength >= COPY_LIMIT && tail.length === tailLength;
    this.reserve(hdr + headLength + (keepTail ? 0 : tailLength));
    this.writeHeader(n, hdr);
    copyBytes(head, 0, this.chunk!, this.used, headLength);
    this.used += headLength;
    if (keepTail) {
      this.seal();
      (this.sealed ??= []).push(tail);
    } else {
      copyBytes(tail, 0, this.chunk!, this.used, tailLength);
      this.used += tailLength;
    }
    this.queuedBytes += hdr + n;
    this.markDirty();
  }

  private markDirty(): void {
    if (this.inDirty) return;
    this.inDirty = true;
    dirty.push(this);
    if (!scheduled) {
      scheduled = true;
      process.nextTick(flushAll);
    }
  }

  private writeHeader(n: number, head: number): void {
    const b = this.chunk!;
    let at = this.used;
    b[at++] = 0x82; // FIN, binary
    if (head === 2) b[at++] = n;
    else if (head === 4) {
      b[at++] = 126;
      b.writeUInt16BE(n, at);
      at += 2;
    } else {
      b[at++] = 127;
      b.writeUInt32BE(Math.floor(n / 2 ** 32), at);
      b.writeUInt32BE(n >>> 0, at + 4);
      at += 8;
    }
    this.used = at;
  }

  /** Makes room for `n` more bytes in the current chunk. */
  private reserve(n: number): void {
    const c = this.chunk;
    if (c !== null && c.length - this.used >= n) return;
    this.seal();
    this.chunk = Buffer.allocUnsafe(Math.max(this.nextSize, n));
    this.nextSize = Math.min(MAX_CHUNK, this.nextSize * 4);
  }

  private seal(): void {
    if (this.chunk !== null && this.used > 0) (this.sealed ??= []).push(this.chunk.subarray(0, this.used));
    this.chunk = null;
    this.used = 0;
  }

  /** Writes what is queued now. */
  flushQueued(): void {
    this.inDirty = false;
    this.nextSize = FIRST_CHUNK;
    let parts: Buffer[] | Buffer | null;
    if (this.sealed === null) {
      // The common case, one chunk: no array.
      parts = this.chunk !== null && this.used > 0 ? this.chunk.subarray(0, this.used) : null;
      this.chunk = null;
      this.used = 0;
    } else {
      this.seal();
      parts = this.sealed;
      this.sealed = null;
    }
    this.queuedBytes = 0;
    if (parts === null) return;
    const socket = (this as unknown as { _socket: Socket | null })._socket;
    if (this.readyState !== WebSocket.OPEN || socket === null || socket.destroyed || !socket.writable) return;
    if (!Array.isArray(parts)) {
      socket.write(parts);
      return;
    }
    socket.cork();
    for (const p of parts) socket.write(p);
    socket.uncork();
  }

  /** Drops what is queued (the connection was cut off). */
  discardQueued(): void {
    this.chunk = null;
    this.used = 0;
    this.sealed = null;
    this.queuedBytes = 0;
  }

  override close(code?: number, data?: string | Buffer): void {
    this.flushQueued();
    super.close(code, data);
  }
}
