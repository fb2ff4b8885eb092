// LATENCY: the latency monitor's events (server/observability/latency-monitor.ts) and the
// per-command histograms the dispatcher keeps (server/observability/command-stats.ts).
import type { latencyCommands } from "../../shared/commands/latency.js";
import { configOf } from "../config.js";
import type { Context } from "../context.js";
import { subcommands, type Implementations } from "../command-impl.js";
import { SLOWLOG_LOG_SLOWER_THAN } from "../observability/slowlog.js";
import { LATENCY_BUCKETS_US } from "../observability/command-stats.js";
import { LATENCY_MONITOR_THRESHOLD, type LatencySeries } from "../observability/latency-monitor.js";
import { MapReply, Status, VerbatimReply, type Reply } from "../reply.js";

const HELP = [
  "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
  "HELP",
  "    Prints this help.",
];

const DISABLED =
  "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
const CALM =
  "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n";

/** latencyCommandGenReport, for the command events keycast records. */
function doctor(ctx: Context): string {
  const monitor = ctx.server.latency;
  if (configOf(ctx.server).get(LATENCY_MONITOR_THRESHOLD) === 0 && monitor.events.size === 0) return DISABLED;
  if (monitor.events.size === 0) return CALM;
  let out = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
  let i = 1;
  const now = Math.floor(Date.now() / 1000);
  for (const [event, series] of monitor.events) out += `${i++}. ${event}: ${eventLine(series, now)}\n`;
  out += "\nI have a few advices for you:\n\n";
  const slowlogUs = configOf(ctx.server).get(SLOWLOG_LOG_SLOWER_THAN);
  const thresholdMs = configOf(ctx.server).get(LATENCY_MONITOR_THRESHOLD);
  if (slowlogUs / 1000 > thresholdMs) {
    out += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${thresholdMs * 1000}'.\n`;
  }
  out += "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n";
  out += "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n";
  return out;
}

function eventLine(series: LatencySeries, now: number): string {
  const samples = series.samples;
  const n = samples.length;
  let sum = 0;
  for (const s of samples) sum += s.ms;
  const avg = Math.floor(sum / n);
  let dev = 0;
  for (const s of samples) dev += Math.abs(s.ms - avg);
  const mad = Math.floor(dev / n);
  const period = Math.max(1, now - samples[0]!.time) / n;
  return `${n} latency spikes (average ${avg}ms, mean deviation ${mad}ms, period ${period.toFixed(2)} sec). Worst all time event ${series.max}ms.`;
}

function histogramOf(ctx: Context, name: string, out: Reply[]): void {
  for (const stat of ctx.server.commandStats.used()) {
    if (stat.name !== name || stat.calls === 0) continue;
    const buckets: Reply[] = [];
    let seen = 0;
    for (let i = 0; i < stat.buckets.length; i++) {
      const n = stat.buckets[i]!;
      if (n === 0) continue;
      seen += n;
      // The last bucket holds everything past a second: named by twice its lower bound.
      const bound = i < LATENCY_BUCKETS_US.length ? LATENCY_BUCKETS_US[i]! : LATENCY_BUCKETS_US[LATENCY_BUCKETS_US.length - 1]! * 2;
      buckets.push(bound, seen);
    }
    out.push(name, new MapReply(["calls", stat.calls, "histogram_usec", new MapReply(buckets)]));
    return;
  }
}

export const latency: Implementations<typeof latencyCommands> = {
  latency: subcommands<(typeof latencyCommands)["latency"]["subcommands"]>({
    latest(ctx) {
      const rows: Reply[] = [];
      for (const [event, s] of ctx.server.latency.events) {
        const last = s.samples[s.samples.length - 1]!;
        rows.push([event, last.time, last.ms, s.max]);
      }
      return rows;
    },

    history(ctx, argv) {
      const s = ctx.server.latency.events.get(argv[2]!);
      if (s === undefined) return [];
      return s.samples.map((x) => [x.time, x.ms]);
    },

    reset: (ctx, argv) => ctx.server.latency.reset(argv.slice(2)),

    doctor: (ctx) => new VerbatimReply(doctor(ctx)),

    histogram(ctx, argv) {
      const out: Reply[] = [];
      if (argv.length === 2) {
        for (const stat of ctx.server.commandStats.used()) if (stat.calls > 0) histogramOf(ctx, stat.name, out);
      } else {
        const seen = new Set<string>();
        for (let i = 2; i < argv.length; i++) {
          const name = argv[i]!.toLowerCase();
          if (seen.has(name)) continue;
          seen.add(name);
          histogramOf(ctx, name, out);
        }
      }
      return new MapReply(out);
    },

    help: () => HELP.map((l) => new Status(l)),
  }),
};
