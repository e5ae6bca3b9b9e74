"""The WebSocket side of the ASGI application: origin check, auth, ``/ws/``."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlsplit

from channels.routing import URLRouter
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import path

from .auth import SocketAuth
from .consumer import RealtimeConsumer

websocket_urlpatterns = [path("ws/", RealtimeConsumer.as_asgi())]

# (scheme, host, port) of a web origin, the port made explicit.
Origin = tuple[str, str, int]

DEFAULT_PORTS = {"http": 80, "https": 443}
# The scheme of the page that opens a socket of each scheme.
PAGE_SCHEMES = {"ws": "http", "wss": "https"}


def parse_origin(value: str) -> Origin | None:
    """``https://play.example.com:8443`` as (scheme, host, port); None when it is no web origin (``null``)."""
    try:
        parts = urlsplit(value.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname, DEFAULT_PORTS[parts.scheme] if port is None else port


def _header(scope: dict[str, Any], name: bytes) -> list[str]:
    return [value.decode("latin1") for key, value in scope.get("headers", []) if key == name]


def _allowed_hosts() -> list[str]:
    # As Django's HttpRequest.get_host does for HTTP requests.
    if settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [".localhost", "127.0.0.1", "[::1]"]
    return list(settings.ALLOWED_HOSTS)


def site_origin(scope: dict[str, Any]) -> Origin | None:
    """The origin of the site's own pages: the socket's scheme made http(s), and its Host, if allowed."""
    hosts = _header(scope, b"host")
    scheme = PAGE_SCHEMES.get(scope.get("scheme", "ws"))
    if not hosts or scheme is None:
        return None
    domain, _ = split_domain_port(hosts[0])
    if not domain or not validate_host(domain, _allowed_hosts()):
        return None
    return parse_origin(f"{scheme}://{hosts[0]}")


def trusted_origins() -> list[Origin]:
    """CSRF_TRUSTED_ORIGINS; a host ``*.example.com`` stands for its subdomains, as for Django's CSRF check."""
    return [origin for origin in map(parse_origin, settings.CSRF_TRUSTED_ORIGINS) if origin is not None]


def admits(allowed: Origin, origin: Origin) -> bool:
    scheme, host, port = allowed
    if host.startswith("*."):
        domain = host[2:]
        return (origin[0], origin[2]) == (scheme, port) and (
            origin[1] == domain or origin[1].endswith(f".{domain}")
        )
    return origin == allowed


def origin_allowed(scope: dict[str, Any], value: str) -> bool:
    origin = parse_origin(value)
    if origin is None:
        return False
    own = site_origin(scope)
    return origin == own or any(admits(allowed, origin) for allowed in trusted_origins())


class BrowserOriginValidator:
    """A browser's Origin must be the site's own or a trusted one: scheme, host and port.

    An Origin protects a browser's cookies from other sites, so it is compared
    whole: a page served from another port or over the other scheme is another
    site. Clients that send none (bots) pass: they authenticate with their
    token, which no other site can read.
    """

    # asgiref takes a class whose __call__ is no coroutine function for an ASGI 2 application.
    _asgi_single_callable = True

    def __init__(self, application: Any) -> None:
        self.application = application

    def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Awaitable[Any]:
        # Not a coroutine itself: the inner application's is returned, so no
        # frame of this check stays with the socket for its whole life.
        origins = _header(scope, b"origin")
        if not all(origin_allowed(scope, origin) for origin in origins):
            # Refuses the handshake: HTTP 403.
            return WebsocketDenier()(scope, receive, send)
        result: Awaitable[Any] = self.application(scope, receive, send)
        return result


def websocket_application():  # type: ignore[no-untyped-def]
    return BrowserOriginValidator(SocketAuth(URLRouter(websocket_urlpatterns)))
