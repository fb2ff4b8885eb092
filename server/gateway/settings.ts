// The gateway's settings: `backend` (and `backend-cluster`) turn keycast into a gateway over a
// Redis / Valkey server or a Redis Cluster. Set at start only: a config file, KEYCAST_BACKEND,
// or `--backend`.

import { defineSetting, SettingError, yesNoSetting } from "../config.js";
import { parseBackend } from "./spec.js";

export const BACKEND = defineSetting<string>({
  name: "backend",
  defaultValue: "",
  immutable: true,
  help: "gateway mode: keep the data in this Redis / Valkey (redis://[user:pass@]host:port[/db], rediss:// for TLS) or Redis Cluster (redis-cluster://host:port,host:port); empty: keycast holds the data itself",
  parse(raw) {
    const v = raw.trim();
    if (v === "") return "";
    try {
      parseBackend(v, true);
    } catch (e) {
      throw new SettingError((e as Error).message);
    }
    return v;
  },
  format: (v) => v,
});

export const BACKEND_CLUSTER = yesNoSetting("backend-cluster", false, "read the backend setting as Redis Cluster seed nodes (the same as writing redis-cluster://)", {
  immutable: true,
});
