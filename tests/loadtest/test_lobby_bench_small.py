"""The lobby benchmark, end to end and tiny: both runs set up, play, watch, measure and stop.

Correctness only (no timings): two tables of three bots with a short think
time for a second, nobody watching and then three lobby members, as
``loadtest/lobby_bench.py`` runs them. The rows come back through ``--json``.
"""

import json
import subprocess
import sys

import pytest

from tests.live import REPO

pytestmark = pytest.mark.live


def test_a_tiny_lobby_bench_keeps_every_subscriber_exact(tmp_path):
    out = tmp_path / "rows.json"
    subprocess.run([sys.executable, "loadtest/lobby_bench.py", "--tables", "2", "--players", "3",
                    "--subscribers", "3", "--seconds", "1", "--warmup", "1", "--think", "0.01", "--min-actions", "3",
                    "--json", str(out)],
                   cwd=REPO, check=True, capture_output=True, timeout=300)
    runs = json.loads(out.read_text())
    alone, watched = runs["nobody watching"], runs["3 watching"]
    for rows in (alone, watched):
        assert rows["seq gaps"] == 0
        assert rows["errors answered"] == 0
        assert rows["table actions per second"] > 0
    assert watched["subscribers exact after play"] == "3/3"
    assert alone["lobby subscribers"] == 0
    assert watched["lobby subscribers"] == 3
