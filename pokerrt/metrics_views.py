"""``/metrics`` for Prometheus (who may read it, the exposition) and the staff dashboard reading the same values.

Allowed: a staff session, ``Authorization: Bearer <METRICS_TOKEN>``, or a
request from this host that no proxy forwarded. Everything else gets 403 (the
path is documented, hiding it would only confuse an operator), and so does a
wrong bearer token even from this host: a scraper with a stale token should
fail loudly, not pass on its address.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pokerrt.scrape import Scrape

LOOPBACK = frozenset({"127.0.0.1", "::1"})


def _bearer(request: HttpRequest) -> str | None:
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    return credential.strip() if scheme.lower() == "bearer" else None


def may_scrape(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        return True
    presented = _bearer(request)
    if presented is not None:
        token = settings.METRICS_TOKEN
        return bool(token) and hmac.compare_digest(presented.encode(), token.encode())
    # A reverse proxy on this host would make every visitor look local: a
    # forwarded request is never treated as one from here.
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return request.META.get("REMOTE_ADDR") in LOOPBACK and not forwarded


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_scrape(request):
        return HttpResponse("Metrics are for staff, the metrics token or this host.\n", status=403,
                            content_type="text/plain; charset=utf-8")
    return HttpResponse(generate_latest(Scrape()), content_type=CONTENT_TYPE_LATEST)  # type: ignore[arg-type]


# The histograms the dashboard charts, by the key its JSON gives them.
CHARTED_HISTOGRAMS = {
    "pokerrt_command_seconds": "command_seconds",
    "pokerrt_delivery_seconds": "delivery_seconds",
    "pokerrt_heartbeat_rtt_seconds": "heartbeat_rtt_seconds",
}


def dashboard_values() -> dict[str, Any]:
    """The totals the dashboard turns into rates and quantiles between two polls, from one scrape.

    Cumulative, as Prometheus would read them: the page takes differences,
    so every node's page agrees with what Prometheus computes.
    """
    values: dict[str, Any] = {
        "at": time.time(), "connections": 0.0, "events": 0.0, "commands": {}, "relay_lag_seconds": None,
        "histograms": {key: {"buckets": [], "count": 0.0, "sum": 0.0} for key in CHARTED_HISTOGRAMS.values()},
    }
    for family in Scrape().collect():
        for sample in family.samples:
            name = sample.name
            if name == "pokerrt_connections":
                values["connections"] += sample.value
            elif name == "pokerrt_events_total":
                values["events"] += sample.value
            elif name == "pokerrt_commands_total":
                result = sample.labels["result"]
                values["commands"][result] = values["commands"].get(result, 0.0) + sample.value
            elif name == "pokerrt_relay_lag_seconds":
                values["relay_lag_seconds"] = sample.value
            elif family.name in CHARTED_HISTOGRAMS:
                histogram = values["histograms"][CHARTED_HISTOGRAMS[family.name]]
                if name.endswith("_bucket"):
                    histogram["buckets"].append([sample.labels["le"], sample.value])
                elif name.endswith("_count"):
                    histogram["count"] = sample.value
                elif name.endswith("_sum"):
                    histogram["sum"] = sample.value
    return values


def staff_only_json(request: HttpRequest) -> JsonResponse | None:
    if request.user.is_authenticated and request.user.is_staff:
        return None
    return JsonResponse({"code": "FORBIDDEN", "message": "Staff only."}, status=403)


@require_GET
def dashboard_json(request: HttpRequest) -> JsonResponse:
    refused = staff_only_json(request)
    return refused or JsonResponse(dashboard_values())


# The dashboard's charts: (key the page script knows, title, unit).
CHARTS = [
    ("connections", "Connections", "open"),
    ("events", "Events", "/s"),
    ("commands", "Commands", "/s"),
    ("command_latency", "Command time p50 / p99", "ms"),
    ("delivery", "Commit-to-send p99", "ms"),
    ("heartbeat", "Heartbeat RTT p99", "ms"),
    ("relay_lag", "Relay lag", "s"),
]


@staff_member_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/staff_metrics.html", {"charts": CHARTS})
