"""The table's timers: thin handlers that take ids and call an action.

TablesConfig.ready() registers them under the names their deadlines carry.
"""

from __future__ import annotations

from typing import Any

from . import actions


def lock_table_of(payload: dict[str, Any]) -> object:
    """The table's row lock, taken before the deadline's (pokerrt.timers.registry)."""
    return actions.lock_table(payload["table_id"])


def start_hand(payload: dict[str, Any]) -> None:
    actions.do_start_hand(payload["table_id"])


def action_clock(payload: dict[str, Any]) -> None:
    # Timers set before the hand's row held the clock also carry "actions": the hand's deadline decides now.
    actions.do_action_clock_expired(payload["table_id"], payload["hand_id"])


def sit_out_expired(payload: dict[str, Any]) -> None:
    actions.do_expire_sit_out(payload["table_id"], payload["seat"], payload["user_id"])


def grace_expired(payload: dict[str, Any]) -> None:
    actions.do_expire_grace(payload["table_id"], payload["seat"], payload["user_id"])
