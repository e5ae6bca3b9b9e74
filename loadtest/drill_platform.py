"""The platform a fault drill runs on: its own database, two nodes, and the machine's services.

:class:`Platform` makes the database ``pokerrt_drills`` (``DRILL_POSTGRES_URL``)
afresh, seats bots at cash tables, starts two nodes
(``python -m pokerrt.realtime.server``) on Redis's Pub/Sub layer with a
channel prefix of the run's own (``POKERRT_CHANNEL_PREFIX``: Pub/Sub channels
are server-wide, and other runs on the machine number their tables from 1
too), in-process timers on each node (a deadline fires once whichever node
wakes first), and, for the RabbitMQ drill, the event relay. It reads the
journal and runs ``audit_chips`` at the end.

:class:`Service` restarts one of the machine's services the way .ci/run and
the machine's notes start them, and always brings it back.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

POSTGRES_URL = os.environ.get("DRILL_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/pokerrt_drills")
# Database 5: the cache's keys apart from the tests' (0) and the benches' (3).
REDIS_URL = os.environ.get("DRILL_REDIS_URL", "redis://127.0.0.1:6379/5")
RABBITMQ_URL = os.environ.get("DRILL_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")

# Tables with clocks long enough that a bot is never timed out by the machine's load, short
# enough that a table whose to_act was lost in a fault goes on by its clock within the drill.
SETUP = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from rest_framework.authtoken.models import Token
from lobby.actions import do_create_lobby
from pokerrt.accounts.actions import do_create_user
from tables.actions import do_create_table
lobby = do_create_lobby("Drills")
out = []
for t in range({tables}):
    table = do_create_table(lobby, f"Drill {{t}}", small_blind=5, big_blind=10, max_seats={players},
                            min_buy_in=100, max_buy_in=100000, action_seconds={clock})
    for p in range({players}):
        user = do_create_user(f"drill{{t}}_{{p}}", "drill-password-1")
        out.append([str(table.pk), str(user.pk), Token.objects.create(user=user).key])
print(json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(check, timeout: float, what: str, every: float = 0.1) -> float:
    """Poll ``check()`` until true; the monotonic time it first held. ``timeout`` is a failure bound."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout:.0f} s")
        time.sleep(every)


@dataclass
class Node:
    name: str
    port: int
    proc: subprocess.Popen
    log: Any

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    def log_tail(self, chars: int = 3000) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-chars:]


class Platform:
    def __init__(self, tables: int, players: int, clock: int = 15, relay: bool = False,
                 extra_env: dict[str, str] | None = None, backlog: int | None = None) -> None:
        self.tables, self.players, self.clock, self.with_relay = tables, players, clock, relay
        # The nodes' listen backlog; None: the node's default (POKERRT_LISTEN_BACKLOG, 1024).
        self.backlog = backlog
        self.workdir = Path(tempfile.mkdtemp(prefix="pokerrt-drill-"))
        self.run_id = uuid.uuid4().hex[:8]
        self.exchange = f"pokerrt.events.drill-{self.run_id}"
        self.env = self._env(extra_env or {})
        self.nodes: list[Node] = []
        self.relay: subprocess.Popen | None = None
        self.relay_log: Any = None
        self.seats: list[tuple[str, str, str]] = []

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        # Not the test suite's settings either (a drill run from pytest inherits
        # them): the suite turns the journal tail off, and the drills check
        # what production runs.
        env = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EVENT_BUS_URL", "POKERRT_SQLITE_PATH",
                            "POKERRT_TAIL_INTERVAL")}
        env.update(
            DJANGO_SETTINGS_MODULE="pokerrt.settings", DJANGO_SECRET_KEY="drills-only", DJANGO_DEBUG="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", POKERRT_SSL_REDIRECT="0",
            POKERRT_VAR_DIR=str(self.workdir), PYTHONPATH=str(REPO),
            DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL, POKERRT_CHANNEL_PREFIX=f"drill{self.run_id}",
            POKERRT_TIMERS="inprocess", POKERRT_TIMERS_SWEEP_SECONDS="1",
            POKERRT_HAND_INTERVAL_SECONDS="1", POKERRT_LOG_LEVEL="WARNING",
        )
        if self.with_relay:
            env.update(EVENT_BUS_URL=RABBITMQ_URL, EVENT_BUS_EXCHANGE=self.exchange,
                       EVENT_BUS_RETRY_CAP_SECONDS="2")
        env.update(extra)
        return env

    # --- setting up -------------------------------------------------------------------

    def create_database(self) -> None:
        import psycopg

        name = POSTGRES_URL.rsplit("/", 1)[1]
        if name in ("postgres", "test", "root") or not name.startswith("pokerrt_"):
            raise SystemExit(f"refusing to recreate database {name!r}: drills use a pokerrt_* database of their own")
        admin = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

    def set_up(self) -> list[tuple[str, str, str]]:
        """A fresh database with the tables and their players: [(table, user, token)]."""
        self.create_database()
        script = SETUP.format(tables=self.tables, players=self.players, clock=self.clock)
        done = subprocess.run([sys.executable, "-c", script], env=self.env, cwd=REPO, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"setup failed:\n{done.stderr[-3000:]}")
        self.seats = [tuple(s) for s in json.loads(done.stdout.strip().splitlines()[-1])]
        return self.seats

    def start_node(self, name: str, port: int | None = None) -> Node:
        port = port or free_port()
        log = tempfile.TemporaryFile()
        env = {**self.env, "POKERRT_NODE_NAME": f"drill-{self.run_id}-{name}"}
        if self.backlog:
            # A storm's SYNs beyond the backlog are dropped, and each client's kernel retries after 1, 3, 7 s...
            env["POKERRT_LISTEN_BACKLOG"] = str(self.backlog)
        listen = ["-b", "127.0.0.1", "-p", str(port)]
        proc = subprocess.Popen([sys.executable, "-m", "pokerrt.realtime.server", *listen, "pokerrt.asgi:application"],
                                env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=log)
        node = Node(name, port, proc, log)
        try:
            wait_until(lambda: proc.poll() is not None or port_open(port), 120, f"node {name} listening")
        except TimeoutError:
            proc.kill()
            raise
        if proc.poll() is not None:
            raise RuntimeError(f"node {name} exited with {proc.returncode}:\n{node.log_tail()}")
        return node

    def start(self) -> None:
        self.nodes = [self.start_node("a"), self.start_node("b")]
        if self.with_relay:
            self.relay_log = tempfile.TemporaryFile()
            self.relay = subprocess.Popen([sys.executable, "manage.py", "relay_events", "--name", f"drill-{self.run_id}"],
                                          env=self.env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=self.relay_log)

    def kill_node(self, index: int) -> float:
        """SIGKILL a node: no close frames, no cleanup. When it was sent (monotonic)."""
        node = self.nodes[index]
        at = time.monotonic()
        node.proc.send_signal(signal.SIGKILL)
        node.proc.wait()
        return at

    # --- reading the outcome ----------------------------------------------------------

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        import psycopg

        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def stream_seqs(self) -> dict[tuple[str, str], int]:
        return {(t, i): s for t, i, s in self.query("SELECT target, stream_id, seq FROM realtime_stream")}

    def journal(self, streams: set[tuple[str, str]]) -> dict[tuple[str, str], dict[int, str]]:
        """seq -> event_id of every journaled event of ``streams``."""
        out: dict[tuple[str, str], dict[int, str]] = {s: {} for s in streams}
        for target, stream_id, seq, event_id in self.query(
                "SELECT target, stream_id, seq, event_id::text FROM realtime_event"):
            if (target, stream_id) in out:
                out[(target, stream_id)][seq] = event_id
        return out

    def journal_holes(self) -> int:
        """Seqs a stream handed out that have no journal row (nothing is pruned within a drill)."""
        rows = self.query("SELECT s.seq - coalesce((SELECT count(*) FROM realtime_event e WHERE e.target = s.target "
                          "AND e.stream_id = s.stream_id), 0) FROM realtime_stream s")
        return sum(r[0] for r in rows)

    def unpublished_before(self, wall: float) -> int:
        """Public events committed before ``wall`` (epoch seconds) the relay has not published."""
        return self.query("SELECT count(*) FROM realtime_event WHERE published_at IS NULL AND target <> 'PLAYER' "
                          "AND timestamp <= to_timestamp(%s)", (wall,))[0][0]

    def unpublished(self) -> int:
        return self.query("SELECT count(*) FROM realtime_event WHERE published_at IS NULL AND target <> 'PLAYER'")[0][0]

    def audit(self) -> dict[str, Any]:
        """``manage.py audit_chips``: passed, problems, and chips issued minus chips held."""
        done = subprocess.run([sys.executable, "manage.py", "audit_chips"], env=self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        totals = {}
        for line in done.stdout.splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("wallet", "table", "pool", "issued") and value.strip():
                totals[key.strip()] = int(value.strip().replace(",", ""))
        held = totals.get("wallet", 0) + totals.get("table", 0) + totals.get("pool", 0)
        problems = [line[len("MISMATCH "):] for line in done.stderr.splitlines() if line.startswith("MISMATCH ")]
        return {"passed": done.returncode == 0, "problems": problems,
                "chips lost": totals.get("issued", 0) - held, "output": (done.stdout + done.stderr)[-2000:]}

    # --- stopping -----------------------------------------------------------------------

    def stop(self) -> None:
        self.stop_nodes()
        self.stop_relay()

    def stop_nodes(self) -> None:
        for node in self.nodes:
            if node.proc.poll() is None:
                node.proc.terminate()
        for node in self.nodes:
            try:
                node.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                node.proc.kill()
                node.proc.wait()

    def stop_relay(self) -> None:
        if self.relay is not None and self.relay.poll() is None:
            self.relay.terminate()
            try:
                self.relay.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.relay.kill()
                self.relay.wait()

    def clean(self) -> None:
        if self.with_relay:
            delete_exchange(self.exchange)
        shutil.rmtree(self.workdir, ignore_errors=True)


def delete_exchange(exchange: str) -> None:
    try:
        import pika

        from pokerrt.bus.parameters import bus_parameters

        connection = pika.BlockingConnection(bus_parameters(RABBITMQ_URL))
        connection.channel().exchange_delete(exchange)
        connection.close()
    except Exception as error:  # a leftover exchange is untidy, not a failed drill
        print(f"could not delete exchange {exchange}: {error}")


# --- the machine's services ---------------------------------------------------------------


def _run(*cmd: str, timeout: float = 120) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()[-500:]}")


def _pg_version() -> str:
    return sorted(os.listdir("/etc/postgresql"))[-1]


class Service:
    """One of the machine's shared services: stop it, keep it down ``outage`` seconds, start it again."""

    def __init__(self, name: str, port: int) -> None:
        self.name, self.port = name, port

    def stop(self) -> None:
        if self.name == "redis":
            # The server may close the connection before answering: that is the shutdown.
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True, timeout=30)
        elif self.name == "rabbitmq":
            _run("rabbitmqctl", "stop_app")
        elif self.name == "postgres":
            _run("pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "stop", "-m", "fast")
        wait_until(lambda: not port_open(self.port), 60, f"{self.name} down")

    def start(self) -> None:
        if port_open(self.port):
            return
        if self.name == "redis":
            _run("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(self.port),
                 "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log")
        elif self.name == "rabbitmq":
            # stop_app leaves the Erlang node up: start_app; a node that is gone entirely starts detached.
            done = subprocess.run(["rabbitmqctl", "start_app"], capture_output=True, text=True, timeout=120)
            if done.returncode:
                subprocess.run(["rabbitmq-server", "-detached"], capture_output=True, timeout=60)
        elif self.name == "postgres":
            _run("pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main", "start")
        wait_until(lambda: port_open(self.port), 120, f"{self.name} back")

    def is_up(self) -> bool:
        return port_open(self.port)


SERVICES = {"redis": Service("redis", 6379), "rabbitmq": Service("rabbitmq", 5672), "postgres": Service("postgres", 5432)}
