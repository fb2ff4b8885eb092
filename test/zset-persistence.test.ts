// Sorted sets survive a restart: a snapshot stores them (keyspace/zset-type.ts) with their
// members, scores (inf, -0, fractions), rank order and OBJECT ENCODING; the AOF replays ZADDs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "../client/node.js";
import { startServer } from "../server/index.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function roundTrip(settings: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "keycast-zset-"));
  dirs.push(dir);
  const big = Array.from({ length: 300 }, (_, i) => [String(i % 7 === 0 ? -i : i / 3), `m${i}`]).flat();
  const reads = async (url: string) => {
    const kc = await connect(url);
    const out = [
      await kc.call("ZRANGE", "small", 0, -1, "WITHSCORES"),
      await kc.call("ZRANGE", "big", 0, -1, "WITHSCORES"),
      await kc.call("OBJECT", "ENCODING", "small"),
      await kc.call("OBJECT", "ENCODING", "big"),
      await kc.call("PTTL", "small"),
    ];
    await kc.close();
    return out;
  };
  const a = await startServer({ port: 0, settings: { dir, ...settings } });
  const kc = await connect(a.url);
  await kc.call("ZADD", "small", "inf", "top", "-0", "zero", "1.5", "b", "1.5", "a", "-inf", "bottom");
  await kc.call("ZADD", "big", ...big);
  await kc.call("PEXPIRE", "small", 1_000_000);
  await kc.close();
  const before = await reads(a.url);
  await a.close({ mode: "save" });
  const b = await startServer({ port: 0, settings: { dir, ...settings } });
  const after = await reads(b.url);
  await b.close({ mode: "nosave" });
  expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
  expect(before[3]).toBe("skiplist");
  expect(Number(after[4])).toBeGreaterThan(990_000);
}

describe("sorted sets across a restart", () => {
  it("from a snapshot", () => roundTrip({}));
  it("from the append-only log", () => roundTrip({ appendonly: "yes", save: "" }));
});
