// Starting the servers under test: keycast and the raw ceiling, each in its own process.

import { fileURLToPath } from "node:url";
import { existsSync, mkdirSync } from "node:fs";
import { Child } from "./procs.mjs";

const SERVER_PROC = fileURLToPath(new URL("./server-proc.mjs", import.meta.url));
export const DIST_SERVER = fileURLToPath(new URL("../../dist/server/index.js", import.meta.url));
export const PROFILE_DIR = fileURLToPath(new URL("../results/profiles", import.meta.url));

/**
 * Starts `keycast` or `raw` in a child process; resolves with { kind, port, respPort, mem(), snapshot(path), stop() }.
 * With profile, the server runs under --cpu-prof and writes its profile to bench/results/profiles
 * when stopped.
 */
export async function startTarget(kind, { profile = false, label = kind } = {}) {
  if (kind === "keycast" && !existsSync(DIST_SERVER)) throw new Error(`${DIST_SERVER} is missing: run npm run build first`);
  // BENCH_SERVER_FLAGS passes diagnostics to the servers' node (e.g. "--trace-gc").
  const execArgv = ["--expose-gc", ...(process.env.BENCH_SERVER_FLAGS ?? "").split(" ").filter(Boolean)];
  if (profile) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`);
  }
  const child = new Child(SERVER_PROC, { args: [kind], execArgv, name: `${kind} server` });
  const info = await child.request("info", {}, 30_000);
  return {
    kind,
    port: info.port,
    respPort: info.respPort,
    pid: info.pid,
    mem: () => child.request("mem", {}, 60_000),
    snapshot: (path) => child.request("snapshot", { path }, 120_000),
    profileStart: () => child.request("profileStart"),
    profileStop: (path) => child.request("profileStop", { path }, 60_000),
    allocStart: (options = {}) => child.request("allocStart", options),
    allocStop: (path) => child.request("allocStop", { path }, 60_000),
    stop: () => child.stop(),
  };
}
