// Operating keycast: settings from a file, the environment and flags (and CONFIG REWRITE back
// into the file), /healthz /readyz /metrics, INFO's sections, SLOWLOG, MONITOR, structured
// logs, and the graceful stop (close, SHUTDOWN) with WebSocket close 1001.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import { pack, unpack } from "msgpackr";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect, type KeycastClient } from "../client/node.js";
import { allSettings } from "../server/config.js";
import { ConfigError, envName, loadConfig, quoteValue, settingsHelp } from "../server/config-file.js";
import { splitArgs } from "../shared/splitargs.js";
import { parseArgs } from "../server/cli.js";
import { startServer, type RunningServer } from "../server/index.js";
import { createLogger } from "../server/observability/logger.js";
import { useServer } from "./helpers.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kc-ops-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

function info(text: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, "m").exec(text)?.[1]?.trim();
}

/** A raw RESP connection: send commands, read what comes back. */
class Raw {
  private buf = "";
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;
  constructor(readonly socket: net.Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      this.buf += d;
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => socket.on("close", () => resolve()));
  }
  static async open(port: number): Promise<Raw> {
    const s = net.connect(port, "127.0.0.1");
    await new Promise((r) => s.once("connect", r));
    return new Raw(s);
  }
  send(...args: string[]): void {
    this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a, "latin1")}\r\n${a}\r\n`).join("")}`, "latin1");
  }
  /** Waits until what was received matches, and returns (and consumes) all of it. */
  async until(re: RegExp, ms = 3000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!re.test(this.buf)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    const out = this.buf;
    this.buf = "";
    return out;
  }
  close(): void {
    this.socket.destroy();
  }
}

describe("settings from a file, the environment and flags", () => {
  it("reads redis.conf's format: quotes, escapes, comments, includes, repeated save lines", () => {
    const inc = file("inc.conf", "maxmemory-samples 7\n");
    const conf = file(
      "a.conf",
      [
        "# a comment",
        "",
        "maxmemory 100mb",
        '  maxmemory-policy "allkeys-lru"   ',
        "save 900 1",
        "save 300 10",
        `include ${inc}`,
        "notify-keyspace-events 'Ex'",
        'loglevel warning',
      ].join("\n"),
    );
    const c = loadConfig(["--config", conf], {});
    const v = (k: string) => c.settings.get(k)?.value;
    expect(v("maxmemory")).toBe("100mb");
    expect(v("maxmemory-policy")).toBe("allkeys-lru");
    expect(v("save")).toBe("900 1 300 10");
    expect(v("maxmemory-samples")).toBe("7");
    expect(v("notify-keyspace-events")).toBe("Ex");
    expect(c.settings.get("maxmemory")?.source).toBe(`file ${conf}:3`);
    expect(c.configFile).toBe(conf);
    // The first argument is a config file too, as redis-server takes it.
    expect(loadConfig([conf], {}).configFile).toBe(conf);
  });

  it("splits arguments like Redis's sdssplitargs", () => {
    expect(splitArgs(`a "b c" 'd e' "x\\n\\x41\\"" 'it\\'s'`)).toEqual(["a", "b c", "d e", 'x\nA"', "it's"]);
    expect(splitArgs(`save ""`)).toEqual(["save", ""]);
    expect(splitArgs(`bad "quote`)).toBeNull();
    expect(splitArgs(`"a"b`)).toBeNull();
    for (const v of ["plain", "", "two words", 'q"uote', "back\\slash", "new\nline", "tab\there"]) expect(splitArgs(`k ${quoteValue(v)}`)).toEqual(["k", v]);
  });

  it("lets the environment override the file, and flags override both", () => {
    const conf = file("b.conf", "maxmemory 1mb\nappendfsync no\nloglevel debug\n");
    const env = { KEYCAST_MAXMEMORY: "2mb", KEYCAST_APPENDFSYNC: "always", KEYCAST_CONFIG: conf };
    const c = loadConfig(["--appendfsync", "everysec", "--save", "60", "1000", "--bind=0.0.0.0"], env);
    expect(c.settings.get("maxmemory")).toEqual({ value: "2mb", source: "environment KEYCAST_MAXMEMORY" });
    expect(c.settings.get("appendfsync")).toEqual({ value: "everysec", source: "flag --appendfsync" });
    expect(c.settings.get("loglevel")?.value).toBe("debug");
    expect(c.settings.get("save")?.value).toBe("60 1000");
    expect(c.settings.get("bind")?.value).toBe("0.0.0.0");
    expect(envName("maxmemory-policy")).toBe("KEYCAST_MAXMEMORY_POLICY");
  });

  it("stops on a bad value with a message naming the setting, the value and where it came from", () => {
    expect(() => parseArgs(["--maxmemory", "lots"])).toThrow("invalid value 'lots' for maxmemory (flag --maxmemory): argument must be a memory value");
    expect(() => parseArgs([], { KEYCAST_APPENDFSYNC: "sometimes" })).toThrow(
      "invalid value 'sometimes' for appendfsync (environment KEYCAST_APPENDFSYNC): argument(s) must be one of the following: always, everysec, no",
    );
    const conf = file("c.conf", "port 6379\nmaxmemory-policy lru\n");
    expect(() => parseArgs(["--config", conf])).toThrow(`invalid value 'lru' for maxmemory-policy (file ${conf}:2)`);
    expect(() => parseArgs(["--config", file("d.conf", "port 1\nnot-a-setting 1\n")])).toThrow(/d\.conf:2: unknown setting 'not-a-setting'/);
    expect(() => parseArgs(["--config", file("e.conf", "maxmemory\n")])).toThrow(/e\.conf:1: 'maxmemory' needs a value/);
    expect(() => parseArgs(["--port", "70000"])).toThrow("--port needs a port number from 0 to 65535, got '70000'");
    expect(() => parseArgs(["--resp-port", "x"])).toThrow("--resp-port needs a port number from 0 to 65535, got 'x'");
    expect(() => parseArgs(["--nope", "1"])).toThrow("unknown option '--nope'");
    expect(() => parseArgs(["--config", path.join(tmp, "missing.conf")])).toThrow(ConfigError);
    expect(() => parseArgs(["--dir", path.join(tmp, "no-such-dir")])).toThrow(/invalid value .* for dir .*No such file or directory/);
  });

  it("maps the listeners to server options and keeps the rest as settings", () => {
    expect(parseArgs(["--bind", "::1", "--port", "0", "--resp-port", "off", "--maxmemory", "1gb", "--repair-aof"])).toMatchObject({
      host: "::1",
      port: 0,
      respPort: "off",
      repairAof: true,
    });
    expect(parseArgs(["--host", "127.0.0.2", "--resp-port", "7000"])).toEqual({ host: "127.0.0.2", respPort: 7000 });
    expect(parseArgs(["--no-dashboard"])).toEqual({ dashboard: false });
    expect(parseArgs(["-h"])).toBe("help");
    expect(parseArgs(["--version"])).toBe("version");
  });

  it("--help lists every setting with its default and environment variable", () => {
    const help = settingsHelp();
    for (const s of allSettings()) {
      expect(help).toContain(`--${s.name} <value>`);
      expect(help).toContain(`env ${envName(s.name)}`);
    }
    expect(help).toMatch(/--maxmemory-policy <value>\n {6}.+\n {6}default: noeviction; env KEYCAST_MAXMEMORY_POLICY/);
  });

  it("takes settings in startServer and refuses bad ones", async () => {
    const s = await startServer({ port: 0, settings: { "maxmemory-policy": "allkeys-lfu", "slowlog-max-len": "5" }, logger: createLogger({ level: "silent" }) });
    try {
      const kc = await connect(s.url);
      expect(await kc.config("GET", "maxmemory-policy", "slowlog-max-len")).toEqual({ "maxmemory-policy": "allkeys-lfu", "slowlog-max-len": "5" });
      await kc.close();
    } finally {
      await s.close();
    }
    await expect(startServer({ port: 0, settings: { appendfsync: "maybe" } })).rejects.toThrow("invalid value 'maybe' for appendfsync");
    await expect(startServer({ port: 0, settings: { bogus: "1" } })).rejects.toThrow("unknown setting 'bogus'");
  });
});

describe("CONFIG REWRITE", () => {
  it("writes run-time changes back into the file, keeping its comments and order", async () => {
    const conf = file("rw.conf", `# my server\nmaxmemory 1mb\n\n# persistence\ndir ${tmp}\nappendfsync no\nsave 60 1\nsave 30 5\nport 0\n`);
    const options = parseArgs(["--config", conf, "--port", "0"]);
    if (typeof options === "string") throw new Error(options);
    const s = await startServer({ ...options, logger: createLogger({ level: "silent" }) });
    try {
      const kc = await connect(s.url);
      expect(info(await kc.info("server"), "config_file")).toBe(conf);
      await kc.config("SET", "maxmemory", "2mb");
      await kc.config("SET", "save", "100 2");
      await kc.config("SET", "maxmemory-policy", "allkeys-lru");
      await kc.config("SET", "notify-keyspace-events", "KEA");
      expect(await kc.config("REWRITE")).toBe("OK");
      const text = fs.readFileSync(conf, "utf8");
      expect(text).toBe(
        `# my server\nmaxmemory 2097152\n\n# persistence\ndir ${tmp}\nappendfsync no\nsave 100 2\nport 0\n# Generated by CONFIG REWRITE\nnotify-keyspace-events AKE\nmaxmemory-policy allkeys-lru\n`,
      );
      const again = loadConfig([conf], {});
      expect(again.settings.get("save")?.value).toBe("100 2");
      expect(again.settings.get("maxmemory-policy")?.value).toBe("allkeys-lru");
      await kc.close();
    } finally {
      await s.close();
    }
  });

  it("answers Redis's error without a config file", async () => {
    const s = await startServer({ port: 0, logger: createLogger({ level: "silent" }) });
    const kc = await connect(s.url);
    await expect(kc.config("REWRITE")).rejects.toThrow("ERR The server is running without a config file");
    await kc.close();
    await s.close();
  });
});

describe("a running server", () => {
  const h = useServer();
  let kc: KeycastClient;
  beforeEach(async () => {
    kc = h.kc;
    await kc.flushall();
    await kc.config("SET", "slowlog-log-slower-than", "10000");
    await kc.slowlog("RESET");
  });

  it("answers /healthz, /readyz and /metrics", async () => {
    const base = `http://127.0.0.1:${h.server.port}`;
    expect(await (await fetch(`${base}/healthz`)).text()).toBe("ok\n");
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, "ready\n"]);
    await kc.set("m1", "1");
    await kc.set("m2", "1", "EX", 100);
    await kc.get("m1");
    await kc.call("NOPE").catch(() => {});
    await kc.hset("m1", "f", "v").catch(() => {});
    await kc.watch("m*", () => {});
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    for (const line of [
      /^keycast_connections\{transport="ws"\} [1-9]/m,
      /^keycast_connections\{transport="resp"\} 0/m,
      /^keycast_commands_total\{command="set"\} [2-9]/m,
      /^keycast_command_duration_seconds_bucket\{command="set",le="\+Inf"\} [2-9]/m,
      /^keycast_command_duration_seconds_count\{command="get"\} [1-9]/m,
      /^keycast_command_failures_total\{command="hset"\} [1-9]/m,
      /^keycast_errors_total\{code="ERR"\} [1-9]/m,
      /^keycast_keys\{db="0"\} 2/m,
      /^keycast_keys_with_ttl\{db="0"\} 1/m,
      /^keycast_expired_keys_total \d+/m,
      /^keycast_evicted_keys_total \d+/m,
      /^keycast_watchers [1-9]/m,
      /^keycast_events_sent_total \d+/m,
      /^keycast_events_dropped_total \d+/m,
      /^keycast_output_buffer_bytes\{transport="ws",stat="total"\} \d+/m,
      /^keycast_memory_dataset_bytes [1-9]\d*/m,
      /^process_resident_memory_bytes \d+/m,
      /^# TYPE keycast_command_duration_seconds histogram/m,
    ]) {
      expect(text).toMatch(line);
    }
    // Buckets are cumulative.
    const buckets = [...text.matchAll(/^keycast_command_duration_seconds_bucket\{command="set",le="([^"]+)"\} (\d+)/gm)].map((m) => Number(m[2]));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });

  it("serves /healthz, /readyz and /metrics on their own port when http-port is set", async () => {
    const s = await startServer({ port: 0, settings: { "http-port": "0" }, logger: createLogger({ level: "silent" }) });
    try {
      expect(s.httpPort).toBeGreaterThan(0);
      expect(s.httpPort).not.toBe(s.port);
      const ops = `http://127.0.0.1:${s.httpPort}`;
      expect((await fetch(`${ops}/healthz`)).status).toBe(200);
      expect((await fetch(`${ops}/readyz`)).status).toBe(200);
      expect(await (await fetch(`${ops}/metrics`)).text()).toContain("keycast_connections");
      expect((await fetch(`${ops}/nope`)).status).toBe(404);
      // ...and no longer on the WebSocket port.
      expect((await fetch(`http://127.0.0.1:${s.port}/metrics`)).status).not.toBe(200);
    } finally {
      await s.close();
    }
  });

  it("reports every INFO section, with commandstats, errorstats and latencystats", async () => {
    await kc.config("RESETSTAT");
    await kc.set("a", "1");
    await kc.get("a");
    await kc.incr("a");
    await kc.call("HSET", "a", "f", "v").catch(() => {});
    const all = await kc.info("everything");
    for (const title of ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace", "Commandstats", "Latencystats"]) {
      expect(all).toContain(`# ${title}\r\n`);
    }
    const def = await kc.info();
    expect(def).not.toContain("# Commandstats");
    expect(def).toContain("# Errorstats");
    expect(await kc.info("all")).toContain("# Commandstats");
    const stats = await kc.info("commandstats");
    expect(stats).toMatch(/^cmdstat_set:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r$/m);
    expect(stats).toMatch(/^cmdstat_hset:calls=1,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=1\r$/m);
    expect(stats).toMatch(/^cmdstat_config\|resetstat:calls=1,/m);
    expect(await kc.info("errorstats")).toMatch(/^errorstat_WRONGTYPE:count=1\r$/m);
    expect(await kc.info("latencystats")).toMatch(/^latency_percentiles_usec_get:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r$/m);
    await kc.config("RESETSTAT");
    expect(await kc.info("commandstats")).not.toContain("cmdstat_set:");
    const mem = await kc.info("memory");
    expect(Number(info(mem, "used_memory"))).toBeGreaterThan(0);
    expect(info(mem, "maxmemory_policy")).toBe("noeviction");
    expect(info(await kc.info("persistence"), "aof_enabled")).toBe("0");
    expect(info(await kc.info("stats"), "evicted_keys")).toBe("0");
  });

  it("keeps a slow log with Redis's entries, truncation and errors", async () => {
    await kc.config("SET", "slowlog-log-slower-than", "0");
    await kc.client("SETNAME", "slowpoke");
    await kc.set("k", "x".repeat(200));
    await kc.del("k", ...Array.from({ length: 40 }, (_, i) => `k${i}`));
    const entries = await kc.slowlog("GET", 2);
    expect(entries).toHaveLength(2);
    const [del, set] = entries as [number, number, number, string[], string, string][];
    expect(del[0]).toBeGreaterThan(set[0]);
    expect(Math.abs(del[1] - Date.now() / 1000)).toBeLessThan(5);
    expect(del[2]).toBeGreaterThanOrEqual(0);
    expect(del[3]).toHaveLength(32);
    // 42 words: 31 kept, the 32nd says how many more (Redis's SLOWLOG_ENTRY_MAX_ARGC).
    expect(del[3][31]).toBe("... (11 more arguments)");
    expect(set[3]).toEqual(["SET", "k", `${"x".repeat(128)}... (72 more bytes)`]);
    expect(set[4]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(set[5]).toBe("slowpoke");
    expect(await kc.slowlog("LEN")).toBeGreaterThanOrEqual(4);
    // Each SLOWLOG call is logged too, after it answers.
    const len = (await kc.slowlog("LEN")) as number;
    expect(((await kc.slowlog("GET", -1)) as unknown[]).length).toBe(len + 1);
    expect(await kc.slowlog("GET", 0)).toEqual([]);
    await expect(kc.slowlog("GET", -2)).rejects.toThrow("ERR count should be greater than or equal to -1");
    await expect(kc.call("SLOWLOG", "GET", "x")).rejects.toThrow("ERR count should be greater than or equal to -1");
    await expect(kc.call("SLOWLOG", "NOPE")).rejects.toThrow("ERR unknown subcommand 'NOPE'. Try SLOWLOG HELP.");
    expect(((await kc.slowlog("HELP")) as string[])[0]).toBe("SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    await kc.config("SET", "slowlog-max-len", "3");
    expect(await kc.slowlog("LEN")).toBe(3);
    await kc.config("SET", "slowlog-log-slower-than", "-1");
    expect(await kc.slowlog("RESET")).toBe("OK");
    await kc.set("k", "1");
    expect(await kc.slowlog("LEN")).toBe(0);
    await expect(kc.config("SET", "slowlog-log-slower-than", "-5")).rejects.toThrow("argument must be between -1 and 9223372036854775807 inclusive");
    await kc.config("SET", "slowlog-max-len", "128");
    await kc.client("SETNAME", "");
  });

  it("streams every command to MONITOR on the Redis protocol, in Redis's format", async () => {
    const mon = await Raw.open(h.server.respPort!);
    const other = await Raw.open(h.server.respPort!);
    try {
      mon.send("MONITOR");
      await mon.until(/^\+OK\r\n$/);
      other.send("SET", "a b", 'x"y\\');
      other.send("SELECT", "3");
      other.send("GET", "\x00\xff\n");
      other.send("CONFIG", "GET", "maxmemory");
      other.send("PING");
      await other.until(/PONG/);
      await kc.set("from-ws", "1");
      const lines = (await mon.until(/from-ws/)).split("\r\n").filter(Boolean);
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatch(/^\+\d{10}\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "a b" "x\\"y\\\\"$/);
      expect(lines[1]).toMatch(/\[3 127\.0\.0\.1:\d+\] "SELECT" "3"$/);
      expect(lines[2]).toMatch(/\[3 127\.0\.0\.1:\d+\] "GET" "\\x00\\xff\\n"$/);
      // CONFIG is an admin command: not shown, as in Redis.
      expect(lines[3]).toMatch(/\[3 127\.0\.0\.1:\d+\] "PING"$/);
      expect(lines[4]).toMatch(/"SET" "from-ws" "1"$/);
      await expect(kc.call("MONITOR")).rejects.toThrow(/ERR 'monitor' is not available over WebSocket/);
    } finally {
      mon.close();
      other.close();
    }
  });

  it("lists RESP and WebSocket clients in CLIENT LIST", async () => {
    const raw = await Raw.open(h.server.respPort!);
    try {
      raw.send("CLIENT", "SETNAME", "raw");
      await raw.until(/OK/);
      const list = (await kc.client("LIST")) as string;
      expect(list).toMatch(/name=raw .* transport=resp/);
      expect(list).toMatch(/transport=ws/);
    } finally {
      raw.close();
    }
  });
});

describe("the graceful stop", () => {
  const silent = createLogger({ level: "silent" });
  let s: RunningServer;
  afterEach(async () => {
    await s?.close();
  });

  function rawWs(url: string): Promise<WebSocket> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
  }

  it("finishes the batch in flight, then closes WebSocket clients with 1001 and a reason", async () => {
    s = await startServer({ port: 0, logger: silent });
    const ws = await rawWs(s.url);
    const frames: unknown[] = [];
    ws.on("message", (d: Buffer) => frames.push(unpack(d)));
    const closed = new Promise<[number, string]>((resolve) => ws.on("close", (code, reason) => resolve([code, reason.toString()])));
    // A batch long enough to be run across several turns, sent just before the stop.
    const cmds: string[][] = [];
    for (let i = 0; i < 50_000; i++) cmds.push(["SET", `k${i}`, "v"]);
    ws.send(pack([1, 7, cmds]));
    // Stop once the server is in the middle of it.
    while (s.state.stats.commands < 1000) await new Promise((r) => setImmediate(r));
    const atStop = s.state.stats.commands;
    const stopping = s.close();
    const [code, reason] = await closed;
    await stopping;
    expect(code).toBe(1001);
    expect(reason).toBe("server shutting down");
    const reply = frames.find((f) => Array.isArray(f) && f[0] === 1 && f[1] === 7) as [number, number, unknown[]] | undefined;
    expect(atStop).toBeLessThan(50_000);
    expect(reply?.[2]).toHaveLength(50_000);
    await expect(fetch(`http://127.0.0.1:${s.port}/healthz`)).rejects.toThrow();
  });

  it("stops on SHUTDOWN: RESP gets no reply, WebSocket clients get 1001, and `closed` settles", async () => {
    const dir = fs.mkdtempSync(path.join(tmp, "sd-"));
    s = await startServer({ port: 0, logger: silent, settings: { dir } });
    const kc = await connect(s.url, { reconnect: false });
    const wsClosed = new Promise<string | undefined>((resolve) => kc.onState((state, reason) => state === "closed" && resolve(reason)));
    const raw = await Raw.open(s.respPort!);
    raw.send("SHUTDOWN", "BOGUS");
    expect(await raw.until(/\r\n/)).toBe("-ERR syntax error\r\n");
    raw.send("SHUTDOWN", "NOSAVE", "SAVE");
    expect(await raw.until(/\r\n/)).toBe("-ERR syntax error\r\n");
    raw.send("SHUTDOWN", "ABORT");
    expect(await raw.until(/\r\n/)).toBe("-ERR No shutdown in progress.\r\n");
    await kc.set("k", "v");
    raw.send("SHUTDOWN", "SAVE");
    await raw.closed;
    await s.closed;
    expect(await wsClosed).toBeDefined();
    // SHUTDOWN SAVE wrote a snapshot even without save rules.
    expect(fs.existsSync(path.join(dir, "dump.kcs"))).toBe(true);
  });
});

describe("logs", () => {
  it("writes JSON lines with time, level and message, or readable lines for people", () => {
    const json: string[] = [];
    createLogger({ level: "info", stream: { write: (l: string) => void json.push(l) } }).info({ key: "v" }, "hello");
    const rec = JSON.parse(json[0]!) as Record<string, unknown>;
    expect(rec).toMatchObject({ level: 30, msg: "hello", key: "v" });
    expect(typeof rec.time).toBe("number");
    const pretty: string[] = [];
    const logger = createLogger({ level: "warning", format: "pretty", stream: { write: (l: string) => void pretty.push(l) } });
    logger.info("hidden");
    logger.warn({ file: "x.aof" }, "careful");
    expect(pretty).toHaveLength(1);
    expect(pretty[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}careful file=x\.aof\n$/);
  });
});
