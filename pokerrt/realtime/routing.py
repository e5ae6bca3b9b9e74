"""The WebSocket side of the ASGI application: origin check, auth, ``/ws/``."""

from __future__ import annotations

from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from .auth import RealtimeAuthStack
from .consumer import RealtimeConsumer

websocket_urlpatterns = [path("ws/", RealtimeConsumer.as_asgi())]


class BrowserOriginValidator(OriginValidator):
    """Browsers' Origin must be one of ALLOWED_HOSTS; clients that send none (bots) pass.

    An Origin protects a browser's cookies from other sites; a client without
    one authenticates with its token, which no other site can read.
    """

    def valid_origin(self, parsed_origin):  # type: ignore[no-untyped-def]
        return parsed_origin is None or self.validate_origin(parsed_origin)


def websocket_application():  # type: ignore[no-untyped-def]
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = ["localhost", "127.0.0.1", "[::1]"]
    return BrowserOriginValidator(RealtimeAuthStack(URLRouter(websocket_urlpatterns)), allowed)
