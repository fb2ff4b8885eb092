// The embeddable server: `import { startServer } from "keycast/server"`.

import { createServer } from "node:http";
import type { Server } from "node:net";
import { once } from "node:events";
import { BIND, configOf, PORT } from "./config.js";
import { ServerState } from "./state.js";
import { createRespServer } from "./transports/resp.js";
import { attachWebSocket } from "./transports/websocket.js";

export interface ServerOptions {
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
}

export interface RunningServer {
  /** The WebSocket/HTTP port actually bound. */
  readonly port: number;
  /** The RESP port actually bound, or null when disabled. */
  readonly respPort: number | null;
  /** The ws:// address clients connect to. */
  readonly url: string;
  readonly host: string;
  /** The server's state, for embedding and tests. */
  readonly state: ServerState;
  /** Stops accepting, closes every connection (1001), and frees the ports. */
  close(): Promise<void>;
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
  const host = options.host ?? DEFAULTS.host;
  const state = new ServerState({ history: options.history });
  const ws = attachWebSocket(state, {
    maxFrameBytes: options.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxBatchCommands: options.maxBatchCommands ?? DEFAULTS.maxBatchCommands,
    maxOutputBytes: options.maxOutputBytes ?? DEFAULTS.maxOutputBytes,
    maxSnapshotKeys: options.maxSnapshotKeys ?? DEFAULTS.maxSnapshotKeys,
    maxWatchesPerConnection: options.maxWatchesPerConnection ?? DEFAULTS.maxWatchesPerConnection,
  });
  const http = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" }).end("keycast: connect with a WebSocket client\n");
  });
  http.on("upgrade", ws.upgrade);
  const resp = createRespServer(state);
  const wantedPort = options.port ?? DEFAULTS.port;
  const wantedResp = options.respPort === undefined ? (wantedPort === 0 ? 0 : DEFAULTS.respPort) : options.respPort === "off" ? null : options.respPort;
  let port: number;
  let respPort: number | null = null;
  try {
    port = await listen(http, wantedPort, host, "WebSocket");
    if (wantedResp !== null) respPort = await listen(resp.server, wantedResp, host, "the Redis protocol");
  } catch (e) {
    http.close();
    resp.close();
    state.close();
    throw e;
  }
  const url = `ws://${formatHost(host)}:${port}`;
  state.listeners.ws = url;
  const config = configOf(state);
  config.set(BIND, host);
  if (respPort !== null) {
    state.listeners.resp = `resp://${formatHost(host)}:${respPort}`;
    config.set(PORT, String(respPort));
  }
  let closing: Promise<void> | null = null;
  return {
    port,
    respPort,
    url,
    host,
    state,
    close() {
      closing ??= (async () => {
        resp.close();
        ws.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        state.close();
      })();
      return closing;
    },
  };
}

export { ServerState } from "./state.js";
