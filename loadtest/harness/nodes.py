"""The nodes under load: local ones the harness starts, or any URLs; their CPU and memory.

Local nodes are ``python -m pokerrt.realtime.server`` processes on a fresh
database (docs/realtime.md): the ``embedded`` profile is one node on a SQLite
file with the in-memory layer; ``services`` is ``--nodes`` nodes on one
PostgreSQL database (``HARNESS_POSTGRES_URL``'s server, database
``HARNESS_DATABASE``, default ``pokerrt_harness``, recreated each run) sharing Redis (``HARNESS_REDIS_URL``:
the Pub/Sub channel layer and the cache). Timers stay in-process: each node
arms what it schedules, and a deadline fires once whichever node gets to it.

A node's usage is read from ``/proc`` when the harness started it, else from
its ``/metrics`` (prometheus-client's ``process_cpu_seconds_total`` and
``process_resident_memory_bytes``; readable from the node's own host, or with
``METRICS_TOKEN`` as ``--metrics-token``), else it is unknown (None).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[2]
# The harness's own database, dropped and created each run: give each person running it their own.
POSTGRES_DATABASE = os.environ.get("HARNESS_DATABASE", "pokerrt_harness")


@dataclass
class Node:
    url: str  # ws://host:port/ws/
    proc: subprocess.Popen | None = None
    log: IO[bytes] | None = None
    metrics_token: str | None = None
    # /metrics could not be read: tried once, not again every sample
    metrics_unreadable: bool = field(default=False)

    @property
    def http(self) -> str:
        """The node's HTTP origin (``http://host:port``) from its WebSocket URL."""
        parts = urlsplit(self.url)
        scheme = "https" if parts.scheme == "wss" else "http"
        return urlunsplit((scheme, parts.netloc, "", "", ""))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    """Until the node listens; the timeout bounds a hung start on a busy machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the node exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port} after {timeout}s")


def local_env(profile: str, workdir: Path) -> dict[str, str]:
    """The environment of local nodes and of the ORM setup: a fresh database of ``profile``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "EVENT_BUS_URL", "POKERRT_SQLITE_PATH",
                        "PROMETHEUS_MULTIPROC_DIR")}
    env.update(DJANGO_SETTINGS_MODULE="pokerrt.settings", DJANGO_SECRET_KEY="harness-only", DJANGO_DEBUG="0",
               DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost", POKERRT_VAR_DIR=str(workdir),
               POKERRT_SQLITE_PATH=str(workdir / "pokerrt.sqlite3"), POKERRT_LOG_LEVEL="WARNING",
               # Hands follow each other at once, as in the table benchmark: load, not waiting.
               POKERRT_HAND_INTERVAL_SECONDS="0",
               # The bots sign up and log in from one address: the per-address limits are for people.
               POKERRT_SIGNUP_RATE_PER_ADDRESS="off", POKERRT_API_RATE_PER_ADDRESS="off",
               POKERRT_API_RATE_PER_USER="off",
               # Plain HTTP on this host: no redirect of the REST API to HTTPS (DJANGO_DEBUG=0 turns it on).
               POKERRT_SSL_REDIRECT="0", PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("HARNESS_PYTHONPATH", "")])))
    if profile == "services":
        base = os.environ.get("HARNESS_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + POSTGRES_DATABASE
        env["REDIS_URL"] = os.environ.get("HARNESS_REDIS_URL", "redis://127.0.0.1:6379/6")
    return env


def recreate_postgres(env: dict[str, str]) -> None:
    """Drop and create the harness's own database (never another's)."""
    import psycopg

    admin = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {POSTGRES_DATABASE}")


def start_local_nodes(env: dict[str, str], count: int, app: str = "pokerrt.asgi:application",
                      module: str = "pokerrt.realtime.server") -> list[Node]:
    """``count`` nodes serving ``app``, each ``python -m module`` (the server, or a wrapper of it)."""
    nodes = []
    try:
        for i in range(count):
            port = free_port()
            log = tempfile.TemporaryFile()
            proc = subprocess.Popen(
                [sys.executable, "-m", module, "-b", "127.0.0.1", "-p", str(port), app],
                env={**env, "POKERRT_NODE_NAME": f"harness-{i}-{port}"}, cwd=REPO,
                stdout=subprocess.DEVNULL, stderr=log)
            nodes.append(Node(f"ws://127.0.0.1:{port}/ws/", proc, log))
            wait_for_port(port, proc)
    except BaseException:
        stop_nodes(nodes)
        raise
    return nodes


def stop_nodes(nodes: list[Node], grace: float = 15.0) -> list[str]:
    """SIGTERM every local node, kill what is left after ``grace``; the log tails of nodes that failed."""
    tails = []
    for node in nodes:
        if node.proc is not None and node.proc.poll() is None:
            node.proc.terminate()
    for node in nodes:
        if node.proc is None:
            continue
        try:
            node.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            node.proc.kill()
            node.proc.wait()
        if node.proc.returncode not in (0, -15) and node.log is not None:
            node.log.seek(0)
            tails.append(f"{node.url} exited {node.proc.returncode}:\n"
                         + node.log.read().decode(errors="replace")[-2000:])
    return tails


def proc_usage(pid: int) -> tuple[float, int]:
    """(CPU seconds, resident bytes) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return cpu, int(fields[21]) * os.sysconf("SC_PAGE_SIZE")


METRIC = re.compile(r"^(process_cpu_seconds_total|process_resident_memory_bytes)(?:\{[^}]*\})? ([0-9.eE+-]+)$",
                    re.M)


def metrics_usage(node: Node) -> tuple[float, int] | None:
    """(CPU seconds, resident bytes) from the node's ``/metrics``; None when it cannot be read."""
    if node.metrics_unreadable:
        return None
    request = urllib.request.Request(node.http + "/metrics")
    if node.metrics_token:
        request.add_header("Authorization", f"Bearer {node.metrics_token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
    except OSError:
        node.metrics_unreadable = True
        return None
    values = {name: float(value) for name, value in METRIC.findall(text)}
    if len(values) < 2:
        # A multi-process exposition has no process_* series.
        node.metrics_unreadable = True
        return None
    return values["process_cpu_seconds_total"], int(values["process_resident_memory_bytes"])


def usage(node: Node) -> tuple[float, int] | None:
    if node.proc is not None:
        return proc_usage(node.proc.pid)
    return metrics_usage(node)


def total_usage(nodes: list[Node]) -> tuple[float, int] | None:
    """CPU seconds and resident bytes summed over the nodes; None unless every node could be read."""
    readings = [usage(node) for node in nodes]
    if any(r is None for r in readings):
        return None
    return sum(r[0] for r in readings if r), sum(r[1] for r in readings if r)


def make_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="pokerrt-harness-"))


def remove_workdir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def describe(nodes: list[Node]) -> list[dict[str, Any]]:
    return [{"url": n.url, "local": n.proc is not None, **({"pid": n.proc.pid} if n.proc else {})} for n in nodes]
