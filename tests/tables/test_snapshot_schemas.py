"""The TABLE and PLAYER snapshots match their schemas (tables/events.py) at each point of a hand."""

import pytest

from pokerrt.realtime.snapshots import player_snapshot
from tables import actions
from tables.snapshots import table_snapshot
from tests.event_checks import snapshot_problems

from .helpers import current_hand, fire_now, passive, play_out

pytestmark = pytest.mark.django_db


def assert_snapshots_match(table, user):
    assert snapshot_problems("TABLE", table_snapshot(str(table.pk))) == []
    assert snapshot_problems("PLAYER", player_snapshot(str(user.pk), user)) == []


def test_snapshots_match_their_schemas_before_during_and_after_a_hand(table, seated):
    # given a table with three players and no hand
    assert_snapshots_match(table, seated[0])
    # when a hand is dealt, a player's clock runs into the time bank, then the hand is played out
    actions.do_start_hand(table.pk)
    assert current_hand(table) is not None
    assert_snapshots_match(table, seated[0])
    assert fire_now(f"table:{table.pk}:action")
    assert_snapshots_match(table, seated[0])
    play_out(table, passive)
    # then every snapshot on the way matched, and the one after the hand does too
    assert_snapshots_match(table, seated[0])
