"""Multiprocess mode: several processes write, one scrape sums them; an exited process's connections go."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from pokerrt import metrics
    commands, connections = int(sys.argv[1]), int(sys.argv[2])
    for _ in range(commands):
        metrics.COMMANDS.labels("PING", "ok").inc()
    metrics.CONNECTIONS.inc(connections)
    metrics.COMMAND_SECONDS.observe(0.003)
    print("written", flush=True)
    if sys.argv[3] == "stay":
        sys.stdin.readline()
""")

SCRAPER = textwrap.dedent("""
    import django
    django.setup()
    from prometheus_client import generate_latest
    from pokerrt.scrape import Scrape
    sys_out = generate_latest(Scrape()).decode()
    print(sys_out)
""")


def run_env(directory: Path) -> dict[str, str]:
    return {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": str(ROOT), "EVENT_BUS_URL": ""}


def scrape(directory: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = subprocess.run([sys.executable, "-c", SCRAPER], env=run_env(directory), cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(out)
        for sample in family.samples
    }


@pytest.fixture
def multiproc_dir(tmp_path):
    directory = tmp_path / "prometheus"
    directory.mkdir()
    return directory


def test_one_scrape_sums_what_every_process_wrote(multiproc_dir):
    env = run_env(multiproc_dir)
    # given: one process that wrote and exited, one that wrote and is still up
    subprocess.run([sys.executable, "-c", WRITER, "3", "1", "exit"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    staying = subprocess.Popen([sys.executable, "-c", WRITER, "4", "2", "stay"], env=env, cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert staying.stdout is not None and staying.stdout.readline().strip() == "written"
        # when: a third process scrapes
        samples = scrape(multiproc_dir)
        # then: counters and histograms add up across processes; the live gauge counts the live one only
        assert samples[("pokerrt_commands_total", (("result", "ok"), ("type", "PING")))] == 7
        assert samples[("pokerrt_command_seconds_count", ())] == 2
        assert samples[("pokerrt_connections", ())] == 2
    finally:
        assert staying.stdin is not None
        staying.stdin.write("\n")
        staying.stdin.close()
        staying.wait(timeout=60)
    # and once it exits, its connections are gone but what it counted stays
    samples = scrape(multiproc_dir)
    assert samples[("pokerrt_commands_total", (("result", "ok"), ("type", "PING")))] == 7
    assert samples.get(("pokerrt_connections", ()), 0) == 0
