// MULTI/EXEC/DISCARD/WATCH/UNWATCH over RESP, against Redis 7's semantics, with changes made
// by other RESP connections, by WebSocket clients, by expiry and by FLUSH/SWAPDB.
import { afterEach, describe, expect, it } from "vitest";
import { useServer } from "./helpers.js";
import { RawClient } from "./redis-server.js";

const h = useServer();
const open: RawClient[] = [];

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(h.server.respPort!);
  open.push(c);
  return c;
}

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await h.kc.call("FLUSHALL");
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("MULTI / EXEC / DISCARD", () => {
  it("queues commands and runs them together, with run-time errors in place", async () => {
    const c = await client();
    await c.call("SET", "s", "text");
    expect(await c.call("MULTI")).toBe("+OK\r\n");
    expect(await c.call("SET", "a", "1")).toBe("+QUEUED\r\n");
    expect(await c.call("INCR", "s")).toBe("+QUEUED\r\n");
    expect(await c.call("GET", "a")).toBe("+QUEUED\r\n");
    // nothing ran yet, for anyone
    expect(await h.kc.get("a")).toBe(null);
    expect(await c.call("EXEC")).toBe("*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n$1\r\n1\r\n");
    expect(await c.call("EXEC")).toBe("-ERR EXEC without MULTI\r\n");
  });

  it("an empty transaction replies with an empty array", async () => {
    const c = await client();
    await c.call("MULTI");
    expect(await c.call("EXEC")).toBe("*0\r\n");
  });

  it("aborts with EXECABORT after a command refused while queueing", async () => {
    const c = await client();
    await c.call("MULTI");
    expect(await c.call("SET", "a", "1")).toBe("+QUEUED\r\n");
    expect(await c.call("NOSUCH", "x")).toBe("-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n");
    expect(await c.call("GET")).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(await c.call("EXEC")).toBe("-EXECABORT Transaction discarded because of previous errors.\r\n");
    expect(await c.call("GET", "a")).toBe("$-1\r\n");
    // the connection is out of MULTI afterwards
    expect(await c.call("SET", "a", "2")).toBe("+OK\r\n");
  });

  it("refuses nested MULTI, WATCH inside MULTI, and EXEC/DISCARD outside, without aborting", async () => {
    const c = await client();
    expect(await c.call("DISCARD")).toBe("-ERR DISCARD without MULTI\r\n");
    await c.call("MULTI");
    expect(await c.call("MULTI")).toBe("-ERR MULTI calls can not be nested\r\n");
    expect(await c.call("WATCH", "x")).toBe("-ERR WATCH inside MULTI is not allowed\r\n");
    expect(await c.call("SET", "a", "1")).toBe("+QUEUED\r\n");
    expect(await c.call("EXEC")).toBe("*1\r\n+OK\r\n");
  });

  it("DISCARD drops the queue", async () => {
    const c = await client();
    await c.call("MULTI");
    await c.call("SET", "a", "1");
    expect(await c.call("DISCARD")).toBe("+OK\r\n");
    expect(await c.call("GET", "a")).toBe("$-1\r\n");
    expect(await c.call("EXEC")).toBe("-ERR EXEC without MULTI\r\n");
  });

  it("runs without interleaving: another client's command waits for EXEC", async () => {
    const a = await client();
    const b = await client();
    await a.call("MULTI");
    await a.call("SET", "k", "a");
    await a.call("APPEND", "k", "b");
    expect(await b.call("SET", "k", "x")).toBe("+OK\r\n");
    expect(await a.call("EXEC")).toBe("*2\r\n+OK\r\n:2\r\n");
    expect(await b.call("GET", "k")).toBe("$2\r\nab\r\n");
  });

  it("SELECT inside MULTI applies to the commands after it", async () => {
    const c = await client();
    await c.call("MULTI");
    await c.call("SELECT", "3");
    await c.call("SET", "in3", "v");
    expect(await c.call("EXEC")).toBe("*2\r\n+OK\r\n+OK\r\n");
    expect(await c.call("DBSIZE")).toBe(":1\r\n");
    await c.call("SELECT", "0");
    expect(await c.call("EXISTS", "in3")).toBe(":0\r\n");
  });

  it("a pipeline of MULTI ... EXEC in one write works", async () => {
    const c = await client();
    c.send("MULTI\r\nSET p 1\r\nGET p\r\nEXEC\r\n");
    expect(await c.replies(4)).toEqual(["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*2\r\n+OK\r\n$1\r\n1\r\n"]);
  });
});

describe("WATCH", () => {
  it("runs EXEC when no watched key changed", async () => {
    const c = await client();
    await c.call("SET", "w", "1");
    expect(await c.call("WATCH", "w", "other")).toBe("+OK\r\n");
    await c.call("MULTI");
    await c.call("SET", "w", "2");
    expect(await c.call("EXEC")).toBe("*1\r\n+OK\r\n");
  });

  it("fails EXEC with a null array when another RESP connection changed a watched key", async () => {
    const a = await client();
    const b = await client();
    await a.call("SET", "w", "1");
    await a.call("WATCH", "w");
    expect(await b.call("SET", "w", "2")).toBe("+OK\r\n");
    await a.call("MULTI");
    await a.call("SET", "w", "3");
    expect(await a.call("EXEC")).toBe("*-1\r\n");
    expect(await a.call("GET", "w")).toBe("$1\r\n2\r\n");
    // the WATCH is gone after EXEC
    await a.call("MULTI");
    await a.call("SET", "w", "4");
    expect(await a.call("EXEC")).toBe("*1\r\n+OK\r\n");
  });

  it("fails EXEC when a WebSocket client changed a watched key", async () => {
    const c = await client();
    await c.call("WATCH", "ws-key");
    await h.kc.set("ws-key", "from the browser");
    await c.call("MULTI");
    await c.call("SET", "ws-key", "mine");
    expect(await c.call("EXEC")).toBe("*-1\r\n");
    expect(await h.kc.get("ws-key")).toBe("from the browser");
  });

  it("fails EXEC when the connection itself changed the key before MULTI", async () => {
    const c = await client();
    await c.call("WATCH", "self");
    await c.call("SET", "self", "1");
    await c.call("MULTI");
    await c.call("GET", "self");
    expect(await c.call("EXEC")).toBe("*-1\r\n");
  });

  it("counts a delete of a watched key, and not a no-op on it", async () => {
    const c = await client();
    await c.call("WATCH", "nokey");
    await h.kc.del("nokey"); // deletes nothing: no change
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*1\r\n+PONG\r\n");
    await c.call("SET", "gone", "1");
    await c.call("WATCH", "gone");
    await h.kc.del("gone");
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*-1\r\n");
  });

  it("watches a key in the database that was selected when WATCH ran", async () => {
    const c = await client();
    await c.call("SELECT", "5");
    await c.call("WATCH", "k");
    await h.kc.set("k", "db0 only"); // another database: not a change
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*1\r\n+PONG\r\n");
  });

  it("fails EXEC when a watched key expired in between", async () => {
    const c = await client();
    await c.call("SET", "ttl", "1", "PX", "30");
    await c.call("WATCH", "ttl");
    await sleep(80);
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*-1\r\n");
  });

  it("does not count a key that had already expired when WATCH ran", async () => {
    const c = await client();
    await c.call("SET", "old", "1", "PX", "20");
    await sleep(60);
    await c.call("WATCH", "old");
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*1\r\n+PONG\r\n");
  });

  it("UNWATCH forgets the keys and a previous change", async () => {
    const c = await client();
    await c.call("WATCH", "u");
    await h.kc.set("u", "1");
    expect(await c.call("UNWATCH")).toBe("+OK\r\n");
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*1\r\n+PONG\r\n");
  });

  it("DISCARD forgets the watched keys", async () => {
    const c = await client();
    await c.call("WATCH", "d");
    await c.call("MULTI");
    await c.call("DISCARD");
    await h.kc.set("d", "1");
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*1\r\n+PONG\r\n");
  });

  it("FLUSHALL and FLUSHDB count only for watched keys that existed", async () => {
    const c = await client();
    const other = await client();
    await c.call("SET", "exists", "1");
    await c.call("WATCH", "missing");
    await other.call("FLUSHALL");
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*1\r\n+PONG\r\n");

    await c.call("SET", "exists", "1");
    await c.call("WATCH", "exists");
    await other.call("FLUSHDB");
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*-1\r\n");
  });

  it("SWAPDB counts for a watched key present on either side", async () => {
    const c = await client();
    const other = await client();
    await other.call("SELECT", "1");
    await other.call("SET", "sw", "in db1");
    await c.call("WATCH", "sw"); // absent from db0, present in db1
    await other.call("SWAPDB", "0", "1");
    await c.call("MULTI");
    await c.call("GET", "sw");
    expect(await c.call("EXEC")).toBe("*-1\r\n");

    await c.call("WATCH", "neither");
    await other.call("SWAPDB", "0", "1");
    await c.call("MULTI");
    await c.call("PING");
    expect(await c.call("EXEC")).toBe("*1\r\n+PONG\r\n");
  });

  it("WATCH needs a key", async () => {
    const c = await client();
    expect(await c.call("WATCH")).toBe("-ERR wrong number of arguments for 'watch' command\r\n");
  });

  it("a closed connection stops watching", async () => {
    const c = await client();
    await c.call("WATCH", "z");
    c.close();
    await c.closedPromise;
    await sleep(10);
    // nothing is left that a write could trip over
    await h.kc.set("z", "1");
    expect(await h.kc.get("z")).toBe("1");
  });
});
