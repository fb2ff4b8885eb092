// The WebSocket transport, one connection: decode a msgpack frame, run its batch through the
// dispatcher, encode the replies in one frame. Nothing about commands lives here. Accepting
// connections is ws-server.ts; turning a frame's commands into byte strings, ws-frames.ts.
//
// Frames of one connection run one after the other, in order. Most run at once; a few wait:
// an AUTH frame (its password or token is checked off the event loop), a batch over the
// connection's command rate, and a large plain batch, which runs in slices across event-loop
// turns so that other clients are served in between (its replies still go out together, in
// order). While frames wait, a client that keeps sending has its socket paused.

import { performance } from "node:perf_hooks";
import { Packr, Unpackr } from "msgpackr";
import type { RawData } from "ws";
import { CloseCode, FrameType, SUPPORTED_VERSIONS, type AuthResult } from "../../shared/protocol.js";
import { textToBytes } from "../bytes.js";
import { Context } from "../context.js";
import { execute, executeBatch } from "../dispatch.js";
import { ErrorReply, type Reply } from "../reply.js";
import type { ServerState } from "../state.js";
import { replyToWire } from "../encoding/msgpack-replies.js";
import type { QueuedWebSocket } from "./ws-output.js";
import { batchFrame } from "./batch-frame.js";
import type { WsSession } from "./ws-session.js";
import { BadFrame, decodeCommand, mayAuthenticate, sleep, toArg, type BatchJob } from "./ws-frames.js";
import type { WebSocketOptions } from "./ws-server.js";
import { SERVER_VERSION } from "../version.js";
import { CommandError } from "../errors.js";
import { parseWatchRequest, startWatch, type StartedWatch } from "../events/watch-start.js";
import type { GatewayEvents } from "../gateway/events/index.js";
import type { Watch, WatchSink } from "../events/watchers.js";
import type { Subscriber } from "../pubsub.js";
import { aclOf, unauthenticatedUser } from "../acl/acl.js";
import { canReadKey, canUseChannel, NOAUTH, NOPERM_CHANNEL, NOPERM_KEY } from "../acl/check.js";
import { checkPassword, clearPrechecked, precheck, WRONGPASS } from "../auth/authenticate.js";
import { TokenError } from "../auth/tokens.js";
import { configOf, PROTO_MAX_BULK_LEN } from "../config.js";
import { clientLine } from "../info.js";
import { isLiteralPattern } from "../keyspace/glob.js";
import { release } from "../limits/connections.js";
import { MAX_COMMANDS_BURST, MAX_COMMANDS_PER_SECOND } from "../limits/settings.js";
import { AUTH_TIMEOUT_REASON, IDLE_REASON } from "../limits/sweeper.js";
import { TokenBucket } from "../limits/token-bucket.js";

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
/** Refused AUTH frames tolerated before the connection is closed. */
const MAX_AUTH_FAILURES = 5;
/** A plain batch yields to other clients after running this long (ms). */
const SLICE_MS = 4;
/** Frames waiting to run before the socket stops being read, and again resumed. */
const PAUSE_AT = 64;
const RESUME_AT = 8;
/** Longest delay setTimeout takes; a later token expiry is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WsConnection implements WatchSink {
  private readonly ctx: Context;
  private badFrames = 0;
  private authFailures = 0;
  // Created on first use: most connections never watch or subscribe, and an empty Map costs
  // ~250 bytes (docs/performance.md, memory per idle connection).
  private watchMap: Map<number, Watch> | null = null;
  private subscriptionMap: Map<number, WsSubscription> | null = null;
  private closing = false;
  /** Frames received and not yet run, oldest first. */
  private readonly queue: unknown[] = [];
  /** A frame is running across turns (auth check, rate wait, sliced batch). */
  private busy = false;
  private paused = false;
  private bucket: TokenBucket | null = null;
  private bucketRate = 0;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set by a graceful shutdown: finish the frames received, then close with 1001 and this reason. */
  private drainReason: string | null = null;
  // WatchSink scratch space, used by the fan-out of one event.
  stamp = 0;
  ids: number[] = [];
  idCount = 0;
  needs = 0;

  constructor(
    private readonly server: ServerState,
    private readonly ws: QueuedWebSocket,
    readonly session: WsSession,
    private readonly options: WebSocketOptions,
    handshakeToken: string | null,
    /** The client's address, counted against maxclients-per-ip until the socket closes. */
    private readonly ip: string,
  ) {
    this.ctx = new Context(server, session);
    session.owner = this;
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => {
      this.cleanup();
      release(this.server, this.ip);
    });
    ws.on("error", () => ws.terminate());
    if (handshakeToken !== null) this.startWork(this.authenticateToken(null, handshakeToken));
  }

  private get watches(): Map<number, Watch> {
    return (this.watchMap ??= new Map());
  }

  private get subscriptions(): Map<number, WsSubscription> {
    return (this.subscriptionMap ??= new Map());
  }

  /** SessionOwner */
  hasSubscriptions(): boolean {
    return (this.watchMap !== null && this.watchMap.size > 0) || (this.subscriptionMap !== null && this.subscriptionMap.size > 0);
  }

  /** SessionOwner */
  outputBytes(): number {
    return this.ws.bufferedAmount + this.ws.queuedBytes;
  }

  private cleanup(): void {
    this.closing = true;
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    if (this.watchMap !== null) {
      for (const w of this.watchMap.values()) this.server.watchers.remove(w);
      this.watchMap.clear();
    }
    if (this.subscriptionMap !== null) {
      for (const sub of this.subscriptionMap.values()) this.unsubscribe(sub);
      this.subscriptionMap.clear();
    }
    this.queue.length = 0;
    this.server.sessions.delete(this.session.id);
  }

  /**
   * Server shutdown: stop reading, run the frames already received (their replies go out),
   * then close with 1001 so the client reconnects elsewhere.
   */
  shutdown(reason: string): void {
    if (this.closing || this.drainReason !== null) return;
    this.drainReason = reason;
    this.ws.pause();
    this.finishDrain();
  }

  private finishDrain(): void {
    if (this.drainReason === null || this.busy || this.queue.length > 0) return;
    // Reading again, for the client's answer to the close frame.
    this.ws.resume();
    this.closeWith(CloseCode.GOING_AWAY, this.drainReason);
  }

  /** Closes from the server side with a code that tells the client why. */
  closeWith(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason.slice(0, 120));
    // A client that does not answer the close handshake is not waited for long.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  /** Session.close: CLIENT KILL, ACL changes, timeouts. */
  closeFromSession(reason: string): void {
    const code = reason === AUTH_TIMEOUT_REASON ? CloseCode.AUTH_REQUIRED : reason === IDLE_REASON ? CloseCode.GOING_AWAY : CloseCode.POLICY;
    this.closeWith(code, reason);
  }

  /** Sends a frame unless the client has fallen too far behind, in which case it is cut off. */
  private sendRaw(data: Buffer): void {
    if (!this.closing && this.admit(data.length)) this.ws.enqueue(data);
  }

  /** May `bytes` more be queued? If not, the client reads too slowly: it is cut off. */
  private admit(bytes: number): boolean {
    const ws = this.ws;
    if (ws.bufferedAmount + ws.queuedBytes + bytes <= this.options.maxOutputBytes) return true;
    this.closing = true;
    ws.discardQueued();
    ws.close(CloseCode.POLICY, `output buffer limit reached (${this.options.maxOutputBytes} bytes): the client reads too slowly`);
    // The close frame waits behind what the client has not read; do not wait for it long.
    setTimeout(() => ws.terminate(), 1000).unref();
    this.cleanup();
    return false;
  }

  sendFrame(frame: unknown[]): void {
    this.sendRaw(packr.pack(frame));
  }

  private send(frame: unknown[]): void {
    this.sendFrame(frame);
  }

  sendEvent(head: Buffer, headLength: number, tail: Buffer, tailLength: number): void {
    // Closing, or cut off by the output limit now: this event does not go out.
    if (this.closing || !this.admit(headLength + tailLength)) {
      this.server.stats.eventsDropped++;
      return;
    }
    this.ws.enqueueParts(head, headLength, tail, tailLength);
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    this.session.lastActiveAt = Date.now();
    if (!isBinary) {
      this.closeWith(CloseCode.UNSUPPORTED_DATA, "text frames are not supported: send msgpack in binary frames");
      return;
    }
    let frame: unknown;
    try {
      frame = unpackr.unpack(data as Buffer);
    } catch {
      return this.badFrame(new BadFrame("ERR protocol error: the frame is not valid msgpack"));
    }
    if (this.busy || this.queue.length > 0) {
      this.queue.push(frame);
      if (this.busy && !this.paused && this.queue.length >= PAUSE_AT) {
        this.paused = true;
        this.ws.pause();
      }
      if (this.busy) return;
    } else this.run(frame);
    this.pump();
  }

  /** Runs queued frames in order until one has to wait. */
  private pump(): void {
    while (!this.busy && !this.closing && this.queue.length > 0) this.run(this.queue.shift());
    if (this.paused && this.queue.length <= RESUME_AT && !this.closing && this.drainReason === null) {
      this.paused = false;
      this.ws.resume();
    }
    if (this.drainReason !== null) this.finishDrain();
  }

  /** Runs one frame; work that has to wait holds the frames after it (startWork). */
  private run(frame: unknown): void {
    let wait: Promise<void> | void;
    try {
      wait = this.handle(frame);
    } catch (e) {
      if (e instanceof BadFrame) {
        this.badFrame(e);
        return;
      }
      throw e;
    }
    if (wait) this.startWork(wait);
  }

  /** Holds later frames until this work is done. */
  private startWork(work: Promise<void>): void {
    this.busy = true;
    work
      .catch((e: unknown) => {
        if (e instanceof BadFrame) this.badFrame(e);
        else {
          console.error("keycast: internal error on a WebSocket connection:", e);
          this.closeWith(CloseCode.INTERNAL, "internal server error");
        }
      })
      .finally(() => {
        this.busy = false;
        this.pump();
      });
  }

  private badFrame(e: BadFrame): void {
    this.send([FrameType.ERROR, e.id, e.message]);
    if (++this.badFrames >= MAX_BAD_FRAMES) this.closeWith(CloseCode.BAD_FRAMES, "too many malformed frames");
  }

  /** Is the session allowed to run anything but HELLO and AUTH? */
  private get authenticated(): boolean {
    if (this.session.user !== unauthenticatedUser()) return true;
    const acl = aclOf(this.server);
    if (acl.authRequired) return false;
    this.session.user = acl.defaultUser;
    return true;
  }

  private handle(frame: unknown): Promise<void> | void {
    if (!Array.isArray(frame) || typeof frame[0] !== "number") {
      throw new BadFrame("ERR protocol error: a frame must be an array starting with its type");
    }
    const type = frame[0];
    if (type === FrameType.HELLO) return this.hello(frame);
    if (type === FrameType.AUTH) return this.auth(frame);
    if (!this.authenticated) {
      const id = typeof frame[1] === "number" ? frame[1] : null;
      this.send([FrameType.ERROR, id, NOAUTH]);
      this.closeWith(CloseCode.AUTH_REQUIRED, NOAUTH);
      return;
    }
    if (type === FrameType.BATCH || type === FrameType.ATOMIC) {
      const id = frame[1];
      if (typeof id !== "number" || !Number.isSafeInteger(id)) throw new BadFrame("ERR protocol error: a batch needs an integer id");
      const raw = frame[2];
      if (!Array.isArray(raw)) throw new BadFrame("ERR protocol error: a batch's commands must be an array", id);
      if (raw.length > this.options.maxBatchCommands) {
        throw new BadFrame(`ERR batch of ${raw.length} commands is over the limit of ${this.options.maxBatchCommands}`, id);
      }
      const maxBulk = configOf(this.server).get(PROTO_MAX_BULK_LEN);
      let credentials: string[][] | null = null;
      for (let i = 0; i < raw.length; i++) {
        if (!mayAuthenticate(raw[i])) continue;
        const argv = decodeCommand(raw[i], i, maxBulk);
        if (!(argv instanceof ErrorReply)) (credentials ??= []).push(argv);
      }
      const checking = credentials === null ? null : precheck(this.server, this.session, credentials);
      if (checking !== null) {
        return checking.then(() => this.runBatch(id, raw, maxBulk, type === FrameType.ATOMIC)).finally(() => clearPrechecked(this.session));
      }
      return this.runBatch(id, raw, maxBulk, type === FrameType.ATOMIC);
    }
    if (type >= FrameType.WATCH && type <= FrameType.UNSUBSCRIBE) {
      const id = frame[1];
      if (typeof id !== "number" || !Number.isSafeInteger(id)) throw new BadFrame("ERR protocol error: a request needs an integer id");
      const asBadFrame = (e: unknown): never => {
        if (e instanceof CommandError) throw new BadFrame(e.message, id);
        throw e;
      };
      let wait: Promise<void> | void = undefined;
      try {
        wait = this.handleSubscription(type, id, frame);
      } catch (e) {
        asBadFrame(e);
      }
      // Gateway mode: watches and subscriptions wait for the backend.
      return wait ? wait.catch(asBadFrame) : undefined;
    }
    throw new BadFrame(`ERR protocol error: unknown frame type ${type}`);
  }

  private hello(frame: unknown[]): void {
    const version = frame[1];
    if (typeof version !== "number" || !SUPPORTED_VERSIONS.includes(version)) {
      this.closeWith(CloseCode.UNSUPPORTED_VERSION, `unsupported protocol version ${String(version)}; this server speaks ${SUPPORTED_VERSIONS.join(", ")}`);
      return;
    }
    const info: Record<string, unknown> = { server: "keycast", version: SERVER_VERSION, protocol: version, id: this.session.id };
    if (!this.authenticated) info.authRequired = true;
    this.send([FrameType.HELLO, version, info]);
  }

  // ---- authentication ----

  private auth(frame: unknown[]): Promise<void> {
    const id = frame[1];
    if (typeof id !== "number" || !Number.isSafeInteger(id)) throw new BadFrame("ERR protocol error: an AUTH frame needs an integer id");
    const o = frame[2] as Record<string, unknown> | null;
    if (typeof o !== "object" || o === null || Array.isArray(o)) throw new BadFrame("ERR protocol error: AUTH takes a map: {user?, password} or {token}", id);
    if (typeof o.token === "string") return this.authenticateToken(id, o.token);
    const user = o.user ?? o.username ?? "default";
    if (typeof o.password !== "string" || typeof user !== "string") throw new BadFrame("ERR protocol error: AUTH takes a map: {user?, password} or {token}", id);
    return this.authenticatePassword(id, textToBytes(user), textToBytes(o.password));
  }

  private async authenticatePassword(id: number, username: string, password: string): Promise<void> {
    const acl = aclOf(this.server);
    if (username === "default" && acl.defaultUser.nopass && acl.defaultUser.enabled) {
      this.send([FrameType.ERROR, id, "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"]);
      return;
    }
    const user = await checkPassword(this.server, username, password);
    if (this.closing) return;
    if (user === null) return this.authFailed(id, WRONGPASS, username);
    this.clearExpiry();
    this.session.user = user;
    this.session.tokenExpiresAt = undefined;
    this.send([FrameType.AUTH, id, { user: user.name, expiresAt: null } satisfies AuthResult]);
  }

  /** id null: the token came in the handshake, and a refusal closes the connection. */
  private async authenticateToken(id: number | null, token: string): Promise<void> {
    const verifier = this.options.tokens;
    if (!verifier) {
      if (id === null) this.closeWith(CloseCode.AUTH_FAILED, "token authentication is not configured on this server");
      else this.send([FrameType.ERROR, id, "ERR token authentication is not configured on this server"]);
      return;
    }
    let verified;
    try {
      verified = await verifier.verify(token, aclOf(this.server));
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      if (this.closing) return;
      if (id === null) {
        this.logAuthFailure("(token)");
        this.closeWith(CloseCode.AUTH_FAILED, `WRONGPASS ${e.message}`);
        return;
      }
      return this.authFailed(id, `WRONGPASS ${e.message}`, "(token)");
    }
    if (this.closing) return;
    this.session.user = verified.user;
    this.session.tokenExpiresAt = verified.expiresAt ?? undefined;
    this.armExpiry(verified.expiresAt);
    if (id !== null) this.send([FrameType.AUTH, id, { user: verified.user.name, expiresAt: verified.expiresAt } satisfies AuthResult]);
  }

  private logAuthFailure(username: string): void {
    aclOf(this.server).log.add("auth", "toplevel", "AUTH", username, clientLine(this.session, Date.now()), Date.now());
  }

  private authFailed(id: number, message: string, username: string): void {
    this.logAuthFailure(username);
    this.send([FrameType.ERROR, id, message]);
    if (++this.authFailures >= MAX_AUTH_FAILURES) this.closeWith(CloseCode.AUTH_FAILED, "too many failed authentication attempts");
  }

  private clearExpiry(): void {
    if (this.expiryTimer !== null) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
  }

  /** Closes the connection when the token expires, unless a new AUTH frame renews it first. */
  private armExpiry(expiresAt: number | null): void {
    this.clearExpiry();
    if (expiresAt === null) return;
    const left = expiresAt - Date.now();
    this.expiryTimer = setTimeout(
      () => {
        if (left > MAX_TIMER_MS) this.armExpiry(expiresAt);
        else this.closeWith(CloseCode.TOKEN_EXPIRED, "the token expired: authenticate again with a fresh token");
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    this.expiryTimer.unref();
  }

  /** SessionOwner. After an ACL change: may every subscription stay? (Watches filter their events per key instead.) */
  subscriptionsStillAllowed(): boolean {
    if (this.subscriptionMap === null) return true;
    const user = this.session.user;
    for (const sub of this.subscriptionMap.values()) if (!canUseChannel(user, sub.name, sub.kind === "pattern")) return false;
    return true;
  }

  // ---- batches ----

  /** The command-rate bucket, rebuilt when the settings change; null without a limit. */
  private rateBucket(): TokenBucket | null {
    const config = configOf(this.server);
    const rate = config.get(MAX_COMMANDS_PER_SECOND);
    if (rate === 0) return (this.bucket = null);
    if (this.bucket === null || this.bucketRate !== rate) {
      this.bucketRate = rate;
      this.bucket = new TokenBucket(rate, config.get(MAX_COMMANDS_BURST) || rate, Date.now());
    }
    return this.bucket;
  }

  private runBatch(id: number, raw: readonly unknown[], maxBulk: number, atomic: boolean): Promise<void> | void {
    const bucket = this.rateBucket();
    const gateway = this.server.gateway;
    if (gateway !== null) {
      // Gateway mode: the backend runs the batch; the rate limit takes the batch whole.
      if (bucket !== null) {
        const wait = bucket.waitMs(raw.length, Date.now());
        if (wait > 0) return sleep(wait).then(() => this.runBatch(id, raw, maxBulk, atomic));
        bucket.take(raw.length, Date.now());
      }
      const cmds = raw.map((c, i) => decodeCommand(c, i, maxBulk));
      return gateway.runBatch(this.ctx, cmds, atomic).then((replies) => this.sendReplies(id, replies));
    }
    if (atomic) {
      if (bucket !== null) {
        if (raw.length > bucket.capacity) {
          throw new BadFrame(`ERR atomic batch of ${raw.length} commands is over the command burst limit of ${bucket.capacity} (max-commands-burst)`, id);
        }
        const wait = bucket.waitMs(raw.length, Date.now());
        if (wait > 0) return sleep(wait).then(() => this.runBatch(id, raw, maxBulk, atomic));
        bucket.take(raw.length, Date.now());
      }
      const cmds: string[][] = new Array(raw.length);
      let bad = false;
      const decoded = raw.map((c, i) => {
        const argv = decodeCommand(c, i, maxBulk);
        if (argv instanceof ErrorReply) bad = true;
        else cmds[i] = argv;
        return argv;
      });
      const replies = bad
        ? decoded.map((d) => (d instanceof ErrorReply ? d : new ErrorReply("EXECABORT Transaction discarded because of previous errors.")))
        : executeBatch(this.ctx, cmds, true);
      this.sendReplies(id, replies);
      return;
    }
    return this.continueBatch({ id, raw, maxBulk, replies: new Array(raw.length), next: 0 }, bucket);
  }

  /**
   * Runs a plain batch until it is done, its slice of time is used up, or the rate limit says
   * wait; then continues on a later turn. Other clients' commands may run in between.
   */
  private continueBatch(job: BatchJob, bucket: TokenBucket | null): Promise<void> | void {
    const { raw, maxBulk, replies } = job;
    const ctx = this.ctx;
    ctx.server.keyspace.tick();
    const start = ctx.server.keyspace.tickedAt;
    let end = raw.length;
    if (bucket !== null) {
      const granted = bucket.take(raw.length - job.next, Date.now());
      if (granted === 0) return sleep(bucket.waitMs(1, Date.now())).then(() => this.resumeBatch(job));
      end = job.next + granted;
    }
    let i = job.next;
    // Each command starts where the previous one ended: one clock read per command.
    ctx.ended = start;
    while (i < end) {
      const argv = decodeCommand(raw[i], i, maxBulk);
      replies[i] = argv instanceof ErrorReply ? argv : execute(ctx, argv, ctx.ended);
      i++;
      if ((i & 63) === 0 && i < end && performance.now() - start > SLICE_MS) break;
    }
    if (bucket !== null && i < end) bucket.refund(end - i);
    job.next = i;
    if (i === raw.length) {
      this.sendReplies(job.id, replies);
      return;
    }
    return sleep(0).then(() => this.resumeBatch(job));
  }

  private resumeBatch(job: BatchJob): Promise<void> | void {
    if (this.closing) return;
    return this.continueBatch(job, this.rateBucket());
  }

  // ---- watches and subscriptions ----

  private checkRoom(): void {
    if ((this.watchMap?.size ?? 0) + (this.subscriptionMap?.size ?? 0) >= this.options.maxWatchesPerConnection) {
      throw new CommandError(`ERR too many watches and subscriptions on this connection (limit ${this.options.maxWatchesPerConnection})`);
    }
  }

  private handleSubscription(type: number, id: number, frame: unknown[]): Promise<void> | void {
    const server = this.server;
    const user = this.session.user;
    if (type === FrameType.WATCH) {
      this.checkRoom();
      const req = parseWatchRequest(frame[2], frame[3], frame[4], this.options.maxSnapshotKeys);
      const pattern = toArg(req.pattern);
      if (pattern === null || typeof req.pattern === "number") throw new CommandError("ERR protocol error: a watch needs a key or pattern (str or bin)");
      if (this.watches.has(req.watchId)) throw new CommandError(`ERR watch id ${req.watchId} is already in use on this connection`);
      // A key needs read permission; a pattern is allowed, and delivers only the keys the user may read.
      if (isLiteralPattern(pattern) && !canReadKey(user, pattern)) {
        aclOf(server).log.add("key", "watch", pattern, user?.name ?? "default", clientLine(this.session, Date.now()), Date.now());
        throw new CommandError(NOPERM_KEY);
      }
      const request = { ...req, pattern, user: user ?? null };
      const events = gatewayEvents(server);
      if (events !== null) return events.startWatch(this, request).then((started) => this.watchStarted(id, started));
      this.watchStarted(id, startWatch(server, this, request));
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
      if (!canUseChannel(user, name, kind === "pattern")) {
        aclOf(server).log.add("channel", "toplevel", name, user?.name ?? "default", clientLine(this.session, Date.now()), Date.now());
        throw new CommandError(NOPERM_CHANNEL);
      }
      const sub = new WsSubscription(this, subId, kind, name);
      this.subscriptions.set(subId, sub);
      const events = gatewayEvents(server);
      if (events !== null) {
        return events.subscribe(sub, kind, name).then(
          () => this.send([FrameType.SUBSCRIBE, id]),
          (e: unknown) => {
            this.subscriptions.delete(subId);
            events.unsubscribe(sub, kind, name);
            throw new CommandError(`ERR the backend refused the subscription: ${(e as Error).message}`);
          },
        );
      }
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

  private watchStarted(id: number, started: StartedWatch): void {
    if (this.closing) {
      this.server.watchers.remove(started.watch);
      return;
    }
    this.watches.set(started.watch.id, started.watch);
    // Replayed events first: the result's position then covers them, so a client that drops
    // in the middle of a replay resumes from the last event it actually received.
    for (const f of started.replay) this.sendRaw(f);
    this.send([FrameType.WATCH, id, started.result]);
    // A gateway's snapshot: the changes since its position come after it.
    if (started.after) for (const f of started.after) this.sendRaw(f);
  }

  private unsubscribe(sub: WsSubscription): void {
    const events = gatewayEvents(this.server);
    if (events !== null) return events.unsubscribe(sub, sub.kind, sub.name);
    if (sub.kind === "channel") this.server.pubsub.unsubscribe(sub, sub.name);
    else this.server.pubsub.punsubscribe(sub, sub.name);
  }

  private sendReplies(id: number, replies: Reply[]): void {
    // The append-only log first: a reply must not acknowledge a write the log does not hold.
    this.server.flushBeforeReply();
    this.sendRaw(batchFrame(id, replies));
  }
}

/** Gateway mode's events part (watches and subscriptions through the backend), or null. */
function gatewayEvents(server: ServerState): GatewayEvents | null {
  return server.gateway?.events ?? null;
}
