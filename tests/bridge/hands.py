"""Played hands: the journal a real table writes, for the relay to publish."""

from __future__ import annotations

from collections import defaultdict

from pokerrt.realtime.models import Event
from pokerrt.realtime.streams import PRIVATE_TARGETS
from tables import actions
from tests.tables.helpers import current_hand, passive, play_out

from .amqp import Received


def play_hands(table, count: int) -> None:
    for _ in range(count):
        if current_hand(table) is None:
            actions.do_start_hand(table.pk)
        play_out(table, passive)


def public_events() -> list[Event]:
    """Every journal row of a public stream (all but PLAYER), in journal order."""
    return list(Event.objects.exclude(target__in=PRIVATE_TARGETS).order_by("id"))


def first_arrivals(received: list[Received]) -> dict[tuple[str, str], list[int]]:
    """Per stream, the seqs in the order their message_id first arrived."""
    seen: set[str] = set()
    order: dict[tuple[str, str], list[int]] = defaultdict(list)
    for message in received:
        if message.message_id not in seen:
            seen.add(message.message_id)
            order[(message.headers["target"], message.headers["id"])].append(message.headers["seq"])
    return dict(order)
