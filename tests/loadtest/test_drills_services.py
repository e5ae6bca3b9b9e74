"""The service drills, tiny: Redis, RabbitMQ and PostgreSQL each restarted under play.

Marked ``drill``: they stop the machine's shared services, which other test
runs use, so they run only when asked for (``-m drill``); the full-size runs
are ``loadtest/drills.py``'s. Correctness only: play recovers, no event and
no chip is lost, and the service is up again afterwards.
"""

import pytest

from loadtest.drill_platform import SERVICES
from tests.services import answers

from .test_drills_small import run_drill

# Not ``postgres``: the drills need the server, not the suite's own database on it.
pytestmark = [pytest.mark.drill, pytest.mark.live, pytest.mark.redis, pytest.mark.rabbitmq,
              pytest.mark.skipif(not answers("postgres"), reason="PostgreSQL does not answer")]


@pytest.mark.parametrize("service", ["redis", "rabbitmq", "postgres"])
def test_play_recovers_after_a_service_restart_and_loses_nothing(tmp_path, service):
    row = run_drill(tmp_path, f"restart-{service}", "--spectators", "10", "--outage", "3")
    assert SERVICES[service].is_up()
    assert row["recovered (s)"] is not None
    assert row["events lost (missing seqs)"] == 0
    assert row["events not the journal's"] == 0
    assert row["journal holes"] == 0
    assert row["chips lost"] == 0
    assert row["chip audit"] == "conserved"
    assert row.get("bus: unpublished public events at the end", 0) == 0
    assert row["passed"] is True
