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


