// Pub/sub on both transports, and Redis's keyspace notification channels: the RESP side is
// compared byte for byte with a real redis-server running the same script.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";
import { RawClient, startRedisServer, type RedisServer } from "./redis-server.js";

let keycast: RunningServer;
let redis: RedisServer;
let kc: KeycastClient;

beforeAll(async () => {
  keycast = await startServer({ port: 0, respPort: 0 });
  redis = await startRedisServer();
  kc = await connect(keycast.url);
});

afterAll(async () => {
  await kc.close();
  await keycast.close();
  await redis.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a raw script on one connection and returns everything received within a moment. */
async function transcript(port: number, script: string, after?: (port: number) => Promise<void>): Promise<string> {
  const c = await RawClient.connect(port);
  const chunks: Buffer[] = [];
  c.socket.on("data", (d: Buffer) => chunks.push(d));
  c.send(script);
  await sleep(80);
  if (after) await after(port);
  await sleep(80);
  c.close();
  return Buffer.concat(chunks).toString("latin1");
}

async function both(script: string, after?: (port: number) => Promise<void>): Promise<[string, string]> {
  return [await transcript(keycast.respPort!, script, after), await transcript(redis.port, script, after)];
}

async function publish(port: number, channel: string, message: string): Promise<string> {
  const c = await RawClient.connect(port);
  const r = await c.call("PUBLISH", channel, message);
  c.close();
  return r;
}

describe("pub/sub over RESP, byte for byte like Redis", () => {
  it("subscribes, refuses other commands in RESP2, answers PING as a push, unsubscribes", async () => {
    const [ours, theirs] = await both(
      "SUBSCRIBE a b\r\nGET x\r\nPING\r\nPING hi\r\nUNSUBSCRIBE b\r\nUNSUBSCRIBE\r\nUNSUBSCRIBE\r\nPUNSUBSCRIBE\r\nNOPE\r\nGET x\r\n",
    );
    expect(ours).toBe(theirs);
    expect(ours).toContain("-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
  });

  it("delivers messages and pattern messages from another connection", async () => {
    const script = "SUBSCRIBE news\r\nPSUBSCRIBE n*\r\n";
    const [ours, theirs] = await both(script, async (port) => {
      expect(await publish(port, "news", "hello")).toBe(":2\r\n");
      expect(await publish(port, "nope", "x")).toBe(":1\r\n");
      expect(await publish(port, "other", "y")).toBe(":0\r\n");
    });
    expect(ours).toBe(theirs);
    expect(ours).toContain("$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
    expect(ours).toContain("$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnope\r\n$1\r\nx\r\n");
  });

  it("puts SUBSCRIBE's confirmation inside EXEC's reply, as Redis does", async () => {
    const [ours, theirs] = await both("MULTI\r\nSUBSCRIBE a\r\nEXEC\r\nPING\r\n");
    expect(ours).toBe(theirs);
  });

  it("sends pushes in RESP3 and lets a subscribed RESP3 connection run any command", async () => {
    const ours = await transcript(keycast.respPort!, "HELLO 3\r\nSUBSCRIBE a\r\nGET x\r\nPING\r\n");
    expect(ours).toContain(">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n_\r\n+PONG\r\n");
  });

  it("RESET drops the subscriptions", async () => {
    const [ours, theirs] = await both("SUBSCRIBE a\r\nRESET\r\nGET x\r\n", async (port) => {
      expect(await publish(port, "a", "m")).toBe(":0\r\n");
    });
    expect(ours).toBe(theirs);
  });

  it("answers PUBSUB CHANNELS, NUMSUB and NUMPAT", async () => {
    const sub = await RawClient.connect(keycast.respPort!);
    sub.send("SUBSCRIBE ch1 ch2\r\nPSUBSCRIBE p*\r\n");
    await sub.replies(3);
    const c = await RawClient.connect(keycast.respPort!);
    expect(await c.call("PUBSUB", "NUMSUB", "ch1", "zz")).toBe("*4\r\n$3\r\nch1\r\n:1\r\n$2\r\nzz\r\n:0\r\n");
    expect(await c.call("PUBSUB", "NUMPAT")).toBe(":1\r\n");
    expect((await c.call("PUBSUB", "CHANNELS", "ch*")).split("\r\n").filter((l) => l.startsWith("ch")).sort()).toEqual(["ch1", "ch2"]);
    sub.close();
    c.close();
  });
});

describe("pub/sub across transports", () => {
  it("a WebSocket subscription gets PUBLISH from RESP, and a RESP subscriber gets PUBLISH from WebSocket", async () => {
    const got: [string, string][] = [];
    const sub = await kc.subscribe("x:chan", (m, ch) => got.push([ch, m]));
    const psub = await kc.psubscribe("x:*", (m, ch) => got.push([`p ${ch}`, m]));
    expect(await publish(keycast.respPort!, "x:chan", "from resp")).toBe(":2\r\n");
    const resp = await RawClient.connect(keycast.respPort!);
    resp.send("SUBSCRIBE y:chan\r\n");
    await resp.reply();
    expect(await kc.publish("y:chan", "from ws")).toBe(1);
    expect(await resp.reply()).toBe("*3\r\n$7\r\nmessage\r\n$6\r\ny:chan\r\n$7\r\nfrom ws\r\n");
    for (let i = 0; i < 50 && got.length < 2; i++) await sleep(5);
    expect(got.sort()).toEqual([
      ["p x:chan", "from resp"],
      ["x:chan", "from resp"],
    ]);
    await sub.unsubscribe();
    await psub.unsubscribe();
    expect(await kc.publish("x:chan", "nobody")).toBe(0);
    resp.close();
  });
});

describe("keyspace notification channels", () => {
  const writes = [
    ["SET", "ks:a", "1"],
    ["SET", "ks:a", "2", "PX", "100000"],
    ["INCRBY", "ks:a", "3"],
    ["APPEND", "ks:a", "x"],
    ["RENAME", "ks:a", "ks:b"],
    ["RPUSH", "ks:l", "a", "b"],
    ["LPOP", "ks:l"],
    ["RPOP", "ks:l"],
    ["SADD", "ks:s", "m"],
    ["SREM", "ks:s", "m"],
    ["HSET", "ks:h", "f", "v"],
    ["HINCRBY", "ks:h", "n", "1"],
    ["HDEL", "ks:h", "f", "n"],
    ["PERSIST", "ks:b"],
    ["EXPIRE", "ks:b", "0"],
    ["SET", "ks:c", "v"],
    ["DEL", "ks:c"],
  ];

  async function notifications(port: number, flags: string): Promise<string> {
    const admin = await RawClient.connect(port);
    expect(await admin.call("CONFIG", "SET", "notify-keyspace-events", flags)).toBe("+OK\r\n");
    const out = await transcript(port, "PSUBSCRIBE __key*__:ks:* __keyevent@0__:*\r\n", async () => {
      for (const w of writes) await admin.call(...w);
    });
    expect(await admin.call("CONFIG", "SET", "notify-keyspace-events", "")).toBe("+OK\r\n");
    admin.close();
    return out;
  }

  it("publishes the same __keyspace@0__ and __keyevent@0__ messages as Redis (KEA)", async () => {
    const ours = await notifications(keycast.respPort!, "KEA");
    const theirs = await notifications(redis.port, "KEA");
    expect(ours).toBe(theirs);
    expect(ours).toContain("__keyspace@0__:ks:a\r\n$3\r\nset\r\n");
  });

  it("publishes only the classes asked for (Kl: list events on the keyspace channel)", async () => {
    const ours = await notifications(keycast.respPort!, "Kl");
    const theirs = await notifications(redis.port, "Kl");
    expect(ours).toBe(theirs);
    expect(ours).not.toContain("$3\r\nset\r\n");
  });

  it("shows the flags in Redis's canonical form", async () => {
    const c = await RawClient.connect(keycast.respPort!);
    const r = await RawClient.connect(redis.port);
    for (const flags of ["KEA", "KEAn", "Egn", "$lsxK", "AKEm", ""]) {
      await c.call("CONFIG", "SET", "notify-keyspace-events", flags);
      await r.call("CONFIG", "SET", "notify-keyspace-events", flags);
      expect(await c.call("CONFIG", "GET", "notify-keyspace-events")).toBe(await r.call("CONFIG", "GET", "notify-keyspace-events"));
    }
    expect(await c.call("CONFIG", "SET", "notify-keyspace-events", "KEz?")).toBe(await r.call("CONFIG", "SET", "notify-keyspace-events", "KEz?"));
    c.close();
    r.close();
  });

  it("reach a WebSocket subscriber of __keyevent@0__:expired when a RESP client's key expires", async () => {
    await kc.call("CONFIG", "SET", "notify-keyspace-events", "Ex");
    const got: string[] = [];
    const s = await kc.subscribe("__keyevent@0__:expired", (key) => got.push(key));
    const c = await RawClient.connect(keycast.respPort!);
    await c.call("SET", "ks:gone", "1", "PX", "20");
    for (let i = 0; i < 100 && got.length === 0; i++) await sleep(5);
    expect(got).toEqual(["ks:gone"]);
    await s.unsubscribe();
    await kc.call("CONFIG", "SET", "notify-keyspace-events", "");
    c.close();
  });
});
