"""REST requests are limited per logged-in user and per client address."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_a_user_over_the_limit_is_rate_limited_wherever_they_call_from(settings, user):
    settings.POKERRT_THROTTLES = {**settings.POKERRT_THROTTLES, "api_user": "3/1m", "api_address": "off"}
    client = APIClient()
    client.force_authenticate(user)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert client.get("/api/me/", REMOTE_ADDR=address).status_code == 200
    limited = client.get("/api/me/", REMOTE_ADDR="10.0.0.4")
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMITED"
    assert int(limited["Retry-After"]) >= 1


def test_an_address_over_the_limit_is_rate_limited_whoever_calls(settings, make_user):
    settings.POKERRT_THROTTLES = {**settings.POKERRT_THROTTLES, "api_user": "off", "api_address": "2/1m"}
    anonymous = APIClient()
    assert anonymous.get("/api/lobbies/").status_code == 200
    other = APIClient()
    other.force_authenticate(make_user("bob"))
    assert other.get("/api/me/").status_code == 200
    assert anonymous.get("/api/lobbies/").json()["code"] == "RATE_LIMITED"
    assert anonymous.get("/api/lobbies/", REMOTE_ADDR="10.9.9.9").status_code == 200
