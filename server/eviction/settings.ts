// maxmemory and its eviction settings, with Redis's names, defaults and errors.

import { choiceSetting, integerSetting, memorySetting } from "../config.js";

export const POLICIES = ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"] as const;
export type Policy = (typeof POLICIES)[number];

// Changing maxmemory or its policy reconfigures the guard: server/eviction/guard.ts attaches
// that (`apply`) so that this file, which the guard reads, does not import it back.
export const MAXMEMORY = memorySetting("maxmemory", 0, 0, "memory limit for keys and values (estimated, see docs/operations.md); 0 = no limit");

export const MAXMEMORY_POLICY = choiceSetting<Policy>(
  "maxmemory-policy",
  "noeviction",
  POLICIES,
  "what happens at maxmemory: noeviction (writes get OOM errors) or which keys are evicted",
);
export const MAXMEMORY_SAMPLES = integerSetting("maxmemory-samples", 5, 1, 2147483647, "keys sampled per eviction (more is closer to true LRU/LFU, and slower)");
export const LFU_LOG_FACTOR = integerSetting("lfu-log-factor", 10, 0, 2147483647, "how slowly the LFU counter grows with hits");
export const LFU_DECAY_TIME = integerSetting("lfu-decay-time", 1, 0, 2147483647, "minutes of no access after which the LFU counter drops by one (0: never)");

