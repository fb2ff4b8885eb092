// ACL users and rules over both transports: Redis 7's rule syntax, ACL commands and their
// replies, NOPERM and NOAUTH texts, key patterns by read and write, channels, selectors,
// the ACL log and the ACL file. Errors of ACL SETUSER are compared with a real redis-server.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect, ReplyError } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";
import { multibulk, RawClient, startRedisServer, type RedisServer } from "./redis-server.js";

let server: RunningServer;
let redis: RedisServer;
const open: RawClient[] = [];

async function resp(port = server.respPort!): Promise<RawClient> {
  const c = await RawClient.connect(port);
  open.push(c);
  return c;
}

/** A RESP connection authenticated as the user. */
async function as(user: string, password: string): Promise<RawClient> {
  const c = await resp();
  expect(await c.call("AUTH", user, password)).toBe("+OK\r\n");
  return c;
}

const err = (text: string) => `-${text}\r\n`;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  redis = await startRedisServer();
});

afterAll(async () => {
  await server.close();
  await redis.stop();
});

afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  const admin = await RawClient.connect(server.respPort!);
  const users = await admin.call("ACL", "USERS");
  for (const name of users.split("\r\n").filter((l) => /^[a-z]/.test(l) && l !== "default")) await admin.call("ACL", "DELUSER", name);
  await admin.call("ACL", "SETUSER", "default", "reset", "on", "nopass", "~*", "&*", "+@all");
  await admin.call("ACL", "LOG", "RESET");
  await admin.call("FLUSHALL");
  admin.close();
});

describe("the default user", () => {
  it("is on, nopass, with every permission, as in Redis", async () => {
    const c = await resp();
    expect(await c.call("ACL", "WHOAMI")).toBe("$7\r\ndefault\r\n");
    expect(await c.call("ACL", "LIST")).toBe("*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n");
    expect(await c.call("ACL", "USERS")).toBe("*1\r\n$7\r\ndefault\r\n");
    const r = await redis.port;
    const real = await resp(r);
    expect(await real.call("ACL", "LIST")).toBe("*1\r\n$34\r\nuser default on nopass ~* &* +@all\r\n");
  });

  it("accepts AUTH default with any password while nopass, and refuses AUTH <password> alone", async () => {
    const c = await resp();
    expect(await c.call("AUTH", "default", "anything")).toBe("+OK\r\n");
    const text = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
    expect(await c.call("AUTH", "x")).toBe(err(text));
    expect(await (await resp(redis.port)).call("AUTH", "x")).toBe(err(text));
  });
});

describe("ACL SETUSER, GETUSER, LIST", () => {
  it("shows a new user off, with no permissions", async () => {
    const c = await resp();
    expect(await c.call("ACL", "SETUSER", "bob")).toBe("+OK\r\n");
    expect(await c.call("ACL", "LIST")).toContain("$32\r\nuser bob off resetchannels -@all\r\n");
  });

  it("keeps rules in the order given, each once (Redis 7.2's ACL LIST form)", async () => {
    const c = await resp();
    await c.call("ACL", "SETUSER", "carol", "on", "nopass", "%R~metrics:*", "%W~w:*", "&chat:*", "+@read", "-@dangerous", "+set", "-get", "+config|get", "+get");
    const list = await c.call("ACL", "LIST");
    expect(list).toContain("user carol on nopass %R~metrics:* %W~w:* resetchannels &chat:* -@all +@read -@dangerous +set +config|get +get\r\n");
    await c.call("ACL", "SETUSER", "carol", "+@all", "-@dangerous", "~*", "allchannels");
    expect(await c.call("ACL", "LIST")).toContain("user carol on nopass ~* &* +@all -@dangerous\r\n");
    // Allowing a command again drops its subcommand rules.
    await c.call("ACL", "SETUSER", "carol", "-config|get", "+config");
    expect(await c.call("ACL", "LIST")).toContain("+@all -@dangerous +config\r\n");
  });

  it("GETUSER: flags, password hashes, rules, selectors; nil for an unknown user", async () => {
    const c = await resp();
    await c.call("ACL", "SETUSER", "alice", "on", ">p1", "~cached:*", "+get", "(+set ~w:*)");
    const reply = await c.call("ACL", "GETUSER", "alice");
    const lines = reply.split("\r\n");
    expect(lines.slice(0, 3)).toEqual(["*12", "$5", "flags"]);
    expect(lines.slice(3, 9)).toEqual(["*1", "$2", "on", "$9", "passwords", "*1"]);
    expect(lines[10]).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(reply).toContain("$8\r\ncommands\r\n$10\r\n-@all +get\r\n$4\r\nkeys\r\n$9\r\n~cached:*\r\n$8\r\nchannels\r\n$0\r\n\r\n$9\r\nselectors\r\n*1\r\n*6\r\n");
    expect(reply).toContain("$10\r\n-@all +set\r\n$4\r\nkeys\r\n$4\r\n~w:*\r\n");
    expect(await c.call("ACL", "GETUSER", "nosuch")).toBe("$-1\r\n");
    // RESP3: a map.
    await c.call("HELLO", "3");
    expect(await c.call("ACL", "GETUSER", "alice")).toMatch(/^%6\r\n\$5\r\nflags\r\n\*1\r\n\$2\r\non\r\n\$9\r\npasswords\r\n/);
  });

  it("never shows or stores a password in clear; a Redis #sha256 hash works as in Redis", async () => {
    const c = await resp();
    await c.call("ACL", "SETUSER", "alice", "on", ">secret-pw", "+@all", "~*");
    const list = await c.call("ACL", "LIST");
    expect(list).not.toContain("secret-pw");
    // sha256("p1"), as Redis's ACL LIST would write it.
    const hash = "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a";
    await c.call("ACL", "SETUSER", "rita", "on", `#${hash}`, "+@all", "~*");
    expect(await c.call("ACL", "LIST")).toContain(`user rita on #${hash} ~* resetchannels +@all\r\n`);
    await as("rita", "p1");
    expect(await (await resp()).call("AUTH", "rita", "p2")).toBe(err("WRONGPASS invalid username-password pair or user is disabled."));
    await c.call("ACL", "SETUSER", "rita", `!${hash}`);
    expect(await (await resp()).call("AUTH", "rita", "p1")).toBe(err("WRONGPASS invalid username-password pair or user is disabled."));
  });

  it("refuses bad rules with Redis's exact errors, and changes nothing then", async () => {
    const bad: string[][] = [
      ["x", "+nosuch"],
      ["x", "+@nosuch"],
      ["x", "foo"],
      ["x", "#abc"],
      ["x", "<nopw"],
      ["x", "!abc"],
      ["x", "%X~a"],
      ["x", "+config|nosuch"],
      ["x y"],
      ["x", "~*", "~foo"],
      ["x", "&*", "&foo"],
      ["x", "(+get", "~a"],
    ];
    const c = await resp();
    const real = await resp(redis.port);
    for (const args of bad) {
      const mine = await c.call("ACL", "SETUSER", ...args);
      const theirs = await real.call("ACL", "SETUSER", ...args);
      expect(mine, args.join(" ")).toBe(theirs);
      expect(mine.startsWith("-ERR"), args.join(" ")).toBe(true);
    }
    await c.call("ACL", "SETUSER", "keep", "on", "+get");
    expect(await c.call("ACL", "SETUSER", "keep", "off", "+set", "+nosuch")).toMatch(/^-ERR Error in ACL SETUSER modifier '\+nosuch'/);
    expect(await c.call("ACL", "LIST")).toContain("user keep on resetchannels -@all +get\r\n");
  });

  it("DELUSER: counts the users removed, refuses default, closes the user's connections", async () => {
    const c = await resp();
    await c.call("ACL", "SETUSER", "gone", "on", ">pw", "+@all", "~*");
    const victim = await as("gone", "pw");
    expect(await c.call("ACL", "DELUSER", "gone", "nosuch")).toBe(":1\r\n");
    await victim.closedPromise;
    expect(await c.call("ACL", "DELUSER", "default")).toBe(err("ERR The 'default' user cannot be removed"));
  });

  it("CAT lists categories and a category's commands; an unknown category is an error", async () => {
    const c = await resp();
    const cats = await c.call("ACL", "CAT");
    expect(cats).toBe(await (await resp(redis.port)).call("ACL", "CAT"));
    const conn = await c.call("ACL", "CAT", "connection");
    for (const name of ["ping", "echo", "auth", "hello", "client|id", "command|info"]) expect(conn).toContain(`\r\n${name}\r\n`);
    expect(await c.call("ACL", "CAT", "nosuch")).toBe(err("ERR Unknown category 'nosuch'"));
  });

  it("GENPASS: 64 hex characters, or as many bits as asked", async () => {
    const c = await resp();
    expect(await c.call("ACL", "GENPASS")).toMatch(/^\$64\r\n[0-9a-f]{64}\r\n$/);
    expect(await c.call("ACL", "GENPASS", "5")).toMatch(/^\$2\r\n[0-9a-f]{2}\r\n$/);
    expect(await c.call("ACL", "GENPASS", "0")).toBe(err("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096"));
  });
});

describe("permissions", () => {
  it("NOPERM for a command, a key and a channel, with Redis 7's texts; the connection stays open", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "alice", "on", ">p1", "~cached:*", "+get", "+set", "&chat:*", "+publish", "+subscribe", "+psubscribe");
    const a = await as("alice", "p1");
    expect(await a.call("FLUSHALL")).toBe(err("NOPERM User alice has no permissions to run the 'flushall' command"));
    expect(await a.call("GET", "other")).toBe(err("NOPERM No permissions to access a key"));
    expect(await a.call("GET", "cached:1")).toBe("$-1\r\n");
    expect(await a.call("PUBLISH", "other", "x")).toBe(err("NOPERM No permissions to access a channel"));
    expect(await a.call("PUBLISH", "chat:1", "x")).toBe(":0\r\n");
    expect(await a.call("CONFIG", "GET", "maxclients")).toBe(err("NOPERM User alice has no permissions to run the 'config|get' command"));
    // PSUBSCRIBE needs the pattern itself among the user's patterns.
    expect(await a.call("PSUBSCRIBE", "chat:1")).toBe(err("NOPERM No permissions to access a channel"));
    expect(await a.call("PSUBSCRIBE", "chat:*")).toBe("*3\r\n$10\r\npsubscribe\r\n$6\r\nchat:*\r\n:1\r\n");
  });

  it("%R~ allows reading, %W~ writing, ~ both; commands that only name a key need any pattern", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "m", "on", ">pw", "+@all", "%R~r:*", "%W~w:*", "~rw:*");
    await admin.call("SET", "r:1", "v");
    const m = await as("m", "pw");
    expect(await m.call("GET", "r:1")).toBe("$1\r\nv\r\n");
    expect(await m.call("SET", "r:1", "x")).toBe(err("NOPERM No permissions to access a key"));
    expect(await m.call("SET", "w:1", "x")).toBe("+OK\r\n");
    expect(await m.call("GET", "w:1")).toBe(err("NOPERM No permissions to access a key"));
    // SET ... GET reads the old value: it needs both.
    expect(await m.call("SET", "w:1", "y", "GET")).toBe(err("NOPERM No permissions to access a key"));
    expect(await m.call("SET", "rw:1", "y", "GET")).toBe("$-1\r\n");
    // INCR reads and writes; LPUSH only writes; EXISTS and LLEN only name the key.
    expect(await m.call("INCR", "w:n")).toBe(err("NOPERM No permissions to access a key"));
    expect(await m.call("LPUSH", "w:l", "a")).toBe(":1\r\n");
    expect(await m.call("EXISTS", "w:l", "r:1")).toBe(":2\r\n");
    expect(await m.call("LLEN", "w:l")).toBe(":1\r\n");
    expect(await m.call("EXISTS", "elsewhere")).toBe(err("NOPERM No permissions to access a key"));
    // RENAME reads and deletes the source, writes the destination.
    expect(await m.call("RENAME", "w:l", "rw:l")).toBe(err("NOPERM No permissions to access a key"));
    expect(await m.call("RENAME", "rw:1", "w:2")).toBe("+OK\r\n");
    // SINTERSTORE writes the destination and reads the sources.
    expect(await m.call("SINTERSTORE", "w:dest", "r:a", "r:b")).toBe(":0\r\n");
    expect(await m.call("SINTERSTORE", "r:dest", "r:a")).toBe(err("NOPERM No permissions to access a key"));
    // Binary keys match byte for byte.
    expect(await m.call("SET", Buffer.from([0x77, 0x3a, 0x00, 0xff]), "b")).toBe("+OK\r\n");
  });

  it("selectors: a command is allowed when one selector allows it with all its keys", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "s", "on", ">pw", "+get", "~a:*", "(+set ~b:*)");
    const s = await as("s", "pw");
    expect(await s.call("GET", "a:1")).toBe("$-1\r\n");
    expect(await s.call("SET", "b:1", "v")).toBe("+OK\r\n");
    expect(await s.call("SET", "a:1", "v")).toBe(err("NOPERM No permissions to access a key"));
    expect(await s.call("GET", "b:1")).toBe(err("NOPERM No permissions to access a key"));
    expect(await s.call("DEL", "a:1")).toBe(err("NOPERM User s has no permissions to run the 'del' command"));
  });

  it("a denial inside MULTI aborts the transaction, as in Redis", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "t", "on", ">pw", "+@all", "~t:*");
    const t = await as("t", "pw");
    expect(await t.call("MULTI")).toBe("+OK\r\n");
    expect(await t.call("SET", "t:1", "v")).toBe("+QUEUED\r\n");
    expect(await t.call("SET", "other", "v")).toBe(err("NOPERM No permissions to access a key"));
    expect(await t.call("EXEC")).toBe(err("EXECABORT Transaction discarded because of previous errors."));
    expect(await admin.call("EXISTS", "t:1")).toBe(":0\r\n");
  });

  it("changes to a user apply to its open connections at their next command", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "u", "on", ">pw", "+@all", "~*");
    const u = await as("u", "pw");
    expect(await u.call("GET", "k")).toBe("$-1\r\n");
    await admin.call("ACL", "SETUSER", "u", "-get");
    expect(await u.call("GET", "k")).toBe(err("NOPERM User u has no permissions to run the 'get' command"));
  });

  it("the same rules hold over WebSocket, in batches and atomic batches", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "w", "on", ">pw", "+@read", "+set", "+acl|whoami", "~w:*");
    const kc = await connect(server.url, { auth: { user: "w", password: "pw" } });
    try {
      expect(await kc.set("w:1", "v")).toBe("OK");
      await expect(kc.set("x:1", "v")).rejects.toThrow(new ReplyError("NOPERM No permissions to access a key"));
      await expect(kc.del("w:1")).rejects.toThrow(new ReplyError("NOPERM User w has no permissions to run the 'del' command"));
      const replies = await kc
        .batch()
        .get("w:1")
        .set("x:1", "v")
        .exec()
        .catch((e: { replies: unknown[] }) => e.replies);
      expect(replies[0]).toBe("v");
      expect((replies[1] as Error).message).toBe("NOPERM No permissions to access a key");
      const atomic = await kc
        .batch()
        .atomic()
        .set("w:2", "v")
        .del("w:1")
        .exec()
        .catch((e: { replies: unknown[] }) => e.replies);
      expect((atomic[0] as Error).message).toBe("EXECABORT Transaction discarded because of previous errors.");
      expect(await kc.exists("w:2")).toBe(0);
      expect(await kc.call("ACL", "WHOAMI")).toBe("w");
    } finally {
      await kc.close();
    }
  });
});

describe("AUTH and HELLO", () => {
  it("requirepass: NOAUTH until AUTH, then the default user; HELLO explains itself", async () => {
    const admin = await resp();
    expect(await admin.call("CONFIG", "SET", "requirepass", "foo")).toBe("+OK\r\n");
    try {
      const c = await resp();
      expect(await c.call("PING")).toBe(err("NOAUTH Authentication required."));
      expect(await c.call("NOSUCH", "a")).toBe(err("ERR unknown command 'NOSUCH', with args beginning with: 'a' "));
      expect(await c.call("GET")).toBe(err("ERR wrong number of arguments for 'get' command"));
      expect(await c.call("HELLO", "3")).toBe(
        err(
          "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
        ),
      );
      expect(await c.call("AUTH", "bar")).toBe(err("WRONGPASS invalid username-password pair or user is disabled."));
      expect(await c.call("AUTH", "foo")).toBe("+OK\r\n");
      expect(await c.call("PING")).toBe("+PONG\r\n");
      const h = await resp();
      expect(await h.call("HELLO", "3", "AUTH", "default", "foo")).toMatch(/^%7\r\n/);
      expect(await admin.call("CONFIG", "GET", "requirepass")).toMatch(/^\*2\r\n\$11\r\nrequirepass\r\n\$\d+\r\n#scrypt\$/);
    } finally {
      await admin.call("CONFIG", "SET", "requirepass", "");
    }
    expect(await (await resp()).call("PING")).toBe("+PONG\r\n");
  });

  it("AUTH inside MULTI runs at EXEC; pipelined commands after AUTH wait for it", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "p", "on", ">pw", "+@all", "~*");
    const c = await resp();
    c.send(Buffer.concat([multibulk("AUTH", "p", "pw"), multibulk("ACL", "WHOAMI"), multibulk("MULTI"), multibulk("AUTH", "default", "x"), multibulk("EXEC"), multibulk("ACL", "WHOAMI")]));
    expect(await c.replies(6)).toEqual(["+OK\r\n", "$1\r\np\r\n", "+OK\r\n", "+QUEUED\r\n", "*1\r\n+OK\r\n", "$7\r\ndefault\r\n"]);
  });

  it("a disabled user cannot authenticate; RESET returns to the default user", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "off1", "off", ">pw", "+@all");
    const c = await resp();
    expect(await c.call("AUTH", "off1", "pw")).toBe(err("WRONGPASS invalid username-password pair or user is disabled."));
    await admin.call("ACL", "SETUSER", "off1", "on");
    expect(await c.call("AUTH", "off1", "pw")).toBe("+OK\r\n");
    expect(await c.call("RESET")).toBe("+RESET\r\n");
    expect(await c.call("ACL", "WHOAMI")).toBe("$7\r\ndefault\r\n");
  });
});

describe("ACL LOG and DRYRUN", () => {
  it("logs denials and failed logins, grouped, newest first; RESET clears", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "l", "on", ">pw", "+get", "~a:*");
    const l = await as("l", "pw");
    await l.call("GET", "b");
    await l.call("GET", "b");
    await l.call("SET", "a:1", "v");
    await (await resp()).call("AUTH", "l", "wrong");
    const log = await admin.call("ACL", "LOG");
    expect(log.startsWith("*3\r\n")).toBe(true);
    const entries = log.split("*20\r\n").slice(1);
    expect(entries[0]).toContain("$6\r\nreason\r\n$4\r\nauth\r\n");
    expect(entries[1]).toContain("$6\r\nreason\r\n$7\r\ncommand\r\n$7\r\ncontext\r\n$8\r\ntoplevel\r\n$6\r\nobject\r\n$3\r\nset\r\n");
    expect(entries[2]).toContain("$5\r\ncount\r\n:2\r\n$6\r\nreason\r\n$3\r\nkey\r\n");
    expect(await admin.call("ACL", "LOG", "1")).toMatch(/^\*1\r\n/);
    expect(await admin.call("ACL", "LOG", "RESET")).toBe("+OK\r\n");
    expect(await admin.call("ACL", "LOG")).toBe("*0\r\n");
  });

  it("DRYRUN answers OK or why not, without running the command", async () => {
    const admin = await resp();
    await admin.call("ACL", "SETUSER", "d", "on", "+get", "~a:*");
    expect(await admin.call("ACL", "DRYRUN", "d", "GET", "a:1")).toBe("+OK\r\n");
    expect(await admin.call("ACL", "DRYRUN", "d", "SET", "a:1", "v")).toBe("$50\r\nUser d has no permissions to run the 'set' command\r\n");
    expect(await admin.call("ACL", "DRYRUN", "d", "GET", "b")).toBe("$30\r\nNo permissions to access a key\r\n");
    expect(await admin.call("ACL", "DRYRUN", "nobody", "GET", "b")).toBe(err("ERR User 'nobody' not found"));
    expect(await admin.call("ACL", "DRYRUN", "d", "NOSUCH", "b")).toBe(err("ERR Command 'NOSUCH' not found"));
  });
});

describe("the ACL file", () => {
  it("loads users at start, reloads with ACL LOAD (all or nothing), writes with ACL SAVE", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keycast-acl-"));
    const file = join(dir, "users.acl");
    const hash = "f64551fcd6f07823cb87971cfb91446425da18286b3ab1ef935e0cbd7a69f68a";
    writeFileSync(file, `user default on nopass ~* &* +@all\nuser ops on #${hash} ~* &* +@all\nuser reader on >r ~metrics:* resetchannels -@all +@read\n`);
    const s = await startServer({ port: 0, aclfile: file });
    try {
      const c = await RawClient.connect(s.respPort!);
      expect(await c.call("ACL", "USERS")).toBe("*3\r\n$7\r\ndefault\r\n$3\r\nops\r\n$6\r\nreader\r\n");
      expect(await c.call("AUTH", "ops", "p1")).toBe("+OK\r\n");
      const r = await RawClient.connect(s.respPort!);
      expect(await r.call("AUTH", "reader", "r")).toBe("+OK\r\n");
      expect(await r.call("GET", "metrics:cpu")).toBe("$-1\r\n");
      expect(await r.call("SET", "metrics:cpu", "1")).toBe(err("NOPERM User reader has no permissions to run the 'set' command"));
      writeFileSync(file, "user default on nopass ~* &* +@all\nuser broken on +nosuch\n");
      expect(await c.call("ACL", "LOAD")).toMatch(/^-ERR Error loading ACLs: .*users\.acl:2: Error in ACL SETUSER modifier '\+nosuch'|^-ERR Error loading ACLs: .*users\.acl:2: Unknown command or category name in ACL/);
      expect(await c.call("ACL", "USERS")).toBe("*3\r\n$7\r\ndefault\r\n$3\r\nops\r\n$6\r\nreader\r\n");
      writeFileSync(file, "user default on nopass ~* &* +@all\nuser ops on nopass ~* &* +@all\n");
      expect(await c.call("ACL", "LOAD")).toBe("+OK\r\n");
      await r.closedPromise; // reader was removed: its connection is closed
      expect(await c.call("ACL", "SETUSER", "new", "on", ">n", "+ping")).toBe("+OK\r\n");
      expect(await c.call("ACL", "SAVE")).toBe("+OK\r\n");
      const saved = readFileSync(file, "utf8");
      expect(saved).toContain("user new on #scrypt$");
      expect(saved).not.toContain(">n");
      c.close();
    } finally {
      await s.close();
    }
  });

  it("refuses to start with a broken ACL file, saying which line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "keycast-acl-"));
    const file = join(dir, "bad.acl");
    writeFileSync(file, "user a on +get\nnot a user line\n");
    await expect(startServer({ port: 0, aclfile: file })).rejects.toThrow(/bad\.acl:2 should start with user keyword/);
  });
});
