"""The REST API's request limits, per logged-in user and per client address (docs/api.md).

Counted in the cache every node shares (``pokerrt.throttling``), like the
log-in limits, so a client spreading requests over nodes is counted once.
Kept apart from ``pokerrt.rest``: DRF imports these while it sets up its
views, so they may not import a view.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import throttling
from rest_framework.request import Request

from .throttling import Rate, Throttle, client_address


class _CountedThrottle(throttling.BaseThrottle):
    """A DRF throttle counted in the shared cache by :class:`pokerrt.throttling.Throttle`."""

    scope = ""

    def identity(self, request: Request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        identity = self.identity(request)
        # A settings module without the scope (an older one, or a test's
        # whole-dict override) has no such limit: "off".
        rate = Rate.parse(settings.POKERRT_THROTTLES.get(self.scope, "off"))
        if identity is None or rate is None:
            self._wait = 0
            return True
        self._wait = Throttle(self.scope, rate).take(identity).wait
        return self._wait == 0

    def wait(self) -> float | None:
        return self._wait or None


class PerUserThrottle(_CountedThrottle):
    """Requests per logged-in user, from however many addresses."""

    scope = "api_user"

    def identity(self, request: Request) -> str | None:
        user = request.user
        return str(user.pk) if user and user.is_authenticated else None


class PerAddressThrottle(_CountedThrottle):
    """Requests per client address, logged in or not (behind trusted proxies, the client's)."""

    scope = "api_address"

    def identity(self, request: Request) -> str | None:
        return client_address(request)
