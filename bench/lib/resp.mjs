// The Redis protocol, as little of it as the benchmark needs: encoding commands, parsing
// replies and pushed messages from a stream, a connection for control commands, and a bulk
// loader that pipelines many commands and counts their replies.

import net from "node:net";
import { once } from "node:events";

/** A command as a RESP multibulk. */
export function encodeCommand(args) {
  let size = 0;
  const parts = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), "latin1")));
  let head = `*${parts.length}\r\n`;
  size += head.length;
  for (const p of parts) size += String(p.length).length + 5 + p.length;
  const out = Buffer.allocUnsafe(size);
  let o = out.write(head, 0, "latin1");
  for (const p of parts) {
    o += out.write(`$${p.length}\r\n`, o, "latin1");
    o += p.copy(out, o);
    out[o++] = 13;
    out[o++] = 10;
  }
  return out;
}

/** Set by parseValue: where the parsed value ended. */
let parsedEnd = 0;
const INCOMPLETE = Symbol("incomplete");

/** Parses one RESP2/RESP3 value at pos; INCOMPLETE when the buffer ends first. Bulk strings come back as latin1 strings. */
function parseValue(buf, pos) {
  if (pos >= buf.length) return INCOMPLETE;
  const cr = buf.indexOf(13, pos);
  if (cr < 0 || cr + 1 >= buf.length) return INCOMPLETE;
  const type = buf[pos];
  const line = buf.toString("latin1", pos + 1, cr);
  const next = cr + 2;
  switch (type) {
    case 43: // +
      parsedEnd = next;
      return line;
    case 45: // -
      parsedEnd = next;
      return new Error(line);
    case 58: // :
      parsedEnd = next;
      return Number(line);
    case 36: {
      // $
      const n = Number(line);
      if (n < 0) {
        parsedEnd = next;
        return null;
      }
      if (buf.length < next + n + 2) return INCOMPLETE;
      parsedEnd = next + n + 2;
      return buf.toString("latin1", next, next + n);
    }
    case 42: // *
    case 62: // >
    case 126: // ~
    case 37: {
      // %
      const n = Number(line);
      if (n < 0) {
        parsedEnd = next;
        return null;
      }
      const items = type === 37 ? 2 * n : n;
      const out = new Array(items);
      let p = next;
      for (let i = 0; i < items; i++) {
        const v = parseValue(buf, p);
        if (v === INCOMPLETE) return INCOMPLETE;
        out[i] = v;
        p = parsedEnd;
      }
      parsedEnd = p;
      return out;
    }
    default:
      parsedEnd = next;
      return line;
  }
}

/** Splits a byte stream into RESP values: feed(chunk) calls onValue for each complete one. */
export class RespStream {
  constructor(onValue) {
    this.onValue = onValue;
    this.pending = null;
  }

  feed(chunk) {
    let buf = chunk;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let pos = 0;
    while (pos < buf.length) {
      const v = parseValue(buf, pos);
      if (v === INCOMPLETE) break;
      pos = parsedEnd;
      this.onValue(v);
    }
    if (pos < buf.length) this.pending = buf.subarray(pos);
  }
}

export async function connectTcp(port, host = "127.0.0.1", timeoutMs = 15_000) {
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), timeoutMs);
  try {
    await once(socket, "connect");
  } finally {
    clearTimeout(timer);
  }
  return socket;
}

/** A RESP connection for control commands: call() resolves with the parsed reply. */
export class RespConn {
  constructor(socket) {
    this.socket = socket;
    this.waiters = [];
    this.stream = new RespStream((v) => this.waiters.shift()?.(v));
    socket.on("data", (c) => this.stream.feed(c));
    socket.on("error", () => {});
    socket.on("close", () => {
      for (const w of this.waiters.splice(0)) w(new Error("connection closed"));
    });
  }

  static async open(port, host) {
    return new RespConn(await connectTcp(port, host));
  }

  call(args, timeoutMs = 30_000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${args[0]} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((v) => {
        clearTimeout(timer);
        if (v instanceof Error) reject(v);
        else resolve(v);
      });
      this.socket.write(encodeCommand(args));
    });
  }

  close() {
    this.socket.destroy();
  }
}

/**
 * Sends `count` commands made by make(i), pipelined in chunks, and resolves once every reply
 * arrived. The replies must be one line each (+OK, :n), so counting line ends counts them.
 */
export async function pipelineLoad(port, count, make, { host = "127.0.0.1", chunk = 1000, window = 8, timeoutMs = 300_000 } = {}) {
  const socket = await connectTcp(port, host);
  let replies = 0;
  let errors = 0;
  let sentChunks = 0;
  let done;
  const finished = new Promise((resolve, reject) => {
    done = resolve;
    socket.on("error", reject);
    setTimeout(() => reject(new Error(`loading ${count} commands took over ${timeoutMs} ms`)), timeoutMs).unref();
  });
  const sendChunk = () => {
    const from = sentChunks * chunk;
    if (from >= count) return;
    const parts = [];
    for (let i = from; i < Math.min(count, from + chunk); i++) parts.push(encodeCommand(make(i)));
    sentChunks++;
    socket.write(Buffer.concat(parts));
  };
  socket.on("data", (d) => {
    for (let i = 0; i < d.length; i++) {
      if (d[i] === 10) replies++;
      else if (d[i] === 45 && (i === 0 || d[i - 1] === 10)) errors++;
    }
    while (sentChunks * chunk < count && sentChunks * chunk - replies < window * chunk) sendChunk();
    if (replies >= count) done();
  });
  for (let i = 0; i < window; i++) sendChunk();
  await finished;
  socket.destroy();
  if (errors) throw new Error(`${errors} of ${count} loaded commands failed`);
}

/** Set by scanPush: where the scanned push ended. */
export let scannedEnd = 0;

/** Reads a CRLF-terminated decimal at pos (after the type byte); NaN when incomplete. */
function lineNumber(buf, pos) {
  let n = 0;
  let i = pos;
  const neg = buf[i] === 45;
  if (neg) i++;
  for (; i < buf.length; i++) {
    const c = buf[i];
    if (c === 13) {
      if (i + 1 >= buf.length) return NaN;
      scannedEnd = i + 2;
      return neg ? -n : n;
    }
    n = n * 10 + (c - 48);
  }
  return NaN;
}

/**
 * Skips one pushed array of bulk strings and integers at pos (what a subscriber receives)
 * without building strings. Returns the byte length of its first element ("message" is 7,
 * "subscribe" 9), or -1 when the buffer ends first; scannedEnd is where the push ended.
 */
export function scanPush(buf, pos) {
  if (pos >= buf.length) return -1;
  const items = lineNumber(buf, pos + 1);
  if (Number.isNaN(items)) return -1;
  let p = scannedEnd;
  let first = 0;
  for (let i = 0; i < items; i++) {
    if (p >= buf.length) return -1;
    const type = buf[p];
    const n = lineNumber(buf, p + 1);
    if (Number.isNaN(n)) return -1;
    p = scannedEnd;
    if (type === 36 && n > 0) {
      if (buf.length < p + n + 2) return -1;
      p += n + 2;
    } else if (type === 36 && n === 0) p += 2;
    if (i === 0) first = n;
  }
  scannedEnd = p;
  return first;
}
