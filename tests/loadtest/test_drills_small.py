"""The kill-node drill, tiny: a node of two is killed under play, and nothing is lost.

Correctness only (no timings): two tables of three bots and 44 spectators, 50
clients spread over two nodes on PostgreSQL and Redis, as
``loadtest/drills.py`` runs them at scale. Node a is killed with SIGKILL; its
clients move to node b, recover by replay, and play goes on. It restarts no
shared service (those drills are marked ``drill``: tests/loadtest/test_drills_services.py).
The rows come back through ``--json``.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.live import REPO
from tests.services import POSTGRES_URL, REDIS_URL

pytestmark = [pytest.mark.live, pytest.mark.postgres, pytest.mark.redis]


def drill_env() -> dict[str, str]:
    """The machine's services as the suite finds them; a database of the test's own."""
    return {**os.environ,
            "DRILL_POSTGRES_URL": POSTGRES_URL.rsplit("/", 1)[0] + "/pokerrt_drills_ci",
            "DRILL_REDIS_URL": REDIS_URL.rsplit("/", 1)[0] + "/5"}


def run_drill(tmp_path, drill: str, *options: str) -> dict:
    out = tmp_path / "rows.json"
    done = subprocess.run([sys.executable, "loadtest/drills.py", drill, "--tables", "2", "--players", "3",
                           "--think", "0.05", "--warmup", "1", "--after", "1", "--json", str(out), *options],
                          cwd=REPO, capture_output=True, text=True, timeout=600, env=drill_env())
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())["rows"][0]


def test_a_killed_node_s_clients_recover_by_replay_and_lose_nothing(tmp_path):
    row = run_drill(tmp_path, "kill-node", "--spectators", "44")
    assert row["clients"] == 50
    # Every client of node a (half of them) lost its socket and came back.
    assert row["clients dropped"] == 25
    assert row["recovered (s)"] is not None
    # The journal keeps far more than a drill's events: every resubscription replays.
    assert row["resubscriptions"] >= 25
    assert row["recovered by replay (%)"] == 100
    assert row["events lost (missing seqs)"] == 0
    assert row["events not the journal's"] == 0
    assert row["seq gaps seen live"] == 0
    assert row["journal holes"] == 0
    assert row["chips lost"] == 0
    assert row["chip audit"] == "conserved"
    assert row["passed"] is True
