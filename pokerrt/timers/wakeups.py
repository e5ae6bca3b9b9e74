"""Where a wake-up goes: the backends by name, each registered by TimersConfig.ready().

``settings.TIMERS_BACKEND`` names the backend. The backends call the actions
back (``fire``, ``sweep``), so the actions reach them only through this table,
never by importing them: the dependency runs one way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# (key, version, at) -> None: have ``fire(key, version)`` called at ``at``.
WakeUp = Callable[[str, int, datetime], None]

_backends: dict[str, WakeUp] = {}


def register_backend(name: str, wake_up: WakeUp) -> None:
    _backends[name] = wake_up


def request_wake_up(key: str, version: int, at: datetime) -> None:
    """Ask the configured backend to call ``fire(key, version)`` at ``at``."""
    backend = settings.TIMERS_BACKEND
    wake_up = _backends.get(backend)
    if wake_up is None:
        raise ImproperlyConfigured(
            f"TIMERS_BACKEND is {backend!r}; it must be one of {', '.join(map(repr, sorted(_backends)))}"
        )
    wake_up(key, version, at)
