"""The table benchmark, end to end and tiny: it sets up, plays, measures and stops.

Correctness only (no timings): one table of three bots with a short think time
for a second, on a fresh embedded database and node, as ``loadtest/table_bench.py``
runs them. The rows come back through ``--json``.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.live import REPO

pytestmark = pytest.mark.live


def test_a_tiny_bench_plays_without_gaps_or_errors(tmp_path):
    out = tmp_path / "rows.json"
    subprocess.run([sys.executable, "loadtest/table_bench.py", "--tables", "1", "--players", "3",
                    "--seconds", "1", "--warmup", "1", "--think", "0.01", "--min-actions", "3", "--json", str(out)],
                   cwd=REPO, check=True, capture_output=True, timeout=180,
                   # Killed only if it hangs: how soon it stops is the benchmark's figure, not this test's.
                   env={**os.environ, "BENCH_STOP_MARGIN": "30"})
    rows = json.loads(out.read_text())["this tree"]
    assert rows["seq gaps seen by bots"] == 0
    assert rows["errors answered"] == 0
    assert rows["actions (server)"] > 0
    assert rows["actions measured"] > 0
    # Every action the server stored in the window was one a bot sent: in the
    # window, or before it and still in flight when it opened (stored inside it).
    assert rows["actions (server)"] <= rows["actions sent by bots"] + rows["actions in flight at opening"]
    assert rows["server CPU per action (ms)"] is not None
    assert rows["stop after SIGTERM (s)"] != "killed"
