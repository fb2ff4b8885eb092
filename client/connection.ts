// One logical connection to a keycast server over a succession of WebSockets: frames out
// and in, replies matched to requests, automatic batching of commands issued in the same
// tick, reconnection with exponential backoff and jitter, and a bounded offline queue.
// Browser-safe: the WebSocket implementation is injected.

import { Packr, Unpackr } from "msgpackr";
import {
  CloseCode,
  FrameType,
  PROTOCOL_VERSION,
  SUBPROTOCOL,
  TOKEN_SUBPROTOCOL_PREFIX,
  VERSION_PARAM,
  type AuthResult,
  type HelloInfo,
} from "../shared/protocol.js";
import { decodeReply, type ReplyMode } from "./decode.js";
import { BatchError, ConnectionError, ReplyError } from "./errors.js";

/** The part of the WebSocket API the client uses: browsers', React Native's and `ws`'s. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount?: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** A token, or a function that fetches a fresh one (called on every connect and before expiry). */
export type TokenSource = string | (() => string | Promise<string>);

/**
 * How the client authenticates: an ACL user's password (back ends), or a signed token (browsers).
 * Sent in the first frame after the hello, and again after every reconnect.
 */
export type AuthOptions = { user?: string; password: string } | { token: TokenSource; via?: "frame" | "protocol" };

export type ConnectionState = "connecting" | "open" | "reconnecting" | "closed";

export interface ReconnectOptions {
  /** First delay, ms. Default 100. */
  minDelayMs?: number;
  /** Largest delay, ms. Default 10,000. */
  maxDelayMs?: number;
  /** Give up after this many failed attempts in a row. Default: never. */
  maxAttempts?: number;
}

export interface ConnectOptions {
  /** WebSocket implementation. Default: globalThis.WebSocket. */
  WebSocket?: WebSocketConstructor;
  /** binaryType to request: "arraybuffer" (browsers) or "nodebuffer" (`ws`, avoids a copy). */
  binaryType?: "arraybuffer" | "nodebuffer";
  /** Database to SELECT on connect (and again after every reconnect). Default 0. */
  db?: number;
  /** Give up the first connection after this many ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** Reconnect after a drop (default on), with exponential backoff and jitter. `false` turns it off. */
  reconnect?: boolean | ReconnectOptions;
  /**
   * Commands issued while disconnected wait for the reconnect, up to this many (default 1,000);
   * past it, or with 0, they fail at once with a ConnectionError.
   */
  offlineQueue?: number;
  /**
   * Credentials. A token with `via: "protocol"` rides in the Sec-WebSocket-Protocol header of
   * the handshake instead of the first frame (never in the URL, which ends up in logs).
   */
  auth?: AuthOptions;
  /** With a token function: fetch the next token this long before the current one expires (ms). Default 30,000. */
  refreshBeforeMs?: number;
  /**
   * Other addresses of the same service (keycast gateways over one backend): each reconnect
   * tries the next address in turn, and watches resume there from their position.
   */
  fallbackUrls?: string[];
}

interface Slot {
  resolve(v: unknown): void;
  reject(e: Error): void;
  mode: ReplyMode;
}

/** A command the server answers later (it waits: BLPOP ...). */
interface Waiting {
  answer(reply: unknown, isError: boolean): void;
  fail(err: Error): void;
}

/** What a pending frame id waits for. */
type Pending =
  | { kind: "commands"; slots: Slot[] }
  | { kind: "batch"; slot: Slot }
  | { kind: "request"; resolve(v: unknown): void; reject(e: Error): void; sync?: (v: unknown) => void };

interface Outgoing {
  type: number;
  cmds: unknown[][];
  pending: Pending;
}

/** Close codes after which reconnecting would only fail the same way. */
const FINAL_CODES: ReadonlySet<number> = new Set([
  CloseCode.UNSUPPORTED_DATA,
  CloseCode.UNSUPPORTED_VERSION,
  CloseCode.AUTH_REQUIRED,
  CloseCode.AUTH_FAILED,
]);

const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, int64AsType: "bigint" });

function toUint8(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new ConnectionError("keycast: received a frame that is not binary");
}

export interface ConnectionHooks {
  /** After each reconnect, before queued commands go out: restore watches and subscriptions. */
  restore(): void;
  /** EVENT and MESSAGE frames. */
  onPush(frame: unknown[]): void;
}

export class Connection {
  state: ConnectionState = "connecting";
  info: HelloInfo | null = null;
  /** The database commands run in; restored after a reconnect. */
  db = 0;
  hooks: ConnectionHooks | null = null;
  private ws: WebSocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /**
   * Commands that wait on the server (BLPOP ...): "batchId:index" to what receives the
   * DEFERRED frame. A drop rejects them and they are never resent: a pop must not happen twice.
   */
  private readonly waiting = new Map<string, Waiting>();
  private queue: unknown[][] = [];
  private queueSlots: Slot[] = [];
  private outbox: Outgoing[] = [];
  private flushScheduled = false;
  private attempts = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private finalError: ConnectionError | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly stateListeners = new Set<(s: ConnectionState, why?: string) => void>();

  private readonly urls: string[];
  private urlIndex = 0;

  constructor(
    url: string,
    private readonly options: ConnectOptions,
  ) {
    this.db = options.db ?? 0;
    this.urls = [url, ...(options.fallbackUrls ?? [])];
  }

  /** The address in use (or tried next). */
  get url(): string {
    return this.urls[this.urlIndex]!;
  }

  onState(fn: (s: ConnectionState, why?: string) => void): () => void {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  private setState(s: ConnectionState, why?: string): void {
    if (this.state === s) return;
    this.state = s;
    for (const fn of this.stateListeners) fn(s, why);
  }

  /** First connection: resolves when the server has said hello, rejects if it cannot be reached. */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        reject(new ConnectionError(`keycast: could not connect to ${this.url} within ${timeoutMs} ms`));
        this.finalError = new ConnectionError("keycast: connection timed out");
        this.ws?.close();
      }, timeoutMs);
      this.dial(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    });
  }

  /** The token of the auth options, fetched fresh when it is a function. */
  private async token(): Promise<string | null> {
    const auth = this.options.auth;
    if (auth === undefined || !("token" in auth)) return null;
    return typeof auth.token === "function" ? await auth.token() : auth.token;
  }

  private dial(onHello?: () => void, onFirstFailure?: (e: ConnectionError) => void): void {
    const auth = this.options.auth;
    if (auth !== undefined && "token" in auth) {
      this.token().then(
        (token) => this.openSocket(token, onHello, onFirstFailure),
        (e: unknown) => {
          const err = new ConnectionError(`keycast: could not get a token: ${(e as Error).message ?? String(e)}`);
          if (onFirstFailure) {
            this.finalError = err;
            this.failQueued(err);
            this.setState("closed", err.message);
            onFirstFailure(err);
          } else this.scheduleReconnect();
        },
      );
    } else this.openSocket(null, onHello, onFirstFailure);
  }

  /** The AUTH frame's body for the first frame, or null when none is sent. */
  private authBody(token: string | null): Record<string, string> | null {
    const auth = this.options.auth;
    if (auth === undefined) return null;
    if ("password" in auth) return auth.user === undefined ? { password: auth.password } : { user: auth.user, password: auth.password };
    return auth.via === "protocol" || token === null ? null : { token };
  }

  private openSocket(token: string | null, onHello?: () => void, onFirstFailure?: (e: ConnectionError) => void): void {
    const Ctor = this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) {
      onFirstFailure?.(new ConnectionError("keycast: no WebSocket implementation: pass { WebSocket } to connect()"));
      return;
    }
    const sep = this.url.includes("?") ? "&" : "?";
    const auth = this.options.auth;
    const viaProtocol = auth !== undefined && "token" in auth && auth.via === "protocol" && token !== null;
    const target = `${this.url}${sep}${VERSION_PARAM}=${PROTOCOL_VERSION}`;
    const ws = viaProtocol ? new Ctor(target, [SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${token}`]) : new Ctor(target);
    ws.binaryType = this.options.binaryType ?? "arraybuffer";
    this.ws = ws;
    let helloSeen = false;
    let helloFrame: unknown[] | null = null;
    const authBody = this.authBody(token);
    // The AUTH frame's id: the connection opens once both the hello and the AUTH answer came.
    let authId: number | null = null;
    ws.onopen = () => {
      ws.send(packr.pack([FrameType.HELLO, PROTOCOL_VERSION]));
      if (authBody !== null) {
        authId = this.nextId++;
        ws.send(packr.pack([FrameType.AUTH, authId, authBody]));
      }
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      const err = new ConnectionError(`keycast: connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`, ev.code);
      this.failInFlight(err);
      if (!helloSeen && onFirstFailure) {
        const authError = this.finalError;
        this.finalError ??= new ConnectionError(`keycast: could not connect to ${this.url}`, ev.code);
        this.failQueued(this.finalError);
        this.setState("closed");
        onFirstFailure(authError ?? new ConnectionError(`keycast: could not connect to ${this.url}${ev.reason ? `: ${ev.reason}` : ""}`, ev.code));
        return;
      }
      if (this.state === "closed" || this.finalError) {
        this.finalError ??= err;
        this.failQueued(this.finalError);
        this.setState("closed", err.message);
        return;
      }
      if (this.options.reconnect === false || FINAL_CODES.has(ev.code)) {
        this.finalError = err;
        this.failQueued(err);
        this.setState("closed", err.message);
        return;
      }
      this.setState("reconnecting", err.message);
      this.scheduleReconnect();
    };
    ws.onmessage = (ev) => {
      let frame: unknown[];
      try {
        frame = unpackr.unpack(toUint8(ev.data)) as unknown[];
      } catch {
        return; // A frame this client cannot read is not worth dropping the connection for.
      }
      if (!helloSeen && authId !== null && frame[1] === authId && (frame[0] === FrameType.AUTH || frame[0] === FrameType.ERROR)) {
        if (frame[0] === FrameType.ERROR) {
          // Refused credentials will be refused again: no reconnect.
          this.finalError = new ConnectionError(`keycast: authentication failed: ${String(frame[2])}`, CloseCode.AUTH_FAILED);
          ws.close(CloseCode.NORMAL, "authentication failed");
          return;
        }
        authId = null;
        this.authenticated(frame[2]);
        if (helloFrame === null) return;
        frame = helloFrame;
      }
      if (frame[0] === FrameType.HELLO && !helloSeen) {
        if (authId !== null) {
          helloFrame = frame;
          return;
        }
        helloSeen = true;
        this.info = Object.fromEntries(frame[2] as Map<string, unknown>) as unknown as HelloInfo;
        this.attempts = 0;
        const restoring = this.state === "reconnecting";
        this.setState("open");
        if (restoring) {
          if (this.db !== 0) this.sendNow({ type: FrameType.BATCH, cmds: [["SELECT", this.db]], pending: { kind: "commands", slots: [ignoreSlot] } });
          this.hooks?.restore();
        }
        onHello?.();
        this.flush();
        return;
      }
      this.onFrame(frame);
    };
  }

  /** After an AUTH answer: with a token function and an expiry, fetch and send the next token in time. */
  private authenticated(result: unknown): void {
    const expiresAt = result instanceof Map ? (result.get("expiresAt") as number | bigint | null | undefined) : undefined;
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const auth = this.options.auth;
    if (expiresAt === null || expiresAt === undefined || auth === undefined || !("token" in auth) || typeof auth.token !== "function") return;
    const margin = this.options.refreshBeforeMs ?? 30_000;
    const delay = Math.max(1000, Number(expiresAt) - Date.now() - margin);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      this.token()
        .then((token) => (token === null ? null : this.authenticate({ token })))
        // A failed refresh leaves the old token to expire; the reconnect then fetches a new one.
        .catch(() => {});
    }, Math.min(delay, 2 ** 31 - 1));
  }

  /** Authenticates the open connection again (a new user, or a fresh token). */
  authenticate(body: { user?: string; password: string } | { token: string }): Promise<AuthResult> {
    return this.request(FrameType.AUTH, [body], (result) => this.authenticated(result)).then((r) => {
      const m = r as Map<string, unknown>;
      return { user: String(m.get("user")), expiresAt: m.get("expiresAt") === null ? null : Number(m.get("expiresAt")) };
    });
  }

  private scheduleReconnect(): void {
    const r = typeof this.options.reconnect === "object" ? this.options.reconnect : {};
    const max = r.maxDelayMs ?? 10_000;
    const min = r.minDelayMs ?? 100;
    this.attempts++;
    if (r.maxAttempts !== undefined && this.attempts > r.maxAttempts) {
      this.finalError = new ConnectionError(`keycast: gave up reconnecting to ${this.url} after ${r.maxAttempts} attempts`);
      this.failQueued(this.finalError);
      this.setState("closed", this.finalError.message);
      return;
    }
    // Exponential backoff with "equal jitter": half fixed, half random, so that many clients
    // dropped at once by a restart do not all come back in the same millisecond.
    const capped = Math.min(max, min * 2 ** (this.attempts - 1));
    const delay = capped / 2 + Math.random() * (capped / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.urlIndex = (this.urlIndex + 1) % this.urls.length;
      if (this.state === "reconnecting") this.dial();
    }, delay);
  }

  private onFrame(frame: unknown[]): void {
    const type = frame[0];
    if (type === FrameType.EVENT || type === FrameType.MESSAGE) {
      this.hooks?.onPush(frame);
      return;
    }
    const id = frame[1] as number | null;
    if (id === null) return;
    if (type === FrameType.DEFERRED) {
      const key = `${id}:${frame[2] as number}`;
      const answer = this.waiting.get(key);
      if (answer === undefined) return;
      this.waiting.delete(key);
      answer.answer(frame[3], frame[4] === true);
      return;
    }
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (type === FrameType.ERROR) {
      const err = new ReplyError(String(frame[2]));
      if (p.kind === "commands") for (const s of p.slots) s.reject(err);
      else if (p.kind === "batch") p.slot.reject(err);
      else p.reject(err);
      return;
    }
    if (p.kind === "request") {
      // Run synchronously: frames that follow in the same read (events) must see its effect.
      try {
        p.sync?.(frame[2]);
        p.resolve(frame[2]);
      } catch (e) {
        p.reject(e as Error);
      }
      return;
    }
    const replies = frame[2] as unknown[];
    const errors = (frame[3] as number[] | undefined)?.length ? (frame[3] as number[]) : undefined;
    const blocked = frame[4] as number[] | undefined;
    if (p.kind === "commands") {
      let e = 0;
      let b = 0;
      for (let i = 0; i < p.slots.length; i++) {
        const s = p.slots[i]!;
        if (blocked && blocked[b] === i) {
          b++;
          this.waiting.set(`${id}:${i}`, {
            answer: (r, isError) => (isError ? s.reject(new ReplyError(r as string)) : s.resolve(decodeReply(r, s.mode))),
            fail: (err) => s.reject(err),
          });
        } else if (errors && errors[e] === i) {
          e++;
          s.reject(new ReplyError(replies[i] as string));
        } else s.resolve(decodeReply(replies[i], s.mode));
      }
      return;
    }
    const out: unknown[] = replies.map((r, i) => (errors?.includes(i) ? new ReplyError(r as string) : decodeReply(r, p.slot.mode)));
    let failed = errors !== undefined;
    const settle = () => (failed ? p.slot.reject(new BatchError(out)) : p.slot.resolve(out));
    if (blocked === undefined || blocked.length === 0) return settle();
    // An explicit batch resolves once every command in it has its answer.
    let left = blocked.length;
    for (const i of blocked) {
      this.waiting.set(`${id}:${i}`, {
        answer: (r, isError) => {
          out[i] = isError ? new ReplyError(r as string) : decodeReply(r, p.slot.mode);
          if (isError) failed = true;
          if (--left === 0) settle();
        },
        // A promise settles once: the first failure rejects the batch, the others do nothing.
        fail: (err) => p.slot.reject(err),
      });
    }
  }

  private rejectPending(p: Pending, err: Error): void {
    if (p.kind === "commands") for (const s of p.slots) s.reject(err);
    else if (p.kind === "batch") p.slot.reject(err);
    else p.reject(err);
  }

  /** Sent but unanswered: the command may or may not have run, so it is never resent. */
  private failInFlight(err: ConnectionError): void {
    for (const p of this.pending.values()) this.rejectPending(p, err);
    this.pending.clear();
    for (const w of this.waiting.values()) w.fail(err);
    this.waiting.clear();
  }

  /** Not sent yet: fail them (on a final close). */
  private failQueued(err: ConnectionError): void {
    for (const o of this.outbox) this.rejectPending(o.pending, err);
    this.outbox = [];
    for (const s of this.queueSlots) s.reject(err);
    this.queue = [];
    this.queueSlots = [];
  }

  private queuedCount(): number {
    let n = this.queue.length;
    for (const o of this.outbox) n += o.cmds.length;
    return n;
  }

  /** Rejects at once when closed, or when offline and the offline queue is full. */
  private refuse(): ConnectionError | null {
    if (this.finalError || this.state === "closed") return this.finalError ?? new ConnectionError("keycast: the client is closed");
    if (this.state === "open" || this.state === "connecting") return null;
    const limit = this.options.offlineQueue ?? 1000;
    if (this.queuedCount() >= limit) {
      return new ConnectionError(limit === 0 ? "keycast: not connected" : `keycast: not connected, and the offline queue is full (${limit} commands)`);
    }
    return null;
  }

  /** Queues one command for the next automatic batch (sent at the end of this tick). */
  command(argv: unknown[], mode: ReplyMode): Promise<unknown> {
    const refused = this.refuse();
    if (refused) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      this.queue.push(argv);
      this.queueSlots.push({ resolve, reject, mode });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  /** Moves the automatic batch to the outbox, and sends the outbox if connected. */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length !== 0) {
      this.outbox.push({ type: FrameType.BATCH, cmds: this.queue, pending: { kind: "commands", slots: this.queueSlots } });
      this.queue = [];
      this.queueSlots = [];
    }
    if (this.state !== "open" || this.outbox.length === 0) return;
    const out = this.outbox;
    this.outbox = [];
    for (const o of out) this.sendNow(o);
  }

  private sendNow(o: Outgoing): void {
    const id = this.nextId++;
    this.pending.set(id, o.pending);
    this.ws!.send(packr.pack([o.type, id, o.cmds]));
  }

  /** Sends an explicit batch as its own frame, after anything already queued. */
  batch(cmds: unknown[][], atomic: boolean, mode: ReplyMode): Promise<unknown[]> {
    const refused = this.refuse();
    if (refused) return Promise.reject(refused);
    return new Promise((resolve, reject) => {
      this.flush();
      this.outbox.push({ type: atomic ? FrameType.ATOMIC : FrameType.BATCH, cmds, pending: { kind: "batch", slot: { resolve: resolve as (v: unknown) => void, reject, mode } } });
      this.flush();
    });
  }

  /**
   * Sends a request frame (WATCH, UNWATCH, SUBSCRIBE, UNSUBSCRIBE) now; resolves with the
   * server's answer. Only while open: watches are (re)established by their owner on reconnect.
   */
  request(type: number, body: unknown[], sync?: (result: unknown) => void): Promise<unknown> {
    if (this.state !== "open" || !this.ws) return Promise.reject(new ConnectionError("keycast: not connected"));
    this.flush();
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { kind: "request", resolve, reject, sync });
      this.ws!.send(packr.pack([type, id, ...body]));
    });
  }

  close(): Promise<void> {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    const ws = this.ws;
    const wasOpen = this.state === "open";
    if (wasOpen) this.flush();
    this.finalError ??= new ConnectionError("keycast: the client is closed");
    this.failQueued(this.finalError);
    this.setState("closed", "closed by the client");
    if (!ws || ws.readyState === 3) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = ws.onclose;
      ws.onclose = (ev) => {
        prev?.(ev);
        resolve();
      };
      ws.close(CloseCode.NORMAL, "client closed");
    });
  }
}

const ignoreSlot: Slot = { resolve: () => {}, reject: () => {}, mode: "text" };
