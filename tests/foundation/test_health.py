"""/healthz and /readyz: one entry per dependency the profile uses."""

import pytest

from tests.services import RABBITMQ_URL

pytestmark = pytest.mark.django_db


def test_healthz_says_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_on_the_embedded_profile_checks_database_and_channel_layer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    checks = response.json()["checks"]
    assert set(checks) == {"database", "channel_layer"}
    assert all(entry["ok"] for entry in checks.values())


@pytest.mark.rabbitmq
def test_readyz_checks_the_broker_and_event_bus_when_configured(client, settings):
    settings.CELERY_BROKER_URL = RABBITMQ_URL
    settings.EVENT_BUS_URL = RABBITMQ_URL
    from pokerrt.celery import app

    app.conf.broker_url = RABBITMQ_URL
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_url = None
    assert response.status_code == 200, response.json()
    checks = response.json()["checks"]
    assert checks["broker"]["ok"] and checks["event_bus"]["ok"]


def test_readyz_is_503_when_a_dependency_fails(client, settings):
    settings.EVENT_BUS_URL = "amqp://guest:guest@127.0.0.1:1//"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["event_bus"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
