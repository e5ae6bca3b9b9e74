"""The tournament's timers: thin handlers that take ids and call an action.

TournamentConfig.ready() registers them; each takes the tournament's row
lock before the deadline's, the one lock order (pokerrt.timers.registry).
"""

from __future__ import annotations

from typing import Any

from tables.actions import lock_table

from . import actions
from .actions.base import lock_tournament


def lock_tournament_of(payload: dict[str, Any]) -> object:
    return lock_tournament(payload["tournament_id"])


def lock_tournament_and_table(payload: dict[str, Any]) -> object:
    """The tournament row, then the table whose hand ended: the order every tournament action locks in."""
    tournament = lock_tournament(payload["tournament_id"])
    lock_table(payload["table_id"])
    return tournament


def start(payload: dict[str, Any]) -> None:
    actions.do_scheduled_start(payload["tournament_id"])


def clock(payload: dict[str, Any]) -> None:
    actions.do_clock_expired(payload["tournament_id"], payload["version"])


def after_hands(payload: dict[str, Any]) -> None:
    actions.do_after_hands(payload["tournament_id"])
