// A server under test in its own process (so that it has a core to itself and its memory can
// be measured alone): `keycast` (dist/server) or `raw` (bench/raw-server.mjs). Run with
// --expose-gc so that "mem" reports live memory after a full collection.

import { serve } from "./procs.mjs";

const kind = process.argv[2];

let server;
if (kind === "keycast") {
  const { startServer } = await import("../../dist/server/index.js");
  server = await startServer({ port: 0, respPort: 0 });
} else if (kind === "raw") {
  const { startRawServer } = await import("../raw-server.mjs");
  server = await startRawServer({ port: 0 });
} else throw new Error(`unknown server kind '${kind}'`);

function collect() {
  if (typeof global.gc !== "function") throw new Error("run with --expose-gc");
  for (let i = 0; i < 4; i++) global.gc();
  return process.memoryUsage();
}

// Event-loop delay of the server, for diagnosing lateness (BENCH_LOOP_DELAY=1 prints it on exit).
const { monitorEventLoopDelay } = await import("node:perf_hooks");
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
if (process.env.BENCH_LOOP_DELAY) loopDelay.enable();

let profiler = null;

serve({
  info: () => ({ port: server.port, respPort: kind === "keycast" ? (server.respPort ?? null) : null, pid: process.pid }),
  mem: () => collect(),
  /** Writes a heap snapshot (for diffing what a key or a connection costs) and returns its path. */
  snapshot: async ({ path }) => {
    collect();
    const { writeHeapSnapshot } = await import("node:v8");
    return writeHeapSnapshot(path);
  },
  /** CPU profile of a phase only (bench/expiry-throughput.mjs): start, then stop into a file. */
  profileStart: async () => {
    const { Session } = await import("node:inspector/promises");
    profiler = new Session();
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
    return { started: true };
  },
  profileStop: async ({ path }) => {
    const { profile } = await profiler.post("Profiler.stop");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, JSON.stringify(profile));
    profiler.disconnect();
    return { path };
  },
  /** Allocation sampling of a phase (objects since collected included): start, then stop into a file. */
  /** With live: true, only what is still alive when sampling stops (what the phase kept). */
  allocStart: async ({ live = false } = {}) => {
    const { Session } = await import("node:inspector/promises");
    profiler = new Session();
    profiler.connect();
    await profiler.post("HeapProfiler.enable");
    await profiler.post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: !live, includeObjectsCollectedByMinorGC: !live });
    return { started: true };
  },
  allocStop: async ({ path }) => {
    const { profile } = await profiler.post("HeapProfiler.stopSampling");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(path, JSON.stringify(profile));
    profiler.disconnect();
    return { path };
  },
  exit: () => {
    if (process.env.BENCH_LOOP_DELAY) {
      const ms = (ns) => (ns / 1e6).toFixed(1);
      console.log(`  [${kind} event-loop delay: p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms over ${loopDelay.count} samples]`);
    }
    return server.close();
  },
});
