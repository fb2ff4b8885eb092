// Persistence: snapshots (SAVE, BGSAVE, rules, at shutdown), the append-only log (replay,
// absolute TTLs, rewrite, torn and damaged files), restarts that keep TTL deadlines and the
// watch history's positions, and MISCONF when the disk fails. Servers run in this process;
// test/crash.test.ts kills real processes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "redis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { connect, type KeycastClient, type WatchMessage } from "../client/node.js";
import { startServer, type RunningServer, type ServerOptions } from "../server/index.js";
import { createLogger } from "../server/observability/logger.js";
import { readRecords, Kind, AOF_HEADER_BYTES, type AofRecord } from "../server/persistence/aof-format.js";
import { ByteReader } from "../server/persistence/codec.js";
import { readSnapshot } from "../server/persistence/format.js";
import { RecoveryError } from "../server/persistence/recovery.js";

const dirs: string[] = [];
const running = new Set<RunningServer>();
const clients: KeycastClient[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "kc-persist-"));
  dirs.push(d);
  return d;
}

interface Logs {
  lines: { level: number; msg: string; [k: string]: unknown }[];
  logger: ReturnType<typeof createLogger>;
}

function logs(): Logs {
  const lines: Logs["lines"] = [];
  return { lines, logger: createLogger({ level: "debug", stream: { write: (s: string) => void lines.push(JSON.parse(s)) } }) };
}

async function start(dir: string, settings: Record<string, string> = {}, extra: ServerOptions = {}): Promise<RunningServer> {
  const s = await startServer({ port: 0, settings: { dir, ...settings }, logger: logs().logger, ...extra });
  running.add(s);
  return s;
}

async function stop(s: RunningServer, mode: "default" | "save" | "nosave" = "default"): Promise<void> {
  await s.close({ mode });
  running.delete(s);
}

async function client(s: RunningServer): Promise<KeycastClient> {
  const c = await connect(s.url, { reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
  clients.push(c);
  return c;
}

async function resp(s: RunningServer) {
  const c = createClient({ url: `redis://127.0.0.1:${s.respPort}`, socket: { reconnectStrategy: false } });
  c.on("error", () => {});
  await c.connect();
  return c;
}

/** Every key of every database with its type, value and deadline: what a restart must give back. */
async function dump(s: RunningServer): Promise<Record<string, unknown>> {
  const c = await resp(s);
  const out: Record<string, unknown> = {};
  try {
    for (let db = 0; db < 16; db++) {
      await c.select(db);
      // Concurrent calls: node-redis pipelines them.
      const keys = (await c.keys("*")).sort();
      const rows = await Promise.all(
        keys.map(async (key) => {
          const type = await c.type(key);
          let value: unknown;
          if (type === "string") value = await c.get(key);
          else if (type === "list") value = await c.lRange(key, 0, -1);
          else if (type === "set") value = (await c.sMembers(key)).sort();
          else if (type === "hash") value = await c.hGetAll(key);
          return [key, { type, value, at: await c.pExpireTime(key) }] as const;
        }),
      );
      for (const [key, row] of rows) out[`${db}:${key}`] = row;
    }
  } finally {
    await c.quit();
  }
  return out;
}

function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = async () => {
      if (await check()) return resolve();
      if (Date.now() > deadline) return reject(new Error("timed out waiting"));
      setTimeout(poll, 10);
    };
    void poll();
  });
}

function info(text: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, "m").exec(text)?.[1]?.trim();
}

function aofRecords(file: string): AofRecord[] {
  const buf = fs.readFileSync(file);
  const r = new ByteReader(buf, AOF_HEADER_BYTES);
  const start = readSnapshot(r, { put() {}, del() {}, clear() {}, meta() {}, history() {} }, file);
  const out: AofRecord[] = [];
  expect(readRecords(buf, start, (rec) => out.push(rec))).toBeNull();
  return out;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all([...running].map((s) => s.close({ mode: "nosave" })));
  running.clear();
});

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("snapshots", () => {
  it("SAVE writes every type, TTL, database and binary key, and a restart loads them", async () => {
    const dir = tmpDir();
    const a = await start(dir);
    const kc = await client(a);
    const binKey = new Uint8Array([0x00, 0xff, 0x0d, 0x0a]);
    const binVal = new Uint8Array([0xff, 0x00, 0x80, 0x7f, 0x00]);
    const before = Math.floor(Date.now() / 1000);
    await kc.set("s", "text é");
    await kc.set(binKey, binVal);
    await kc.set("ttl", "v", "PX", 100_000);
    await kc.rpush("l", "a", "b", "c");
    await kc.sadd("set", "x", "y");
    await kc.hset("h", "f1", "1", "f2", "2");
    await kc.set("empty", "");
    const c = await resp(a);
    await c.select(3);
    await c.set("in3", "three");
    await c.quit();
    const state = await dump(a);
    expect(await kc.call("SAVE")).toBe("OK");
    expect(await kc.lastsave()).toBeGreaterThanOrEqual(before);
    expect(fs.existsSync(path.join(dir, "dump.kcs"))).toBe(true);
    await kc.set("after-save", "lost");
    await kc.close();
    await stop(a, "nosave");

    const b = await start(dir);
    expect(await dump(b)).toEqual(state);
    const kb = await client(b);
    expect(Buffer.from((await kb.bytes.get(binKey))!)).toEqual(Buffer.from(binVal));
    expect(await kb.get("after-save")).toBeNull();
    expect(await kb.get("s")).toBe("text é");
    const pttl = await kb.pttl("ttl");
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    expect(info(await kb.info("persistence"), "keycast_loaded_from")).toBe("snapshot");
  });

  it("keeps deadlines absolute: a key that expired while down is gone, the others keep their time", async () => {
    const dir = tmpDir();
    const a = await start(dir, { save: "3600 1" });
    const kc = await client(a);
    await kc.set("short", "1", "PX", 150);
    await kc.set("long", "1", "PX", 60_000);
    await kc.close();
    await stop(a); // save rules set: the shutdown saves
    await new Promise((r) => setTimeout(r, 300));
    const b = await start(dir);
    const kb = await client(b);
    expect(await kb.get("short")).toBeNull();
    expect(await kb.exists("short")).toBe(0);
    const pttl = await kb.pttl("long");
    expect(pttl).toBeGreaterThan(55_000);
    expect(pttl).toBeLessThan(60_000 - 250);
  });

  it("BGSAVE serves clients meanwhile and saves a consistent state", async () => {
    const dir = tmpDir();
    const a = await start(dir);
    const kc = await client(a);
    // Enough keys that the save spans many turns.
    for (let i = 0; i < 40; i++) {
      const args: string[] = [];
      for (let j = 0; j < 2500; j++) args.push(`fill:${i}:${j}`, "x".repeat(40));
      await kc.call("MSET", ...args);
    }
    expect(await kc.call("BGSAVE")).toBe("Background saving started");
    // Writes during the save keep invariants a torn snapshot would break: the pair keys always
    // hold the same value, and the log's length equals the counter.
    let n = 0;
    let maxPing = 0;
    let inProgress = true;
    while (inProgress) {
      n++;
      const t = performance.now();
      const [, , , progress] = await kc
        .batch()
        .mset(`pair:${n % 50}:a`, String(n), `pair:${n % 50}:b`, String(n))
        .incr("counter")
        .rpush("log", String(n))
        .info("persistence")
        .atomic()
        .exec();
      maxPing = Math.max(maxPing, performance.now() - t);
      inProgress = info(progress, "rdb_bgsave_in_progress") === "1";
      if (n % 7 === 0) await kc.del(`fill:${n % 40}:${n}`);
    }
    expect(n).toBeGreaterThan(1);
    expect(maxPing).toBeLessThan(1000);
    const i = await kc.info("persistence");
    expect(info(i, "rdb_last_bgsave_status")).toBe("ok");
    expect(Number(info(i, "rdb_saves"))).toBe(1);
    await kc.close();
    await stop(a, "nosave");

    const b = await start(dir);
    const kb = await client(b);
    const counter = Number(await kb.get("counter"));
    expect(counter).toBeGreaterThan(0);
    expect(await kb.llen("log")).toBe(counter);
    for (let p = 0; p < 50; p++) expect(await kb.get(`pair:${p}:a`)).toBe(await kb.get(`pair:${p}:b`));
    expect(await kb.dbsize()).toBeGreaterThan(99_000);
  });

  it("answers BGSAVE, BGSAVE SCHEDULE, SAVE and BGREWRITEAOF while a save runs as Redis does", async () => {
    const dir = tmpDir();
    const a = await start(dir);
    const kc = await client(a);
    for (let i = 0; i < 40; i++) {
      const args: string[] = [];
      for (let j = 0; j < 2500; j++) args.push(`k:${i}:${j}`, "v".repeat(100));
      await kc.call("MSET", ...args);
    }
    // Sent in one tick: one frame, run back to back while the first save is still going.
    const [first, second, scheduled, save, rewrite] = await Promise.allSettled([
      kc.call("BGSAVE"),
      kc.call("BGSAVE"),
      kc.call("BGSAVE", "SCHEDULE"),
      kc.call("SAVE"),
      kc.call("BGREWRITEAOF"),
    ]).then((all) => all.map((r) => (r.status === "fulfilled" ? r.value : String(r.reason))));
    expect(first).toBe("Background saving started");
    expect(String(second)).toContain("ERR Background save already in progress");
    expect(String(scheduled)).toContain("ERR Background save already in progress");
    expect(String(save)).toContain("ERR Background save already in progress");
    expect(rewrite).toBe("Background append only file rewriting scheduled");
    await expect(kc.call("BGSAVE", "NOW")).rejects.toThrow("ERR syntax error");
    await expect(kc.call("BGSAVE", "SCHEDULE", "x")).rejects.toThrow("ERR syntax error");
    await until(async () => info(await kc.info("persistence"), "aof_rewrites") === "1", 20_000);
    expect(fs.existsSync(path.join(dir, "keycast.aof"))).toBe(true);
  }, 30_000);

  it("save rules start a background save once enough changes happened", async () => {
    const dir = tmpDir();
    const a = await start(dir);
    const kc = await client(a);
    expect(await kc.config("SET", "save", "1 3")).toBe("OK");
    expect(await kc.config("GET", "save")).toEqual({ save: "1 3" });
    await kc.set("a", "1");
    await kc.set("b", "2");
    // Two changes: below the rule.
    await new Promise((r) => setTimeout(r, 1200));
    expect(info(await kc.info("persistence"), "rdb_saves")).toBe("0");
    expect(info(await kc.info("persistence"), "rdb_changes_since_last_save")).toBe("2");
    await kc.set("c", "3");
    await until(async () => info(await kc.info("persistence"), "rdb_saves") === "1", 3000);
    expect(info(await kc.info("persistence"), "rdb_changes_since_last_save")).toBe("0");
    await expect(kc.config("SET", "save", "60")).rejects.toThrow("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters");
    await expect(kc.config("SET", "save", "a b")).rejects.toThrow("Invalid save parameters");
    expect(await kc.config("SET", "save", "")).toBe("OK");
  });

  it("refuses writes with MISCONF while saving fails, and recovers", async () => {
    const dir = tmpDir();
    const a = await start(dir, { save: "1 1" });
    const kc = await client(a);
    // The directory disappears under the running server: saves fail.
    fs.rmSync(dir, { recursive: true, force: true });
    await kc.set("x", "1");
    await until(async () => info(await kc.info("persistence"), "rdb_last_bgsave_status") === "err", 4000);
    await expect(kc.set("y", "1")).rejects.toThrow(/^MISCONF Redis is configured to save RDB snapshots/);
    await expect(kc.ping()).rejects.toThrow(/^MISCONF/);
    expect(await kc.get("x")).toBe("1");
    const ready = await fetch(`http://127.0.0.1:${a.port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toContain("MISCONF");
    fs.mkdirSync(dir, { recursive: true });
    await until(async () => info(await kc.info("persistence"), "rdb_last_bgsave_status") === "ok", 8000);
    expect(await kc.set("y", "1")).toBe("OK");
    expect((await fetch(`http://127.0.0.1:${a.port}/readyz`)).status).toBe(200);
  }, 15_000);

  it("refuses to start from a damaged snapshot, saying what to do", async () => {
    const dir = tmpDir();
    const a = await start(dir);
    const kc = await client(a);
    await kc.set("k", "v".repeat(100));
    await kc.call("SAVE");
    await kc.close();
    await stop(a, "nosave");
    const file = path.join(dir, "dump.kcs");
    const buf = fs.readFileSync(file);
    buf[40] = buf[40]! ^ 0xff;
    fs.writeFileSync(file, buf);
    const err = await startServer({ port: 0, settings: { dir }, logger: logs().logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecoveryError);
    expect((err as Error).message).toContain("fails its checksum");
    expect((err as Error).message).toContain("move");
    fs.writeFileSync(file, buf.subarray(0, buf.length - 3));
    const err2 = await startServer({ port: 0, settings: { dir }, logger: logs().logger }).catch((e: unknown) => e);
    expect((err2 as Error).message).toContain("truncated");
  });
});

describe("the append-only log", () => {
  it("replays every kind of write exactly, across databases and transactions", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes", appendfsync: "always" });
    const kc = await client(a);
    await kc.set("s", "1");
    await kc.incrbyfloat("s", "0.1");
    await kc.append("s", "x");
    await kc.setex("ex", 100, "v");
    await kc.set("px", "v", "PX", 50_000);
    await kc.set("gx", "v");
    await kc.getex("gx", "EX", 200);
    await kc.rpush("l", "a", "b", "c", "d");
    await kc.lpop("l");
    await kc.lmove("l", "l2", "LEFT", "RIGHT");
    await kc.sadd("st", "m1", "m2", "m3", "m4", "m5");
    const popped = await kc.spop("st", 2);
    expect(popped).toHaveLength(2);
    await kc.spop("st");
    await kc.hset("h", "a", "1", "b", "2");
    await kc.hincrby("h", "a", 5);
    await kc.hdel("h", "b");
    await kc.expire("h", 300);
    await kc.rename("s", "s2");
    await kc.set("gone", "x");
    await kc.del("gone");
    await kc.batch().set("t1", "1").incr("t1").sadd("t2", "z").atomic().exec();
    const c = await resp(a);
    await c.select(5);
    await c.multi().set("m1", "a").rPush("m2", ["x"]).exec();
    await c.select(6);
    await c.set("todrop", "1");
    await c.flushDb();
    await c.set("six", "6");
    await c.swapDb(6, 7);
    await c.quit();
    // No-ops are not logged.
    const members = (await kc.smembers("st")) as string[];
    expect(await kc.sadd("st", members[0]!, ...members.slice(1))).toBe(0);
    const state = await dump(a);
    await kc.close();
    await stop(a, "nosave");
    const b = await start(dir, { appendonly: "yes" });
    expect(await dump(b)).toEqual(state);
    expect(info(await (await client(b)).info("persistence"), "keycast_loaded_from")).toBe("aof");
  });

  it("logs relative TTLs as absolute deadlines, SPOP as the members popped, and no no-ops", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes" });
    const kc = await client(a);
    const t0 = Date.now();
    await kc.set("a", "1", "EX", 100);
    await kc.setex("b", 50, "v");
    await kc.expire("a", 10);
    await kc.call("PEXPIRE", "b", "200000", "GT");
    await kc.sadd("s", "only");
    await kc.spop("s");
    await kc.sadd("n", "x");
    await kc.sadd("n", "x"); // nothing changes
    await kc.get("a");
    await kc.call("LPUSH", "a", "x").catch(() => {}); // WRONGTYPE
    await kc.close();
    await stop(a);
    const recs = aofRecords(path.join(dir, "keycast.aof"));
    const cmds = recs.filter((r) => r.kind === Kind.CMD).map((r) => (r.kind === Kind.CMD ? r.argv : []));
    expect(cmds.map((c) => c[0]!.toUpperCase())).toEqual(["SET", "SET", "PEXPIREAT", "PEXPIREAT", "SADD", "SADD"]);
    const [set, setex, expire, pexpire] = cmds;
    expect(set!.slice(0, 4)).toEqual(["SET", "a", "1", "PXAT"]);
    const at = Number(set![4]);
    expect(at).toBeGreaterThanOrEqual(t0 + 100_000);
    expect(at).toBeLessThan(Date.now() + 100_000);
    expect(setex!.slice(0, 4)).toEqual(["SET", "b", "v", "PXAT"]);
    expect(expire!.slice(0, 2)).toEqual(["PEXPIREAT", "a"]);
    expect(pexpire![3]).toBe("GT");
    const spop = recs.find((r) => r.kind === Kind.SPOP);
    expect(spop).toMatchObject({ key: "s", members: ["only"] });
  });

  it("BGREWRITEAOF compacts the log and keeps the writes made while it runs", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes" });
    const kc = await client(a);
    for (let i = 0; i < 20; i++) {
      const b = kc.batch();
      for (let j = 0; j < 500; j++) b.incr(`c:${j % 10}`);
      await b.exec();
    }
    // The same keys written over and over: the log holds every version, a rewrite only the last.
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 10; i++) {
        const args: string[] = [];
        for (let j = 0; j < 1000; j++) args.push(`big:${i}:${j}`, `${round}`.repeat(30));
        await kc.call("MSET", ...args);
      }
    }
    const file = path.join(dir, "keycast.aof");
    const sizeBefore = fs.statSync(file).size;
    expect(await kc.call("BGREWRITEAOF")).toBe("Background append only file rewriting started");
    let n = 0;
    while (info(await kc.info("persistence"), "aof_rewrite_in_progress") === "1") {
      await kc.batch().incr("during").rpush("during-log", String(++n)).atomic().exec();
    }
    await kc.incr("after");
    const i = await kc.info("persistence");
    expect(info(i, "aof_last_bgrewrite_status")).toBe("ok");
    // The base holds each key once (and the recent event history): smaller than every version.
    expect(Number(info(i, "aof_current_size"))).toBeLessThan(sizeBefore * 0.8);
    const state = await dump(a);
    await kc.close();
    await stop(a);
    const b = await start(dir, { appendonly: "yes" });
    expect(await dump(b)).toEqual(state);
    const kb = await client(b);
    expect(Number(await kb.get("during"))).toBe(await kb.llen("during-log"));
    expect(await kb.get("c:3")).toBe("1000");
  }, 30_000);

  it("rewrites by itself when the log grows past auto-aof-rewrite-percentage", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes", "auto-aof-rewrite-min-size": "10kb", "auto-aof-rewrite-percentage": "100" });
    const kc = await client(a);
    for (let i = 0; i < 10; i++) {
      const b = kc.batch();
      for (let j = 0; j < 200; j++) b.set("same", String(j));
      await b.exec();
    }
    const grown = fs.statSync(path.join(dir, "keycast.aof")).size;
    await until(async () => Number(info(await kc.info("persistence"), "aof_rewrites")) >= 1);
    expect(Number(info(await kc.info("persistence"), "aof_current_size"))).toBeLessThan(grown);
    expect(await kc.get("same")).toBe("199");
  });

  it("turns on and off at run time with CONFIG SET appendonly", async () => {
    const dir = tmpDir();
    const a = await start(dir);
    const kc = await client(a);
    await kc.set("before", "1");
    expect(await kc.config("SET", "appendonly", "yes")).toBe("OK");
    await until(async () => info(await kc.info("persistence"), "aof_rewrites") === "1");
    await kc.set("after", "2");
    const file = path.join(dir, "keycast.aof");
    expect(fs.existsSync(file)).toBe(true);
    expect(await kc.config("SET", "appendonly", "no")).toBe("OK");
    expect(info(await kc.info("persistence"), "aof_enabled")).toBe("0");
    await kc.set("unlogged", "3");
    await expect(kc.config("SET", "appendonly", "maybe")).rejects.toThrow("argument must be 'yes' or 'no'");
    await expect(kc.config("SET", "appendfsync", "sometimes")).rejects.toThrow("argument(s) must be one of the following: always, everysec, no");
    await expect(kc.config("SET", "appendfilename", "x.aof")).rejects.toThrow("can't set immutable config");
    await expect(kc.config("SET", "dir", "/tmp")).rejects.toThrow("can't set protected config");
    await kc.close();
    await stop(a, "nosave");
    const b = await start(dir, { appendonly: "yes" });
    const kb = await client(b);
    expect(await kb.get("before")).toBe("1");
    expect(await kb.get("after")).toBe("2");
    expect(await kb.get("unlogged")).toBeNull();
  });

  it("loads a log whose last record was cut short, with a warning, and truncates it", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes" });
    const kc = await client(a);
    await kc.set("a", "1");
    await kc.rpush("l", "x");
    await kc.close();
    await stop(a);
    const file = path.join(dir, "keycast.aof");
    const good = fs.statSync(file).size;
    // Half a record: a header promising 40 bytes, and 10 of them.
    const torn = Buffer.alloc(18);
    torn.writeUInt32LE(40, 0);
    fs.appendFileSync(file, torn);
    const l = logs();
    const b = await startServer({ port: 0, settings: { dir, appendonly: "yes" }, logger: l.logger });
    running.add(b);
    const kb = await client(b);
    expect(await kb.get("a")).toBe("1");
    expect(await kb.lrange("l", 0, -1)).toEqual(["x"]);
    expect(l.lines.some((x) => x.level === 40 && x.msg.includes("cut short"))).toBe(true);
    expect(fs.statSync(file).size).toBe(good);
    await kb.set("b", "2");
    await kb.close();
    await stop(b);
    const c = await start(dir, { appendonly: "yes" });
    expect(await (await client(c)).get("b")).toBe("2");
  });

  it("drops a transaction cut short at the end of the log", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes" });
    const kc = await client(a);
    await kc.set("kept", "1");
    await kc.batch().set("t1", "1").set("t2", "2").atomic().exec();
    await kc.close();
    await stop(a);
    const file = path.join(dir, "keycast.aof");
    const buf = fs.readFileSync(file);
    // Remove the EXEC marker (the last record: 8 bytes of header, 1 of payload).
    fs.writeFileSync(file, buf.subarray(0, buf.length - 9));
    const b = await start(dir, { appendonly: "yes" });
    const kb = await client(b);
    expect(await kb.get("kept")).toBe("1");
    expect(await kb.get("t1")).toBeNull();
    expect(await kb.get("t2")).toBeNull();
  });

  it("refuses a log damaged in the middle, and --repair-aof cuts it there", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes" });
    const kc = await client(a);
    for (let i = 0; i < 10; i++) await kc.set(`k${i}`, `value-${i}`);
    await kc.close();
    await stop(a);
    const file = path.join(dir, "keycast.aof");
    const recs: number[] = [];
    const buf = fs.readFileSync(file);
    const start0 = readSnapshot(new ByteReader(buf, AOF_HEADER_BYTES), { put() {}, del() {}, clear() {}, meta() {}, history() {} }, file);
    readRecords(buf, start0, (_r, end) => recs.push(end));
    // Damage the 6th record's payload.
    const at = recs[4]! + 12;
    buf[at] = buf[at]! ^ 0x55;
    fs.writeFileSync(file, buf);
    const err = await startServer({ port: 0, settings: { dir, appendonly: "yes" }, logger: logs().logger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecoveryError);
    const msg = (err as Error).message;
    expect(msg).toContain(`damaged at byte ${recs[4]}`);
    expect(msg).toContain("--repair-aof");
    expect(msg).toContain("5 records before it are sound");
    const l = logs();
    const b = await startServer({ port: 0, settings: { dir, appendonly: "yes" }, logger: l.logger, repairAof: true });
    running.add(b);
    const kb = await client(b);
    expect(await kb.get("k4")).toBe("value-4");
    expect(await kb.get("k5")).toBeNull();
    expect(fs.readdirSync(dir).some((f) => f.startsWith("keycast.aof.damaged-"))).toBe(true);
    expect(l.lines.some((x) => x.msg.includes("repairing"))).toBe(true);
  });

  it("with aof-load-truncated no, refuses even a torn last record", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes" });
    await (await client(a)).set("a", "1");
    await stop(a);
    fs.appendFileSync(path.join(dir, "keycast.aof"), Buffer.from([9, 0, 0]));
    const err = await startServer({ port: 0, settings: { dir, appendonly: "yes", "aof-load-truncated": "no" }, logger: logs().logger }).catch((e: unknown) => e);
    expect((err as Error).message).toContain("aof-load-truncated is no");
  });
});

describe("loading with maxmemory set", () => {
  it("replays without evicting, then counts the loaded keys against the limit", async () => {
    const dir = tmpDir();
    const a = await start(dir, { appendonly: "yes" });
    const kc = await client(a);
    const b = kc.batch();
    for (let i = 0; i < 300; i++) b.set(`k${i}`, "v".repeat(100));
    await b.exec();
    await kc.close();
    await stop(a);
    const c = await start(dir, { appendonly: "yes", maxmemory: "10kb", "maxmemory-policy": "allkeys-random" });
    // Nothing was evicted by the replay itself.
    expect(c.state.keyspace.dbs[0]!.size).toBe(300);
    const kb = await client(c);
    await kb.get("k1");
    const left = await kb.dbsize();
    expect(left).toBeLessThan(100);
    expect(Number(info(await kb.info("stats"), "evicted_keys"))).toBe(300 - left);
    expect(Number(info(await kb.info("memory"), "used_memory_dataset"))).toBeLessThanOrEqual(10 * 1024);
    // The evictions are in the log: a restart without maxmemory has the same keys.
    const keys = ((await kb.keys("*")) as string[]).sort();
    await kb.close();
    await stop(c);
    const d = await start(dir, { appendonly: "yes" });
    expect(((await (await client(d)).keys("*")) as string[]).sort()).toEqual(keys);
  });
});

describe("watch positions across a restart", () => {
  async function restartOnSamePort(a: RunningServer, dir: string, settings: Record<string, string>): Promise<RunningServer> {
    const port = a.port;
    await stop(a);
    const b = await startServer({ port, respPort: 0, settings: { dir, ...settings }, logger: logs().logger });
    running.add(b);
    return b;
  }

  for (const [name, settings] of [
    ["the append-only log", { appendonly: "yes" }],
    ["a snapshot saved at shutdown", { save: "3600 1" }],
  ] as const) {
    it(`resume without a resync with ${name}, and hear about keys that expired meanwhile`, async () => {
      const dir = tmpDir();
      const a = await start(dir, settings);
      const kc = await client(a);
      const seen: WatchMessage[] = [];
      await kc.watch("w:*", (m) => seen.push(m));
      await kc.set("w:a", "1");
      await kc.set("w:ttl", "1", "PX", 200);
      await until(() => seen.length === 3); // set, set, expire
      const epoch = info(await kc.info("persistence"), "keycast_history_epoch");
      const b = await restartOnSamePort(a, dir, settings);
      await new Promise((r) => setTimeout(r, 300));
      await until(() => seen.some((m) => m.type === "event" && m.event === "expired"), 5000);
      await kc.set("w:after", "2");
      await until(() => seen.some((m) => m.type === "event" && m.key === "w:after"));
      expect(seen.filter((m) => m.type === "resync")).toEqual([]);
      const events = seen.filter((m) => m.type === "event");
      expect(events.map((m) => (m.type === "event" ? `${m.event} ${m.key}` : ""))).toEqual(["set w:a", "set w:ttl", "expire w:ttl", "expired w:ttl", "set w:after"]);
      expect(events.map((m) => (m.type === "event" ? m.seq : 0))).toEqual([1, 2, 3, 4, 5]);
      const offsets = events.map((m) => (m.type === "event" ? m.offset : 0));
      expect([...offsets].sort((x, y) => x - y)).toEqual(offsets);
      expect(info(await kc.info("persistence"), "keycast_history_epoch")).toBe(epoch);
      expect(b.port).toBe(a.port);
    });
  }

  it("resyncs after a restart that lost events (no final save)", async () => {
    const dir = tmpDir();
    const a = await start(dir, { save: "3600 1" });
    const kc = await client(a);
    const seen: WatchMessage[] = [];
    await kc.watch("r:*", (m) => seen.push(m));
    await kc.set("r:1", "1");
    await kc.call("SAVE");
    await kc.set("r:2", "2"); // not in the snapshot
    await until(() => seen.length === 2);
    const port = a.port;
    await stop(a, "nosave");
    const b = await startServer({ port, respPort: 0, settings: { dir }, logger: logs().logger });
    running.add(b);
    await until(() => seen.some((m) => m.type === "resync"), 5000);
  });
});
