"""Cash-table benchmark: bots over real sockets, many tables, optional think time.

Starts a fresh database and one node (``python -m pokerrt.realtime.server``),
seats ``--players`` bots at each of ``--tables`` cash tables, lets them play for
``--seconds`` and reports actions and hands per second, action-to-broadcast
latency (a bot's PLAYER_ACTION sent -> the same action received back on the
TABLE stream), and the server's CPU (per action too) and memory.

    .venv/bin/python loadtest/table_bench.py --profile embedded --tables 50 --seconds 60
    .venv/bin/python loadtest/table_bench.py --tables 100 --think 1 --seconds 60
    .venv/bin/python loadtest/table_bench.py --tables 50 --seconds 60 --ref 5645ad4 --json bench.json

``--think S``: each bot waits uniformly 0.5 S - 1.5 S before each answer (its own
task; latency counts from the send). ``--ref GIT_REF``: the same benchmark is run
first against that commit (a temporary ``git worktree``: its server and setup run
from that tree, with this tree's bots and this venv's python), then against this
tree, one after the other with the same settings and seed, printed side by side.

``services`` uses PostgreSQL (``BENCH_POSTGRES_URL``, default the local server)
and Redis (``BENCH_REDIS_URL``); the database ``pokerrt_bench`` is recreated for
each run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

THIS_TREE = "this tree"


def profile_env(profile: str, workdir: Path, tree: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EVENT_BUS_URL",
                        "POKERRT_SQLITE_PATH")}
    env.update(DJANGO_SETTINGS_MODULE="pokerrt.settings", DJANGO_SECRET_KEY="bench-only",
               DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
               POKERRT_VAR_DIR=str(workdir), POKERRT_SQLITE_PATH=str(workdir / "pokerrt.sqlite3"),
               POKERRT_HAND_INTERVAL_SECONDS="0", POKERRT_LOG_LEVEL="WARNING", PYTHONPATH=str(tree))
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


# Only names that exist in older trees too (``tables.actions`` was a module, now a package).
SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
# The bots sign in with tokens: hashing 300 passwords the slow way is only setup time.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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


def db_counts(env: dict[str, str]) -> tuple[int, int]:
    """(HandAction rows, ended hands), read straight from the database (no Django: any tree's schema)."""
    queries = ("SELECT count(*) FROM tables_handaction",
               "SELECT count(*) FROM tables_hand WHERE status = 'ended'")
    if env.get("DATABASE_URL"):
        import psycopg

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            return tuple(conn.execute(q).fetchone()[0] for q in queries)  # type: ignore[return-value]
    conn = sqlite3.connect(f"file:{env['POKERRT_SQLITE_PATH']}?mode=ro", uri=True, timeout=30)
    try:
        return tuple(conn.execute(q).fetchone()[0] for q in queries)  # type: ignore[return-value]
    finally:
        conn.close()


async def drive(seats, seconds: float, port: int, seed: int, think: float, server_pid: int,
                env: dict[str, str], label: str, warmup: float = 0.0, min_actions: int = 0) -> dict[str, Any]:
    """Connect every bot, let them join and play ``warmup`` seconds, then measure a window of ``seconds``."""
    from loadtest.bots import Bot, randomly
    from loadtest.play import Play

    rng = random.Random(seed)
    think_rng = random.Random(seed + 1)

    def think_time() -> float:
        return think_rng.uniform(0.5 * think, 1.5 * think)

    bots = []
    for table_id, user_id, token in seats:
        bot = Bot(f"ws://127.0.0.1:{port}/ws/", token, str(user_id), randomly(rng), rebuy=1000,
                  think=think_time if think > 0 else None, keep_frames=False)
        await bot.connect()
        await bot.subscribe("TABLE", str(table_id))
        bot.table_id = str(table_id)
        bots.append(bot)

    # Every bot buys in at once: hundreds of TABLE_JOINs queue on the node and
    # the first hands wait behind them. That burst is start-up, not play, so
    # the measured window opens after the warm-up (and once every table deals).
    play = Play(bots)
    await play.start()
    await play.warm_up(warmup, label)
    # The measured window: setup, connections, buy-ins and the warm-up are behind us.
    cpu0, _ = proc_usage(server_pid)
    bots_cpu0 = time.process_time()
    actions0, hands0 = db_counts(env)
    in_flight = play.open_window()
    started = time.monotonic()
    players = max(1, len(seats) // max(1, len({s[0] for s in seats})))
    await play.window(seconds, label, min_actions, players)
    elapsed = time.monotonic() - started
    cpu1, rss = proc_usage(server_pid)
    bots_cpu = time.process_time() - bots_cpu0
    actions1, hands1 = db_counts(env)
    await play.stop()
    return {
        "elapsed": elapsed, "cpu": cpu1 - cpu0, "rss": rss, "bots_cpu": bots_cpu,
        "actions": actions1 - actions0, "hands": hands1 - hands0,
        "bot_actions_sent": sum(b.actions_sent - b.actions_sent_before for b in bots),
        "in_flight": in_flight,
        "latencies": sorted(x for b in bots for x in b.latencies),
        "gaps": sum(len(b.gaps) for b in bots),
        "errors": [e for b in bots for e in b.errors],
    }


def set_up_tables(env: dict[str, str], tree: Path, args: argparse.Namespace, prefix: str = "") -> list:
    """A fresh database with ``--tables`` cash tables and ``--players`` bots each: [(table, user, token)]."""
    print(f"{prefix}setting up {args.tables} tables x {args.players} bots on the {args.profile} profile ...")
    setup = subprocess.run([sys.executable, "-c", SETUP.format(tables=args.tables, players=args.players)],
                           env=env, cwd=tree, capture_output=True, text=True)
    if setup.returncode:
        raise RuntimeError(f"{prefix}setup failed:\n{setup.stderr[-3000:]}")
    return json.loads(setup.stdout.strip().splitlines()[-1])


def run_once(tree: Path, label: str, args: argparse.Namespace) -> dict[str, Any]:
    """One benchmark run with the server and setup code of ``tree``; the result's numbers."""
    from tests.live import free_port, wait_for_port

    workdir = Path(tempfile.mkdtemp(prefix="pokerrt-bench-"))
    try:
        env = profile_env(args.profile, workdir, tree)
        if args.profile == "services":
            recreate_postgres(env)
        seats = set_up_tables(env, tree, args, f"[{label}] ")

        port = free_port()
        log = tempfile.TemporaryFile()
        server = subprocess.Popen([sys.executable, "-m", "pokerrt.realtime.server", "-b", "127.0.0.1",
                                   "-p", str(port), "pokerrt.asgi:application"], env=env, cwd=tree,
                                  stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for_port(port, proc=server)
            result = asyncio.run(drive(seats, args.seconds, port, args.seed, args.think, server.pid, env, label,
                                       args.warmup, args.min_actions))
        finally:
            result_stop = stop_server(server, env, label)
        if server.returncode not in (0, -15) or result_stop is None:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            if tail.strip():
                print(f"[{label}] server log tail:\n{tail}")
        result["stop"] = result_stop
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stop_server(server: subprocess.Popen, env: dict[str, str], label: str = "") -> float | None:
    """SIGTERM the node; it must be gone within its shutdown grace + 2 s (``BENCH_STOP_MARGIN``), whatever its backlog.

    Returns the seconds it took, or None if it had to be killed.
    """
    bound = float(env.get("POKERRT_SHUTDOWN_GRACE", 5)) + float(env.get("BENCH_STOP_MARGIN", 2))
    stopping = time.monotonic()
    server.terminate()
    try:
        server.wait(timeout=bound)
        took = time.monotonic() - stopping
        print(f"[{label}] server stopped {took:.1f}s after SIGTERM")
        return took
    except subprocess.TimeoutExpired:
        print(f"[{label}] server did not stop within {bound:.0f} s of SIGTERM: killed")
        server.kill()
        server.wait()
        return None


def summarise(r: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The printed rows of one run: label -> value (numbers where they are numbers)."""
    from loadtest.play import percentile_ms

    lat = r["latencies"]

    elapsed = r["elapsed"]
    return {
        "profile": args.profile,
        "tables x bots": f"{args.tables} x {args.players}",
        "think (s)": args.think,
        "warm-up before the window (s)": args.warmup,
        "seconds": round(elapsed, 1),
        "hands played": r["hands"],
        "hands per minute": round(r["hands"] / elapsed * 60),
        "actions (server)": r["actions"],
        "actions per second": round(r["actions"] / elapsed, 1),
        "actions sent by bots": r["bot_actions_sent"],
        "actions in flight at opening": r["in_flight"],
        "actions measured": len(lat),
        "action->broadcast p50 (ms)": percentile_ms(lat, 0.50),
        "action->broadcast p99 (ms)": percentile_ms(lat, 0.99),
        "mean (ms)": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "server CPU (% of one core)": round(r["cpu"] / elapsed * 100),
        "server CPU per action (ms)": round(r["cpu"] / r["actions"] * 1000, 2) if r["actions"] else None,
        "server RSS (MiB)": round(r["rss"] / 2**20),
        # The bots share one process: near 100% its own event loop lags, and
        # the latencies above include that wait, not only the server's.
        "bots' process CPU (% of one core)": round(r["bots_cpu"] / elapsed * 100),
        "seq gaps seen by bots": r["gaps"],
        "errors answered": len(r["errors"]),
        "stop after SIGTERM (s)": round(r["stop"], 1) if r["stop"] is not None else "killed",
    }


def print_table(columns: dict[str, dict[str, Any]]) -> None:
    keys = list(next(iter(columns.values())))
    width = max(len(k) for k in keys)
    cells = {name: [("nan" if col[k] is None else str(col[k])) for k in keys] for name, col in columns.items()}
    widths = {name: max(len(name), *(len(c) for c in cs)) for name, cs in cells.items()}
    print()
    if len(columns) > 1:
        print(f"{'':<{width}}  " + "  ".join(f"{name:>{widths[name]}}" for name in columns))
    for i, key in enumerate(keys):
        print(f"{key:<{width}}  " + "  ".join(f"{cells[name][i]:>{widths[name]}}" for name in columns))


def add_worktree(ref: str, parent: Path) -> tuple[Path, str]:
    """A detached worktree of ``ref`` under ``parent``; (path, full commit)."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.strip()
    path = parent / f"ref-{commit[:8]}"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(path), commit], cwd=REPO, check=True)
    return path, commit


def remove_worktree(path: Path) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=REPO, check=False)
    subprocess.run(["git", "worktree", "prune"], cwd=REPO, check=False)


def main(argv: list[str] | None = None) -> dict[str, dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=["embedded", "services"], default="embedded")
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--players", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=10.0, metavar="SECONDS",
                        help="play this long before the measured window opens (default 10: past the buy-in burst)")
    parser.add_argument("--think", type=float, default=0.0, metavar="SECONDS",
                        help="each bot waits uniformly 0.5x-1.5x this before answering (default 0: at once)")
    parser.add_argument("--min-actions", type=int, default=0, metavar="N",
                        help="keep the window open past --seconds until N actions came back (default 0)")
    parser.add_argument("--ref", metavar="GIT_REF",
                        help="also run against this commit (temporary git worktree), first, side by side")
    parser.add_argument("--json", metavar="PATH", help="write the result rows (per column) as JSON")
    args = parser.parse_args(argv)
    if args.think < 0:
        parser.error("--think must be >= 0")

    runs: dict[str, dict[str, Any]] = {}
    errors: dict[str, list] = {}
    if args.ref:
        tmp = Path(tempfile.mkdtemp(prefix="pokerrt-bench-ref-"))
        try:
            tree, commit = add_worktree(args.ref, tmp)
            try:
                label = f"{args.ref} ({commit[:7]})" if not commit.startswith(args.ref) else commit[:7]
                result = run_once(tree, label, args)
                runs[label] = summarise(result, args)
                errors[label] = result["errors"]
            finally:
                remove_worktree(tree)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    result = run_once(REPO, THIS_TREE, args)
    runs[THIS_TREE] = summarise(result, args)
    errors[THIS_TREE] = result["errors"]

    report(runs, errors, args.json)
    return runs


def report(runs: dict[str, dict[str, Any]], errors: dict[str, list[Any]], json_path: str | None,
           table: Callable[[dict[str, dict[str, Any]]], None] | None = None) -> None:
    """The columns side by side (``table``, this bench's by default), each column's first errors, the rows as JSON when asked."""
    (table or print_table)(runs)
    for label, errs in errors.items():
        if errs:
            print(f"first errors ({label}):", errs[:3])
    if json_path:
        Path(json_path).write_text(json.dumps(runs, indent=2) + "\n")
        print(f"rows written to {json_path}")


if __name__ == "__main__":
    main()
