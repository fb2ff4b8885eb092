// The backend keys keycast keeps for itself, all under the {keycast} hash tag so that they
// share one Redis Cluster slot (and Lua scripts may touch several of them), and the helpers
// that read them.

import { createHash } from "node:crypto";
import type { RedisArgument } from "redis";
import { send, type BackendClient, type BackendValue } from "../backend.js";

/** `<hex>:<base>`: the epoch of the shared history and the offset of its first event. */
export const EPOCH_KEY = "{keycast}:epoch";
/** The shared event history (a Stream): entry `<offset>-1` per event, `<base-1>-2` marks a new epoch. */
export const EVENTS_KEY = "{keycast}:events";
/** The lease of the gateway that turns notifications into history: `SET NX PX`. */
export const LEADER_KEY = "{keycast}:leader";
/** Keys with a TTL: member `<db>:<key>` (bytes), score = deadline (ms, backend clock). */
export const DEADLINES_KEY = "{keycast}:deadlines";
/** Keys of keycast's own: their notifications are not events of the users' data. */
export const OWN_PREFIX = "{keycast}:";

export interface EpochInfo {
  epoch: string;
  /** Offset of the epoch's first event; its marker entry is `<base-1>-2`. */
  base: number;
}

export function parseEpoch(v: BackendValue): EpochInfo | null {
  if (!Buffer.isBuffer(v) && typeof v !== "string") return null;
  const s = v.toString();
  const colon = s.lastIndexOf(":");
  const base = Number(s.slice(colon + 1));
  if (colon < 1 || !Number.isSafeInteger(base)) return null;
  return { epoch: s.slice(0, colon), base };
}

export function markerId(base: number): string {
  return `${base - 1}-2`;
}

/** A stream ID as [ms, seq]. */
export function parseId(id: string): [number, number] {
  const dash = id.indexOf("-");
  return [Number(id.slice(0, dash)), Number(id.slice(dash + 1))];
}

export function compareIds(a: string, b: string): number {
  const [am, as] = parseId(a);
  const [bm, bs] = parseId(b);
  return am !== bm ? am - bm : as - bs;
}

/** A Lua script run by its SHA1, sent whole the first time a node does not know it. */
export class Script {
  readonly sha: string;
  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Loads the script on the node that holds `key`. */
  async load(c: BackendClient, key: RedisArgument): Promise<void> {
    await send(c, ["SCRIPT", "LOAD", this.source], key);
  }

  /** `fallback` false: a node without the script fails the call (order-sensitive callers load it first). */
  async run(c: BackendClient, keys: readonly RedisArgument[], args: readonly RedisArgument[], fallback = true): Promise<BackendValue> {
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await send(c, ["EVALSHA", this.sha, ...tail], keys[0]);
    } catch (e) {
      if (!fallback || !String((e as Error).message).startsWith("NOSCRIPT")) throw e;
      return send(c, ["EVAL", this.source, ...tail], keys[0]);
    }
  }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
