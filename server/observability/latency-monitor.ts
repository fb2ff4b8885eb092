// Redis's latency monitor (latency.c): with latency-monitor-threshold > 0, every command that
// takes at least that many milliseconds is a sample of the "command" event ("fast-command"
// for a command flagged fast). Each event keeps one sample per second (the worst of that
// second), the last 160 seconds that had one, and its all-time maximum: LATENCY LATEST,
// HISTORY, RESET and DOCTOR read them.

import { integerSetting, SettingError, yesNoSetting, defineSetting } from "../config.js";
import type { ServerState } from "../state.js";

const SAMPLES = 160;

interface Sample {
  time: number;
  ms: number;
}

export class LatencySeries {
  readonly samples: Sample[] = [];
  max = 0;

  add(time: number, ms: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last !== undefined && last.time === time) {
      if (ms > last.ms) last.ms = ms;
    } else {
      this.samples.push({ time, ms });
      if (this.samples.length > SAMPLES) this.samples.shift();
    }
    if (ms > this.max) this.max = ms;
  }
}

export class LatencyMonitor {
  /** The threshold in microseconds; 0 = off (the dispatcher tests this alone). */
  thresholdUs = 0;
  readonly events = new Map<string, LatencySeries>();

  /** A command that took `us` microseconds, at or past the threshold. */
  add(event: string, us: number): void {
    let s = this.events.get(event);
    if (s === undefined) this.events.set(event, (s = new LatencySeries()));
    s.add(Math.floor(Date.now() / 1000), Math.floor(us / 1000));
  }

  /** Forgets the given events (all when none given); how many there were. */
  reset(events: readonly string[]): number {
    if (events.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const e of events) if (this.events.delete(e)) n++;
    return n;
  }
}

export const LATENCY_MONITOR_THRESHOLD = integerSetting(
  "latency-monitor-threshold",
  0,
  0,
  Number.MAX_SAFE_INTEGER,
  "commands taking at least this many ms are recorded for LATENCY (0: off)",
  {
    apply(state: ServerState, ms: number) {
      state.latency.thresholdUs = ms * 1000;
    },
  },
);

export const LATENCY_TRACKING = yesNoSetting("latency-tracking", true, "per-command latency histograms (INFO latencystats, LATENCY HISTOGRAM; always kept)");

function formatPercentile(p: number): string {
  return String(p);
}

export const LATENCY_TRACKING_INFO_PERCENTILES = defineSetting<readonly number[]>({
  name: "latency-tracking-info-percentiles",
  defaultValue: [50, 99, 99.9],
  help: "the percentiles INFO latencystats reports",
  parse(raw) {
    const words = raw.split(" ").filter((w) => w.length > 0);
    const out: number[] = [];
    for (const w of words) {
      const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(w) ? Number(w) : NaN;
      if (!Number.isFinite(v)) throw new SettingError("Invalid latency-tracking-info-percentiles parameters");
      if (v < 0 || v > 100) throw new SettingError("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]");
      out.push(v);
    }
    return out;
  },
  format: (v) => v.map(formatPercentile).join(" "),
});
