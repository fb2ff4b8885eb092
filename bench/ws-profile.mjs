// Diagnostic (not a suite section): one WebSocket batch workload against keycast alone, with
// the server's CPU per command and a CPU profile of the loaded phase only.
//   node bench/ws-profile.mjs [batch=1024] [workload=setget] [seconds=5]   (PROFILE=<file> to profile)
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { Child } from "./lib/procs.mjs";
import { startTarget } from "./lib/targets.mjs";

const LOADGEN = fileURLToPath(new URL("./lib/loadgen-proc.mjs", import.meta.url));
const batch = Number(process.argv[2] ?? 1024);
const workload = process.argv[3] ?? "setget";
const seconds = Number(process.argv[4] ?? 5);
const kind = process.env.TARGET ?? "keycast";

function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}

const target = await startTarget(kind);
const loadgen = new Child(LOADGEN, { name: "ws load generator" });
try {
  await loadgen.request("run", { port: target.port, conns: 50, workload, batch, keys: 10_000, warmupMs: 500, durationMs: 1000 }, 120_000);
  if (process.env.PROFILE) await target.profileStart();
  const cpu0 = cpuMs(target.pid);
  const r = await loadgen.request("run", { port: target.port, conns: 50, workload, batch, keys: 10_000, warmupMs: 0, durationMs: seconds * 1000 }, 120_000);
  const cpu = cpuMs(target.pid) - cpu0;
  if (process.env.PROFILE) await target.profileStop(process.env.PROFILE);
  console.log(`${kind} ${workload} batch ${batch}: ${Math.round(r.cmds / r.seconds).toLocaleString("en-US")} cmd/s; server CPU ${((cpu * 1e6) / r.cmds).toFixed(0)} ns per command`);
} finally {
  await loadgen.stop();
  await target.stop();
}
