// The real Redis anchors: a redis-server the suite starts on a free loopback port (no
// persistence), and redis-benchmark runs parsed from its CSV output.

import { spawn, spawnSync, execFileSync } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { RespConn } from "./resp.mjs";
import { sleep } from "./stats.mjs";

const started = new Set();
process.on("exit", () => {
  for (const c of started) {
    try {
      process.kill(c.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
});

export async function freePort() {
  const s = net.createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

function which(bin) {
  const r = spawnSync("sh", ["-c", `command -v ${bin}`], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** "redis-server 7.0.15", or null when it is not installed. */
export function redisVersion() {
  if (!which("redis-server")) return null;
  const out = execFileSync("redis-server", ["--version"], { encoding: "utf8" });
  const m = /v=(\S+)/.exec(out);
  return `redis-server ${m ? m[1] : "?"}`;
}

export function hasRedisBenchmark() {
  return which("redis-benchmark") !== null;
}

/**
 * Starts redis-server on a free loopback port; resolves with { port, version, conn, stop() }
 * (conn is a control connection), or null with reason when it cannot (not installed, no start).
 */
export async function startRedis(extraArgs = []) {
  const version = redisVersion();
  if (!version) return { server: null, reason: "redis-server is not installed (apt-get install redis-server)" };
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "", "--maxclients", "15000", ...extraArgs],
    { stdio: "ignore" },
  );
  started.add(child);
  child.on("exit", () => started.delete(child));
  const deadline = Date.now() + 10_000;
  let conn = null;
  while (!conn) {
    try {
      const c = await RespConn.open(port);
      if ((await c.call(["PING"], 2000)) === "PONG") conn = c;
      else c.close();
    } catch {
      // not up yet
    }
    if (!conn) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        return { server: null, reason: `redis-server did not start on port ${port}` };
      }
      await sleep(50);
    }
  }
  return {
    server: {
      port,
      version,
      pid: child.pid,
      conn,
      async usedMemory() {
        const info = await conn.call(["INFO", "memory"]);
        return Number(/used_memory:(\d+)/.exec(info)[1]);
      },
      async stop() {
        if (child.exitCode !== null) return;
        conn.close();
        child.kill("SIGTERM");
        const t = setTimeout(() => child.kill("SIGKILL"), 5000);
        await once(child, "exit");
        clearTimeout(t);
      },
    },
    reason: null,
  };
}

/**
 * Runs redis-benchmark with the given arguments (plus --csv) against a port and resolves with
 * { [test]: { rps, p50 } }, tests named by the lower-cased first word of their CSV name.
 * Killed after timeoutMs.
 */
export async function redisBenchmark(port, args, timeoutMs = 120_000) {
  const child = spawn("redis-benchmark", ["-h", "127.0.0.1", "-p", String(port), "--csv", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (err += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const [code, signal] = await once(child, "exit");
  clearTimeout(timer);
  started.delete(child);
  if (code !== 0) throw new Error(`redis-benchmark ${args.join(" ")} failed (code ${code}, signal ${signal}): ${err.trim() || out.trim()}`);
  const results = {};
  for (const line of out.split("\n")) {
    const cells = line.split('","').map((c) => c.replace(/^"|"$/g, ""));
    if (cells.length < 5 || cells[0] === "test" || cells[0].includes("needed to benchmark")) continue;
    const name = cells[0].split(" ")[0].toLowerCase();
    results[name] = { rps: Number(cells[1]), p50: Number(cells[4]) };
  }
  if (Object.keys(results).length === 0) throw new Error(`redis-benchmark ${args.join(" ")} printed no results: ${out.trim()} ${err.trim()}`);
  return results;
}
