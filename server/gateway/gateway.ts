// Gateway mode: keycast holds no keyspace of its own and forwards client batches to a Redis /
// Valkey server or a Redis Cluster (server/gateway/backend.ts), while it still serves
// WebSocket clients with its own ACLs, limits, INFO and metrics. Events from the backend are
// the events part's job (server/gateway/events/).

import type { Context } from "../context.js";
import type { Logger } from "../observability/logger.js";
import type { ErrorReply, Reply } from "../reply.js";
import type { ServerState } from "../state.js";
import { Backend, describeBackend, type BackendSpec } from "./backend.js";
import { forwardAtomic, forwardBatch } from "./forward.js";
import type { GatewayEvents } from "./events/index.js";

export class Gateway {
  /** The events part (leader, stream, watchers, pub/sub relay), once started. */
  events: GatewayEvents | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly state: ServerState,
    readonly backend: Backend,
    readonly logger: Logger,
  ) {}

  /** Connects to the backend and attaches the gateway to the server's state. */
  static async start(state: ServerState, spec: BackendSpec, logger: Logger): Promise<Gateway> {
    const backend = await Backend.connect(spec, logger);
    const gateway = new Gateway(state, backend, logger);
    state.gateway = gateway;
    try {
      gateway.events = await (await import("./events/index.js")).startGatewayEvents(state, backend, logger);
    } catch (e) {
      await gateway.close();
      throw e;
    }
    return gateway;
  }

  /** The backend as a URL without its password (INFO, logs). */
  get description(): string {
    return describeBackend(this.backend.spec);
  }

  /**
   * Runs a batch against the backend: replies in the batch's order. `cmds` holds each
   * command's words as byte strings, or the error its decoding gave (that command only; in an
   * atomic batch it aborts the whole batch, as in standalone mode).
   */
  runBatch(ctx: Context, cmds: readonly (string[] | ErrorReply)[], atomic: boolean): Promise<Reply[]> {
    return atomic ? forwardAtomic(this.backend, ctx, cmds) : forwardBatch(this.backend, ctx, cmds);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.events?.close();
      } catch (e) {
        this.logger.warn({ err: e }, "gateway events did not stop cleanly");
      }
      await this.backend.close();
    })();
    return this.closing;
  }
}
