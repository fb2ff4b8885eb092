// Differential test of the sorted set commands against redis-server 7.0: hand-written edge
// cases (every option and its error, inf and -0, equal scores, lex ranges on binary members,
// huge LIMITs, WEIGHTS with inf), in RESP2 and RESP3, with the keyspace notifications
// compared; then random sequences of sorted set commands mixed with other types' commands.
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { ALL_DIFFERENCES, bytes, cmd, differential, FUZZ_RUNS, FUZZ_SEED, many, one, opt, registerModes, registerReads, script } from "./differential/harness.js";

registerReads({ zset: (k) => ["ZRANGE", k, "0", "-1", "WITHSCORES"] });
registerModes({
  // Random picks: compared by shape (a count that takes the whole set is compared as a set of pairs).
  ZRANDMEMBER: "shape",
  ZSCAN: "scanpage",
});

const d = differential();

const CASES: Record<string, string> = {
  "ZADD: options, their conflicts, and what each reply counts": `
    ZADD z 1 a 2 b 3 c
    ZADD z NX 10 a 4 d
    ZADD z XX 20 a 5 e
    ZADD z XX CH 21 a 5 e
    ZADD z CH 1 a 2 b 9 f
    ZADD z GT 0 a 30 b
    ZADD z GT CH 0 a 30 b
    ZADD z LT CH 100 c 0 c
    ZADD z XX GT CH 50 a 50 nope
    ZADD z LT 1 newmember
    ZADD z NX XX 1 a
    ZADD z GT LT 1 a
    ZADD z NX GT 1 a
    ZADD z NX LT 1 a
    ZADD z nx xx 1 a
    ZADD z INCR 1 a 2 b
    ZADD z 1
    ZADD z 1 a 2
    ZADD z NX
    ZADD z x a
    ZADD z 1 a x b
    ZADD z nan a
    ZADD z 1e400 a
    ZADD z 1e-400 a
    ZADD z " 1" a
    ZADD z "1 " a
    ZADD z "" a
    ZADD z 0x10 hex
    ZADD z 1e-310 tiny
    ZADD z CH CH 3 a
    ZADD z FOO 1 a
    ZADD missing XX 1 a
    EXISTS missing
    ZRANGE z 0 -1 WITHSCORES
  `,
  "ZADD INCR and ZINCRBY: new scores, NaN, inf, GT/LT/NX/XX with INCR": `
    ZADD z INCR 5 a
    ZADD z INCR -2.5 a
    ZADD z NX INCR 1 a
    ZADD z XX INCR 1 nope
    ZADD z GT INCR -1 a
    ZADD z LT INCR -1 a
    ZADD z INCR 0 a
    ZINCRBY z 1 a
    ZINCRBY z 0.1 a
    ZINCRBY z inf b
    ZINCRBY z -inf b
    ZINCRBY z +inf b
    ZADD z INCR -inf b
    ZINCRBY z x a
    ZINCRBY z nx a
    ZINCRBY z nan a
    ZINCRBY missing 3 m
    ZRANGE z 0 -1 WITHSCORES
    ZINCRBY missing2 -0 m
    ZSCORE missing2 m
  `,
  "scores: printing of 0.1, -0, 1e300, 3.0, inf, denormals, big integers": `
    ZADD z 0.1 a -0 b 1e300 c 3.0 d inf e -inf f 1e-310 g 123456789012345678 h 2.5e-5 i -1.5e20 j
    ZSCORE z a
    ZSCORE z b
    ZSCORE z c
    ZSCORE z d
    ZSCORE z e
    ZSCORE z g
    ZSCORE z h
    ZMSCORE z a b nope f i j
    ZRANGE z 0 -1 WITHSCORES
    ZSCAN z 0
    ZINCRBY z 0.2 a
  `,
  "-0 in a listpack and in a skiplist": `
    ZADD small -0 a
    ZSCORE small a
    OBJECT ENCODING small
    CONFIG SET zset-max-listpack-entries 0
    ZADD big -0 a
    ZSCORE big a
    OBJECT ENCODING big
    ZADD big 0 a
    ZSCORE big a
    ZSCAN big 0
    ZUNIONSTORE u 1 big
    OBJECT ENCODING u
    ZSCORE u a
    CONFIG SET zset-max-listpack-entries 128
    ZUNIONSTORE u2 1 big
    OBJECT ENCODING u2
    ZSCORE u2 a
    ZUNION 1 big WITHSCORES
    ZUNION 1 small WEIGHTS -1 WITHSCORES
  `,
  "ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK": `
    ZADD z 1 a 2 b 3 c 3 d
    ZRANK z a
    ZRANK z d
    ZREVRANK z a
    ZREVRANK z d
    ZRANK z nope
    ZREVRANK nokey a
    ZCARD z
    ZCARD nokey
    ZSCORE nokey a
    ZMSCORE nokey a b
    ZREM z a nope a
    ZREM z nope
    ZREM nokey a
    ZREM z b c d
    EXISTS z
    SET s v
    ZREM s a
    ZCARD s
    ZSCORE s a
    ZRANK s a
    ZADD s 1 a
    ZMSCORE s a
  `,
  "equal scores order by member bytes": `
    ZADD z 1 b 1 a 1 "\\xff" 1 "\\x00" 1 "" 1 ab 1 A 1 "a\\x00" 0 z
    ZRANGE z 0 -1
    ZRANGE z 0 -1 REV
    ZRANK z "\\xff"
    ZRANK z ""
    ZRANGEBYSCORE z 1 1
  `,
  "ZRANGE by rank: negative and out-of-range indexes, REV, WITHSCORES": `
    ZADD z 1 a 2 b 3 c 4 d 5 e
    ZRANGE z 0 -1
    ZRANGE z -2 -1 WITHSCORES
    ZRANGE z -100 100
    ZRANGE z 3 1
    ZRANGE z 5 10
    ZRANGE z 0 0 REV
    ZRANGE z 1 3 REV WITHSCORES
    ZRANGE z 0 9223372036854775807
    ZRANGE z -9223372036854775808 1
    ZRANGE z 0 9223372036854775808
    ZRANGE z a 1
    ZRANGE z 0 1.5
    ZREVRANGE z 0 1
    ZREVRANGE z 0 1 WITHSCORES
    ZREVRANGE z 0 1 withscores
    ZREVRANGE z 0 1 REV
    ZREVRANGE z 0 1 LIMIT 0 1
    ZRANGE z 0 1 LIMIT 0 1
    ZRANGE z 0 1 FOO
    ZRANGE nokey 0 -1
    ZRANGE nokey 0 -1 WITHSCORES
  `,
  "ZRANGE BYSCORE: bounds, exclusive, inf, LIMIT, REV": `
    ZADD z 1 a 2 b 2 bb 3 c 4 d -inf m inf p
    ZRANGE z 2 3 BYSCORE
    ZRANGE z (2 3 BYSCORE
    ZRANGE z 2 (3 BYSCORE WITHSCORES
    ZRANGE z (2 (2 BYSCORE
    ZRANGE z 2 2 BYSCORE
    ZRANGE z 3 2 BYSCORE
    ZRANGE z -inf +inf BYSCORE
    ZRANGE z (-inf (+inf BYSCORE
    ZRANGE z -INF INF BYSCORE
    ZRANGE z 3 2 BYSCORE REV
    ZRANGE z +inf -inf BYSCORE REV WITHSCORES LIMIT 1 3
    ZRANGE z -inf +inf BYSCORE LIMIT 0 0
    ZRANGE z -inf +inf BYSCORE LIMIT 0 -1
    ZRANGE z -inf +inf BYSCORE LIMIT -1 2
    ZRANGE z -inf +inf BYSCORE LIMIT 2 -5
    ZRANGE z -inf +inf BYSCORE LIMIT 7 1
    ZRANGE z -inf +inf BYSCORE LIMIT 6 100
    ZRANGE z -inf +inf BYSCORE LIMIT 9223372036854775807 9223372036854775807
    ZRANGE z -inf +inf BYSCORE LIMIT 1 9223372036854775807
    ZRANGE z -inf +inf BYSCORE LIMIT 1
    ZRANGE z -inf +inf BYSCORE LIMIT a 1
    ZRANGE z -inf +inf BYSCORE LIMIT 1 a
    ZRANGE z x 1 BYSCORE
    ZRANGE z nan 1 BYSCORE
    ZRANGE z ( 1 BYSCORE
    ZRANGE z "" 1 BYSCORE
    ZRANGE z " 1" "( 3" BYSCORE
    ZRANGE z 1e400 -1e400 BYSCORE REV
    ZRANGE z 0x1 0x3 BYSCORE
    ZRANGE z 1 2 BYSCORE BYSCORE
    ZRANGE z 1 2 BYSCORE BYLEX
    ZRANGE z 1 2 REV REV BYSCORE
    ZRANGEBYSCORE z 1 3
    ZRANGEBYSCORE z 1 3 WITHSCORES LIMIT 1 1
    ZRANGEBYSCORE z 1 3 REV
    ZRANGEBYSCORE z 1 3 BYSCORE
    ZREVRANGEBYSCORE z 3 1
    ZREVRANGEBYSCORE z 1 3
    ZREVRANGEBYSCORE z (3 (1 WITHSCORES
    ZREVRANGEBYSCORE z +inf -inf LIMIT 2 2
    ZRANGEBYSCORE nokey 1 3
    ZRANGEBYSCORE z 1 3 WITHSCORES WITHSCORES
  `,
  "ZRANGE BYLEX and ZRANGEBYLEX on binary members": `
    ZADD z 0 a 0 b 0 c 0 "\\x00" 0 "\\xff" 0 "" 0 ab 0 "a\\x00" 0 "b\\xff"
    ZRANGE z - + BYLEX
    ZRANGE z + - BYLEX REV
    ZRANGE z [a [b BYLEX
    ZRANGE z (a (b BYLEX
    ZRANGE z [a (b BYLEX
    ZRANGE z "[\\x00" "[\\xff" BYLEX
    ZRANGE z "(\\xff" + BYLEX
    ZRANGE z - "(\\x00" BYLEX
    ZRANGE z [ [ BYLEX
    ZRANGE z ( [a BYLEX
    ZRANGE z [b [a BYLEX
    ZRANGE z + + BYLEX
    ZRANGE z - - BYLEX
    ZRANGE z - + BYLEX LIMIT 2 3
    ZRANGE z + - BYLEX REV LIMIT 1 2
    ZRANGE z - + BYLEX LIMIT -1 2
    ZRANGE z - + BYLEX WITHSCORES
    ZRANGE z a b BYLEX
    ZRANGE z - b BYLEX
    ZRANGE z "" + BYLEX
    ZRANGE z +a + BYLEX
    ZRANGE z -- + BYLEX
    ZRANGEBYLEX z [a +
    ZRANGEBYLEX z [a + LIMIT 0 2
    ZRANGEBYLEX z [a + WITHSCORES
    ZRANGEBYLEX z [a + REV
    ZREVRANGEBYLEX z + [a
    ZREVRANGEBYLEX z + [a LIMIT 1 1
    ZREVRANGEBYLEX z [a +
    ZLEXCOUNT z - +
    ZLEXCOUNT z [a [b
    ZLEXCOUNT z (a (a
    ZLEXCOUNT z x y
    ZLEXCOUNT nokey - +
    ZRANGEBYLEX nokey - +
  `,
  "lex ranges on members of different scores (a listpack walks from its ends)": `
    ZADD z 1 c 2 a 3 d 4 b
    ZRANGEBYLEX z [b [c
    ZREVRANGEBYLEX z [c [b
    ZRANGEBYLEX z - [b
    ZREVRANGEBYLEX z + (c
    ZLEXCOUNT z [a [c
    ZREMRANGEBYLEX z [a [c
    ZRANGE z 0 -1
  `,
  "ZCOUNT": `
    ZADD z 1 a 2 b 3 c inf d
    ZCOUNT z 1 3
    ZCOUNT z (1 3
    ZCOUNT z (1 (3
    ZCOUNT z -inf +inf
    ZCOUNT z 3 1
    ZCOUNT z (2 (2
    ZCOUNT z inf inf
    ZCOUNT z (inf inf
    ZCOUNT z x 1
    ZCOUNT nokey 1 2
    SET s v
    ZCOUNT s 0 1
    ZCOUNT s 0 x
  `,
  "ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX": `
    ZADD z 1 a 2 b 3 c 4 d 5 e 6 f
    ZREMRANGEBYRANK z 0 0
    ZREMRANGEBYRANK z -1 -1
    ZREMRANGEBYRANK z 10 20
    ZREMRANGEBYRANK z 3 1
    ZREMRANGEBYRANK z x 1
    ZREMRANGEBYSCORE z (2 3
    ZREMRANGEBYSCORE z 10 20
    ZREMRANGEBYSCORE z x 1
    ZREMRANGEBYSCORE z 5 (5
    ZRANGE z 0 -1 WITHSCORES
    ZREMRANGEBYSCORE z -inf +inf
    EXISTS z
    ZADD l 0 a 0 b 0 c 0 d
    ZREMRANGEBYLEX l [b (d
    ZREMRANGEBYLEX l x y
    ZREMRANGEBYLEX l - +
    EXISTS l
    ZREMRANGEBYLEX nokey - +
    ZREMRANGEBYRANK nokey 0 -1
    SET s v
    ZREMRANGEBYRANK s 0 -1
    ZREMRANGEBYRANK s x -1
  `,
  "ZPOPMIN, ZPOPMAX: counts, RESP3 pairs, empty": `
    ZADD z 1 a 2 b 3 c 4 d 5 e
    ZPOPMIN z
    ZPOPMAX z
    ZPOPMIN z 2
    ZPOPMAX z 0
    ZPOPMIN z -1
    ZPOPMIN z x
    ZPOPMIN z 1 2
    ZPOPMAX z 100
    EXISTS z
    ZPOPMIN z
    ZPOPMIN z 3
    SET s v
    ZPOPMIN s
    ZPOPMIN s 0
    ZPOPMAX s x
  `,
  "ZMPOP: numkeys, MIN/MAX, COUNT and their errors": `
    ZADD a 1 x 2 y 3 z
    ZADD b 10 p
    ZMPOP 2 nokey a MIN
    ZMPOP 2 nokey a MAX COUNT 2
    ZMPOP 2 a b min count 10
    ZMPOP 1 b MAX COUNT 5
    ZMPOP 2 a b MIN
    ZMPOP 0 a MIN
    ZMPOP -1 a MIN
    ZMPOP x a MIN
    ZMPOP 3 a MIN
    ZMPOP 1 a FOO
    ZMPOP 1 a MIN COUNT 0
    ZMPOP 1 a MIN COUNT -1
    ZMPOP 1 a MIN COUNT x
    ZMPOP 1 a MIN COUNT 1 COUNT 1
    ZMPOP 1 a MIN COUNT
    ZMPOP 1 a MIN FOO
    SET s v
    ZMPOP 2 nokey s MIN
    ZMPOP 1 a MIN
  `,
  "ZRANDMEMBER: counts and WITHSCORES (shapes)": `
    ZADD z 1 a 2 b 3 c
    ZRANDMEMBER z
    ZRANDMEMBER z 0
    ZRANDMEMBER z 2
    ZRANDMEMBER z 3
    ZRANDMEMBER z 10
    ZRANDMEMBER z -5
    ZRANDMEMBER z 2 WITHSCORES
    ZRANDMEMBER z -5 withscores
    ZRANDMEMBER z 2 FOO
    ZRANDMEMBER z 2 WITHSCORES x
    ZRANDMEMBER z x
    ZRANDMEMBER z -9223372036854775808
    ZRANDMEMBER z 9223372036854775807 WITHSCORES
    ZRANDMEMBER z -4611686018427387904 WITHSCORES
    ZRANDMEMBER nokey
    ZRANDMEMBER nokey 5
    ZRANDMEMBER nokey 5 WITHSCORES
    SET s v
    ZRANDMEMBER s
    ZRANDMEMBER s 0
  `,
  "ZUNION, ZINTER, ZDIFF: WEIGHTS, AGGREGATE, WITHSCORES, sets as inputs": `
    ZADD a 1 x 2 y 3 z
    ZADD b 10 y 20 z 30 w
    SADD s y w v
    ZUNION 2 a b
    ZUNION 2 a b WITHSCORES
    ZUNION 2 a b WEIGHTS 2 3 WITHSCORES
    ZUNION 2 a b AGGREGATE MIN WITHSCORES
    ZUNION 2 a b AGGREGATE max WITHSCORES
    ZUNION 3 a b s WITHSCORES
    ZUNION 3 a b nokey WITHSCORES
    ZINTER 2 a b WITHSCORES
    ZINTER 3 a b s WITHSCORES
    ZINTER 2 a b WEIGHTS 1 -1 AGGREGATE SUM WITHSCORES
    ZINTER 2 a nokey
    ZINTER 1 a WITHSCORES
    ZINTER 2 a a WEIGHTS 1 2 WITHSCORES
    ZDIFF 2 a b WITHSCORES
    ZDIFF 2 b s WITHSCORES
    ZDIFF 1 s
    ZDIFF 2 nokey a
    ZDIFF 2 a b WEIGHTS 1 1
    ZDIFF 2 a b AGGREGATE SUM
    ZUNION 0 a
    ZUNION -1 a
    ZUNION x a
    ZUNION 3 a b
    ZUNION 2 a b WEIGHTS 1
    ZUNION 2 a b WEIGHTS 1 x
    ZUNION 2 a b WEIGHTS 1 nan
    ZUNION 2 a b AGGREGATE
    ZUNION 2 a b AGGREGATE AVG
    ZUNION 2 a b FOO
    ZUNION 2 a b WITHSCORES WITHSCORES
    SET str v
    ZUNION 2 a str
    ZUNION 2 str a FOO
    ZINTER 2 a str WEIGHTS x
  `,
  "WEIGHTS with inf, and inf + -inf": `
    ZADD a 1 x inf y -inf z 0 w
    ZADD b -inf x inf y inf z 5 w
    ZUNION 2 a b WITHSCORES
    ZUNION 2 a b WEIGHTS inf 1 WITHSCORES
    ZUNION 2 a b WEIGHTS 0 1 WITHSCORES
    ZUNION 2 a b WEIGHTS -inf -inf WITHSCORES
    ZINTER 2 a b WITHSCORES
    ZINTER 2 a b WEIGHTS 0 0 WITHSCORES
    ZINTER 2 a b WEIGHTS 1 0 AGGREGATE MIN WITHSCORES
    ZINTER 2 a b WEIGHTS 1 0 AGGREGATE MAX WITHSCORES
    ZUNION 2 a b AGGREGATE MIN WITHSCORES
    ZUNIONSTORE d 2 a b WEIGHTS inf 0
    ZRANGE d 0 -1 WITHSCORES
  `,
  "ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE: results, empty results, the destination's old value and TTL": `
    ZADD a 1 x 2 y
    ZADD b 3 y 4 z
    SET dest v EX 1000
    ZUNIONSTORE dest 2 a b
    TTL dest
    TYPE dest
    ZRANGE dest 0 -1 WITHSCORES
    ZINTERSTORE dest 2 a b WEIGHTS 2 2
    ZRANGE dest 0 -1 WITHSCORES
    ZDIFFSTORE dest 2 a b
    ZRANGE dest 0 -1 WITHSCORES
    ZINTERSTORE dest 2 a nokey
    EXISTS dest
    ZINTERSTORE dest 2 a nokey
    ZUNIONSTORE a 2 a b
    ZRANGE a 0 -1 WITHSCORES
    ZDIFFSTORE dest 1 nokey
    ZUNIONSTORE dest 0 a
    ZINTERSTORE dest x a
    ZDIFFSTORE dest 1 a WEIGHTS 1
    ZUNIONSTORE dest 1 a WITHSCORES
    ZUNIONSTORE dest 2 a
    SADD s m
    ZUNIONSTORE dest 2 s a AGGREGATE MAX
    ZRANGE dest 0 -1 WITHSCORES
    OBJECT ENCODING dest
  `,
  "ZINTERCARD": `
    ZADD a 1 x 2 y 3 z
    ZADD b 1 y 2 z 3 w
    SADD s z
    ZINTERCARD 2 a b
    ZINTERCARD 2 a b LIMIT 1
    ZINTERCARD 2 a b LIMIT 0
    ZINTERCARD 2 a b LIMIT 100
    ZINTERCARD 3 a b s
    ZINTERCARD 2 a nokey
    ZINTERCARD 1 a
    ZINTERCARD 0 a
    ZINTERCARD x a
    ZINTERCARD 3 a b
    ZINTERCARD 2 a b LIMIT -1
    ZINTERCARD 2 a b LIMIT x
    ZINTERCARD 2 a b LIMIT
    ZINTERCARD 2 a b WITHSCORES
    ZINTERCARD 2 a b WEIGHTS 1 1
    SET str v
    ZINTERCARD 2 a str
  `,
  "ZRANGESTORE": `
    ZADD z 1 a 2 b 3 c 4 d
    ZRANGESTORE d z 0 1
    ZRANGE d 0 -1 WITHSCORES
    ZRANGESTORE d z 2 3 BYSCORE
    ZRANGESTORE d z (2 +inf BYSCORE LIMIT 1 1
    ZRANGE d 0 -1 WITHSCORES
    ZRANGESTORE d z + - BYLEX REV
    ZRANGESTORE d z 5 10
    EXISTS d
    ZRANGESTORE d z 0 -1 WITHSCORES
    ZRANGESTORE d z 0 -1 LIMIT 0 1
    ZRANGESTORE d nokey 0 -1
    SET str v
    ZRANGESTORE d str 0 -1
    ZRANGESTORE str z 0 0
    TYPE str
    ZRANGESTORE z z 1 2
    ZRANGE z 0 -1 WITHSCORES
  `,
  "ZSCAN: small sets whole, MATCH, COUNT, errors": `
    ZADD z 1 a 2.5 b 3 c 0.1 d
    ZSCAN z 0
    ZSCAN z 0 MATCH a*
    ZSCAN z 0 COUNT 1
    ZSCAN z 0 COUNT 0
    ZSCAN z 0 COUNT x
    ZSCAN z 0 MATCH
    ZSCAN z 0 TYPE zset
    ZSCAN z x
    ZSCAN nokey 0
    SET s v
    ZSCAN s 0
  `,
  "WRONGTYPE and creating over other types": `
    SET s v
    RPUSH l a
    SADD set a
    HSET h f v
    ZADD s 1 a
    ZADD l 1 a
    ZINCRBY set 1 a
    ZRANGE h 0 -1
    ZCARD l
    ZPOPMIN set
    ZRANGEBYSCORE s 0 1
    ZRANGEBYLEX s - +
    ZLEXCOUNT s - +
    ZREMRANGEBYSCORE s 0 1
    ZREMRANGEBYLEX s - +
    ZADD z 1 a
    TYPE z
    LPUSH z x
    SADD z x
    GET z
    HSET z f v
  `,
  "OBJECT ENCODING by zset-max-listpack-entries and -value, and the ziplist aliases": `
    ZADD z 1 a
    OBJECT ENCODING z
    ZADD long 1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
    OBJECT ENCODING long
    CONFIG SET zset-max-listpack-entries 3
    CONFIG GET zset-max-listpack-entries
    CONFIG GET zset-max-ziplist-entries
    ZADD z 2 b 3 c
    OBJECT ENCODING z
    ZADD z 4 d
    OBJECT ENCODING z
    ZREM z a b c
    OBJECT ENCODING z
    ZADD y 1 a 2 b 3 c 4 d
    OBJECT ENCODING y
    ZRANGESTORE small y 0 1
    OBJECT ENCODING small
    ZRANGESTORE big y 0 -1
    OBJECT ENCODING big
    ZRANGESTORE byscore y -inf +inf BYSCORE
    OBJECT ENCODING byscore
    ZUNIONSTORE u 1 y
    OBJECT ENCODING u
    ZINTERSTORE i 2 y small
    OBJECT ENCODING i
    CONFIG SET zset-max-ziplist-value 2
    CONFIG GET zset-max-listpack-value
    ZADD v 1 abc
    OBJECT ENCODING v
    ZADD w 1 ab
    ZADD w 1 abc
    OBJECT ENCODING w
    CONFIG SET zset-max-listpack-value -1
    CONFIG SET zset-max-listpack-entries x
    CONFIG SET zset-max-listpack-entries -1
    CONFIG SET zset-max-ziplist-entries 0
    ZADD zero 1 a
    OBJECT ENCODING zero
    CONFIG SET zset-max-listpack-entries 128
    CONFIG SET zset-max-listpack-value 64
    CONFIG GET zset-max-ziplist-value
  `,
  "COPY, RENAME, COPY ... DB, TYPE, SCAN TYPE zset": `
    ZADD z 1 a 2 b
    COPY z c
    ZADD c 3 x
    ZRANGE z 0 -1 WITHSCORES
    ZRANGE c 0 -1 WITHSCORES
    RENAME c r
    TYPE r
    ZCARD r
    SCAN 0 TYPE zset
    SCAN 0 TYPE set
    COPY z r DB 1
    SELECT 1
    ZRANGE r 0 -1 WITHSCORES
    SELECT 0
    COPY z r DB 1 REPLACE
  `,
  "transactions": `
    MULTI
    ZADD z 1 a
    ZINCRBY z 2 a
    ZRANGE z 0 -1 WITHSCORES
    ZADD z NX XX 1 a
    EXEC
  `,
};

/** Sets past the listpack's 128 entries: the skiplist paths, and their ZSCAN pages. */
function bigSets(): string[][] {
  const pairs = Array.from({ length: 300 }, (_, i) => [String((i * 37) % 101), `m:${i}`]).flat();
  const lex = Array.from({ length: 200 }, (_, i) => ["0", `w${String(i).padStart(3, "0")}`]).flat();
  return [
    ["ZADD", "big", ...pairs],
    ["ZADD", "lex", ...lex],
    ["OBJECT", "ENCODING", "big"],
    ["ZCARD", "big"],
    ["ZRANK", "big", "m:150"],
    ["ZREVRANK", "big", "m:7"],
    ["ZRANGE", "big", "100", "120", "WITHSCORES"],
    ["ZRANGE", "big", "50", "60", "BYSCORE", "LIMIT", "5", "10"],
    ["ZRANGE", "big", "(60", "50", "BYSCORE", "REV", "LIMIT", "3", "4", "WITHSCORES"],
    ["ZCOUNT", "big", "10", "(20"],
    ["ZRANGEBYLEX", "lex", "[w050", "(w060"],
    ["ZREVRANGEBYLEX", "lex", "(w150", "-", "LIMIT", "10", "5"],
    ["ZLEXCOUNT", "lex", "(w010", "[w199"],
    ["ZREMRANGEBYLEX", "lex", "[w100", "[w120"],
    ["ZREMRANGEBYRANK", "big", "10", "20"],
    ["ZREMRANGEBYSCORE", "big", "90", "95"],
    ["ZSCAN", "big", "0", "MATCH", "m:1*", "COUNT", "7"],
    ["ZSCAN", "lex", "0"],
    ["ZINCRBY", "big", "0.1", "m:3"],
    ["ZADD", "big", "1e300", "huge", "-0", "negzero", "2.5e-7", "small"],
    ["ZSCAN", "big", "0", "COUNT", "1000"],
    ["ZUNIONSTORE", "u", "2", "big", "lex", "WEIGHTS", "2", "0.5"],
    ["OBJECT", "ENCODING", "u"],
    ["ZINTERSTORE", "i", "2", "big", "u", "AGGREGATE", "MAX"],
    ["ZDIFFSTORE", "df", "2", "big", "i"],
    ["ZRANGESTORE", "rs", "big", "0", "200"],
    ["OBJECT", "ENCODING", "rs"],
    ["ZRANGESTORE", "rs2", "big", "0", "5"],
    ["OBJECT", "ENCODING", "rs2"],
    ["ZPOPMIN", "big", "5"],
    ["ZPOPMAX", "big", "5"],
    ["ZMPOP", "2", "nokey", "big", "MAX", "COUNT", "3"],
    ["ZRANDMEMBER", "big", "-20", "WITHSCORES"],
    ["ZRANDMEMBER", "big", "20"],
  ];
}

// ---- random sequences ----------------------------------------------------------------

const KEY = one("z", "y", "s", "");
const MEMBER = fc.oneof({ arbitrary: one("a", "b", "c", "d", "", "\xff", "\x00"), weight: 5 }, { arbitrary: bytes, weight: 1 });
const SCORE = fc.oneof(
  { arbitrary: fc.integer({ min: -3, max: 3 }).map(String), weight: 5 },
  { arbitrary: one("0.5", "-0", "inf", "-inf", "+inf", "1e300", "0.1", "nan", "x", "", "1e-320", "0x10"), weight: 1 },
);
const BOUND = fc.oneof(SCORE, SCORE.map((s) => `(${s}`));
const LEX = fc.oneof(one("-", "+", "x", ""), MEMBER.map((m) => `[${m}`), MEMBER.map((m) => `(${m}`));
const INDEX = fc.oneof(fc.integer({ min: -4, max: 4 }).map(String), one("x", "9223372036854775807", "-9223372036854775808"));
const NUMKEYS = one("1", "2", "3", "0", "-1", "x");
const PAIRS = many(fc.tuple(SCORE, MEMBER), 1, 3);
const ZADD_OPTS = many(one("NX", "XX", "GT", "LT", "CH", "INCR", "nx"), 0, 2);
const LIMIT = opt("LIMIT", INDEX, INDEX);

const ZSET_COMMANDS = [
  cmd("ZADD", KEY, ZADD_OPTS, PAIRS),
  cmd("ZINCRBY", KEY, SCORE, MEMBER),
  cmd("ZREM", KEY, many(MEMBER, 1, 3)),
  cmd(one("ZCARD"), KEY),
  cmd(one("ZSCORE", "ZRANK", "ZREVRANK"), KEY, MEMBER),
  cmd("ZMSCORE", KEY, many(MEMBER, 1, 3)),
  cmd("ZCOUNT", KEY, BOUND, BOUND),
  cmd("ZLEXCOUNT", KEY, LEX, LEX),
  cmd("ZRANGE", KEY, INDEX, INDEX, opt("REV"), opt("WITHSCORES")),
  cmd("ZRANGE", KEY, BOUND, BOUND, "BYSCORE", opt("REV"), LIMIT, opt("WITHSCORES")),
  cmd("ZRANGE", KEY, LEX, LEX, "BYLEX", opt("REV"), LIMIT),
  cmd(one("ZRANGEBYSCORE", "ZREVRANGEBYSCORE"), KEY, BOUND, BOUND, opt("WITHSCORES"), LIMIT),
  cmd(one("ZRANGEBYLEX", "ZREVRANGEBYLEX"), KEY, LEX, LEX, LIMIT),
  cmd("ZREVRANGE", KEY, INDEX, INDEX, opt("WITHSCORES")),
  cmd("ZRANGESTORE", KEY, KEY, INDEX, INDEX, opt("REV")),
  cmd("ZREMRANGEBYRANK", KEY, INDEX, INDEX),
  cmd("ZREMRANGEBYSCORE", KEY, BOUND, BOUND),
  cmd("ZREMRANGEBYLEX", KEY, LEX, LEX),
  cmd(one("ZPOPMIN", "ZPOPMAX"), KEY, opt(one("0", "1", "2", "10", "-1", "x"))),
  cmd("ZMPOP", NUMKEYS, many(KEY, 1, 2), one("MIN", "MAX", "x"), opt("COUNT", one("1", "3", "0", "x"))),
  cmd(one("ZUNION", "ZINTER", "ZDIFF"), NUMKEYS, many(KEY, 1, 3), opt("WEIGHTS", many(SCORE, 1, 3)), opt("AGGREGATE", one("SUM", "MIN", "MAX", "x")), opt("WITHSCORES")),
  cmd(one("ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"), KEY, NUMKEYS, many(KEY, 1, 3), opt("WEIGHTS", many(SCORE, 1, 3)), opt("AGGREGATE", one("SUM", "MIN", "MAX"))),
  cmd("ZINTERCARD", NUMKEYS, many(KEY, 1, 3), opt("LIMIT", one("0", "1", "-1", "x"))),
  cmd("ZSCAN", KEY, "0", opt("MATCH", one("*", "a*", "[b-c]")), opt("COUNT", one("1", "10", "0"))),
  cmd("ZRANDMEMBER", KEY, opt(one("0", "1", "-2", "x"), opt("WITHSCORES"))),
];

const OTHER_COMMANDS = [
  cmd("SADD", KEY, many(MEMBER, 1, 3)),
  cmd("SET", KEY, one("v", "1")),
  cmd(one("DEL", "TYPE", "EXISTS"), KEY),
  cmd("RENAME", KEY, KEY),
  cmd("COPY", KEY, KEY, opt("REPLACE")),
  cmd("RPUSH", KEY, MEMBER),
  cmd("HSET", KEY, MEMBER, MEMBER),
];

const SEQUENCE = fc.array(fc.oneof({ arbitrary: fc.oneof(...ZSET_COMMANDS), weight: 8 }, { arbitrary: fc.oneof(...OTHER_COMMANDS), weight: 1 }), {
  minLength: 1,
  maxLength: 40,
  size: "max",
});

// Redis's replies and keycast's differ here: each is in docs/compatibility.md.
const KNOWN_DIFFERENCES: Record<string, string> = {};

describe("differential: sorted sets, keycast and redis-server byte for byte", () => {
  for (const [title, body] of Object.entries(CASES)) {
    for (const resp of [2, 3] as const) {
      it(`${title} (RESP${resp})`, () => d.expectSame(script(body), resp));
    }
  }

  for (const resp of [2, 3] as const) {
    it(`sets past the listpack (RESP${resp})`, () => d.expectSame(bigSets(), resp));
  }

  describe("keyspace notifications", () => {
    beforeAll(() => d.notifyKeyspaceEvents("KEA"));
    afterAll(() => d.notifyKeyspaceEvents(""));

    for (const [title, body] of Object.entries(CASES)) {
      it(`${title}: the same events`, () => d.expectSameEvents(script(body), 2));
    }
    it("sets past the listpack: the same events", () => d.expectSameEvents(bigSets(), 3));

    const runs = Math.ceil(FUZZ_RUNS / 2);
    it(`random sorted set sequences: the same events (${runs} runs, seed ${FUZZ_SEED})`, () => d.fuzz(SEQUENCE, runs, true), 600_000);
  });

  describe("keyspace notifications of the sorted set class only (Kz)", () => {
    beforeAll(() => d.notifyKeyspaceEvents("Kz"));
    afterAll(() => d.notifyKeyspaceEvents(""));
    for (const title of ["ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX", "ZPOPMIN, ZPOPMAX: counts, RESP3 pairs, empty", "ZRANGESTORE"]) {
      it(`${title}: the same events`, () => d.expectSameEvents(script(CASES[title]!), 3));
    }
  });

  for (const [title, body] of Object.entries(KNOWN_DIFFERENCES)) {
    (ALL_DIFFERENCES ? it : it.fails)(`known difference: ${title}`, () => d.expectSame(script(body), 2));
  }

  it(`random sorted set sequences (${FUZZ_RUNS} runs, seed ${FUZZ_SEED})`, () => d.fuzz(SEQUENCE, FUZZ_RUNS, false), 600_000);
});
