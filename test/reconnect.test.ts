// Reconnection: backoff, the offline queue, state changes, and a clean close.
import { describe, expect, it } from "vitest";
import { ConnectionError, connect, type ConnectionState } from "../client/node.js";
import { startServer } from "../server/index.js";

function dropAll(server: Awaited<ReturnType<typeof startServer>>): void {
  for (const s of server.state.sessions.values()) s.close("test drop");
}

describe("reconnect", () => {
  it("reconnects after a drop, re-selects the database, and sends commands queued while offline", async () => {
    const server = await startServer({ port: 0 });
    const kc = await connect(server.url, { db: 2, reconnect: { minDelayMs: 20, maxDelayMs: 100 } });
    const states: ConnectionState[] = [];
    kc.onState((s) => states.push(s));
    await kc.set("r:a", "1");
    dropAll(server);
    await new Promise((r) => setTimeout(r, 5));
    expect(kc.state).toBe("reconnecting");
    // Issued while offline: waits in the queue and runs after the reconnect, in db 2.
    const queued = kc.get("r:a");
    expect(await queued).toBe("1");
    expect(states).toEqual(["reconnecting", "open"]);
    await kc.close();
    expect(kc.state).toBe("closed");
    await server.close();
  });

  it("fails commands at once while offline when the offline queue is 0, or full", async () => {
    const server = await startServer({ port: 0 });
    const kc = await connect(server.url, { offlineQueue: 0, reconnect: { minDelayMs: 200, maxDelayMs: 400 } });
    dropAll(server);
    await new Promise((r) => setTimeout(r, 5));
    await expect(kc.get("x")).rejects.toThrow("keycast: not connected");
    const kc2 = await connect(server.url, { offlineQueue: 2, reconnect: { minDelayMs: 200, maxDelayMs: 400 } });
    dropAll(server);
    await new Promise((r) => setTimeout(r, 5));
    const a = kc2.ping();
    const b = kc2.ping();
    await expect(kc2.ping()).rejects.toThrow(/offline queue is full \(2 commands\)/);
    expect(await Promise.all([a, b])).toEqual(["PONG", "PONG"]);
    await kc.close();
    await kc2.close();
    await server.close();
  });

  it("rejects commands that were in flight when the connection dropped (they may have run)", async () => {
    const server = await startServer({ port: 0 });
    const kc = await connect(server.url, { reconnect: { minDelayMs: 20 } });
    const big = kc.batch();
    for (let i = 0; i < 20000; i++) big.set(`r:big${i}`, "x");
    const p = big.exec();
    dropAll(server);
    const err = await p.then(() => null, (e: unknown) => e);
    // Either the batch made it before the drop, or it failed with a ConnectionError: never a hang.
    if (err !== null) expect(err).toBeInstanceOf(ConnectionError);
    await kc.close();
    await server.close();
  });

  it("gives up after maxAttempts and fails what waits", async () => {
    const server = await startServer({ port: 0 });
    const kc = await connect(server.url, { reconnect: { minDelayMs: 10, maxDelayMs: 20, maxAttempts: 2 } });
    const closed = new Promise<string | undefined>((resolve) => kc.onState((s, why) => s === "closed" && resolve(why)));
    const waiting = kc.get("x").then(
      (v) => v,
      (e: unknown) => e,
    );
    await server.close();
    expect(await waiting).toBeInstanceOf(ConnectionError);
    expect(await closed).toMatch(/gave up reconnecting/);
  });

  it("a watch whose restore is cut off by another drop resumes on the next reconnect, with no false resync", async () => {
    const server = await startServer({ port: 0 });
    const writer = await connect(server.url);
    const phone = await connect(server.url, { reconnect: { minDelayMs: 5, maxDelayMs: 20 } });
    const got: string[] = [];
    await phone.watch("r:feed", (m) => got.push(m.type === "event" ? `${m.event} ${String(m.delta)}` : m.type), { value: "delta" });
    await writer.rpush("r:feed", "a");
    // Each time the phone is back, drop it again at once: its WATCH is in flight and fails.
    let cuts = 3;
    phone.onState((s) => {
      if (s === "open" && cuts-- > 0) server.state.sessions.get(phone.server.id)?.close("another tunnel");
    });
    for (const s of server.state.sessions.values()) if (s.id === phone.server.id) s.close("tunnel");
    await writer.rpush("r:feed", "b");
    await writer.rpush("r:feed", "c");
    const until = Date.now() + 5000;
    while ((cuts >= 0 || got.length < 3) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(cuts).toBe(-1);
    expect(got).toEqual(["rpush a", "rpush b", "rpush c"]);
    await phone.close();
    await writer.close();
    await server.close();
  });

  it("a closed client refuses commands", async () => {
    const server = await startServer({ port: 0 });
    const kc = await connect(server.url);
    await kc.close();
    await expect(kc.ping()).rejects.toThrow("keycast: the client is closed");
    await server.close();
  });
});
