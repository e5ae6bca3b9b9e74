"""/readyz reports the relay's lag beside its checks, without failing the node for it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pokerrt.realtime.models import Event

from .hands import play_hands

pytestmark = pytest.mark.django_db(transaction=True)


def test_readyz_says_nothing_of_a_relay_when_the_bridge_is_off(client):
    assert "relay" not in client.get("/readyz").json()


def test_readyz_reports_the_age_of_the_oldest_unpublished_event(client, seated, table, settings):
    # given a bus that does not answer, and events waiting for ten minutes
    settings.EVENT_BUS_URL = "amqp://guest:guest@127.0.0.1:1//"
    settings.EVENT_BUS_LAG_ALERT_SECONDS = 60
    play_hands(table, 1)
    Event.objects.update(timestamp=timezone.now() - dt.timedelta(minutes=10))
    # when the node is probed
    relay = client.get("/readyz").json()["relay"]
    # then the lag is the oldest event's age, and it counts as behind
    assert 600 <= relay["lag_seconds"] < 3600
    assert relay["behind"] is True


def test_a_published_journal_has_no_lag(client, seated, table, settings):
    settings.EVENT_BUS_URL = "amqp://guest:guest@127.0.0.1:1//"
    play_hands(table, 1)
    Event.objects.update(published_at=timezone.now())
    relay = client.get("/readyz").json()["relay"]
    assert relay == {"lag_seconds": 0.0, "behind": False}
