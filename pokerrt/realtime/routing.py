"""The WebSocket side of the ASGI application: origin check, auth, ``/ws/``."""

from __future__ import annotations

from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from .auth import RealtimeAuthStack
from .consumer import RealtimeConsumer

websocket_urlpatterns = [path("ws/", RealtimeConsumer.as_asgi())]


def websocket_application():  # type: ignore[no-untyped-def]
    """Browsers' Origin must be one of ALLOWED_HOSTS; clients without one pass."""
    return AllowedHostsOriginValidator(RealtimeAuthStack(URLRouter(websocket_urlpatterns)))
