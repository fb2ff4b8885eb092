// Gateway mode, commands: keycast with --backend forwards WebSocket batches to a real
// redis-server (and a Redis Cluster), with the same replies and errors as standalone mode.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { pack, unpack } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { connect, type KeycastClient } from "../client/node.js";
import { FrameType } from "../shared/protocol.js";
import { ListenError, startServer, type RunningServer } from "../server/index.js";
import { parseArgs } from "../server/cli.js";
import { parseBackend } from "../server/gateway/backend.js";
import { keySlot } from "../server/gateway/slot.js";
import { RawClient } from "./redis-server.js";
import { startRedisCluster, startRedisNode, type RedisNode, type TestCluster } from "./redis-cluster.js";

const run = promisify(execFile);

async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args]);
  return stdout.trim();
}

/** A raw WebSocket that sends batch frames and returns the reply frames, errors included. */
interface Raw {
  batch(cmds: unknown[][], atomic?: boolean): Promise<unknown[]>;
  close(): void;
}

async function raw(url: string): Promise<Raw> {
  const ws = new WebSocket(url);
  const waiters = new Map<number, (f: unknown[]) => void>();
  ws.on("message", (data) => {
    const f = unpack(data as Buffer) as unknown[];
    waiters.get(f[1] as number)?.(f);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  let id = 0;
  return {
    batch(cmds, atomic = false) {
      const n = ++id;
      return new Promise((resolve) => {
        waiters.set(n, resolve);
        ws.send(pack([atomic ? FrameType.ATOMIC : FrameType.BATCH, n, cmds]));
      });
    },
    close: () => ws.close(),
  };
}

async function gateway(backend: string, more: Parameters<typeof startServer>[0] = {}): Promise<RunningServer> {
  return startServer({ port: 0, backend, dashboard: false, ...more });
}

describe("gateway over one redis-server", () => {
  let redis: RedisNode;
  let gw: RunningServer;
  let standalone: RunningServer;
  let kc: KeycastClient;
  const opened: { close(): unknown }[] = [];

  beforeAll(async () => {
    redis = await startRedisNode();
    gw = await gateway(`redis://127.0.0.1:${redis.port}`);
    standalone = await startServer({ port: 0, dashboard: false });
    kc = await connect(gw.url);
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await kc?.close();
    await gw?.close();
    await standalone?.close();
    await redis?.destroy();
  });

  async function rawOn(url: string): Promise<Raw> {
    const r = await raw(url);
    opened.push(r);
    return r;
  }

  it("starts with no RESP listener and says which backend it uses", async () => {
    expect(gw.respPort).toBeNull();
    expect(gw.state.gateway).not.toBeNull();
    expect(gw.state.gateway!.description).toBe(`redis://127.0.0.1:${redis.port}`);
  });

  it("runs batches on the backend: the same replies as standalone keycast, in order", async () => {
    const batches: unknown[][][] = [
      [["SET", "d:s", "1"], ["GET", "d:s"], ["INCR", "d:s"], ["INCRBYFLOAT", "d:s", "1.5"], ["APPEND", "d:s", "x"], ["STRLEN", "d:s"], ["GETRANGE", "d:s", 0, -1]],
      [["HSET", "d:h", "a", "1", "b", "2"], ["HGETALL", "d:h"], ["HMGET", "d:h", "a", "zz"], ["HINCRBY", "d:h", "a", 5], ["HINCRBYFLOAT", "d:h", "b", "0.5"], ["HLEN", "d:h"]],
      [["RPUSH", "d:l", "a", "b", "c"], ["LRANGE", "d:l", 0, -1], ["LPOP", "d:l", 2], ["LPOS", "d:l", "c"], ["LLEN", "d:l"], ["RPOP", "d:nope"]],
      [["SADD", "d:set", "x"], ["SMEMBERS", "d:set"], ["SISMEMBER", "d:set", "x"], ["SMISMEMBER", "d:set", "x", "y"], ["SCARD", "d:set"]],
      [["EXISTS", "d:s", "d:h", "d:none"], ["TYPE", "d:h"], ["TYPE", "d:none"], ["TTL", "d:s"], ["EXPIRE", "d:s", 100], ["TTL", "d:s"], ["PERSIST", "d:s"]],
      [["MSET", "d:m1", "a", "d:m2", "b"], ["MGET", "d:m1", "d:m2", "d:none"], ["DEL", "d:m1", "d:m2", "d:none"], ["ECHO", "hi"], ["PING"], ["PING", "x"]],
      [["SET", "d:big", "9223372036854775806"], ["INCR", "d:big"], ["INCR", "d:big"], ["DECRBY", "d:neg", "9007199254740993"]],
    ];
    const g = await rawOn(gw.url);
    const s = await rawOn(standalone.url);
    for (const b of batches) {
      const fromGateway = await g.batch(b);
      const fromStandalone = await s.batch(b);
      expect(fromGateway, JSON.stringify(b)).toEqual(fromStandalone);
    }
    // Integers past 2^53 stay exact.
    expect((await g.batch([["GET", "d:big"]]))[2]).toEqual(["9223372036854775807"]);
    expect((await g.batch([["DECRBY", "d:neg", "1"]]))[2]).toEqual([-9007199254740994n]);
  });

  it("gives the standalone errors for unknown commands, arity and run-time errors, and the rest of the batch runs", async () => {
    const b = [["SET", "e:k", "v"], ["NOPE", "a"], ["GET"], ["INCR", "e:k"], ["LPUSH", "e:k", "x"], ["GET", "e:k"], ["SELECT", "99"], ["EXPIRE", "e:k", "abc"]];
    const g = await rawOn(gw.url);
    const s = await rawOn(standalone.url);
    const fromGateway = await g.batch(b);
    expect(fromGateway).toEqual(await s.batch(b));
    expect(fromGateway[2]).toEqual([
      "OK",
      "ERR unknown command 'NOPE', with args beginning with: 'a' ",
      "ERR wrong number of arguments for 'get' command",
      "ERR value is not an integer or out of range",
      "WRONGTYPE Operation against a key holding the wrong kind of value",
      "v",
      "ERR DB index is out of range",
      "ERR value is not an integer or out of range",
    ]);
    expect(fromGateway[3]).toEqual([1, 2, 3, 4, 6, 7]);
    // Over WebSocket the RESP-only commands are refused exactly as in standalone mode.
    const multi = await g.batch([["MULTI"], ["WATCH", "x"]]);
    expect(multi[2]).toEqual([
      "ERR 'multi' is not available over WebSocket: use an atomic batch or a watch frame instead",
      "ERR 'watch' is not available over WebSocket: use an atomic batch or a watch frame instead",
    ]);
  });

  it("keeps binary keys and values byte for byte", async () => {
    const key = new Uint8Array([0x6b, 0x00, 0xff, 0x80]);
    const value = new Uint8Array([0x00, 0xff, 0xfe, 0x0a, 0x0d, 0xc3, 0x28]);
    await kc.bytes.set(key, value);
    expect(Buffer.from((await kc.bytes.get(key))!)).toEqual(Buffer.from(value));
    await kc.bytes.hset(key.slice(1), value, key);
    const all = (await kc.bytes.hgetall(key.slice(1))) as unknown;
    // The field is binary too: the map's key comes back as the same bytes.
    expect(all instanceof Map ? [...all.entries()] : Object.entries(all as object)).toHaveLength(1);
    expect(Buffer.from((await kc.bytes.hget(key.slice(1), value))!)).toEqual(Buffer.from(key));
    // Redis holds exactly these bytes.
    const direct = await RawClient.connect(redis.port);
    expect(await direct.call("GET", Buffer.from(key))).toBe(`$7\r\n${Buffer.from(value).toString("latin1")}\r\n`);
    direct.close();
  });

  it("sees a write made straight to Redis with redis-cli", async () => {
    expect(await redisCli(redis.port, "SET", "cli:k", "from-cli")).toBe("OK");
    expect(await kc.get("cli:k")).toBe("from-cli");
    await kc.set("cli:k2", "from-gateway");
    expect(await redisCli(redis.port, "GET", "cli:k2")).toBe("from-gateway");
  });

  it("SELECT picks the backend database, per connection, across batches", async () => {
    const c = await connect(gw.url);
    opened.push(c);
    expect(await c.select(3)).toBe("OK");
    await c.set("sel:k", "in-db-3");
    expect(await redisCli(redis.port, "-n", "3", "GET", "sel:k")).toBe("in-db-3");
    expect(await redisCli(redis.port, "-n", "0", "EXISTS", "sel:k")).toBe("0");
    // Another connection stays on db 0.
    expect(await kc.get("sel:k")).toBeNull();
    // A batch that switches databases keeps its order.
    const r = await rawOn(gw.url);
    const f = await r.batch([["SET", "sel:o", "0"], ["SELECT", 5], ["SET", "sel:o", "5"], ["GET", "sel:o"], ["SELECT", 0], ["GET", "sel:o"]]);
    expect(f[2]).toEqual(["OK", "OK", "OK", "5", "OK", "0"]);
    expect(await redisCli(redis.port, "-n", "5", "GET", "sel:o")).toBe("5");
    expect((await r.batch([["SELECT", 16]]))[2]).toEqual(["ERR DB index is out of range"]);
  });

  it("runs an atomic batch as MULTI/EXEC: run-time errors per command, no rollback", async () => {
    const r = await rawOn(gw.url);
    const f = await r.batch([["SET", "at:k", "a"], ["INCR", "at:k"], ["SET", "at:k2", "b"], ["PING"]], true);
    expect(f[2]).toEqual(["OK", "ERR value is not an integer or out of range", "OK", "PONG"]);
    expect(f[3]).toEqual([1]);
    expect(await redisCli(redis.port, "GET", "at:k2")).toBe("b");
  });

  it("aborts an atomic batch with EXECABORT when a command is unknown or has the wrong arity, and runs nothing", async () => {
    const r = await rawOn(gw.url);
    const f = await r.batch([["SET", "ab:k", "1"], ["GET"], ["NOPE"]], true);
    expect(f[2]).toEqual([
      "EXECABORT Transaction discarded because of previous errors.",
      "ERR wrong number of arguments for 'get' command",
      "ERR unknown command 'NOPE', with args beginning with: ",
    ]);
    expect(await redisCli(redis.port, "EXISTS", "ab:k")).toBe("0");
  });

  it("an atomic batch with SELECT runs in the selected database and leaves the connection there", async () => {
    const r = await rawOn(gw.url);
    const f = await r.batch([["SET", "as:k", "zero"], ["SELECT", 2], ["SET", "as:k", "two"], ["GET", "as:k"]], true);
    expect(f[2]).toEqual(["OK", "OK", "OK", "two"]);
    expect(await redisCli(redis.port, "-n", "2", "GET", "as:k")).toBe("two");
    expect(await redisCli(redis.port, "-n", "0", "GET", "as:k")).toBe("zero");
    // The session is now on db 2; the shared backend connection of db 0 is still on db 0.
    expect((await r.batch([["GET", "as:k"]]))[2]).toEqual(["two"]);
    expect(await kc.get("as:k")).toBe("zero");
  });

  it("an atomic batch is isolated: no other client's command runs in the middle", async () => {
    await kc.set("iso:n", "0");
    const r = await rawOn(gw.url);
    const other = await rawOn(gw.url);
    const cmds = Array.from({ length: 200 }, () => ["INCR", "iso:n"]);
    const [atomicFrame, between] = await Promise.all([r.batch(cmds, true), other.batch([["GET", "iso:n"]])]);
    const seen = Number((between[2] as string[])[0]);
    expect(seen === 0 || seen === 200).toBe(true);
    expect((atomicFrame[2] as number[]).at(-1)).toBe(200);
  });

  it("counts forwarded commands in INFO commandstats", async () => {
    await kc.call("CONFIG", "RESETSTAT");
    await kc.set("st:k", "v");
    await kc.get("st:k");
    await kc.call("LPUSH", "st:k", "x").catch(() => {});
    const info = (await kc.call("INFO", "commandstats")) as string;
    expect(info).toMatch(/cmdstat_set:calls=1,/);
    expect(info).toMatch(/cmdstat_lpush:calls=1,.*failed_calls=1/);
  });

  it("two gateways on one Redis see each other's writes", async () => {
    const gw2 = await gateway(`redis://127.0.0.1:${redis.port}`);
    try {
      const kc2 = await connect(gw2.url);
      await kc.set("two:k", "from-1");
      expect(await kc2.get("two:k")).toBe("from-1");
      await kc2.incrby("two:n", 5);
      expect(await kc.incrby("two:n", 1)).toBe(6);
      await kc2.close();
    } finally {
      await gw2.close();
    }
  });
});

describe("gateway when Redis goes down", () => {
  it("answers with a clear error while Redis is down, and recovers when it is back", async () => {
    const redis = await startRedisNode();
    const gw = await gateway(`redis://127.0.0.1:${redis.port}`);
    const r = await raw(gw.url);
    try {
      expect((await r.batch([["SET", "down:k", "1"]]))[2]).toEqual(["OK"]);
      await redis.stop(true);
      // Commands fail at once with a clear message; local commands still answer.
      const started = Date.now();
      let f: unknown[] = [];
      for (let i = 0; i < 50; i++) {
        f = await r.batch([["GET", "down:k"], ["PING"], ["SET", "down:k", "2"]]);
        if ((f[3] as number[] | undefined)?.length === 2) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      expect(Date.now() - started).toBeLessThan(5000);
      expect((f[2] as string[])[0]).toMatch(/^ERR backend (unavailable|connection lost)/);
      expect((f[2] as string[])[1]).toBe("PONG");
      expect(f[3]).toEqual([0, 2]);
      const atomic = await r.batch([["SET", "down:a", "1"], ["GET", "down:a"]], true);
      expect(atomic[3]).toEqual([0, 1]);
      await redis.start();
      let back: unknown[] = [];
      for (let i = 0; i < 100; i++) {
        back = await r.batch([["SET", "down:k", "3"], ["GET", "down:k"]]);
        if (back[3] === undefined) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(back[2]).toEqual(["OK", "3"]);
    } finally {
      r.close();
      await gw.close();
      await redis.destroy();
    }
  });

  it("refuses to start when the backend cannot be reached", async () => {
    const redis = await startRedisNode();
    const port = redis.port;
    await redis.destroy();
    await expect(gateway(`redis://127.0.0.1:${port}`)).rejects.toThrow(ListenError);
    await expect(gateway(`redis://127.0.0.1:${port}`)).rejects.toThrow(/cannot start the gateway: backend redis:\/\/127\.0\.0\.1:\d+:/);
  });
});

describe("gateway settings", () => {
  it("parses the backend forms", () => {
    expect(parseBackend("redis://127.0.0.1:6390/2")).toEqual({ urls: ["redis://127.0.0.1:6390"], cluster: false, db: 2, tls: false });
    expect(parseBackend("rediss://u:p%40ss@h:1")).toEqual({ urls: ["rediss://h:1"], cluster: false, db: 0, tls: true, username: "u", password: "p@ss" });
    expect(parseBackend("redis://:secret@h")).toEqual({ urls: ["redis://h:6379"], cluster: false, db: 0, tls: false, password: "secret" });
    expect(parseBackend("redis-cluster://a:1,b:2")).toEqual({ urls: ["redis://a:1", "redis://b:2"], cluster: true, db: 0, tls: false });
    expect(parseBackend("redis://a:1,redis://b:2", true).urls).toEqual(["redis://a:1", "redis://b:2"]);
    expect(() => parseBackend("http://x")).toThrow(/invalid backend/);
    expect(() => parseBackend("redis://a:1,b:2")).toThrow(/redis-cluster/);
    expect(() => parseBackend("redis-cluster://a:1/3")).toThrow(/database 0 only/);
  });

  it("takes --backend and --backend-cluster on the command line and KEYCAST_BACKEND in the environment", () => {
    const flags = parseArgs(["--backend", "redis://127.0.0.1:6390", "--backend-cluster", "no"]);
    if (typeof flags === "string") throw new Error(flags);
    const settings = flags.settings as ReadonlyMap<string, { value: string }>;
    expect(settings.get("backend")?.value).toBe("redis://127.0.0.1:6390");
    const env = parseArgs([], { KEYCAST_BACKEND: "redis-cluster://a:1,b:2" });
    if (typeof env === "string") throw new Error(env);
    expect((env.settings as ReadonlyMap<string, { value: string }>).get("backend")?.value).toBe("redis-cluster://a:1,b:2");
    expect(() => parseArgs(["--backend", "http://nope"])).toThrow(/invalid backend/);
  });

  it("refuses persistence settings and the RESP port in gateway mode", async () => {
    await expect(gateway("redis://127.0.0.1:1", { settings: { appendonly: "yes" } })).rejects.toThrow(/persistence \(appendonly, save\) cannot be used in gateway mode/);
    await expect(gateway("redis://127.0.0.1:1", { settings: { save: "60 1" } })).rejects.toThrow(/gateway mode/);
    await expect(gateway("redis://127.0.0.1:1", { respPort: 0 })).rejects.toThrow(/Redis protocol port cannot be used in gateway mode/);
    await expect(startServer({ port: 0, settings: { backend: "nope://x" } })).rejects.toThrow(/invalid backend/);
  });
});

describe("gateway over a Redis Cluster of 3 masters", () => {
  let cluster: TestCluster;
  let gw: RunningServer;
  let r: Raw;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    gw = await gateway(cluster.backend);
    r = await raw(gw.url);
  }, 60_000);
  afterAll(async () => {
    r?.close();
    await gw?.close();
    await cluster?.stop();
  });

  it("routes each key to its master", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `c:k${i}`);
    const f = await r.batch([...keys.map((k) => ["SET", k, k]), ...keys.map((k) => ["GET", k])]);
    expect(f[2]).toEqual([...keys.map(() => "OK"), ...keys]);
    // The keys really are spread over the masters.
    const sizes = await Promise.all(cluster.nodes.map((n) => redisCli(n.port, "DBSIZE")));
    expect(sizes.filter((s) => Number(s) > 0).length).toBeGreaterThan(1);
    expect((await r.batch([["DBSIZE"]]))[2]).toEqual([sizes.reduce((a, s) => a + Number(s), 0)]);
  });

  it("non-atomic batches keep their order across slots; keyless commands cover every master", async () => {
    const f = await r.batch([["MSET", "p:a", "1", "p:b", "2"], ["GET", "p:a"], ["MGET", "p:a", "p:b"], ["KEYS", "p:*"], ["DEL", "p:a", "p:b"], ["EXISTS", "p:a", "p:b"]]);
    expect(keySlot("p:a")).not.toBe(keySlot("p:b"));
    expect(f[2]).toEqual(["OK", "1", ["1", "2"], expect.arrayContaining(["p:a", "p:b"]), 2, 0]);
    // SCAN walks every master with one cursor.
    await r.batch(Array.from({ length: 20 }, (_, i) => ["SET", `scan:${i}`, "v"]));
    const seen = new Set<string>();
    let cursor = "0";
    for (let i = 0; i < 100; i++) {
      const [next, keys] = ((await r.batch([["SCAN", cursor, "MATCH", "scan:*", "COUNT", 5]]))[2] as [string, string[]][])[0]!;
      for (const k of keys) seen.add(k);
      cursor = next;
      if (cursor === "0") break;
    }
    expect(cursor).toBe("0");
    expect(seen.size).toBe(20);
  });

  it("runs an atomic batch whose keys share a slot as MULTI/EXEC", async () => {
    const f = await r.batch([["SET", "{u1}:a", "1"], ["INCR", "{u1}:a"], ["RPUSH", "{u1}:l", "x"], ["GET", "{u1}:a"], ["PING"]], true);
    expect(f[2]).toEqual(["OK", 2, 1, "2", "PONG"]);
  });

  it("refuses an atomic batch across slots with CROSSSLOT for every command, and runs nothing", async () => {
    expect(keySlot("c:x1")).not.toBe(keySlot("c:x2"));
    const f = await r.batch([["SET", "c:x1", "1"], ["SET", "c:x2", "2"]], true);
    const crossslot = "CROSSSLOT Keys in request don't hash to the same slot";
    expect(f[2]).toEqual([crossslot, crossslot]);
    expect(f[3]).toEqual([0, 1]);
    expect((await r.batch([["EXISTS", "c:x1"], ["EXISTS", "c:x2"]]))[2]).toEqual([0, 0]);
  });

  it("refuses SELECT of another database, as Redis Cluster does", async () => {
    const f = await r.batch([["SELECT", 1], ["SELECT", 0]]);
    expect(f[2]).toEqual(["ERR SELECT is not allowed in cluster mode", "OK"]);
  });

  it("keeps binary values on a cluster", async () => {
    const c = await connect(gw.url);
    try {
      const value = new Uint8Array([0, 255, 128, 10]);
      await c.bytes.set("c:bin", value);
      expect(Buffer.from((await c.bytes.get("c:bin"))!)).toEqual(Buffer.from(value));
    } finally {
      await c.close();
    }
  });
});
