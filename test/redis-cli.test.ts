// Real Redis tools against keycast: a scripted redis-cli session whose output must match, line
// for line, the same session against a real redis-server; and redis-benchmark completing
// without errors.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lookupCommand } from "../server/dispatch.js";
import { startServer, type RunningServer } from "../server/index.js";
import { startRedisServer, type RedisServer } from "./redis-server.js";

/** Commands of every data type, with their error cases; nothing whose output order or timing Redis leaves open. */
const SESSION = `
FLUSHALL
PING
ECHO "hello world"
SET greeting hello
GET greeting
SET greeting world XX GET
GET missing
SETNX greeting x
APPEND greeting !!
STRLEN greeting
GETRANGE greeting 0 2
SETRANGE greeting 1 ZZ
GET greeting
INCR counter
INCRBY counter 10
DECR counter
DECRBY counter 3
INCRBYFLOAT counter 1.5
INCRBYFLOAT counter -0.25
INCR greeting
INCRBY counter x
MSET a 1 b 2 c 3
MGET a b missing c
MSETNX a 9 z 9
GETSET a 10
GETDEL a
EXISTS a b c
DEL b c missing
SET ttl v EX 100
TTL ttl
PTTL missing
TTL greeting
EXPIRE greeting 50
TTL greeting
EXPIRE greeting 50 NX
PERSIST greeting
TTL greeting
SET past v
EXPIRE past -1
EXISTS past
TYPE greeting
TYPE missing
RENAME greeting salute
RENAME missing other
RENAMENX salute ttl
GET salute
SETEX tmp 10 v
GETEX tmp PERSIST
TTL tmp
PSETEX tmp2 100000 v
SET k v EX 0
SET k v NX XX
SET k v EX notanumber
SETEX k -1 v
GET
SET k
NOSUCHCMD a b
LPUSH list a b c
RPUSH list d e
LRANGE list 0 -1
LRANGE list -2 100
LRANGE list 5 1
LLEN list
LPOP list
RPOP list 2
LPOP missing
LPOP list 0
LINDEX list 1
LINDEX list 99
LSET list 0 z
LSET list 99 z
LSET missing 0 z
LRANGE list 0 -1
LPUSH list z z
LREM list 2 z
LINSERT list BEFORE a x
LINSERT list AFTER nope y
LRANGE list 0 -1
LPOS list a
LTRIM list 0 1
LRANGE list 0 -1
LMOVE list other LEFT RIGHT
LRANGE other 0 -1
RPOPLPUSH other list
LPUSHX missing a
RPUSHX list tail
LRANGE list 0 -1
LPUSH salute a
TYPE list
GET list
LPOP list -1
SADD set a b c
SADD set a
SCARD set
SISMEMBER set a
SISMEMBER set z
SMISMEMBER set a z
SREM set a z
SCARD set
SADD single only
SMEMBERS single
SINTER set single
SINTERCARD 2 set single
SUNIONSTORE dest single
SMEMBERS dest
SDIFFSTORE dest2 single single
EXISTS dest2
SMOVE single set only
SCARD set
EXISTS single
SPOP missing
SRANDMEMBER missing
SADD list x
HSET hash f1 v1 f2 v2
HSET hash f1 v1b
HGET hash f1
HGET hash nope
HGETALL hash
HMGET hash f1 nope f2
HDEL hash f1 nope
HEXISTS hash f2
HLEN hash
HSTRLEN hash f2
HINCRBY hash n 5
HINCRBY hash f2 1
HINCRBYFLOAT hash x 2.5
HKEYS hash
HVALS hash
HSETNX hash f2 other
HSETNX hash f3 other
HGETALL hash
HSET hash f1
HGETALL missing
TYPE hash
DBSIZE
SELECT 1
DBSIZE
SET in1 v
SELECT 0
EXISTS in1
SWAPDB 0 1
EXISTS in1
SWAPDB 0 1
MULTI
INCR counter2
GET counter2
LPUSH counter2 x
EXEC
MULTI
SET x 1
NOSUCH
EXEC
EXEC
DISCARD
WATCH counter2
UNWATCH
CONFIG GET databases
CONFIG SET nosuch 1
CLIENT SETNAME cli-test
CLIENT GETNAME
COMMAND GETKEYS SET a b
COMMAND GETKEYS MSET a 1 b 2
DEL hash list set other dest counter counter2 ttl tmp tmp2 salute z
FLUSHDB
DBSIZE
`;

function runCli(port: number, script: string, resp3: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const args = ["-p", String(port), "--no-raw", ...(resp3 ? ["-3"] : [])];
    const child = execFile("redis-cli", args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    child.stdin!.end(script);
  });
}

let keycast: RunningServer;
let redis: RedisServer;
const lines = SESSION.trim().split("\n");
/** Lines whose command keycast does not have yet (other types still being written): left out, and listed. */
const unsupported = lines.filter((l) => {
  const name = l.split(" ")[0]!;
  return name !== "NOSUCHCMD" && name !== "NOSUCH" && lookupCommand(name) === undefined;
});
const script = `${lines.filter((l) => !unsupported.includes(l)).join("\n")}\n`;

beforeAll(async () => {
  [keycast, redis] = await Promise.all([startServer({ port: 0 }), startRedisServer()]);
});
afterAll(async () => {
  await Promise.all([keycast?.close(), redis?.stop()]);
});

describe("redis-cli", () => {
  it("knows every command of the session", () => {
    expect(unsupported).toEqual([]);
  });

  for (const resp3 of [false, true]) {
    it(`prints the same as against redis-server (${resp3 ? "RESP3" : "RESP2"})`, async () => {
      const [ours, theirs] = await Promise.all([runCli(keycast.respPort!, script, resp3), runCli(redis.port, script, resp3)]);
      const a = ours.split("\n");
      const b = theirs.split("\n");
      expect(b.length).toBeGreaterThan(lines.length);
      expect(a).toEqual(b);
    });
  }
});

describe("redis-benchmark", () => {
  it("completes every test with no errors", async () => {
    const tests = "set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,lrange_100,mset";
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        "redis-benchmark",
        ["-p", String(keycast.respPort), "-t", tests, "-n", "20000", "-q"],
        { timeout: 120_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout + stderr)),
      );
    });
    const text = out.replace(/\r/g, "\n");
    expect(text).not.toMatch(/error|ERR|WARNING/i);
    for (const name of ["SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "LRANGE_100 \\(first 100 elements\\)", "MSET \\(10 keys\\)"]) {
      expect(text).toMatch(new RegExp(`^${name}: [\\d.]+ requests per second`, "m"));
    }
  }, 150_000);
});
