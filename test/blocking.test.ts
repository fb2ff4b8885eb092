// Blocking pops (BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP, and LMPOP) on both transports. The
// scenarios with several clients run against a real redis-server and keycast alike, and must
// give every client the same answers in the same order, keyspace events included.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, ConnectionError, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";
import { RawClient, startRedisServer, type RedisServer } from "./redis-server.js";

let keycast: RunningServer;
let redis: RedisServer;

beforeAll(async () => {
  [keycast, redis] = await Promise.all([startServer({ port: 0, respPort: 0 }), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([keycast?.close(), redis?.stop()]);
});

type Step = [client: number, ...argv: string[]] | ["sleep", number];

/**
 * Runs a scenario on one server: numbered clients send commands (a blocking one gets its
 * answer later), a subscriber hears every keyspace event. Returns each client's answers in
 * arrival order and the events.
 */
async function scenario(port: number, clients: number, steps: Step[]): Promise<{ answers: string[][]; events: string[] }> {
  const conns = await Promise.all(Array.from({ length: clients }, () => RawClient.connect(port)));
  const admin = await RawClient.connect(port);
  await admin.call("FLUSHALL");
  await admin.call("CONFIG", "SET", "notify-keyspace-events", "KEA");
  const listener = await RawClient.connect(port);
  await listener.call("PSUBSCRIBE", "__keyevent@0__:*");
  const answers: string[][] = conns.map(() => []);
  const waiting: Promise<void>[] = [];
  for (const step of steps) {
    if (step[0] === "sleep") {
      await sleep(step[1] as number);
      continue;
    }
    const [n, ...argv] = step as [number, ...string[]];
    const c = conns[n]!;
    const done = c.call(...argv).then((r) => void answers[n]!.push(`${argv[0]} -> ${r}`));
    waiting.push(done);
    // Let the server see this command before the next client's (the order under test).
    await sleep(30);
  }
  await Promise.race([Promise.all(waiting), sleep(3000)]);
  listener.send("*1\r\n$4\r\nPING\r\n");
  const events: string[] = [];
  for (;;) {
    const r = await listener.reply();
    if (r.includes("pong") || r.includes("PONG")) break;
    events.push(r.split("\r\n").filter((x, i) => i % 2 === 0 && i > 2).join(" "));
  }
  for (const c of [...conns, admin, listener]) c.close();
  return { answers, events };
}

async function same(clients: number, steps: Step[]): Promise<{ answers: string[][]; events: string[] }> {
  const theirs = await scenario(redis.port, clients, steps);
  const ours = await scenario(keycast.respPort!, clients, steps);
  expect(ours).toEqual(theirs);
  return ours;
}

describe("blocking pops over RESP: the same as redis-server", () => {
  it("a push wakes the one waiter; events of the push, then the pop", async () => {
    const r = await same(2, [
      [0, "BLPOP", "q", "0"],
      [1, "RPUSH", "q", "a", "b"],
    ]);
    expect(r.answers[0]).toEqual(["BLPOP -> *2\r\n$1\r\nq\r\n$1\r\na\r\n"]);
  });

  it("several waiters are served first come, first served; one push of two elements serves two", async () => {
    await same(4, [
      [0, "BLPOP", "q", "0"],
      [1, "BRPOP", "q", "0"],
      [2, "BLPOP", "q", "0"],
      [3, "LPUSH", "q", "x", "y"],
      [3, "LPUSH", "q", "z"],
    ]);
  });

  it("a waiter on several keys is served by the first key pushed; keys checked in order when they have data", async () => {
    await same(3, [
      [0, "RPUSH", "b", "1"],
      [0, "BLPOP", "a", "b", "0"],
      [1, "BLPOP", "a", "c", "0"],
      [2, "RPUSH", "c", "2"],
    ]);
  });

  it("a BLMOVE chain: the moved element wakes the waiter on the destination", async () => {
    await same(3, [
      [0, "BLMOVE", "src", "mid", "LEFT", "RIGHT", "0"],
      [1, "BLPOP", "mid", "0"],
      [2, "RPUSH", "src", "e"],
    ]);
  });

  it("BRPOPLPUSH, BLMPOP with COUNT, LMPOP", async () => {
    await same(3, [
      [0, "BRPOPLPUSH", "s", "d", "0"],
      [1, "BLMPOP", "0", "2", "x", "s2", "RIGHT", "COUNT", "2"],
      [2, "RPUSH", "s", "1", "2"],
      [2, "RPUSH", "s2", "1", "2", "3"],
      [2, "LMPOP", "2", "none", "s2", "LEFT"],
      [2, "LMPOP", "1", "none", "LEFT"],
    ]);
  });

  it("timeouts: decimals end the wait with a null; errors for bad and negative timeouts", async () => {
    await same(2, [
      [0, "BLPOP", "q", "0.05"],
      ["sleep", 150],
      [0, "BLMOVE", "q", "d", "LEFT", "LEFT", "0.05"],
      ["sleep", 150],
      [1, "BLPOP", "q", "-1"],
      [1, "BLPOP", "q", "abc"],
      [1, "BLPOP", "q", "inf"],
      [1, "BLPOP", "q", "1e100"],
      [1, "BLMPOP", "0", "0", "q", "LEFT"],
      [1, "BLMPOP", "0.01", "1", "q", "UP"],
      [1, "BLMPOP", "0.01", "1", "q", "LEFT", "COUNT", "0"],
    ]);
  });

  it("inside MULTI a blocking pop answers at once, as at its timeout; a push in EXEC serves waiters after it", async () => {
    await same(2, [
      [0, "BLPOP", "w", "0"],
      [1, "MULTI"],
      [1, "BLPOP", "empty", "0"],
      [1, "RPUSH", "w", "1"],
      [1, "RPUSH", "w", "2"],
      [1, "LLEN", "w"],
      [1, "EXEC"],
    ]);
  });

  it("a key of another type: WRONGTYPE at once; a waiter is not served by a SET", async () => {
    await same(2, [
      [0, "SET", "s", "v"],
      [0, "BLPOP", "s", "0"],
      [0, "BLPOP", "t", "0.2"],
      [1, "SET", "t", "v"],
      [1, "DEL", "t"],
      ["sleep", 300],
    ]);
  });

  it("CLIENT UNBLOCK with TIMEOUT and ERROR, and its errors", async () => {
    for (const port of [redis.port, keycast.respPort!]) {
      const a = await RawClient.connect(port);
      const b = await RawClient.connect(port);
      const id = (await a.call("CLIENT", "ID")).slice(1, -2);
      const first = a.call("BLPOP", "nothing", "0");
      await sleep(30);
      expect(await b.call("INFO", "clients")).toContain("blocked_clients:1");
      expect(await b.call("CLIENT", "UNBLOCK", id, "TIMEOUT")).toBe(":1\r\n");
      expect(await first).toBe("*-1\r\n");
      const second = a.call("BLMOVE", "nothing", "d", "LEFT", "LEFT", "0");
      await sleep(30);
      expect(await b.call("CLIENT", "UNBLOCK", id, "ERROR")).toBe(":1\r\n");
      expect(await second).toBe("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
      expect(await b.call("CLIENT", "UNBLOCK", id)).toBe(":0\r\n");
      expect(await b.call("CLIENT", "UNBLOCK", "abc")).toBe("-ERR value is not an integer or out of range\r\n");
      expect(await b.call("CLIENT", "UNBLOCK", id, "LATER")).toBe("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
      expect(await b.call("INFO", "clients")).toContain("blocked_clients:0");
      a.close();
      b.close();
    }
  });

  it("a client that leaves while blocked takes nothing: the element stays for the next one", async () => {
    const a = await RawClient.connect(keycast.respPort!);
    const b = await RawClient.connect(keycast.respPort!);
    await b.call("DEL", "gone");
    a.send("*3\r\n$5\r\nBLPOP\r\n$4\r\ngone\r\n$1\r\n0\r\n");
    await sleep(30);
    a.close();
    await sleep(50);
    expect(await b.call("INFO", "clients")).toContain("blocked_clients:0");
    await b.call("RPUSH", "gone", "kept");
    expect(await b.call("LRANGE", "gone", "0", "-1")).toBe("*1\r\n$4\r\nkept\r\n");
    b.close();
  });

  it("commands a blocked client sent meanwhile run after its answer, in order", async () => {
    const a = await RawClient.connect(keycast.respPort!);
    const b = await RawClient.connect(keycast.respPort!);
    await b.call("DEL", "p");
    a.send("*3\r\n$5\r\nBLPOP\r\n$1\r\np\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n");
    await sleep(50);
    await b.call("RPUSH", "p", "v");
    expect(await a.replies(2)).toEqual(["*2\r\n$1\r\np\r\n$1\r\nv\r\n", "+PONG\r\n"]);
    a.close();
    b.close();
  });
});

describe("blocking pops over WebSocket: only the command waits", () => {
  let kc: KeycastClient;
  let other: KeycastClient;
  beforeAll(async () => {
    kc = await connect(keycast.url);
    other = await connect(keycast.url);
  });
  afterAll(async () => {
    await Promise.all([kc?.close(), other?.close()]);
  });

  it("the connection's other commands go on while a pop waits; the pop resolves when a push comes", async () => {
    await kc.del("jobs");
    const popped = kc.blpop("jobs", 0);
    // Same connection, same tick or later: answered while the pop waits.
    expect(await kc.ping()).toBe("PONG");
    expect(await kc.set("k", "v")).toBe("OK");
    await other.rpush("jobs", "job-1");
    expect(await popped).toEqual(["jobs", "job-1"]);
    expect(await kc.llen("jobs")).toBe(0);
  });

  it("a timeout resolves with null; BLMOVE and BLMPOP too", async () => {
    expect(await kc.blpop("nothing", 0.05)).toBeNull();
    expect(await kc.blmove("nothing", "d", "LEFT", "RIGHT", 0.05)).toBeNull();
    expect(await kc.blmpop(0.05, 1, "nothing", "LEFT")).toBeNull();
  });

  it("in an explicit batch: the batch resolves once its waiting command has its answer", async () => {
    await kc.del("b1");
    const batch = kc.batch().blpop("b1", 0).rpush("b1", "x").llen("b1").exec();
    expect(await batch).toEqual([["b1", "x"], 1, 0]);
  });

  it("in an atomic batch it does not wait: it answers as at its timeout", async () => {
    await kc.del("b2");
    expect(await kc.batch().atomic().blpop("b2", 0).rpush("b2", "x").exec()).toEqual([null, 1]);
  });

  it("a wait served by another connection while this one runs more batches", async () => {
    await kc.del("m");
    const waits = [kc.brpop("m", 0), kc.brpop("m", 0)];
    for (let i = 0; i < 5; i++) await kc.incr("counter");
    await other.rpush("m", "1", "2");
    expect(await Promise.all(waits)).toEqual([["m", "2"], ["m", "1"]]);
  });

  it("close() rejects a waiting pop with ConnectionError, and nothing is popped for it afterwards", async () => {
    const c = await connect(keycast.url);
    await c.del("never");
    const pop = c.blpop("never", 0);
    await sleep(30);
    await c.close();
    await expect(pop).rejects.toBeInstanceOf(ConnectionError);
    await other.rpush("never", "stays");
    expect(await other.lrange("never", 0, -1)).toEqual(["stays"]);
  });

  it("a WebSocket waiter and a RESP waiter on one key: first come, first served", async () => {
    const raw = await RawClient.connect(keycast.respPort!);
    await other.del("mixed");
    const ws = kc.blpop("mixed", 0);
    await sleep(30);
    const resp = raw.call("BLPOP", "mixed", "0");
    await sleep(30);
    await other.rpush("mixed", "first");
    expect(await ws).toEqual(["mixed", "first"]);
    await other.rpush("mixed", "second");
    expect(await resp).toBe("*2\r\n$5\r\nmixed\r\n$6\r\nsecond\r\n");
    raw.close();
  });
});
