"""Helpers for live tests: real server and worker processes on the test database.

Use with ``@pytest.mark.django_db(transaction=True)`` so that what the test
writes is committed and visible to the processes it starts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(**extra: str) -> dict[str, str]:
    """The environment for a child process that must see this test's database."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    env.setdefault("DJANGO_SECRET_KEY", "pokerrt-tests-only")
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["POKERRT_SQLITE_PATH"] = str(db["NAME"])
        env.pop("DATABASE_URL", None)
    else:
        user = db.get("USER") or ""
        auth = f"{user}@" if user else ""
        env["DATABASE_URL"] = f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def wait_for_port(port: int, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Wait until something listens on ``port``; the timeout is a failure bound for a busy machine."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port} after {timeout}s")


def start_daphne(port: int | None = None, application: str = "pokerrt.asgi:application",
                 **env: str) -> tuple[subprocess.Popen, int]:
    """Start a node (``python -m pokerrt.realtime.server``) on the test database; (process, port)."""
    port = port or free_port()
    # A file, not a pipe nobody reads: a node that logs more than the pipe
    # holds would block on its next log line.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pokerrt.realtime.server", "-b", "127.0.0.1", "-p", str(port), application],
        cwd=REPO,
        env=process_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_for_port(port, proc=proc)
    except Exception:
        proc.kill()
        proc.wait()
        log.seek(0)
        raise RuntimeError(log.read().decode(errors="replace")[-3000:]) from None
    proc.log = log  # type: ignore[attr-defined]  # read back by node_log()
    return proc, port


def node_log(proc: subprocess.Popen, limit: int = 4000) -> str:
    """The last ``limit`` characters a node started by :func:`start_daphne` logged: for a failure's message."""
    log = getattr(proc, "log", None)
    if log is None or log.closed:
        return "(no log)"
    log.flush()
    log.seek(0)
    text = log.read().decode(errors="replace")
    return text[-limit:] or "(nothing logged)"


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
