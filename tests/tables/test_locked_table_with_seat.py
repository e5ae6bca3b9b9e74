"""A betting action's reads (the table locked, its hand in play, the player's seat): what the ORM would give, in one statement on SQLite, two on PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from pokerrt import errors
from tables import actions
from tables.actions.base import locked_table, locked_table_with_seat
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
    if connection.features.has_select_for_update:
        assert len(reads) == 2 and reads[0].endswith("FOR UPDATE") and "JOIN" in reads[1]
    else:
        assert len(reads) == 1


def waiting_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_after_waiting_for_the_lock_the_read_sees_what_the_holder_committed(table, seated):
    """Why PostgreSQL locks in a statement of its own: a seat joined in the locking statement would be read as it was before the wait."""
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite's lock is the whole transaction (BEGIN IMMEDIATE), not a row")
    player = seated[0]
    holding, done = threading.Event(), threading.Event()
    seen: list = []

    def holder() -> None:
        try:
            with locked_table(table.pk):
                Seat.objects.filter(table=table, user=player).update(timeouts_in_row=2)
                holding.set()
                done.wait(timeout=30)
        finally:
            connections.close_all()

    def reader() -> None:
        try:
            with locked_table_with_seat(table.pk, player) as (_, _, seat):
                seen.append(seat.timeouts_in_row)
        finally:
            connections.close_all()

    first = threading.Thread(target=holder)
    first.start()
    assert holding.wait(timeout=30)
    second = threading.Thread(target=reader)
    second.start()
    # Commit only once the reader waits for the table's lock.
    deadline = time.monotonic() + 30
    while waiting_locks() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert waiting_locks() == 1
    done.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert seen == [2]
