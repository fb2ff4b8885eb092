// A back-end job that publishes this machine's figures to keycast over the Redis protocol,
// with node-redis, the way any existing Redis writer would: nothing keycast-specific here.
//
//   node job.mjs [--host web1] [--interval 1000] [--rounds 0]
//
// KEYCAST_RESP_URL says where keycast's Redis port is (default redis://127.0.0.1:6380).

import os from "node:os";
import { parseArgs } from "node:util";
import { createClient } from "redis";

const { values: opts } = parseArgs({
  options: {
    host: { type: "string", default: os.hostname() },
    interval: { type: "string", default: "1000" },
    rounds: { type: "string", default: "0" },
  },
});
const interval = Number(opts.interval);
const rounds = Number(opts.rounds);
const url = process.env.KEYCAST_RESP_URL ?? "redis://127.0.0.1:6380";

const redis = createClient({ url });
redis.on("error", (e) => console.error(`redis: ${e.message}`));
await redis.connect();

let stopping = false;
const stop = () => {
  stopping = true;
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);

let lastCpu = process.cpuUsage();
let lastAt = performance.now();

for (let round = 1; !stopping && (rounds === 0 || round <= rounds); round++) {
  const cpu = process.cpuUsage(lastCpu);
  const now = performance.now();
  // This process's own CPU share plus the machine's load: figures that move without a workload.
  const cpuPercent = Math.min(100, ((cpu.user + cpu.system) / 1000 / (now - lastAt)) * 100 + os.loadavg()[0] * 10).toFixed(1);
  lastCpu = process.cpuUsage();
  lastAt = now;
  const memMb = (process.memoryUsage().rss / 1048576).toFixed(1);
  const load = os.loadavg()[0].toFixed(2);

  // One MULTI/EXEC per round: a watcher never sees half a round.
  await redis
    .multi()
    .set("metrics:cpu", cpuPercent)
    .set("metrics:mem", memMb)
    .set("metrics:round", String(round))
    .hSet(`host:${opts.host}`, { load, mem_mb: memMb, updated: new Date().toISOString() })
    .exec();
  console.log(`round ${round}: metrics:cpu=${cpuPercent} metrics:mem=${memMb} host:${opts.host} load=${load}`);

  if (rounds === 0 || round < rounds) await new Promise((r) => setTimeout(r, interval));
}

await redis.quit();
