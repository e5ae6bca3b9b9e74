"""A lobby's tournament rows: what the LOBBY stream lists, live registrations and pool included."""

import datetime as dt

import pytest
from django.utils import timezone

from lobby.actions import do_create_lobby
from tournament import actions
from tournament.lobby_rows import tournament_row, tournament_rows
from tournament.models import Tournament, TournamentStatus

pytestmark = pytest.mark.django_db


def test_a_row_sums_up_a_tournament_with_its_live_field(sng, players):
    for player in players[:3]:
        actions.do_register(player, sng.pk)
    actions.do_unregister(players[2], sng.pk)
    assert tournament_rows(sng.lobby_id) == [{
        "id": str(sng.pk), "name": "Sit & Go", "kind": "sng", "status": "registering", "registered": 2,
        "max_players": 6, "buy_in": 100, "fee": 10, "prize_pool": 200, "starts_at": None, "level": None,
    }]
    assert tournament_row(str(sng.pk)) == (sng.lobby_id, tournament_rows(sng.lobby_id)[0])


def test_a_scheduled_row_gives_its_start_in_rfc_3339(lobby):
    start = dt.datetime(2030, 1, 5, 18, 0, tzinfo=dt.UTC)
    mtt = actions.do_create_tournament(lobby, "Major", kind="mtt", starts_at=start)
    lobby_id, row = tournament_row(str(mtt.pk))
    assert (lobby_id, row["starts_at"], row["registered"], row["prize_pool"]) == (
        lobby.pk, "2030-01-05T18:00:00.000Z", 0, 0)


def test_each_lobby_lists_its_own_tournaments_in_creation_order(lobby, sng):
    later = actions.do_create_tournament(lobby, "Later", kind="mtt", starts_at=timezone.now())
    elsewhere = actions.do_create_tournament(do_create_lobby("Elsewhere"), "Away")
    assert [row["id"] for row in tournament_rows(lobby.pk)] == [str(sng.pk), str(later.pk)]
    assert [row["id"] for row in tournament_rows(elsewhere.lobby_id)] == [str(elsewhere.pk)]


def test_finished_and_cancelled_tournaments_leave_the_lobby(lobby, sng):
    done = actions.do_create_tournament(lobby, "Done")
    Tournament.objects.filter(pk=done.pk).update(status=TournamentStatus.FINISHED)
    actions.do_cancel_tournament(sng.pk)
    assert tournament_rows(lobby.pk) == []
    assert tournament_row(str(sng.pk)) == (lobby.pk, None)
    assert tournament_row(str(done.pk)) == (lobby.pk, None)


@pytest.mark.parametrize("tournament_id", ["999", "abc", ""])
def test_no_such_tournament_has_no_lobby_and_no_row(db, tournament_id):
    assert tournament_row(tournament_id) == (None, None)
