// Persistence settings, with Redis's names, defaults (persistence is off by default, unlike
// Redis) and error texts. The persistence manager reads them when it needs them, and is told
// of run-time changes to the ones that start or stop something.

import fs from "node:fs";
import path from "node:path";
import { choiceSetting, defineSetting, integerSetting, memorySetting, SettingError, yesNoSetting } from "../config.js";
import type { ServerState } from "../state.js";
import type { FsyncPolicy } from "./aof.js";

/** One `save <seconds> <changes>` rule. */
export interface SaveRule {
  seconds: number;
  changes: number;
}

export const SAVE = defineSetting<SaveRule[]>({
  name: "save",
  defaultValue: [],
  help: 'snapshot rules "<seconds> <changes> ...": save when at least <changes> writes happened in <seconds>; "" disables',
  parse(raw) {
    const words = raw.trim() === "" ? [] : raw.trim().split(/\s+/);
    if (words.length % 2 !== 0) throw new SettingError("Invalid save parameters");
    const rules: SaveRule[] = [];
    for (let i = 0; i < words.length; i += 2) {
      if (!/^\d+$/.test(words[i]!) || !/^\d+$/.test(words[i + 1]!)) throw new SettingError("Invalid save parameters");
      rules.push({ seconds: Number(words[i]), changes: Number(words[i + 1]) });
    }
    return rules;
  },
  format: (rules) => rules.map((r) => `${r.seconds} ${r.changes}`).join(" "),
});

export const APPENDONLY = yesNoSetting("appendonly", false, "keep an append-only log of every write and replay it at start", {
  apply(state: ServerState, on: boolean) {
    state.persistence?.appendOnlyChanged(on);
  },
});

export const APPENDFSYNC = choiceSetting<FsyncPolicy>("appendfsync", "everysec", ["always", "everysec", "no"], "when the log is fsynced: always (before each reply), everysec, or no (left to the OS)", {
  apply(state: ServerState, policy: FsyncPolicy) {
    state.persistence?.fsyncChanged(policy);
  },
});

function fileName(name: string, defaultValue: string, help: string, more: { immutable?: boolean; protected?: boolean }) {
  return defineSetting<string>({
    name,
    defaultValue,
    help,
    ...more,
    parse(raw) {
      if (raw === "" || raw.includes("/") || raw.includes("\\") || raw === "." || raw === "..") {
        throw new SettingError(`${name} can't be a path, just a filename`);
      }
      return raw;
    },
    format: (v) => v,
  });
}

export const APPENDFILENAME = fileName("appendfilename", "keycast.aof", "append-only log file name, in dir", { immutable: true });
export const DBFILENAME = fileName("dbfilename", "dump.kcs", "snapshot file name, in dir", { protected: true });

export const DIR = defineSetting<string>({
  name: "dir",
  defaultValue: ".",
  protected: true,
  help: "directory of the snapshot and the append-only log (must exist)",
  parse(raw) {
    let st: fs.Stats;
    try {
      st = fs.statSync(raw);
    } catch {
      throw new SettingError(`No such file or directory: '${raw}'`);
    }
    if (!st.isDirectory()) throw new SettingError(`Not a directory: '${raw}'`);
    return path.resolve(raw);
  },
  format: (v) => (v === "." ? path.resolve(".") : v),
});

export const AUTO_AOF_REWRITE_PERCENTAGE = integerSetting(
  "auto-aof-rewrite-percentage",
  100,
  0,
  2147483647,
  "rewrite the log when it grew by this percentage over its size after the last rewrite (0 disables)",
);
export const AUTO_AOF_REWRITE_MIN_SIZE = memorySetting("auto-aof-rewrite-min-size", 64 * 1024 * 1024, 0, "no automatic rewrite below this log size");
export const AOF_LOAD_TRUNCATED = yesNoSetting(
  "aof-load-truncated",
  true,
  "load a log whose last record was cut short by a crash (with a warning) instead of refusing to start",
);
export const STOP_WRITES_ON_BGSAVE_ERROR = yesNoSetting(
  "stop-writes-on-bgsave-error",
  true,
  "refuse writes (MISCONF) while the last background save failed and snapshot rules are set",
  {
    apply(state: ServerState) {
      state.persistence?.refreshRefusal();
    },
  },
);
export const SHUTDOWN_TIMEOUT = integerSetting("shutdown-timeout", 10, 0, 2147483647, "seconds a graceful shutdown waits for clients to close before cutting them off");
