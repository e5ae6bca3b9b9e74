"""The hand-over benchmark, tiny: it runs each kind of step and writes its rows (no timings checked)."""

import json
import subprocess
import sys

from tests.live import REPO


def test_a_tiny_hop_bench_writes_a_row_per_step(tmp_path):
    out = tmp_path / "rows.json"
    result = subprocess.run([sys.executable, "loadtest/hop_bench.py", "--hops", "50", "--json", str(out)],
                            cwd=REPO, check=True, capture_output=True, text=True, timeout=120)
    rows = json.loads(out.read_text())
    assert set(rows) == {"loop -> pool -> loop", "lock ping-pong", "python, per 1,000 additions"}
    assert all(row["wall_us"] > 0 and row["cpu_us"] >= 0 for row in rows.values())
    assert "loop -> pool -> loop" in result.stdout
