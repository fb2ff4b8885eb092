// redis-py (Debian's python3-redis, seen only by /usr/bin/python3) against keycast's RESP port:
// test/python/redis_py_check.py exercises strings, lists, sets, hashes, TTLs, pipelines and
// WATCH/MULTI/EXEC. The same script must pass against a real redis-server too, which proves
// that what it asserts is Redis's behaviour; both runs must print the same lines.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server/index.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./python/redis_py_check.py", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(port: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(PYTHON, [SCRIPT, String(port)], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The script's report, and why it failed when it did: the FAIL lines and any traceback. */
function explain(run: Run): string {
  const failures = run.stdout.split("\n").filter((l) => !l.startsWith("ok "));
  return `exit ${run.code}\n${failures.join("\n")}\n${run.stderr}`;
}

let keycast: RunningServer;
let redis: RedisServer;

beforeAll(async () => {
  [keycast, redis] = await Promise.all([startServer({ port: 0, respPort: 0 }), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([keycast?.close(), redis?.stop()]);
});

describe("redis-py", () => {
  let ours: Run;
  let theirs: Run;

  beforeAll(async () => {
    [ours, theirs] = await Promise.all([runScript(keycast.respPort!), runScript(redis.port)]);
  }, 90_000);

  it("is installed for /usr/bin/python3 (apt-get install python3-redis)", async () => {
    const run = await new Promise<Run>((resolve) =>
      execFile(PYTHON, ["-c", "import redis; print(redis.__version__)"], (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
    );
    expect(run.code, run.stderr).toBe(0);
  });

  it("passes every check against a real redis-server (the checks are Redis's behaviour)", () => {
    expect(theirs.code, explain(theirs)).toBe(0);
    expect(theirs.stdout).toMatch(/^\d{3,} passed, 0 failed$/m);
  });

  it("passes every check against keycast", () => {
    expect(ours.code, explain(ours)).toBe(0);
    expect(ours.stdout).toMatch(/^\d{3,} passed, 0 failed$/m);
    expect(ours.stdout).not.toContain("FAIL");
  });

  it("prints the same lines against both", () => {
    expect(ours.stdout.split("\n")).toEqual(theirs.stdout.split("\n"));
  });
});
