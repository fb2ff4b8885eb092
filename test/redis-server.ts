// Test helpers for the Redis protocol: a real redis-server on a free loopback port (to compare
// keycast against), and a raw RESP socket that sends exact bytes and reads whole replies.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import os from "node:os";

/** A free loopback port (bound, read, released: good enough for a test). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export interface RedisServer {
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts redis-server (no persistence, loopback only) and resolves once it answers. */
export async function startRedisServer(bin = "redis-server"): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(bin, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--logfile", "", "--dir", os.tmpdir()], {
    stdio: "ignore",
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const c = await RawClient.connect(port);
      const pong = await c.call("PING");
      c.close();
      if (pong === "+PONG\r\n") break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${bin} did not start on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** End index of the RESP value starting at pos in buf, or -1 if it is not complete yet. */
export function replyEnd(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -1;
  const cr = buf.indexOf("\r\n", pos);
  if (cr < 0) return -1;
  const type = String.fromCharCode(buf[pos]!);
  const n = Number(buf.toString("latin1", pos + 1, cr));
  const next = cr + 2;
  switch (type) {
    case "$":
    case "=":
    case "!":
      if (n < 0) return next;
      return buf.length >= next + n + 2 ? next + n + 2 : -1;
    case "*":
    case "~":
    case ">":
    case "%": {
      if (n < 0) return next;
      let p = next;
      const items = type === "%" ? n * 2 : n;
      for (let i = 0; i < items; i++) {
        p = replyEnd(buf, p);
        if (p < 0) return -1;
      }
      return p;
    }
    default:
      return next;
  }
}

/** Encodes a command as a RESP multibulk; string words are sent as latin1 byte strings. */
export function multibulk(...args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === "string" ? Buffer.from(a, "latin1") : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** A plain TCP connection speaking RESP by hand: replies come back as their exact bytes (latin1). */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on("close", () => {
        this.closed = true;
        this.wake();
        resolve();
      });
    });
    socket.on("error", () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect(port, "127.0.0.1");
    await once(socket, "connect");
    socket.setNoDelay(true);
    return new RawClient(socket);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no reply within ${timeoutMs} ms; have ${JSON.stringify(this.buf.toString("latin1"))}`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /** The next whole reply, as its raw bytes in a latin1 string. */
  async reply(timeoutMs = 5000): Promise<string> {
    for (;;) {
      const end = replyEnd(this.buf, 0);
      if (end >= 0) {
        const r = this.buf.toString("latin1", 0, end);
        this.buf = this.buf.subarray(end);
        return r;
      }
      if (this.closed) throw new Error(`connection closed; have ${JSON.stringify(this.buf.toString("latin1"))}`);
      await this.wait(timeoutMs);
    }
  }

  /** The next n replies. */
  async replies(n: number, timeoutMs = 5000): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.reply(timeoutMs));
    return out;
  }

  /** Sends a command as a multibulk and returns its reply's raw bytes. */
  call(...args: (string | Buffer)[]): Promise<string> {
    this.send(multibulk(...args));
    return this.reply();
  }

  /** Everything received until the server closes the connection. */
  async untilClosed(timeoutMs = 5000): Promise<string> {
    while (!this.closed) await this.wait(timeoutMs);
    return this.buf.toString("latin1");
  }

  close(): void {
    this.socket.destroy();
  }
}
