"""Fixtures of the real-time tests: the TALLY test stream, communicators, tuned limits."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections

from pokerrt.realtime.routing import websocket_application

from . import streams
from .envelope_client import EnvelopeClient


@pytest.fixture(autouse=True)
def tally_stream():
    streams.register()
    yield
    streams.unregister()


@pytest.fixture(autouse=True)
async def close_sync_thread_connections():
    """Close what the consumers' sync thread opened, so the test database can be dropped."""
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
def realtime_conf(settings):
    """Change real-time limits for one test: ``realtime_conf(RATE_BURST=3)``."""

    def tune(**values: Any) -> dict[str, Any]:
        settings.POKERRT_REALTIME = {**settings.POKERRT_REALTIME, **values}
        return settings.POKERRT_REALTIME

    return tune


IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def layer_settings():
    """The channel layers the communicator tests use: in-memory unless a test says otherwise."""
    return IN_MEMORY


@pytest.fixture
async def layer(settings, layer_settings):
    # Changing the setting makes Channels drop its cached layer.
    settings.CHANNEL_LAYERS = layer_settings
    channel_layer = get_channel_layer()
    yield channel_layer
    if hasattr(channel_layer, "flush"):
        await channel_layer.flush()


class Client(EnvelopeClient):
    """A WebsocketCommunicator speaking the envelope."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.communicator = communicator

    async def send_text(self, text: str) -> None:
        await self.communicator.send_to(text_data=text)

    async def receive_text(self, timeout: float) -> str:
        return await self.communicator.receive_from(timeout)

    async def request(
        self, type: str, target: str | None = None, id: Any = None, data: Any = None, ref: str = "r1"
    ) -> dict[str, Any]:
        await self.send(type, target, id, data, ref)
        while True:
            frame = await self.receive()
            if frame["type"] != "PING":
                return frame

    async def nothing(self, timeout: float = 0.2) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture
async def connect(layer):
    """Open communicators on /ws/: ``await connect(token=key)``; all closed after the test."""
    opened: list[WebsocketCommunicator] = []

    async def open_(
        token: str | None = None, headers: list[tuple[bytes, bytes]] | None = None, expect: bool = True
    ) -> Client:
        all_headers = list(headers or [])
        if token is not None:
            all_headers.append((b"authorization", f"Token {token}".encode()))
        communicator = WebsocketCommunicator(websocket_application(), "/ws/", headers=all_headers)
        connected, code = await communicator.connect()
        assert connected is expect, code
        opened.append(communicator)
        return Client(communicator)

    yield open_
    for communicator in opened:
        try:
            await communicator.disconnect()
        except Exception:
            pass


@pytest.fixture(scope="module")
def node(django_db_setup, django_db_blocker):
    """One live node (``python -m pokerrt.realtime.server``, default limits) for a test module."""
    from .livenode import start_node, stop

    with django_db_blocker.unblock():
        started = start_node()
    yield started
    stop(started.proc)


@pytest.fixture
def presence_calls():
    """What the presence hooks saw: ("first" | "last", user id) in order."""
    from pokerrt.realtime import presence

    calls: list[tuple[str, int]] = []
    hook = presence.register_connection_hook(
        on_first_connect=lambda user: calls.append(("first", user.pk)),
        on_last_disconnect=lambda user: calls.append(("last", user.pk)),
    )
    yield calls
    presence.unregister_connection_hook(hook)
