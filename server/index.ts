// The embeddable server: `import { startServer } from "keycast/server"`.

import { createServer, type Server } from "node:http";
import { once } from "node:events";
import { ServerState } from "./state.js";
import { attachWebSocket } from "./transports/websocket.js";

export interface ServerOptions {
  /** Address to bind. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** WebSocket and HTTP port. Default 7379; 0 picks a free port. */
  port?: number;
  /** Largest WebSocket frame accepted, in bytes. Default 16 MiB. */
  maxFrameBytes?: number;
  /** Most commands in one batch. Default 100,000. */
  maxBatchCommands?: number;
}

export interface RunningServer {
  /** The WebSocket/HTTP port actually bound. */
  readonly port: number;
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
  maxFrameBytes: 16 * 1024 * 1024,
  maxBatchCommands: 100_000,
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
  const state = new ServerState();
  const ws = attachWebSocket(state, {
    maxFrameBytes: options.maxFrameBytes ?? DEFAULTS.maxFrameBytes,
    maxBatchCommands: options.maxBatchCommands ?? DEFAULTS.maxBatchCommands,
  });
  const http = createServer((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
      return;
    }
    res.writeHead(426, { "content-type": "text/plain", upgrade: "websocket" }).end("keycast: connect with a WebSocket client\n");
  });
  http.on("upgrade", ws.upgrade);
  let port: number;
  try {
    port = await listen(http, options.port ?? DEFAULTS.port, host, "WebSocket");
  } catch (e) {
    state.close();
    throw e;
  }
  const url = `ws://${formatHost(host)}:${port}`;
  state.listeners.ws = url;
  let closing: Promise<void> | null = null;
  return {
    port,
    url,
    host,
    state,
    close() {
      closing ??= (async () => {
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
