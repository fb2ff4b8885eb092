// keycast-cli as a user runs it: a real process, through a pipe, with one-shot arguments, in
// --watch mode and at a pseudo-terminal prompt, against a real keycast server. Its output is
// compared byte for byte with what the real redis-cli prints for the same commands against a
// real redis-server.
import { execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { formatRaw, formatTTY, repr, StatusText } from "../client/cli/format.js";
import { splitArgs } from "../shared/splitargs.js";
import { connect, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

const root = join(import.meta.dirname, "..");
const cacheDir = join(root, "node_modules", ".cache");
let workDir: string;
let cli: string;
let keycast: RunningServer;
let redis: RedisServer;
let kc: KeycastClient;

interface Result {
  stdout: Buffer;
  stderr: string;
  code: number | null;
}

function run(cmd: string, args: readonly string[], input: string | Buffer = "", env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    // A one-shot run exits without reading its stdin.
    child.stdin.on("error", () => {});
    child.on("close", (code) => resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString(), code }));
    child.stdin.end(input);
  });
}

/** keycast-cli against the test's keycast server. */
const kcli = (args: readonly string[], input?: string | Buffer) => run("node", [cli, "-u", keycast.url, ...args], input);
/** redis-cli against the test's redis-server. */
const rcli = (args: readonly string[], input?: string | Buffer) => run("redis-cli", ["-p", String(redis.port), ...args], input);

beforeAll(async () => {
  // The CLI from its TypeScript source, bundled the way the published bin runs the built one;
  // under node_modules/ so that `ws` and `msgpackr` resolve from there.
  mkdirSync(cacheDir, { recursive: true });
  workDir = mkdtempSync(join(cacheDir, "keycast-cli-test-"));
  cli = join(workDir, "keycast-cli.mjs");
  await build({
    stdin: { contents: 'import { run } from "./client/cli/main.ts";\nawait run();\n', resolveDir: root, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    outfile: cli,
    logLevel: "silent",
  });
  keycast = await startServer({ port: 0, respPort: "off" });
  redis = await startRedisServer();
  kc = await connect(keycast.url);
}, 60_000);

afterAll(async () => {
  await kc?.close();
  await keycast?.close();
  await redis?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

beforeEach(async () => {
  await kc.flushall();
  await rcli(["FLUSHALL"]);
});

/** Every reply shape and the quoting rules, through a pipe; nothing whose order Redis leaves open. */
const SESSION = String.raw`
PING
PING "hello world"
ECHO 'it''s'
ECHO 'it\'s'
ECHO "tab\there\nnewline \"quoted\" back\\slash \x00\x01\x7f\xff bell\a bs\b cr\r \xZZ"
ECHO "héllo wörld ✓"
ECHO ""
ECHO a"b c"d
SET greeting hello
GET greeting
SET greeting OK
GET greeting
SET greeting again GET
SET greeting x NX
GET missing
TYPE greeting
TYPE missing
SETEX tmp 100 v
PSETEX tmp2 100000 v
MSET a 1 b 2 c 3
MGET a missing c
INCR counter
INCRBY counter -5
INCRBYFLOAT counter 1.5
DEL a b missing
RENAME c d
RENAME missing x
RPUSH list 1 2 3 4 5 6 7 8 9 10 11 12
LRANGE list 0 -1
LSET list 0 first
LTRIM list 0 2
LRANGE list 0 -1
LRANGE missing 0 -1
LPOP missing
RPOP list 2
HSET hash f1 v1 f2 v2
HMSET hash f3 v3
HGETALL hash
HGETALL missing
HMGET hash f1 nope
SADD set only
SMEMBERS set
SCAN 0 MATCH nomatch*
GET
SET k
NOSUCHCMD a b
LPUSH greeting x
INCR greeting
SELECT 1
SET indb1 v
SELECT 0
EXISTS indb1
SWAPDB 0 1
EXISTS indb1
FLUSHDB
SELECT 99
CONFIG SET nosuch 1
CLIENT SETNAME cli-test
CLIENT GETNAME
COMMAND INFO get
COMMAND GETKEYS SET a b
3 INCR rep
0 PING
-1 PING
GET "unterminated
GET "a"b
GET 'x'y

   
ECHO last
quit
PING
`;

describe("keycast-cli through a pipe", () => {
  it("prints a session exactly as redis-cli does, formatted (--no-raw)", async () => {
    const [ours, theirs] = await Promise.all([kcli(["--no-raw"], SESSION), rcli(["--no-raw"], SESSION)]);
    const text = ours.stdout.toString("latin1");
    // Spot checks, so that two empty outputs cannot pass.
    expect(text).toContain('"tab\\there\\nnewline \\"quoted\\" back\\\\slash \\x00\\x01\\x7f\\xff bell\\a bs\\b cr\\r xZZ"\n');
    expect(text).toContain('"h\\xc3\\xa9llo w\\xc3\\xb6rld \\xe2\\x9c\\x93"\n');
    expect(text).toContain("\n 9) \"9\"\n10) \"10\"\n");
    expect(text).toContain("1) \"1\"\n2) (nil)\n3) \"3\"\n");
    expect(text).toContain("\nOK\n\"OK\"\n\"OK\"\n(nil)\n(nil)\nstring\nnone\n");
    expect(text).toContain("(error) WRONGTYPE Operation against a key holding the wrong kind of value\n");
    expect(text).toContain("Invalid argument(s)\n");
    expect(text).toContain("Invalid redis-cli repeat command option value.\n");
    expect(text).toContain("(empty array)\n");
    expect(text).toContain("    3) 1) readonly\n       2) fast\n");
    // Nothing after quit.
    expect(text.endsWith('"last"\n')).toBe(true);
    expect(ours.code).toBe(0);
    expect(text).toBe(theirs.stdout.toString("latin1"));
  });

  it("prints raw output when stdout is not a terminal, byte for byte as redis-cli", async () => {
    const [ours, theirs] = await Promise.all([kcli([], SESSION), rcli([], SESSION)]);
    expect(ours.stdout.includes(Buffer.from([0x00, 0x01, 0x7f, 0xff]))).toBe(true);
    expect(ours.stdout.includes(Buffer.from("h\u00e9llo w\u00f6rld \u2713\n", "utf8"))).toBe(true);
    expect(ours.stdout.equals(theirs.stdout)).toBe(true);
    expect(ours.code).toBe(0);
  });

  it("pipelines long input and still prints every reply in order", async () => {
    let input = "";
    for (let i = 0; i < 5000; i++) input += `RPUSH big ${i}\n`;
    input += "LLEN big\nLINDEX big -1\n";
    const r = await kcli([], input);
    const lines = r.stdout.toString().split("\n");
    expect(lines.length).toBe(5003);
    expect(lines[0]).toBe("1");
    expect(lines[4999]).toBe("5000");
    expect(lines.slice(5000)).toEqual(["5000", "4999", ""]);
  });

  it("says so on stderr for each command when the server cannot be reached, and exits 0 like redis-cli", async () => {
    const r = await run("node", [cli, "-u", "ws://127.0.0.1:1"], "PING\nPING\n");
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe("Could not connect to keycast at ws://127.0.0.1:1: Connection refused\n".repeat(2));
  });
});

describe("keycast-cli with a command on the command line", () => {
  /** Each case runs against both servers in order (later ones see earlier writes). */
  const CASES: string[][] = [
    ["SET", "k", "v"],
    ["--no-raw", "SET", "k", "v"],
    ["GET", "k"],
    ["--no-raw", "GET", "k"],
    ["GET", "missing"],
    ["--no-raw", "GET", "missing"],
    ["SET", "neg", "-1"],
    ["--no-raw", "INCRBY", "neg", "-10"],
    ["INCR", "k"],
    ["--no-raw", "INCR", "k"],
    ["-e", "INCR", "k"],
    ["-e", "--no-raw", "GET", "k"],
    ["--no-raw", "NOSUCH", "x"],
    ["--no-raw", "GET"],
    ["SET", "u", "h\u00e9llo \u2713"],
    ["--no-raw", "GET", "u"],
    ["GET", "u"],
    ["RPUSH", "l", "a", "b c", "", "d"],
    ["--no-raw", "LRANGE", "l", "0", "-1"],
    ["LRANGE", "l", "0", "-1"],
    ["-d", ",", "LRANGE", "l", "0", "-1"],
    ["-D", "|", "--raw", "LLEN", "l"],
    ["--raw", "-d", ";", "-D", "#", "LRANGE", "l", "0", "1"],
    ["-n", "2", "SET", "indb2", "x"],
    ["-n", "2", "--no-raw", "GET", "indb2"],
    ["--no-raw", "GET", "indb2"],
    ["-r", "3", "--no-raw", "INCR", "n"],
    ["--no-raw", "HSET", "h", "f", "v", "g", "w"],
    ["--no-raw", "HGETALL", "h"],
    ["HGETALL", "h"],
    ["--no-raw", "TYPE", "h"],
    ["--no-raw", "PING"],
    ["--no-raw", "ECHO", "PONG"],
  ];

  it("prints what redis-cli prints, with its exit codes", async () => {
    for (const args of CASES) {
      const [ours, theirs] = await Promise.all([kcli(args), rcli(args)]);
      const label = JSON.stringify(args);
      expect({ label, out: ours.stdout.toString("latin1"), err: ours.stderr, code: ours.code }).toEqual({
        label,
        out: theirs.stdout.toString("latin1"),
        err: theirs.stderr,
        code: theirs.code,
      });
    }
    // A few exact values, so the comparison cannot pass on two empty outputs.
    expect((await kcli(["--no-raw", "GET", "u"])).stdout.toString()).toBe('"h\\xc3\\xa9llo \\xe2\\x9c\\x93"\n');
    expect((await kcli(["-e", "INCR", "k"])).stderr).toBe("ERR value is not an integer or out of range\n");
    expect((await kcli(["-d", ",", "LRANGE", "l", "0", "-1"])).stdout.toString()).toBe("a,b c,,d\n");
  });

  it("gives back binary values byte for byte (raw) and escaped (formatted)", async () => {
    const bytes = new Uint8Array([0x00, 0xff, 0x0a, 0x22, 0x5c, 0x41, 0x80]);
    await kc.set("bin", bytes);
    const raw = await kcli(["GET", "bin"]);
    expect(raw.stdout.equals(Buffer.concat([Buffer.from(bytes), Buffer.from("\n")]))).toBe(true);
    const tty = await kcli(["--no-raw", "GET", "bin"]);
    expect(tty.stdout.toString()).toBe('"\\x00\\xff\\n\\"\\\\A\\x80"\n');
    // Written by the CLI with escapes, read back by the SDK as the same bytes.
    await kcli([], 'SET bin2 "\\x00\\xfe\\x01"\n');
    expect([...(await kc.bytes.get("bin2"))!]).toEqual([0x00, 0xfe, 0x01]);
  });

  it("exits 1 when the server cannot be reached, or the options are wrong", async () => {
    const refused = await run("node", [cli, "-u", "ws://127.0.0.1:1", "PING"]);
    expect(refused).toMatchObject({ code: 1, stderr: "Could not connect to keycast at ws://127.0.0.1:1: Connection refused\n" });
    const badDb = await kcli(["-n", "99", "PING"]);
    expect(badDb).toMatchObject({ code: 1, stderr: "(error) ERR DB index is out of range\n" });
    const bad = await run("node", [cli, "--bogus", "PING"]);
    expect(bad).toMatchObject({ code: 1, stderr: "Unrecognized option or bad number of args for: '--bogus'\n" });
    const badUrl = await run("node", [cli, "-u", "http://x", "PING"]);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/ws:\/\/ or wss:\/\//);
    const help = await run("node", [cli, "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout.toString()).toMatch(/--watch <pattern>/);
  });
});

/** A running `keycast-cli --watch`, its stdout read line by line. */
function watchProcess(args: readonly string[]) {
  const child = spawn("node", [cli, "-u", keycast.url, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString("latin1")));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    lines: () => out.split("\n").filter((l) => l !== ""),
    stderr: () => err,
    async until(n: number, ms = 5000): Promise<string[]> {
      const deadline = Date.now() + ms;
      while (this.lines().length < n) {
        if (Date.now() > deadline) throw new Error(`watch printed ${JSON.stringify(out)}; stderr ${JSON.stringify(err)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return this.lines();
    },
    async stop(): Promise<number | null> {
      child.kill("SIGINT");
      return exited;
    },
    exited,
  };
}

/** Waits until `server` has `n` watches (the CLI prints nothing when its watch starts). */
async function watchesUp(server: RunningServer, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server.state.watchers.size < n) {
    if (Date.now() > deadline) throw new Error(`the server has ${server.state.watchers.size} watches, not ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("keycast-cli --watch", () => {
  it("streams one line per event, with the new value (full) or the change (delta), until Ctrl-C", async () => {
    const before = keycast.state.watchers.size;
    const full = watchProcess(["--watch", "w:*", "--value", "full"]);
    const delta = watchProcess(["--watch", "w:*", "--value", "delta"]);
    const plain = watchProcess(["--watch", "w:*"]);
    await watchesUp(keycast, before + 3);
    await kc.set("w:a", "1");
    await kc.set("w:a", "x y\n", "EX", 100);
    await kc.rpush("w:l", "a", "b");
    await kc.hset("w:h", "f", "v");
    await kc.set("other", "not watched");
    await kc.del("w:a");
    await kc.set("w:bin", new Uint8Array([0, 255]));
    expect(await full.until(7)).toEqual([
      'set "w:a" "1"',
      'set "w:a" "x y\\n"',
      'expire "w:a" "x y\\n"',
      'rpush "w:l" ["a", "b"]',
      'hset "w:h" {"f": "v"}',
      'del "w:a" (nil)',
      'set "w:bin" "\\x00\\xff"',
    ]);
    expect(await delta.until(7)).toEqual([
      'set "w:a" "1"',
      'set "w:a" "x y\\n"',
      "expire \"w:a\"",
      'rpush "w:l" ["a", "b"]',
      'hset "w:h" ["f", "v"]',
      'del "w:a"',
      'set "w:bin" "\\x00\\xff"',
    ]);
    expect(await plain.until(7)).toEqual(['set "w:a"', 'set "w:a"', 'expire "w:a"', 'rpush "w:l"', 'hset "w:h"', 'del "w:a"', 'set "w:bin"']);
    expect(await Promise.all([full.stop(), delta.stop(), plain.stop()])).toEqual([0, 0, 0]);
  });

  it("prints a snapshot first when asked, filters events, and exits 1 when it cannot connect", async () => {
    await kc.set("s:a", "1");
    await kc.rpush("s:l", "x");
    const before = keycast.state.watchers.size;
    const w = watchProcess(["--watch", "s:*", "--snapshot", "--events", "del", "-n", "0"]);
    await watchesUp(keycast, before + 1);
    const snap = await w.until(2);
    expect([...snap].sort()).toEqual(['snapshot "s:a" string "1"', 'snapshot "s:l" list ["x"]']);
    await kc.set("s:a", "2");
    await kc.del("s:a");
    expect((await w.until(3))[2]).toBe('del "s:a"');
    expect(await w.stop()).toBe(0);
    expect(w.lines().length).toBe(3);

    const refused = await run("node", [cli, "-u", "ws://127.0.0.1:1", "--watch", "x"]);
    expect(refused).toMatchObject({ code: 1, stderr: "Could not connect to keycast at ws://127.0.0.1:1: Connection refused\n" });
  });

  it("keeps streaming across a server restart, saying (resync) when the new server cannot replay what was missed", async () => {
    let own = await startServer({ port: 0, respPort: "off" });
    const port = own.port;
    const child = spawn("node", [cli, "-u", own.url, "--watch", "r:*"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const until = async (text: string) => {
      const deadline = Date.now() + 10_000;
      while (!out.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(out)}; stderr ${JSON.stringify(err)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    try {
      await watchesUp(own, 1);
      const first = await connect(own.url);
      await first.set("r:k", "v");
      await first.close();
      await until('set "r:k"\n');
      await own.close();
      for (let attempt = 0; ; attempt++) {
        try {
          own = await startServer({ port, respPort: "off" });
          break;
        } catch (e) {
          if (attempt > 20) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await until("(resync) the server restarted");
      const c = await connect(own.url);
      await c.set("r:after", "v");
      await c.close();
      await until('set "r:after"\n');
      expect(err).toMatch(/Connection lost .*reconnecting\.\.\.\nReconnected\.\n/);
      const lines = out.split("\n");
      expect(lines.indexOf('set "r:after"')).toBeGreaterThan(lines.findIndex((l) => l.startsWith("(resync)")));
    } finally {
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      await own.close();
    }
  }, 30_000);
});

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasScript)("keycast-cli at a terminal (a pseudo-terminal made by script(1))", () => {
  it("shows redis-cli's prompt, with the database after SELECT, keeps a history without secrets, and quits", async () => {
    const histfile = join(workDir, "history");
    const child = spawn("script", ["-qfec", `node ${cli} -u ${keycast.url}`, "/dev/null"], {
      env: { ...process.env, KEYCASTCLI_HISTFILE: histfile, TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    // What a person would see: without the terminal's cursor-movement codes.
    child.stdout.on("data", (d: Buffer) => (screen += d.toString().replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")));
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    const port = keycast.port;
    async function waitFor(text: string): Promise<void> {
      const deadline = Date.now() + 5000;
      while (!screen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(screen)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const type = async (line: string, expect: string) => {
      const mark = screen.length;
      child.stdin.write(`${line}\r`);
      const deadline = Date.now() + 5000;
      while (!screen.slice(mark).includes(expect)) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(expect)} after ${line}: ${JSON.stringify(screen.slice(mark))}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await waitFor(`127.0.0.1:${port}> `);
    await type("SET greeting hello", "OK\r\n");
    await type("GET greeting", '"hello"\r\n');
    await type("select 2", `127.0.0.1:${port}[2]> `);
    await type("RPUSH l a b", "(integer) 2\r\n");
    await type("LRANGE l 0 -1", '1) "a"\r\n2) "b"\r\n');
    await type("AUTH secret", "(error) ERR AUTH");
    await type("2 PING", "PONG\r\nPONG\r\n");
    child.stdin.write("quit\r");
    expect(await exited).toBe(0);
    const history = readFileSync(histfile, "utf8").split("\n").filter((l) => l !== "");
    expect(history).toEqual(["SET greeting hello", "GET greeting", "select 2", "RPUSH l a b", "LRANGE l 0 -1", "2 PING", "quit"]);
  });
});

describe("formatting and splitting (redis-cli's rules)", () => {
  it("splits lines like sdssplitargs", () => {
    expect(splitArgs('set "a b" \'c d\' e')).toEqual(["set", "a b", "c d", "e"]);
    expect(splitArgs('"\\x41\\x4a\\xff\\n\\q"')).toEqual(["AJ\xff\nq"]);
    expect(splitArgs("'it\\'s' '\\n'")).toEqual(["it's", "\\n"]);
    expect(splitArgs('a"b c" d')).toEqual(["ab c", "d"]);
    expect(splitArgs('"" \'\'')).toEqual(["", ""]);
    expect(splitArgs("  \t ")).toEqual([]);
    expect(splitArgs("a\0b c")).toEqual(["a"]);
    expect(splitArgs('"open')).toBeNull();
    expect(splitArgs('"a"b')).toBeNull();
    expect(splitArgs("'a'b")).toBeNull();
    expect(splitArgs('"trailing\\')).toBeNull();
  });

  it("formats nested arrays with redis-cli's index widths and indentation", () => {
    const s = (t: string) => new Uint8Array(Buffer.from(t, "latin1"));
    const ten = Array.from({ length: 10 }, (_, i) => s(String(i)));
    expect(formatTTY([s("a"), [s("b"), [1, null]], []])).toBe('1) "a"\n2) 1) "b"\n   2) 1) (integer) 1\n      2) (nil)\n3) (empty array)\n');
    expect(formatTTY([ten]).split("\n").slice(0, 2)).toEqual(['1)  1) "0"', '    2) "1"']);
    expect(formatTTY(new Map([[s("f"), s("v")]]))).toBe('1) "f"\n2) "v"\n');
    expect(formatTTY(new StatusText("OK"))).toBe("OK\n");
    expect(formatTTY(12345678901234567890n)).toBe("(integer) 12345678901234567890\n");
    expect(formatTTY(1.5)).toBe('"1.5"\n');
    expect(formatRaw([s("a"), [s("b"), null, 3]], ",")).toBe("a,b,,3");
    expect(repr("\x00\x1f\x7f\x80\xff ~")).toBe('"\\x00\\x1f\\x7f\\x80\\xff ~"');
  });
});

describe.skipIf(!existsSync(join(root, "dist", "client", "cli", "main.js")))("bin/keycast-cli.js (the built package)", () => {
  it("runs the built CLI", async () => {
    const r = await run("node", [join(root, "bin", "keycast-cli.js"), "-u", keycast.url, "--no-raw", "PING"]);
    expect({ code: r.code, out: r.stdout.toString() }).toEqual({ code: 0, out: "PONG\n" });
  });
});
