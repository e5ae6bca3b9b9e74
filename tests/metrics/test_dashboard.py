"""The staff dashboard: its page and JSON are staff-only, and the JSON reads the values /metrics exports."""

from __future__ import annotations

import pytest
from django.test import Client

from pokerrt import metrics


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.mark.django_db
def test_the_page_is_for_staff_only(staff_client, user):
    page = staff_client.get("/staff/metrics/")
    assert page.status_code == 200
    assert b'src="/static/js/staff_metrics.mjs"' in page.content
    for key in ("connections", "events", "commands", "command_latency", "delivery", "heartbeat", "relay_lag"):
        assert f'data-chart="{key}"'.encode() in page.content
    player = Client()
    player.force_login(user)
    assert player.get("/staff/metrics/").status_code == 302  # to the admin's log-in
    assert Client().get("/staff/metrics/").status_code == 302


@pytest.mark.django_db
def test_the_json_is_for_staff_only_even_from_this_host(user):
    player = Client()
    player.force_login(user)
    for client in (Client(), player):
        response = client.get("/staff/metrics.json", REMOTE_ADDR="127.0.0.1")
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"


@pytest.mark.django_db
def test_the_json_reads_the_exported_values(staff_client, settings):
    settings.EVENT_BUS_URL = ""
    before = staff_client.get("/staff/metrics.json").json()
    # when: the app counts a command, a connection, an event and a delivery
    metrics.COMMANDS.labels("PING", "ok").inc()
    metrics.COMMANDS.labels("PLAYER_ACTION", "NOT_YOUR_TURN").inc(2)
    metrics.CONNECTIONS.inc()
    metrics.EVENTS.labels("TABLE", "PLAYER_ACTION").inc()
    metrics.DELIVERY_SECONDS.observe(0.003)
    try:
        after = staff_client.get("/staff/metrics.json").json()
    finally:
        metrics.CONNECTIONS.dec()
    # then
    assert after["commands"]["ok"] - before["commands"].get("ok", 0) == 1
    assert after["commands"]["NOT_YOUR_TURN"] - before["commands"].get("NOT_YOUR_TURN", 0) == 2
    assert after["connections"] - before["connections"] == 1
    assert after["events"] - before["events"] == 1
    delivery = after["histograms"]["delivery_seconds"]
    assert delivery["count"] - before["histograms"]["delivery_seconds"]["count"] == 1
    buckets = dict(delivery["buckets"])
    assert buckets["+Inf"] == delivery["count"] and "0.005" in buckets
    assert after["relay_lag_seconds"] is None
    assert after["at"] >= before["at"]
