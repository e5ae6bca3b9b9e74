"""An emitted event's data is JSON-encoded once: the journal stores that text and the frame is written around it.

The frame must stay what ``json.dumps(event_frame(event))`` writes, byte for
byte (clients, the tail and replays see both), and the journal must hold
what the ORM would have stored.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from pokerrt.realtime import streams
from pokerrt.realtime.envelope import format_timestamp
from pokerrt.realtime.models import Event

DATA = [
    {},
    {"n": 1, "name": "Zoë ♠ \"quoted\" \\ back", "nested": {"list": [1, 2.5, None, True, False]}},
    {"when": dt.datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=dt.UTC), "amount": Decimal("1.50"),
     "id": uuid.UUID(int=7), 3: "int key", "t": (1, 2)},
    {"big": 10**18, "small": -0.0001, "empty": "", "unicode_key_é": [[], {}]},
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("data", DATA)
def test_the_frame_is_json_dumps_of_the_envelope_byte_for_byte(sent, data):
    with transaction.atomic():
        [event] = streams.emit_many([("TALLY", "t1", "ADD", data)])
    assert event.data_json is not None
    assert streams.event_text(event) == json.dumps(streams.event_frame(event), cls=DjangoJSONEncoder)
    # What an event read back from the journal (a replay, the tail) gets: the
    # same frame (PostgreSQL's jsonb gives the keys back in an order of its own).
    stored = Event.objects.get(pk=event.pk)
    assert not hasattr(stored, "data_json")
    assert json.loads(streams.event_text(stored)) == json.loads(streams.event_text(event))
    if connection.vendor == "sqlite":
        assert streams.event_text(stored) == streams.event_text(event)
    assert stored.data == event.data == json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@pytest.mark.django_db(transaction=True)
def test_the_journal_holds_the_text_the_orm_would_have_written(sent):
    data = DATA[1]
    with transaction.atomic():
        [event] = streams.emit_many([("TALLY", "t2", "ADD", data)])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT data FROM {Event._meta.db_table} WHERE id = %s", [event.pk])
        [(raw,)] = cursor.fetchall()
    value = raw if not isinstance(raw, str) else json.loads(raw)
    assert value == event.data
    if connection.vendor == "sqlite":
        assert raw == json.dumps(event.data)


@pytest.mark.django_db(transaction=True)
def test_a_batch_keeps_each_events_own_text(sent):
    with transaction.atomic():
        events = streams.emit_many([("TALLY", "t3", "ADD", {"n": n}) for n in range(5)])
    assert [Event.objects.get(pk=e.pk).data for e in events] == [{"n": n} for n in range(5)]
    assert [json.loads(streams.event_message(e)["text"])["data"] for e in sent] == [{"n": n} for n in range(5)]


def test_format_timestamp_is_rfc3339_utc_milliseconds():
    moment = dt.datetime(2026, 11, 28, 12, 0, 0, 999999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_timestamp(moment) == "2026-11-28T10:00:00.999Z"
    assert format_timestamp(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == "2026-01-02T03:04:05.000Z"
