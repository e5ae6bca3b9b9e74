"""The reconciler's findings are counted by target, rule and outcome; drift still found is a gauge at scrape time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pokerrt.realtime import validation
from pokerrt.realtime.models import Discrepancy
from pokerrt.realtime.reconcile import Outcome, open_discrepancies, reconcile
from pokerrt.scrape import OpenDiscrepancies
from pokerrt.timers.models import Deadline
from tables import actions
from tables.validation import REARM_ACTION_CLOCK
from tests.metrics.helpers import value

pytestmark = pytest.mark.django_db


def counted(outcome: str) -> float:
    return value("pokerrt_discrepancies_total", target="TABLE", rule="deadline_armed", outcome=outcome)


def test_a_mended_and_a_reported_finding_are_counted_by_outcome_and_a_dry_run_not_at_all(table, seated, monkeypatch):
    # given: a hand whose action clock is lost
    actions.do_start_hand(table.pk)
    Deadline.objects.filter(key=f"table:{table.pk}:action").delete()
    mended, reported = counted(Outcome.MENDED), counted(Outcome.REPORTED)
    # when: a dry run, then a pass whose mend breaks, then one whose mend works
    reconcile(mend=False)
    with monkeypatch.context() as patched:
        patched.setitem(validation._mends, REARM_ACTION_CLOCK, lambda problem: None)
        reconcile()
    reconcile()
    # then
    assert counted(Outcome.REPORTED) == reported + 1
    assert counted(Outcome.MENDED) == mended + 1


def test_open_discrepancies_are_those_a_recent_pass_found(settings):
    settings.SYNC_INTERVAL = 30
    now = timezone.now()
    for age in (10, 60, 3600):
        seen = now - dt.timedelta(seconds=age)
        Discrepancy.objects.create(target="TABLE", stream_id=str(age), rule="chips_match_ledger", message="-",
                                   first_seen=seen, last_seen=seen)
    # within three intervals (90 s): the first two
    assert open_discrepancies(now) == 2
    [family] = OpenDiscrepancies().collect()
    assert family.name == "pokerrt_discrepancies_open" and family.samples[0].value == 2
    settings.SYNC_INTERVAL = 0
    assert open_discrepancies(now) == 0 and list(OpenDiscrepancies().collect()) == []
