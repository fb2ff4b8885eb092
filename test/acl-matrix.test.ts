// The permission matrix, against a real redis-server: every command of the table, for a user
// of each ACL category, and for key patterns by read and write, must be allowed or denied
// exactly as Redis 7 decides (ACL DRYRUN on both). Then the same decisions through both
// transports, and watches and subscriptions by key and channel pattern.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, ReplyError, type KeycastClient } from "../client/node.js";
import { startServer, type RunningServer } from "../server/index.js";
import { allCommands, type Entry } from "../server/dispatch.js";
import { CATEGORIES } from "../server/acl/categories.js";
import { RawClient, startRedisServer, type RedisServer } from "./redis-server.js";

let server: RunningServer;
let redis: RedisServer;
let mine: RawClient;
let theirs: RawClient;

beforeAll(async () => {
  server = await startServer({ port: 0 });
  redis = await startRedisServer();
  mine = await RawClient.connect(server.respPort!);
  theirs = await RawClient.connect(redis.port);
});

afterAll(async () => {
  mine.close();
  theirs.close();
  await server.close();
  await redis.stop();
});

/** Every command and subcommand with a plausible argv of its arity; keys named by `key`. */
function samples(key: (i: number) => string): { entry: Entry; argv: string[] }[] {
  const out: { entry: Entry; argv: string[] }[] = [];
  const add = (e: Entry, prefix: string[]) => {
    const n = Math.abs(e.spec.arity);
    const argv = [...prefix];
    while (argv.length < n) argv.push(key(argv.length));
    // Commands taking key/value pairs or a numkeys need a well-formed tail.
    if (e.lower === "mset" || e.lower === "msetnx") argv.push(key(3));
    if (e.lower === "sintercard") argv.splice(1, argv.length - 1, "1", key(2));
    out.push({ entry: e, argv });
  };
  for (const e of allCommands()) {
    if (e.subs === null) add(e, [e.spec.name]);
    else for (const [name, sub] of e.subs) if (name !== "help") add(sub, [e.spec.name, name.toUpperCase()]);
  }
  return out;
}

async function dryrun(c: RawClient, user: string, argv: string[]): Promise<"allowed" | "denied" | "unknown"> {
  const r = await c.call("ACL", "DRYRUN", user, ...argv);
  if (r === "+OK\r\n") return "allowed";
  if (r.startsWith("-ERR Command") || r.startsWith("-ERR wrong number") || r.startsWith("-ERR Unknown")) return "unknown";
  if (r.startsWith("-")) throw new Error(`${argv.join(" ")}: ${r}`);
  return "denied";
}

async function setBoth(...args: string[]): Promise<void> {
  expect(await mine.call("ACL", "SETUSER", ...args)).toBe("+OK\r\n");
  expect(await theirs.call("ACL", "SETUSER", ...args)).toBe("+OK\r\n");
}

describe("against redis-server, by ACL DRYRUN", () => {
  it("every command category: allowed exactly when Redis allows it", async () => {
    const cases = samples((i) => `k${i}`);
    const mismatches: string[] = [];
    let compared = 0;
    for (const cat of CATEGORIES) {
      const user = `cat_${cat}`;
      await setBoth(user, "reset", "on", "nopass", `+@${cat}`, "~*", "&*");
      for (const { argv } of cases) {
        const r = await dryrun(theirs, user, argv);
        if (r === "unknown") continue;
        const m = await dryrun(mine, user, argv);
        compared++;
        if (m !== r) mismatches.push(`@${cat} ${argv.join(" ")}: keycast ${m}, redis ${r}`);
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(mismatches).toEqual([]);
  });

  it("+@all minus a category, single commands and subcommands", async () => {
    const cases = samples((i) => `k${i}`);
    await setBoth("minus", "reset", "on", "nopass", "+@all", "-@dangerous", "-@write", "+set", "-get", "+config|get", "-client|kill", "~*", "&*");
    const mismatches: string[] = [];
    for (const { argv } of cases) {
      const r = await dryrun(theirs, "minus", argv);
      if (r === "unknown") continue;
      const m = await dryrun(mine, "minus", argv);
      if (m !== r) mismatches.push(`${argv.join(" ")}: keycast ${m}, redis ${r}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("key patterns by read and write: every command with keys, on readable, writable, both and other keys", async () => {
    await setBoth("keys", "reset", "on", "nopass", "+@all", "%R~r*", "%W~w*", "~b*", "&*");
    const mismatches: string[] = [];
    for (const prefix of ["r", "w", "b", "x"]) {
      for (const { entry, argv } of samples((i) => `${prefix}${i}`)) {
        if (entry.spec.keys === null && entry.lower !== "sintercard") continue;
        const r = await dryrun(theirs, "keys", argv);
        if (r === "unknown") continue;
        const m = await dryrun(mine, "keys", argv);
        if (m !== r) mismatches.push(`${argv.join(" ")}: keycast ${m}, redis ${r}`);
      }
    }
    // SET with GET reads the key: Redis's variable key flags.
    for (const k of ["r1", "w1", "b1"]) {
      const argv = ["SET", k, "v", "GET"];
      expect(await dryrun(mine, "keys", argv), argv.join(" ")).toBe(await dryrun(theirs, "keys", argv));
    }
    expect(mismatches).toEqual([]);
  });

  it("channel patterns: PUBLISH and SUBSCRIBE by glob, PSUBSCRIBE literally", async () => {
    await setBoth("chan", "reset", "on", "nopass", "+@all", "~*", "&news.*", "&chat:[ab]");
    const cases = [
      ["PUBLISH", "news.1", "m"],
      ["PUBLISH", "sport", "m"],
      ["PUBLISH", "chat:a", "m"],
      ["PUBLISH", "chat:c", "m"],
      ["SUBSCRIBE", "news.x", "chat:b"],
      ["SUBSCRIBE", "news.x", "other"],
      ["PSUBSCRIBE", "news.*"],
      ["PSUBSCRIBE", "news.x*"],
      ["PSUBSCRIBE", "chat:[ab]"],
    ];
    for (const argv of cases) expect(await dryrun(mine, "chan", argv), argv.join(" ")).toBe(await dryrun(theirs, "chan", argv));
  });
});

describe("the same decisions over RESP and WebSocket", () => {
  let kc: KeycastClient;
  beforeAll(async () => {
    await mine.call("ACL", "SETUSER", "both", "reset", "on", ">pw", "+@read", "+@string", "-@dangerous", "+subscribe", "%R~r:*", "~s:*", "&ok.*");
    kc = await connect(server.url, { auth: { user: "both", password: "pw" } });
  });
  afterAll(() => kc.close());

  it("each category's commands: allowed, denied by command, denied by key", async () => {
    const resp = await RawClient.connect(server.respPort!);
    expect(await resp.call("AUTH", "both", "pw")).toBe("+OK\r\n");
    const cases: [string[], string | null][] = [
      [["GET", "r:1"], null],
      [["SET", "s:1", "v"], null],
      [["SET", "r:1", "v"], "NOPERM No permissions to access a key"],
      [["LPUSH", "s:l", "a"], "NOPERM User both has no permissions to run the 'lpush' command"],
      [["LRANGE", "r:l", "0", "-1"], null],
      [["HGETALL", "x"], "NOPERM No permissions to access a key"],
      [["KEYS", "*"], "NOPERM User both has no permissions to run the 'keys' command"],
      [["FLUSHALL"], "NOPERM User both has no permissions to run the 'flushall' command"],
      [["PUBLISH", "ok.1", "m"], "NOPERM User both has no permissions to run the 'publish' command"],
      [["SMEMBERS", "r:set"], null],
    ];
    for (const [argv, error] of cases) {
      const r = await resp.call(...argv);
      const w = await kc.call(...argv).then(
        () => null,
        (e: ReplyError) => e.message,
      );
      expect(w, argv.join(" ")).toBe(error);
      if (error === null) expect(r.startsWith("-"), argv.join(" ")).toBe(false);
      else expect(r, argv.join(" ")).toBe(`-${error}\r\n`);
    }
    resp.close();
  });

  it("watching: an exact key needs read permission; a pattern delivers only readable keys, snapshot included", async () => {
    const writer = await RawClient.connect(server.respPort!);
    await writer.call("FLUSHALL");
    await writer.call("SET", "r:seen", "1");
    await writer.call("SET", "s:seen", "1");
    await writer.call("SET", "x:hidden", "1");
    await expect(kc.watch("x:hidden", () => {})).rejects.toThrow(new ReplyError("NOPERM No permissions to access a key"));
    const got: string[] = [];
    const snapshot: string[] = [];
    const w = await kc.watch(
      "*",
      (m) => {
        if (m.type === "snapshot") snapshot.push(String(m.key));
        if (m.type === "event") got.push(String(m.key));
      },
      { snapshot: true },
    );
    expect(snapshot.sort()).toEqual(["r:seen", "s:seen"]);
    await writer.call("SET", "x:hidden", "2");
    await writer.call("SET", "r:seen", "2");
    await writer.call("SET", "s:seen", "2");
    await writer.call("SET", "x:hidden", "3");
    await writer.call("SET", "r:last", "1");
    await expect.poll(() => got.length).toBe(3);
    expect(got).toEqual(["r:seen", "s:seen", "r:last"]);
    // A pattern the user's read pattern covers is not checked per event, and still correct.
    const covered: string[] = [];
    const w2 = await kc.watch("r:*", (m) => m.type === "event" && covered.push(String(m.key)));
    await writer.call("SET", "r:x", "1");
    await expect.poll(() => covered).toEqual(["r:x"]);
    await w.unwatch();
    await w2.unwatch();
    writer.close();
  });

  it("subscriptions: channels by glob, patterns literally; PUBLISH from another user arrives", async () => {
    await expect(kc.subscribe("other", () => {})).rejects.toThrow(new ReplyError("NOPERM No permissions to access a channel"));
    await expect(kc.psubscribe("ok.x*", () => {})).rejects.toThrow(new ReplyError("NOPERM No permissions to access a channel"));
    const got: string[] = [];
    const sub = await kc.subscribe("ok.1", (m) => got.push(m));
    await mine.call("PUBLISH", "ok.1", "hello");
    await expect.poll(() => got).toEqual(["hello"]);
    await sub.unsubscribe();
  });
});
