// Talking to a keycast (or raw) server from the driver: one-off batches and bulk loading over
// the WebSocket protocol, with msgpackr as keycast itself uses it.

import { Packr, Unpackr } from "msgpackr";
import { connectWs } from "./wsraw.mjs";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

export function pack(value) {
  return packr.pack(value);
}

export function unpack(buf) {
  return unpackr.unpack(buf);
}

/** A WebSocket connection that sends frames and resolves each request with its decoded answer. */
export class WsConn {
  constructor(ws) {
    this.ws = ws;
    this.waiters = new Map();
    this.nextId = 1;
    this.onEvent = null;
    ws.onFrame = (buf, s, e) => {
      const frame = unpackr.unpack(buf.subarray(s, e));
      if (frame[0] === 3 || frame[0] === 8) return this.onEvent?.(frame);
      const w = this.waiters.get(frame[1]);
      if (w) {
        this.waiters.delete(frame[1]);
        w(frame);
      }
    };
  }

  static async open(port) {
    return new WsConn(await connectWs(port));
  }

  request(frameOf, timeoutMs = 60_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to request ${id} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(id, (f) => {
        clearTimeout(timer);
        resolve(f);
      });
      this.ws.send(packr.pack(frameOf(id)));
    });
  }

  /** Runs commands as one batch; resolves with the replies, rejects if any failed. */
  async batch(cmds) {
    const f = await this.request((id) => [1, id, cmds]);
    if (f[0] === 9) throw new Error(`batch refused: ${f[2]}`);
    if (f[3]) throw new Error(`batch errors: ${f[3].map((i) => f[2][i]).join("; ")}`);
    return f[2];
  }

  async watch(watchId, pattern, options) {
    const f = await this.request((id) => [4, id, watchId, pattern, options]);
    if (f[0] === 9) throw new Error(`watch refused: ${f[2]}`);
    return f[2];
  }

  close() {
    this.ws.close();
  }
}

/** One batch on a fresh connection. */
export async function wsBatch(port, cmds) {
  const c = await WsConn.open(port);
  try {
    return await c.batch(cmds);
  } finally {
    c.close();
  }
}

/** Sends `count` commands made by make(i) in batches of `chunk`, `window` batches in flight. */
export async function wsLoad(port, count, make, { chunk = 1000, window = 4 } = {}) {
  const c = await WsConn.open(port);
  try {
    let next = 0;
    async function lane() {
      while (next < count) {
        const from = next;
        next = Math.min(count, next + chunk);
        const cmds = [];
        for (let i = from; i < next; i++) cmds.push(make(i));
        await c.batch(cmds);
      }
    }
    await Promise.all(Array.from({ length: window }, lane));
  } finally {
    c.close();
  }
}
