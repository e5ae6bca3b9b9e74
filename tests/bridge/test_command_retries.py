"""A command message whose transaction loses a deadlock runs again whole: one record, one seat; a refusal runs once."""

from __future__ import annotations

import json
from typing import Any

import psycopg.errors
import pytest
from django.db import OperationalError
from rest_framework.authtoken.models import Token

from pokerrt import errors, retry
from pokerrt.bus.commands import run_command
from pokerrt.bus.models import ProcessedMessage
from pokerrt.realtime import processor
from tables.models import Seat

pytestmark = pytest.mark.django_db(transaction=True)


class Runs:
    """The processor's runs; the first ``deadlocks`` of them lose a deadlock after the record was written."""

    def __init__(self) -> None:
        self.count = 0
        self.deadlocks = 0


@pytest.fixture
def runs(monkeypatch):
    counted = Runs()
    real = processor.process

    def process(*args: Any, **kwargs: Any) -> object:
        counted.count += 1
        if counted.count <= counted.deadlocks:
            assert ProcessedMessage.objects.exists()  # inside the transaction that records it
            raise OperationalError("deadlock detected") from psycopg.errors.DeadlockDetected("deadlock")
        return real(*args, **kwargs)

    monkeypatch.setattr(processor, "process", process)
    monkeypatch.setattr(retry, "TRANSACTION", retry.RetryPolicy(attempts=3, base=1e-6, cap=1e-6, time_budget=60))
    return counted


def message(user: Any, table_id: int, buy_in: int) -> tuple[dict[str, str], bytes]:
    key = Token.objects.get_or_create(user=user)[0].key
    body = {"type": "TABLE_JOIN", "target": "TABLE", "id": str(table_id), "data": {"buy_in": buy_in}}
    return {"authorization": f"Token {key}"}, json.dumps(body).encode()


def test_a_deadlocked_command_message_runs_again_whole_and_once(table, make_user, runs):
    runs.deadlocks = 1
    ann = make_user("ann")
    headers, body = message(ann, table.pk, 500)
    # when
    outcome = run_command("m-1", headers, body)
    # then: the first try's record rolled back with it; the second wrote both
    assert runs.count == 2 and not outcome.duplicate
    assert ProcessedMessage.objects.filter(message_id="m-1").count() == 1
    assert Seat.objects.filter(table=table, user=ann).count() == 1


def test_a_refused_command_message_is_tried_once(table, make_user, runs):
    ann = make_user("ann")
    headers, body = message(ann, table.pk, 5)  # below the table's minimum
    with pytest.raises(errors.Validation):
        run_command("m-2", headers, body)
    assert runs.count == 1
    assert not ProcessedMessage.objects.filter(message_id="m-2").exists()
