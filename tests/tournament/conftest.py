"""Fixtures for tournament tests: a lobby, players with 10,000-chip wallets, staff, a sit-and-go."""

from __future__ import annotations

import pytest

from lobby.actions import do_create_lobby
from tournament import actions


@pytest.fixture
def lobby(db):
    return do_create_lobby("Tournaments")


@pytest.fixture
def players(make_user):
    return [make_user(name) for name in ("ann", "ben", "cat", "dan", "eve", "fay")]


@pytest.fixture
def sng(lobby):
    """A six-player sit-and-go: 100 into the pool and 10 to the house per entry."""
    return actions.do_create_tournament(lobby, "Sit & Go", buy_in=100, fee=10, starting_stack=1500,
                                        min_players=2, max_players=6, table_size=6)


@pytest.fixture
def broken_on_purpose(request):
    """The test corrupts the chips: the suite's audit after it would fail by design."""
    request.node.skip_chip_audit = True
