"""The relay benchmark, end to end and tiny: every event of a short game reaches the bus, in order.

Correctness only (no timings): one table of three bots for a second, a relay
and a listener on the machine's RabbitMQ, as ``loadtest/relay_bench.py``
runs them. The rows come back through ``--json``.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.live import REPO
from tests.services import RABBITMQ_URL

pytestmark = [pytest.mark.live, pytest.mark.rabbitmq]


def test_a_tiny_relay_bench_loses_nothing_and_keeps_order(tmp_path):
    out = tmp_path / "rows.json"
    subprocess.run([sys.executable, "loadtest/relay_bench.py", "--tables", "1", "--players", "3", "--seconds", "1",
                    "--warmup", "1", "--think", "0.01", "--min-actions", "3", "--json", str(out)],
                   cwd=REPO, check=True, capture_output=True, timeout=600,
                   env={**os.environ, "BENCH_STOP_MARGIN": "30", "BENCH_RABBITMQ_URL": RABBITMQ_URL})
    rows = json.loads(out.read_text())["relay"]
    assert rows["events in the journal (public)"] > 0
    assert rows["events that never arrived"] == 0
    assert rows["first arrivals out of seq order"] == 0
    assert rows["drain: events"] == rows["events in the journal (public)"]
    assert rows["drain: events published+confirmed per second"] is not None
    assert rows["bots' seq gaps, errors"] == "0, 0"
