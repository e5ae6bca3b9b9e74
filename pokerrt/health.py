"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone


def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. Says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def _check_channel_layer() -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()

    async def round_trip() -> None:
        await layer.send(channel, {"type": "readyz.ping"})
        await asyncio.wait_for(layer.receive(channel), timeout=2)

    async_to_sync(round_trip)()
    return type(layer).__name__


def _check_broker() -> str:
    from pokerrt.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return conn.transport_cls if isinstance(conn.transport_cls, str) else "amqp"


def _check_event_bus() -> str:
    import pika

    from pokerrt.bus.parameters import bus_parameters

    pika.BlockingConnection(bus_parameters(settings.EVENT_BUS_URL, timeout=2)).close()
    return "rabbitmq"


def relay_lag() -> dict[str, object]:
    """How far the RabbitMQ relay is behind: the age of the oldest event it has yet to publish.

    Reported beside the checks, not as one: a relay that is down or slow
    leaves this node able to serve players (the journal keeps the events
    until the relay catches up), so it must not take the node out of the
    load balancer. ``behind`` is for alerting.
    """
    from pokerrt.realtime.streams import awaiting_bus

    oldest = awaiting_bus().order_by("pk").values_list("timestamp", flat=True).first()
    lag = 0.0 if oldest is None else max(0.0, (timezone.now() - oldest).total_seconds())
    return {
        "lag_seconds": round(lag, 3),
        "behind": lag > settings.EVENT_BUS_LAG_ALERT_SECONDS,
    }


def dependency_checks() -> dict[str, Callable[[], str]]:
    """One check per dependency this profile uses."""
    checks: dict[str, Callable[[], str]] = {
        "database": _check_database,
        "channel_layer": _check_channel_layer,
    }
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker
    if settings.EVENT_BUS_URL:
        checks["event_bus"] = _check_event_bus
    return checks


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: every dependency in use answers. 503 when one does not."""
    report: dict[str, dict[str, object]] = {}
    for name, check in dependency_checks().items():
        started = time.perf_counter()
        try:
            detail = check()
            report[name] = {"ok": True, "detail": detail}
        except Exception as error:  # a probe reports failures, it never raises
            report[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}
        report[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    ready = all(entry["ok"] for entry in report.values())
    body: dict[str, object] = {"status": "ready" if ready else "unavailable", "checks": report}
    if settings.EVENT_BUS_URL and report["database"]["ok"]:
        try:
            body["relay"] = relay_lag()
        except Exception as error:  # a probe reports failures, it never raises
            body["relay"] = {"error": f"{type(error).__name__}: {error}"[:200]}
    return JsonResponse(body, status=200 if ready else 503)
