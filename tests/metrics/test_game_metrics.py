"""Hands played and timer lateness move with the game, counted on commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lobby.actions import do_create_lobby
from pokerrt.timers import fire, schedule
from tables import actions
from tests.tables.helpers import current_hand, play_out
from tests.timers import handlers

from .helpers import Moved

RECORD = "tests.timers.record"


@pytest.mark.django_db(transaction=True)
def test_a_hand_that_ends_counts_once(make_user, monkeypatch):
    # The next hand waits for its timer: only the hand played here ends.
    monkeypatch.setattr("pokerrt.timers.actions.request_wake_up", lambda *wake_up: None)
    lobby = do_create_lobby("Counting")
    table = actions.do_create_table(lobby, "Heads up", small_blind=5, big_blind=10, max_seats=2,
                                    min_buy_in=100, max_buy_in=2000, action_seconds=20, time_bank_seconds=30)
    ann, ben = make_user("ann"), make_user("ben")
    for player in (ann, ben):
        actions.do_join_table(player, table.pk, 1000)
    moved = Moved(("pokerrt_hands_played_total", {}), ("pokerrt_events_total", {"target": "TABLE",
                                                                                  "type": "HAND_END"}))
    # The first deal waits for a timer whose wake-up is dropped here: deal it now.
    actions.do_start_hand(table.pk)
    assert current_hand(table) is not None
    play_out(table, lambda legal, dealt: ("fold", None))
    assert moved("pokerrt_hands_played_total") == 1
    assert moved("pokerrt_events_total", target="TABLE", type="HAND_END") == 1


@pytest.mark.django_db
def test_a_deadline_that_fires_late_is_observed_with_its_lateness(monkeypatch):
    monkeypatch.setattr("pokerrt.timers.actions.request_wake_up", lambda *wake_up: None)
    handlers.FIRED.clear()
    moved = Moved(("pokerrt_timer_lateness_seconds_count", {}),
                  ("pokerrt_timer_lateness_seconds_bucket", {"le": "10.0"}),
                  ("pokerrt_timer_lateness_seconds_bucket", {"le": "60.0"}))
    # 15 s late, and the bounds leave half a minute for a busy machine.
    version = schedule("metrics:late", RECORD, timezone.now() - timedelta(seconds=15))
    assert fire("metrics:late", version)
    assert not fire("metrics:late", version)  # a duplicate wake-up fires nothing, observes nothing
    assert moved("pokerrt_timer_lateness_seconds_count") == 1
    assert moved("pokerrt_timer_lateness_seconds_bucket", le="10.0") == 0
    assert moved("pokerrt_timer_lateness_seconds_bucket", le="60.0") == 1
