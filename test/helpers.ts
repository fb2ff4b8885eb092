// Test helpers: a real keycast server on a free loopback port, and clients connected to it.
import { afterAll, beforeAll } from "vitest";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";

export interface Harness {
  server: RunningServer;
  /** A client connected for the whole file. */
  kc: KeycastClient;
  /** Opens another client; closed after the file's tests. */
  client(): Promise<KeycastClient>;
}

/** Starts a server before the file's tests and stops it after; `kc` is flushed by the caller as needed. */
export function useServer(options: Parameters<typeof startServer>[0] = {}): Harness {
  const h = {} as Harness;
  const extra: KeycastClient[] = [];
  beforeAll(async () => {
    h.server = await startServer({ port: 0, ...options });
    h.kc = await connect(h.server.url);
    h.client = async () => {
      const c = await connect(h.server.url);
      extra.push(c);
      return c;
    };
  });
  afterAll(async () => {
    await Promise.all([h.kc?.close(), ...extra.map((c) => c.close())]);
    await h.server?.close();
  });
  return h;
}
