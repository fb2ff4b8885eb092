// node-redis (the `redis` package) against keycast's RESP port, in RESP2 and RESP3: the
// handshake it sends (HELLO, CLIENT SETINFO), commands of each type, binary values,
// MULTI/EXEC with WATCH, and a write over RESP seen by a WebSocket client and back.
import { createClient, RESP_TYPES, WatchError } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useServer } from "./helpers.js";

const h = useServer();

for (const RESP of [2, 3] as const) {
  describe(`node-redis over RESP${RESP}`, () => {
    let client: ReturnType<typeof createClient<{}, {}, {}, typeof RESP>>;
    const url = () => `redis://127.0.0.1:${h.server.respPort}`;

    beforeAll(async () => {
      client = createClient({ url: url(), RESP, name: `node-redis-${RESP}` });
      client.on("error", () => {});
      await client.connect();
    });
    afterAll(async () => {
      await client?.quit();
    });

    it("handshakes and identifies itself", async () => {
      expect(await client.ping()).toBe("PONG");
      const info = String(await client.sendCommand(["CLIENT", "INFO"]));
      expect(info).toContain(`name=node-redis-${RESP} `);
      expect(info).toContain(`resp=${RESP} `);
      expect(info).toContain("lib-name=node-redis");
    });

    it("strings, counters and TTLs", async () => {
      await client.flushDb();
      expect(await client.set("s", "value", { expiration: { type: "EX", value: 25 } })).toBe("OK");
      expect(await client.get("s")).toBe("value");
      expect(await client.ttl("s")).toBe(25);
      expect(await client.ttl("nope")).toBe(-2);
      expect(await client.incrBy("n", 5)).toBe(5);
      expect(await client.incrByFloat("n", 0.5)).toBe("5.5");
      expect(await client.mGet(["s", "nope"])).toEqual(["value", null]);
      await expect(client.incr("s")).rejects.toThrow("ERR value is not an integer or out of range");
      expect(await client.del(["s", "n", "nope"])).toBe(2);
    });

    it("lists, sets and hashes", async () => {
      expect(await client.rPush("l", ["a", "b", "c"])).toBe(3);
      expect(await client.lRange("l", 0, -1)).toEqual(["a", "b", "c"]);
      expect(await client.sAdd("st", ["x", "y"])).toBe(2);
      expect(await client.sIsMember("st", "x")).toBe(1);
      expect((await client.sMembers("st")).sort()).toEqual(["x", "y"]);
      expect(await client.hSet("hh", { f1: "1", f2: "2" })).toBe(2);
      expect(await client.hGetAll("hh")).toEqual({ f1: "1", f2: "2" });
      expect(await client.hIncrBy("hh", "f1", 10)).toBe(11);
      await expect(client.lPush("hh", "x")).rejects.toThrow("WRONGTYPE Operation against a key holding the wrong kind of value");
    });

    it("keeps binary values exact", async () => {
      const bytes = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a]);
      await client.set(Buffer.from([0xfe, 0x01]), bytes);
      const got = await client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(Buffer.from([0xfe, 0x01]));
      expect(got).toEqual(bytes);
    });

    it("pipelines and MULTI/EXEC", async () => {
      const results = await client.multi().set("m", "1").incr("m").get("m").exec();
      expect(results).toEqual(["OK", 2, "2"]);
      const replies = await Promise.all([client.set("p", "1"), client.get("p"), client.append("p", "2"), client.get("p")]);
      expect(replies).toEqual(["OK", "1", 2, "12"]);
    });

    it("WATCH aborts EXEC after a change made over WebSocket", async () => {
      const isolated = await client.duplicate().on("error", () => {}).connect();
      try {
        await isolated.watch("watched");
        await h.kc.set("watched", "changed by a browser");
        await expect(isolated.multi().set("watched", "mine").exec()).rejects.toBeInstanceOf(WatchError);
        expect(await client.get("watched")).toBe("changed by a browser");
      } finally {
        isolated.destroy();
      }
    });

    it("a write over RESP is seen over WebSocket", async () => {
      await client.hSet("shared", "field", "from node-redis");
      expect(await h.kc.call("HGET", "shared", "field")).toBe("from node-redis");
    });

    it("server commands", async () => {
      expect(await client.dbSize()).toBeGreaterThan(0);
      const info = await client.info("keyspace");
      expect(info).toMatch(/db0:keys=\d+,expires=\d+,avg_ttl=\d+/);
      expect(await client.configGet("databases")).toEqual({ databases: "16" });
      expect(await client.flushAll()).toBe("OK");
      expect(await client.dbSize()).toBe(0);
      const [seconds, micros] = await client.time();
      expect(Math.abs(Number(seconds) * 1000 - Date.now())).toBeLessThan(5000);
      expect(Number(micros)).toBeLessThan(1_000_000);
    });
  });
}
