// Load generator for WebSocket batch throughput: `conns` connections, each with one batch in
// flight; the batches are encoded and framed before the clock starts, so the generator's cost
// per batch is a write and a frame split, and the figures measure the server.

import { Packr, Unpackr } from "msgpackr";
import { serve } from "./procs.mjs";
import { clientFrame, connectWs } from "./wsraw.mjs";
import { hrms, sleep } from "./stats.mjs";

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

/** A small seeded PRNG (mulberry32), so every run and target sees the same keys. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The key redis-benchmark's __rand_int__ makes: 12 digits. */
const keyOf = (prefix, n) => prefix + String(n).padStart(12, "0");
export const VALUE16 = "0123456789abcdef";

/** Commands for one batch: SET/GET (or LPUSH/LRANGE) alternating, on random keys. */
function commandsFor(workload, size, offset, rand, keys) {
  const cmds = new Array(size);
  for (let i = 0; i < size; i++) {
    const n = Math.floor(rand() * keys);
    const write = (offset + i) % 2 === 0;
    if (workload === "setget") cmds[i] = write ? ["SET", keyOf("k:", n), VALUE16] : ["GET", keyOf("k:", n)];
    else cmds[i] = write ? ["LPUSH", keyOf("l:", n), VALUE16] : ["LRANGE", keyOf("l:", n), "0", "9"];
  }
  return cmds;
}

function framePool(workload, batch, keys, seed) {
  const rand = prng(seed);
  const count = Math.min(20_000, Math.max(8, Math.ceil(16_384 / batch)));
  const pool = new Array(count);
  for (let k = 0; k < count; k++) pool[k] = clientFrame(packr.pack([1, 1, commandsFor(workload, batch, k, rand, keys)]));
  return pool;
}

async function run({ port, conns, workload, batch, keys, warmupMs, durationMs, seed = 1 }) {
  const pool = framePool(workload, batch, keys, seed);
  const sockets = await Promise.all(Array.from({ length: conns }, () => connectWs(port)));
  const rtts = new Float64Array(2_000_000);
  let nRtt = 0;
  let completed = 0;
  let errorFrames = 0;
  let inFlight = 0;
  let checked = null;
  let stopping = false;
  const start = hrms();
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + durationMs;
  let lastDone = 0;

  sockets.forEach((ws, c) => {
    let next = (c * 7919) % pool.length;
    let sentAt = 0;
    const sendNext = () => {
      sentAt = hrms();
      inFlight++;
      ws.write(pool[next]);
      next = next + 1 === pool.length ? 0 : next + 1;
    };
    ws.onFrame = (buf, s, e) => {
      inFlight--;
      const now = hrms();
      // 0x93: [1, id, replies]; 0x94 adds errorIndexes: some command failed.
      if (buf[s] !== 0x93) errorFrames++;
      if (checked === null) {
        const reply = unpackr.unpack(buf.subarray(s, e));
        checked = Array.isArray(reply) && reply[0] === 1 && Array.isArray(reply[2]) && reply[2].length === batch ? "ok" : JSON.stringify(reply).slice(0, 200);
      }
      // Throughput counts the batches answered inside the window (steady state, no edge loss).
      if (now >= windowStart && now <= windowEnd) {
        completed++;
        if (nRtt < rtts.length) rtts[nRtt++] = now - sentAt;
      }
      lastDone = now;
      if (!stopping && now < windowEnd) sendNext();
    };
    sendNext();
  });

  await sleep(warmupMs + durationMs);
  stopping = true;
  const drainUntil = hrms() + 10_000;
  while (inFlight > 0 && hrms() < drainUntil) await sleep(5);
  for (const ws of sockets) ws.close();
  if (checked !== "ok") throw new Error(`unexpected batch reply: ${checked}`);
  if (errorFrames) throw new Error(`${errorFrames} batch replies carried errors`);
  return { batches: completed, cmds: completed * batch, seconds: durationMs / 1000, rtts: rtts.slice(0, nRtt), lastDone };
}

serve({ run });
