"""The load harness, end to end and tiny: a local node, bots, spectators, idle sockets, the report.

Correctness only (no timings): nothing here depends on how fast or busy the
machine is. The report comes back through ``--json``; the plot must be a PNG.
"""

import json
import subprocess
import sys

import pytest

from tests.live import REPO

pytestmark = pytest.mark.live

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
REPORT_KEYS = {"load", "settings", "nodes", "window_seconds", "connections", "deliveries", "deliveries_per_second",
               "actions", "latency_ms", "errors", "seq_gaps", "gap_examples", "hole_card_leaks", "leak_examples",
               "server", "idle", "harness_cpu_percent"}


def harness(*args, timeout=170):
    return subprocess.run([sys.executable, "-m", "loadtest.harness", "--no-progress", "--seed", "3", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=timeout)


def test_a_tiny_cash_run_holds_every_connection_with_no_gap_or_leak(tmp_path):
    out, png = tmp_path / "report.json", tmp_path / "latency.png"
    done = harness("--players", "4", "--tables", "2", "--think", "0.05", "--spectators", "2",
                   "--tables-per-spectator", "2", "--idle", "3", "--warmup", "1", "--seconds", "2", "--min-actions", "3",
                   "--json", str(out), "--plot", str(png))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert REPORT_KEYS <= set(report)
    connections = report["connections"]
    assert connections["requested"] == 4 + 2 + 3
    assert connections["opened"] == connections["open_at_end"] == connections["requested"]
    assert connections["dropped"] == 0 and connections["failed_to_open"] == 0
    assert connections["client_failures"] == 0
    assert report["seq_gaps"] == 0
    assert report["hole_card_leaks"] == 0
    # The window stayed open until three actions were timed; each by every subscriber of its table.
    assert report["actions"]["timed"] >= 3
    assert report["latency_ms"]["samples"] >= report["actions"]["timed"]
    assert report["latency_ms"]["p99"] is not None and report["deliveries"] > 0
    # Local nodes are measured from /proc.
    assert report["server"]["cpu_percent_of_core"] is not None and report["server"]["rss_mib"] > 0
    assert report["idle"]["connections"] == 3 and report["idle"]["kib_per_connection"] is not None
    assert png.read_bytes().startswith(PNG_SIGNATURE)


def test_a_tiny_sit_and_go_set_up_through_the_rest_api_seats_every_player(tmp_path):
    out = tmp_path / "report.json"
    done = harness("--setup", "api", "--tournament", "--players", "3", "--think", "0.05", "--warmup", "1",
                   "--seconds", "1", "--min-actions", "1", "--idle", "2", "--idle-subscribe", "lobby",
                   "--json", str(out))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["tournament"]["seated"] == 3
    assert report["connections"]["open_at_end"] == report["connections"]["requested"] == 5
    assert report["seq_gaps"] == 0 and report["hole_card_leaks"] == 0
    assert report["actions"]["timed"] >= 1
