// The benchmark suite must not rot: run its quick mode and check that it wrote every figure
// under its stable name with a numeric value. No figure is asserted: this machine's load
// decides them, and docs/performance.md records a full run.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const latest = `${root}bench/results/latest.json`;

interface Figure {
  name: string;
  value: number | null;
  unit: string;
  anchor: string | null;
  anchorValue: number | null;
  ratio: number | null;
}

/** The names `--quick` writes, section by section. */
const QUICK_NAMES = [
  ...["ws.batch1", "ws.batch128", "ws.batch1024", "ws.list.batch128"].flatMap((b) => [`${b}.cmds_per_s`, `${b}.cmds_per_s_vs_redis`, `${b}.rtt_p50_ms`, `${b}.rtt_p99_ms`]),
  "resp.p1.set.rps",
  "resp.p1.get.rps",
  "resp.p64.set.rps",
  "resp.p64.get.rps",
  "fanout.1000.p50_ms",
  "fanout.1000.p99_ms",
  "fanout.1000.max_ms",
  "fanout.1000.p99_ms_vs_raw",
  "fanout.1000.deliveries_per_s",
  "fanout.1000.deliveries_per_s_vs_redis",
  "expiry.100k.p50_late_ms",
  "expiry.100k.p99_late_ms",
  "expiry.100k.max_late_ms",
  "expiry.100k.server_p99_late_ms",
  "feed.1000.max_push_rate",
  "feed.1000.max_push_rate_vs_raw",
  "feed.1000.deliveries_per_s",
  "memory.string.bytes_per_key",
  "memory.string.bytes_per_key_vs_raw",
  "memory.list.bytes_per_element",
  "memory.list.bytes_per_element_vs_raw",
  "memory.ws_conn.bytes_per_conn",
  "memory.ws_conn.rss_bytes_per_conn",
  ...[16, 128].flatMap((b) => [
    `gateway.1gw.batch${b}.cmds_per_s`,
    `gateway.1gw.batch${b}.cmds_per_s_vs_redis`,
    `gateway.2gw.batch${b}.cmds_per_s`,
    `gateway.1gw.batch${b}.rtt_p50_ms`,
    `gateway.1gw.batch${b}.rtt_p99_ms`,
  ]),
  "gateway.fanout.1000.p50_ms",
  "gateway.fanout.1000.p99_ms",
  "gateway.fanout.1000.max_ms",
  "gateway.fanout.1000.deliveries_per_s",
];

function runQuick(): Promise<{ code: number | null; output: string }> {
  // `npm test` has built dist/ already; `npm run bench` would rebuild it under the other test
  // files running in parallel, so the test runs the driver itself.
  const child = spawn(process.execPath, ["bench/run.mjs", "--quick"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

describe("npm run bench -- --quick", () => {
  it(
    "runs every section and writes every figure with a number, against its anchor",
    async () => {
      expect(existsSync(`${root}dist/server/index.js`), "run npm run build first").toBe(true);
      const { code, output } = await runQuick();
      expect(output).not.toContain("FAILED");
      expect(code, output).toBe(0);
      expect(output).toMatch(/figures in \d+ s, written to/);

      const figures = JSON.parse(readFileSync(latest, "utf8")) as Figure[];
      expect(figures.map((f) => f.name).sort()).toEqual([...QUICK_NAMES].sort());
      expect(figures.filter((f) => f.anchor === null).map((f) => f.name)).toEqual(["expiry.100k.server_p99_late_ms"]);
      for (const f of figures) {
        expect(typeof f.value, f.name).toBe("number");
        expect(Number.isFinite(f.value), f.name).toBe(true);
        expect(f.unit, f.name).toMatch(/\S/);
        // A figure without an anchor is a diagnostic (expiry's server-side lateness).
        if (f.anchor === null) continue;
        // An anchor that could not start is said so in the output and leaves its value null.
        if (f.anchorValue === null) expect(output).toContain("SKIP");
        else expect(f.ratio, f.name).toBeCloseTo(f.value! / f.anchorValue, 2);
      }
    },
    240_000,
  );
});
