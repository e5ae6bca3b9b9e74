"""The lobby's timer: a thin handler that takes ids and calls an action.

LobbyConfig.ready() registers it under ``lobby.directory.SEND_ROWS``.
"""

from __future__ import annotations

from typing import Any

from . import actions
from .models import Lobby


def lock_lobby_of(payload: dict[str, Any]) -> object:
    """The lobby's row lock, taken before the deadline's (pokerrt.timers.registry); None once it is gone."""
    return Lobby.objects.select_for_update(no_key=True).filter(pk=payload["lobby_id"]).first()


def send_rows(payload: dict[str, Any]) -> None:
    actions.do_send_rows(payload["lobby_id"], payload["section"], payload["item_id"])
