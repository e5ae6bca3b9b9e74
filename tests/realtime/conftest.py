"""Fixtures of the real-time tests: the TALLY test stream, communicators, tuned limits."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.db import connections

from pokerrt.realtime import readers, streams
from pokerrt.realtime.routing import websocket_application

from . import tally_streams
from .helpers import Client


@pytest.fixture(autouse=True)
def tally_stream():
    tally_streams.register()
    yield
    tally_streams.unregister()


@pytest.fixture(autouse=True)
async def close_sync_thread_connections(django_db_blocker):
    """Close what the consumers' sync thread and reader threads opened, so the test database can be dropped.

    Unblocked: closing is not database access, and a test without the
    database may follow one that left the thread's connection open.
    """
    yield
    with django_db_blocker.unblock():
        await database_sync_to_async(connections.close_all)()
        readers.close_connections()


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
        except (Exception, asyncio.CancelledError):
            # Closed by the test already; or its consumer did not end within
            # the communicator's second and was cancelled then (on the core
            # Redis layer a consumer's pending receive takes up to its BZPOPMIN
            # timeout, 5 s, to give up), which this disconnect re-raises.
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


@pytest.fixture
def sent(monkeypatch):
    """The events broadcast (after commit)."""
    out: list[Any] = []
    monkeypatch.setattr(streams, "broadcast", out.append)
    return out
