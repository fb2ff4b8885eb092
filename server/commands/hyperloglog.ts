// HyperLogLog commands: hyperloglog.c's family. The value is a plain string in Redis's layout
// (server/keyspace/hyperloglog.ts); these commands check it, read it and write it back.
import type { hyperloglogCommands } from "../../shared/commands/hyperloglog.js";
import { configOf, memorySetting } from "../config.js";
import type { Context } from "../context.js";
import type { Implementations } from "../command-impl.js";
import { CommandError } from "../errors.js";
import {
  cachedCardinality,
  CORRUPTED_HLL,
  countOf,
  countRegisters,
  DENSE,
  emptyHll,
  hllEncoding,
  HLL_REGISTERS,
  HllWriter,
  mergeInto,
  NOT_HLL,
  patternIndex,
  patternOf,
  selfTest,
  SPARSE,
  unchangedBy,
  unionRegisters,
  withCachedCardinality,
} from "../keyspace/hyperloglog.js";
import { OK, Status, type Reply } from "../reply.js";

/** Past this many bytes a sparse HLL turns dense (Redis's hll-sparse-max-bytes). */
export const HLL_SPARSE_MAX_BYTES = memorySetting(
  "hll-sparse-max-bytes",
  3000,
  0,
  "largest sparse HyperLogLog in bytes; past it PFADD turns it dense (12 KB)",
);

const NO_SUCH_KEY = "ERR The specified key does not exist";
const NOT_SPARSE = "ERR HLL encoding is not sparse";

/** The HLL string at key (undefined when missing), with Redis's errors for anything else. */
function lookupHll(ctx: Context, key: string): string | undefined {
  const s = ctx.db.lookupString(key);
  if (s !== undefined && hllEncoding(s) < 0) throw new CommandError(NOT_HLL);
  return s;
}

/** PFCOUNT and PFMERGE: the union of the keys' registers in unionRegisters; true if one was dense. */
function union(ctx: Context, argv: string[], from: number): boolean {
  const max = unionRegisters;
  max.fill(0);
  let dense = false;
  for (let i = from; i < argv.length; i++) {
    const s = lookupHll(ctx, argv[i]!);
    if (s === undefined) continue;
    if (s.charCodeAt(4) === DENSE) dense = true;
    if (!mergeInto(max, s)) throw new CommandError(CORRUPTED_HLL);
  }
  return dense;
}

export const hyperloglog: Implementations<typeof hyperloglogCommands> = {
  pfadd(ctx, argv) {
    const key = argv[1]!;
    const db = ctx.db;
    let s = lookupHll(ctx, key);
    let updated = false;
    if (s === undefined) {
      s = emptyHll();
      updated = true;
    }
    const encoding = s.charCodeAt(4);
    let w: HllWriter | null = null;
    let changed = false;
    let maxBytes = 0;
    for (let i = 2; i < argv.length; i++) {
      const count = patternOf(argv[i]!);
      const index = patternIndex;
      // Most adds to a busy HLL change nothing: decide that on the stored string, uncopied.
      if (w === null) {
        if (unchangedBy(s, encoding, index, count)) continue;
        w = new HllWriter(s);
        maxBytes = configOf(ctx.server).get(HLL_SPARSE_MAX_BYTES);
      }
      const r = w.set(index, count, maxBytes);
      if (r === 1) changed = updated = true;
      else if (r === -1) {
        // Redis edits the string in place: what the earlier elements changed stays, unannounced.
        if (changed) db.set(key, w.commit(), true);
        throw new CommandError(CORRUPTED_HLL);
      }
    }
    if (!updated) return 0;
    if (w === null) w = new HllWriter(s);
    w.invalidateCache();
    db.set(key, w.commit(), true);
    ctx.notify("pfadd", key, null);
    return 1;
  },

  pfcount(ctx, argv) {
    if (argv.length > 2) {
      union(ctx, argv, 1);
      return countRegisters(unionRegisters);
    }
    const key = argv[1]!;
    const s = lookupHll(ctx, key);
    if (s === undefined) return 0;
    const cached = cachedCardinality(s);
    if (cached !== -1) return cached;
    const card = countOf(s);
    if (card < 0) throw new CommandError(CORRUPTED_HLL);
    // The cache lives in the value's header: Redis writes it back, so GET shows it. No event,
    // as in Redis (which only counts it as a change for replicas and WATCH).
    ctx.db.set(key, withCachedCardinality(s, card), true);
    return card;
  },

  pfmerge(ctx, argv) {
    const dense = union(ctx, argv, 1);
    const key = argv[1]!;
    const db = ctx.db;
    const s = db.lookupString(key);
    const w = new HllWriter(s ?? emptyHll());
    if (dense && !w.toDense()) throw new CommandError(CORRUPTED_HLL);
    const max = unionRegisters;
    const maxBytes = configOf(ctx.server).get(HLL_SPARSE_MAX_BYTES);
    for (let i = 0; i < HLL_REGISTERS; i++) if (max[i] !== 0) w.set(i, max[i]!, maxBytes);
    w.invalidateCache();
    db.set(key, w.commit(), true);
    // PFMERGE announces itself as pfadd: Redis sees it as adding many elements at once.
    ctx.notify("pfadd", key, null);
    return OK;
  },

  pfdebug(ctx, argv) {
    const sub = argv[1]!;
    const key = argv[2]!;
    const db = ctx.db;
    const s = lookupHll(ctx, key);
    if (s === undefined) throw new CommandError(NO_SUCH_KEY);
    const w = new HllWriter(s);
    switch (sub.toLowerCase()) {
      case "getreg": {
        if (w.encoding === SPARSE) {
          if (!w.toDense()) throw new CommandError(CORRUPTED_HLL);
          // Redis keeps the dense form (and tells replicas), without an event.
          db.set(key, w.commit(), true);
        }
        const out: Reply[] = new Array(HLL_REGISTERS);
        for (let i = 0; i < HLL_REGISTERS; i++) out[i] = w.register(i);
        return out;
      }
      case "decode":
        if (w.encoding !== SPARSE) throw new CommandError(NOT_SPARSE);
        return w.decode();
      case "encoding":
        return new Status(w.encoding === DENSE ? "dense" : "sparse");
      case "todense":
        if (w.encoding !== SPARSE) return 0;
        if (!w.toDense()) throw new CommandError(CORRUPTED_HLL);
        db.set(key, w.commit(), true);
        return 1;
      default:
        throw new CommandError(`ERR Unknown PFDEBUG subcommand '${sub}'`);
    }
  },

  pfselftest(ctx) {
    const failed = selfTest(configOf(ctx.server).get(HLL_SPARSE_MAX_BYTES));
    if (failed !== null) throw new CommandError(failed);
    return OK;
  },
};
