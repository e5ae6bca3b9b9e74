"""Fixtures for table tests: a lobby, a cash table, seated players, in-process sockets (helpers: helpers.py)."""

from __future__ import annotations

import pytest

from lobby.actions import do_create_lobby
from tables import actions


@pytest.fixture
def lobby(db):
    return do_create_lobby("Test lobby")


@pytest.fixture
def table(lobby):
    return actions.do_create_table(lobby, "Test 5/10", small_blind=5, big_blind=10, max_seats=6,
                                   min_buy_in=100, max_buy_in=2000, action_seconds=20,
                                   time_bank_seconds=30)


@pytest.fixture
def players(make_user):
    return [make_user(name) for name in ("ann", "ben", "cat", "dan", "eve", "fay")]


@pytest.fixture
def seated(table, players):
    """Three players at seats 1-3 with 1,000 chips each."""
    for player in players[:3]:
        actions.do_join_table(player, table.pk, 1000)
    return players[:3]


@pytest.fixture
async def sockets(settings):
    """Open in-process clients of /ws/: ``await sockets(user)``; all closed after the test.

    Closing waits for each consumer's disconnect; then the database connection
    of the consumers' sync thread is closed, so no later test inherits it.
    """
    from channels.db import database_sync_to_async
    from django.db import connections

    from .sockets import Socket

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    opened: list[Socket] = []

    async def open_(user=None) -> Socket:
        socket = await Socket.open(user)
        opened.append(socket)
        return socket

    yield open_
    for socket in opened:
        await socket.close()
    await database_sync_to_async(connections.close_all)()
