// The operator's HTTP endpoints, served on the WebSocket port (or on http-port):
//   /healthz  200 while the process serves requests at all (liveness)
//   /readyz   200 when it accepts work; 503 while loading, shutting down or failing to persist
//   /metrics  Prometheus text format

import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServerState } from "../state.js";
import type { Metrics } from "./metrics.js";

/** Answers the request if it is one of these endpoints; false otherwise. */
export function handleOpsRequest(state: ServerState, metrics: Metrics, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
    return true;
  }
  if (path === "/readyz") {
    const why = state.notReady ? "not ready: loading or shutting down" : state.writeRefusal !== null ? `not ready: ${state.writeRefusal}` : null;
    if (why === null) res.writeHead(200, { "content-type": "text/plain" }).end("ready\n");
    else res.writeHead(503, { "content-type": "text/plain" }).end(`${why}\n`);
    return true;
  }
  if (path === "/metrics") {
    metrics.render().then(
      (text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text),
      (err: unknown) => {
        state.logger.error({ err }, "rendering /metrics failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n");
      },
    );
    return true;
  }
  return false;
}
