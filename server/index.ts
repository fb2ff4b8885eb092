// The embeddable server: `import { startServer } from "keycast/server"`.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Server } from "node:net";
import { once } from "node:events";
import { BIND, configOf, HTTP_PORT, PORT, WS_PORT } from "./config.js";
import { applySettings, type RawSetting } from "./config-file.js";
import { MemoryGuard } from "./eviction/guard.js";
import { handleOpsRequest } from "./observability/http.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { createMetrics } from "./observability/metrics.js";
import { Persistence } from "./persistence/manager.js";
import { SHUTDOWN_TIMEOUT } from "./persistence/settings.js";
import { createDashboard, type DashboardOptions } from "./dashboard/handler.js";
import { dispatcher } from "./dispatch.js";
import { ServerState } from "./state.js";
import { prepareSecurity, SecurityConfigError, type PreparedSecurity, type SecurityOptions } from "./auth/setup.js";
import { startSweeper } from "./limits/sweeper.js";
import { createRespServer } from "./transports/resp.js";
import { attachWebSocket } from "./transports/ws-server.js";
import { BACKEND, BACKEND_CLUSTER } from "./gateway/settings.js";
import { parseBackend, type BackendSpec } from "./gateway/spec.js";
import { APPENDONLY, SAVE } from "./persistence/settings.js";

/** Security options (users, tokens, TLS, origins, protected mode, limits) are in SecurityOptions: docs/security.md. */
export interface ServerOptions extends SecurityOptions {
  /** Address to bind. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** WebSocket and HTTP port. Default 7379; 0 picks a free port. */
  port?: number;
  /**
   * Redis protocol (RESP2/RESP3) port. Default 6380, beside a real Redis's 6379; 0 picks a free
   * port, and so does leaving it out when `port` is 0 (tests); null or "off" disables it.
   */
  respPort?: number | null | "off";
  /** Largest WebSocket frame accepted, in bytes. Default 16 MiB. */
  maxFrameBytes?: number;
  /** Most commands in one batch. Default 100,000. */
  maxBatchCommands?: number;
  /** Bytes queued for a slow reader before it is disconnected. Default 32 MiB. */
  maxOutputBytes?: number;
  /** Most keys a pattern watch's snapshot may hold. Default 10,000. */
  maxSnapshotKeys?: number;
  /** Most watches plus subscriptions per WebSocket connection. Default 1,000. */
  maxWatchesPerConnection?: number;
  /** Event history for resume: events kept and their age. Default 10,000 events, 5 minutes. */
  history?: { maxEvents?: number; maxAgeMs?: number };
  /**
   * The web dashboard at /dashboard/ on the HTTP port. Default on; false turns it off. Off a
   * loopback bind it must sit behind authentication (docs/dashboard.md).
   */
  dashboard?: boolean | DashboardOptions;
  /**
   * Settings by name, as a config file writes them (`{ appendonly: "yes", dir: "/data",
   * maxmemory: "100mb" }`): docs/operations.md lists them. `host`, `port` and `respPort`
   * above win over bind, ws-port and port here.
   */
  settings?: Readonly<Record<string, string>> | ReadonlyMap<string, RawSetting>;
  /** Where logs go. Default: warnings and errors, as JSON on stderr (the CLI logs per loglevel). */
  logger?: Logger;
  /** Cut a damaged append-only file at its first bad record instead of refusing to start. */
  repairAof?: boolean;
  /** The config file the settings came from: CONFIG REWRITE writes to it. */
  configFile?: string;
  /**
   * Gateway mode: keep no keyspace, forward commands to this Redis / Valkey server or Redis
   * Cluster (`redis://[user:pass@]host:port[/db]`, `rediss://...`, `redis-cluster://h1:p1,h2:p2`;
   * also the `backend` setting). The Redis protocol listener is off and persistence settings
   * are refused: the backend keeps the data (docs/scale-out.md).
   */
  backend?: string | BackendSpec;
}

/** How a stop treats persistence: as configured, with a final snapshot, or without one. */
export type ShutdownMode = "default" | "save" | "nosave";

export interface RunningServer {
  /** The WebSocket/HTTP port actually bound. */
  readonly port: number;
  /** The RESP port actually bound, or null when disabled. */
  readonly respPort: number | null;
  /** The RESP-over-TLS port actually bound, or null when disabled. */
  readonly tlsPort: number | null;
  /** The ws:// address clients connect to. */
  readonly url: string;
  readonly host: string;
  /** The server's state, for embedding and tests. */
  readonly state: ServerState;
  /** The port serving /healthz, /readyz and /metrics when http-port is set, else null (they are on `port`). */
  readonly httpPort: number | null;
  /**
   * Stops gracefully: stops accepting, tells WebSocket clients (1001, "server shutting down"),
   * waits for them up to `graceMs` (default 2 s), saves per `mode` (default: as configured),
   * closes every connection and frees the ports.
   */
  close(options?: { mode?: ShutdownMode; graceMs?: number }): Promise<void>;
  /** Settles once the server has stopped, however it was stopped (close, SHUTDOWN). */
  readonly closed: Promise<void>;
}

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 7379,
  respPort: 6380,
  maxFrameBytes: 16 * 1024 * 1024,
  maxBatchCommands: 100_000,
  maxOutputBytes: 32 * 1024 * 1024,
  maxSnapshotKeys: 10_000,
  maxWatchesPerConnection: 1_000,
} as const;

export class ListenError extends Error {}

async function listen(server: Server, port: number, host: string, what: string): Promise<number> {
  server.listen(port, host);
  try {
    await once(server, "listening");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "EADDRINUSE" ? "address already in use" : err.code === "EACCES" ? "permission denied" : err.message;
    throw new ListenError(`cannot listen for ${what} on ${host}:${port}: ${why}`);
  }
  const addr = server.address();
  return typeof addr === "object" && addr ? addr.port : port;
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const state = new ServerState({ history: options.history, dispatcher });
  state.logger = options.logger ?? createLogger({ level: "warning", stderr: true });
  state.configFile = options.configFile ?? null;
  const config = configOf(state);
  const given = options.settings instanceof Map ? new Set(options.settings.keys()) : new Set(Object.keys(options.settings ?? {}));
  if (options.settings) applySettings(state, options.settings);
  const host = options.host ?? (given.has("bind") ? config.get(BIND) : DEFAULTS.host);
  let security: PreparedSecurity;
  try {
    security = prepareSecurity(state, options, host);
  } catch (e) {
    state.close();
    if (e instanceof SecurityConfigError) throw new ListenError(e.message);
    throw e;
  }
  let backend: BackendSpec | null;
  try {
    backend = gatewayBackend(options, config.get(BACKEND), config.get(BACKEND_CLUSTER));
    if (backend !== null) checkGatewaySettings(options, config.get(APPENDONLY), config.get(SAVE).length > 0, given.has("port") && String(config.get(PORT)) !== "off");
  } catch (e) {
    state.close();
    throw new ListenError((e as Error).message);
  }
  // Data comes back before anything listens: clients never see a half-loaded keyspace.
  const persistence = new Persistence(state, state.logger, { repairAof: options.repairAof });
  try {
    // A gateway keeps no data of its own: nothing to load, no log (persistence stays closed).
    if (backend === null) persistence.open();
    else await startGateway(state, backend);
  } catch (e) {
    await persistence.close();
    state.close();
    throw e;
  }
  MemoryGuard.configure(state);
  const ws = attachWebSocket(state, {
    tokens: security.tokens,
    allowedOrigins: security.allowedOrigins,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxBatchCommands: options.maxBatchCommands ?? DEFAULTS.maxBatchCommands,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
    maxSnapshotKeys: options.maxSnapshotKeys ?? DEFAULTS.maxSnapshotKeys,
    maxWatchesPerConnection: options.maxWatchesPerConnection ?? DEFAULTS.maxWatchesPerConnection,
  });
  const dashboard = options.dashboard === false ? null : createDashboard(options.dashboard === true ? {} : options.dashboard);
  const metrics = createMetrics(state);
  const separateOps = config.get(HTTP_PORT) !== "";
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (!separateOps && handleOpsRequest(state, metrics, req, res)) return;
    if (dashboard?.(req, res)) return;
    res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" }).end("keycast: connect with a WebSocket client\n");
  };
  const tls = security.tls;
  // Node checks the headers timeout only every connectionsCheckingInterval (30 s by default).
  const httpOptions = { connectionsCheckingInterval: Math.min(1000, security.handshakeTimeoutMs) };
  const http = tls
    ? createHttpsServer({ ...httpOptions, ...tls, handshakeTimeout: security.handshakeTimeoutMs }, onRequest)
    : createServer(httpOptions, onRequest);
  // A slow or silent client cannot hold a half-open upgrade for long.
  http.headersTimeout = security.handshakeTimeoutMs;
  http.requestTimeout = security.handshakeTimeoutMs;
  http.on("upgrade", ws.upgrade);
  const respOptions = { maxOutputBytes: options.maxOutputBytes ?? DEFAULTS.maxOutputBytes };
  const resp = createRespServer(state, respOptions);
  const tlsResp = tls && security.tlsPort !== null ? createRespServer(state, respOptions, { ...tls, handshakeTimeoutMs: security.handshakeTimeoutMs }) : null;
  const wantedPort = options.port ?? (given.has("ws-port") ? Number(config.get(WS_PORT)) : DEFAULTS.port);
  const respSetting = given.has("port") ? config.get(PORT) : null;
  const wantedResp =
    backend !== null
      ? null
      : options.respPort !== undefined
      ? options.respPort === "off"
        ? null
        : options.respPort
      : respSetting !== null
        ? respSetting === "off"
          ? null
          : Number(respSetting)
        : wantedPort === 0
          ? 0
          : DEFAULTS.respPort;
  const opsHttp = separateOps
    ? createServer((req, res) => {
        if (!handleOpsRequest(state, metrics, req, res)) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      })
    : null;
  let port: number;
  let respPort: number | null = null;
  let tlsPort: number | null = null;
  let httpPort: number | null = null;
  try {
    if (opsHttp !== null) httpPort = await listen(opsHttp, Number(config.get(HTTP_PORT)), host, "HTTP (/healthz, /metrics)");
    port = await listen(http, wantedPort, host, "WebSocket");
    if (wantedResp !== null) respPort = await listen(resp.server, wantedResp, host, "the Redis protocol");
    if (tlsResp !== null) tlsPort = await listen(tlsResp.server, security.tlsPort!, host, "the Redis protocol over TLS");
  } catch (e) {
    http.close();
    opsHttp?.close();
    resp.close();
    tlsResp?.close();
    await persistence.cancelStart();
    await state.gateway?.close();
    state.close();
    throw e;
  }
  const url = `${tls ? "wss" : "ws"}://${formatHost(host)}:${port}`;
  state.listeners.ws = url;
  config.set(BIND, host);
  config.set(WS_PORT, String(port));
  if (respPort !== null) {
    state.listeners.resp = `resp://${formatHost(host)}:${respPort}`;
    config.set(PORT, String(respPort));
  }
  const stopSweeper = startSweeper(state);
  let closing: Promise<void> | null = null;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  /**
   * The graceful stop: stop accepting; RESP connections get their queued replies and a close;
   * WebSocket clients get 1001 and `graceMs` to finish; then, in one synchronous step (so no
   * command can slip in after it), the log is flushed and the final snapshot written unless
   * the caller already saved, and every connection still open is cut.
   */
  const stop = (mode: ShutdownMode, graceMs: number, persisted: boolean): Promise<void> => {
    closing ??= (async () => {
      state.notReady = true;
      stopSweeper();
      http.close();
      opsHttp?.close();
      resp.close(true);
      tlsResp?.close(true);
      ws.close();
      const until = Date.now() + graceMs;
      while (ws.wss.clients.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      if (!persisted) {
        try {
          persistence.shutdown(mode);
        } catch (e) {
          state.logger.error({ err: e }, "the final save failed");
        }
      }
      for (const c of ws.wss.clients) c.terminate();
      resp.close();
      tlsResp?.close();
      http.closeAllConnections();
      opsHttp?.closeAllConnections();
      await persistence.close();
      await state.gateway?.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      state.close();
      state.logger.info("keycast stopped");
      markClosed();
    })();
    return closing;
  };
  state.stop = (reason, persisted = false) => {
    state.logger.info({ reason }, "shutting down");
    return stop("default", configOf(state).get(SHUTDOWN_TIMEOUT) * 1000, persisted);
  };
  return {
    port,
    respPort,
    tlsPort,
    httpPort,
    url,
    host,
    state,
    closed,
    close(opts = {}) {
      return stop(opts.mode ?? "default", opts.graceMs ?? 2000, false);
    },
  };
}

/** The backend of gateway mode, from the option or the `backend` setting; null for standalone. */
function gatewayBackend(options: ServerOptions, setting: string, cluster: boolean): BackendSpec | null {
  if (options.backend !== undefined && typeof options.backend !== "string") return options.backend;
  const text = options.backend ?? setting;
  return text === "" ? null : parseBackend(text, cluster);
}

/** A gateway holds no data: settings that would persist or serve a local keyspace are refused. */
function checkGatewaySettings(options: ServerOptions, appendonly: boolean, saveRules: boolean, respGiven: boolean): void {
  if (appendonly || saveRules) {
    throw new Error("persistence (appendonly, save) cannot be used in gateway mode: the backend keeps the data; configure persistence on the backend");
  }
  const resp = options.respPort;
  if ((resp !== undefined && resp !== null && resp !== "off") || (resp === undefined && respGiven)) {
    throw new Error("the Redis protocol port cannot be used in gateway mode: RESP clients talk to the backend directly (set port off or leave it out)");
  }
}

/** Loaded only in gateway mode: a standalone server does not load the Redis client library. */
async function startGateway(state: ServerState, spec: BackendSpec): Promise<void> {
  const { Gateway } = await import("./gateway/gateway.js");
  try {
    await Gateway.start(state, spec, state.logger);
  } catch (e) {
    throw new ListenError(`cannot start the gateway: ${(e as Error).message}`);
  }
}

export { ServerState } from "./state.js";
