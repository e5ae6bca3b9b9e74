"""RabbitMQ relay benchmark: the table benchmark's load, with the relay publishing every event.

One node and one relay (``manage.py relay_events``) on a fresh database, the
table benchmark's bots playing (``loadtest/table_bench.py``: same setup, same
warm-up and window), and a consumer in this process on a queue bound to the
relay's exchange. Reports:

- live: events the relay published and RabbitMQ confirmed per second while the
  bots play (the offered rate, if the relay keeps up), and the lag from an
  event's commit to its arrival on the queue, p50/p99;
- drain: the relay's ceiling. After play stops, the whole journal is marked
  unpublished again and a fresh relay publishes it: events per second from its
  first confirmed batch to its last.

    .venv/bin/python loadtest/relay_bench.py --tables 50 --seconds 40
    .venv/bin/python loadtest/relay_bench.py --profile services --tables 50 --seconds 40

RabbitMQ at ``BENCH_RABBITMQ_URL`` (default ``amqp://guest:guest@127.0.0.1:5672/%2F``);
the exchange is named per run and deleted afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from loadtest.play import percentile_ms  # noqa: E402
from loadtest.table_bench import (  # noqa: E402
    drive,
    print_table,
    proc_usage,
    profile_env,
    recreate_postgres,
    report,
    set_up_tables,
    stop_server,
)

RABBITMQ_URL = os.environ.get("BENCH_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
# How long the relay may take to catch up or drain before the run gives up on it.
PATIENCE = 600.0


def parse_timestamp(text: str) -> float:
    """The envelope's ``2026-11-26T10:00:00.123Z`` as epoch seconds."""
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC).timestamp()


class Listener:
    """A queue bound to every key of the relay's exchange, read by a process of its own.

    Its own process, not a thread of this one: the bots keep this process's
    CPU busy, and an arrival stamped only once a thread got the GIL would
    charge the bots' wait to the relay.
    """

    def __init__(self, exchange: str) -> None:
        import multiprocessing

        self.exchange = exchange
        context = multiprocessing.get_context("spawn")
        self.ready = context.Event()
        self.stopping = context.Event()
        self.results = context.Queue()
        self.process = context.Process(target=listen, args=(exchange, self.ready, self.stopping, self.results),
                                       daemon=True)
        # (arrival, commit timestamp, message_id, stream, seq), in arrival order.
        self.arrivals: list[tuple[float, float, str, tuple[str, str], int]] = []

    def start(self) -> None:
        self.process.start()
        if not self.ready.wait(60):
            raise RuntimeError("the listener did not bind its queue")

    def collect(self) -> list[tuple[float, float, str, tuple[str, str], int]]:
        """Stop the listener; every arrival, in order."""
        self.stopping.set()
        item = self.results.get(timeout=120)
        self.process.join(timeout=30)
        self.arrivals = [(a, c, m, (t, i), q) for a, c, m, t, i, q in item]
        return self.arrivals


def listen(exchange: str, ready: Any, stopping: Any, results: Any) -> None:
    """The listener process: consume until told to stop, then send back every arrival."""
    import pika

    from pokerrt.bus.parameters import bus_parameters

    connection = pika.BlockingConnection(bus_parameters(RABBITMQ_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, exchange, routing_key="#")
    arrivals: list[tuple[float, float, str, str, str, int]] = []

    def on_message(channel, method, properties, body):  # type: ignore[no-untyped-def]
        arrived = time.time()
        frame = json.loads(body)
        arrivals.append((arrived, parse_timestamp(frame["timestamp"]), properties.message_id,
                         frame["target"], frame["id"], frame["seq"]))

    channel.basic_consume(queue, on_message, auto_ack=True)
    ready.set()
    while not stopping.is_set():
        connection.process_data_events(time_limit=0.2)
    # What is still on the queue arrived before the stop.
    connection.process_data_events(time_limit=1)
    channel.exchange_delete(exchange)
    connection.close()
    results.put(arrivals)


class Journal:
    """The run's event table, read straight from the database (no Django in this process)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def query(self, sql: str, fetch: bool = True) -> Any:
        if self.env.get("DATABASE_URL"):
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
                cursor = conn.execute(sql)
                return cursor.fetchone() if fetch else None
        conn = sqlite3.connect(self.env["POKERRT_SQLITE_PATH"], timeout=60)
        try:
            with conn:
                cursor = conn.execute(sql)
                return cursor.fetchone() if fetch else None
        finally:
            conn.close()

    def carried(self) -> int:
        return self.query("SELECT count(*) FROM realtime_event WHERE target <> 'PLAYER'")[0]

    def unpublished(self) -> int:
        return self.query("SELECT count(*) FROM realtime_event WHERE published_at IS NULL AND target <> 'PLAYER'")[0]

    def mark_all_unpublished(self) -> None:
        self.query("UPDATE realtime_event SET published_at = NULL", fetch=False)


def start_relay(env: dict[str, str], tree: Path, log: Any) -> tuple[subprocess.Popen, float]:
    """The relay process, and when it said it starts relaying (Django and its imports are behind it)."""
    relay = subprocess.Popen([sys.executable, "manage.py", "relay_events", "--name", "bench-relay"],
                             env=env, cwd=tree, stdout=subprocess.PIPE, stderr=log, text=True)
    assert relay.stdout is not None
    relay.stdout.readline()
    return relay, time.monotonic()


def stop_relay(relay: subprocess.Popen) -> None:
    relay.send_signal(signal.SIGTERM)
    try:
        relay.wait(timeout=60)
    except subprocess.TimeoutExpired:
        relay.kill()
        relay.wait()


def wait_published(journal: Journal, desc: str) -> float | None:
    """When (monotonic) nothing the bus carries is left unpublished, with a progress bar; None past PATIENCE."""
    from tqdm import tqdm

    started = time.monotonic()
    total = journal.unpublished()
    with tqdm(total=total, desc=desc, unit="ev") as bar:
        while True:
            left = journal.unpublished()
            bar.update(max(0, total - left) - bar.n)
            if left == 0:
                return time.monotonic()
            if time.monotonic() - started > PATIENCE:
                print(f"{desc}: {left} events still unpublished after {PATIENCE:.0f} s")
                return None
            time.sleep(0.05)


def bus_order(arrivals: list[tuple[float, float, str, tuple[str, str], int]]) -> tuple[int, int]:
    """(duplicates, streams whose first arrivals were out of seq order)."""
    seen: set[str] = set()
    last: dict[tuple[str, str], int] = defaultdict(int)
    duplicates = disorder = 0
    for _, _, message_id, stream, seq in arrivals:
        if message_id in seen:
            duplicates += 1
            continue
        seen.add(message_id)
        if seq < last[stream]:
            disorder += 1
        last[stream] = seq
    return duplicates, disorder


def run(args: argparse.Namespace) -> dict[str, Any]:
    from tests.live import free_port, wait_for_port

    workdir = Path(tempfile.mkdtemp(prefix="pokerrt-relay-bench-"))
    exchange = f"pokerrt.events.bench-{uuid.uuid4().hex[:8]}"
    try:
        env = profile_env(args.profile, workdir, REPO)
        env.update(EVENT_BUS_URL=RABBITMQ_URL, EVENT_BUS_EXCHANGE=exchange)
        if args.profile == "services":
            recreate_postgres(env)
        seats = set_up_tables(env, REPO, args)
        journal = Journal(env)
        listener = Listener(exchange)
        listener.start()
        log = tempfile.TemporaryFile()
        relay, _ = start_relay(env, REPO, log)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "pokerrt.realtime.server", "-b", "127.0.0.1",
                                   "-p", str(port), "pokerrt.asgi:application"], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for_port(port, proc=server)
            relay_cpu0, _ = proc_usage(relay.pid)
            play = asyncio.run(drive(seats, args.seconds, port, args.seed, args.think, server.pid, env,
                                     "relay", args.warmup, args.min_actions))
            window_end = time.time()
            window_start = window_end - play["elapsed"]
            relay_cpu1, _ = proc_usage(relay.pid)
            # The node stops first: the journal is then final, and every event in it must arrive.
            stop_server(server, env, "relay")
            stopped = time.monotonic()
            caught_up = wait_published(journal, "relay catching up")
            catch_up = caught_up - stopped if caught_up is not None else None
            carried = journal.carried()
            time.sleep(2)  # confirmed messages still on their way to the listener's queue
            live = listener.collect()
            stop_relay(relay)
            # The ceiling: the whole journal again, from a standing start.
            journal.mark_all_unpublished()
            drained = journal.carried()
            relay, ready = start_relay(env, REPO, log)
            done = wait_published(journal, "relay draining the journal")
            drain_seconds = done - ready if done is not None else None
        finally:
            if server.poll() is None:
                stop_server(server, env, "relay")
            if relay.poll() is None:
                stop_relay(relay)
            if listener.process.is_alive():
                listener.process.kill()
        if relay.returncode not in (0, -15):
            log.seek(0)
            print(log.read().decode(errors="replace")[-2000:])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    in_window = [a for a in live if window_start <= a[1] <= window_end]
    lags = sorted(arrived - committed for arrived, committed, *_ in in_window)
    duplicates, disorder = bus_order(live)
    distinct = len({a[2] for a in live})

    elapsed = play["elapsed"]
    return {
        "profile": args.profile,
        "tables x bots": f"{args.tables} x {args.players}",
        "think (s)": args.think,
        "seconds": round(elapsed, 1),
        "actions per second": round(play["actions"] / elapsed, 1),
        "action->broadcast p50, p99 (ms), for comparison": "{}, {}".format(*(percentile_ms(play["latencies"], p) for p in (0.5, 0.99))),
        "events on the bus in the window": len(in_window),
        "live: events published+confirmed per second": round(len(in_window) / elapsed, 1),
        "live: commit->queue lag p50 (ms)": percentile_ms(lags, 0.50),
        "live: commit->queue lag p99 (ms)": percentile_ms(lags, 0.99),
        "live: lag mean (ms)": round(statistics.fmean(lags) * 1000, 1) if lags else None,
        "live: relay CPU (% of one core)": round((relay_cpu1 - relay_cpu0) / elapsed * 100),
        "catch-up after play stopped (s)": round(catch_up, 1) if catch_up is not None else "gave up",
        "events in the journal (public)": carried,
        "events that never arrived": carried - distinct,
        "duplicates": duplicates,
        "first arrivals out of seq order": disorder,
        "drain: events": drained,
        "drain: events published+confirmed per second": round(drained / drain_seconds, 1) if drain_seconds else None,
        "bots' seq gaps, errors": f"{play['gaps']}, {len(play['errors'])}",
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--players", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=10.0, metavar="SECONDS")
    parser.add_argument("--think", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--min-actions", type=int, default=0, metavar="N")
    parser.add_argument("--json", metavar="PATH", help="write the rows as JSON")
    args = parser.parse_args(argv)
    rows = run(args)
    report({"relay": rows}, {}, args.json, table=print_table)
    return rows


if __name__ == "__main__":
    main()
