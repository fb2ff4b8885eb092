#!/bin/sh
# PFADD and PFCOUNT throughput with redis-benchmark, on a server already listening on
# 127.0.0.1:<port> (run it against a redis-server and a keycast in turn). It flushes that
# server. Each line is requests per second, 50 clients.
#
#   sh bench/hyperloglog.sh 6379; sh bench/hyperloglog.sh 6380
set -e
p=${1:?usage: hyperloglog.sh <port>}
rps() { redis-benchmark -h 127.0.0.1 -p "$p" -c 50 -q "$@" | tr '\r' '\n' | grep "requests per second" | tail -1 | sed 's/ requests per second.*//;s/.*: //'; }
cli() { redis-cli -h 127.0.0.1 -p "$p" "$@" >/dev/null; }
cli FLUSHALL
# One key, random elements: sparse, promoted, then dense with fewer and fewer changed registers.
a=$(rps -n 200000 -r 100000000 pfadd hll __rand_int__)
b=$(rps -n 400000 -r 100000000 -P 16 pfadd hll __rand_int__)
# A new dense key: nearly every PFADD changes a register, so each one rewrites the 12 KB string.
cli PFADD hd; cli PFDEBUG TODENSE hd
c=$(rps -n 20000 -r 100000000 -P 16 pfadd hd __rand_int__)
# 1,000 sparse keys, one element each time: small rewrites, a different key almost every time.
d=$(rps -n 200000 -r 1000 -P 16 pfadd hll:__rand_int__ __rand_int__)
# The count of a dense key whose cached count is valid.
cli PFCOUNT hll
e=$(rps -n 400000 -P 16 pfcount hll)
f=$(rps -n 400000 -P 16 -t set)
echo "port $p: PFADD $a | PFADD -P16 $b | dense rewrites -P16 $c | 1000 sparse keys -P16 $d | PFCOUNT cached -P16 $e | SET -P16 $f"
