// The Redis protocol transport: decode RESP commands from a TCP stream, run them through the
// dispatcher (via the transaction layer, for MULTI), encode the replies. Every reply produced
// by one read goes out in one write; a long pipeline yields to other clients every few
// thousand commands.

import net from "node:net";
import tls from "node:tls";
import { aclOf } from "../acl/acl.js";
import { clearPrechecked, credentialsOf, precheck } from "../auth/authenticate.js";
import { CLIENT_QUERY_BUFFER_LIMIT, configOf, PROTO_MAX_BULK_LEN, type Config } from "../config.js";
import { admit, normalizeIp, release } from "../limits/connections.js";
import { MAX_COMMANDS_BURST, MAX_COMMANDS_PER_SECOND } from "../limits/settings.js";
import { TokenBucket } from "../limits/token-bucket.js";
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

/** Bytes of pushes (pub/sub messages) queued for a client that does not read before it is closed. */
export const DEFAULT_MAX_PUSH_BYTES = 32 * 1024 * 1024;

export interface RespOptions {
  /** Pushes queued for a slow subscriber before it is disconnected. */
  maxOutputBytes?: number;
}

/** First letters of the commands that may carry credentials: AUTH, HELLO, and EXEC (a queued AUTH). */
function mayCarryCredentials(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  return c === 0x61 || c === 0x68 || c === 0x65;
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
  /** MONITOR lines of this connection's own command, written after its reply. */
  private monitorOut = "";
  /** Close once the pending replies are written (QUIT, CLIENT KILL of itself, protocol error). */
  private closing = false;
  private closed = false;
  /** A command parsed but held back: its credentials are being checked, or the rate limit says wait. */
  private deferred: string[] | null = null;
  /** The deferred command's credentials were checked: run it. */
  private prechecked = false;
  private bucket: TokenBucket | null = null;
  private bucketRate = 0;

  constructor(
    private readonly server: ServerState,
    private readonly socket: net.Socket,
    private readonly maxPushBytes = DEFAULT_MAX_PUSH_BYTES,
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
      writeMonitorLine: (line) => this.writeMonitorLine(line),
      user: aclOf(server).initialUser(),
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
    const bucket = this.rateBucket();
    let n = 0;
    ctx.server.keyspace.tick();
    // Each command starts where the previous one ended: one clock read per command (dispatch.call).
    ctx.ended = ctx.server.keyspace.tickedAt;
    try {
      for (;;) {
        let argv: string[] | null = this.deferred;
        this.deferred = null;
        if (argv === null) {
          try {
            argv = this.parser.next(maxBulk);
          } catch (e) {
            if (!(e instanceof ProtocolError)) throw e;
            this.out += encodeError(e.message);
            this.closing = true;
            break;
          }
          if (argv === null) break;
        }
        if (bucket !== null && bucket.take(1, Date.now()) === 0) {
          this.hold(argv, new Promise((resolve) => setTimeout(resolve, bucket.waitMs(1, Date.now()))));
          break;
        }
        if (!this.prechecked && argv.length > 1 && mayCarryCredentials(argv[0]!)) {
          const checking = this.precheck(argv);
          if (checking !== null) {
            if (bucket !== null) bucket.refund(1);
            this.hold(argv, checking.then(() => void (this.prechecked = true)));
            break;
          }
        }
        const refused = session.subscriptions === undefined ? null : this.refuseWhileSubscribed(argv);
        const reply: Reply = refused ?? (tx.queue === null ? execute(ctx, argv, ctx.ended) : runCommand(ctx, tx, argv));
        if (this.prechecked) {
          this.prechecked = false;
          clearPrechecked(session);
        }
        this.out += encodeReply(reply, session.resp);
        if (this.monitorOut.length !== 0) {
          this.out += this.monitorOut;
          this.monitorOut = "";
        }
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
    // The append-only log first: a reply must not acknowledge a write the log does not hold.
    this.server.flushBeforeReply();
    this.flush();
    if (this.closing) this.socket.end(() => this.socket.destroy());
    else if (this.socket.writableLength > OUTPUT_HIGH_WATER) this.socket.pause();
  }

  /** The command-rate bucket, rebuilt when the settings change; null without a limit. */
  private rateBucket(): TokenBucket | null {
    const rate = this.config.get(MAX_COMMANDS_PER_SECOND);
    if (rate === 0) return (this.bucket = null);
    if (this.bucket === null || this.bucketRate !== rate) {
      this.bucketRate = rate;
      this.bucket = new TokenBucket(rate, this.config.get(MAX_COMMANDS_BURST) || rate, Date.now());
    }
    return this.bucket;
  }

  /** Checks the credentials of AUTH, HELLO AUTH, or the AUTHs an EXEC would run, off the event loop. */
  private precheck(argv: string[]): Promise<void> | null {
    if (credentialsOf(argv) !== null) return precheck(this.server, this.session, [argv]);
    const queue = this.tx.queue;
    if (queue !== null && argv.length === 1 && argv[0]!.toLowerCase() === "exec") {
      return precheck(this.server, this.session, queue.map((q) => q.argv));
    }
    return null;
  }

  /** Stops reading until `until` settles, then runs argv first. */
  private hold(argv: string[], until: Promise<void>): void {
    this.deferred = argv;
    this.yielded = true;
    this.socket.pause();
    until.finally(() => {
      this.yielded = false;
      this.resume();
    });
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
    if (this.socket.writableLength > this.maxPushBytes) {
      // A subscriber that stopped reading: Redis's client-output-buffer-limit for pubsub.
      console.warn(`keycast: closing RESP client ${this.session.addr}: output buffer over ${this.maxPushBytes} bytes`);
      this.socket.destroy();
      return;
    }
    this.out += encodePush(items, this.session.resp);
    if (!this.processing) this.flush();
  }

  /** A MONITOR line as a status reply: after the reply of the command it shows; false once closed. */
  writeMonitorLine(line: string): boolean {
    if (this.closed || this.closing) return false;
    if (this.processing) this.monitorOut += `+${line}\r\n`;
    else {
      this.out += `+${line}\r\n`;
      this.flush();
    }
    return true;
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
    if (this.prechecked) clearPrechecked(this.session);
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

/** Certificate and key (PEM) for the Redis protocol over TLS. */
export interface RespTls {
  cert: string | Buffer;
  key: string | Buffer;
  /** Closes a connection whose TLS handshake has not finished by then (ms). */
  handshakeTimeoutMs?: number;
}

/**
 * A TCP server speaking RESP for the given state (over TLS when given a certificate). Returns it
 * and a function closing every connection.
 */
export function createRespServer(state: ServerState, options: RespOptions = {}, secure?: RespTls): { server: net.Server; close(graceful?: boolean): void } {
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    const ip = normalizeIp(socket.remoteAddress);
    const refused = admit(state, ip);
    if (refused !== null) {
      // As Redis: the error, then the close.
      state.stats.rejectedConnections++;
      socket.on("error", () => socket.destroy());
      socket.end(`-${refused}\r\n`);
      return;
    }
    socket.once("close", () => release(state, ip));
    new RespConnection(state, socket, options.maxOutputBytes);
  };
  const server = secure
    ? tls.createServer({ cert: secure.cert, key: secure.key, handshakeTimeout: secure.handshakeTimeoutMs ?? 10_000 }, onSocket)
    : net.createServer(onSocket);
  return {
    server,
    /** Stops accepting and closes every connection; `graceful` lets queued replies reach the client first. */
    close(graceful = false) {
      server.close();
      for (const s of sockets) {
        if (!graceful) s.destroy();
        else {
          s.end();
          setTimeout(() => s.destroy(), 2000).unref();
        }
      }
    },
  };
}
