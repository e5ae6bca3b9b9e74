"""What the journal tail's pass costs a node (pokerrt/realtime/tail.py), with N followed streams.

Two cases, each timed over many passes (wall time of ``tail_pass`` and the
process's CPU time, both threads):

- in step: every follower already holds its stream's head, the normal case
  (one query, nothing else);
- behind: every follower lacks the head event, as after a Redis outage
  (the heads query, one query for the head events, one delivery per socket;
  the deliveries themselves are the consumers' gap path, not timed here).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pokerrt_tail .venv/bin/python loadtest/tail_bench.py --streams 200

It creates its streams' rows in the database it is given (the rows of the
stream type ``BENCH``, deleted at the end): use a database of your own.
Not a test: run it by hand and read the table it prints.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pokerrt.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from pokerrt.realtime import tail  # noqa: E402
from pokerrt.realtime.models import Event, Stream  # noqa: E402
from pokerrt.realtime.registry import register_stream  # noqa: E402
from pokerrt.realtime.subscriptions import Subscription  # noqa: E402

TARGET = "BENCH"


class Socket:
    """A follower standing in for a consumer: what it holds of each stream, and what the tail handed it."""

    def __init__(self) -> None:
        self.subscriptions: dict[tuple[str, str], Subscription] = {}
        self.handed = 0

    async def tail_send(self, message: dict[str, Any]) -> None:
        self.handed += 1
        key = (message["target"], message["id"])
        self.subscriptions[key].seq = message["seq"]


def make_streams(count: int, seq: int) -> list[str]:
    ids = [f"b{uuid.uuid4().hex[:12]}" for _ in range(count)]
    Stream.objects.bulk_create([Stream(target=TARGET, stream_id=sid, seq=seq) for sid in ids])
    epochs = dict(Stream.objects.filter(target=TARGET, stream_id__in=ids).values_list("stream_id", "epoch"))
    Event.objects.bulk_create([
        Event(target=TARGET, stream_id=sid, seq=seq, epoch=epochs[sid], type="BENCH", data={"n": seq},
              timestamp=timezone.now())
        for sid in ids
    ])
    return ids


def drop_streams(ids: list[str]) -> None:
    Event.objects.filter(target=TARGET, stream_id__in=ids).delete()
    Stream.objects.filter(target=TARGET, stream_id__in=ids).delete()


async def timed_passes(passes: int, setup=None) -> tuple[list[float], float, int]:
    walls, handed = [], 0
    cpu = 0.0
    for _ in range(passes):
        if setup is not None:
            setup()
        started, cpu_started = time.perf_counter(), time.process_time()
        handed += await tail.tail_pass(grace=0)
        walls.append(time.perf_counter() - started)
        cpu += time.process_time() - cpu_started
    return walls, cpu / passes, handed


async def bench(streams: int, passes: int) -> list[tuple[str, list[float], float, int]]:
    ids = await asyncio.to_thread(make_streams, streams, 10)
    epochs = dict(await asyncio.to_thread(
        lambda: list(Stream.objects.filter(target=TARGET, stream_id__in=ids).values_list("stream_id", "epoch"))))
    sockets = []
    for sid in ids:
        socket = Socket()
        socket.subscriptions[(TARGET, sid)] = Subscription(10, epochs[sid])
        tail.follow((TARGET, sid), socket)
        sockets.append(socket)
    try:
        await tail.tail_pass(grace=0)  # the tail thread's connection opens here, not in the timings
        in_step = await timed_passes(passes)

        def fall_behind() -> None:
            for socket in sockets:
                for held in socket.subscriptions.values():
                    held.seq = 9

        # Behind: the first pass of each pair sees the lag, the second delivers; only the second is timed.
        behind_walls, behind_cpu, handed = [], 0.0, 0
        for _ in range(passes):
            fall_behind()
            await tail.tail_pass(grace=0)
            walls, cpu, moved = await timed_passes(1)
            behind_walls += walls
            behind_cpu += cpu
            handed += moved
            await asyncio.gather(*tail._deliveries)
        return [("in step", *in_step), ("behind (deliver)", behind_walls, behind_cpu / passes, handed)]
    finally:
        for sid, socket in zip(ids, sockets, strict=True):
            tail.unfollow((TARGET, sid), socket)
        await tail.close_connection()
        await asyncio.to_thread(drop_streams, ids)


def quantile_ms(ordered: list[float], p: float) -> float:
    """Nearest rank, in milliseconds (loadtest.play's rounds to 0.1 ms: too coarse here)."""
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--passes", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    register_stream(TARGET, can_subscribe=lambda stream_id, user: False, snapshot=lambda stream_id, user: {})
    rows = asyncio.run(bench(args.streams, args.passes))
    print(f"journal tail pass, {args.streams} followed streams (one socket each), {args.passes} passes")
    print("| case | wall p50 ms | wall p99 ms | wall mean ms | CPU per pass ms | sockets handed an event |")
    print("|---|---|---|---|---|---|")
    for name, walls, cpu, handed in rows:
        ordered = sorted(walls)
        print(f"| {name} | {quantile_ms(ordered, 0.5):.2f} | {quantile_ms(ordered, 0.99):.2f} | "
              f"{statistics.mean(walls) * 1000:.2f} | {cpu * 1000:.2f} | {handed} |")


if __name__ == "__main__":
    main()
