"""A betting action's reads (the table locked, its hand in play, the player's seat): what the ORM would give, in one statement on SQLite."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pokerrt import errors
from tables import actions
from tables.actions.base import locked_table_with_seat
from tables.models import Hand, HandStatus, Seat, Table

pytestmark = pytest.mark.django_db


def fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            if f.attname not in instance.get_deferred_fields()}


def test_the_table_hand_and_seat_are_the_orms_rows(table, seated):
    # given: a hand in play, with a deadline, JSON and booleans on the rows
    actions.do_start_hand(table.pk)
    player = seated[1]
    # when
    with locked_table_with_seat(table.pk, player) as (locked, hand, seat):
        pass
    # then
    assert fields(locked) == fields(Table.objects.get(pk=table.pk))
    live = Hand.objects.get(table=table, status=HandStatus.LIVE)
    assert hand.pk == live.pk and hand.action_deadline == live.action_deadline and hand.players == live.players
    # The deck, config and result are left out, as live_hand leaves them: loaded on first use.
    assert {"deck", "config", "result"} <= hand.get_deferred_fields()
    assert hand.config == live.config
    assert fields(seat) == fields(Seat.objects.get(table=table, user=player))
    assert isinstance(seat.leaving, bool) and seat.user_id == player.pk


def test_no_hand_in_play_and_no_seat_are_none(table, seated, make_user):
    stranger = make_user("stranger")
    with locked_table_with_seat(table.pk, stranger) as (locked, hand, seat):
        assert (locked.pk, hand, seat) == (table.pk, None, None)
    with locked_table_with_seat(str(table.pk), AnonymousUser()) as (locked, hand, seat):
        assert (locked.pk, hand, seat) == (table.pk, None, None)


def test_an_ended_hand_is_not_in_play(table, seated):
    actions.do_start_hand(table.pk)
    Hand.objects.filter(table=table).update(status=HandStatus.ENDED)
    with locked_table_with_seat(table.pk, seated[0]) as (_, hand, seat):
        assert hand is None and seat.user_id == seated[0].pk


@pytest.mark.parametrize("table_id", [987654, "nope"])
def test_a_table_that_is_not_there_is_not_found(db, table_id):
    with pytest.raises(errors.NotFound), locked_table_with_seat(table_id, AnonymousUser()):
        pass


def test_one_statement_where_the_transaction_is_the_lock(table, seated):
    actions.do_start_hand(table.pk)
    with CaptureQueriesContext(connection) as queries, locked_table_with_seat(table.pk, seated[0]):
        pass
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == (3 if connection.features.has_select_for_update else 1)
