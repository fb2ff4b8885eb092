// Child processes of the benchmark (servers under test, load generators) and the request /
// reply messages the driver exchanges with them. Every child is tracked so that the driver
// stops exactly the processes it started, also when it fails half-way.

import { fork } from "node:child_process";
import { once } from "node:events";

const children = new Set();

function killAll() {
  for (const c of children) {
    try {
      process.kill(c.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
process.on("exit", killAll);

export class Child {
  constructor(file, { args = [], execArgv = [], name = file } = {}) {
    this.name = name;
    this.proc = fork(file, args, { execArgv, serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.pid = this.proc.pid;
    children.add(this);
    this.nextId = 1;
    this.pending = new Map();
    this.exited = once(this.proc, "exit").then(([code, signal]) => {
      children.delete(this);
      for (const p of this.pending.values()) p.reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before answering`));
      this.pending.clear();
      return code;
    });
    let ready;
    this.ready = new Promise((resolve) => (ready = resolve));
    this.proc.on("message", (m) => {
      if (m.ready) return ready();
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${this.name}: ${m.error}`));
    });
  }

  /** Sends { op, ...fields } and resolves with the child's answer. */
  async request(op, fields = {}, timeoutMs = 60_000) {
    await Promise.race([this.ready, this.exited]);
    if (!this.proc.connected) throw new Error(`${this.name} is not running (asked for '${op}')`);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no answer to '${op}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, call: op, ...fields });
    });
  }

  /** Asks the child to exit; kills it if it has not within the timeout. */
  async stop(timeoutMs = 10_000) {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.send({ id: 0, call: "exit" });
    const t = setTimeout(() => {
      try {
        process.kill(this.pid, "SIGKILL");
      } catch {
        // gone
      }
    }, timeoutMs);
    await this.exited;
    clearTimeout(t);
  }
}

/**
 * The child side: answers the driver's requests with handlers[op](message). An "exit" request
 * runs handlers.exit (if any) and ends the process; losing the driver ends it too.
 */
export function serve(handlers) {
  process.on("disconnect", () => process.exit(1));
  process.on("message", async (m) => {
    if (m.call === "exit") {
      try {
        await handlers.exit?.();
      } finally {
        process.exit(0);
      }
      return;
    }
    try {
      const h = handlers[m.call];
      if (!h) throw new Error(`unknown request '${m.call}'`);
      const result = await h(m);
      process.send({ id: m.id, ok: true, result });
    } catch (e) {
      process.send({ id: m.id, ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  });
  // Messages sent before a listener exists are dropped: the driver waits for this first.
  process.send({ ready: true });
}
