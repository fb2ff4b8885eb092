// The leader's work: subscribe to the keyspace notifications of every master, append each
// one to the shared stream with the next offset, and keep the deadlines of keys with a TTL.
//
// Notifications are fire-and-forget: whatever happens while no subscriber listens is lost.
// So every start of this work (a takeover, a subscriber that reconnected, a topology change)
// begins a NEW epoch of the history: clients with a position of the old one resync, a clear
// signal instead of a silent gap. Each append runs a script that checks the lease first, so a
// leader that lost its lease without knowing it (paused, cut off) cannot write any more.

import type { Logger } from "../../observability/logger.js";
import { DATABASES } from "../../keyspace/keyspace.js";
import { send, type Backend, type BackendClient, type ClusterClient, type NodeClient } from "../backend.js";
import { keySlot } from "../slot.js";
import { Deadlines } from "./deadlines.js";
import { EPOCH_KEY, errorText, EVENTS_KEY, LEADER_KEY, OWN_PREFIX, Script } from "./keys.js";
import { randomBytes } from "node:crypto";

/** Starts an epoch after the stream's last entry: its marker, then the epoch key. Returns the base. */
const NEW_EPOCH = new Script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('NOTLEADER this gateway does not hold the lease') end
local last = tonumber(ARGV[4])
local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if top[1] then
  local ms = tonumber(string.match(top[1][1], '^(%d+)'))
  if ms > last then last = ms end
end
local base = last + 2
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], (base - 1) .. '-2', 'epoch', ARGV[2], 'base', base)
redis.call('SET', KEYS[3], ARGV[2] .. ':' .. base)
return base`);

/**
 * The events of one tick, written only by the lease holder: ARGV = lease id, max events, epoch,
 * then id, db, key, event, time for each event.
 */
const APPEND = new Script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('NOTLEADER this gateway does not hold the lease') end
for i = 4, #ARGV, 5 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], ARGV[i], 'db', ARGV[i + 1], 'key', ARGV[i + 2], 'event', ARGV[i + 3], 'time', ARGV[i + 4], 'ep', ARGV[3])
end
return (#ARGV - 3) / 5`);

/** Most events appended by one script call. */
const APPEND_BATCH = 1000;

/** The notification classes keycast's events need: generic, string, list, set, hash, expired, evicted; keyevent channels. */
const NEEDED_FLAGS = "Eg$lshxe";
const CHANNEL_PREFIX = "__keyevent@";
/** How often the cluster's masters are compared with those subscribed to, ms. */
const TOPOLOGY_EVERY_MS = 5000;

export interface LeaderOptions {
  leaseId: string;
  maxEvents: number;
  /** The newest offset this process knows of: a new epoch starts above it. */
  knownOffset: () => number;
}

/** notify-keyspace-events with the classes keycast needs added to what the operator set. */
export function mergeFlags(current: string): string {
  let out = current;
  const hasA = current.includes("A");
  for (const c of NEEDED_FLAGS) {
    if (out.includes(c)) continue;
    if (hasA && "g$lshxe".includes(c)) continue;
    out += c;
  }
  return out;
}

export class Leader {
  private subs: NodeClient[] = [];
  private deadlines: Deadlines | null = null;
  private nextOffset = 0;
  private epoch = "";
  private own!: BackendClient;
  /** The leader's own connection for appends (see appendConnection). */
  private appendTo: NodeClient | null = null;
  private stopped = false;
  private topologyTimer: NodeJS.Timeout | null = null;
  private mastersSeen = "";
  /** Notifications appended (for tests and INFO). */
  appended = 0;

  constructor(
    private readonly backend: Backend,
    private readonly ownDb: number,
    private readonly options: LeaderOptions,
    private readonly logger: Logger,
    /** Called when the work cannot go on (lease lost, events may have been missed). */
    private readonly onFail: (reason: string) => void,
  ) {}

  get touched(): number {
    return this.deadlines?.touched ?? 0;
  }

  get early(): number {
    return this.deadlines?.early ?? 0;
  }

  async start(): Promise<void> {
    this.own = await this.backend.client(this.ownDb);
    const masters = await this.backend.masters();
    this.mastersSeen = masterList(masters);
    // Subscribers first, the new epoch after: every notification from the epoch's start on is heard.
    let buffering: { db: number; event: string; key: Buffer; time: number }[] | null = [];
    const onMessage = (message: Buffer, channel: Buffer): void => {
      const parsed = parseChannel(channel);
      if (parsed === null) return;
      if (message.length >= OWN_PREFIX.length && message.toString("latin1", 0, OWN_PREFIX.length) === OWN_PREFIX) return;
      if (buffering !== null) buffering.push({ db: parsed.db, event: parsed.event, key: message, time: Date.now() });
      else this.append(parsed.db, parsed.event, message, Date.now());
    };
    for (const m of masters) {
      const sub = await this.backend.connectNode(m, 0);
      this.subs.push(sub);
      if (this.stopped) throw new Error("stopped");
      sub.on("error", () => {});
      // Connected already: "ready" now means a reconnect, and whatever was published meanwhile is lost.
      sub.on("ready", () => this.fail(`the notification connection to ${m.host}:${m.port} was re-established: events may have been missed`));
      await this.configure(sub, m);
      await sub.pSubscribe(`${CHANNEL_PREFIX}*__:*`, onMessage, true);
    }
    this.appendTo = await this.appendConnection();
    // Loaded before the first append: a NOSCRIPT fallback could reorder pipelined appends.
    await APPEND.load(this.appendTo, EVENTS_KEY);
    const epoch = randomBytes(6).toString("hex");
    const base = Number(
      await NEW_EPOCH.run(this.own, [LEADER_KEY, EVENTS_KEY, EPOCH_KEY], [this.options.leaseId, epoch, String(this.options.maxEvents), String(this.options.knownOffset())]),
    );
    this.epoch = epoch;
    this.nextOffset = base;
    // Before the buffered events go out: their "expire" events record deadlines too.
    this.deadlines = new Deadlines(this.backend, this.own, this.logger);
    const pending = buffering;
    buffering = null;
    for (const p of pending) this.append(p.db, p.event, p.key, p.time);
    await this.deadlines.start();
    if (this.backend.spec.cluster) {
      this.topologyTimer = setInterval(() => void this.checkTopology(), TOPOLOGY_EVERY_MS);
      this.topologyTimer.unref();
    }
    this.logger.info({ base }, "gateway: events leader, new history epoch");
  }

  /** Turns on the notifications keycast needs, keeping the operator's; says what to set when refused. */
  private async configure(sub: NodeClient, m: { host: string; port: number }): Promise<void> {
    try {
      const r = await send(sub, ["CONFIG", "GET", "notify-keyspace-events"]);
      const flat = (Array.isArray(r) ? r : r instanceof Map ? [...r].flat() : []) as unknown[];
      const current = flat.length >= 2 ? String(flat[1]) : "";
      const wanted = mergeFlags(current);
      if (wanted !== current) await send(sub, ["CONFIG", "SET", "notify-keyspace-events", wanted]);
    } catch (e) {
      this.logger.error(
        { node: `${m.host}:${m.port}`, err: errorText(e) },
        `gateway: cannot set notify-keyspace-events on the backend: set it yourself to include "${NEEDED_FLAGS}" (e.g. notify-keyspace-events ${NEEDED_FLAGS} in redis.conf), or watches will see no events`,
      );
    }
  }

  /** Events waiting for the end of the tick: [id, db, key, event, time, ...]. */
  private pending: (string | Buffer)[] = [];

  private append(db: number, event: string, key: Buffer, time: number): void {
    if (this.stopped) return;
    const offset = this.nextOffset++;
    this.appended++;
    // A burst of notifications (a pipeline, an expiry run) arrives in one read: appended with
    // one script call per tick instead of one round trip per event.
    if (this.pending.length === 0) process.nextTick(() => this.flushAppends());
    this.pending.push(`${offset}-1`, String(db), key, event, String(time));
    if (event === "expire") void this.deadlines?.onExpire(db, key);
  }

  private flushAppends(): void {
    const all = this.pending;
    this.pending = [];
    if (this.stopped) return;
    const head = [this.options.leaseId, String(this.options.maxEvents), this.epoch];
    const to = this.appendTo;
    if (to === null) return;
    for (let i = 0; i < all.length; i += APPEND_BATCH * 5) {
      APPEND.run(to, [LEADER_KEY, EVENTS_KEY], [...head, ...all.slice(i, i + APPEND_BATCH * 5)], false).catch((e: unknown) =>
        this.fail(`events could not be appended to the history: ${errorText(e)}`),
      );
    }
  }

  /**
   * A connection of the leader's own to the node that holds keycast's keys. Appends are sent
   * without waiting (a burst can queue many), and behind them a lease renewal on the shared
   * connection could wait past the lease's end: the leader would lose its lease under load
   * and every watcher would resync. On their own connection they delay nothing else.
   */
  private async appendConnection(): Promise<NodeClient> {
    let node: { host: string; port: number };
    if (this.backend.spec.cluster) {
      const master = (this.own as ClusterClient).getSlotMaster(keySlot(EVENTS_KEY));
      node = { host: master.host, port: master.port };
    } else node = (await this.backend.masters())[0]!;
    const c = await this.backend.connectNode(node, this.ownDb);
    c.on("error", () => {});
    // Appends in flight when the link dropped may be lost: start again with a new epoch.
    c.on("ready", () => this.fail("the history connection was re-established: events may have been lost"));
    return c;
  }

  private async checkTopology(): Promise<void> {
    try {
      const now = masterList(await this.backend.masters());
      if (now !== this.mastersSeen) this.fail("the cluster's masters changed");
    } catch {
      // The next check tries again.
    }
  }

  private failed = false;

  private fail(reason: string): void {
    if (this.stopped || this.failed) return;
    this.failed = true;
    this.onFail(reason);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.topologyTimer) clearInterval(this.topologyTimer);
    this.deadlines?.stop();
    const subs = this.subs;
    this.subs = [];
    if (this.appendTo !== null) subs.push(this.appendTo);
    this.appendTo = null;
    await Promise.all(subs.map((s) => s.close().catch(() => s.destroy())));
  }
}

function masterList(ms: { host: string; port: number }[]): string {
  return ms
    .map((m) => `${m.host}:${m.port}`)
    .sort()
    .join(",");
}

/** `__keyevent@<db>__:<event>` → db and event; null for anything else. */
function parseChannel(channel: Buffer): { db: number; event: string } | null {
  const s = channel.toString("latin1");
  if (!s.startsWith(CHANNEL_PREFIX)) return null;
  const end = s.indexOf("__:", CHANNEL_PREFIX.length);
  if (end < 0) return null;
  const db = Number(s.slice(CHANNEL_PREFIX.length, end));
  if (!Number.isInteger(db) || db < 0 || db >= DATABASES) return null;
  return { db, event: s.slice(end + 3) };
}
