"""Who may read /metrics: staff, the bearer token, this host; everyone else gets 403."""

from __future__ import annotations

import pytest
from django.test import Client

REMOTE = "203.0.113.7"


@pytest.fixture
def anyone():
    return Client()


@pytest.mark.django_db
def test_an_anonymous_remote_client_is_refused(anyone):
    response = anyone.get("/metrics", REMOTE_ADDR=REMOTE)
    assert response.status_code == 403
    assert b"pokerrt_" not in response.content


@pytest.mark.django_db
def test_a_logged_in_player_who_is_not_staff_is_refused(anyone, user):
    anyone.force_login(user)
    assert anyone.get("/metrics", REMOTE_ADDR=REMOTE).status_code == 403


@pytest.mark.django_db
def test_this_host_may_scrape_without_credentials(anyone):
    for address in ("127.0.0.1", "::1"):
        response = anyone.get("/metrics", REMOTE_ADDR=address)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain; version=")
        assert b"# TYPE pokerrt_connections gauge" in response.content


@pytest.mark.django_db
def test_a_request_a_proxy_forwarded_is_not_local(anyone):
    # A reverse proxy on the same host connects from 127.0.0.1 for every visitor.
    response = anyone.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=REMOTE)
    assert response.status_code == 403
    assert anyone.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_FORWARDED=f"for={REMOTE}").status_code == 403


@pytest.mark.django_db
def test_the_bearer_token_opens_it_from_anywhere(anyone, settings):
    settings.METRICS_TOKEN = "s3cret-scraper-token"
    response = anyone.get("/metrics", REMOTE_ADDR=REMOTE, HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")
    assert response.status_code == 200
    assert b"pokerrt_commands" in response.content


@pytest.mark.django_db
def test_a_wrong_token_is_refused_even_from_this_host(anyone, settings):
    settings.METRICS_TOKEN = "s3cret-scraper-token"
    for header in ("Bearer wrong", "Bearer ", "Bearer s3cret-scraper-tokenX"):
        assert anyone.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION=header).status_code == 403


@pytest.mark.django_db
def test_no_token_configured_means_no_bearer_works(anyone, settings):
    settings.METRICS_TOKEN = ""
    assert anyone.get("/metrics", REMOTE_ADDR=REMOTE, HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_a_staff_session_may_scrape_from_anywhere(anyone, staff_user):
    anyone.force_login(staff_user)
    assert anyone.get("/metrics", REMOTE_ADDR=REMOTE).status_code == 200


@pytest.mark.django_db
def test_only_get(anyone):
    assert anyone.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405


@pytest.mark.django_db
def test_the_relay_lag_is_exported_only_with_a_relay(anyone, settings):
    settings.EVENT_BUS_URL = ""
    assert b"pokerrt_relay_lag_seconds" not in anyone.get("/metrics", REMOTE_ADDR="127.0.0.1").content
    settings.EVENT_BUS_URL = "amqp://guest:guest@127.0.0.1:5672/"
    body = anyone.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "pokerrt_relay_lag_seconds 0.0" in body


@pytest.mark.django_db
def test_prometheus_scraping_a_node_over_plain_http_is_not_redirected(anyone, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert anyone.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert anyone.get("/", REMOTE_ADDR="127.0.0.1").status_code == 301
