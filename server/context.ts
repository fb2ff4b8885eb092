// What a command implementation sees: the server, the calling session, and the current
// database. One Context per connection, reused for every command it sends.

import type { User } from "./acl/user.js";
import type { Database } from "./keyspace/database.js";
import type { SessionSubscriptions } from "./pubsub-session.js";
import type { Reply } from "./reply.js";
import type { ServerState } from "./state.js";

/** Per-connection state that commands read and change (SELECT, CLIENT SETNAME, HELLO). */
export interface Session {
  readonly id: number;
  readonly transport: "ws" | "resp";
  /** Remote address as "ip:port". */
  readonly addr: string;
  db: number;
  name: string | null;
  /** RESP protocol version in use (WebSocket sessions report 3: they have maps and sets). */
  resp: 2 | 3;
  readonly createdAt: number;
  lastCommand: string;
  lastActiveAt: number;
  /** Closes the connection; set by the transport (CLIENT KILL, QUIT). */
  close(reason: string): void;
  /** Writes a MONITOR line (false once the connection is gone); set by transports that can monitor (RESP). */
  writeMonitorLine?: (line: string) => boolean;
  /** Sends an out-of-band message (pub/sub); set by transports that have them (RESP). */
  push?: (items: Reply[]) => void;
  /** The connection's channel and pattern subscriptions, once it has subscribed (RESP). */
  subscriptions?: SessionSubscriptions;
  /**
   * The authenticated user (server/acl). Transports always set it: the default user, or the
   * unauthenticated marker when a password is required. Absent only in sessions built by hand
   * (tests, embedding), which run unrestricted.
   */
  user?: User;
  /** When the session authenticated with a token: when it expires (ms since 1970). */
  tokenExpiresAt?: number;
  /** Called after the user's rules changed; false when the connection must be closed (WebSocket subscriptions). */
  aclChanged?: () => boolean;
  /** Bytes written to the connection and not yet taken by the client (CLIENT LIST omem), where the transport knows. */
  outputBytes?: () => number;
  /** Watches or subscriptions held: such a connection is exempt from the idle timeout, as Redis's subscribers are. */
  isSubscriber?: () => boolean;
}

export class Context {
  /** performance.now() when the last command run through this context finished (dispatch.call). */
  ended = 0;

  constructor(
    readonly server: ServerState,
    readonly session: Session,
  ) {}

  get db(): Database {
    return this.server.keyspace.dbs[this.session.db]!;
  }

  /** The current time as commands see it (fixed for one command). */
  get now(): number {
    return this.server.keyspace.now;
  }

  /**
   * Announces a change to a key of the current database with Redis's event name.
   * `delta` is what changed (pushed elements, added members, changed fields) where
   * it is at hand; watchers that asked for deltas receive it.
   */
  notify(event: string, key: string, delta?: unknown): void {
    this.server.keyspace.notify(this.session.db, event, key, delta);
  }
}
