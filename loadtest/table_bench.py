"""Cash-table benchmark: bots over real sockets, many tables, no think time.

Starts a fresh database and one Daphne node, seats ``--players`` bots at each
of ``--tables`` cash tables, lets them play for ``--seconds`` and reports hands
per minute, action-to-broadcast latency (a bot's PLAYER_ACTION sent -> the same
action received back on the TABLE stream) and the server's CPU and memory.

    .venv/bin/python loadtest/table_bench.py --profile embedded --tables 50 --seconds 60
    .venv/bin/python loadtest/table_bench.py --profile services --tables 50 --seconds 60

``services`` uses PostgreSQL (``BENCH_POSTGRES_URL``, default the local server)
and Redis (``BENCH_REDIS_URL``); the database ``pokerrt_bench`` is recreated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def profile_env(profile: str, workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EVENT_BUS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="pokerrt.settings", DJANGO_SECRET_KEY="bench-only",
               DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
               POKERRT_VAR_DIR=str(workdir), POKERRT_HAND_INTERVAL_SECONDS="0",
               POKERRT_LOG_LEVEL="WARNING", PYTHONPATH=str(REPO))
    if profile == "services":
        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/pokerrt_bench"
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
    return env


def recreate_postgres(env: dict[str, str]) -> None:
    import psycopg

    admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS pokerrt_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE pokerrt_bench")


SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rest_framework.authtoken.models import Token
from lobby.actions import do_create_lobby
from pokerrt.accounts.actions import do_create_user
from tables.actions import do_create_table
lobby = do_create_lobby("Bench")
out = []
for t in range({tables}):
    table = do_create_table(lobby, f"Bench {{t}}", small_blind=5, big_blind=10, max_seats={players},
                            min_buy_in=100, max_buy_in=100000, action_seconds=30)
    for p in range({players}):
        user = do_create_user(f"bot{{t}}_{{p}}", "bench-password-1", )
        out.append([table.pk, user.pk, Token.objects.create(user=user).key])
print(json.dumps(out))
"""


def proc_usage(pid: int) -> tuple[float, int]:
    """(CPU seconds, resident bytes) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss


async def drive(seats, seconds: float, port: int, seed: int) -> tuple[list, int]:
    from tqdm import tqdm

    from loadtest.bots import Bot, randomly

    rng = random.Random(seed)
    bots = []
    for table_id, user_id, token in seats:
        bot = Bot(f"ws://127.0.0.1:{port}/ws/", token, str(user_id), randomly(rng), rebuy=1000)
        await bot.connect()
        await bot.subscribe("TABLE", str(table_id))
        bot.table_id = str(table_id)
        bots.append(bot)
    for bot in bots:
        await bot.send("TABLE_JOIN", "TABLE", bot.table_id, {"buy_in": 1000})

    stop_at = time.monotonic() + seconds

    async def keep_playing(bot):
        while time.monotonic() < stop_at:
            try:
                await bot.run(lambda b: time.monotonic() >= stop_at, timeout=max(0.1, stop_at - time.monotonic()))
            except TimeoutError:
                return
            # re-buy when busted: the server stood the bot up
            if any(f["type"] == "TABLE_LEAVE" and f["data"]["user"]["id"] == bot.user_id for f in bot.frames[-5:]):
                await bot.send("TABLE_JOIN", "TABLE", bot.table_id, {"buy_in": 1000})

    tasks = [asyncio.create_task(keep_playing(bot)) for bot in bots]
    with tqdm(total=int(seconds), desc="playing", unit="s") as bar:
        while time.monotonic() < stop_at:
            await asyncio.sleep(1)
            bar.update(1)
            bar.set_postfix(hands=sum(b.hands_ended for b in bots) // max(1, len(seats) // len({s[0] for s in seats})))
    await asyncio.gather(*tasks, return_exceptions=True)
    for bot in bots:
        await bot.close()
    return bots, sum(len(b.gaps) for b in bots)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--players", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import json

    workdir = Path(tempfile.mkdtemp(prefix="pokerrt-bench-"))
    env = profile_env(args.profile, workdir)
    if args.profile == "services":
        recreate_postgres(env)
    print(f"setting up {args.tables} tables x {args.players} bots on the {args.profile} profile ...")
    setup = subprocess.run([sys.executable, "-c", SETUP.format(tables=args.tables, players=args.players)],
                           env=env, cwd=REPO, capture_output=True, text=True, check=True)
    seats = json.loads(setup.stdout.strip().splitlines()[-1])

    sys.path.insert(0, str(REPO))
    from tests.live import free_port, wait_for_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "pokerrt.realtime.server", "-b", "127.0.0.1", "-p", str(port),
                               "pokerrt.asgi:application"], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc=server)
        cpu0, _ = proc_usage(server.pid)
        started = time.monotonic()
        bots, gaps = asyncio.run(drive(seats, args.seconds, port, args.seed))
        elapsed = time.monotonic() - started
        cpu1, rss = proc_usage(server.pid)
    finally:
        stop_server(server, env)
    hands = count_hands(env)
    latencies = sorted(x for b in bots for x in b.latencies)
    errors = [e for b in bots for e in b.errors]

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    rows = [
        ("profile", args.profile),
        ("tables x bots", f"{args.tables} x {args.players}"),
        ("seconds", f"{elapsed:.1f}"),
        ("hands played", str(hands)),
        ("hands per minute", f"{hands / elapsed * 60:.0f}"),
        ("actions measured", str(len(latencies))),
        ("action->broadcast p50 (ms)", f"{pct(0.50):.1f}"),
        ("action->broadcast p99 (ms)", f"{pct(0.99):.1f}"),
        ("mean (ms)", f"{statistics.fmean(latencies) * 1000:.1f}" if latencies else "nan"),
        ("server CPU (% of one core)", f"{(cpu1 - cpu0) / elapsed * 100:.0f}"),
        ("server RSS (MiB)", f"{rss / 2**20:.0f}"),
        ("seq gaps seen by bots", str(gaps)),
        ("errors answered", str(len(errors))),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if errors:
        print("first errors:", errors[:3])


def stop_server(server: subprocess.Popen, env: dict[str, str]) -> None:
    """SIGTERM the node; it must be gone within its shutdown grace + 2 s, whatever its backlog."""
    bound = float(env.get("POKERRT_SHUTDOWN_GRACE", 5)) + 2
    stopping = time.monotonic()
    server.terminate()
    try:
        server.wait(timeout=bound)
        print(f"server stopped {time.monotonic() - stopping:.1f}s after SIGTERM")
    except subprocess.TimeoutExpired:
        print(f"server did not stop within {bound:.0f} s of SIGTERM: killed")
        server.kill()
        server.wait()


def count_hands(env: dict[str, str]) -> int:
    code = ("import django; django.setup(); from tables.models import Hand; "
            "print(Hand.objects.filter(status='ended').count())")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
