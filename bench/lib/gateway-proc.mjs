// A keycast gateway under test in its own process: `gateway-proc.mjs <backend-url>` starts
// dist/server in gateway mode over that backend (bench/gateway.mjs).

import { serve } from "./procs.mjs";

const backend = process.argv[2];
const { startServer } = await import("../../dist/server/index.js");
const server = await startServer({ port: 0, backend, dashboard: false });

serve({
  info: () => ({ port: server.port, pid: process.pid }),
  exit: () => server.close({ graceMs: 200 }),
});
