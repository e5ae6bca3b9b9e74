"""A table's lobby row read alone (every hand's end sends it) is the row the whole lobby's read gives."""

from __future__ import annotations

import pytest

from tables import actions
from tables.lobby_rows import row_of_item, rows_of_lobby
from tables.models import Hand, HandStatus, TableStatus

from .helpers import passive, play_out

pytestmark = pytest.mark.django_db


def the_lobbys_row(table) -> dict:
    return next(row for row in rows_of_lobby(table.lobby_id) if row["id"] == str(table.pk))


def test_a_new_table_has_no_hour_of_play(table):
    assert row_of_item(str(table.pk)) == (table.lobby_id, the_lobbys_row(table))
    assert the_lobbys_row(table)["hands_per_hour"] == 0 and the_lobbys_row(table)["players"] == 0


def test_after_hands_with_a_player_sitting_out_the_rows_agree(table, seated, players, settings):
    # given: three hands played, a fourth player sitting out, one old hand outside the hour
    for _ in range(3):
        actions.do_start_hand(table.pk)
        play_out(table, passive)
    actions.do_join_table(players[3], table.pk, 1000)
    actions.do_sit_out(players[3], table.pk)
    first = Hand.objects.filter(table=table, status=HandStatus.ENDED).order_by("pk").first()
    Hand.objects.filter(pk=first.pk).update(ended_at=first.ended_at - actions.base.dt.timedelta(hours=2), pot=999)
    # when
    lobby_id, row = row_of_item(str(table.pk))
    # then
    assert (lobby_id, row) == (table.lobby_id, the_lobbys_row(table))
    assert row["players"] == 4 and row["waiting"] == 1 and row["hands_per_hour"] == 2
    pots = list(Hand.objects.filter(table=table, status=HandStatus.ENDED).exclude(pk=first.pk)
                .values_list("pot", flat=True))
    assert row["average_pot"] == round(sum(pots) / len(pots))


def test_a_closed_table_has_no_row_and_a_missing_one_no_lobby(table):
    table.status = TableStatus.CLOSED
    table.save(update_fields=["status"])
    assert row_of_item(str(table.pk)) == (table.lobby_id, None)
    assert row_of_item("987654") == (None, None)
