// A load generator holding many watchers: WebSocket watches (keycast, raw) or RESP
// subscribers (Redis keyspace notifications), or idle WebSocket connections. It records when
// each event frame reaches each socket, and turns that into latencies once the driver sends
// the writer's send times. At most ~5,000 sockets per process (the open-files limit).

import { serve } from "./procs.mjs";
import { connectWs, inWaves } from "./wsraw.mjs";
import { connectTcp, scanPush, scannedEnd } from "./resp.mjs";
import { hrms, sleep } from "./stats.mjs";

/** Per socket: how many event frames since arm. */
let counts = new Int32Array(0);
/** times[s * maxFrames + k]: arrival of socket s's k-th frame, ms after `base` (0 = not yet). */
let times = new Float32Array(0);
let maxFrames = 0;
let base = 0;
let armed = false;
let received = 0;
let lastArrival = 0;
/** Event frames seen since start, armed or not: tells the driver when the sockets went quiet. */
let seen = 0;
const sockets = [];

function record(s, now) {
  const k = counts[s]++;
  received++;
  if (k < maxFrames) times[s * maxFrames + k] = now - base;
  lastArrival = now;
}

async function openWs(port, watchFrame, s) {
  const ws = await connectWs(port, { timeoutMs: 60_000 });
  ws.timed = true;
  let ack;
  const acked = new Promise((resolve, reject) => {
    ack = resolve;
    setTimeout(() => reject(new Error("no answer to WATCH within 60 s")), 60_000).unref();
  });
  ws.onFrame = (buf, start) => {
    // An EVENT frame is a 9-element array starting with type 3: 0x99 0x03.
    if (buf[start] === 0x99 && buf[start + 1] === 0x03) {
      seen++;
      if (armed) record(s, ws.chunkTime);
    } else ack();
  };
  if (watchFrame) {
    ws.write(watchFrame);
    await acked;
  }
  return ws;
}

async function openResp(port, subscribe, s) {
  const socket = await connectTcp(port, "127.0.0.1", 60_000);
  let ack;
  const acked = new Promise((resolve, reject) => {
    ack = resolve;
    setTimeout(() => reject(new Error("no answer to SUBSCRIBE within 60 s")), 60_000).unref();
  });
  let pending = null;
  socket.on("data", (chunk) => {
    const now = hrms();
    let buf = chunk;
    if (pending !== null) {
      buf = Buffer.concat([pending, chunk]);
      pending = null;
    }
    let pos = 0;
    for (;;) {
      const first = scanPush(buf, pos);
      if (first < 0) break;
      pos = scannedEnd;
      // "message" (7 bytes) is an event; anything else answers SUBSCRIBE.
      if (first === 7) {
        seen++;
        if (armed) record(s, now);
      } else ack();
    }
    if (pos < buf.length) pending = buf.subarray(pos);
  });
  socket.on("error", () => {});
  socket.write(subscribe);
  await acked;
  return { close: () => socket.destroy() };
}

serve({
  /** Opens `count` sockets: { kind: "ws", watchFrame? } or { kind: "resp", subscribe }. */
  async connect({ kind, port, count, watchFrame = null, subscribe = null }) {
    const first = sockets.length;
    const ids = Array.from({ length: count }, (_, i) => first + i);
    const wf = watchFrame && Buffer.from(watchFrame);
    const sub = subscribe && Buffer.from(subscribe);
    const opened = await inWaves(ids, 100, (s) => (kind === "ws" ? openWs(port, wf, s) : openResp(port, sub, s)));
    sockets.push(...opened);
    return { connected: sockets.length };
  },

  /** Starts recording: up to maxFrames frames per socket. */
  arm({ frames }) {
    maxFrames = frames;
    counts = new Int32Array(sockets.length);
    times = new Float32Array(sockets.length * frames);
    received = 0;
    lastArrival = 0;
    base = hrms();
    armed = true;
    return { base };
  },

  progress() {
    return { received, lastArrival, seen };
  },

  /**
   * Latencies of op i's frame `pick` (of `perOp` frames per op) against sendTimes[i], for every
   * socket; frames that never came are counted as missing.
   */
  collect({ sendTimes, perOp = 1, pick = 0 }) {
    armed = false;
    const ops = sendTimes.length;
    const lat = new Float64Array(sockets.length * ops);
    let n = 0;
    let missing = 0;
    let extra = 0;
    for (let s = 0; s < sockets.length; s++) {
      if (counts[s] > ops * perOp) extra += counts[s] - ops * perOp;
      const row = s * maxFrames;
      for (let i = 0; i < ops; i++) {
        const k = i * perOp + pick;
        const t = k < maxFrames ? times[row + k] : 0;
        if (t === 0) missing++;
        else lat[n++] = base + t - sendTimes[i];
      }
    }
    return { lat: lat.slice(0, n), missing, extra, received, lastArrival };
  },

  async close() {
    armed = false;
    for (const s of sockets) s.close();
    sockets.length = 0;
    await sleep(50);
    return { closed: true };
  },
});
