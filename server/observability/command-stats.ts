// Per-command counters for INFO commandstats/latencystats/errorstats and /metrics: calls,
// time, failures, rejections and a latency histogram with fixed buckets. The dispatcher
// updates them on every command, so each update is a few increments in a preallocated slot
// (indexed by the command's table id), never a map lookup or an allocation.

/** Upper bounds of the latency buckets, in microseconds (the last bucket is everything above). */
export const LATENCY_BUCKETS_US: readonly number[] = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000];

export class CommandStat {
  calls = 0;
  /** Total time in microseconds (fractional). */
  usec = 0;
  /** Ran and answered an error. */
  failed = 0;
  /** Refused before running (arity, OOM, MISCONF, permissions). */
  rejected = 0;
  readonly buckets = new Float64Array(LATENCY_BUCKETS_US.length + 1);

  constructor(readonly name: string) {}

  record(us: number): void {
    this.calls++;
    this.usec += us;
    let i = 0;
    const bounds = LATENCY_BUCKETS_US;
    while (i < bounds.length && us > bounds[i]!) i++;
    this.buckets[i]!++;
  }

  /** The bucket bound at or above which `p` of the calls fall (an upper estimate, as buckets go). */
  percentile(p: number): number {
    if (this.calls === 0) return 0;
    const target = p * this.calls;
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target) return i < LATENCY_BUCKETS_US.length ? LATENCY_BUCKETS_US[i]! : Infinity;
    }
    return Infinity;
  }
}

export class CommandStats {
  private byId: (CommandStat | undefined)[] = [];
  /** Error replies by their code (the first word: ERR, WRONGTYPE, OOM...). */
  errors = new Map<string, number>();

  of(id: number, name: string): CommandStat {
    let s = this.byId[id];
    if (s === undefined) this.byId[id] = s = new CommandStat(name);
    return s;
  }

  countError(message: string): void {
    const space = message.indexOf(" ");
    const code = space < 0 ? message : message.slice(0, space);
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** Commands that were called or rejected at least once. */
  *used(): IterableIterator<CommandStat> {
    for (const s of this.byId) if (s !== undefined && (s.calls > 0 || s.rejected > 0)) yield s;
  }

  reset(): void {
    this.byId = [];
    this.errors = new Map();
  }
}
