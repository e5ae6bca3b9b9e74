"""The browser origin check: scheme, host and port, against the site's own origin and CSRF_TRUSTED_ORIGINS."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client as HttpClient
from twisted.internet.interfaces import ISSLTransport
from websockets.exceptions import InvalidStatus
from zope.interface import implementer

from pokerrt.realtime.routing import websocket_application
from pokerrt.realtime.server import socket_scheme

# Every connection waits for the node's start, which records the node.
pytestmark = pytest.mark.django_db(transaction=True)


async def opens(origin: str | None, host: str = "localhost:8000", scheme: str = "ws",
                cookie: bytes | None = None) -> bool:
    """Whether a handshake with these headers is accepted."""
    application = websocket_application()

    async def with_scheme(scope, receive, send):
        return await application({**scope, "scheme": scheme}, receive, send)

    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(with_scheme, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    "origin, host, scheme",
    [
        ("http://localhost:8000", "localhost:8000", "ws"),
        ("http://LOCALHOST:8000", "localhost:8000", "ws"),
        ("http://127.0.0.1", "127.0.0.1", "ws"),
        ("http://127.0.0.1:80", "127.0.0.1", "ws"),
        ("https://localhost:8443", "localhost:8443", "wss"),
        ("https://localhost", "localhost", "wss"),
    ],
)
async def test_the_sites_own_origin_is_accepted(origin, host, scheme):
    assert await opens(origin, host, scheme)


@pytest.mark.parametrize(
    "origin, host, scheme",
    [
        # another port of an allowed host is another site
        ("http://127.0.0.1:9999", "127.0.0.1:8000", "ws"),
        ("http://localhost:8001", "localhost:8000", "ws"),
        # the other scheme is another site too
        ("https://localhost", "localhost:8000", "ws"),
        ("https://localhost:8000", "localhost:8000", "ws"),
        ("http://localhost:8443", "localhost:8443", "wss"),
        # another host, even an allowed one
        ("http://127.0.0.1:8000", "localhost:8000", "ws"),
        ("http://evil.example", "localhost:8000", "ws"),
        # a Host that is not in ALLOWED_HOSTS names no site of ours
        ("http://evil.example", "evil.example", "ws"),
        # sandboxed frames and local files
        ("null", "localhost:8000", "ws"),
        ("file://", "localhost:8000", "ws"),
        ("http://localhost:99999", "localhost:8000", "ws"),
    ],
)
async def test_any_other_origin_is_refused(origin, host, scheme):
    assert not await opens(origin, host, scheme)


async def test_clients_without_an_origin_are_not_checked():
    assert await opens(None, host="anything.example")


@pytest.mark.parametrize(
    "origin, accepted",
    [
        ("https://play.example.com", True),
        ("https://play.example.com:443", True),
        ("http://play.example.com", False),
        ("https://play.example.com:8443", False),
        ("https://other.example.com", False),
        ("http://lan.example.net:8080", True),
        ("http://lan.example.net", False),
        ("https://eu.cdn.example.org", True),
        ("https://cdn.example.org", True),
        ("https://badcdn.example.org", False),
        ("http://eu.cdn.example.org", False),
    ],
)
async def test_csrf_trusted_origins_are_accepted_whole(settings, origin, accepted):
    settings.CSRF_TRUSTED_ORIGINS = [
        "https://play.example.com",
        "http://lan.example.net:8080",
        "https://*.cdn.example.org",
    ]
    assert await opens(origin) is accepted


async def test_a_session_cookie_from_another_port_is_refused(user):
    http = HttpClient()
    await database_sync_to_async(http.force_login)(user)
    cookie = f"sessionid={http.cookies['sessionid'].value}".encode()
    assert not await opens("http://127.0.0.1:9999", host="127.0.0.1:8000", cookie=cookie)
    assert await opens("http://127.0.0.1:8000", host="127.0.0.1:8000", cookie=cookie)


@pytest.mark.live
async def test_a_live_node_compares_scheme_host_and_port(node):
    own = f"http://127.0.0.1:{node.port}"
    for foreign in ("http://127.0.0.1:9999", f"https://127.0.0.1:{node.port}", "https://localhost"):
        with pytest.raises(InvalidStatus) as refused:
            await node.open(origin=foreign)
        assert refused.value.response.status_code == 403
    client = await node.open(origin=own)
    assert (await client.request("PING", data={"t": 1}))["type"] == "PONG"
    await client.close()



class Transport:
    """A plain TCP transport."""


@implementer(ISSLTransport)
class TLSTransport:
    """A TLS transport, as Daphne's ``-e ssl:...`` endpoints give."""


@pytest.mark.parametrize(
    "transport, forwarded, scheme",
    [
        (Transport, None, "ws"),
        (TLSTransport, None, "wss"),
        (Transport, "https", "wss"),
        (Transport, "http", "ws"),
    ],
)
def test_the_pokerrt_server_gives_websocket_scopes_their_scheme(transport, forwarded, scheme):
    protocol = SimpleNamespace(transport=transport())
    if forwarded is not None:
        protocol.client_scheme = forwarded
    assert socket_scheme(protocol) == scheme
