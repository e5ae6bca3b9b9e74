"""The table's timers: thin handlers that take ids and call an action."""

from __future__ import annotations

from typing import Any

from pokerrt.timers import timer_handler

from . import actions


def _lock(payload: dict[str, Any]) -> object:
    return actions.lock_table(payload["table_id"])


@timer_handler("tables.start_hand", lock=_lock)
def start_hand(payload: dict[str, Any]) -> None:
    actions.do_start_hand(payload["table_id"])


@timer_handler("tables.action_clock", lock=_lock)
def action_clock(payload: dict[str, Any]) -> None:
    actions.do_action_clock_expired(payload["table_id"], payload["hand_id"], payload["actions"])


@timer_handler("tables.sit_out_expired", lock=_lock)
def sit_out_expired(payload: dict[str, Any]) -> None:
    actions.do_expire_sit_out(payload["table_id"], payload["seat"], payload["user_id"])


@timer_handler("tables.grace_expired", lock=_lock)
def grace_expired(payload: dict[str, Any]) -> None:
    actions.do_expire_grace(payload["table_id"], payload["seat"], payload["user_id"])
