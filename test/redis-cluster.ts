// Test harness for gateway mode: real redis-server processes on free loopback ports. A single
// node that can be stopped and started again on the same port (backend outages), and a Redis
// Cluster of N masters (`redis-cli --cluster create`), each node with its own temp dir.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, RawClient } from "./redis-server.js";

const run = promisify(execFile);

export interface RedisNode {
  readonly port: number;
  readonly dir: string;
  /** Whether the process is running. */
  readonly running: boolean;
  /** Stops the process (SIGKILL with `crash`, SIGTERM otherwise); the dir is kept. */
  stop(crash?: boolean): Promise<void>;
  /** Starts it again on the same port with the same arguments (no data: persistence is off). */
  start(): Promise<void>;
  /** Stops it and removes its dir. */
  destroy(): Promise<void>;
}

export interface StartNodeOptions {
  /** Default: a free port. */
  port?: number;
  /** Extra redis-server arguments, e.g. ["--cluster-enabled", "yes"]. */
  args?: string[];
}

/** Waits until `redis-cli`-style PING answers +PONG on port. */
async function waitPong(port: number, child: ChildProcess, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      const c = await RawClient.connect(port);
      const pong = await c.call("PING");
      c.close();
      if (pong === "+PONG\r\n") return;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

/** Starts one redis-server (no persistence, loopback only) in its own temp dir. */
export async function startRedisNode(options: StartNodeOptions = {}): Promise<RedisNode> {
  const port = options.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `keycast-redis-${port}-`));
  const argv = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "", "--dir", dir, ...(options.args ?? [])];
  let child: ChildProcess | null = null;
  const node: RedisNode = {
    port,
    dir,
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (node.running) return;
      // A nodes.conf left by the previous run would make the node rejoin: start clean.
      const c = spawn("redis-server", argv, { stdio: "ignore" });
      child = c;
      await waitPong(port, c);
    },
    async stop(crash = false) {
      const c = child;
      if (c === null || c.exitCode !== null || c.signalCode !== null) return;
      const exited = once(c, "exit");
      c.kill(crash ? "SIGKILL" : "SIGTERM");
      await exited;
    },
    async destroy() {
      await node.stop(true);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await node.start();
  return node;
}

export interface TestCluster {
  readonly nodes: RedisNode[];
  /** The keycast backend setting for this cluster: `redis-cluster://127.0.0.1:p1,...`. */
  readonly backend: string;
  /** Stops every node and removes their dirs. */
  stop(): Promise<void>;
}

async function clusterInfo(port: number): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    return await c.call("CLUSTER", "INFO");
  } finally {
    c.close();
  }
}

/**
 * Starts a Redis Cluster of `masters` nodes (no replicas) on free loopback ports and resolves
 * once every node reports cluster_state:ok with all slots assigned.
 */
export async function startRedisCluster(masters = 3, timeoutMs = 30_000): Promise<TestCluster> {
  const nodes: RedisNode[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      // The bus port is chosen too: port + 10000 may be taken or past 65535.
      const busPort = await freePort();
      nodes.push(
        await startRedisNode({
          args: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", String(busPort), "--cluster-node-timeout", "2000"],
        }),
      );
    }
    await run("redis-cli", ["--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"], { timeout: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    for (const n of nodes) {
      for (;;) {
        const info = await clusterInfo(n.port);
        if (info.includes("cluster_state:ok") && info.includes("cluster_slots_assigned:16384") && info.includes(`cluster_known_nodes:${masters}`)) break;
        if (Date.now() > deadline) throw new Error(`cluster node ${n.port} not ok: ${info}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (e) {
    await Promise.all(nodes.map((n) => n.destroy()));
    throw e;
  }
  return {
    nodes,
    backend: `redis-cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(",")}`,
    async stop() {
      await Promise.all(nodes.map((n) => n.destroy()));
    },
  };
}
