"""Fan-out benchmark of the real-time pipeline against a bare Channels baseline.

One emitter, N subscribers, real sockets, one Daphne node per run. For each
channel layer (in-memory, channels-redis core, channels-redis Pub/Sub) it runs

- baseline: a consumer that only does ``group_send`` (loadtest/baseline_asgi.py);
- pokerrt: the full path (loadtest/bench_asgi.py): a BENCH_EMIT command
  through the processor, a transaction with ``emit`` (journal row, seq under
  lock), broadcast on commit, and per subscriber the seq filter, the bounded
  queue and the writer;

and prints deliveries per second and emit-to-receive p50/p99 side by side.

    .venv/bin/python -m loadtest.realtime_bench --subscribers 50 --events 500

Not a test: it prints a table. Goal: pokerrt >= 70% of the baseline's rate,
p99 <= 2x the baseline's. Redis runs need REDIS_URL (default redis://127.0.0.1:6379/0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tqdm import tqdm
from websockets.asyncio.client import connect

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.live import free_port, stop, wait_for_port  # noqa: E402

SQLITE_INIT = quote("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")

LAYERS = {
    "inmemory": {},
    "redis-core": {"POKERRT_CHANNEL_LAYER": "core"},
    "redis-pubsub": {"POKERRT_CHANNEL_LAYER": "pubsub"},
}


@dataclass
class Result:
    layer: str
    pipeline: str
    expected: int
    delivered: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.delivered / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def node_env(layer: str, redis_url: str, var_dir: str, database_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="pokerrt.settings",
        DJANGO_SECRET_KEY=env.get("DJANGO_SECRET_KEY", "pokerrt-bench-only"),
        POKERRT_VAR_DIR=var_dir,
        POKERRT_LOG_LEVEL="WARNING",
        # The emitter is a benchmark, not an abuser; subscribers read as fast as they can.
        POKERRT_RATE_PER_SECOND="1000000",
        POKERRT_RATE_BURST="1000000",
        POKERRT_OUTGOING_QUEUE_LIMIT="100000",
        PYTHONPATH=str(REPO),
        **LAYERS[layer],
    )
    if layer != "inmemory":
        env["REDIS_URL"] = redis_url
    # The embedded profile's SQLite options (WAL, IMMEDIATE), through a URL so
    # that the connection persists (CONN_MAX_AGE) as a production node's does.
    env["DATABASE_URL"] = database_url or (
        f"sqlite:///{var_dir}/bench.sqlite3?init_command={SQLITE_INIT}&transaction_mode=IMMEDIATE"
    )
    return env


def start(module: str, env: dict[str, str], entry: list[str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", *entry, "-b", "127.0.0.1", "-p", str(port), f"{module}:application"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, proc=proc)
    return proc, port


async def run_one(
    layer: str, pipeline: str, port: int, subscribers: int, events: int, rate: float, progress: tqdm
) -> Result:
    url = f"ws://127.0.0.1:{port}/ws/"
    expected = subscribers * events
    latencies: list[float] = []
    done = asyncio.Event()
    last_receive = 0.0
    sockets = [await connect(url, max_size=None, max_queue=None) for _ in range(subscribers)]
    if pipeline == "pokerrt":
        stream = f"b{int(time.time() * 1000)}"
        for ws in sockets:
            await ws.send(json.dumps({"type": "SUBSCRIBE", "target": "BENCH", "id": stream}))
            while json.loads(await ws.recv())["type"] != "SUBSCRIBED":
                pass
        emitter = await connect(url)
    else:
        emitter = await connect(f"ws://127.0.0.1:{port}/ws/emit/")
        # Let the group_add of every subscriber land.
        await asyncio.sleep(0.5)

    async def read(ws) -> None:
        nonlocal last_receive
        got = 0
        while got < events:
            frame = json.loads(await ws.recv())
            if frame.get("type") != "BENCH_EVENT":
                continue
            now = time.time()
            latencies.append((now - frame["data"]["t0"]) * 1000)
            last_receive = now
            got += 1
            progress.update(1)
        if len(latencies) >= expected:
            done.set()

    readers = [asyncio.ensure_future(read(ws)) for ws in sockets]
    started = time.time()
    for i in range(events):
        frame = (
            {"type": "BENCH_EMIT", "target": "BENCH", "id": stream, "data": {"i": i, "t0": time.time()}}
            if pipeline == "pokerrt"
            else {"type": "BENCH_EVENT", "data": {"i": i, "t0": time.time()}}
        )
        await emitter.send(json.dumps(frame))
        if rate:
            await asyncio.sleep(1 / rate)
    # Wait for every delivery, or for the stream to go quiet (dropped messages).
    while not done.is_set():
        before = len(latencies)
        try:
            await asyncio.wait_for(done.wait(), 5)
        except TimeoutError:
            if len(latencies) == before:
                break
    for task in readers:
        task.cancel()
    for ws in [*sockets, emitter]:
        await ws.close()
    seconds = (last_receive or time.time()) - started
    return Result(layer, pipeline, expected, len(latencies), seconds, latencies)


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=REPO, env=env, check=True
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--layers", default="inmemory,redis-core,redis-pubsub")
    parser.add_argument(
        "--rate", type=float, default=0, help="events per second from the emitter (0: as fast as it can)"
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="the nodes' database (default: a fresh SQLite file; a PostgreSQL URL works too)",
    )
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    layers = [layer.strip() for layer in args.layers.split(",") if layer.strip()]
    unknown = set(layers) - set(LAYERS)
    if unknown:
        parser.error(f"unknown layers {sorted(unknown)}; choose from {sorted(LAYERS)}")

    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="pokerrt-bench-") as var_dir:
        migrate(node_env("inmemory", args.redis_url, var_dir, args.database_url))
        total = len(layers) * 2 * args.subscribers * args.events
        with tqdm(total=total, unit="msg", desc="deliveries") as progress:
            for layer in layers:
                env = node_env(layer, args.redis_url, var_dir, args.database_url)
                for pipeline, module, entry in (
                    ("baseline", "loadtest.baseline_asgi", ["daphne"]),
                    ("pokerrt", "loadtest.bench_asgi", ["pokerrt.realtime.server"]),
                ):
                    proc, port = start(module, env, entry)
                    try:
                        results.append(
                            asyncio.run(
                                run_one(
                                    layer, pipeline, port, args.subscribers, args.events, args.rate, progress
                                )
                            )
                        )
                    finally:
                        stop(proc)
    print_table(results, args)


def print_table(results: list[Result], args: argparse.Namespace) -> None:
    print(
        f"\n{args.subscribers} subscribers x {args.events} events, emitter rate {'max' if not args.rate else args.rate}/s\n"
    )
    header = (
        f"{'layer':<13} {'pipeline':<9} {'delivered':>12} {'deliveries/s':>13} {'p50 ms':>8} {'p99 ms':>8}"
    )
    print(header)
    print("-" * len(header))
    by_key = {(r.layer, r.pipeline): r for r in results}
    for r in results:
        delivered = f"{r.delivered}/{r.expected}"
        print(
            f"{r.layer:<13} {r.pipeline:<9} {delivered:>12} {r.rate:>13.0f}"
            f" {r.percentile(50):>8.1f} {r.percentile(99):>8.1f}"
        )
    print()
    for layer in dict.fromkeys(r.layer for r in results):
        base, ours = by_key.get((layer, "baseline")), by_key.get((layer, "pokerrt"))
        if not base or not ours or not base.rate:
            continue
        rate_ratio = ours.rate / base.rate
        p99_ratio = ours.percentile(99) / base.percentile(99) if base.percentile(99) else float("inf")
        verdict = "ok" if rate_ratio >= 0.7 and p99_ratio <= 2 else "MISSED"
        print(
            f"{layer:<13} pokerrt/baseline: rate {rate_ratio:.0%} (goal >= 70%), p99 {p99_ratio:.2f}x (goal <= 2x): {verdict}"
        )


if __name__ == "__main__":
    main()
