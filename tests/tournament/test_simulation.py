"""A whole tournament of bots through the actions, on simulated time (tournament/simulation.py)."""

import pytest

from pokerrt.accounts.audit import audit
from tournament.models import Entry, EntryStatus, TournamentStatus
from tournament.simulation import make_field, run

pytestmark = pytest.mark.django_db


def _finished_properly(tournament, report, players):
    tournament.refresh_from_db()
    assert tournament.status == TournamentStatus.FINISHED
    assert report.problems == []
    assert report.chip_problems == []
    entries = list(Entry.objects.filter(tournament=tournament))
    assert all(e.status == EntryStatus.ELIMINATED for e in entries)
    assert sorted(e.finish_position for e in entries) == list(range(1, players + 1))
    assert sum(e.prize for e in entries) == tournament.field()[1]
    assert audit() == []


def test_a_sit_and_go_field_of_six_plays_to_its_winner():
    tournament = make_field(6, level_minutes=1, table_size=6)
    report = run(tournament, seed=3)
    _finished_properly(tournament, report, 6)
    assert report.hands > 0


def test_forty_bots_over_five_tables_play_down_through_merges_and_balances():
    tournament = make_field(40, level_minutes=1)
    report = run(tournament, seed=7)
    _finished_properly(tournament, report, 40)
    assert report.moves > 0
    # Each player moved hears it on their own stream, their registrations following them.
    from pokerrt.realtime.models import Event

    moves = [(e.type, move) for e in Event.objects.filter(target="TOURNAMENT", stream_id=str(tournament.pk),
                                                          type__in=("TABLE_BALANCE", "TABLE_MERGE"))
             for move in e.data["moves"]]
    own = [(e.type, e.data) for e in Event.objects.filter(target="PLAYER", type__in=("TABLE_BALANCE", "TABLE_MERGE"))]
    assert len(own) == len(moves) == report.moves
    for kind, data in own:
        [registration] = [r for r in data["registrations"] if r["tournament_id"] == str(tournament.pk)]
        assert registration["table_id"] == data["to_table"]
        assert (kind, data["to_table"], data["seat"]) in {(k, m["to_table"], m["seat"]) for k, m in moves}


def test_a_whole_tournament_s_events_rebuild_its_snapshot():
    from tests.realtime.consistency import assert_events_replay

    tournament = make_field(20, level_minutes=1, table_size=6)
    events = assert_events_replay("TOURNAMENT", tournament.pk, None, lambda: run(tournament, seed=11))
    kinds = {event["type"] for event in events}
    assert {"TOURNAMENT_START", "LEVEL_UP", "PLAYER_ELIMINATION", "TOURNAMENT_END"} <= kinds
    assert kinds & {"TABLE_MERGE", "TABLE_BALANCE"}


@pytest.mark.parametrize("hands", [3, 9, 16])
def test_mid_tournament_the_events_keep_the_standings_and_the_clock_exact(hands):
    """Chips move every hand and the clock every level: a subscriber follows both, not only the start and the end."""
    from tests.realtime.consistency import assert_events_replay

    # Forty at six tables: a few rounds of hands leave most of the field in play.
    tournament = make_field(40, level_minutes=1, table_size=6)
    events = assert_events_replay("TOURNAMENT", tournament.pk, None,
                                  lambda: run(tournament, seed=11, max_hands=hands))
    tournament.refresh_from_db()
    assert tournament.status == TournamentStatus.RUNNING
    if hands > 3:  # hands ended and their after-hands task ran
        assert any(event["type"] == "TOURNAMENT_UPDATE" and event["data"].get("players") for event in events)


@pytest.mark.slow
def test_two_hundred_bots_with_one_minute_levels_play_to_the_end():
    tournament = make_field(200, level_minutes=1)
    report = run(tournament, seed=200)
    _finished_properly(tournament, report, 200)
    assert report.moves > 0 and report.balances > 0
