// The RESP listener through real sockets: framing, pipelining, partial reads, inline commands,
// protocol errors and limits, binary safety, and connection commands.
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { parseArgs } from "../server/cli.js";
import { ListenError, startServer } from "../server/index.js";
import { DoubleReply, ErrorReply, MapReply, NULL_ARRAY, SetReply, Status, VerbatimReply } from "../server/reply.js";
import { encodePush, encodeReply, formatDouble } from "../server/transports/resp-encoder.js";
import { RespParser, ProtocolError, splitInline } from "../server/transports/resp-parser.js";
import type { WatchMessage } from "../client/index.js";
import { useServer } from "./helpers.js";
import { multibulk, RawClient } from "./redis-server.js";

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
  await h.kc.call("CONFIG", "SET", "proto-max-bulk-len", "512mb", "client-query-buffer-limit", "1gb");
});

describe("listener", () => {
  it("binds a free loopback port when asked for port 0, and reports it", () => {
    expect(h.server.respPort).toBeGreaterThan(0);
    expect(h.server.state.listeners.resp).toBe(`resp://127.0.0.1:${h.server.respPort}`);
  });

  it("can be disabled", async () => {
    const s = await startServer({ port: 0, respPort: "off" });
    expect(s.respPort).toBe(null);
    expect(s.state.listeners.resp).toBeUndefined();
    await s.close();
  });

  it("fails with a clear ListenError when the port is taken", async () => {
    await expect(startServer({ port: 0, respPort: h.server.respPort })).rejects.toThrow(
      new ListenError(`cannot listen for the Redis protocol on 127.0.0.1:${h.server.respPort}: address already in use`),
    );
  });

  it("parses --resp-port", () => {
    expect(parseArgs(["--resp-port", "6390"])).toEqual({ respPort: 6390 });
    expect(parseArgs(["--resp-port=off"])).toEqual({ respPort: "off" });
    expect(() => parseArgs(["--resp-port", "x"])).toThrow("--resp-port needs a port number from 0 to 65535, got 'x'");
  });

  it("stops accepting and drops connections on close", async () => {
    const s = await startServer({ port: 0 });
    const c = await RawClient.connect(s.respPort!);
    expect(await c.call("PING")).toBe("+PONG\r\n");
    await s.close();
    await c.closedPromise;
    const refused = net.connect(s.respPort!, "127.0.0.1");
    await expect(new Promise((_, reject) => refused.on("error", reject))).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe("framing", () => {
  it("answers multibulk and inline commands", async () => {
    const c = await client();
    expect(await c.call("PING")).toBe("+PONG\r\n");
    expect(await c.call("ECHO", "hi")).toBe("$2\r\nhi\r\n");
    c.send("PING\r\n");
    expect(await c.reply()).toBe("+PONG\r\n");
    c.send("  ECHO   word  \n");
    expect(await c.reply()).toBe("$4\r\nword\r\n");
  });

  it("runs a pipeline of many commands in one write, replying in order", async () => {
    const c = await client();
    const parts: Buffer[] = [];
    for (let i = 0; i < 5000; i++) parts.push(multibulk("SET", `k${i}`, `v${i}`), multibulk("GET", `k${i}`));
    c.send(Buffer.concat(parts));
    for (let i = 0; i < 5000; i++) {
      expect(await c.reply()).toBe("+OK\r\n");
      expect(await c.reply()).toBe(`$${`v${i}`.length}\r\nv${i}\r\n`);
    }
  });

  it("assembles commands sent one byte at a time", async () => {
    const c = await client();
    const bytes = Buffer.concat([multibulk("SET", "key", "a\r\nb"), Buffer.from("ECHO inline\r\n"), multibulk("GET", "key")]);
    for (const b of bytes) {
      c.send(Buffer.from([b]));
      await new Promise((r) => setImmediate(r));
    }
    expect(await c.replies(3)).toEqual(["+OK\r\n", "$6\r\ninline\r\n", "$4\r\na\r\nb\r\n"]);
  });

  it("ignores empty lines and empty multibulks (*0, *-1), as Redis does", async () => {
    const c = await client();
    c.send("\r\n\n*0\r\n*-1\r\nPING\r\n");
    expect(await c.reply()).toBe("+PONG\r\n");
  });

  it("splits inline words with Redis's quoting rules", async () => {
    const c = await client();
    c.send(`SET "a key" "x\\x00\\xff\\n\\"y"\r\nGET "a key"\r\nECHO 'it\\'s'\r\nECHO a"b c"\r\nECHO "\\x4g"\r\n`);
    expect(await c.replies(5)).toEqual(["+OK\r\n", "$6\r\nx\x00\xff\n\"y\r\n", "$4\r\nit's\r\n", "$4\r\nab c\r\n", "$3\r\nx4g\r\n"]);
  });

  it("keeps bytes exact: what goes in over RESP comes out over RESP and WebSocket", async () => {
    const c = await client();
    const value = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0xc3, 0xa9]);
    const key = Buffer.from([0xfe, 0x00, 0x41]);
    expect(await c.call("SET", key, value)).toBe("+OK\r\n");
    expect(Buffer.from(await c.call("GET", key), "latin1")).toEqual(Buffer.concat([Buffer.from("$7\r\n"), value, Buffer.from("\r\n")]));
    expect(Buffer.from((await h.kc.bytes.get(key))!)).toEqual(value);
    // and the other way round
    await h.kc.set("from-ws", "é€");
    expect(await c.call("GET", "from-ws")).toBe(`$5\r\n${Buffer.from("é€").toString("latin1")}\r\n`);
    expect(await c.call("SET", "", "")).toBe("+OK\r\n");
    expect(await c.call("GET", "")).toBe("$0\r\n\r\n");
  });

  it("lets other clients in during a huge pipeline", async () => {
    const a = await client();
    const b = await client();
    const n = 200_000;
    const one = multibulk("INCR", "counter");
    a.send(Buffer.concat(Array.from({ length: n }, () => one)));
    // wait until a's pipeline is being processed
    await a.reply();
    const pong = await b.call("PING");
    expect(pong).toBe("+PONG\r\n");
    // b was answered while a still had most of its replies to come
    const got = await b.call("GET", "counter");
    const counter = Number(got.split("\r\n")[1]);
    expect(counter).toBeLessThan(n);
    for (let i = 1; i < n; i++) await a.reply();
    expect(await b.call("GET", "counter")).toBe(`$${String(n).length}\r\n${n}\r\n`);
  });
});

describe("protocol errors close the connection after the replies before them", () => {
  const cases: [string, string][] = [
    ["*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n"],
    ["*\r\n", "-ERR Protocol error: invalid multibulk length\r\n"],
    ["*01\r\n", "-ERR Protocol error: invalid multibulk length\r\n"],
    ["*3000000000\r\n", "-ERR Protocol error: invalid multibulk length\r\n"],
    ["*1\r\nx\r\n", "-ERR Protocol error: expected '$', got 'x'\r\n"],
    ["*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length\r\n"],
    ["*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n"],
    ["*1\r\n$+4\r\n", "-ERR Protocol error: invalid bulk length\r\n"],
    ["*1\r\n$600000000\r\n", "-ERR Protocol error: invalid bulk length\r\n"],
    ['SET a "b\r\n', "-ERR Protocol error: unbalanced quotes in request\r\n"],
    ["SET a 'b'c\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"],
  ];
  for (const [input, error] of cases) {
    it(JSON.stringify(input), async () => {
      const c = await client();
      c.send(Buffer.concat([multibulk("PING"), Buffer.from(input, "latin1"), multibulk("SET", "after", "1")]));
      expect(await c.untilClosed()).toBe(`+PONG\r\n${error}`);
      expect(await h.kc.get("after")).toBe(null);
    });
  }

  it("refuses a count line or inline request over 64 KiB without a newline", async () => {
    const c = await client();
    c.send(`*${"1".repeat(70_000)}`);
    expect(await c.untilClosed()).toBe("-ERR Protocol error: too big mbulk count string\r\n");
    const d = await client();
    d.send(`PING ${"x".repeat(70_000)}`);
    expect(await d.untilClosed()).toBe("-ERR Protocol error: too big inline request\r\n");
  });

  it("applies proto-max-bulk-len to bulk headers", async () => {
    const c = await client();
    expect(await c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb")).toBe("+OK\r\n");
    expect(await c.call("SET", "big", Buffer.alloc(1024 * 1024, 97))).toBe("+OK\r\n");
    c.send(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${1024 * 1024 + 1}\r\n`);
    expect(await c.untilClosed()).toBe("-ERR Protocol error: invalid bulk length\r\n");
  });

  it("disconnects a client whose unparsed input passes client-query-buffer-limit", async () => {
    const c = await client();
    expect(await c.call("CONFIG", "SET", "client-query-buffer-limit", "1mb")).toBe("+OK\r\n");
    // Two 600 KB arguments of one command: each is under proto-max-bulk-len, together over the limit.
    c.send(Buffer.concat([Buffer.from("*3\r\n$3\r\nSET\r\n$600000\r\n"), Buffer.alloc(600_000, 98), Buffer.from("\r\n$600000\r\n"), Buffer.alloc(600_000, 99)]));
    expect(await c.untilClosed()).toBe("");
  });
});

describe("parser", () => {
  it("yields the same commands whatever the split of the input", () => {
    const input = Buffer.concat([multibulk("SET", "k", Buffer.alloc(300, 1)), Buffer.from("ECHO 'x y'\r\n"), multibulk("GET", "k")]);
    const expected = [["SET", "k", "\x01".repeat(300)], ["ECHO", "x y"], ["GET", "k"]];
    for (const size of [1, 2, 3, 7, 64, input.length]) {
      const p = new RespParser();
      const got: string[][] = [];
      for (let i = 0; i < input.length; i += size) {
        p.feed(input.subarray(i, i + size));
        for (let argv = p.next(1 << 20); argv !== null; argv = p.next(1 << 20)) got.push(argv);
      }
      expect(got).toEqual(expected);
      expect(p.pending).toBe(0);
    }
  });

  it("throws ProtocolError with Redis's text", () => {
    const p = new RespParser();
    p.feed(Buffer.from("*1\r\n$2\r\n"));
    expect(() => p.next(1)).toThrow(new ProtocolError("ERR Protocol error: invalid bulk length"));
  });

  it("splits inline arguments like sdssplitargs", () => {
    expect(splitInline(Buffer.from(`a "b c" 'd e' "\\x41\\t" ""`))).toEqual(["a", "b c", "d e", "A\t", ""]);
    expect(splitInline(Buffer.from(`"abc`))).toBe(null);
    expect(splitInline(Buffer.from(`'abc' x`))).toEqual(["abc", "x"]);
    expect(splitInline(Buffer.from("   "))).toEqual([]);
  });
});

describe("connection commands", () => {
  it("QUIT replies OK, closes, and runs nothing after it", async () => {
    const c = await client();
    c.send(Buffer.concat([multibulk("QUIT"), multibulk("SET", "after-quit", "1")]));
    expect(await c.untilClosed()).toBe("+OK\r\n");
    expect(await h.kc.get("after-quit")).toBe(null);
  });

  it("HELLO switches protocol, validates its options, and names the connection", async () => {
    const c = await client();
    const id = Number((await c.call("CLIENT", "ID")).slice(1, -2));
    const map = (proto: number) =>
      `$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:${proto}\r\n$2\r\nid\r\n:${id}\r\n` +
      `$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n`;
    expect(await c.call("HELLO")).toBe(`*14\r\n${map(2)}`);
    expect(await c.call("HELLO", "4")).toBe("-NOPROTO unsupported protocol version\r\n");
    expect(await c.call("HELLO", "x")).toBe("-ERR Protocol version is not an integer or out of range\r\n");
    expect(await c.call("HELLO", "3", "SETNAME")).toBe("-ERR Syntax error in HELLO option 'SETNAME'\r\n");
    expect(await c.call("HELLO", "3", "AUTH", "bob", "pw")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(await c.call("HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app")).toBe(`%7\r\n${map(3)}`);
    expect(await c.call("CLIENT", "GETNAME")).toBe("$3\r\napp\r\n");
    expect(await c.call("HELLO", "2")).toBe(`*14\r\n${map(2)}`);
  });

  it("AUTH behaves like Redis without a password", async () => {
    const c = await client();
    expect(await c.call("AUTH", "pw")).toBe(
      "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
    );
    expect(await c.call("AUTH", "default", "pw")).toBe("+OK\r\n");
    expect(await c.call("AUTH", "bob", "pw")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(await c.call("AUTH", "a", "b", "c")).toBe("-ERR syntax error\r\n");
  });

  it("CLIENT ID, SETNAME, GETNAME, INFO, LIST, NO-EVICT, SETINFO", async () => {
    const c = await client();
    const id = (await c.call("CLIENT", "ID")).slice(1, -2);
    expect(await c.call("CLIENT", "GETNAME")).toBe("$-1\r\n");
    expect(await c.call("CLIENT", "SETNAME", "worker-1")).toBe("+OK\r\n");
    expect(await c.call("CLIENT", "SETNAME", "a b")).toBe("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    expect(await c.call("CLIENT", "SETNAME")).toBe("-ERR wrong number of arguments for 'client|setname' command\r\n");
    expect(await c.call("CLIENT", "GETNAME")).toBe("$8\r\nworker-1\r\n");
    expect(await c.call("CLIENT", "SETINFO", "LIB-NAME", "mylib")).toBe("+OK\r\n");
    expect(await c.call("CLIENT", "SETINFO", "color", "red")).toBe("-ERR Unrecognized option 'color'\r\n");
    expect(await c.call("CLIENT", "NO-EVICT", "on")).toBe("+OK\r\n");
    expect(await c.call("CLIENT", "NO-EVICT", "maybe")).toBe("-ERR syntax error\r\n");
    const info = await c.call("CLIENT", "INFO");
    expect(info).toMatch(new RegExp(`^\\$\\d+\\r\\nid=${id} addr=127\\.0\\.0\\.1:\\d+ laddr=127\\.0\\.0\\.1:${h.server.respPort} .*name=worker-1 .*flags=e db=0 .*cmd=client\\|info .*resp=2 lib-name=mylib .*\\n\\r\\n$`));
    const list = await c.call("CLIENT", "LIST");
    expect(list).toContain(`id=${id} `);
    expect(list).toContain("transport=ws"); // the harness's WebSocket client
    expect(await c.call("CLIENT", "LIST", "ID", id)).toBe(info.replace("cmd=client|info", "cmd=client|list"));
    expect(await c.call("CLIENT", "LIST", "TYPE", "master")).toBe("$0\r\n\r\n");
    expect(await c.call("CLIENT", "LIST", "TYPE", "x")).toBe("-ERR Unknown client type 'x'\r\n");
    expect(await c.call("CLIENT", "LIST", "ID", "a")).toBe("-ERR Invalid client ID\r\n");
    expect(await c.call("CLIENT", "foo")).toBe("-ERR unknown subcommand 'foo'. Try CLIENT HELP.\r\n");
    expect(await c.call("CLIENT")).toBe("-ERR wrong number of arguments for 'client' command\r\n");
  });

  it("CLIENT KILL closes other connections by id or address, and itself only when asked", async () => {
    const a = await client();
    const b = await client();
    const bId = (await b.call("CLIENT", "ID")).slice(1, -2);
    const bAddr = /addr=(\S+)/.exec(await b.call("CLIENT", "INFO"))![1]!;
    expect(await a.call("CLIENT", "KILL", "ID", bId)).toBe(":1\r\n");
    await b.closedPromise;
    expect(await a.call("CLIENT", "KILL", "ID", bId)).toBe(":0\r\n");
    expect(await a.call("CLIENT", "KILL", bAddr)).toBe("-ERR No such client\r\n");
    expect(await a.call("CLIENT", "KILL", "ID", "0")).toBe("-ERR client-id should be greater than 0\r\n");
    expect(await a.call("CLIENT", "KILL", "FOO", "bar")).toBe("-ERR syntax error\r\n");
    const c = await client();
    const cAddr = /addr=(\S+)/.exec(await c.call("CLIENT", "INFO"))![1]!;
    expect(await a.call("CLIENT", "KILL", cAddr)).toBe("+OK\r\n");
    await c.closedPromise;
    const aId = (await a.call("CLIENT", "ID")).slice(1, -2);
    expect(await a.call("CLIENT", "KILL", "ID", aId)).toBe(":0\r\n");
    a.send(multibulk("CLIENT", "KILL", "ID", aId, "SKIPME", "no"));
    expect(await a.untilClosed()).toBe(":1\r\n");
  });

  it("RESET ends MULTI and WATCH and restores the defaults", async () => {
    const c = await client();
    await c.call("HELLO", "3");
    await c.call("SELECT", "2");
    await c.call("CLIENT", "SETNAME", "n");
    await c.call("WATCH", "w");
    await c.call("MULTI");
    expect(await c.call("RESET")).toBe("+RESET\r\n");
    expect(await c.call("CLIENT", "GETNAME")).toBe("$-1\r\n");
    expect(await c.call("EXEC")).toBe("-ERR EXEC without MULTI\r\n");
    expect((await c.call("CLIENT", "INFO")).includes(" db=0 ")).toBe(true);
    expect(await c.call("HELLO")).toMatch(/proto\r\n:2\r\n/);
  });

  it("refuses RESP-only commands over WebSocket", async () => {
    await expect(h.kc.call("MULTI")).rejects.toThrow("ERR 'multi' is not available over WebSocket: use an atomic batch or a watch frame instead");
    await expect(h.kc.call("HELLO", "3")).rejects.toThrow("ERR 'hello' is not available over WebSocket");
  });
});

describe("server commands", () => {
  it("DBSIZE, FLUSHDB, FLUSHALL, SWAPDB", async () => {
    const c = await client();
    await c.call("SET", "a", "1");
    await c.call("SET", "b", "1");
    expect(await c.call("DBSIZE")).toBe(":2\r\n");
    await c.call("SELECT", "1");
    await c.call("SET", "c", "1");
    expect(await c.call("SWAPDB", "0", "1")).toBe("+OK\r\n");
    expect(await c.call("DBSIZE")).toBe(":2\r\n");
    expect(await c.call("GET", "a")).toBe("$1\r\n1\r\n");
    expect(await c.call("SWAPDB", "0", "16")).toBe("-ERR DB index is out of range\r\n");
    expect(await c.call("SWAPDB", "x", "1")).toBe("-ERR invalid first DB index\r\n");
    expect(await c.call("SWAPDB", "0", "x")).toBe("-ERR invalid second DB index\r\n");
    expect(await c.call("FLUSHDB", "SYNC")).toBe("+OK\r\n");
    expect(await c.call("DBSIZE")).toBe(":0\r\n");
    expect(await c.call("SELECT", "0")).toBe("+OK\r\n");
    expect(await c.call("DBSIZE")).toBe(":1\r\n");
    expect(await c.call("FLUSHDB", "LATER")).toBe("-ERR syntax error\r\n");
    expect(await c.call("FLUSHALL", "ASYNC", "x")).toBe("-ERR syntax error\r\n");
    expect(await c.call("FLUSHALL", "async")).toBe("+OK\r\n");
    expect(await c.call("DBSIZE")).toBe(":0\r\n");
  });

  it("TIME and LASTSAVE", async () => {
    const c = await client();
    const m = /^\*2\r\n\$\d+\r\n(\d+)\r\n\$\d+\r\n(\d+)\r\n$/.exec(await c.call("TIME"))!;
    expect(Math.abs(Number(m[1]) - Date.now() / 1000)).toBeLessThan(5);
    expect(Number(m[2])).toBeLessThan(1_000_000);
    const last = Number((await c.call("LASTSAVE")).slice(1, -2));
    expect(last).toBe(Math.floor(h.server.state.startedAt / 1000));
  });

  it("INFO has Redis's sections and field names", async () => {
    const c = await client();
    await c.call("SET", "k", "v");
    await c.call("SET", "t", "v", "EX", "100");
    const all = await c.call("INFO");
    for (const s of ["# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU", "# Keyspace"]) expect(all).toContain(`${s}\r\n`);
    expect(all).toContain("redis_version:7.0.15\r\n");
    expect(all).toContain(`tcp_port:${h.server.respPort}\r\n`);
    expect(all).toContain("loading:0\r\n");
    expect(all).toMatch(/connected_clients:\d+\r\n/);
    expect(all).toMatch(/total_commands_processed:\d+\r\n/);
    const keyspace = await c.call("INFO", "keyspace");
    expect(keyspace).toMatch(/^\$\d+\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=\d+\r\n\r\n$/);
    expect(await c.call("INFO", "nosuch")).toBe("$0\r\n\r\n");
    const two = await c.call("INFO", "server", "CLIENTS");
    expect(two).toContain("# Server\r\n");
    expect(two).toContain("\r\n\r\n# Clients\r\n");
    expect(two).not.toContain("# Memory");
  });

  it("CONFIG GET and SET the settings keycast has, with Redis's errors", async () => {
    const c = await client();
    expect(await c.call("CONFIG", "GET", "proto-max-bulk-len")).toBe("*2\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n");
    expect(await c.call("CONFIG", "GET", "nosuch")).toBe("*0\r\n");
    const many = await c.call("CONFIG", "GET", "*bulk*", "client-*", "save");
    expect(many).toContain("client-query-buffer-limit");
    expect(many).toContain("$4\r\nsave\r\n$0\r\n\r\n");
    expect(await c.call("CONFIG", "SET", "PROTO-MAX-BULK-LEN", "2MB")).toBe("+OK\r\n");
    expect(await c.call("CONFIG", "GET", "proto-max-bulk-len")).toBe("*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n2097152\r\n");
    expect(await c.call("CONFIG", "SET", "proto-max-bulk-len", "1k")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive\r\n",
    );
    expect(await c.call("CONFIG", "SET", "proto-max-bulk-len", "lots")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be a memory value\r\n",
    );
    expect(await c.call("CONFIG", "SET", "databases", "3")).toBe("-ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config\r\n");
    expect(await c.call("CONFIG", "SET", "nosuch", "1")).toBe("-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n");
    expect(await c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb", "proto-max-bulk-len", "2mb")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - duplicate parameter\r\n",
    );
    expect(await c.call("CONFIG", "SET", "proto-max-bulk-len", "1mb", "x")).toBe("-ERR syntax error\r\n");
    expect(await c.call("CONFIG", "SET", "proto-max-bulk-len")).toBe("-ERR wrong number of arguments for 'config|set' command\r\n");
    expect(await c.call("CONFIG", "GET")).toBe("-ERR wrong number of arguments for 'config|get' command\r\n");
    expect(await c.call("CONFIG", "foo")).toBe("-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n");
    // a failed multi-setting SET changes nothing
    expect(await c.call("CONFIG", "SET", "client-query-buffer-limit", "2mb", "proto-max-bulk-len", "1")).toMatch(/^-ERR CONFIG SET failed/);
    expect(await c.call("CONFIG", "GET", "client-query-buffer-limit")).toBe("*2\r\n$25\r\nclient-query-buffer-limit\r\n$10\r\n1073741824\r\n");
    expect(await c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")).toBe("+OK\r\n");
    expect(await c.call("CONFIG", "GET", "notify-keyspace-events")).toBe("*2\r\n$22\r\nnotify-keyspace-events\r\n$3\r\nAKE\r\n");
    expect(await c.call("CONFIG", "SET", "notify-keyspace-events", "")).toBe("+OK\r\n");
    expect(await c.call("CONFIG", "RESETSTAT")).toBe("+OK\r\n");
    expect(await c.call("INFO", "stats")).toMatch(/total_commands_processed:[01]\r\n/);
  });

  it("COMMAND derives from the shared table, with subcommands as Redis 7 shows them", async () => {
    const c = await client();
    const count = Number((await c.call("COMMAND", "COUNT")).slice(1, -2));
    expect(count).toBeGreaterThan(20);
    const all = await c.call("COMMAND");
    expect(all.startsWith(`*${count}\r\n`)).toBe(true);
    expect(await c.call("COMMAND", "INFO", "get")).toBe(
      "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
        "*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n" +
        "$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
    );
    expect(await c.call("COMMAND", "INFO", "config|get", "nosuch")).toBe(
      "*2\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n*0\r\n*0\r\n$-1\r\n",
    );
    const clientInfo = await c.call("COMMAND", "INFO", "client");
    expect(clientInfo).toContain("$9\r\nclient|id\r\n:2\r\n");
    expect(await c.call("COMMAND", "GETKEYS", "SET", "a", "b")).toBe("*1\r\n$1\r\na\r\n");
    expect(await c.call("COMMAND", "GETKEYS", "DEL", "a", "b", "c")).toBe("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    expect(await c.call("COMMAND", "GETKEYS", "nosuch", "a")).toBe("-ERR Invalid command specified\r\n");
    expect(await c.call("COMMAND", "GETKEYS", "GET", "a", "b")).toBe("-ERR Invalid number of arguments specified for command\r\n");
    expect(await c.call("COMMAND", "GETKEYS", "PING", "x")).toBe("-ERR The command has no key arguments\r\n");
    expect(await c.call("COMMAND", "GETKEYS", "GET")).toBe("-ERR wrong number of arguments for 'command|getkeys' command\r\n");
    const tx = await c.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "transaction");
    for (const name of ["multi", "exec", "discard", "watch", "unwatch"]) expect(tx).toContain(`\r\n${name}\r\n`);
    expect(await c.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "config*")).toMatch(/^\*6\r\n/);
    expect(await c.call("COMMAND", "LIST", "x")).toBe("-ERR syntax error\r\n");
    expect(await c.call("COMMAND", "DOCS", "nosuch")).toBe("*0\r\n");
    expect(await c.call("COMMAND", "DOCS", "get")).toBe(
      "*2\r\n$3\r\nget\r\n*4\r\n$7\r\nsummary\r\n$34\r\nReturns the string value of a key.\r\n$5\r\ngroup\r\n$6\r\nstring\r\n",
    );
    expect(await c.call("COMMAND", "foo")).toBe("-ERR unknown subcommand 'foo'. Try COMMAND HELP.\r\n");
  });
});

describe("RESP3", () => {
  it("encodes maps, sets, nulls, verbatim text and null arrays as RESP3 after HELLO 3", async () => {
    const c = await client();
    expect(await c.call("HELLO", "3")).toMatch(/^%7\r\n/);
    expect(await c.call("GET", "missing")).toBe("_\r\n");
    expect(await c.call("CONFIG", "GET", "databases")).toBe("%1\r\n$9\r\ndatabases\r\n$2\r\n16\r\n");
    expect(await c.call("INFO", "keyspace")).toBe("=16\r\ntxt:# Keyspace\r\n\r\n");
    expect(await c.call("CLIENT", "INFO")).toMatch(/^=\d+\r\ntxt:id=\d+ .* resp=3 /);
    expect(await c.call("COMMAND", "INFO", "nosuch")).toBe("*1\r\n_\r\n");
    expect(await c.call("COMMAND", "INFO", "ping")).toMatch(/^\*1\r\n\*10\r\n\$4\r\nping\r\n:-1\r\n~1\r\n\+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n\+@fast\r\n\+@connection\r\n~2\r\n/);
    await c.call("WATCH", "w");
    await h.kc.set("w", "changed");
    await c.call("MULTI");
    expect(await c.call("EXEC")).toBe("_\r\n");
    expect(await c.call("HELLO", "2")).toMatch(/^\*14\r\n/);
    expect(await c.call("GET", "missing")).toBe("$-1\r\n");
    expect(await c.call("INFO", "keyspace")).toMatch(/^\$\d+\r\n# Keyspace\r\n/);
  });
});

describe("encoder", () => {
  it("encodes every reply kind in RESP2 and RESP3", () => {
    const cases: [Parameters<typeof encodeReply>[0], string, string][] = [
      ["a\x00\xff", "$3\r\na\x00\xff\r\n", "$3\r\na\x00\xff\r\n"],
      [-42, ":-42\r\n", ":-42\r\n"],
      [2n ** 62n, `:${2n ** 62n}\r\n`, `:${2n ** 62n}\r\n`],
      [null, "$-1\r\n", "_\r\n"],
      [NULL_ARRAY, "*-1\r\n", "_\r\n"],
      [new Status("QUEUED"), "+QUEUED\r\n", "+QUEUED\r\n"],
      [new ErrorReply("ERR bad\r\nthing é"), "-ERR bad  thing \xc3\xa9\r\n", "-ERR bad  thing \xc3\xa9\r\n"],
      [new MapReply(["k", 1]), "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"],
      [new SetReply(["x"]), "*1\r\n$1\r\nx\r\n", "~1\r\n$1\r\nx\r\n"],
      [new DoubleReply(1.5), "$3\r\n1.5\r\n", ",1.5\r\n"],
      [new DoubleReply(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
      [new VerbatimReply("a:b"), "$3\r\na:b\r\n", "=7\r\ntxt:a:b\r\n"],
      [[1, [null]], "*2\r\n:1\r\n*1\r\n$-1\r\n", "*2\r\n:1\r\n*1\r\n_\r\n"],
    ];
    for (const [reply, resp2, resp3] of cases) {
      expect(encodeReply(reply, 2)).toBe(resp2);
      expect(encodeReply(reply, 3)).toBe(resp3);
    }
    expect(encodePush(["message", "ch", "hi"], 3)).toBe(">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
    expect(encodePush(["message", "ch", "hi"], 2)).toBe("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n");
  });

  it("formats doubles as Redis 7.0's %.17g", () => {
    const cases: [number, string][] = [
      [1.5, "1.5"],
      [0.1, "0.10000000000000001"],
      [1e20, "1e+20"],
      [1e-5, "1.0000000000000001e-05"],
      [123456789012345678, "1.2345678901234568e+17"],
      [3, "3"],
      [1 / 3, "0.33333333333333331"],
      [1e16, "10000000000000000"],
      [NaN, "nan"],
      [Infinity, "inf"],
    ];
    for (const [d, text] of cases) expect(formatDouble(d)).toBe(text);
  });
});

describe("one keyspace for both transports", () => {
  it("a write over RESP reaches a WebSocket watcher, with its value", async () => {
    const events: WatchMessage[] = [];
    const w = await h.kc.watch("resp:*", (m) => events.push(m), { value: "full" });
    const c = await client();
    await c.call("SET", "resp:1", "hello");
    await c.call("RPUSH", "resp:list", "a", "b");
    for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(events.map((e) => (e.type === "event" ? [e.key, e.event] : e.type))).toEqual([
      ["resp:1", "set"],
      ["resp:list", "rpush"],
    ]);
    await w.unwatch();
  });

  it("RESP3 data replies: HGETALL is a map, SMEMBERS a set", async () => {
    const c = await client();
    await c.call("HELLO", "3");
    await c.call("HSET", "h", "f", "v");
    await c.call("SADD", "s", "m");
    expect(await c.call("HGETALL", "h")).toBe("%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
    expect(await c.call("SMEMBERS", "s")).toBe("~1\r\n$1\r\nm\r\n");
    expect(await c.call("HGETALL", "missing")).toBe("%0\r\n");
    await c.call("HELLO", "2");
    expect(await c.call("HGETALL", "h")).toBe("*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
  });
});
