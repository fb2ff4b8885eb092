// The lease that makes one gateway at a time the leader (the one that turns keyspace
// notifications into the shared history and touches keys at their deadline): `SET NX PX`,
// renewed by its holder with a compare-and-renew script, taken by another gateway once it
// lapses, released on a clean shutdown so that another takes over at once.

import { randomBytes } from "node:crypto";
import type { Logger } from "../../observability/logger.js";
import { send, type BackendClient } from "../backend.js";
import { errorText, LEADER_KEY, Script } from "./keys.js";

const RENEW = new Script(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`);
const RELEASE = new Script(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

export interface LeaseOptions {
  /** How long the lease lasts without renewal, ms. */
  ttlMs: number;
}

export class Lease {
  /** This gateway's name in the lease (random per process). */
  readonly id = randomBytes(8).toString("hex");
  held = false;
  /** Local time after which the lease may have lapsed if not renewed since. */
  private validUntil = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private busy = false;
  private lastRenewal = 0;

  constructor(
    private readonly client: () => Promise<BackendClient>,
    private readonly options: LeaseOptions,
    private readonly logger: Logger,
    private readonly onAcquire: () => void,
    private readonly onLose: (reason: string) => void,
  ) {}

  /** Tries at once, then keeps trying (or renewing) every third of the TTL. */
  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    // A holder renews every third of the TTL; the others look twice as often, so that a lapsed
    // or released lease is taken over within about a sixth of the TTL.
    const every = this.held ? this.options.ttlMs / 3 : this.options.ttlMs / 6;
    this.timer = setTimeout(() => {
      this.tick().finally(() => this.schedule());
    }, every);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    try {
      const c = await this.client();
      const started = Date.now();
      if (this.held) {
        const r = await RENEW.run(c, [LEADER_KEY], [this.id, String(this.options.ttlMs)]);
        const took = Date.now() - started;
        // A slow renewal is how a loaded gateway loses its lease (and every watcher resyncs): say so.
        if (took > this.options.ttlMs / 3) this.logger.warn({ ms: took, since: started - this.lastRenewal }, "gateway: the events lease took long to renew");
        this.lastRenewal = started;
        if (r === 1) this.validUntil = started + this.options.ttlMs;
        else this.lose("the lease was taken by another gateway or vanished");
      } else {
        const r = await send(c, ["SET", LEADER_KEY, this.id, "NX", "PX", String(this.options.ttlMs)], LEADER_KEY);
        if (r === "OK" && !this.closed) {
          this.held = true;
          this.validUntil = started + this.options.ttlMs;
          this.onAcquire();
        }
      }
    } catch (e) {
      if (this.held && Date.now() >= this.validUntil) this.lose(`the lease could not be renewed: ${errorText(e)}`);
    } finally {
      this.busy = false;
    }
  }

  /** Gives the lease up locally (the leader's work stops); the backend key lapses by itself. */
  lose(reason: string): void {
    if (!this.held) return;
    this.held = false;
    this.logger.warn({ reason }, "gateway: no longer the events leader");
    this.onLose(reason);
  }

  /** Gives the lease back now (the leader could not start): another gateway may take it. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    try {
      await RELEASE.run(await this.client(), [LEADER_KEY], [this.id]);
    } catch {
      // It lapses by itself.
    }
  }

  /** Stops renewing and deletes the lease if still ours, so that another gateway takes over now. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (!this.held) return;
    this.held = false;
    try {
      await RELEASE.run(await this.client(), [LEADER_KEY], [this.id]);
    } catch {
      // It lapses by itself.
    }
  }
}
