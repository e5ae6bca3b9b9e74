"""Fixtures for REST API tests: a lobby, a cash table, a sit-and-go, clients for each kind of caller."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from lobby.actions import do_create_lobby
from tables import actions as table_actions
from tournament import actions as tournament_actions


@pytest.fixture
def lobby(db):
    return do_create_lobby("Main")


@pytest.fixture
def table(lobby):
    return table_actions.do_create_table(lobby, "Main 5/10", small_blind=5, big_blind=10, max_seats=6,
                                         min_buy_in=100, max_buy_in=2000)


@pytest.fixture
def sng(lobby):
    return tournament_actions.do_create_tournament(lobby, "Sit & Go", buy_in=100, fee=10, starting_stack=1500,
                                                   min_players=2, max_players=6, table_size=6)


@pytest.fixture
def player_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def staff_client(staff_user):
    client = APIClient()
    client.force_authenticate(staff_user)
    return client
