"""Fixtures of the lobby tests: a lobby, its tables, time moved by hand."""

from __future__ import annotations

import pytest

from lobby.actions import do_create_lobby
from pokerrt import clock
from tables import actions

from .helpers import HandClock


@pytest.fixture(autouse=True)
def timers_in_rows(settings):
    """Wake-ups are only rows (no loop, no broker): the tests fire the lobby's deadlines themselves."""
    from pokerrt.timers.inprocess import scheduler

    settings.TIMERS_BACKEND = "inprocess"
    scheduler.loop = None
    yield
    scheduler.loop = None


@pytest.fixture
def hand_clock():
    moved = HandClock()
    previous = clock.use(moved)
    yield moved
    clock.use(previous)


@pytest.fixture
def lobby(db):
    return do_create_lobby("Low stakes", "Micro cash games")


@pytest.fixture
def make_table(lobby):
    def make(name: str = "Table", **fields):
        settings = {"small_blind": 5, "big_blind": 10, "max_seats": 6, "min_buy_in": 100, "max_buy_in": 2000}
        return actions.do_create_table(lobby, name, **{**settings, **fields})

    return make


@pytest.fixture
async def open_socket(settings):
    """``await open_socket(user)``: a client on /ws/ (anonymous without a user); all closed after."""
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import connections
    from rest_framework.authtoken.models import Token

    from pokerrt.realtime.routing import websocket_application
    from tests.realtime.helpers import Client

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    opened: list[WebsocketCommunicator] = []

    async def open_(user=None) -> Client:
        headers = []
        if user is not None:
            key = await database_sync_to_async(lambda: Token.objects.get_or_create(user=user)[0].key)()
            headers.append((b"authorization", f"Token {key}".encode()))
        communicator = WebsocketCommunicator(websocket_application(), "/ws/", headers=headers)
        connected, code = await communicator.connect()
        assert connected, code
        opened.append(communicator)
        return Client(communicator)

    yield open_
    for communicator in opened:
        try:
            await communicator.disconnect()
        except Exception:
            pass
    await database_sync_to_async(connections.close_all)()
