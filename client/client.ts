// The keycast client: one WebSocket, commands as typed methods, automatic batching of
// commands issued in the same tick, explicit batches, and replies as text or bytes.
// Browser-safe: the WebSocket implementation is injected (globalThis.WebSocket by default,
// `ws` in Node through client/node.ts).

import { Packr, Unpackr } from "msgpackr";
import type { Arg } from "../shared/command.js";
import { commands, type CommandName } from "../shared/commands/index.js";
import { FrameType, PROTOCOL_VERSION, VERSION_PARAM, type HelloInfo } from "../shared/protocol.js";
import { decodeReply, type ReplyMode } from "./decode.js";
import { BatchError, ConnectionError, ReplyError } from "./errors.js";
import type { BatchBuilder, BytesCommandMethods, CommandMethods } from "./types.js";

/** The part of the WebSocket API the client uses: browsers', React Native's and `ws`'s. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ConnectOptions {
  /** WebSocket implementation. Default: globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
  /** binaryType to request: "arraybuffer" (browsers) or "nodebuffer" (`ws`, avoids a copy). */
  binaryType?: "arraybuffer" | "nodebuffer";
  /** Database to SELECT on connect. Default 0. */
  db?: number;
  /** Give up connecting after this many ms. Default 10,000. */
  connectTimeoutMs?: number;
}

interface Slot {
  resolve(v: unknown): void;
  reject(e: Error): void;
  mode: ReplyMode;
  /** A whole explicit batch: resolves with every reply. */
  batch: boolean;
}

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "bigint" });

function toUint8(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new ConnectionError("keycast: received a frame that is not binary");
}

class Connection {
  private ws: WebSocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Slot | Slot[]>();
  private queue: unknown[][] = [];
  private queueSlots: Slot[] = [];
  private flushScheduled = false;
  private closedError: ConnectionError | null = null;
  info: HelloInfo | null = null;

  constructor(
    private readonly url: string,
    private readonly options: ConnectOptions,
  ) {}

  open(): Promise<void> {
    const Ctor = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new ConnectionError("keycast: no WebSocket implementation: pass { WebSocket } to connect()");
    const sep = this.url.includes("?") ? "&" : "?";
    const ws = new Ctor(`${this.url}${sep}${VERSION_PARAM}=${PROTOCOL_VERSION}`);
    ws.binaryType = this.options.binaryType ?? "arraybuffer";
    this.ws = ws;
    return new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        reject(new ConnectionError(`keycast: could not connect to ${this.url} within ${this.options.connectTimeoutMs ?? 10_000} ms`));
        ws.close();
      }, this.options.connectTimeoutMs ?? 10_000);
      let opened = false;
      ws.onopen = () => {
        opened = true;
        ws.send(packr.pack([FrameType.HELLO, PROTOCOL_VERSION]));
      };
      ws.onerror = () => {
        if (!opened) {
          clearTimeout(timeout);
          reject(new ConnectionError(`keycast: could not connect to ${this.url}`));
        }
      };
      ws.onclose = (ev) => {
        clearTimeout(timeout);
        const err = new ConnectionError(`keycast: connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`, ev.code);
        reject(err);
        this.failAll(err);
      };
      ws.onmessage = (ev) => {
        const frame = unpackr.unpack(toUint8(ev.data)) as unknown[];
        if (frame[0] === FrameType.HELLO && !this.info) {
          this.info = frame[2] as HelloInfo;
          clearTimeout(timeout);
          resolve();
          return;
        }
        this.onFrame(frame);
      };
    });
  }

  private onFrame(frame: unknown[]): void {
    const type = frame[0];
    if (type === FrameType.BATCH) {
      const id = frame[1] as number;
      const replies = frame[2] as unknown[];
      const errors = frame[3] as number[] | undefined;
      const slot = this.pending.get(id);
      if (!slot) return;
      this.pending.delete(id);
      if (Array.isArray(slot)) {
        let e = 0;
        for (let i = 0; i < slot.length; i++) {
          const s = slot[i]!;
          if (errors && errors[e] === i) {
            e++;
            s.reject(new ReplyError(replies[i] as string));
          } else s.resolve(decodeReply(replies[i], s.mode));
        }
      } else {
        const out = replies.map((r, i) => (errors?.includes(i) ? new ReplyError(r as string) : decodeReply(r, slot.mode)));
        if (errors) slot.reject(new BatchError(out));
        else slot.resolve(out);
      }
    } else if (type === FrameType.ERROR) {
      const id = frame[1] as number | null;
      const err = new ReplyError(String(frame[2]));
      if (id === null) return;
      const slot = this.pending.get(id);
      this.pending.delete(id);
      if (Array.isArray(slot)) for (const s of slot) s.reject(err);
      else slot?.reject(err);
    }
  }

  private failAll(err: ConnectionError): void {
    this.closedError = err;
    for (const slot of this.pending.values()) {
      if (Array.isArray(slot)) for (const s of slot) s.reject(err);
      else slot.reject(err);
    }
    this.pending.clear();
    for (const s of this.queueSlots) s.reject(err);
    this.queue = [];
    this.queueSlots = [];
  }

  /** Queues one command for the next automatic batch (sent at the end of this tick). */
  command(argv: unknown[], mode: ReplyMode): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.queue.push(argv);
      this.queueSlots.push({ resolve, reject, mode, batch: false });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Sends queued commands now, as one frame. */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const id = this.nextId++;
    const cmds = this.queue;
    this.pending.set(id, this.queueSlots);
    this.queue = [];
    this.queueSlots = [];
    this.ws!.send(packr.pack([FrameType.BATCH, id, cmds]));
  }

  /** Sends an explicit batch as its own frame, after anything already queued. */
  batch(cmds: unknown[][], atomic: boolean, mode: ReplyMode): Promise<unknown[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    this.flush();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, mode, batch: true });
      this.ws!.send(packr.pack([atomic ? FrameType.ATOMIC : FrameType.BATCH, id, cmds]));
    });
  }

  close(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState === 3) return Promise.resolve();
    this.flush();
    return new Promise((resolve) => {
      const prev = ws.onclose;
      ws.onclose = (ev) => {
        prev?.(ev);
        resolve();
      };
      ws.close(1000, "client closed");
    });
  }
}

class Batch {
  private readonly cmds: unknown[][] = [];
  private isAtomic = false;

  constructor(
    private readonly conn: Connection,
    private readonly mode: ReplyMode,
  ) {}

  get length(): number {
    return this.cmds.length;
  }

  add(argv: unknown[]): this {
    this.cmds.push(argv);
    return this;
  }

  atomic(): this {
    this.isAtomic = true;
    return this;
  }

  exec(): Promise<unknown[]> {
    if (this.cmds.length === 0) return Promise.resolve([]);
    return this.conn.batch(this.cmds, this.isAtomic, this.mode);
  }
}

/** A connected client. Every command of the shared table is a method: `kc.get("k")`. */
export class KeycastClient {
  /** The same connection, with replies as bytes (Uint8Array) instead of text. */
  readonly bytes: BytesCommandMethods & { call(...argv: Arg[]): Promise<unknown> };

  /** @internal */
  constructor(
    private readonly conn: Connection,
    private readonly mode: ReplyMode = "text",
  ) {
    this.bytes = mode === "bytes" ? (this as unknown as KeycastClient["bytes"]) : (new KeycastClient(conn, "bytes") as unknown as KeycastClient["bytes"]);
  }

  /** Server info from the handshake. */
  get server(): HelloInfo {
    return this.conn.info!;
  }

  /** Runs any command by name, e.g. for commands added to the server after this client was built. */
  call(...argv: Arg[]): Promise<unknown> {
    return this.conn.command(argv, this.mode);
  }

  /** Starts an explicit batch: `kc.batch().set("a", "1").get("a").exec()`. */
  batch(): BatchBuilder<[]> {
    return new Batch(this.conn, this.mode) as unknown as BatchBuilder<[]>;
  }

  /** Closes the connection cleanly; queued commands are sent first. */
  close(): Promise<void> {
    return this.conn.close();
  }
}

export interface KeycastClient extends CommandMethods {}

for (const key of Object.keys(commands) as CommandName[]) {
  const name = commands[key].name;
  Object.defineProperty(KeycastClient.prototype, key, {
    value: function (this: KeycastClient, ...args: Arg[]) {
      return this.call(name, ...args);
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(Batch.prototype, key, {
    value: function (this: Batch, ...args: Arg[]) {
      return this.add([name, ...args]);
    },
    writable: true,
    configurable: true,
  });
}

/** Connects to a keycast server: `const kc = await connect("ws://127.0.0.1:7379")`. */
export async function connect(url: string, options: ConnectOptions = {}): Promise<KeycastClient> {
  const conn = new Connection(url, options);
  await conn.open();
  const kc = new KeycastClient(conn);
  if (options.db) await kc.select(options.db);
  return kc;
}
