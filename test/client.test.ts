// The client against a real server: auto-batching, explicit batches, errors, bytes, close.
import { describe, expect, it } from "vitest";
import { BatchError, ConnectionError, ReplyError, connect } from "../client/node.js";
import { startServer } from "../server/index.js";
import { useServer } from "./helpers.js";

const h = useServer();

describe("client", () => {
  it("sends commands issued in the same tick in one frame, replies in order", async () => {
    const before = h.server.state.stats.commands;
    const frames: number[] = [];
    const ws = (h.kc as unknown as { conn: { ws: { send(d: Uint8Array): void } } }).conn.ws;
    const send = ws.send.bind(ws);
    ws.send = (d: Uint8Array) => {
      frames.push(d.length);
      send(d);
    };
    const replies = await Promise.all([h.kc.set("c:a", "1"), h.kc.incr("c:a"), h.kc.get("c:a"), h.kc.del("c:a")]);
    ws.send = send;
    expect(replies).toEqual(["OK", 2, "2", 1]);
    expect(frames.length).toBe(1);
    expect(h.server.state.stats.commands - before).toBe(4);
  });

  it("rejects a failing command with Redis's message and resolves the others", async () => {
    const [a, b, c] = await Promise.allSettled([h.kc.set("c:s", "x"), h.kc.incr("c:s"), h.kc.get("c:s")]);
    expect(a).toEqual({ status: "fulfilled", value: "OK" });
    expect(b.status).toBe("rejected");
    const err = (b as PromiseRejectedResult).reason as ReplyError;
    expect(err).toBeInstanceOf(ReplyError);
    expect(err.message).toBe("ERR value is not an integer or out of range");
    expect(err.code).toBe("ERR");
    expect(c).toEqual({ status: "fulfilled", value: "x" });
  });

  it("resolves an explicit batch to its replies in order", async () => {
    expect(await h.kc.batch().set("c:b", "1").incr("c:b").get("c:b").exec()).toEqual(["OK", 2, "2"]);
    expect(await h.kc.batch().exec()).toEqual([]);
  });

  it("rejects a batch with a failing command with BatchError holding every reply", async () => {
    const err = await h.kc.batch().set("c:e", "v").incr("c:e").get("c:e").exec().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BatchError);
    const replies = (err as BatchError).replies;
    expect(replies[0]).toBe("OK");
    expect(replies[1]).toBeInstanceOf(ReplyError);
    expect(replies[2]).toBe("v");
  });

  it("runs an atomic batch without interleaving other clients' commands", async () => {
    const other = await h.client();
    await h.kc.set("c:counter", "0");
    const n = 200;
    const batch = h.kc.batch().atomic();
    for (let i = 0; i < n; i++) batch.incr("c:counter");
    const b = batch.get("c:counter");
    // The other client reads while the batch is in flight: it sees 0 or n, never a value in between.
    const [replies, seen] = await Promise.all([b.exec(), Promise.all(Array.from({ length: 50 }, () => other.get("c:counter")))]);
    expect((replies as unknown[])[n]).toBe(String(n));
    for (const v of seen) expect(["0", String(n)]).toContain(v);
  });

  it("keeps bytes as bytes through the bytes view", async () => {
    const key = new Uint8Array([0, 1, 2, 255]);
    const value = new Uint8Array([255, 0, 128, 10]);
    await h.kc.set(key, value);
    // In Node the bytes arrive as a Buffer, which is a Uint8Array.
    const got = await h.kc.bytes.get(key);
    expect(got).toBeInstanceOf(Uint8Array);
    expect([...got!]).toEqual([...value]);
    expect(await h.kc.bytes.get("c:missing")).toBe(null);
    await h.kc.set("c:txt", "héllo");
    expect(await h.kc.get("c:txt")).toBe("héllo");
    expect([...(await h.kc.bytes.get("c:txt"))!]).toEqual([...new TextEncoder().encode("héllo")]);
  });

  it("selects the database given at connect", async () => {
    const kc1 = await connect(h.server.url, { db: 1 });
    await kc1.set("c:db", "one");
    expect(await h.kc.get("c:db")).toBe(null);
    expect(await kc1.get("c:db")).toBe("one");
    await kc1.close();
  });

  it("without reconnect, settles in-flight commands and rejects later ones with a ConnectionError when the server goes away", async () => {
    const s = await startServer({ port: 0 });
    const kc = await connect(s.url, { reconnect: false });
    expect(await kc.ping()).toBe("PONG");
    // Settled into a value at once, so a rejection during close() is not left unhandled. The
    // server finishes the frames it received before it closes (1001): the command either got
    // there and is answered, or did not and fails; it never hangs.
    const inflight = kc.ping().then(
      (v) => v,
      (e: unknown) => e,
    );
    await s.close();
    const settled = await inflight;
    if (settled !== "PONG") expect(settled).toBeInstanceOf(ConnectionError);
    await expect(kc.get("a")).rejects.toBeInstanceOf(ConnectionError);
    expect(kc.state).toBe("closed");
  });

  it("fails to connect with a clear error when nothing listens", async () => {
    const s = await startServer({ port: 0 });
    const url = s.url;
    await s.close();
    await expect(connect(url)).rejects.toThrow(/could not connect/);
  });

  it("closes cleanly, sending what was queued first", async () => {
    const kc = await connect(h.server.url);
    const p = kc.set("c:last", "1");
    await kc.close();
    expect(await p).toBe("OK");
    expect(await h.kc.get("c:last")).toBe("1");
  });
});
