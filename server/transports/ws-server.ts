// Accepting WebSocket connections: the HTTP upgrade, the checks made before a connection
// exists (Origin, protocol version, connection limits), and closing them all at shutdown.
// Each accepted connection is a WsConnection (websocket.ts).

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { CloseCode, PROTOCOL_VERSION, SUBPROTOCOL, SUPPORTED_VERSIONS, TOKEN_SUBPROTOCOL_PREFIX, VERSION_PARAM } from "../../shared/protocol.js";
import type { ServerState } from "../state.js";
import { aclOf } from "../acl/acl.js";
import type { TokenVerifier } from "../auth/tokens.js";
import { originAllowed } from "../auth/origins.js";
import { admit, normalizeIp } from "../limits/connections.js";
import { flushQueuedOutput, QueuedWebSocket } from "./ws-output.js";
import { WsSession } from "./ws-session.js";
import { WsConnection } from "./websocket.js";

export interface WebSocketOptions {
  /** Largest frame accepted, in bytes; a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Most commands in one batch; a larger batch is refused with an error frame. */
  maxBatchCommands: number;
  /** Bytes queued for a client that reads too slowly before it is disconnected (1008). */
  maxOutputBytes: number;
  /** Most keys a pattern watch's snapshot may hold. */
  maxSnapshotKeys: number;
  /** Most watches plus subscriptions per connection. */
  maxWatchesPerConnection: number;
  /** Origins allowed to open a connection from a browser; null for the default policy (server/auth/origins.ts). */
  allowedOrigins?: readonly string[] | null;
  /** Verifies signed tokens (AUTH frames, Sec-WebSocket-Protocol); null when tokens are not configured. */
  tokens?: TokenVerifier | null;
}

/** The token a browser put in Sec-WebSocket-Protocol ("keycast.bearer.<jwt>"), if any. */
function handshakeToken(req: IncomingMessage): string | null {
  const header = req.headers["sec-websocket-protocol"];
  if (header === undefined) return null;
  for (const p of header.split(",")) {
    const t = p.trim();
    if (t.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) return t.slice(TOKEN_SUBPROTOCOL_PREFIX.length);
  }
  return null;
}

function refuseHandshake(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
}

/**
 * A new connection's session and state. Kept out of the upgrade handler so that the closures
 * a connection keeps for its lifetime do not hold on to the HTTP upgrade request (~1 KB each).
 */
function accept(
  server: ServerState,
  ws: QueuedWebSocket,
  options: WebSocketOptions,
  ip: string,
  addr: string,
  token: ReturnType<typeof handshakeToken>,
): WsConnection {
  const session = new WsSession(server.newSessionId(), addr, Date.now(), aclOf(server).initialUser());
  server.sessions.set(session.id, session);
  return new WsConnection(server, ws, session, options, token, ip);
}

/** Handles WebSocket upgrades on an HTTP server. Returns a function that closes every connection. */
export function attachWebSocket(server: ServerState, options: WebSocketOptions) {
  const stopFlushing = server.keyspace.onExpiryProgress(flushQueuedOutput);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes,
    perMessageDeflate: false,
    // Frames are queued per tick (ws-output.ts), which needs deflate off and this socket class.
    WebSocket: QueuedWebSocket,
    clientTracking: true,
    // Select "keycast" when offered; a token offered beside it is never echoed back.
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, req.headers.host, options.allowedOrigins ?? null, aclOf(server).authRequired)) {
      server.stats.rejectedConnections++;
      refuseHandshake(socket, 403, "Forbidden: this Origin may not connect (allowed-origins)");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      server.stats.connectionsReceived++;
      const requested = new URL(req.url ?? "/", "http://x").searchParams.get(VERSION_PARAM);
      if (requested !== null && !SUPPORTED_VERSIONS.includes(Number(requested))) {
        ws.close(CloseCode.UNSUPPORTED_VERSION, `unsupported protocol version ${requested.slice(0, 20)}; this server speaks ${PROTOCOL_VERSION}`);
        return;
      }
      const ip = normalizeIp(req.socket.remoteAddress);
      const refused = admit(server, ip);
      if (refused !== null) {
        server.stats.rejectedConnections++;
        ws.close(CloseCode.TRY_AGAIN_LATER, refused);
        return;
      }
      connections.set(ws, accept(server, ws, options, ip, `${req.socket.remoteAddress}:${req.socket.remotePort}`, handshakeToken(req)));
    });
  }

  const connections = new WeakMap<WebSocket, WsConnection>();

  /** Stops accepting; each connection finishes the frames it received, then is closed with `code`. */
  function close(code: number = CloseCode.GOING_AWAY, reason = "server shutting down"): void {
    for (const ws of wss.clients) {
      const conn = connections.get(ws);
      if (conn !== undefined && code === CloseCode.GOING_AWAY) conn.shutdown(reason);
      else ws.close(code, reason);
    }
    stopFlushing();
    wss.close();
  }

  return { upgrade, close, wss };
}
