// Crashes: a real `keycast` process (bin/keycast.js, built into dist/ by `npm test`) killed
// with SIGKILL in the middle of a write load, then started again on the same directory.
// With appendfsync always every acknowledged write must be there, with everysec at most about
// a second may be lost, the keyspace is never corrupt; a torn last record loads with a
// warning, worse damage refuses to start until --repair-aof. SIGTERM stops with exit code 0.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { connect } from "../client/node.js";

const root = path.resolve(import.meta.dirname, "..");
const bin = path.join(root, "bin", "keycast.js");
const dirs: string[] = [];
const children = new Set<ChildProcess>();

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "kc-crash-"));
  dirs.push(d);
  return d;
}

interface Proc {
  child: ChildProcess;
  ws: string;
  respPort: number;
  /** Log records (JSON lines on stdout). */
  logs: { level: number; msg: string }[];
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts bin/keycast.js; resolves once it listens, rejects with its stderr if it exits first. */
function keycast(dir: string, args: string[] = []): Promise<Proc> {
  const child = spawn(process.execPath, [bin, "--port", "0", "--resp-port", "0", "--dir", dir, "--log-format", "json", "--no-dashboard", ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const logs: Proc["logs"] = [];
  let err = "";
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf("\n")) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        let rec: { level: number; msg: string; ws?: string; resp?: string };
        try {
          rec = JSON.parse(line);
        } catch {
          continue;
        }
        logs.push(rec);
        if (rec.msg.startsWith("keycast listening")) {
          resolve({ child, ws: rec.ws!, respPort: Number(new URL(rec.resp!.replace("resp:", "http:")).port), logs, stderr: () => err, exited });
        }
      }
    });
    void exited.then((code) => reject(Object.assign(new Error(`keycast exited with ${code}: ${err}`), { code, stderr: err })));
  });
}

/** A pipelining RESP client that records which writes were acknowledged. */
class Loader {
  private readonly socket: net.Socket;
  private buf = "";
  private readonly pending: ((reply: string) => void)[] = [];
  sent = 0;
  acked = 0;
  stopped = false;

  constructor(port: number) {
    this.socket = net.connect(port, "127.0.0.1");
    this.socket.setEncoding("latin1");
    this.socket.on("error", () => {});
    this.socket.on("data", (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf("\r\n")) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 2);
        this.pending.shift()?.(line);
      }
    });
    this.socket.on("close", () => (this.stopped = true));
  }

  send(args: string[], onReply: (reply: string) => void): void {
    if (this.stopped) return;
    this.pending.push(onReply);
    this.sent++;
    this.socket.write(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join("")}`);
  }

  /** Keeps `window` commands in flight until the connection drops. */
  run(window: number, next: () => [string[], (reply: string) => void]): void {
    const pump = () => {
      while (!this.stopped && this.pending.length < window) {
        const [args, cb] = next();
        this.send(args, (r) => {
          this.acked++;
          cb(r);
          setImmediate(pump);
        });
      }
    };
    this.socket.once("connect", pump);
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Load {
  /** key -> value of every SET acknowledged with +OK, and when. */
  acked: Map<string, { value: string; at: number }>;
  incrAcked: number;
  incrSent: number;
  /** Members acknowledged by SADD (:1). */
  members: Set<string>;
}

/** Writes as fast as it can over two RESP connections and one WebSocket client. */
function writeLoad(p: Proc): { load: Load; stop: () => void } {
  const load: Load = { acked: new Map(), incrAcked: 0, incrSent: 0, members: new Set() };
  let n = 0;
  const loaders = [new Loader(p.respPort), new Loader(p.respPort)];
  loaders[0]!.run(64, () => {
    const i = n++;
    const key = `k:${i}`;
    const value = `v${i}:${"x".repeat(i % 50)}`;
    return [["SET", key, value], (r) => r === "+OK" && load.acked.set(key, { value, at: Date.now() })];
  });
  loaders[1]!.run(64, () => {
    const i = n++;
    if (i % 2 === 0) {
      load.incrSent++;
      return [["INCR", "counter"], (r) => r.startsWith(":") && load.incrAcked++];
    }
    const m = `m${i}`;
    return [["SADD", "set", m], (r) => r === ":1" && load.members.add(m)];
  });
  let stopWs = false;
  void (async () => {
    const kc = await connect(p.ws, { reconnect: false });
    try {
      // A watcher: the log is then written before each event goes out, not only before replies.
      await kc.watch("k:*", () => {});
      for (let b = 0; !stopWs; b++) {
        const batch = kc.batch();
        for (let j = 0; j < 50; j++) batch.hset(`h:${b}`, `f${j}`, String(j));
        await batch.atomic().exec();
        load.acked.set(`h:${b}`, { value: "hash", at: Date.now() });
      }
    } catch {
      // the server went away
    } finally {
      void kc.close().catch(() => {});
    }
  })();
  return {
    load,
    stop: () => {
      stopWs = true;
      for (const l of loaders) l.close();
    },
  };
}

async function verify(p: Proc, load: Load, ackedBefore: number): Promise<{ missing: string[] }> {
  const kc = await connect(p.ws, { reconnect: false });
  try {
    const missing: string[] = [];
    const entries = [...load.acked].filter(([, v]) => v.at <= ackedBefore);
    for (let i = 0; i < entries.length; i += 500) {
      const chunk = entries.slice(i, i + 500);
      const b = kc.batch();
      for (const [key, v] of chunk) {
        if (v.value === "hash") b.hlen(key);
        else b.get(key);
      }
      const got = await b.exec();
      chunk.forEach(([key, v], j) => {
        const g = got[j];
        if (v.value === "hash" ? g !== 50 : g !== v.value) missing.push(key);
      });
    }
    // Never a half-applied transaction: every hash there has all 50 fields.
    const hashes = (await kc.keys("h:*")) as string[];
    const b = kc.batch();
    for (const k of hashes) b.hlen(k);
    for (const len of await b.exec()) expect(len).toBe(50);
    const counter = Number(await kc.get("counter"));
    expect(counter).toBeGreaterThanOrEqual(load.incrAcked);
    expect(counter).toBeLessThanOrEqual(load.incrSent);
    const members = new Set((await kc.smembers("set")) as string[]);
    for (const m of load.members) if (!members.has(m)) missing.push(`set:${m}`);
    return { missing };
  } finally {
    await kc.close();
  }
}

afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  children.clear();
});

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("SIGKILL during a write load", () => {
  it("with appendfsync always, every acknowledged write is there after a restart", async () => {
    const dir = tmpDir();
    const a = await keycast(dir, ["--appendonly", "yes", "--appendfsync", "always"]);
    const { load, stop } = writeLoad(a);
    await new Promise((r) => setTimeout(r, 700));
    a.child.kill("SIGKILL");
    await a.exited;
    const killedAt = Date.now();
    stop();
    expect(load.acked.size).toBeGreaterThan(100);
    const b = await keycast(dir, ["--appendonly", "yes"]);
    const { missing } = await verify(b, load, killedAt);
    expect(missing).toEqual([]);
    expect(b.logs.some((l) => l.msg === "loaded the append-only file")).toBe(true);
  }, 30_000);

  it("with appendfsync everysec, at most about a second of acknowledged writes is lost", async () => {
    const dir = tmpDir();
    const a = await keycast(dir, ["--appendonly", "yes", "--appendfsync", "everysec"]);
    const { load, stop } = writeLoad(a);
    await new Promise((r) => setTimeout(r, 1500));
    a.child.kill("SIGKILL");
    await a.exited;
    const killedAt = Date.now();
    stop();
    const b = await keycast(dir, ["--appendonly", "yes"]);
    // Everything acknowledged more than a second before the kill must be there.
    const { missing } = await verify(b, load, killedAt - 1000);
    expect(missing).toEqual([]);
  }, 30_000);

  it("with snapshots only, the last snapshot loads whole and watchers resync (a new epoch)", async () => {
    const dir = tmpDir();
    const a = await keycast(dir, ["--save", "1 1"]);
    const kc = await connect(a.ws, { reconnect: false });
    for (let i = 0; i < 100; i++) await kc.set(`s:${i}`, String(i));
    const epoch = /keycast_history_epoch:(\w+)/.exec(await kc.info("persistence"))![1];
    await new Promise((r) => setTimeout(r, 1500)); // a save by the rule
    await kc.close();
    const { stop } = writeLoad(a);
    await new Promise((r) => setTimeout(r, 300));
    a.child.kill("SIGKILL");
    await a.exited;
    stop();
    const b = await keycast(dir);
    const kb = await connect(b.ws, { reconnect: false });
    for (let i = 0; i < 100; i++) expect(await kb.get(`s:${i}`)).toBe(String(i));
    expect(/keycast_history_epoch:(\w+)/.exec(await kb.info("persistence"))![1]).not.toBe(epoch);
    expect(b.logs.some((l) => l.msg.includes("did not stop cleanly"))).toBe(true);
    await kb.close();
  }, 30_000);

  it("during a background save or rewrite, leaves the previous files whole", async () => {
    const dir = tmpDir();
    const a = await keycast(dir, ["--appendonly", "yes"]);
    const kc = await connect(a.ws, { reconnect: false });
    for (let i = 0; i < 20; i++) {
      const args: string[] = [];
      for (let j = 0; j < 5000; j++) args.push(`big:${i}:${j}`, "z".repeat(20));
      await kc.call("MSET", ...args);
    }
    await kc.call("SAVE");
    await kc.set("after-save", "1");
    await kc.call("BGSAVE");
    await kc.call("BGREWRITEAOF");
    a.child.kill("SIGKILL");
    await a.exited;
    void kc.close().catch(() => {});
    expect(fs.readdirSync(dir).some((f) => f.startsWith("temp-"))).toBe(true);
    const b = await keycast(dir, ["--appendonly", "yes"]);
    const kb = await connect(b.ws, { reconnect: false });
    expect(await kb.dbsize()).toBe(100_001);
    expect(await kb.get("after-save")).toBe("1");
    await kb.close();
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("temp-"))).toEqual([]);
    // The snapshot alone loads too.
    b.child.kill("SIGKILL");
    await b.exited;
    const c = await keycast(dir);
    const kcc = await connect(c.ws, { reconnect: false });
    expect(await kcc.dbsize()).toBe(100_000);
    await kcc.close();
  }, 60_000);
});

describe("damaged logs", () => {
  async function crashedLog(): Promise<{ dir: string; file: string }> {
    const dir = tmpDir();
    const a = await keycast(dir, ["--appendonly", "yes", "--appendfsync", "always"]);
    const kc = await connect(a.ws, { reconnect: false });
    for (let i = 0; i < 50; i++) await kc.set(`d:${i}`, String(i));
    a.child.kill("SIGKILL");
    await a.exited;
    void kc.close().catch(() => {});
    return { dir, file: path.join(dir, "keycast.aof") };
  }

  it("loads a torn last record with a warning", async () => {
    const { dir, file } = await crashedLog();
    const size = fs.statSync(file).size;
    const partial = Buffer.alloc(30);
    partial.writeUInt32LE(200, 0);
    fs.appendFileSync(file, partial);
    const b = await keycast(dir, ["--appendonly", "yes"]);
    expect(b.logs.some((l) => l.level === 40 && l.msg.includes("cut short"))).toBe(true);
    const kb = await connect(b.ws, { reconnect: false });
    expect(await kb.get("d:49")).toBe("49");
    await kb.close();
    expect(fs.statSync(file).size).toBe(size);
  }, 30_000);

  it("refuses to start from a log damaged in the middle, and --repair-aof repairs it", async () => {
    const { dir, file } = await crashedLog();
    const buf = fs.readFileSync(file);
    const at = buf.length - 200;
    buf[at] = buf[at]! ^ 0xff;
    fs.writeFileSync(file, buf);
    const refused = (await keycast(dir, ["--appendonly", "yes"]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/keycast: .*keycast\.aof is damaged at byte \d+ of \d+.*--repair-aof/);
    const b = await keycast(dir, ["--appendonly", "yes", "--repair-aof"]);
    const kb = await connect(b.ws, { reconnect: false });
    expect(await kb.get("d:0")).toBe("0");
    expect(Number(await kb.dbsize())).toBeLessThan(50);
    await kb.close();
  }, 30_000);
});

describe("signals", () => {
  it("SIGTERM stops gracefully: 1001 to clients, the final snapshot, exit 0", async () => {
    const dir = tmpDir();
    const a = await keycast(dir, ["--save", "3600 1"]);
    const kc = await connect(a.ws, { reconnect: false });
    const closed = new Promise<string | undefined>((resolve) => kc.onState((s, reason) => s === "closed" && resolve(reason)));
    await kc.set("kept", "yes");
    const t = Date.now();
    a.child.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(Date.now() - t).toBeLessThan(5000);
    expect(await closed).toContain("server shutting down");
    expect(a.logs.some((l) => l.msg === "keycast stopped")).toBe(true);
    expect(fs.existsSync(path.join(dir, "keycast.running"))).toBe(false);
    const b = await keycast(dir);
    const kb = await connect(b.ws, { reconnect: false });
    expect(await kb.get("kept")).toBe("yes");
    await kb.close();
  }, 30_000);

  it("a bad setting stops the start with a message naming it", async () => {
    const err = (await keycast(tmpDir(), ["--maxmemory-policy", "sometimes"]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain("keycast: invalid value 'sometimes' for maxmemory-policy (flag --maxmemory-policy)");
  });
});
