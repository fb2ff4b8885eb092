// The one watcher of the expiry section: every expired key's event, from keycast (a WATCH of
// "*" for "expired") or from Redis (__keyevent@0__:expired), is timed against the deadline
// its key name carries ("x:<deadline ms>:<n>").

import { serve } from "./procs.mjs";
import { connectWs } from "./wsraw.mjs";
import { connectTcp, encodeCommand, RespStream } from "./resp.mjs";
import { pack, unpack } from "./kc.mjs";
import { wallms } from "./stats.mjs";
import { PerformanceObserver } from "node:perf_hooks";

// This process's own garbage collections, since `arm`: a pause here makes events look late.
const gc = { count: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
  }
}).observe({ entryTypes: ["gc"] });

let late = new Float64Array(0);
/** keycast only: the event's own time (when the server expired the key) minus the deadline. */
let serverLate = new Float64Array(0);
let got = new Uint8Array(0);
let count = 0;
let duplicates = 0;
let close = null;

/** Position after the msgpack value at p (the types an event frame holds up to its time), or -1. */
function skip(b, p) {
  const t = b[p];
  if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return p + 1;
  if (t >= 0xa0 && t <= 0xbf) return p + 1 + (t & 0x1f);
  if (t >= 0x90 && t <= 0x9f) {
    let q = p + 1;
    for (let i = 0; i < (t & 0x0f) && q >= 0; i++) q = skip(b, q);
    return q;
  }
  switch (t) {
    case 0xcc:
      return p + 2;
    case 0xcd:
      return p + 3;
    case 0xce:
    case 0xca:
      return p + 5;
    case 0xcf:
    case 0xcb:
      return p + 9;
    case 0xd9:
    case 0xc4:
      return p + 2 + b[p + 1];
    case 0xda:
    case 0xc5:
      return p + 3 + b.readUInt16BE(p + 1);
    case 0xdc: {
      let q = p + 3;
      for (let i = 0; i < b.readUInt16BE(p + 1) && q >= 0; i++) q = skip(b, q);
      return q;
    }
    default:
      return -1;
  }
}

/** The unsigned integer (or float64) at p, or NaN. */
function readNumber(b, p) {
  const t = b[p];
  if (t <= 0x7f) return t;
  if (t === 0xcc) return b[p + 1];
  if (t === 0xcd) return b.readUInt16BE(p + 1);
  if (t === 0xce) return b.readUInt32BE(p + 1);
  if (t === 0xcf) return Number(b.readBigUInt64BE(p + 1));
  if (t === 0xcb) return b.readDoubleBE(p + 1);
  return NaN;
}

/**
 * An EVENT frame read in place, with no allocation: this process's own garbage collections,
 * when it unpacked each event, paused it for up to 5 ms at a time, and that counted as the
 * server's lateness. False for anything but an event whose key is "x:<deadline>:<n>".
 */
function onEventBytes(b, start, now) {
  if (b[start] !== 0x99 || b[start + 1] !== 3) return false;
  let p = skip(b, start + 2); // the watch ids
  if (p < 0) return false;
  p = skip(b, p); // db
  const kt = b[p];
  let ks;
  if (kt >= 0xa0 && kt <= 0xbf) ks = p + 1;
  else if (kt === 0xd9 || kt === 0xc4) ks = p + 2;
  else return false;
  const ke = skip(b, p);
  if (b[ks] !== 0x78 || b[ks + 1] !== 0x3a) return false;
  let i = ks + 2;
  let deadline = 0;
  while (i < ke && b[i] !== 0x3a) deadline = deadline * 10 + (b[i++] - 48);
  let n = 0;
  for (i++; i < ke; i++) n = n * 10 + (b[i] - 48);
  p = skip(b, ke); // event
  if (p < 0) return false;
  p = skip(b, p); // offset
  if (p < 0) return false;
  record(n, deadline, now, readNumber(b, p));
  return true;
}

function record(n, deadline, now, serverTime) {
  if (!(n >= 0 && n < late.length)) return;
  if (got[n]) {
    duplicates++;
    return;
  }
  got[n] = 1;
  late[n] = now - deadline;
  serverLate[n] = serverTime - deadline;
  count++;
}

function onKey(key, now, serverTime = NaN) {
  // "x:<deadline>:<n>", as a string (keycast) or latin1 string (Redis).
  const a = key.indexOf(":");
  const b = key.indexOf(":", a + 1);
  record(Number(key.slice(b + 1)), Number(key.slice(a + 1, b)), now, serverTime);
}

serve({
  async connect({ kind, port }) {
    if (kind === "ws") {
      const ws = await connectWs(port);
      let acked;
      const ack = new Promise((r) => (acked = r));
      ws.onFrame = (buf, s, e) => {
        const now = wallms();
        if (onEventBytes(buf, s, now)) return;
        const f = unpack(buf.subarray(s, e));
        if (f[0] === 3) {
          const key = f[3];
          onKey(typeof key === "string" ? key : Buffer.from(key).toString("latin1"), now, f[6]);
        } else acked(f);
      };
      ws.send(pack([4, 1, 1, "*", { events: ["expired"] }]));
      const answer = await ack;
      if (answer[0] !== 4) throw new Error(`WATCH refused: ${JSON.stringify(answer)}`);
      close = () => ws.close();
    } else {
      const socket = await connectTcp(port);
      let acked;
      const ack = new Promise((r) => (acked = r));
      let now = 0;
      const stream = new RespStream((v) => {
        if (v[0] === "message") onKey(v[2], now);
        else acked(v);
      });
      socket.on("data", (c) => {
        now = wallms();
        stream.feed(c);
      });
      socket.write(encodeCommand(["SUBSCRIBE", "__keyevent@0__:expired"]));
      await ack;
      close = () => socket.destroy();
    }
    return { connected: true };
  },

  arm({ keys }) {
    late = new Float64Array(keys);
    serverLate = new Float64Array(keys);
    got = new Uint8Array(keys);
    count = 0;
    duplicates = 0;
    gc.count = gc.totalMs = gc.maxMs = 0;
    return { armed: true };
  },

  progress() {
    return { count };
  },

  /** Lateness of every event received (ms); keys never reported are counted as missing. */
  collect() {
    const out = new Float64Array(count);
    const server = new Float64Array(count);
    let j = 0;
    for (let i = 0; i < late.length; i++) {
      if (!got[i]) continue;
      server[j] = serverLate[i];
      out[j++] = late[i];
    }
    return { late: out, serverLate: server, missing: late.length - count, duplicates, watcherGc: { ...gc } };
  },

  close() {
    close?.();
    return { closed: true };
  },
});

