"""Stream leases: one relay publishes a stream at a time; a dead relay's streams free up on expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pokerrt.bus.leases import claim_streams, release_streams
from pokerrt.bus.models import RelayLease

pytestmark = pytest.mark.django_db

STREAMS = [("TABLE", "1"), ("TABLE", "2")]


def test_a_stream_leased_by_one_relay_is_not_given_to_another():
    assert sorted(claim_streams("relay-a", STREAMS, 60)) == STREAMS
    assert claim_streams("relay-b", STREAMS, 60) == []
    assert sorted(claim_streams("relay-b", [*STREAMS, ("TABLE", "3")], 60)) == [("TABLE", "3")]


def test_the_holder_renews_its_own_lease():
    claim_streams("relay-a", STREAMS[:1], 60)
    first = RelayLease.objects.get().expires_at
    assert claim_streams("relay-a", STREAMS[:1], 120) == STREAMS[:1]
    assert RelayLease.objects.get().expires_at > first


def test_an_expired_lease_goes_to_the_next_relay_that_asks():
    claim_streams("relay-a", STREAMS, 60)
    RelayLease.objects.filter(stream_id="1").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert claim_streams("relay-b", STREAMS, 60) == [("TABLE", "1")]
    assert RelayLease.objects.get(stream_id="1").holder == "relay-b"


def test_a_relay_stopping_cleanly_gives_its_leases_back():
    claim_streams("relay-a", STREAMS, 60)
    assert release_streams("relay-a") == 2
    assert sorted(claim_streams("relay-b", STREAMS, 60)) == STREAMS
