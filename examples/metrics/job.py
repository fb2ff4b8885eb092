#!/usr/bin/env python3
"""The same job as job.mjs, in Python with redis-py (Debian: python3-redis).

    python3 job.py [--host web1] [--interval 1.0] [--rounds 0]

KEYCAST_RESP_URL says where keycast's Redis port is (default redis://127.0.0.1:6380).
"""
import argparse
import datetime
import os
import resource
import socket
import time

import redis


def main():
    parser = argparse.ArgumentParser(description="publish this machine's figures to keycast")
    parser.add_argument("--host", default=socket.gethostname())
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=0)
    args = parser.parse_args()

    r = redis.Redis.from_url(os.environ.get("KEYCAST_RESP_URL", "redis://127.0.0.1:6380"), decode_responses=True)
    last_cpu, last_at = time.process_time(), time.monotonic()
    round_ = 0
    try:
        while args.rounds == 0 or round_ < args.rounds:
            round_ += 1
            now_cpu, now = time.process_time(), time.monotonic()
            cpu = min(100.0, (now_cpu - last_cpu) / max(now - last_at, 1e-6) * 100 + os.getloadavg()[0] * 10)
            last_cpu, last_at = now_cpu, now
            # ru_maxrss is in KiB on Linux.
            mem_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            load = os.getloadavg()[0]

            # transaction=True: MULTI/EXEC, so a watcher never sees half a round.
            pipe = r.pipeline(transaction=True)
            pipe.set("metrics:cpu", f"{cpu:.1f}")
            pipe.set("metrics:mem", f"{mem_mb:.1f}")
            pipe.set("metrics:round", str(round_))
            pipe.hset(f"host:{args.host}", mapping={
                "load": f"{load:.2f}",
                "mem_mb": f"{mem_mb:.1f}",
                "updated": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            })
            pipe.execute()
            print(f"round {round_}: metrics:cpu={cpu:.1f} metrics:mem={mem_mb:.1f} host:{args.host} load={load:.2f}", flush=True)

            if args.rounds == 0 or round_ < args.rounds:
                time.sleep(args.interval)
    except KeyboardInterrupt:
        pass
    finally:
        r.close()


if __name__ == "__main__":
    main()
