// Values through a gateway, read from the backend after the fact: the value an event carries
// (for watches that asked for it) and the snapshot a watch starts with. One script per key
// reads its type, value and TTL together, so each is consistent in itself.

import { RESP_TYPES, type RedisArgument } from "redis";
import { bufferToBytes, bytesToBuffer } from "../../bytes.js";
import { canReadKey } from "../../acl/check.js";
import { CommandError } from "../../errors.js";
import { isLiteralPattern } from "../../keyspace/glob.js";
import { MapReply, type Reply } from "../../reply.js";
import { replyToWire } from "../../encoding/msgpack-replies.js";
import type { SnapshotEntry, WatchRequest } from "../../events/watch-start.js";
import { isClusterClient, send, type Backend, type BackendClient, type BackendValue } from "../backend.js";
import { OWN_PREFIX, Script } from "./keys.js";

const READ = new Script(`
local t = redis.call('TYPE', KEYS[1]).ok
local v = false
if t == 'string' then v = redis.call('GET', KEYS[1])
elseif t == 'list' then v = redis.call('LRANGE', KEYS[1], 0, -1)
elseif t == 'set' then v = redis.call('SMEMBERS', KEYS[1])
elseif t == 'hash' then v = redis.call('HGETALL', KEYS[1])
elseif t == 'zset' then v = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
end
return {t, v, redis.call('PTTL', KEYS[1])}`);

/** Events whose delta, in standalone keycast, is the key's new string value. */
export const DELTA_IS_VALUE: ReadonlySet<string> = new Set(["set", "incrby", "incrbyfloat"]);

export interface KeyRead {
  type: string;
  /** As keycast replies hold it: a byte string, an array, a map; null when the key is gone. */
  value: Reply;
  pttl: number;
}

function bytes(v: BackendValue): string {
  return Buffer.isBuffer(v) ? bufferToBytes(v) : String(v);
}

function toReply(type: string, v: BackendValue): Reply {
  if (v === null || v === false) return null;
  if (type === "string") return bytes(v);
  const items = Array.isArray(v) ? v.map(bytes) : v instanceof Set ? [...v].map(bytes) : [];
  return type === "hash" ? new MapReply(items) : items;
}

/** Reads one key's type, value and TTL (`key` a byte string). */
export async function readKey(backend: Backend, db: number, key: string): Promise<KeyRead> {
  const c = await backend.client(db);
  const r = (await READ.run(c, [bytesToBuffer(key)], [])) as BackendValue[];
  const type = bytes(r[0]!);
  return { type, value: type === "none" ? null : toReply(type, r[1]!), pttl: Number(r[2]) };
}

/** One SCAN step; a cluster's node clients do not carry the cluster's type mapping, so it is given here. */
function scan(node: BackendClient, cursor: string, match: Buffer): Promise<BackendValue[]> {
  const args: RedisArgument[] = ["SCAN", cursor, "MATCH", match, "COUNT", "1000"];
  if (isClusterClient(node)) return send(node, args) as Promise<BackendValue[]>;
  return node.sendCommand<BackendValue[]>(args, { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } });
}

/** The clients to SCAN: every master of a cluster, else the client of the database. */
async function scanTargets(c: BackendClient): Promise<BackendClient[]> {
  if (!isClusterClient(c)) return [c];
  return Promise.all(c.masters.map((m) => c.nodeClient(m) as Promise<BackendClient>));
}

/**
 * The keys matching the watch, with their values and TTLs, as a snapshot. Read key by key (a
 * gateway cannot read them all in one atomic step): the caller replays the events since the
 * position it noted before, so a change may show both in the snapshot and as an event.
 */
export async function readSnapshot(backend: Backend, req: WatchRequest): Promise<SnapshotEntry[]> {
  const user = req.user ?? undefined;
  let keys: string[];
  if (isLiteralPattern(req.pattern)) keys = canReadKey(user, req.pattern) ? [req.pattern] : [];
  else {
    keys = [];
    const match = bytesToBuffer(req.pattern);
    for (const node of await scanTargets(await backend.client(req.db))) {
      let cursor = "0";
      do {
        const r = await scan(node, cursor, match);
        cursor = bytes(r[0]!);
        for (const k of r[1] as BackendValue[]) {
          const key = bytes(k);
          if (key.startsWith(OWN_PREFIX) || !canReadKey(user, key)) continue;
          if (keys.length === req.snapshotLimit) {
            throw new CommandError(`ERR the snapshot of '${req.pattern}' would hold more than ${req.snapshotLimit} keys: narrow the pattern or raise snapshotLimit`);
          }
          keys.push(key);
        }
      } while (cursor !== "0");
    }
  }
  const reads = await Promise.all(keys.map((k) => readKey(backend, req.db, k)));
  const out: SnapshotEntry[] = [];
  for (let i = 0; i < keys.length; i++) {
    const r = reads[i]!;
    // Gone between the SCAN and the read, or a type keycast does not watch (streams).
    if (r.value === null) continue;
    out.push([replyToWire(keys[i]!), r.type, replyToWire(r.value), r.pttl < 0 ? -1 : r.pttl]);
  }
  return out;
}
