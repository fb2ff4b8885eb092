// A minimal WebSocket client over a plain TCP socket, for load generators. Frames go out with
// an all-zero mask (valid under RFC 6455; `ws` skips the XOR for it) and may be framed once
// and written many times; incoming frames are split in place without copying. This keeps the
// client's cost per message far below the server's, so the figures measure the server.

import net from "node:net";
import { randomBytes } from "node:crypto";
import { hrms } from "./stats.mjs";

/** A client frame (binary, final, zero mask) holding payload, ready to write. */
export function clientFrame(payload) {
  const n = payload.length;
  const head = n < 126 ? 6 : n < 65536 ? 8 : 14;
  const out = Buffer.allocUnsafe(head + n);
  out[0] = 0x82;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  out.writeUInt32BE(0, head - 4);
  payload.copy(out, head);
  return out;
}

export class RawWs {
  constructor(socket) {
    this.socket = socket;
    this.pending = null;
    this.closed = false;
    /** Called for every data frame: (buf, start, end) delimit its payload. */
    this.onFrame = null;
    /** When set, chunkTime holds hrms() of the chunk being parsed (one clock read per chunk). */
    this.timed = false;
    this.chunkTime = 0;
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("close", () => {
      this.closed = true;
      this.onClose?.();
    });
    socket.on("error", () => {});
  }

  onData(chunk) {
    if (this.timed) this.chunkTime = hrms();
    let buf = chunk;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const n = buf.length;
    let pos = 0;
    while (n - pos >= 2) {
      const b1 = buf[pos + 1] & 0x7f;
      let head = 2;
      let len = b1;
      if (b1 === 126) {
        if (n - pos < 4) break;
        len = buf.readUInt16BE(pos + 2);
        head = 4;
      } else if (b1 === 127) {
        if (n - pos < 10) break;
        len = buf.readUInt32BE(pos + 2) * 2 ** 32 + buf.readUInt32BE(pos + 6);
        head = 10;
      }
      if (n - pos < head + len) break;
      const opcode = buf[pos] & 0x0f;
      if (opcode === 2 || opcode === 0) this.onFrame?.(buf, pos + head, pos + head + len);
      else if (opcode === 8) this.closed = true;
      pos += head + len;
    }
    if (pos < n) this.pending = buf.subarray(pos);
  }

  /** Writes bytes made by clientFrame(). */
  write(frame) {
    return this.socket.write(frame);
  }

  send(payload) {
    return this.socket.write(clientFrame(payload));
  }

  close() {
    this.socket.destroy();
  }
}

/** Opens a WebSocket to ws://host:port/ by hand (HTTP upgrade) and resolves with a RawWs. */
export function connectWs(port, { host = "127.0.0.1", timeoutMs = 15_000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`WebSocket handshake with ${host}:${port} took over ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.once("error", fail);
    socket.on("connect", () => {
      const key = randomBytes(16).toString("base64");
      socket.write(
        `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.off("error", fail);
      clearTimeout(timer);
      const status = head.toString("latin1", 0, head.indexOf("\r\n"));
      if (!status.startsWith("HTTP/1.1 101")) {
        socket.destroy();
        reject(new Error(`WebSocket upgrade refused: ${status}`));
        return;
      }
      const ws = new RawWs(socket);
      const rest = head.subarray(end + 4);
      if (rest.length) ws.onData(rest);
      resolve(ws);
    };
    socket.on("data", onData);
  });
}

/** Runs fn over items with at most `limit` in flight (connecting thousands of sockets in waves). */
export async function inWaves(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
