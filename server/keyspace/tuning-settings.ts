// Redis 7.0's tuning settings that deploy scripts and client libraries set: stored and
// reported with Redis's names, defaults, ranges and error texts, so `CONFIG SET` of a
// production redis.conf line succeeds. keycast has no event loop frequency, lazy freeing
// thread or allocator to defragment: these change nothing it does (docs/compatibility.md).

import { aliasSetting, choiceSetting, defineSetting, integerSetting, memorySetting, SettingError, yesNoSetting, type Setting } from "../config.js";

const INT_MAX = 2147483647;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

function startupOnly<T>(s: Setting<T>): Setting<T> {
  return defineSetting({ ...s, immutable: true });
}

/** Scripts are refused after this many ms of a busy script (kept for EVAL's issue). */
export const BUSY_REPLY_THRESHOLD = integerSetting("busy-reply-threshold", 5000, 0, LONG_MAX, "ms a script may run before other clients get BUSY (scripting)");
aliasSetting("lua-time-limit", BUSY_REPLY_THRESHOLD);

/** Redis clamps hz to 1..500 when it is set, and shows the clamped value. */
const hzBase = integerSetting("hz", 10, 0, INT_MAX, "Redis's background task frequency (stored; keycast's timers do not use it)");
defineSetting<number>({
  ...hzBase,
  parse: (raw) => Math.min(500, Math.max(1, hzBase.parse(raw))),
});
yesNoSetting("dynamic-hz", true, "Redis's adaptive hz (stored)");

for (const name of ["lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush"]) {
  yesNoSetting(name, false, "Redis frees values in a thread when yes (stored; keycast's collector frees them either way)");
}

const JEMALLOC_ONLY =
  "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution";
defineSetting<boolean>({
  name: "activedefrag",
  defaultValue: false,
  help: "active defragmentation: refused as by a Redis built without jemalloc (V8 compacts its heap itself)",
  parse(raw) {
    const v = raw.toLowerCase();
    if (v === "no") return false;
    if (v === "yes") throw new SettingError(JEMALLOC_ONLY);
    throw new SettingError("argument must be 'yes' or 'no'");
  },
  format: (v) => (v ? "yes" : "no"),
});
integerSetting("active-defrag-cycle-min", 1, 1, 99, "defragmentation CPU effort, minimum % (stored)");
integerSetting("active-defrag-cycle-max", 25, 1, 99, "defragmentation CPU effort, maximum % (stored)");
memorySetting("active-defrag-ignore-bytes", 104857600, 0, "fragmentation below which defragmentation does not start (stored)");
integerSetting("active-defrag-threshold-lower", 10, 0, 1000, "fragmentation % at which defragmentation starts (stored)");
integerSetting("active-defrag-threshold-upper", 100, 0, 1000, "fragmentation % at which defragmentation works hardest (stored)");
integerSetting("active-defrag-max-scan-fields", 1000, 1, LONG_MAX, "fields scanned per step of defragmentation (stored)");
integerSetting("active-expire-effort", 1, 1, 10, "effort of Redis's expiry cycle (stored; keycast expires keys on their deadline)");
yesNoSetting("activerehashing", true, "Redis's incremental rehashing (stored)");
integerSetting("maxmemory-eviction-tenacity", 10, 0, 100, "how long one command may evict (stored)");
integerSetting("tcp-keepalive", 300, 0, INT_MAX, "TCP keepalive of RESP connections, seconds (stored)");

memorySetting("stream-node-max-bytes", 4096, 0, "bytes per stream listpack node (streams)");
integerSetting("stream-node-max-entries", 100, 0, LONG_MAX, "entries per stream listpack node (streams)");

choiceSetting("sanitize-dump-payload", "no", ["no", "yes", "clients"] as const, "deep checks of RESTORE payloads: keycast always checks them fully");
startupOnly(yesNoSetting("rdbchecksum", true, "RDB checksums (start-up only, as in Redis)"));
startupOnly(integerSetting("tcp-backlog", 511, 0, INT_MAX, "listen backlog (start-up only)"));
startupOnly(integerSetting("io-threads", 1, 1, 128, "Redis's I/O threads (start-up only; keycast is one thread)"));
