"""redis-py against a Redis-protocol server: strings, lists, sets, hashes, TTLs, pipelines and
MULTI/EXEC with WATCH, asserting real Redis 7 behaviour.

    /usr/bin/python3 test/python/redis_py_check.py PORT

test/redis-py.test.ts runs it against keycast and against a real redis-server: both must pass,
which proves the expectations below are Redis's and not keycast's. It prints one line per
check (the same lines against either server) and exits 1 if any check failed.
"""

import sys
import threading
import time
import traceback

import redis

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 6380
DB = 3  # not 0, so that SELECT on connect is exercised too

passed = 0
failed = 0


def check(label, got, expected):
    global passed, failed
    if got == expected:
        passed += 1
        print("ok   " + label)
    else:
        failed += 1
        print("FAIL %s: got %r, expected %r" % (label, got, expected))


def check_error(label, fn, expected_message, exc_type=redis.ResponseError):
    """fn must raise exc_type whose text is exactly expected_message (redis-py strips 'ERR ')."""
    try:
        got = fn()
    except exc_type as e:
        check(label, str(e), expected_message)
    except Exception as e:  # noqa: BLE001 - any other failure is a failed check
        check(label, "%s: %s" % (type(e).__name__, e), expected_message)
    else:
        check(label, "no error (returned %r)" % (got,), expected_message)


r = redis.Redis(host="127.0.0.1", port=PORT, db=DB, decode_responses=True, socket_timeout=10)
rb = redis.Redis(host="127.0.0.1", port=PORT, db=DB, socket_timeout=10)
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INT = "value is not an integer or out of range"


def connection():
    check("ping", r.ping(), True)
    check("echo", r.echo("hi there"), "hi there")
    check("client setname", r.client_setname("redis-py-check"), True)
    check("client getname", r.client_getname(), "redis-py-check")
    info = r.info()
    check("info redis_version is 7.x", str(info["redis_version"]).startswith("7."), True)
    check("info has connected_clients", info["connected_clients"] >= 1, True)
    check("config get databases", r.config_get("databases"), {"databases": "16"})
    check("flushdb", r.flushdb(), True)
    check("dbsize empty", r.dbsize(), 0)
    seconds, micros = r.time()
    check("time is now", abs(seconds + micros / 1e6 - time.time()) < 5, True)
    check_error("unknown command", lambda: r.execute_command("NOSUCH", "a"),
                "unknown command 'NOSUCH', with args beginning with: 'a' ")
    check_error("arity", lambda: r.execute_command("GET"), "wrong number of arguments for 'get' command")


def strings():
    check("set", r.set("s", "hello"), True)
    check("get", r.get("s"), "hello")
    check("get missing", r.get("missing"), None)
    check("set nx on existing", r.set("s", "x", nx=True), None)
    check("set xx on missing", r.set("nope", "x", xx=True), None)
    check("set get", r.set("s", "world", get=True), "hello")
    check("setnx", r.setnx("s", "x"), False)
    check("append", r.append("s", "!!"), 7)
    check("strlen", r.strlen("s"), 7)
    check("getrange", r.getrange("s", 0, 2), "wor")
    check("getrange negative", r.getrange("s", -3, -1), "d!!")
    check("setrange", r.setrange("s", 1, "OO"), 7)
    check("get after setrange", r.get("s"), "wOOld!!")
    check("setrange pads with zero bytes", rb.setrange("pad", 3, "x"), 4)
    check("zero bytes", rb.get("pad"), b"\x00\x00\x00x")
    check("getset", r.getset("s", "new"), "wOOld!!")
    check("getdel", r.getdel("s"), "new")
    check("getdel gone", r.exists("s"), 0)
    check("mset", r.mset({"a": "1", "b": "2", "c": "3"}), True)
    check("mget", r.mget("a", "missing", "c"), ["1", None, "3"])
    check("msetnx refused", r.msetnx({"a": "9", "z": "9"}), False)
    check("msetnx left z alone", r.exists("z"), 0)
    check("incr", r.incr("n"), 1)
    check("incrby", r.incrby("n", 41), 42)
    check("decr", r.decr("n"), 41)
    check("decrby", r.decrby("n", 50), -9)
    check("incrbyfloat", r.incrbyfloat("f", 10.5), 10.5)
    check("incrbyfloat text", r.incrbyfloat("f", 0.1), 10.6)
    check("incrbyfloat stored", r.get("f"), "10.6")
    check("incrbyfloat exponent", r.incrbyfloat("f", "5.0e3"), 5010.6)
    r.set("max", "9223372036854775807")
    check_error("incr overflow", lambda: r.incr("max"), "increment or decrement would overflow")
    check_error("incr non-integer", lambda: r.incr("f"), NOT_INT)
    check_error("incrbyfloat non-number", lambda: r.incrbyfloat("n", "abc"), "value is not a valid float")
    check_error("set syntax", lambda: r.execute_command("SET", "k", "v", "NX", "XX"), "syntax error")
    check_error("set bad expire", lambda: r.set("k", "v", ex=0), "invalid expire time in 'set' command")
    # Binary safety: bytes in, the same bytes out, for keys and values.
    blob = bytes(range(256)) * 4
    check("binary set", rb.set(b"\x00key\xff", blob), True)
    check("binary get", rb.get(b"\x00key\xff"), blob)
    check("binary strlen", rb.strlen(b"\x00key\xff"), 1024)
    check("crlf value", rb.set("crlf", b"a\r\nb") and rb.get("crlf"), b"a\r\nb")
    check("empty key", r.set("", "empty") and r.get(""), "empty")
    check("empty value", r.set("ev", "") and r.get("ev"), "")
    check("unicode value", r.set("u", "h\u00e9llo \u2603") and r.get("u"), "h\u00e9llo \u2603")
    check("unicode length is bytes", r.strlen("u"), 10)
    big = "x" * (1 << 20)
    check("1 MiB value", r.set("big", big) and r.get("big") == big, True)


def lists():
    check("rpush", r.rpush("l", "a", "b", "c"), 3)
    check("lpush", r.lpush("l", "z"), 4)
    check("lrange all", r.lrange("l", 0, -1), ["z", "a", "b", "c"])
    check("lrange negative", r.lrange("l", -2, 100), ["b", "c"])
    check("lrange empty", r.lrange("l", 5, 1), [])
    check("llen", r.llen("l"), 4)
    check("lindex", r.lindex("l", -1), "c")
    check("lindex out of range", r.lindex("l", 99), None)
    check("lset", r.lset("l", 0, "Z"), True)
    check_error("lset out of range", lambda: r.lset("l", 99, "x"), "index out of range")
    check_error("lset missing", lambda: r.lset("nolist", 0, "x"), "no such key")
    check("linsert", r.linsert("l", "before", "b", "ab"), 5)
    check("linsert no pivot", r.linsert("l", "after", "nope", "x"), -1)
    check("lpos", r.lpos("l", "b"), 3)
    check("lpos missing", r.lpos("l", "nope"), None)
    r.rpush("l", "a", "a")
    check("lpos count", r.lpos("l", "a", count=0), [1, 5, 6])
    check("lpos rank", r.lpos("l", "a", rank=-1), 6)
    check("lrem", r.lrem("l", -2, "a"), 2)
    check("lrange after lrem", r.lrange("l", 0, -1), ["Z", "a", "ab", "b", "c"])
    check("ltrim", r.ltrim("l", 1, -2), True)
    check("lrange after ltrim", r.lrange("l", 0, -1), ["a", "ab", "b"])
    check("lpop", r.lpop("l"), "a")
    check("rpop count", r.rpop("l", 5), ["b", "ab"])
    check("empty list removed", r.exists("l"), 0)
    check("lpop missing", r.lpop("l"), None)
    check("lpushx missing", r.lpushx("l", "x"), 0)
    r.rpush("src", "1", "2", "3")
    check("lmove", r.lmove("src", "dst", "LEFT", "RIGHT"), "1")
    check("rpoplpush", r.rpoplpush("src", "dst"), "3")
    check("dst", r.lrange("dst", 0, -1), ["3", "1"])
    check("rpushx", r.rpushx("dst", "4"), 3)
    r.set("str", "v")
    check_error("lpush on string", lambda: r.lpush("str", "x"), WRONGTYPE)
    check_error("lpop negative count", lambda: r.lpop("dst", -1), "value is out of range, must be positive")


def sets():
    check("sadd", r.sadd("s1", "a", "b", "c", "a"), 3)
    check("sadd existing", r.sadd("s1", "a"), 0)
    check("smembers", r.smembers("s1"), {"a", "b", "c"})
    check("sismember", r.sismember("s1", "a"), True)
    check("sismember missing", r.sismember("s1", "z"), False)
    check("smismember", r.smismember("s1", ["a", "z"]), [1, 0])
    check("scard", r.scard("s1"), 3)
    r.sadd("s2", "b", "c", "d")
    check("sinter", r.sinter("s1", "s2"), {"b", "c"})
    check("sunion", r.sunion("s1", "s2"), {"a", "b", "c", "d"})
    check("sdiff", r.sdiff("s1", "s2"), {"a"})
    check("sintercard", r.sintercard(2, ["s1", "s2"]), 2)
    check("sinterstore", r.sinterstore("s3", "s1", "s2"), 2)
    check("sinterstore empty result deletes", r.sinterstore("s3", "s1", "nosuch"), 0)
    check("s3 gone", r.exists("s3"), 0)
    check("sunionstore", r.sunionstore("s4", "s1", "s2"), 4)
    check("sdiffstore", r.sdiffstore("s5", "s2", "s1"), 1)
    check("smove", r.smove("s1", "s5", "a"), True)
    check("smove missing member", r.smove("s1", "s5", "zz"), False)
    check("srem", r.srem("s1", "b", "zz"), 1)
    check("srandmember", r.srandmember("s1"), "c")
    check("srandmember count", sorted(r.srandmember("s4", 10)), ["a", "b", "c", "d"])
    check("srandmember negative count", len(r.srandmember("s1", -5)), 5)
    check("spop last member", r.spop("s1"), "c")
    check("popped set removed", r.exists("s1"), 0)
    check("spop count", sorted(r.spop("s4", 10)), ["a", "b", "c", "d"])
    check("spop missing", r.spop("s4"), None)
    r.sadd("bigset", *[str(i) for i in range(300)])
    check("sscan_iter", sorted(r.sscan_iter("bigset", match="1?", count=20), key=int), [str(i) for i in range(10, 20)])
    check_error("sadd on string", lambda: r.sadd("str", "x"), WRONGTYPE)
    check("binary member", rb.sadd("bs", b"\x00\xff") and rb.smembers("bs"), {b"\x00\xff"})


def hashes():
    check("hset mapping", r.hset("h", mapping={"f1": "v1", "f2": "v2"}), 2)
    check("hset existing", r.hset("h", "f1", "v1b"), 0)
    check("hget", r.hget("h", "f1"), "v1b")
    check("hget missing", r.hget("h", "nope"), None)
    check("hgetall", r.hgetall("h"), {"f1": "v1b", "f2": "v2"})
    check("hgetall missing", r.hgetall("nohash"), {})
    check("hmget", r.hmget("h", "f1", "nope", "f2"), ["v1b", None, "v2"])
    check("hexists", r.hexists("h", "f2"), True)
    check("hlen", r.hlen("h"), 2)
    check("hstrlen", r.hstrlen("h", "f1"), 3)
    check("hkeys", sorted(r.hkeys("h")), ["f1", "f2"])
    check("hvals", sorted(r.hvals("h")), ["v1b", "v2"])
    check("hincrby", r.hincrby("h", "n", 5), 5)
    check("hincrby negative", r.hincrby("h", "n", -7), -2)
    check_error("hincrby on text", lambda: r.hincrby("h", "f1", 1), "hash value is not an integer")
    check("hincrbyfloat", r.hincrbyfloat("h", "x", 2.5), 2.5)
    check("hincrbyfloat text", r.hincrbyfloat("h", "x", 0.1), 2.6)
    check("hsetnx existing", r.hsetnx("h", "f1", "x"), False)
    check("hsetnx new", r.hsetnx("h", "f3", "x"), True)
    check("hdel", r.hdel("h", "f1", "nope"), 1)
    check("hrandfield count", sorted(r.hrandfield("h", 10)), ["f2", "f3", "n", "x"])
    check("hrandfield withvalues", len(r.hrandfield("h", -6, withvalues=True)), 12)
    check("hmset", r.execute_command("HMSET", "h2", "a", "1"), True)
    r.hset("bigh", mapping={"k%d" % i: str(i) for i in range(300)})
    got = dict(r.hscan_iter("bigh", match="k1?", count=20))
    check("hscan_iter", got, {"k%d" % i: str(i) for i in range(10, 20)})
    check("hdel last field removes the hash", r.hdel("h2", "a") and r.exists("h2"), 0)
    check_error("hget on list", lambda: r.hget("dst", "f"), WRONGTYPE)
    check("binary field", rb.hset("bh", b"\xff\x00", b"\x01\x02") and rb.hgetall("bh"), {b"\xff\x00": b"\x01\x02"})


def keys_and_ttls():
    r.flushdb()
    r.set("k1", "v")
    check("ttl no expiry", r.ttl("k1"), -1)
    check("ttl missing", r.ttl("nope"), -2)
    check("pttl missing", r.pttl("nope"), -2)
    check("expire", r.expire("k1", 100), True)
    check("ttl", r.ttl("k1"), 100)
    check("pttl", 99000 < r.pttl("k1") <= 100000, True)
    check("expiretime", abs(r.expiretime("k1") - (time.time() + 100)) < 3, True)
    check("expire nx refused", r.expire("k1", 50, nx=True), False)
    check("expire gt refused", r.expire("k1", 50, gt=True), False)
    check("expire lt", r.expire("k1", 50, lt=True), True)
    check("persist", r.persist("k1"), True)
    check("persist again", r.persist("k1"), False)
    check("expire missing", r.expire("nope", 10), False)
    check("setex", r.setex("k2", 30, "v"), True)
    check("setex ttl", r.ttl("k2"), 30)
    check("psetex", r.psetex("k3", 30000, "v"), True)
    check("set keepttl", r.set("k2", "w", keepttl=True) and r.ttl("k2"), 30)
    check("set drops ttl", r.set("k2", "x") and r.ttl("k2"), -1)
    check("getex ex", r.getex("k2", ex=70) and r.ttl("k2"), 70)
    check("getex persist", r.getex("k2", persist=True) and r.ttl("k2"), -1)
    check("expireat past deletes", r.expireat("k3", 1) and r.exists("k3"), 0)
    check_error("expire bad value", lambda: r.expire("k1", "abc"), NOT_INT)
    # Expiry for real: the key is gone shortly after its deadline.
    r.set("short", "v", px=50)
    r.rpush("shortlist", "a")
    r.pexpire("shortlist", 50)
    check("alive before deadline", r.exists("short", "shortlist"), 2)
    time.sleep(0.2)
    check("expired string", r.get("short"), None)
    check("expired list", r.lrange("shortlist", 0, -1), [])
    check("expired ttl", r.ttl("short"), -2)
    r.mset({"user:1": "a", "user:2": "b", "other": "c"})
    check("keys pattern", sorted(r.keys("user:*")), ["user:1", "user:2"])
    check("scan_iter", sorted(r.scan_iter(match="user:*", count=2)), ["user:1", "user:2"])
    check("exists counts", r.exists("user:1", "user:1", "nope"), 2)
    check("type string", r.type("user:1"), "string")
    r.rpush("alist", "x")
    check("type list", r.type("alist"), "list")
    check("type missing", r.type("nope"), "none")
    check("rename", r.rename("user:1", "user:9"), True)
    check_error("rename missing", lambda: r.rename("nope", "x"), "no such key")
    check("renamenx refused", r.renamenx("user:9", "user:2"), False)
    check("copy", r.copy("user:9", "copy"), True)
    check("copy refused", r.copy("user:9", "copy"), False)
    check("copy replace", r.copy("user:2", "copy", replace=True) and r.get("copy"), "b")
    check("delete", r.delete("user:9", "user:2", "nope"), 2)
    check("unlink", r.unlink("copy"), 1)
    check("dbsize", r.dbsize(), 4)  # k1 k2 other alist
    # SELECT: another db is another keyspace.
    other = redis.Redis(host="127.0.0.1", port=PORT, db=DB + 1, decode_responses=True)
    other.flushdb()
    check("other db empty", other.get("other"), None)
    other.set("other", "in db+1")
    check("own db untouched", r.get("other"), "c")
    check("swapdb", r.swapdb(DB, DB + 1), True)
    check("swapped", r.get("other"), "in db+1")
    r.swapdb(DB, DB + 1)
    other.close()


def pipelines():
    r.flushdb()
    pipe = r.pipeline(transaction=False)
    pipe.set("p", "1").incr("p").get("p").lpush("pl", "a", "b").lrange("pl", 0, -1).hset("ph", "f", "v").hgetall("ph")
    check("pipeline replies", pipe.execute(), [True, 2, "2", 2, ["b", "a"], 1, {"f": "v"}])
    pipe = r.pipeline(transaction=False)
    pipe.set("q", "text").incr("q").get("q")
    results = pipe.execute(raise_on_error=False)
    check("pipeline keeps going after an error", (results[0], str(results[1]), results[2]), (True, NOT_INT, "text"))
    # A long pipeline: replies in order.
    pipe = r.pipeline(transaction=False)
    for i in range(5000):
        pipe.rpush("long", str(i))
    check("long pipeline", pipe.execute()[-1], 5000)
    check("long pipeline order", r.lrange("long", 4997, -1), ["4997", "4998", "4999"])

    pipe = r.pipeline(transaction=True)
    pipe.set("t", "1").incr("t").sadd("ts", "a", "b").scard("ts").expire("t", 60).ttl("t")
    check("transaction replies", pipe.execute(), [True, 2, 2, 2, True, 60])
    # An error while executing does not roll back the rest (Redis has no rollback).
    pipe = r.pipeline(transaction=True)
    pipe.set("t2", "x").incr("t2").set("t3", "y")
    results = pipe.execute(raise_on_error=False)
    check("exec runtime error", (results[0], str(results[1]), results[2]), (True, NOT_INT, True))
    check("no rollback", r.mget("t2", "t3"), ["x", "y"])
    # An error while queueing aborts the whole transaction.
    pipe = r.pipeline(transaction=True)
    pipe.set("t4", "x").execute_command("SET", "t5")
    try:
        pipe.execute()
        check("execabort", "no error", "ResponseError")
    except redis.ResponseError as e:
        check("execabort", "wrong number of arguments for 'set' command" in str(e), True)
    check("aborted transaction did nothing", r.exists("t4"), 0)


def watch_multi_exec():
    r.flushdb()
    r.set("balance", "100")
    other = redis.Redis(host="127.0.0.1", port=PORT, db=DB, decode_responses=True)
    # Untouched watched key: EXEC runs.
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        pipe.multi()
        pipe.set("balance", current - 10)
        check("watch, no change: exec runs", pipe.execute(), [True])
    check("balance after exec", r.get("balance"), "90")
    # Touched by another connection between WATCH and EXEC: WatchError, nothing written.
    with r.pipeline() as pipe:
        pipe.watch("balance")
        current = int(pipe.get("balance"))
        other.set("balance", "500")
        pipe.multi()
        pipe.set("balance", current - 10)
        try:
            pipe.execute()
            check("watch, changed: WatchError", "no error", "WatchError")
        except redis.WatchError:
            check("watch, changed: WatchError", "WatchError", "WatchError")
    check("balance kept the other write", r.get("balance"), "500")
    # Expiry of a watched key counts as a change too.
    r.set("lease", "x", px=50)
    with r.pipeline() as pipe:
        pipe.watch("lease")
        time.sleep(0.2)
        pipe.multi()
        pipe.set("lease", "mine")
        try:
            pipe.execute()
            check("watched key expired: WatchError", "no error", "WatchError")
        except redis.WatchError:
            check("watched key expired: WatchError", "WatchError", "WatchError")
    # unwatch (reset) forgets the watch.
    with r.pipeline() as pipe:
        pipe.watch("balance")
        other.set("balance", "600")
        pipe.unwatch()
        pipe.multi()
        pipe.incr("balance")
        check("unwatch: exec runs", pipe.execute(), [601])

    # The optimistic-locking retry loop, with contention from other threads.
    r.set("counter", "0")

    def increment(pipe):
        value = int(pipe.get("counter"))
        pipe.multi()
        pipe.set("counter", value + 1)

    def worker():
        client = redis.Redis(host="127.0.0.1", port=PORT, db=DB, decode_responses=True)
        for _ in range(50):
            client.transaction(increment, "counter")
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check("transaction() retries to a consistent count", r.get("counter"), "200")
    other.close()


for section in (connection, strings, lists, sets, hashes, keys_and_ttls, pipelines, watch_multi_exec):
    print("# " + section.__name__)
    try:
        section()
    except Exception:  # noqa: BLE001 - report and go on with the next section
        failed += 1
        print("FAIL %s raised:" % section.__name__)
        traceback.print_exc(file=sys.stdout)
        if section is connection:
            sys.exit(2)  # nothing else can work

r.flushdb()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
