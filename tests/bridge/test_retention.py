"""Retention with the bridge on: published rows go, unpublished ones wait for the relay up to a hard limit."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import prune_journal

from .hands import play_hands

pytestmark = pytest.mark.django_db(transaction=True)

BUS = "amqp://guest:guest@127.0.0.1:1//"


def age(hours: float) -> None:
    Event.objects.update(timestamp=timezone.now() - dt.timedelta(hours=hours))


def test_published_rows_are_pruned_and_unpublished_ones_wait(seated, table, settings):
    # given a journal a day and a half old, half of its table stream published
    settings.EVENT_BUS_URL = BUS
    play_hands(table, 1)
    age(36)
    table_events = Event.objects.filter(target="TABLE").order_by("seq")
    published = [event.pk for event in table_events[: table_events.count() // 2]]
    Event.objects.filter(pk__in=published).update(published_at=timezone.now())
    # when retention keeps nothing by count and a day by age
    prune_journal(keep_events=0, keep_hours=24)
    # then the published table rows went, the unpublished stayed
    assert not Event.objects.filter(pk__in=published).exists()
    assert Event.objects.filter(target="TABLE").count() == table_events.count()
    # and the private PLAYER rows, which the bus does not carry, went as usual
    assert not Event.objects.filter(target="PLAYER").exists()


def test_private_rows_wait_too_when_the_bus_carries_them(seated, table, settings):
    settings.EVENT_BUS_URL = BUS
    settings.EVENT_BUS_PUBLISH_PRIVATE = True
    play_hands(table, 1)
    age(36)
    prune_journal(keep_events=0, keep_hours=24)
    assert Event.objects.filter(target="PLAYER").exists()


def test_unpublished_rows_past_the_hard_limit_go_with_an_error_in_the_log(seated, table, settings, caplog):
    # given a relay that has published nothing for longer than the hard limit
    settings.EVENT_BUS_URL = BUS
    settings.EVENT_BUS_RETENTION_HARD_HOURS = 48
    play_hands(table, 1)
    age(72)
    unpublished = Event.objects.filter(target="TABLE").count()
    # when retention runs
    with caplog.at_level(logging.ERROR, logger="pokerrt.realtime.streams"):
        deleted = prune_journal(keep_events=0, keep_hours=24)
    # then they went, and the log says the relay lost them
    assert not Event.objects.exists()
    assert deleted >= unpublished
    alert = [record for record in caplog.records if "never published" in record.getMessage()]
    assert any(f"TABLE.{table.pk}" in record.getMessage() for record in alert)


def test_unpublished_rows_within_the_hard_limit_are_kept(seated, table, settings):
    settings.EVENT_BUS_URL = BUS
    settings.EVENT_BUS_RETENTION_HARD_HOURS = 48
    play_hands(table, 1)
    age(36)
    table_events = Event.objects.filter(target="TABLE").count()
    prune_journal(keep_events=0, keep_hours=24)
    assert Event.objects.filter(target="TABLE").count() == table_events
