// The dataset's estimated memory for INFO and /metrics. While maxmemory is set the guard keeps
// an exact running total of the estimates; otherwise it is extrapolated from the first keys of
// each database, so a scrape costs the same at a thousand keys and at ten million.

import { keyBytes } from "../eviction/estimate.js";
import type { ServerState } from "../state.js";

const SAMPLE_KEYS = 1000;

export function datasetBytes(state: ServerState): number {
  if (state.memory !== null) return state.memory.used;
  let total = 0;
  for (const db of state.keyspace.dbs) {
    const n = db.data.size;
    if (n === 0) continue;
    let sum = 0;
    let seen = 0;
    for (const [key, v] of db.data) {
      sum += keyBytes(key, v, db.expires.size !== 0 && db.expires.has(key));
      if (++seen === SAMPLE_KEYS) break;
    }
    total += (sum / seen) * n;
  }
  return Math.round(total);
}
