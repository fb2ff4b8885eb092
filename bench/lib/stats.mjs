// Summaries of samples: percentiles of latencies, and the median and spread of repetitions.

/** Milliseconds on the machine's monotonic clock, comparable between processes (CLOCK_MONOTONIC). */
export function hrms() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Wall-clock milliseconds with sub-millisecond resolution (for deadlines set as PXAT). */
export function wallms() {
  return performance.timeOrigin + performance.now();
}

/** The p-th percentile (0..100) of a sorted array, nearest-rank. */
export function percentile(sorted, p) {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n - 1, Math.max(0, rank - 1))];
}

/** p50, p99 and max of a set of samples (a typed array is sorted in place). */
export function latencySummary(samples) {
  const sorted = samples instanceof Float64Array || samples instanceof Float32Array ? samples.sort() : Float64Array.from(samples).sort();
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** Concatenates typed arrays of samples (from several load-generator processes). */
export function concatSamples(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Float64Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** (max - min) / median of the repetitions: 0.05 means the runs were within 5% of each other. */
export function spread(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length < 2) return 0;
  const m = median(v);
  return m === 0 ? 0 : (Math.max(...v) - Math.min(...v)) / Math.abs(m);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
