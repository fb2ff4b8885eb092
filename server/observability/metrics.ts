// /metrics in Prometheus's text format. Everything is read from the server's own counters at
// scrape time (prom-client collect callbacks), so serving commands costs nothing extra; the
// per-command latency histogram comes from the dispatcher's fixed buckets and is written
// directly, since prom-client histograms can only be fed one observation at a time.
// One registry per server: embedded servers in one process do not mix their numbers.

import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { ServerState } from "../state.js";
import { clientExtras } from "../info.js";
import { LATENCY_BUCKETS_US } from "./command-stats.js";
import { datasetBytes } from "./memory-report.js";

export interface Metrics {
  readonly contentType: string;
  render(): Promise<string>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function histogramText(state: ServerState): string {
  const name = "keycast_command_duration_seconds";
  let out = `# HELP ${name} Time spent running each command, from the dispatcher's fixed buckets.\n# TYPE ${name} histogram\n`;
  for (const s of state.commandStats.used()) {
    const label = `command="${escapeLabel(s.name)}"`;
    let cumulative = 0;
    for (let i = 0; i < LATENCY_BUCKETS_US.length; i++) {
      cumulative += s.buckets[i]!;
      out += `${name}_bucket{${label},le="${LATENCY_BUCKETS_US[i]! / 1e6}"} ${cumulative}\n`;
    }
    out += `${name}_bucket{${label},le="+Inf"} ${s.calls}\n`;
    out += `${name}_sum{${label}} ${s.usec / 1e6}\n`;
    out += `${name}_count{${label}} ${s.calls}\n`;
  }
  return out;
}

/** Gateway mode: the events part's counters (GatewayEventStats), 0 until it has started. */
function gatewayMetrics(state: ServerState, r: { registers: Registry[] }): void {
  const stats = () => state.gateway?.events?.stats ?? null;
  new Gauge({
    name: "keycast_gateway_events_leader",
    help: "1 while this gateway holds the events lease and runs the leader's work.",
    ...r,
    collect() {
      this.set(stats()?.leader ? 1 : 0);
    },
  });
  const counters: [name: string, help: string, read: (s: NonNullable<ReturnType<typeof stats>>) => number][] = [
    ["keycast_gateway_events_appended_total", "Backend notifications this gateway appended to the shared event stream as leader.", (s) => s.appended],
    ["keycast_gateway_keys_touched_total", "Keys this gateway touched at their deadline as leader, so that the backend expires them on time.", (s) => s.touched],
    ["keycast_gateway_events_read_total", "Events this gateway read from the shared stream and delivered to its watchers.", (s) => s.read],
    ["keycast_gateway_history_restarts_total", "Times the shared event history restarted (new leader epoch, or a gap): watchers resync.", (s) => s.restarts],
  ];
  for (const [name, help, read] of counters) {
    new Counter({
      name,
      help,
      ...r,
      collect() {
        this.reset();
        const s = stats();
        if (s !== null) this.inc(read(s));
      },
    });
  }
}

export function createMetrics(state: ServerState): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const r = { registers: [registry] };

  new Gauge({
    name: "keycast_connections",
    help: "Open client connections, by transport.",
    labelNames: ["transport"],
    ...r,
    collect() {
      let resp = 0;
      for (const s of state.sessions.values()) if (s.transport === "resp") resp++;
      this.set({ transport: "resp" }, resp);
      this.set({ transport: "ws" }, state.sessions.size - resp);
    },
  });
  new Counter({
    name: "keycast_connections_received_total",
    help: "Connections accepted since the start.",
    ...r,
    collect() {
      this.reset();
      this.inc(state.stats.connectionsReceived);
    },
  });
  new Counter({
    name: "keycast_commands_total",
    help: "Commands run, by command.",
    labelNames: ["command"],
    ...r,
    collect() {
      this.reset();
      for (const s of state.commandStats.used()) this.inc({ command: s.name }, s.calls);
    },
  });
  new Counter({
    name: "keycast_command_failures_total",
    help: "Commands that ran and answered an error, by command.",
    labelNames: ["command"],
    ...r,
    collect() {
      this.reset();
      for (const s of state.commandStats.used()) if (s.failed > 0) this.inc({ command: s.name }, s.failed);
    },
  });
  new Counter({
    name: "keycast_command_rejections_total",
    help: "Commands refused before running (arity, permissions, OOM, MISCONF), by command.",
    labelNames: ["command"],
    ...r,
    collect() {
      this.reset();
      for (const s of state.commandStats.used()) if (s.rejected > 0) this.inc({ command: s.name }, s.rejected);
    },
  });
  new Counter({
    name: "keycast_errors_total",
    help: "Error replies, by error code (ERR, WRONGTYPE, OOM, ...).",
    labelNames: ["code"],
    ...r,
    collect() {
      this.reset();
      for (const [code, n] of state.commandStats.errors) this.inc({ code }, n);
    },
  });
  new Gauge({
    name: "keycast_keys",
    help: "Keys per database (including expired keys not removed yet).",
    labelNames: ["db"],
    ...r,
    collect() {
      this.reset();
      for (const db of state.keyspace.dbs) if (db.size > 0) this.set({ db: String(db.index) }, db.size);
    },
  });
  new Gauge({
    name: "keycast_keys_with_ttl",
    help: "Keys with a TTL per database.",
    labelNames: ["db"],
    ...r,
    collect() {
      this.reset();
      for (const db of state.keyspace.dbs) if (db.expires.size > 0) this.set({ db: String(db.index) }, db.expires.size);
    },
  });
  new Counter({
    name: "keycast_expired_keys_total",
    help: "Keys removed at their deadline.",
    ...r,
    collect() {
      this.reset();
      this.inc(state.keyspace.expiredKeys);
    },
  });
  new Counter({
    name: "keycast_evicted_keys_total",
    help: "Keys evicted by maxmemory.",
    ...r,
    collect() {
      this.reset();
      this.inc(state.stats.evictedKeys);
    },
  });
  new Gauge({
    name: "keycast_watchers",
    help: "Active watches (exact keys and patterns).",
    ...r,
    collect() {
      this.set(state.watchers.size);
    },
  });
  new Counter({
    name: "keycast_events_sent_total",
    help: "Watch event frames sent to connections.",
    ...r,
    collect() {
      this.reset();
      this.inc(state.watchers.eventsSent);
    },
  });
  new Counter({
    name: "keycast_events_dropped_total",
    help: "Watch events not sent because the connection was over its output limit or closing.",
    ...r,
    collect() {
      this.reset();
      this.inc(state.stats.eventsDropped);
    },
  });
  if (state.gateway !== null) gatewayMetrics(state, r);
  new Gauge({
    name: "keycast_history_offset",
    help: "Offset of the newest keyspace event (watch resume position).",
    ...r,
    collect() {
      this.set(state.history.offset);
    },
  });
  new Gauge({
    name: "keycast_output_buffer_bytes",
    help: "Reply and event bytes queued for clients, total and largest, by transport.",
    labelNames: ["transport", "stat"],
    ...r,
    collect() {
      const sum = { ws: 0, resp: 0 };
      const max = { ws: 0, resp: 0 };
      for (const s of state.sessions.values()) {
        const n = s.outputBytes?.() ?? clientExtras(s).outputBuffer();
        sum[s.transport] += n;
        if (n > max[s.transport]) max[s.transport] = n;
      }
      for (const t of ["ws", "resp"] as const) {
        this.set({ transport: t, stat: "total" }, sum[t]);
        this.set({ transport: t, stat: "max" }, max[t]);
      }
    },
  });
  new Gauge({
    name: "keycast_memory_dataset_bytes",
    help: "Estimated memory of keys, values and TTLs (what maxmemory limits).",
    ...r,
    collect() {
      this.set(datasetBytes(state));
    },
  });
  new Gauge({
    name: "keycast_maxmemory_bytes",
    help: "The maxmemory limit (0: none).",
    ...r,
    collect() {
      this.set(state.memory?.max ?? 0);
    },
  });
  new Gauge({
    name: "keycast_slowlog_entries",
    help: "Entries in SLOWLOG.",
    ...r,
    collect() {
      this.set(state.slowlog.length);
    },
  });
  new Gauge({
    name: "keycast_persistence_changes_since_save",
    help: "Writes since the last successful snapshot.",
    ...r,
    collect() {
      this.set(state.persistence?.changes ?? 0);
    },
  });
  new Gauge({
    name: "keycast_persistence_last_save_timestamp_seconds",
    help: "Unix time of the last successful snapshot (or of the start).",
    ...r,
    collect() {
      this.set(Math.floor((state.persistence?.lastSaveAt ?? state.startedAt) / 1000));
    },
  });
  new Gauge({
    name: "keycast_persistence_last_save_ok",
    help: "1 when the last background save succeeded.",
    ...r,
    collect() {
      this.set(state.persistence?.lastBgsaveOk === false ? 0 : 1);
    },
  });
  new Gauge({
    name: "keycast_aof_size_bytes",
    help: "Size of the append-only file (0 when off).",
    ...r,
    collect() {
      this.set(state.aof?.size ?? 0);
    },
  });
  new Gauge({
    name: "keycast_aof_write_ok",
    help: "1 unless writing the append-only file currently fails.",
    ...r,
    collect() {
      this.set(state.aof?.error ? 0 : 1);
    },
  });

  return {
    contentType: registry.contentType,
    async render() {
      return (await registry.metrics()) + histogramText(state);
    },
  };
}
