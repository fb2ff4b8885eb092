// Diagnostic (not a suite section): where in time the late `expired` events of the expiry
// section fall. Same plan as the section (N keys, deadlines spread over 10 s, one watcher);
// prints each 10 ms window of deadlines in which some event was more than 5 ms late, at the
// watcher and at the server (the event's own time), so that stalls can be matched against
// the server's --trace-gc lines (BENCH_SERVER_FLAGS="--trace-gc").
//   node bench/expiry-timeline.mjs [keys=1000000]     (PROFILE=<file>: the server's first 500 ms; ALLOC_LIVE=<file>: what its first 5 s kept)
import { fileURLToPath } from "node:url";
import { Child } from "./lib/procs.mjs";
import { startTarget } from "./lib/targets.mjs";
import { wsLoad } from "./lib/kc.mjs";
import { latencySummary, sleep } from "./lib/stats.mjs";

const WATCHER = fileURLToPath(new URL("./lib/expiry-watcher-proc.mjs", import.meta.url));
const keys = Number(process.argv[2] ?? 1_000_000);
const windowMs = 10_000;
const LATE = 5;
const kc = await startTarget("keycast", { label: "expiry-timeline" });
const watcher = new Child(WATCHER, { name: "watcher" });
try {
  await watcher.request("connect", { kind: "ws", port: kc.port });
  await watcher.request("arm", { keys });
  // The section's unrecorded warm-up: keys numbered past `keys`, which the watcher ignores.
  const warm = Math.min(20_000, keys / 5);
  const w0 = Date.now() + 300;
  await wsLoad(kc.port, warm, (i) => ["SET", `x:${w0 + (i % 500)}:${keys + i}`, "0123456789abcdef", "PXAT", String(w0 + (i % 500))], { chunk: 1000, window: 4 });
  await sleep(Math.max(0, w0 + 500 - Date.now()) + 300);
  const t0 = Date.now() + 3_000 + keys / 100;
  const deadline = (i) => t0 + Math.floor((i * windowMs) / keys);
  await wsLoad(kc.port, keys, (i) => ["SET", `x:${deadline(i)}:${i}`, "0123456789abcdef", "PXAT", String(deadline(i))], { chunk: 1000, window: 4 });
  console.log(`loaded ${keys} keys; ${t0 - Date.now()} ms to the first deadline (t=0)`);
  if (process.env.PROFILE) {
    // PROFILE=<file>: a CPU profile of the server from just before the first deadline to 500 ms after.
    while (Date.now() < t0 - 100) await sleep(10);
    await kc.profileStart();
    while (Date.now() < t0 + 500) await sleep(10);
    console.log(`profile of the first 500 ms: ${(await kc.profileStop(process.env.PROFILE)).path}`);
  }
  if (process.env.ALLOC_LIVE) {
    // ALLOC_LIVE=<file>: allocation samples of the first 5 s of expiry still alive at its end.
    while (Date.now() < t0) await sleep(10);
    await kc.allocStart({ live: true });
    while (Date.now() < t0 + 5_000) await sleep(10);
    console.log(`allocations of the first 5 s still alive: ${(await kc.allocStop(process.env.ALLOC_LIVE)).path}`);
  }
  while (Date.now() < t0 + windowMs + 2_000) await sleep(100);
  const { late, serverLate, missing, watcherGc } = await watcher.request("collect", {}, 60_000);
  console.log(`the watcher's own GC: ${watcherGc.count} pauses, ${watcherGc.totalMs.toFixed(1)} ms in all, the longest ${watcherGc.maxMs.toFixed(1)} ms`);
  if (missing) console.log(`${missing} keys had no event`);
  const buckets = new Map();
  for (let i = 0; i < late.length; i++) {
    const b = Math.floor((deadline(i) - t0) / 10) * 10;
    const w = late[i] > LATE;
    const s = serverLate[i] > LATE;
    if (!w && !s) continue;
    const e = buckets.get(b) ?? { watcher: 0, server: 0, maxW: 0, maxS: 0, after: 0 };
    // Late at the watcher although the server removed the key within 2 ms: the time after
    // the event's timestamp (the rest of its expiry run, the write, the watcher itself).
    if (w && serverLate[i] <= 2) e.after++;
    if (w) e.watcher++;
    if (s) e.server++;
    e.maxW = Math.max(e.maxW, late[i]);
    e.maxS = Math.max(e.maxS, serverLate[i]);
    buckets.set(b, e);
  }
  let tw = 0;
  let ts = 0;
  for (const [b, e] of [...buckets].sort((x, y) => x[0] - y[0])) {
    tw += e.watcher;
    ts += e.server;
    console.log(`t=${String(b).padStart(5)} ms  >${LATE} ms: watcher ${String(e.watcher).padStart(5)} (max ${e.maxW.toFixed(1)}), server ${String(e.server).padStart(5)} (max ${e.maxS}), after ${e.after}`);
  }
  const w = latencySummary(late);
  const s = latencySummary(serverLate);
  console.log(`late >${LATE} ms: ${tw} at the watcher, ${ts} at the server, of ${late.length}`);
  console.log(`watcher p50 ${w.p50} p99 ${w.p99} max ${w.max}; server p50 ${s.p50} p99 ${s.p99} max ${s.max}`);
} finally {
  await watcher.request("close").catch(() => {});
  await watcher.stop();
  await kc.stop();
}
