// INFO's sections and CLIENT LIST's lines, with Redis 7's field names so that tools that
// parse them (redis-cli, ioredis's ready check reading `loading`, monitoring agents) work.
//
// redis_version reports 7.0.15, the Redis release whose behaviour keycast follows: clients
// gate features on it (RESP3, 7.x command forms), so it must be a 7.x they recognise.
// keycast_version says what is really running.

import { randomBytes } from "node:crypto";
import os from "node:os";
import type { Session } from "./context.js";
import { configOf, PORT } from "./config.js";
import type { ServerState } from "./state.js";
import { transactionOf } from "./transactions.js";
import { SERVER_VERSION } from "./version.js";
import { datasetBytes } from "./observability/memory-report.js";

export const REDIS_VERSION = "7.0.15";

/** Per-connection details that CLIENT LIST shows beyond the Session's fields. */
export interface ClientExtras {
  /** Local address of the connection, "ip:port". */
  laddr: string;
  libName: string;
  libVer: string;
  noEvict: boolean;
  /** Bytes of unparsed input held for the connection, when the transport knows it. */
  queryBuffer(): number;
  /** Bytes of replies not yet written to the socket. */
  outputBuffer(): number;
}

const extras = new WeakMap<Session, ClientExtras>();

export function clientExtras(session: Session): ClientExtras {
  let e = extras.get(session);
  if (e === undefined) {
    e = { laddr: "", libName: "", libVer: "", noEvict: false, queryBuffer: () => 0, outputBuffer: () => 0 };
    extras.set(session, e);
  }
  return e;
}

/** One CLIENT LIST / CLIENT INFO line, without the newline. */
export function clientLine(session: Session, now: number): string {
  const e = clientExtras(session);
  const queued = transactionOf(session)?.queue;
  const flags = (queued ? "x" : "") + (e.noEvict ? "e" : "") || "N";
  return (
    `id=${session.id} addr=${session.addr} laddr=${e.laddr} fd=-1 name=${session.name ?? ""}` +
    ` age=${Math.floor((now - session.createdAt) / 1000)} idle=${Math.floor((now - session.lastActiveAt) / 1000)}` +
    ` flags=${flags} db=${session.db} sub=0 psub=0 ssub=0 multi=${queued ? queued.length : -1}` +
    ` qbuf=${e.queryBuffer()} qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=${session.outputBytes?.() ?? e.outputBuffer()} tot-mem=0` +
    ` events=r cmd=${session.lastCommand} user=${session.user?.name ?? "default"} redir=-1 resp=${session.resp}` +
    ` lib-name=${e.libName} lib-ver=${e.libVer} transport=${session.transport}`
  );
}

const runIds = new WeakMap<ServerState, string>();
const peaks = new WeakMap<ServerState, number>();

function human(bytes: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes}B` : `${v.toFixed(2)}${units[u]}`;
}

type Fields = [string, string | number][];

function serverSection(state: ServerState, now: number): Fields {
  let runId = runIds.get(state);
  if (runId === undefined) runIds.set(state, (runId = randomBytes(20).toString("hex")));
  const uptime = Math.floor((now - state.startedAt) / 1000);
  return [
    ["redis_version", REDIS_VERSION],
    ["keycast_version", SERVER_VERSION],
    ["redis_mode", "standalone"],
    ["os", `${os.type()} ${os.release()} ${os.arch()}`],
    ["arch_bits", process.arch.endsWith("64") ? 64 : 32],
    ["multiplexing_api", "node"],
    ["node_version", process.versions.node],
    ["process_id", process.pid],
    ["run_id", runId],
    ["tcp_port", configOf(state).get(PORT)],
    ["server_time_usec", now * 1000],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["executable", process.argv[1] ?? ""],
    ["config_file", state.configFile ?? ""],
  ];
}

function clientsSection(state: ServerState): Fields {
  let resp = 0;
  for (const s of state.sessions.values()) if (s.transport === "resp") resp++;
  return [
    ["connected_clients", state.sessions.size],
    ["resp_clients", resp],
    ["websocket_clients", state.sessions.size - resp],
    ["blocked_clients", state.blocking.blockedClients],
  ];
}

function memorySection(state: ServerState): Fields {
  const m = process.memoryUsage();
  const used = m.heapUsed + m.external;
  const peak = Math.max(peaks.get(state) ?? 0, used);
  const dataset = datasetBytes(state);
  peaks.set(state, peak);
  return [
    ["used_memory", used],
    ["used_memory_human", human(used)],
    ["used_memory_rss", m.rss],
    ["used_memory_rss_human", human(m.rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", human(peak)],
    ["used_memory_dataset", dataset],
    ["used_memory_dataset_human", human(dataset)],
    ["total_system_memory", os.totalmem()],
    ["total_system_memory_human", human(os.totalmem())],
    ["maxmemory", state.memory?.max ?? 0],
    ["maxmemory_human", human(state.memory?.max ?? 0)],
    ["maxmemory_policy", state.memory?.policy ?? state.config.get("maxmemory-policy") ?? "noeviction"],
    ["mem_allocator", "v8"],
  ];
}

function persistenceSection(state: ServerState, now: number): Fields {
  const p = state.persistence;
  const job = p?.job ?? null;
  const save = job?.kind === "save" ? job : null;
  const rewrite = job?.kind === "rewrite" ? job : null;
  const aof = state.aof;
  const secs = (ms: number) => (ms < 0 ? -1 : Math.round(ms / 1000));
  const fields: Fields = [
    ["loading", p?.loading ? 1 : 0],
    ["async_loading", 0],
    ["current_save_keys_processed", job?.keys() ?? 0],
    ["rdb_changes_since_last_save", p?.changes ?? 0],
    ["rdb_bgsave_in_progress", save ? 1 : 0],
    ["rdb_last_save_time", Math.floor((p?.lastSaveAt ?? state.startedAt) / 1000)],
    ["rdb_last_bgsave_status", p?.lastBgsaveOk === false ? "err" : "ok"],
    ["rdb_last_bgsave_time_sec", secs(p?.lastBgsaveMs ?? -1)],
    ["rdb_current_bgsave_time_sec", save ? secs(now - save.startedAt) : -1],
    ["rdb_saves", p?.saves ?? 0],
    ["rdb_last_load_keys_loaded", p?.loadedKeys ?? 0],
    ["aof_enabled", aof !== null ? 1 : 0],
    ["aof_rewrite_in_progress", rewrite ? 1 : 0],
    ["aof_rewrite_scheduled", p?.rewriteScheduled ? 1 : 0],
    ["aof_last_rewrite_time_sec", secs(p?.lastRewriteMs ?? -1)],
    ["aof_current_rewrite_time_sec", rewrite ? secs(now - rewrite.startedAt) : -1],
    ["aof_last_bgrewrite_status", p?.lastRewriteOk === false ? "err" : "ok"],
    ["aof_rewrites", p?.rewrites ?? 0],
    ["aof_last_write_status", aof?.error ? "err" : "ok"],
  ];
  if (aof !== null) fields.push(["aof_current_size", aof.size], ["aof_base_size", aof.baseSize]);
  fields.push(["keycast_loaded_from", p?.loadedFrom ?? "none"], ["keycast_history_epoch", state.history.epoch], ["keycast_history_offset", state.history.offset]);
  return fields;
}

function statsSection(state: ServerState): Fields {
  const s = state.stats;
  return [
    ["total_connections_received", s.connectionsReceived],
    ["total_commands_processed", s.commands],
    ["rejected_connections", s.rejectedConnections],
    ["expired_keys", state.keyspace.expiredKeys],
    ["total_keyspace_events", state.history.offset],
    ["evicted_keys", s.evictedKeys],
    ["total_error_replies", s.errorReplies],
  ];
}

/** Gateway mode only: the backend's role and the events part's counters. */
function gatewaySection(state: ServerState): Fields {
  const gw = state.gateway;
  if (gw === null) return [["gateway_mode", 0]];
  const ev = gw.events?.stats ?? null;
  return [
    ["gateway_mode", 1],
    ["gateway_events", ev === null ? "off" : "on"],
    ["gateway_events_leader", ev?.leader ? 1 : 0],
    ["gateway_events_appended", ev?.appended ?? 0],
    ["gateway_keys_touched", ev?.touched ?? 0],
    ["gateway_touches_early", ev?.early ?? 0],
    ["gateway_events_read", ev?.read ?? 0],
    ["gateway_history_restarts", ev?.restarts ?? 0],
  ];
}

function replicationSection(): Fields {
  return [
    ["role", "master"],
    ["connected_slaves", 0],
  ];
}

function cpuSection(): Fields {
  const cpu = process.cpuUsage();
  return [
    ["used_cpu_sys", (cpu.system / 1e6).toFixed(6)],
    ["used_cpu_user", (cpu.user / 1e6).toFixed(6)],
  ];
}

/** How many deadlines to average for avg_ttl: Redis estimates it too. */
const TTL_SAMPLE = 1000;

function keyspaceSection(state: ServerState, now: number): Fields {
  const out: Fields = [];
  for (const db of state.keyspace.dbs) {
    if (db.size === 0) continue;
    let sum = 0;
    let n = 0;
    for (const slot of db.expires.values()) {
      const at = state.keyspace.deadlines.atOf(slot);
      if (at > now) {
        sum += at - now;
        n++;
      }
      if (n >= TTL_SAMPLE) break;
    }
    out.push([`db${db.index}`, `keys=${db.size},expires=${db.expires.size},avg_ttl=${n ? Math.round(sum / n) : 0}`]);
  }
  return out;
}

function commandstatsSection(state: ServerState): Fields {
  const out: Fields = [];
  for (const c of state.commandStats.used()) {
    const perCall = c.calls > 0 ? (c.usec / c.calls).toFixed(2) : "0.00";
    out.push([`cmdstat_${c.name}`, `calls=${c.calls},usec=${Math.round(c.usec)},usec_per_call=${perCall},rejected_calls=${c.rejected},failed_calls=${c.failed}`]);
  }
  return out;
}

function errorstatsSection(state: ServerState): Fields {
  const out: Fields = [];
  for (const [code, n] of state.commandStats.errors) out.push([`errorstat_${code}`, `count=${n}`]);
  return out;
}

/** Percentiles from the fixed latency buckets: each is the bound of the bucket it falls in. */
function latencystatsSection(state: ServerState): Fields {
  const out: Fields = [];
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "inf");
  for (const c of state.commandStats.used()) {
    if (c.calls === 0) continue;
    out.push([`latency_percentiles_usec_${c.name}`, `p50=${fmt(c.percentile(0.5))},p99=${fmt(c.percentile(0.99))},p99.9=${fmt(c.percentile(0.999))}`]);
  }
  return out;
}

const SECTIONS: Record<string, [title: string, (state: ServerState, now: number) => Fields]> = {
  server: ["Server", serverSection],
  clients: ["Clients", clientsSection],
  memory: ["Memory", memorySection],
  persistence: ["Persistence", persistenceSection],
  stats: ["Stats", statsSection],
  replication: ["Replication", replicationSection],
  cpu: ["CPU", cpuSection],
  modules: ["Modules", () => []],
  errorstats: ["Errorstats", errorstatsSection],
  cluster: ["Cluster", () => [["cluster_enabled", 0]]],
  keyspace: ["Keyspace", keyspaceSection],
  gateway: ["Gateway", gatewaySection],
  commandstats: ["Commandstats", commandstatsSection],
  latencystats: ["Latencystats", latencystatsSection],
};
/** Redis's default set; "all" adds commandstats and latencystats; "everything" adds modules too. */
const DEFAULT_SECTIONS = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "errorstats", "cluster", "keyspace"];
const ALL_SECTIONS = [...DEFAULT_SECTIONS, "commandstats", "latencystats"];
const ORDER = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace", "gateway", "commandstats", "latencystats"];

/** INFO's text for the requested sections (lower-case names, or "default"/"all"/"everything"). */
export function infoText(state: ServerState, requested: readonly string[], now: number): string {
  const names = new Set<string>();
  if (requested.length === 0) requested = ["default"];
  for (const r of requested) {
    const name = r.toLowerCase();
    if (name === "default") for (const d of DEFAULT_SECTIONS) names.add(d);
    else if (name === "all") for (const d of ALL_SECTIONS) names.add(d);
    else if (name === "everything") for (const d of ORDER) names.add(d);
    else if (name in SECTIONS) names.add(name);
  }
  // keycast's own section, in the default set only where it says something (gateway mode).
  if (state.gateway !== null && requested.some((r) => ["default", "all", "everything"].includes(r.toLowerCase()))) names.add("gateway");
  const parts: string[] = [];
  for (const name of ORDER) {
    if (!names.has(name)) continue;
    const [title, fields] = SECTIONS[name]!;
    let text = `# ${title}\r\n`;
    for (const [k, v] of fields(state, now)) text += `${k}:${v}\r\n`;
    parts.push(text);
  }
  return parts.join("\r\n");
}
