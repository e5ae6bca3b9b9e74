"""A command's transaction is retried after a deadlock or a serialization failure; a refusal never is.

The deadlock and the serialization failure are PostgreSQL's own (marked
``postgres``): two connections locking two rows in opposite order, and a
real SQLSTATE 40001 raised by the server inside a real ``TABLE_JOIN``.
The rest runs on either database.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any

import psycopg.errors
import pytest
from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from pokerrt import error_handlers, errors, retry
from pokerrt.realtime import processor, streams
from pokerrt.realtime.envelope import Command
from pokerrt.realtime.models import Event
from tables import actions, commands
from tables.models import Seat
from tests.metrics.helpers import value

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


def retries(kind: str, outcome: str) -> float:
    return value("pokerrt_retries_total", kind=kind, outcome=outcome)


def join(table_id: int, buy_in: int = 500) -> Command:
    return Command("TABLE_JOIN", "TABLE", str(table_id), {"buy_in": buy_in})


@pytest.fixture
def counted_joins(monkeypatch):
    """How many times TABLE_JOIN's action ran (each retry runs it again)."""
    calls: list[int] = []
    real = actions.do_join_table

    def counting(*args: Any, **kwargs: Any) -> Seat:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(commands.actions, "do_join_table", counting)
    return calls


@pytest.fixture
def no_waiting(monkeypatch):
    """Retries without their waits: the policy's shape, with delays too small to matter."""
    monkeypatch.setattr(retry, "TRANSACTION", retry.RetryPolicy(attempts=4, base=1e-6, cap=1e-6, time_budget=60))


def test_a_validation_error_is_never_retried(table, players, counted_joins):
    # given: below the table's minimum buy-in, outside any transaction (the retry is armed)
    assert not connection.in_atomic_block
    # when
    with pytest.raises(errors.Validation):
        processor.process(join(table.pk, buy_in=50), players[0])
    # then
    assert len(counted_joins) == 1
    assert not Seat.objects.filter(user=players[0]).exists()


def test_a_retried_handler_finds_its_data_whole_though_the_failed_try_took_from_it(monkeypatch):
    # given: a handler that pops its data, and loses a deadlock the first time
    tries: list[dict[str, Any]] = []

    def consuming(user: Any, stream_id: str | None, data: dict[str, Any]) -> str:
        tries.append(dict(data))
        lobby = data.pop("lobby")
        if len(tries) == 1:
            raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected("deadlock")
        return lobby

    monkeypatch.setattr(retry, "TRANSACTION", retry.RetryPolicy(attempts=2, base=1e-6, cap=1e-6, time_budget=60))
    processor.register_command("CONSUMING", "TALLY", handler=consuming, needs_auth=False)
    try:
        # when
        result = processor.process(Command("CONSUMING", "TALLY", "1", {"lobby": "7"}), None)
    finally:
        processor.unregister_command("CONSUMING", "TALLY")
    # then
    assert result == "7" and tries == [{"lobby": "7"}, {"lobby": "7"}]


def server_raises(sqlstate_name: str):
    """SQL that makes PostgreSQL itself raise the condition: a real error through psycopg and Django."""
    return f"DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '{sqlstate_name}'; END $$"


@pytest.mark.postgres
def test_a_serialization_failure_in_a_join_is_retried_once_and_the_join_happens_once(
        table, players, counted_joins, monkeypatch):
    # given: the first time the join takes its stream's seq, PostgreSQL fails it with 40001
    real_next_seq = streams.next_seq
    failed: list[BaseException] = []

    def next_seq(*args: Any, **kwargs: Any):
        if not failed:
            with connection.cursor() as cursor:
                try:
                    cursor.execute(server_raises("serialization_failure"))
                except OperationalError as error:
                    failed.append(error)
                    raise
        return real_next_seq(*args, **kwargs)

    monkeypatch.setattr(streams, "next_seq", next_seq)
    recovered = retries(retry.SERIALIZATION, retry.RECOVERED)
    # when
    result = processor.process(join(table.pk), players[0])
    # then: a real 40001, one retry, and one seat, one buy-in, one TABLE_JOIN
    assert getattr(failed[0].__cause__, "sqlstate", None) == "40001"
    assert len(counted_joins) == 2
    assert result == {"seat": Seat.objects.get(user=players[0]).number}
    assert Event.objects.filter(target="TABLE", stream_id=str(table.pk), type="TABLE_JOIN").count() == 1
    assert retries(retry.SERIALIZATION, retry.RECOVERED) == recovered + 1


async def test_a_fault_that_outlasts_the_budget_is_busy_over_the_socket_and_the_rest_api(
        open_socket, table, players, counted_joins, no_waiting, monkeypatch):
    # given: every try of the join finds the database locked
    def locked(*args: Any, **kwargs: Any):
        raise OperationalError("database is locked") from sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(streams, "next_seq", locked)
    gave_up = retries(retry.DATABASE_LOCKED, retry.GAVE_UP)
    ann = players[0]
    socket = await open_socket(ann)
    # when
    frame = (await socket.request("TABLE_JOIN", "TABLE", str(table.pk), {"buy_in": 500}))["data"]
    status, retry_after, body = await db(join_over_rest)(ann, table.pk)
    # then: the socket's command used the budget's tries, and both doors say "busy"
    assert len(counted_joins) == retry.TRANSACTION.attempts + 1  # the REST view does not retry
    assert retries(retry.DATABASE_LOCKED, retry.GAVE_UP) == gave_up + 1
    assert frame["code"] == body["code"] == "INTERNAL"
    assert frame["message"] == body["message"] == error_handlers.BUSY.message
    assert (status, retry_after) == (503, "1")
    assert not await db(Seat.objects.filter(user=ann).exists)()


class JoinView(APIView):
    """A REST door onto ``do_join_table``, as a tables endpoint would be."""

    def post(self, request: Request, table_id: str) -> Response:
        return Response({"seat": actions.do_join_table(request.user, table_id, 500).number})


def join_over_rest(user: Any, table_id: int) -> tuple[int, str, dict[str, Any]]:
    request = APIRequestFactory().post("/", {}, format="json")
    force_authenticate(request, user=user)
    response = JoinView.as_view()(request, table_id=str(table_id))
    response.render()
    return response.status_code, response.get("Retry-After", ""), json.loads(response.content)


MARKS = {"first": "<first>", "second": "<second>"}


@pytest.mark.postgres
def test_two_transactions_that_deadlock_the_loser_is_retried_and_succeeds_once(make_user):
    # given: two rows, and a command that locks them in the order it is told,
    # each thread waiting for the other to hold its first row before it asks for the second
    a, b = make_user("row-a"), make_user("row-b")
    User = get_user_model()
    both_hold_one = threading.Barrier(2, timeout=10)
    tries: dict[str, int] = {"first": 0, "second": 0}

    def lock_both(user: Any, stream_id: str | None, data: dict[str, Any]) -> None:
        name = data["name"]
        tries[name] += 1
        with transaction.atomic():
            # PostgreSQL looks for deadlocks after this wait (1 s by default).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL deadlock_timeout = '100ms'")
            User.objects.select_for_update().get(pk=data["order"][0])
            if tries[name] == 1:
                both_hold_one.wait()
            User.objects.select_for_update().get(pk=data["order"][1])
            User.objects.filter(pk__in=data["order"]).update(last_name=Concat(F("last_name"), Value(MARKS[name])))

    processor.register_command("LOCK_BOTH", "TALLY", handler=lock_both, needs_auth=False)
    outcomes: dict[str, BaseException | None] = {}

    def run(name: str, order: list[int]) -> None:
        try:
            processor.process(Command("LOCK_BOTH", "TALLY", "1", {"name": name, "order": order}), a)
            outcomes[name] = None
        except BaseException as error:  # reported by the assertion below
            outcomes[name] = error
        finally:
            connection.close()

    recovered = retries(retry.DEADLOCK, retry.RECOVERED)
    threads = [threading.Thread(target=run, args=("first", [a.pk, b.pk])),
               threading.Thread(target=run, args=("second", [b.pk, a.pk]))]
    # when
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        processor.unregister_command("LOCK_BOTH", "TALLY")
    # then: both commands succeeded; one of them needed a second try, the other one try
    assert outcomes == {"first": None, "second": None}
    assert sorted(tries.values()) == [1, 2]
    assert retries(retry.DEADLOCK, retry.RECOVERED) == recovered + 1
    # each row carries each command's mark exactly once: the loser's first try left nothing
    for row in User.objects.filter(pk__in=[a.pk, b.pk]):
        assert sorted([row.last_name.count(MARKS["first"]), row.last_name.count(MARKS["second"])]) == [1, 1]
