// The Redis protocol transport: decode RESP commands from a TCP stream, run them through the
// dispatcher (via the transaction layer, for MULTI), encode the replies. Every reply produced
// by one read goes out in one write; a long pipeline yields to other clients every few
// thousand commands.

import net from "node:net";
import { CLIENT_QUERY_BUFFER_LIMIT, configOf, PROTO_MAX_BULK_LEN, type Config } from "../config.js";
import { Context, type Session } from "../context.js";
import { execute, lookupCommand } from "../dispatch.js";
import { subscribedModeError } from "../pubsub-session.js";
import { clientExtras } from "../info.js";
import type { Reply } from "../reply.js";
import type { ServerState } from "../state.js";
import { openTransaction, runCommand, type Transaction } from "../transactions.js";
import { encodePush, encodeReply, encodeError } from "./resp-encoder.js";
import { ProtocolError, RespParser } from "./resp-parser.js";

/** Commands run before a pipelining client yields to the others. */
const YIELD_EVERY = 2000;
/**
 * Reply bytes queued for a client before its input stops being read: a client that pipelines
 * without reading its replies waits for them instead of growing the server's memory.
 */
const OUTPUT_HIGH_WATER = 8 * 1024 * 1024;

/** "ip:port" as Redis writes it: IPv6 in brackets, IPv4-mapped IPv6 as plain IPv4. */
export function formatAddress(ip: string | undefined, port: number | undefined): string {
  let host = ip ?? "?";
  if (host.startsWith("::ffff:") && host.includes(".")) host = host.slice(7);
  return host.includes(":") ? `[${host}]:${port ?? 0}` : `${host}:${port ?? 0}`;
}

export class RespConnection {
  readonly session: Session;
  private readonly ctx: Context;
  private readonly tx: Transaction;
  private readonly parser = new RespParser();
  private readonly config: Config;
  /** Replies of the commands run so far in this turn, written together. */
  private out = "";
  private processing = false;
  /** Waiting for setImmediate after a long run of commands. */
  private yielded = false;
  /** Close once the pending replies are written (QUIT, CLIENT KILL of itself, protocol error). */
  private closing = false;
  private closed = false;

  constructor(
    private readonly server: ServerState,
    private readonly socket: net.Socket,
  ) {
    const now = Date.now();
    this.session = {
      id: server.newSessionId(),
      transport: "resp",
      addr: formatAddress(socket.remoteAddress, socket.remotePort),
      db: 0,
      name: null,
      resp: 2,
      createdAt: now,
      lastActiveAt: now,
      lastCommand: "NULL",
      close: (reason) => this.close(reason),
      push: (items) => this.push(items),
    };
    this.ctx = new Context(server, this.session);
    this.tx = openTransaction(server, this.session);
    this.config = configOf(server);
    const extras = clientExtras(this.session);
    extras.laddr = formatAddress(socket.localAddress, socket.localPort);
    extras.queryBuffer = () => this.parser.pending;
    extras.outputBuffer = () => this.socket.writableLength;
    connections.set(this.session, this);
    server.sessions.set(this.session.id, this.session);
    server.stats.connectionsReceived++;

    socket.setNoDelay(true);
    socket.setKeepAlive(true, 300_000);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("drain", () => this.resume());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.onClose());
  }

  private onData(chunk: Buffer): void {
    this.parser.feed(chunk);
    if (this.parser.pending > this.config.get(CLIENT_QUERY_BUFFER_LIMIT)) {
      // Redis closes such a client without a reply.
      console.warn(`keycast: closing RESP client ${this.session.addr}: query buffer over client-query-buffer-limit`);
      this.socket.destroy();
      return;
    }
    if (!this.yielded && !this.processing) this.process();
  }

  /** Runs every complete command buffered, up to YIELD_EVERY, then writes their replies. */
  private process(): void {
    if (this.closed || this.closing) return;
    this.processing = true;
    const ctx = this.ctx;
    const tx = this.tx;
    const session = this.session;
    const maxBulk = this.config.get(PROTO_MAX_BULK_LEN);
    let n = 0;
    try {
      for (;;) {
        let argv: string[] | null;
        try {
          argv = this.parser.next(maxBulk);
        } catch (e) {
          if (!(e instanceof ProtocolError)) throw e;
          this.out += encodeError(e.message);
          this.closing = true;
          break;
        }
        if (argv === null) break;
        const refused = session.subscriptions === undefined ? null : this.refuseWhileSubscribed(argv);
        const reply: Reply = refused ?? (tx.queue === null ? execute(ctx, argv) : runCommand(ctx, tx, argv));
        this.out += encodeReply(reply, session.resp);
        if (this.closing) break;
        if (++n >= YIELD_EVERY) {
          this.yielded = true;
          this.socket.pause();
          setImmediate(() => {
            this.yielded = false;
            this.resume();
          });
          break;
        }
      }
    } finally {
      this.processing = false;
      session.lastActiveAt = this.server.keyspace.now;
    }
    this.flush();
    if (this.closing) this.socket.end(() => this.socket.destroy());
    else if (this.socket.writableLength > OUTPUT_HIGH_WATER) this.socket.pause();
  }

  private refuseWhileSubscribed(argv: string[]): Reply | null {
    const entry = argv.length > 0 ? lookupCommand(argv[0]!) : undefined;
    return entry === undefined ? null : subscribedModeError(this.session, entry.lower);
  }

  private flush(): void {
    if (this.out.length === 0 || this.closed) return;
    const out = this.out;
    this.out = "";
    this.socket.write(out, "latin1");
  }

  /** Goes on reading after a yield or once a slow reader has caught up. */
  private resume(): void {
    if (this.closed || this.closing || this.yielded) return;
    if (this.socket.writableLength > OUTPUT_HIGH_WATER) return;
    this.socket.resume();
    if (!this.processing) this.process();
  }

  /**
   * Sends an out-of-band message (pub/sub): after the reply being built when a command of
   * this connection caused it, at once otherwise.
   */
  push(items: Reply[]): void {
    if (this.closed) return;
    this.out += encodePush(items, this.session.resp);
    if (!this.processing) this.flush();
  }

  private close(_reason: string): void {
    if (this.closed) return;
    if (this.processing) {
      // Its own command (QUIT, CLIENT KILL): the reply goes out first.
      this.closing = true;
      return;
    }
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.tx.discard();
    this.session.subscriptions?.clear();
    this.server.sessions.delete(this.session.id);
    connections.delete(this.session);
  }
}

const connections = new WeakMap<Session, RespConnection>();

/** The RESP connection behind a session, for modules that push to it (pub/sub). */
export function respConnectionOf(session: Session): RespConnection | undefined {
  return connections.get(session);
}

/** A TCP server speaking RESP for the given state. Returns it and a function closing every connection. */
export function createRespServer(state: ServerState): { server: net.Server; close(): void } {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    new RespConnection(state, socket);
  });
  return {
    server,
    close() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
