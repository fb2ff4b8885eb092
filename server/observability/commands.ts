// SLOWLOG, MONITOR and MEMORY USAGE.

import type { serverCommands } from "../../shared/commands/server.js";
import { isOption, toInt64 } from "../args.js";
import { subcommands, type Implementations } from "../command-impl.js";
import { CommandError, NOT_INTEGER, SYNTAX } from "../errors.js";
import { keyBytes } from "../eviction/estimate.js";
import type { Context } from "../context.js";
import { DoubleReply, MapReply, NO_REPLY, OK, Status, VerbatimReply, type Reply } from "../reply.js";
import { datasetBytes } from "./memory-report.js";

type Ops = Pick<typeof serverCommands, "slowlog" | "monitor" | "memory">;

const SLOWLOG_HELP = [
  "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
  "HELP",
  "    Prints this help.",
].map((l) => new Status(l));

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return memory problems reports.",
  "MALLOC-STATS",
  "    Return internal statistics report from the memory allocator.",
  "PURGE",
  "    Attempt to purge dirty pages for reclamation by the allocator.",
  "STATS",
  "    Return information about the memory usage of the server.",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
  "HELP",
  "    Prints this help.",
].map((l) => new Status(l));

function keyCount(ctx: Context): number {
  let n = 0;
  for (const db of ctx.server.keyspace.dbs) n += db.size;
  return n;
}

export const observabilityCommands: Implementations<Ops> = {
  slowlog: subcommands<typeof serverCommands.slowlog.subcommands>({
    get(ctx, argv) {
      let count = 10;
      if (argv.length > 3) throw new CommandError(SYNTAX);
      if (argv.length === 3) {
        const n = toInt64(argv[2]!);
        if (n === null || typeof n !== "number" || n < -1) throw new CommandError("ERR count should be greater than or equal to -1");
        count = n;
      }
      const out: Reply[] = [];
      for (const e of ctx.server.slowlog.get(count)) out.push([e.id, e.time, e.durationUs, e.argv.slice(), e.addr, e.name]);
      return out;
    },
    len(ctx) {
      return ctx.server.slowlog.length;
    },
    reset(ctx) {
      ctx.server.slowlog.reset();
      return OK;
    },
    help() {
      return SLOWLOG_HELP;
    },
  }),

  monitor(ctx) {
    const write = ctx.session.writeMonitorLine;
    if (write === undefined) throw new CommandError("ERR MONITOR is only available on the Redis protocol");
    // Already monitoring: Redis answers nothing at all.
    if (ctx.server.monitors.has(ctx.session)) return NO_REPLY;
    ctx.server.monitors.add(ctx.session, write);
    return OK;
  },

  memory: subcommands<typeof serverCommands.memory.subcommands>({
    usage(ctx, argv) {
      if (argv.length !== 3) {
        if (argv.length !== 5 || !isOption(argv[3]!, "SAMPLES")) throw new CommandError(SYNTAX);
        const n = toInt64(argv[4]!);
        if (n === null) throw new CommandError(NOT_INTEGER);
        if (n < 0) throw new CommandError(SYNTAX);
      }
      const key = argv[2]!;
      const db = ctx.db;
      const v = db.lookup(key);
      if (v === undefined) return null;
      return ctx.server.memory?.sizeOf(db.index, key) ?? keyBytes(key, v, db.deadline(key) !== undefined);
    },
    stats(ctx) {
      const m = process.memoryUsage();
      const keys = keyCount(ctx);
      const dataset = datasetBytes(ctx.server);
      const total = m.heapUsed + m.external;
      return new MapReply([
        "total.allocated",
        total,
        "rss",
        m.rss,
        "heap.used",
        m.heapUsed,
        "heap.total",
        m.heapTotal,
        "external",
        m.external,
        "keys.count",
        keys,
        "keys.bytes-per-key",
        keys === 0 ? 0 : Math.round(dataset / keys),
        "dataset.bytes",
        dataset,
        "dataset.percentage",
        new DoubleReply(total === 0 ? 0 : (dataset * 100) / total),
        "maxmemory",
        ctx.server.memory?.max ?? 0,
      ]);
    },
    doctor(ctx) {
      const m = process.memoryUsage();
      const dataset = datasetBytes(ctx.server);
      const lines = [`keycast's memory report: process RSS ${m.rss} bytes, JavaScript heap ${m.heapUsed} bytes, keys and values about ${dataset} bytes (estimated).`];
      const max = ctx.server.memory?.max ?? 0;
      if (max > 0 && dataset > max * 0.9) lines.push(`The dataset is at ${Math.round((dataset * 100) / max)}% of maxmemory (${max} bytes): expect evictions or OOM errors.`);
      if (dataset > 0 && m.rss > dataset * 3 + 200 * 1024 * 1024) lines.push("RSS is well above the dataset: large client buffers, a background save, or memory the garbage collector has not returned yet.");
      if (lines.length === 1) lines.push("I can't find any memory issue in your instance.");
      return new VerbatimReply(`${lines.join("\n")}\n`);
    },
    purge() {
      // V8 returns memory on its own schedule; there is nothing to ask of it here.
      return OK;
    },
    "malloc-stats"() {
      return "Stats not supported for the current allocator";
    },
    help() {
      return MEMORY_HELP;
    },
  }),
};
