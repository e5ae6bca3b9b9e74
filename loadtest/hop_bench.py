"""What a hand-over between threads costs on this machine, beside what plain Python computes.

The node hands every command from its event loop to a sync thread and back,
and its threads take the interpreter's lock from one another around every
database call and socket write. On some machines (virtual ones, mostly) a
thread's wake-up costs many times what it does on others, and the table
benchmark's milliseconds per action follow it: a tree measured on two
machines compares only through this. Prints, per kind of step, the wall and
CPU microseconds one costs (the CPU is this process's, all threads):

- ``loop -> pool -> loop``: ``loop.run_in_executor`` of a function that
  returns at once, on a one-thread pool (a command's hop, without Django);
- ``lock ping-pong``: two threads taking turns through a pair of
  ``threading.Event`` (one wake-up each way);
- ``python``: a million additions in a loop, per thousand (the machine's
  plain speed, which the two above are to be read against).

    .venv/bin/python loadtest/hop_bench.py --hops 20000

Not a test: run it by hand on each machine whose benchmark numbers you compare.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor


def measure(run: Callable[[], None], count: int) -> tuple[float, float]:
    """(wall us, CPU us) per step of ``run``, which takes ``count`` steps."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return ((time.perf_counter() - wall) / count * 1e6, (time.process_time() - cpu) / count * 1e6)


def pool_hops(hops: int) -> None:
    pool = ThreadPoolExecutor(max_workers=1)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for _ in range(hops):
            await loop.run_in_executor(pool, int)

    try:
        asyncio.run(main())
    finally:
        pool.shutdown()


def ping_pong(turns: int) -> None:
    ping, pong = threading.Event(), threading.Event()

    def other() -> None:
        for _ in range(turns):
            ping.wait()
            ping.clear()
            pong.set()

    thread = threading.Thread(target=other)
    thread.start()
    for _ in range(turns):
        ping.set()
        pong.wait()
        pong.clear()
    thread.join()


def python_loop(thousands: int) -> None:
    total = 0
    for i in range(thousands * 1000):
        total += i


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hops", type=int, default=20000, help="hops and ping-pong turns to time (default 20000)")
    parser.add_argument("--json", metavar="PATH", help="write the rows as JSON")
    args = parser.parse_args()
    pool_hops(min(1000, args.hops))  # the pool's thread started, the code paths warm
    rows = {
        "loop -> pool -> loop": measure(lambda: pool_hops(args.hops), args.hops),
        "lock ping-pong": measure(lambda: ping_pong(args.hops), args.hops),
        "python, per 1,000 additions": measure(lambda: python_loop(1000), 1000),
    }
    print(f"{'step':32} {'wall us':>10} {'CPU us':>10}")
    for name, (wall, cpu) in rows.items():
        print(f"{name:32} {wall:10.1f} {cpu:10.1f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({name: {"wall_us": wall, "cpu_us": cpu} for name, (wall, cpu) in rows.items()}, out, indent=2)


if __name__ == "__main__":
    main()
