// LATENCY fed by latency-monitor-threshold: a command slower than the threshold becomes a
// "command" sample (LATEST, HISTORY, DOCTOR), RESET forgets it; a zero threshold records nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server/index.js";
import { replyOf, text } from "./differential/harness.js";
import { RawClient } from "./redis-server.js";

let server: RunningServer;
let c: RawClient;

beforeAll(async () => {
  server = await startServer({ port: 0, respPort: 0 });
  c = await RawClient.connect(server.respPort!);
});

afterAll(async () => {
  c?.close();
  await server?.close();
});

/** A command that takes well over a millisecond: SORT of 200,000 numbers. */
async function slowCommand(): Promise<void> {
  const n = 200_000;
  for (let i = 0; i < n; i += 10_000) await c.call("RPUSH", "big", ...Array.from({ length: 10_000 }, (_, j) => String((i + j) * 7919 % n)));
  expect(await c.call("SORT", "big", "LIMIT", "0", "1")).toBe("*1\r\n$1\r\n0\r\n");
}

describe("LATENCY", () => {
  it("records nothing while the threshold is 0", async () => {
    await slowCommand();
    expect(await c.call("LATENCY", "LATEST")).toBe("*0\r\n");
  });

  it("records a slow command as a 'command' sample, and RESET forgets it", async () => {
    expect(await c.call("CONFIG", "SET", "latency-monitor-threshold", "1")).toBe("+OK\r\n");
    await c.call("DEL", "big");
    await slowCommand();
    const latest = replyOf(await c.call("LATENCY", "LATEST"));
    // SORT is a "command"; the 10,000-element RPUSHes (flagged fast) may show as "fast-command".
    const row = latest.items!.map((r) => r.items!).find((r) => text(r[0]!) === "command")!;
    expect(row).toBeDefined();
    for (const r of latest.items!) expect(["command", "fast-command"]).toContain(text(r.items![0]!));
    const time = Number(row[1]!.head);
    expect(Math.abs(time - Date.now() / 1000)).toBeLessThan(30);
    expect(Number(row[2]!.head)).toBeGreaterThanOrEqual(1);
    expect(Number(row[3]!.head)).toBeGreaterThanOrEqual(Number(row[2]!.head));
    const history = replyOf(await c.call("LATENCY", "HISTORY", "command"));
    expect(history.items!.length).toBeGreaterThanOrEqual(1);
    expect(await c.call("LATENCY", "HISTORY", "nosuch")).toBe("*0\r\n");
    const doctor = await c.call("LATENCY", "DOCTOR");
    expect(doctor).toMatch(/\n[12]\. command: /);
    expect(doctor).toContain("Worst all time event");
    expect(await c.call("LATENCY", "RESET", "command", "nosuch")).toBe(":1\r\n");
    await c.call("LATENCY", "RESET");
    expect(await c.call("LATENCY", "LATEST")).toBe("*0\r\n");
    await c.call("CONFIG", "SET", "latency-monitor-threshold", "0");
  });
});
