"""``/metrics`` for Prometheus: who may read it, and the exposition itself.

Allowed: a staff session, ``Authorization: Bearer <METRICS_TOKEN>``, or a
request from this host that no proxy forwarded. Everything else gets 403 (the
path is documented, hiding it would only confuse an operator), and so does a
wrong bearer token even from this host: a scraper with a stale token should
fail loudly, not pass on its address.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pokerrt.metrics import Scrape

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
