"""Fixtures for the RabbitMQ bridge: a broker corner per test, a table whose hands make events."""

from __future__ import annotations

import pytest

from lobby.actions import do_create_lobby
from tables import actions
from tests.services import RABBITMQ_URL, answers

from .amqp import Broker


@pytest.fixture
def broker(settings):
    """Unique exchanges and queues on the machine's RabbitMQ, deleted after the test."""
    settings.EVENT_BUS_URL = RABBITMQ_URL
    bus = Broker()
    yield bus
    if answers("rabbitmq"):
        bus.cleanup()


@pytest.fixture
def table(transactional_db):
    lobby = do_create_lobby("Bridge lobby")
    return actions.do_create_table(lobby, "Bridge 5/10", small_blind=5, big_blind=10, max_seats=6,
                                   min_buy_in=100, max_buy_in=2000, action_seconds=20, time_bank_seconds=30)


@pytest.fixture
def seated(table, make_user):
    players = [make_user(name) for name in ("ann", "ben", "cat")]
    for player in players:
        actions.do_join_table(player, table.pk, 1000)
    return players
