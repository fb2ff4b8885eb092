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

export interface WebSocketOptions {
  /** Largest frame accepted, in bytes; a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Most commands in one batch; a larger batch is refused with an error frame. */
  maxBatchCommands: number;
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

class WsConnection {
  private readonly ctx: Context;
  private badFrames = 0;

  constructor(
    private readonly server: ServerState,
    private readonly ws: WebSocket,
    readonly session: Session,
    private readonly options: WebSocketOptions,
  ) {
    this.ctx = new Context(server, session);
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => server.sessions.delete(session.id));
    ws.on("error", () => ws.terminate());
  }

  private send(frame: unknown[]): void {
    this.ws.send(packr.pack(frame));
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
