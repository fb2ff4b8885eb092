// Diagnostic (not a suite section): how many expired events per second one keycast server
// removes and delivers to one watcher, with N keys all due at the same moment.
//   node bench/expiry-throughput.mjs [keys=500000]
import { fileURLToPath } from "node:url";
import { Child } from "./lib/procs.mjs";
import { startTarget } from "./lib/targets.mjs";
import { wsLoad } from "./lib/kc.mjs";
import { sleep } from "./lib/stats.mjs";
import { readFileSync } from "node:fs";

/** CPU time the process used so far, ms (utime + stime from /proc). */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

const WATCHER = fileURLToPath(new URL("./lib/expiry-watcher-proc.mjs", import.meta.url));
const keys = Number(process.argv[2] ?? 500_000);
const kc = await startTarget("keycast", { label: "expiry-throughput" });
const watcher = new Child(WATCHER, { name: "watcher" });
try {
  await watcher.request("connect", { kind: "ws", port: kc.port });
  await watcher.request("arm", { keys });
  const at = Date.now() + 3_000 + keys / 50;
  await wsLoad(kc.port, keys, (i) => ["SET", `x:${at}:${i}`, "0123456789abcdef", "PXAT", String(at)], { chunk: 1000, window: 4 });
  const wait = at - Date.now();
  console.log(`loaded ${keys} keys; ${wait} ms to the deadline`);
  while (Date.now() < at) await sleep(5);
  if (process.env.PROFILE) await kc.profileStart();
  if (process.env.ALLOC) await kc.allocStart();
  const cpu0 = cpuMs(kc.pid);
  const t0 = Date.now();
  let last = 0;
  for (;;) {
    const { count } = await watcher.request("progress");
    if (count !== last) last = count;
    if (count >= keys || Date.now() - t0 > wait + 120_000) break;
    await sleep(20);
  }
  const cpu = cpuMs(kc.pid) - cpu0;
  if (process.env.ALLOC) console.log(`allocation samples of the expiry phase: ${(await kc.allocStop(process.env.ALLOC)).path}`);
  if (process.env.PROFILE) console.log(`profile of the expiry phase: ${(await kc.profileStop(process.env.PROFILE)).path}`);
  const { late, serverLate } = await watcher.request("collect", {}, 60_000);
  const sorted = Float64Array.from(late).sort();
  const server = Float64Array.from(serverLate).sort();
  console.log(`server-side: first ${server[0]} ms, last ${server[server.length - 1]} ms after the deadline`);
  const spanMs = sorted[sorted.length - 1] - sorted[0];
  console.log(`${late.length} events; first ${sorted[0].toFixed(1)} ms late, last ${sorted[sorted.length - 1].toFixed(1)} ms late: ${Math.round(late.length / (spanMs / 1000)).toLocaleString("en-US")} events/s; server CPU ${cpu} ms = ${((cpu * 1000) / keys).toFixed(2)} µs per event`);
} finally {
  await watcher.request("close").catch(() => {});
  await watcher.stop();
  await kc.stop();
}
