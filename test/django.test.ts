// The Django cache example (examples/django), run for real: Debian's python3-django and
// python3-django-redis under /usr/bin/python3, django_redis.cache.RedisCache pointed at
// keycast's RESP port. The same example must pass against a real redis-server too.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type RunningServer } from "../server/index.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const PYTHON = "/usr/bin/python3";
const EXAMPLE = fileURLToPath(new URL("../examples/django/", import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs python in the example's directory with its settings, the cache on `port`. */
function python(port: number, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const env = {
      ...process.env,
      KEYCAST_RESP_PORT: String(port),
      DJANGO_SETTINGS_MODULE: "keycast_demo.settings",
      // No __pycache__ left in the example's directories.
      PYTHONDONTWRITEBYTECODE: "1",
    };
    execFile(PYTHON, args, { cwd: EXAMPLE, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, stdout, stderr });
    });
  });
}

const demo = (port: number) => python(port, ["manage.py", "cache_demo"]);

/** A few lines of Django against the example's cache: prints what `body` prints. */
function snippet(port: number, body: string): Promise<Run> {
  return python(port, ["-c", `import django\ndjango.setup()\nfrom django.core.cache import cache\n${body}`]);
}

let keycast: RunningServer;
let redis: RedisServer;

beforeAll(async () => {
  [keycast, redis] = await Promise.all([startServer({ port: 0, respPort: 0 }), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([keycast?.close(), redis?.stop()]);
});

describe("Django cache (django-redis)", () => {
  it("is installed for /usr/bin/python3 (apt-get install python3-django python3-django-redis)", async () => {
    const run = await python(0, ["-c", "import django, django_redis"]);
    expect(run.code, run.stderr).toBe(0);
  });

  it("runs the example against a real redis-server (the checks are Redis's behaviour)", async () => {
    const run = await demo(redis.port);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^cache example: all \d+ checks passed$/m);
  });

  it("runs the example against keycast, with the same output", async () => {
    const [ours, theirs] = await Promise.all([demo(keycast.respPort!), demo(redis.port)]);
    expect(ours.code, ours.stdout + ours.stderr).toBe(0);
    expect(ours.stdout).toContain("ok   ttl\n");
    expect(ours.stdout).toContain("ok   cache-aside hit\n");
    expect(ours.stdout).toMatch(/^cache example: all \d+ checks passed$/m);
    expect(ours.stdout).toBe(theirs.stdout);
  });

  it("keeps the cache in database 1, as LOCATION says", async () => {
    const run = await snippet(keycast.respPort!, 'cache.set("where", "db1", timeout=60)');
    expect(run.code, run.stderr).toBe(0);
    const dbs = keycast.state.keyspace.dbs;
    expect(dbs[1]!.exists(":1:where")).toBe(true);
    expect(dbs[0]!.exists(":1:where")).toBe(false);
  });

  // Known difference (docs/compatibility.md): django-redis's incr runs a Lua script (EVAL) and,
  // when the server refuses it, falls back to TTL + GET + SET. The fallback works for existing
  // keys (not atomically), but for a missing key it adds to None: TypeError, not ValueError.
  // When keycast gets EVAL this starts passing: then drop `.fails`.
  it.fails("cache.incr of a missing key raises ValueError (needs EVAL)", async () => {
    const body = 'try:\n    cache.incr("never-set")\nexcept ValueError:\n    print("ValueError")\nexcept Exception as e:\n    print(type(e).__name__)';
    const theirs = await snippet(redis.port, body);
    expect(theirs.stdout.trim(), theirs.stderr).toBe("ValueError");
    const ours = await snippet(keycast.respPort!, body);
    expect(ours.stdout.trim(), ours.stderr).toBe("ValueError");
  });
});
