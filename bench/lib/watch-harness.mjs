// Watchers in load-generator processes plus one writer process, pointed at keycast, the raw
// ceiling or Redis: used by the fan-out and feed sections. A phase sends operations (at a
// rate, or in a burst), waits until every watcher has every event (or a drain bound), and
// returns the delivery latencies of all watchers together.

import { fileURLToPath } from "node:url";
import { Child } from "./procs.mjs";
import { clientFrame } from "./wsraw.mjs";
import { encodeCommand } from "./resp.mjs";
import { pack } from "./kc.mjs";
import { concatSamples, hrms, latencySummary, sleep } from "./stats.mjs";

const RECEIVERS = fileURLToPath(new URL("./receivers-proc.mjs", import.meta.url));
const WRITER = fileURLToPath(new URL("./writer-proc.mjs", import.meta.url));
/** Sockets per load-generator process: well under its 20,000 open files. */
export const SOCKETS_PER_PROCESS = 5000;

export class WatchHarness {
  constructor(maxWatchers) {
    const procs = Math.max(1, Math.ceil(maxWatchers / SOCKETS_PER_PROCESS));
    this.receivers = Array.from({ length: procs }, (_, i) => new Child(RECEIVERS, { name: `watchers ${i + 1}` }));
    this.writer = new Child(WRITER, { name: "writer" });
    this.watchers = 0;
  }

  /**
   * Connects `count` watchers of `key` to a target: { kind: "keycast" | "raw", port } watch over
   * WebSocket with watchOptions; { kind: "redis", port } subscribes to __keyspace@0__:key.
   */
  async attach(target, count, key, watchOptions = {}) {
    const t0 = hrms();
    const ws = target.kind !== "redis";
    const share = Math.ceil(count / this.receivers.length);
    const fields = ws
      ? { kind: "ws", port: target.port, watchFrame: clientFrame(pack([4, 1, 1, key, watchOptions])) }
      : { kind: "resp", port: target.port, subscribe: encodeCommand(["SUBSCRIBE", `__keyspace@0__:${key}`]) };
    await Promise.all(
      this.receivers.map((r, i) => {
        const n = Math.min(share, count - i * share);
        return n > 0 ? r.request("connect", { ...fields, count: n }, 180_000) : null;
      }),
    );
    await this.writer.request("connect", { kind: ws ? "ws" : "resp", port: target.port });
    this.watchers = count;
    return (hrms() - t0) / 1000;
  }

  /**
   * Runs `count` operations (op "set" or "feed" on key) at `rate` per second, or all at once
   * with burst; every operation makes perOp events per watcher. Latency is measured on the
   * op's event number `pick`. Waits at most drainMs after the last send for stragglers.
   */
  async phase({ op, key, count, rate = 0, burst = false, perOp = 1, pick = 0, drainMs = 5000 }) {
    await this.settle();
    const frames = count * perOp + 16;
    await Promise.all(this.receivers.map((r) => r.request("arm", { frames })));
    const expected = this.watchers * count * perOp;
    const { sent } = await this.writer.request("run", { op, key, count, rate, burst }, (burst ? 0 : (count / rate) * 1000) + 60_000);
    const until = hrms() + drainMs;
    let received = 0;
    for (;;) {
      const progress = await Promise.all(this.receivers.map((r) => r.request("progress")));
      received = progress.reduce((s, p) => s + p.received, 0);
      if (received >= expected || hrms() > until) break;
      await sleep(20);
    }
    if (received === 0) throw new Error(`no event reached any of the ${this.watchers} watchers within ${drainMs} ms (is the server alive?)`);
    const parts = await Promise.all(this.receivers.map((r) => r.request("collect", { sendTimes: sent, perOp, pick }, 120_000)));
    const lastArrival = Math.max(...parts.map((p) => p.lastArrival));
    return {
      lat: concatSamples(parts.map((p) => p.lat)),
      missing: parts.reduce((s, p) => s + p.missing, 0),
      extra: parts.reduce((s, p) => s + p.extra, 0),
      delivered: received,
      expected,
      firstSend: sent[0],
      lastSend: sent[sent.length - 1],
      lastArrival,
    };
  }

  /** Waits until no event has arrived for 200 ms (the previous phase's backlog is gone), at most 60 s. */
  async settle() {
    const until = hrms() + 60_000;
    let last = -1;
    let quietSince = hrms();
    while (hrms() < until) {
      const seen = (await Promise.all(this.receivers.map((r) => r.request("progress")))).reduce((s, p) => s + p.seen, 0);
      if (seen !== last) {
        last = seen;
        quietSince = hrms();
      } else if (hrms() - quietSince >= 200) return;
      await sleep(50);
    }
  }

  async detach() {
    await Promise.all(this.receivers.map((r) => r.request("close")));
    await this.writer.request("close");
    this.watchers = 0;
  }

  async stop() {
    await Promise.all([...this.receivers, this.writer].map((c) => c.stop()));
  }
}

/**
 * The highest rate (operations/s) at which every event is delivered and the p99 latency stays
 * under limitMs: multiplies the rate by `factor` until it fails, then bisects while the gap is
 * over 15%, at most maxSteps steps of about stepSeconds each (at least minOps operations).
 * Below minRate it gives up. Resolves with { rate, p99 } of the best rate that held (rate 0
 * when none did).
 */
export async function searchRate(h, { op, key, perOp = 1, start, factor = 2, stepSeconds = 2, minOps = 4, minRate = 1, maxSteps = 9, limitMs = 100, bisect = true, log = () => {} }) {
  let lo = 0;
  let loP99 = NaN;
  let hi = Infinity;
  let rate = start;
  for (let step = 0; step < maxSteps; step++) {
    const count = Math.max(minOps, Math.round(rate * stepSeconds));
    const r = await h.phase({ op, key, count, rate, perOp, drainMs: 3000 });
    const s = latencySummary(r.lat);
    const ok = r.missing === 0 && s.p99 < limitMs;
    log(`  ${rate.toFixed(1)}/s: p99 ${s.p99.toFixed(1)} ms, ${r.missing} missing: ${ok ? "holds" : "does not hold"}`);
    if (ok) {
      lo = rate;
      loP99 = s.p99;
    } else hi = rate;
    if (hi !== Infinity && (!bisect || (hi - lo) / hi < 0.15)) break;
    rate = hi === Infinity ? rate * factor : lo === 0 ? hi / factor : (lo + hi) / 2;
    if (rate < minRate) {
      log(`  not even ${minRate}/s holds`);
      break;
    }
  }
  return { rate: lo, p99: loP99 };
}
