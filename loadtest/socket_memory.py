"""Where an idle WebSocket's memory goes: a census of the node before and after N idle sockets.

    .venv/bin/python -m loadtest.socket_memory --sockets 1000
    .venv/bin/python -m loadtest.socket_memory --sockets 1000 --trace 12
    .venv/bin/python -m loadtest.socket_memory --sockets 1000 --app loadtest.baseline_asgi:application

Starts one embedded node as ``python -m loadtest.memory_node`` (the pokerrt
server answering SIGUSR1 with a census, loadtest/memory_node.py), opens a
probe socket (the node's start-up is not the sockets' cost), takes a census,
opens ``--sockets`` idle sockets (the harness's ``IdleConnection``: anonymous,
subscribed to nothing, answering PINGs), waits ``--settle`` seconds, takes a
second census and prints the difference per socket: the resident set,
glibc's arenas (held from the system, and free inside them), pymalloc's
arenas and blocks, the garbage collector's objects by type, and with
``--trace N`` the tracemalloc allocations grouped by their first N frames
(tracing costs memory and time of its own: read the RSS from a run without it).
``--profile S`` then profiles the node S seconds with the sockets idle.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pstats
import signal
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

from .harness.clients import IdleConnection, probe
from .harness.nodes import REPO, local_env, make_workdir, remove_workdir, start_local_nodes, stop_nodes
from .harness.run import connect_all, raise_open_files
from .harness.seating import seat_locally
from .harness.stats import Stats


def census(pid: int, directory: Path, number: int, timeout: float = 300.0) -> dict[str, Any]:
    os.kill(pid, signal.SIGUSR1)
    path = directory / f"census-{number}.json"
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no census from the node after {timeout}s")
        time.sleep(0.1)
    report: dict[str, Any] = json.loads(path.read_text())
    return report


async def open_idle(url: str, sockets: int, pid: int, directory: Path, settle: float,
                    profile: float) -> tuple[Any, Any, int]:
    stats = Stats()
    await probe(url, stats, 1.0)
    await asyncio.sleep(1.0)
    before = await asyncio.to_thread(census, pid, directory, 1)
    idle = [IdleConnection(url, stats) for _ in range(sockets)]
    await connect_all(idle, "idle sockets", True, 2)
    await asyncio.sleep(settle)
    after = await asyncio.to_thread(census, pid, directory, 2)
    if profile:
        os.kill(pid, signal.SIGUSR2)
        await asyncio.sleep(profile)
        os.kill(pid, signal.SIGUSR2)
        while not (directory / "profile-1.pstats").exists():
            await asyncio.sleep(0.1)
    opened = sum(1 for c in idle if c.connected and c.open)
    await asyncio.gather(*(client.close() for client in idle))
    return before, after, opened


def glibc_totals(report: dict[str, Any]) -> tuple[int, int]:
    arenas = report["glibc"]["arenas"]
    return (sum(a["system"] for a in arenas) + report["glibc"]["mmapped"], sum(a["free"] for a in arenas))


def per_socket(before: int, after: int, sockets: int) -> str:
    return f"{(after - before) / sockets:9.0f} B"


def print_breakdown(before: dict[str, Any], after: dict[str, Any], sockets: int, directory: Path,
                    frames: int, top: int) -> None:
    print(f"{sockets} idle sockets open; per socket (after - before) / {sockets}:")
    print(f"  RSS                          {per_socket(before['rss'], after['rss'], sockets)}"
          f"   ({before['rss'] / 2**20:.1f} -> {after['rss'] / 2**20:.1f} MiB)")
    held_before, free_before = glibc_totals(before)
    held_after, free_after = glibc_totals(after)
    print(f"  glibc arenas held            {per_socket(held_before, held_after, sockets)}"
          f"   ({len(before['glibc']['arenas'])} -> {len(after['glibc']['arenas'])} arenas, "
          f"threads {before['threads']} -> {after['threads']})")
    print(f"  glibc free inside them       {per_socket(free_before, free_after, sockets)}")
    print(f"  glibc in use (held - free)   "
          f"{per_socket(held_before - free_before, held_after - free_after, sockets)}")
    pb, pa = before["pymalloc"], after["pymalloc"]
    print(f"  pymalloc arenas              {per_socket(pb['arena_bytes'], pa['arena_bytes'], sockets)}")
    print(f"  pymalloc allocated blocks    {per_socket(pb['allocated_blocks'], pa['allocated_blocks'], sockets)}")
    print(f"  pymalloc free blocks + pools "
          f"{per_socket(pb['available_blocks'] + pb['unused_pools'], pa['available_blocks'] + pa['unused_pools'], sockets)}")
    held = {arena["nr"]: arena for arena in before["glibc"]["arenas"]}
    for arena_after in after["glibc"]["arenas"]:
        arena_before = held.get(arena_after["nr"], {"system": 0, "free": 0})
        print(f"    arena {arena_after['nr']}: held {per_socket(arena_before['system'], arena_after['system'], sockets)}, "
              f"free {per_socket(arena_before['free'], arena_after['free'], sockets)}")
    counts_before, counts_after = before["objects"], after["objects"]
    grown = sorted(((counts_after[k] - counts_before.get(k, 0), k) for k in counts_after), reverse=True)
    print("  gc objects per socket, by type:")
    for delta, kind in grown[:top]:
        if delta / sockets < 0.5:
            break
        print(f"    {delta / sockets:6.2f}  {kind}")
    if before["tracemalloc"] and after["tracemalloc"]:
        first = tracemalloc.Snapshot.load(str(directory / "census-1.tracemalloc"))
        second = tracemalloc.Snapshot.load(str(directory / "census-2.tracemalloc"))
        ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
        stats = second.filter_traces(ignore).compare_to(first.filter_traces(ignore), "traceback")
        total = sum(s.size_diff for s in stats)
        owners: Counter[str] = Counter()
        for stat in stats:
            owners[owner(stat.traceback)] += stat.size_diff
        print(f"  tracemalloc: {total / sockets:.0f} B per socket traced; by owner (the innermost frame "
              f"outside Python's own library):")
        for name, size in owners.most_common():
            print(f"    {size / sockets:7.0f} B  {name}")
        print("  the biggest, by traceback (innermost frame last):")
        for stat in stats[:top]:
            if stat.size_diff / sockets < 16:
                break
            print(f"    {stat.size_diff / sockets:7.0f} B {stat.count_diff / sockets:5.2f} blocks")
            for line in list(stat.traceback)[-frames:]:
                print(f"        {short(line.filename)}:{line.lineno}")


STDLIB = os.path.dirname(os.__file__)


def short(filename: str) -> str:
    for prefix in ("site-packages/", str(REPO) + "/", STDLIB + "/"):
        if prefix in filename:
            return filename.rsplit(prefix, 1)[-1]
    return filename


def owner(traceback: tracemalloc.Traceback) -> str:
    """The package of the innermost frame that is not Python's own library (``asyncio`` when all are)."""
    for frame in reversed(list(traceback)):
        if not frame.filename.startswith(STDLIB) or "site-packages" in frame.filename:
            name = short(frame.filename)
            return name.split("/", 1)[0] if name.count("/") < 2 else "/".join(name.split("/", 2)[:2])
    return "stdlib: " + short(traceback[-1].filename)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtest.socket_memory", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sockets", type=int, default=1000)
    p.add_argument("--settle", type=float, default=3.0, help="seconds after the last socket opened")
    p.add_argument("--trace", type=int, default=0, metavar="FRAMES",
                   help="run the node under tracemalloc keeping FRAMES frames (0: off)")
    p.add_argument("--top", type=int, default=30, help="rows of each table")
    p.add_argument("--profile", type=float, default=0, metavar="SECONDS",
                   help="after the second census, profile the node (cProfile) for SECONDS and print where its CPU went")
    p.add_argument("--app", default="pokerrt.asgi:application")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                   help="extra environment of the node (e.g. MALLOC_ARENA_MAX=2)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    raise_open_files(args.sockets + 1024)
    workdir = make_workdir()
    nodes = []
    try:
        env = local_env("embedded", workdir)
        seat_locally(env, 0, 0, False)
        directory = workdir / "census"
        directory.mkdir()
        env["POKERRT_CENSUS_DIR"] = str(directory)
        if args.trace:
            env["PYTHONTRACEMALLOC"] = str(args.trace)
        env.update(item.split("=", 1) for item in args.env)
        nodes = start_local_nodes(env, 1, args.app, module="loadtest.memory_node")
        pid = nodes[0].proc.pid if nodes[0].proc else 0
        before, after, opened = asyncio.run(open_idle(nodes[0].url, args.sockets, pid, directory, args.settle,
                                                      args.profile))
        print_breakdown(before, after, opened, directory, args.trace, args.top)
        if args.profile:
            print(f"the node's CPU over {args.profile} s with the sockets idle (cProfile, by own time):")
            pstats.Stats(str(directory / "profile-1.pstats")).sort_stats("tottime").print_stats(args.top)
    finally:
        for tail in stop_nodes(nodes):
            print(tail, file=sys.stderr)
        remove_workdir(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
