// The runnable examples (examples/metrics, examples/chat, examples/presence), run as a user
// would run them: separate Node processes against a keycast server on free ports, checked by
// what they print. They import the package by name ("keycast"), which resolves to the build
// in dist/: `npm test` builds first.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";

const root = join(import.meta.dirname, "..");
const examples = join(root, "examples");
const built = existsSync(join(root, "dist", "client", "node.js"));
if (!built) console.warn("examples.test.ts: skipped: the examples import the built package (dist/); run `npm run build` first");

/** A running example: its output so far, line by line, and a way to wait for a line. */
class Proc {
  readonly out: string[] = [];
  readonly err: string[] = [];
  private waiters: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    const lines = (into: string[]) => {
      let partial = "";
      return (chunk: Buffer) => {
        const parts = (partial + chunk.toString()).split("\n");
        partial = parts.pop()!;
        into.push(...parts);
        for (const w of this.waiters.splice(0)) w();
      };
    };
    child.stdout!.on("data", lines(this.out));
    child.stderr!.on("data", lines(this.err));
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  /** Resolves with the first stdout line (from index `from`) matching `re`. */
  async line(re: RegExp, timeoutMs = 5000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.out.slice(from).find((l) => re.test(l));
      if (hit !== undefined) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line matching ${re} in ${timeoutMs} ms; stdout:\n${this.out.join("\n")}\nstderr:\n${this.err.join("\n")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves when a stderr line matches `re`. */
  async errLine(re: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.err.find((l) => re.test(l));
      if (hit !== undefined) return hit;
      if (Date.now() > deadline) throw new Error(`no stderr line matching ${re}; stderr:\n${this.err.join("\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const running: Proc[] = [];

function run(dir: string, file: string, args: string[], env: Record<string, string>, command = process.execPath): Proc {
  const child = spawn(command, [join(examples, dir, file), ...args], { cwd: join(examples, dir), env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const p = new Proc(child);
  running.push(p);
  return p;
}

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill("SIGKILL");
      await p.exited;
    }
  }
});

let server: RunningServer;
let kc: KeycastClient;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startServer({ port: 0, respPort: 0 });
  kc = await connect(server.url);
  env = { KEYCAST_URL: server.url, KEYCAST_RESP_URL: `redis://127.0.0.1:${server.respPort}` };
});

afterAll(async () => {
  await kc?.close();
  await server?.close();
});

describe.skipIf(!built)("examples/metrics: a job writes over RESP, a watcher prints each change", () => {
  it("prints the current values first, then every round the node-redis job writes, in order, with the values", async () => {
    await kc.set("metrics:cpu", "12.5");
    const watcher = run("metrics", "watch.mjs", [], env);
    await watcher.line(/^watching metrics:\* host:\* on ws:/);
    expect(watcher.out).toContain("now      metrics:cpu = 12.5");

    const job = run("metrics", "job.mjs", ["--host", "web1", "--rounds", "3", "--interval", "50"], env);
    expect(await job.exited).toBe(0);
    expect(job.out.filter((l) => l.startsWith("round "))).toHaveLength(3);
    await watcher.line(/^set +metrics:round = 3$/);
    const rounds = watcher.out.filter((l) => /^set +metrics:round = /.test(l));
    expect(rounds).toEqual(["set      metrics:round = 1", "set      metrics:round = 2", "set      metrics:round = 3"]);
    // The value in the last event is the value now stored, with no GET by the watcher.
    const cpu = watcher.out.filter((l) => /^set +metrics:cpu = /.test(l)).pop()!;
    expect(cpu).toBe(`set      metrics:cpu = ${await kc.get("metrics:cpu")}`);
    const host = watcher.out.filter((l) => /^hset +host:web1 = /.test(l)).pop()!;
    const fields = JSON.parse(host.slice(host.indexOf("= ") + 2)) as Record<string, string>;
    expect(fields).toEqual(await kc.hgetall("host:web1"));
    expect(Object.keys(fields).sort()).toEqual(["load", "mem_mb", "updated"]);
  });

  it("runs the Python job (redis-py) the same way, when python3-redis is installed", async (ctx) => {
    const hasRedisPy = await new Promise<boolean>((resolve) => execFile("/usr/bin/python3", ["-c", "import redis"], (err) => resolve(!err)));
    if (!hasRedisPy) ctx.skip("/usr/bin/python3 has no redis module (apt-get install python3-redis)");
    const watcher = run("metrics", "watch.mjs", ["metrics:round"], env);
    await watcher.line(/^watching metrics:round on /);
    const job = run("metrics", "job.py", ["--host", "py1", "--rounds", "2", "--interval", "0.05"], env, "/usr/bin/python3");
    expect(await job.exited).toBe(0);
    await watcher.line(/^set +metrics:round = 2$/);
    expect((await kc.hgetall("host:py1")).load).toMatch(/^\d+\.\d\d$/);
  });
});

/** A TCP relay in front of the WebSocket port, which the test can cut like a tunnel going down. */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async open(): Promise<void> {
    this.server = createServer((down) => {
      const up = tcpConnect(this.target, "127.0.0.1");
      for (const s of [down, up]) {
        this.sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => {
          this.sockets.delete(s);
          down.destroy();
          up.destroy();
        });
      }
      down.pipe(up);
      up.pipe(down);
    });
    this.server.listen(this.port, "127.0.0.1");
    await once(this.server, "listening");
    this.port = (this.server.address() as { port: number }).port;
  }

  /** Drops every connection and refuses new ones until open() again. */
  async cut(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const sock of this.sockets) sock.destroy();
    if (s) await new Promise((r) => s.close(r));
  }
}

describe.skipIf(!built)("examples/chat: LPUSH + LTRIM feed, a reader that resumes after a drop", () => {
  const relays: Relay[] = [];
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.cut()));
  });

  async function postLines(room: string, from: string, lines: string[]): Promise<void> {
    const poster = run("chat", "post.mjs", ["--room", room, "--from", from], env);
    poster.child.stdin!.end(lines.join("\n") + "\n");
    expect(await poster.exited).toBe(0);
    expect(poster.out.filter((l) => l.startsWith("posted #"))).toHaveLength(lines.length);
  }

  const ids = (out: string[]) => out.filter((l) => l.startsWith("#")).map((l) => Number(l.slice(1, l.indexOf(" "))));

  it("delivers every message once, in order, across a dropped connection", async () => {
    const relay = new Relay(server.port);
    relays.push(relay);
    await relay.open();
    const reader = run("chat", "read.mjs", ["--room", "drop"], { ...env, KEYCAST_URL: `ws://127.0.0.1:${relay.port}` });
    await reader.errLine(/^\(following chat:drop\)$/);

    await postLines("drop", "alice", ["one", "two", "three", "four", "five"]);
    await reader.line(/^#5 alice: five$/);

    await relay.cut();
    await reader.errLine(/^\(reconnecting\)$/);
    // Posted while the reader is away.
    await postLines("drop", "bob", ["six", "seven", "eight", "nine", "ten"]);
    await new Promise((r) => setTimeout(r, 300));
    expect(ids(reader.out)).toEqual([1, 2, 3, 4, 5]);

    await relay.open();
    await reader.line(/^#10 bob: ten$/, 10_000);
    await postLines("drop", "alice", ["eleven"]);
    await reader.line(/^#11 alice: eleven$/);
    expect(ids(reader.out)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(reader.out[5]).toBe("#6 bob: six");
    // Resumed from the server's history, not rebuilt from a resync.
    expect(reader.err.some((l) => l.startsWith("(resync"))).toBe(false);
    expect(reader.err).toContain("(open)");
  }, 30_000);

  it("keeps the 50 newest: a reader that joins late gets exactly those, oldest first", async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `message ${i + 1}`);
    await postLines("busy", "carol", lines);
    expect(await kc.llen("chat:busy")).toBe(50);
    const reader = run("chat", "read.mjs", ["--room", "busy"], env);
    await reader.errLine(/^\(following chat:busy\)$/);
    expect(ids(reader.out)).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    expect(reader.out[0]).toBe("#11 carol: message 11");
    // And it keeps following.
    await postLines("busy", "dave", ["still here"]);
    await reader.line(/^#61 dave: still here$/);
    expect(await kc.llen("chat:busy")).toBe(50);
  }, 30_000);
});

describe.skipIf(!built)("examples/presence: SETEX heartbeats, expired events on time", () => {
  it("sees users come online, leave cleanly, and drop out when their heartbeats stop", async () => {
    await kc.setex("user:old:online", 60, "1");
    const watcher = run("presence", "watch.mjs", [], env);
    await watcher.line(/^watching user:\*:online: old online$/);

    const alice = run("presence", "heartbeat.mjs", ["--user", "42", "--ttl", "1", "--every", "200"], env);
    await watcher.line(/^online  42 /);
    const bob = run("presence", "heartbeat.mjs", ["--user", "7", "--ttl", "1", "--every", "200"], env);
    await watcher.line(/^online  7 +\(now online: old, 42, 7\)$/);

    // Heartbeats keep the key alive past its TTL: no false departure.
    await new Promise((r) => setTimeout(r, 1500));
    expect(watcher.out.some((l) => l.startsWith("offline"))).toBe(false);
    expect(watcher.out.filter((l) => l.startsWith("online  42"))).toHaveLength(1);

    bob.child.kill("SIGTERM");
    expect(await bob.exited).toBe(0);
    expect(await watcher.line(/^offline 7 /)).toBe("offline 7   (left; now online: old, 42)");

    // A crash: no goodbye, so the key runs out 1 s after the last heartbeat (0.8 to 1 s from now).
    const killedAt = Date.now();
    alice.child.kill("SIGKILL");
    await alice.exited;
    const gone = await watcher.line(/^offline 42 /, 5000);
    const late = Date.now() - killedAt;
    expect(gone).toBe("offline 42   (expired: no heartbeat; now online: old)");
    // Loose bounds: not before the TTL could have run out, and well before a sampling expirer would notice.
    expect(late).toBeGreaterThanOrEqual(700);
    expect(late).toBeLessThan(2500);
    expect(await kc.exists("user:42:online")).toBe(0);
  }, 20_000);
});
