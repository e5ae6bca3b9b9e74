"""The TOURNAMENT rules hold through play, and a drift nothing can mend is reported."""

from __future__ import annotations

import pytest

from pokerrt.realtime.models import Discrepancy
from pokerrt.realtime.reconcile import Outcome, reconcile
from pokerrt.realtime.validation import validate
from tables.actions import do_start_hand
from tables.models import Hand, HandStatus
from tests.tables.helpers import passive, play_out
from tournament import actions
from tournament.models import Entry, TournamentTable

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(lobby, players):
    sng = actions.do_create_tournament(lobby, "Sit & Go", buy_in=100, fee=10, starting_stack=1500,
                                       min_players=2, max_players=6, table_size=6)
    for player in players[:3]:
        actions.do_register(player, sng.pk)
    return actions.do_start_tournament(sng.pk)


def test_the_rules_hold_of_a_tournament_and_its_tables_through_hands(running):
    tournament_table = TournamentTable.objects.get(tournament=running)
    table = tournament_table.table
    for _ in range(2):
        if not Hand.objects.filter(table=table, status=HandStatus.LIVE).exists():
            do_start_hand(table.pk)
        play_out(table, passive)
        assert validate("TOURNAMENT", running.pk) == []
        assert validate("TABLE", table.pk) == []
    assert reconcile() == []


def test_two_entries_holding_one_place_are_reported_not_mended(running):
    # given: two entries both finished second
    entries = Entry.objects.filter(tournament=running).order_by("pk")[:2]
    Entry.objects.filter(pk__in=[e.pk for e in entries]).update(finish_position=2)
    # when
    findings = reconcile()
    # then
    assert [(f.problem.rule, f.outcome) for f in findings] == [("places_unique", Outcome.REPORTED)]
    assert Discrepancy.objects.get().stream_id == str(running.pk)


def test_staff_read_the_reports_in_the_admin_and_cannot_edit_them(admin_client, running):
    Entry.objects.filter(tournament=running).update(finish_position=1)
    reconcile()
    page = admin_client.get("/admin/realtime/discrepancy/")
    assert page.status_code == 200 and b"places_unique" in page.content
    assert admin_client.get("/admin/realtime/discrepancy/add/").status_code == 403
