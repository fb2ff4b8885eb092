// The WebSocket transport: decode a msgpack frame, run its batch through the dispatcher,
// encode the replies in one frame. Nothing about commands lives here.

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { Packr, Unpackr } from "msgpackr";
import { WebSocketServer, type WebSocket, type RawData } from "ws";
import { CloseCode, FrameType, PROTOCOL_VERSION, SUPPORTED_VERSIONS, VERSION_PARAM } from "../../shared/protocol.js";
import { bufferToBytes, textToBytes } from "../bytes.js";
import { Context, type Session } from "../context.js";
import { executeBatch } from "../dispatch.js";
import { ErrorReply, type Reply } from "../reply.js";
import type { ServerState } from "../state.js";
import { replyToWire, type Wire } from "./msgpack-replies.js";
import { SERVER_VERSION } from "../version.js";
import { CommandError } from "../errors.js";
import { parseWatchRequest, startWatch } from "../events/watch-start.js";
import type { Watch, WatchSink } from "../events/watchers.js";
import type { Subscriber } from "../pubsub.js";

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
}

/** A WebSocket pub/sub subscription: one channel or pattern, delivered as MESSAGE frames. */
class WsSubscription implements Subscriber {
  constructor(
    readonly conn: WsConnection,
    readonly id: number,
    readonly kind: "channel" | "pattern",
    readonly name: string,
  ) {}

  onMessage(channel: string, message: string): void {
    this.conn.sendFrame([FrameType.MESSAGE, [this.id], replyToWire(channel), replyToWire(message)]);
  }
}

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

/** Undecodable frames tolerated before the connection is closed (a client that speaks something else). */
const MAX_BAD_FRAMES = 16;

class BadFrame extends Error {
  constructor(
    message: string,
    readonly id: number | null = null,
  ) {
    super(message);
  }
}

function toArg(a: unknown): string | null {
  if (typeof a === "string") return textToBytes(a);
  if (a instanceof Uint8Array) return bufferToBytes(a);
  if (typeof a === "number" && Number.isFinite(a)) return String(a);
  if (typeof a === "bigint") return a.toString();
  return null;
}

/** Per-command argument errors: a bad command gets an error reply, the rest still run. */
function decodeCommands(raw: unknown, id: number): { cmds: string[][]; bad: Map<number, string> | null } {
  if (!Array.isArray(raw)) throw new BadFrame("ERR protocol error: a batch's commands must be an array", id);
  const cmds: string[][] = new Array(raw.length);
  let bad: Map<number, string> | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as unknown;
    let argv: string[] | null = null;
    let why = "ERR protocol error: a command must be a non-empty array of strings, bytes or numbers";
    if (Array.isArray(c) && c.length > 0) {
      argv = new Array(c.length);
      for (let j = 0; j < c.length; j++) {
        const arg = toArg(c[j]);
        if (arg === null) {
          why = `ERR protocol error: argument ${j} of command ${i} is not a string, bytes or a number`;
          argv = null;
          break;
        }
        argv[j] = arg;
      }
    }
    if (argv === null) {
      (bad ??= new Map()).set(i, why);
      cmds[i] = [];
    } else cmds[i] = argv;
  }
  return { cmds, bad };
}

class WsConnection implements WatchSink {
  private readonly ctx: Context;
  private badFrames = 0;
  private readonly watches = new Map<number, Watch>();
  private readonly subscriptions = new Map<number, WsSubscription>();
  private closing = false;
  // WatchSink scratch space, used by the fan-out of one event.
  stamp = 0;
  ids: number[] = [];
  needs = 0;

  constructor(
    private readonly server: ServerState,
    private readonly ws: WebSocket,
    readonly session: Session,
    private readonly options: WebSocketOptions,
  ) {
    this.ctx = new Context(server, session);
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => this.cleanup());
    ws.on("error", () => ws.terminate());
  }

  private cleanup(): void {
    this.closing = true;
    for (const w of this.watches.values()) this.server.watchers.remove(w);
    this.watches.clear();
    for (const sub of this.subscriptions.values()) this.unsubscribe(sub);
    this.subscriptions.clear();
    this.server.sessions.delete(this.session.id);
  }

  /** Sends a frame unless the client has fallen too far behind, in which case it is cut off. */
  private sendRaw(data: Buffer): void {
    if (this.closing) return;
    if (this.ws.bufferedAmount + data.length > this.options.maxOutputBytes) {
      this.closing = true;
      this.ws.close(CloseCode.POLICY, `output buffer limit reached (${this.options.maxOutputBytes} bytes): the client reads too slowly`);
      // The close frame waits behind what the client has not read; do not wait for it long.
      setTimeout(() => this.ws.terminate(), 1000).unref();
      this.cleanup();
      return;
    }
    this.ws.send(data);
  }

  sendFrame(frame: unknown[]): void {
    this.sendRaw(packr.pack(frame));
  }

  private send(frame: unknown[]): void {
    this.sendFrame(frame);
  }

  sendEvent(frame: Buffer): void {
    this.sendRaw(frame);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!isBinary) {
      this.ws.close(CloseCode.UNSUPPORTED_DATA, "text frames are not supported: send msgpack in binary frames");
      return;
    }
    let frame: unknown;
    try {
      frame = unpackr.unpack(data as Buffer);
    } catch {
      return this.badFrame(new BadFrame("ERR protocol error: the frame is not valid msgpack"));
    }
    try {
      this.handle(frame);
    } catch (e) {
      if (e instanceof BadFrame) return this.badFrame(e);
      throw e;
    }
  }

  private badFrame(e: BadFrame): void {
    this.send([FrameType.ERROR, e.id, e.message]);
    if (++this.badFrames >= MAX_BAD_FRAMES) this.ws.close(CloseCode.BAD_FRAMES, "too many malformed frames");
  }

  private handle(frame: unknown): void {
    if (!Array.isArray(frame) || typeof frame[0] !== "number") {
      throw new BadFrame("ERR protocol error: a frame must be an array starting with its type");
    }
    const type = frame[0];
    if (type === FrameType.BATCH || type === FrameType.ATOMIC) {
      const id = frame[1];
      if (typeof id !== "number" || !Number.isSafeInteger(id)) throw new BadFrame("ERR protocol error: a batch needs an integer id");
      const { cmds, bad } = decodeCommands(frame[2], id);
      if (cmds.length > this.options.maxBatchCommands) {
        throw new BadFrame(`ERR batch of ${cmds.length} commands is over the limit of ${this.options.maxBatchCommands}`, id);
      }
      this.session.lastActiveAt = Date.now();
      let replies: Reply[];
      if (bad === null) replies = executeBatch(this.ctx, cmds, type === FrameType.ATOMIC);
      else if (type === FrameType.ATOMIC) {
        replies = cmds.map((_, i) => new ErrorReply(bad.get(i) ?? "EXECABORT Transaction discarded because of previous errors."));
      } else {
        replies = cmds.map((argv, i) => {
          const why = bad.get(i);
          return why === undefined ? executeBatch(this.ctx, [argv], false)[0]! : new ErrorReply(why);
        });
      }
      this.sendReplies(id, replies);
      return;
    }
    if (type >= FrameType.WATCH && type <= FrameType.UNSUBSCRIBE) {
      const id = frame[1];
      if (typeof id !== "number" || !Number.isSafeInteger(id)) throw new BadFrame("ERR protocol error: a request needs an integer id");
      try {
        this.handleSubscription(type, id, frame);
      } catch (e) {
        if (e instanceof CommandError) throw new BadFrame(e.message, id);
        throw e;
      }
      return;
    }
    if (type === FrameType.HELLO) {
      const version = frame[1];
      if (typeof version !== "number" || !SUPPORTED_VERSIONS.includes(version)) {
        this.ws.close(CloseCode.UNSUPPORTED_VERSION, `unsupported protocol version ${String(version)}; this server speaks ${SUPPORTED_VERSIONS.join(", ")}`);
        return;
      }
      this.send([FrameType.HELLO, version, { server: "keycast", version: SERVER_VERSION, protocol: version, id: this.session.id }]);
      return;
    }
    throw new BadFrame(`ERR protocol error: unknown frame type ${type}`);
  }

  private checkRoom(): void {
    if (this.watches.size + this.subscriptions.size >= this.options.maxWatchesPerConnection) {
      throw new CommandError(`ERR too many watches and subscriptions on this connection (limit ${this.options.maxWatchesPerConnection})`);
    }
  }

  private handleSubscription(type: number, id: number, frame: unknown[]): void {
    const server = this.server;
    if (type === FrameType.WATCH) {
      this.checkRoom();
      const req = parseWatchRequest(frame[2], frame[3], frame[4], this.options.maxSnapshotKeys);
      const pattern = toArg(req.pattern);
      if (pattern === null || typeof req.pattern === "number") throw new CommandError("ERR protocol error: a watch needs a key or pattern (str or bin)");
      if (this.watches.has(req.watchId)) throw new CommandError(`ERR watch id ${req.watchId} is already in use on this connection`);
      const started = startWatch(server, this, { ...req, pattern });
      this.watches.set(req.watchId, started.watch);
      // Replayed events first: the result's position then covers them, so a client that drops
      // in the middle of a replay resumes from the last event it actually received.
      for (const f of started.replay) this.sendRaw(f);
      this.send([FrameType.WATCH, id, started.result]);
      return;
    }
    if (type === FrameType.UNWATCH) {
      const w = this.watches.get(frame[2] as number);
      if (w) {
        server.watchers.remove(w);
        this.watches.delete(w.id);
      }
      this.send([FrameType.UNWATCH, id]);
      return;
    }
    if (type === FrameType.SUBSCRIBE) {
      this.checkRoom();
      const subId = frame[2];
      const kind = frame[3];
      const name = toArg(frame[4]);
      if (typeof subId !== "number" || !Number.isSafeInteger(subId)) throw new CommandError("ERR protocol error: a subscription needs an integer id");
      if (kind !== "channel" && kind !== "pattern") throw new CommandError('ERR protocol error: a subscription is to a "channel" or a "pattern"');
      if (name === null) throw new CommandError("ERR protocol error: a subscription needs a channel name (str or bin)");
      if (this.subscriptions.has(subId)) throw new CommandError(`ERR subscription id ${subId} is already in use on this connection`);
      const sub = new WsSubscription(this, subId, kind, name);
      this.subscriptions.set(subId, sub);
      if (kind === "channel") server.pubsub.subscribe(sub, name);
      else server.pubsub.psubscribe(sub, name);
      this.send([FrameType.SUBSCRIBE, id]);
      return;
    }
    const sub = this.subscriptions.get(frame[2] as number);
    if (sub) {
      this.unsubscribe(sub);
      this.subscriptions.delete(sub.id);
    }
    this.send([FrameType.UNSUBSCRIBE, id]);
  }

  private unsubscribe(sub: WsSubscription): void {
    if (sub.kind === "channel") this.server.pubsub.unsubscribe(sub, sub.name);
    else this.server.pubsub.punsubscribe(sub, sub.name);
  }

  private sendReplies(id: number, replies: Reply[]): void {
    const out: Wire[] = new Array(replies.length);
    let errors: number[] | null = null;
    for (let i = 0; i < replies.length; i++) {
      const r = replies[i]!;
      if (r instanceof ErrorReply) (errors ??= []).push(i);
      out[i] = replyToWire(r);
    }
    this.send(errors ? [FrameType.BATCH, id, out, errors] : [FrameType.BATCH, id, out]);
  }
}

/** Handles WebSocket upgrades on an HTTP server. Returns a function that closes every connection. */
export function attachWebSocket(server: ServerState, options: WebSocketOptions) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: true,
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    wss.handleUpgrade(req, socket, head, (ws) => {
      server.stats.connectionsReceived++;
      const requested = new URL(req.url ?? "/", "http://x").searchParams.get(VERSION_PARAM);
      if (requested !== null && !SUPPORTED_VERSIONS.includes(Number(requested))) {
        ws.close(CloseCode.UNSUPPORTED_VERSION, `unsupported protocol version ${requested.slice(0, 20)}; this server speaks ${PROTOCOL_VERSION}`);
        return;
      }
      const now = Date.now();
      const session: Session = {
        id: server.newSessionId(),
        transport: "ws",
        addr: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        db: 0,
        name: null,
        resp: 3,
        createdAt: now,
        lastActiveAt: now,
        lastCommand: "NULL",
        close: (reason) => ws.close(CloseCode.POLICY, reason),
      };
      server.sessions.set(session.id, session);
      new WsConnection(server, ws, session, options);
    });
  }

  function close(code: number = CloseCode.GOING_AWAY, reason = "server shutting down"): void {
    for (const ws of wss.clients) ws.close(code, reason);
    wss.close();
  }

  return { upgrade, close, wss };
}
