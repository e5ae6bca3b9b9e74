"""The idle-socket census (``python -m loadtest.socket_memory``), tiny: every table of its report is there.

Correctness only: the numbers depend on the machine, their presence does not.
"""

import subprocess
import sys

import pytest

from tests.live import REPO

pytestmark = pytest.mark.live


def test_a_tiny_census_reports_memory_objects_allocations_and_cpu():
    done = subprocess.run(
        [sys.executable, "-m", "loadtest.socket_memory", "--sockets", "3", "--settle", "0.5", "--trace", "1",
         "--profile", "0.5", "--top", "60"],
        cwd=REPO, capture_output=True, text=True, timeout=170)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = done.stdout
    assert "3 idle sockets open" in report
    for row in ("RSS", "glibc arenas held", "pymalloc allocated blocks", "gc objects per socket, by type",
                "pokerrt.realtime.consumer.RealtimeConsumer", "tracemalloc:", "by owner",
                "the node's CPU over 0.5 s"):
        assert row in report, row
